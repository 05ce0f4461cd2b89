"""Event and agenda services: validation with translated messages, status workflow, audit entries,
permissions; the calendar feed secret."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise

from shieldhub.core.models import AuditEntry
from shieldhub.core.tokens import hash_token
from shieldhub.events import services
from shieldhub.events.models import CalendarFeed, Event
from tests.events.factories import EventFactory, SessionFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")


def _data(**extra):
    start = dt.datetime(2027, 3, 8, 9, 0, tzinfo=NAIROBI)
    data = {
        "kind": "training", "title_en": "Precursor profiling", "title_fr": "Ciblage des précurseurs",
        "starts_at": start, "ends_at": start + dt.timedelta(days=2, hours=8), "time_zone": "Africa/Nairobi",
        "venue_name": "KRA Training Institute", "venue_country": "KE", "rooms": ["Hall A", "Room 2"],
        "languages": ["en", "fr"], "interpretation": True, "capacity": 25,
    }  # fmt: skip
    data.update(extra)
    return data


def test_create_stores_utc_and_audits(assistant):
    event = services.event_create(actor=assistant, data=_data())
    event.refresh_from_db()
    assert event.status == "draft"
    assert event.starts_at == dt.datetime(2027, 3, 8, 6, 0, tzinfo=dt.UTC)  # 09:00 in Nairobi (UTC+3)
    assert list(event.organisers.all()) == [assistant]
    entry = AuditEntry.objects.get(action="events.event_create")
    assert entry.object_id == str(event.pk) and entry.actor == assistant
    assert entry.changes["title_en"] == [None, "Precursor profiling"]


@pytest.mark.parametrize(
    ("extra", "field", "english"),
    [
        ({"ends_at": dt.datetime(2027, 3, 8, 8, 0, tzinfo=NAIROBI)}, "ends_at", "must end after it starts"),
        ({"venue_name": "", "online_url": ""}, "venue_name", "Give a venue or an online link"),
        ({"kind": "webinar", "online_url": ""}, "online_url", "A webinar needs an online link"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Choose a time zone"),
        ({"languages": ["en"], "interpretation": True}, "interpretation", "Interpretation needs both"),
        ({"reply_by": dt.date(2027, 4, 1)}, "reply_by", "reply-by date"),
        ({"languages": []}, "languages", "at least one working language"),
    ],
)
def test_validation_is_keyed_and_translatable(assistant, extra, field, english):
    with pytest.raises(ValidationError) as exc:
        services.event_create(actor=assistant, data=_data(**extra))
    assert any(english in m for m in exc.value.message_dict[field])
    assert not Event.objects.exists() and not AuditEntry.objects.filter(action="events.event_create").exists()
    # a lazy translation: rendered in the reader's language when shown, not when raised
    assert isinstance(exc.value.error_dict[field][0].message, Promise)


def test_only_event_managers_write(analyst, ncp_fr, donor):
    for user in (analyst, ncp_fr, donor):
        with pytest.raises(PermissionDenied):
            services.event_create(actor=user, data=_data())


def test_organisers_are_event_managers(assistant, trainer, ncp_fr):
    event = services.event_create(actor=assistant, data=_data(organisers=[assistant.pk, trainer.pk]))
    assert set(event.organisers.all()) == {assistant, trainer}
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=assistant, event=event, data={"organisers": [ncp_fr.pk]})
    assert "organisers" in exc.value.message_dict


def test_update_audits_the_difference(assistant):
    event = services.event_create(actor=assistant, data=_data())
    services.event_update(actor=assistant, event=event, data={"title_fr": "Profilage", "capacity": 30})
    entry = AuditEntry.objects.get(action="events.event_update")
    assert entry.changes == {"capacity": [25, 30], "title_fr": ["Ciblage des précurseurs", "Profilage"]}


def test_update_refuses_removing_a_room_in_use_and_moving_away_from_sessions(assistant):
    event = services.event_create(actor=assistant, data=_data())
    SessionFactory(event=event, room="Hall A")
    with pytest.raises(ValidationError) as exc:
        services.event_update(actor=assistant, event=event, data={"rooms": ["Room 2"]})
    assert "rooms" in exc.value.message_dict
    later = event.starts_at + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.event_update(
            actor=assistant, event=event, data={"starts_at": later, "ends_at": later + dt.timedelta(days=1)}
        )
    assert "starts_at" in exc.value.message_dict


def test_status_workflow(assistant):
    event = services.event_create(actor=assistant, data=_data())
    services.event_set_status(actor=assistant, event=event, status="announced")
    services.event_set_status(actor=assistant, event=event, status="nominations_open")
    services.event_set_status(actor=assistant, event=event, status="closed")
    with pytest.raises(ValidationError):  # not started yet
        services.event_set_status(actor=assistant, event=event, status="held")
    with pytest.raises(ValidationError):  # a reason is needed to cancel
        services.event_cancel(actor=assistant, event=event, reason=" ")
    services.event_cancel(actor=assistant, event=event, reason="Venue unavailable")
    event.refresh_from_db()
    assert event.status == "cancelled"
    entries = list(AuditEntry.objects.filter(action="events.event_status").order_by("seq"))
    assert [e.changes["status"] for e in entries] == [
        ["draft", "announced"], ["announced", "nominations_open"], ["nominations_open", "closed"],
        ["closed", "cancelled"],
    ]  # fmt: skip
    assert entries[-1].extra["reason"] == "Venue unavailable"
    with pytest.raises(ValidationError):
        services.event_update(actor=assistant, event=event, data={"title_en": "x"})
    with pytest.raises(ValidationError):  # no skipping from cancelled to held
        services.event_set_status(actor=assistant, event=event, status="held")


def test_held_once_started(assistant):
    event = EventFactory(status="closed", starts_at=timezone.now() - dt.timedelta(days=3),
                         ends_at=timezone.now() - dt.timedelta(days=1))  # fmt: skip
    services.event_set_status(actor=assistant, event=event, status="held")
    assert Event.objects.get(pk=event.pk).status == "held"


def test_sessions_validate_times_rooms_and_people(assistant, ncp_fr):
    event = services.event_create(actor=assistant, data=_data())
    speaker = PersonFactory(given_name="Amina", family_name="Odhiambo", country="KE")
    start = event.starts_at + dt.timedelta(hours=1)
    session = services.session_create(actor=assistant, event=event, data={
        "title_en": "Risk indicators", "title_fr": "Indicateurs de risque", "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1), "room": "Hall A", "speakers": [speaker.pk], "moderators": [],
    })  # fmt: skip
    assert list(session.speakers.all()) == [speaker]
    entry = AuditEntry.objects.get(action="events.session_create")
    assert entry.changes["speakers"] == [None, [speaker.pk]]
    bad = [
        ({"ends_at": start - dt.timedelta(minutes=5)}, "ends_at"),
        ({"starts_at": event.ends_at + dt.timedelta(hours=1), "ends_at": event.ends_at + dt.timedelta(hours=2)}, "starts_at"),
        ({"room": "Ballroom"}, "room"),
        ({"speakers": [999999]}, "speakers"),
    ]  # fmt: skip
    for extra, field in bad:
        data = {"title_en": "X", "starts_at": start, "ends_at": start + dt.timedelta(hours=1), **extra}
        with pytest.raises(ValidationError) as exc:
            services.session_create(actor=assistant, event=event, data=data)
        assert field in exc.value.message_dict, field
    services.session_update(actor=assistant, session=session, data={"title_fr": "Indicateurs"})
    assert AuditEntry.objects.get(action="events.session_update").changes == {
        "title_fr": ["Indicateurs de risque", "Indicateurs"]
    }
    session_pk = session.pk
    services.session_delete(actor=assistant, session=session)
    assert not event.sessions.exists()
    assert AuditEntry.objects.filter(action="events.session_delete", object_id=str(session_pk)).exists()
    with pytest.raises(PermissionDenied):
        services.session_create(actor=ncp_fr, event=event, data={"title_en": "x"})


def test_speakers_must_be_visible_to_the_actor(trainer, assistant):
    # the secretariat sees the whole directory: any person will do; an unknown id will not
    event = services.event_create(actor=assistant, data=_data())
    start = event.starts_at
    with pytest.raises(ValidationError):
        services.session_create(actor=trainer, event=event, data={
            "title_en": "X", "starts_at": start, "ends_at": start + dt.timedelta(hours=1), "moderators": [0]})  # fmt: skip


def test_calendar_feed_secret_is_hashed_and_replaced(ncp_fr):
    raw = services.calendar_feed_regenerate(actor=ncp_fr)
    feed = CalendarFeed.objects.get(user=ncp_fr)
    assert feed.token_hash == hash_token(raw) and raw not in feed.token_hash
    assert services.calendar_feed_user(raw) == ncp_fr
    new = services.calendar_feed_regenerate(actor=ncp_fr)
    assert services.calendar_feed_user(raw) is None
    assert services.calendar_feed_user(new) == ncp_fr
    assert CalendarFeed.objects.count() == 1
    assert AuditEntry.objects.filter(action="events.calendar_feed_regenerate").count() == 1
    ncp_fr.is_active = False
    ncp_fr.save()
    assert services.calendar_feed_user(new) is None


def test_no_feed_without_events_view(donor):
    with pytest.raises(PermissionDenied):
        services.calendar_feed_regenerate(actor=donor)

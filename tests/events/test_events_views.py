"""Event pages: the list with its filters, the event page in English and French with the agenda, the
event and session forms (times in the event's zone, errors kept with the values), status changes,
the month calendar; query counts on the list and the calendar."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.events.models import Event
from tests.events.factories import EventFactory, InvitationFactory, SessionFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def get_fr(client, user, url, params=None):
    """The page as the user sees it once they chose French (their saved language wins)."""
    user.language = "fr"
    user.save(update_fields=["language"])
    try:
        return client.get(url, params or {})
    finally:
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def training(assistant):
    start = dt.datetime(2027, 5, 10, 9, 0, tzinfo=BRUSSELS)
    event = EventFactory(
        title_en="Chemical precursor identification", title_fr="Identification des précurseurs chimiques",
        description_en="Hands-on training.", description_fr="Formation pratique.",
        starts_at=start, ends_at=start + dt.timedelta(days=1, hours=8), rooms=["Room Spaak"],
        venue_name="WCO headquarters", venue_country="BE", status="nominations_open", created_by=assistant,
        funding_terms_en="Travel is funded.", funding_terms_fr="Le voyage est pris en charge.",
    )  # fmt: skip
    speaker = PersonFactory(given_name="Nadia", family_name="Benali", country="MA")
    session = SessionFactory(
        event=event, title_en="Field test kits", title_fr="Trousses de détection",
        starts_at=start + dt.timedelta(hours=1), ends_at=start + dt.timedelta(hours=2), room="Room Spaak",
    )  # fmt: skip
    session.speakers.add(speaker)
    return event


def test_event_page_in_english_and_french(login, coordinator, training):
    client = login(coordinator)
    url = reverse("events:event-detail", args=[training.pk])
    page = client.get(url).content.decode()
    assert "Chemical precursor identification" in page and "Field test kits" in page
    assert "Nadia Benali" in page and "Room Spaak" in page and "Travel is funded." in page
    assert "10:00–11:00" in page  # the session's local time in Brussels
    assert "Europe/Brussels time (UTC+02:00)" in page
    french = get_fr(client, coordinator, url).content.decode()
    assert "Identification des précurseurs chimiques" in french and "Trousses de détection" in french
    assert "Le voyage est pris en charge." in french
    assert "Field test kits" not in french


def test_list_filters_and_shows_local_dates(login, coordinator, training):
    EventFactory(
        kind="webinar",
        title_en="Dark web sales",
        title_fr="Ventes sur le dark web",
        online_url="https://meet.example/x",
        status="announced",
    )
    client = login(coordinator)
    listing = client.get(reverse("events:event-list")).content.decode()
    assert "Chemical precursor identification" in listing and "Dark web sales" in listing
    only = client.get(reverse("events:event-list"), {"kind": "webinar"}).content.decode()
    assert "Dark web sales" in only and "Chemical precursor identification" not in only
    searched = client.get(reverse("events:event-list"), {"q": "précurseurs"}).content.decode()
    assert "Chemical precursor identification" in searched and "Dark web sales" not in searched
    partial = client.get(reverse("events:event-list"), {"status": "announced"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="results").content.decode()  # fmt: skip
    assert "Dark web sales" in partial and "<html" not in partial


def test_list_query_count_is_constant(login, coordinator, django_assert_max_num_queries):
    client = login(coordinator)
    EventFactory.create_batch(3)
    client.get(reverse("events:event-list"))
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("events:event-list"))
    EventFactory.create_batch(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("events:event-list")).status_code == 200


def test_create_event_in_its_zone(login, assistant, trainer):
    client = login(assistant)
    assert b"Africa/Nairobi" in client.get(reverse("events:event-create")).content
    data = {
        "kind": "training", "title_en": "Profiling", "title_fr": "Profilage", "time_zone": "Africa/Nairobi",
        "starts_at": "2027-03-08T09:00", "ends_at": "2027-03-09T17:00", "venue_name": "KRA Institute",
        "venue_country": "KE", "rooms": "Hall A\nRoom 2\n", "languages": ["en", "fr"], "interpretation": "on",
        "capacity": "20", "organisers": [str(assistant.pk), str(trainer.pk)], "reply_by": "2027-02-20",
    }  # fmt: skip
    response = client.post(reverse("events:event-create"), data)
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:event-detail", args=[event.pk])
    assert event.starts_at == dt.datetime(2027, 3, 8, 6, 0, tzinfo=dt.UTC)
    assert event.rooms == ["Hall A", "Room 2"] and set(event.organisers.all()) == {assistant, trainer}
    edit = client.get(reverse("events:event-edit", args=[event.pk])).content.decode()
    assert 'value="2027-03-08T09:00"' in edit  # shown back in the event's zone


def test_bad_input_keeps_the_values_with_clear_messages(login, assistant):
    client = login(assistant)
    data = {"kind": "meeting", "title_en": "Board meeting", "time_zone": "Europe/Paris",
            "starts_at": "2027-03-08T09:00", "ends_at": "2027-03-08T08:00", "languages": ["en"]}  # fmt: skip
    response = client.post(reverse("events:event-create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Event.objects.exists()
    assert "The event must end after it starts." in page
    assert "Give a venue or an online link" in page
    assert 'value="Board meeting"' in page and 'value="2027-03-08T09:00"' in page


def test_status_change_and_cancel(login, assistant, training):
    client = login(assistant)
    url = reverse("events:event-status", args=[training.pk])
    client.post(url, {"status": "cancelled", "reason": ""})
    training.refresh_from_db()
    assert training.status == "nominations_open"
    page = client.post(url, {"status": "cancelled", "reason": "Strike"}, follow=True).content.decode()
    training.refresh_from_db()
    assert training.status == "cancelled" and "This event is cancelled." in page


def test_session_form_people_search_and_save(login, assistant, training):
    client = login(assistant)
    PersonFactory(given_name="Kwame", family_name="Mensah", country="GH")
    url = reverse("events:session-create", args=[training.pk])
    base = {"title_en": "Profiling lab", "title_fr": "Atelier de ciblage", "starts_at": "2027-05-10T14:00",
            "ends_at": "2027-05-10T15:30", "room": "Room Spaak"}  # fmt: skip
    found = client.post(url, {**base, "people_q": "Mensah", "find": "1"}).content.decode()
    assert "Kwame Mensah" in found and 'value="Profiling lab"' in found  # nothing lost
    htmx = client.get(reverse("events:session-people", args=[training.pk]), {"people_q": "Mensah"}).content.decode()
    assert "Kwame Mensah" in htmx and "<html" not in htmx
    from shieldhub.directory.models import Person

    kwame = Person.objects.get(family_name="Mensah")
    response = client.post(url, {**base, "speakers": [kwame.pk], "moderators": [kwame.pk]})
    assert response.status_code == 302
    session = training.sessions.get(title_en="Profiling lab")
    assert session.starts_at == dt.datetime(2027, 5, 10, 12, 0, tzinfo=dt.UTC)
    assert list(session.speakers.all()) == [kwame] and list(session.moderators.all()) == [kwame]
    edit = client.get(reverse("events:session-edit", args=[training.pk, session.pk])).content.decode()
    assert "Kwame Mensah" in edit and "checked" in edit
    bad = client.post(url, {**base, "starts_at": "2027-06-10T14:00", "ends_at": "2027-06-10T15:00"}).content.decode()
    assert "The session must take place during the event." in bad
    client.post(reverse("events:session-delete", args=[training.pk, session.pk]))
    assert not training.sessions.filter(pk=session.pk).exists()
    assert AuditEntry.objects.filter(action="events.session_delete").exists()


def test_readers_do_not_get_manager_controls(login, ncp_fr, training):
    InvitationFactory(event=training, country="FR")
    client = login(ncp_fr)
    page = client.get(reverse("events:event-detail", args=[training.pk])).content.decode()
    assert "Field test kits" in page
    assert reverse("events:event-edit", args=[training.pk]) not in page
    assert reverse("events:session-create", args=[training.pk]) not in page
    assert client.get(reverse("events:event-edit", args=[training.pk])).status_code == 404
    assert client.post(reverse("events:event-status", args=[training.pk]), {"status": "cancelled"}).status_code == 404


def test_calendar_month_grid_and_list(login, coordinator, training, django_assert_max_num_queries):
    client = login(coordinator)
    url = reverse("events:event-calendar")
    page = client.get(url, {"month": "2027-05"}).content.decode()
    assert "May 2027" in page and "Chemical precursor identification" in page
    assert "?month=2027-04" in page and "?month=2027-06" in page
    assert page.count(reverse("events:event-detail", args=[training.pk])) == 3  # two days in the grid + the list
    french = get_fr(client, coordinator, url, {"month": "2027-05"}).content.decode()
    assert "mai 2027" in french.lower() and "Identification des précurseurs chimiques" in french
    empty = client.get(url, {"month": "2027-07"}).content.decode()
    assert "Chemical precursor identification" not in empty
    assert client.get(url, {"month": "garbage"}).status_code == 200
    with django_assert_max_num_queries(12) as small:
        client.get(url, {"month": "2027-05"})
    start = dt.datetime(2027, 5, 3, 9, 0, tzinfo=BRUSSELS)
    for i in range(15):
        EventFactory(starts_at=start + dt.timedelta(days=i), ends_at=start + dt.timedelta(days=i, hours=3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"month": "2027-05"})


def test_calendar_shows_only_visible_events(login, ncp_fr, training):
    hidden = EventFactory(title_en="Secret planning meeting", starts_at=training.starts_at, ends_at=training.ends_at)
    InvitationFactory(event=training, country="FR")
    page = login(ncp_fr).get(reverse("events:event-calendar"), {"month": "2027-05"}).content.decode()
    assert "Chemical precursor identification" in page and hidden.title_en not in page


def test_feed_link_is_shown_once(login, ncp_fr):
    client = login(ncp_fr)
    page = client.post(reverse("events:calendar-feed-regenerate")).content.decode()
    assert re.search(r"/events/calendar/feed/[\w-]{20,}\.ics", page)
    again = client.get(reverse("events:event-calendar")).content.decode()
    assert ".ics" not in again.split("calendar-feed")[-1] and "Replace my private link" in again


def test_now_month_is_the_default(login, coordinator):
    page = login(coordinator).get(reverse("events:event-calendar")).content.decode()
    assert timezone.localdate().strftime("%B %Y") in page

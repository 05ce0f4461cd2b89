"""iCalendar files, parsed back with `icalendar`: the event's file (its sessions as VEVENTs related to
the event, TZID of the event's zone, stable UIDs, titles in the language asked) and the personal feed
(a secret URL without a session, the events the owner may see and nothing else, in their language)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from shieldhub.events import services
from tests.events.factories import EventFactory, InvitationFactory, SessionFactory

pytestmark = pytest.mark.django_db

NAIROBI = zoneinfo.ZoneInfo("Africa/Nairobi")


@pytest.fixture
def workshop(assistant):
    start = dt.datetime(2027, 9, 14, 9, 0, tzinfo=NAIROBI)
    event = EventFactory(
        kind="workshop", title_en="Regional workshop", title_fr="Atelier régional", time_zone="Africa/Nairobi",
        starts_at=start, ends_at=start + dt.timedelta(days=1, hours=8), venue_name="KRA", status="announced",
        rooms=["Hall"],
    )  # fmt: skip
    SessionFactory(event=event, title_en="Opening", title_fr="Ouverture", starts_at=start,
                   ends_at=start + dt.timedelta(hours=1), room="Hall")  # fmt: skip
    SessionFactory(event=event, title_en="Case studies", title_fr="Études de cas",
                   starts_at=start + dt.timedelta(days=1), ends_at=start + dt.timedelta(days=1, hours=2))  # fmt: skip
    return event


def _vevents(body: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return [c for c in cal.walk("VEVENT")]


def test_event_ics_with_sessions_and_zone(login, coordinator, workshop):
    response = login(coordinator).get(reverse("events:event-ics", args=[workshop.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Africa/Nairobi"]
    vevents = _vevents(response.content)
    assert len(vevents) == 3
    main = vevents[0]
    assert str(main["SUMMARY"]) == "Regional workshop"
    assert main["DTSTART"].params["TZID"] == "Africa/Nairobi"
    start = main.decoded("DTSTART")
    assert start.utcoffset() == dt.timedelta(hours=3) and (start.hour, start.minute) == (9, 0)
    assert str(main["UID"]) == f"event-{workshop.pk}@127.0.0.1"
    sessions = vevents[1:]
    assert [str(v["SUMMARY"]) for v in sessions] == ["Opening", "Case studies"]
    assert all(str(v["RELATED-TO"]) == str(main["UID"]) for v in sessions)
    assert sessions[0]["LOCATION"].startswith("Hall, KRA")
    again = _vevents(login(coordinator).get(reverse("events:event-ics", args=[workshop.pk])).content)
    assert [str(v["UID"]) for v in again] == [str(v["UID"]) for v in vevents]  # stable


def test_event_ics_in_french(login, coordinator, workshop):
    body = login(coordinator).get(reverse("events:event-ics", args=[workshop.pk]), {"lang": "fr"}).content
    assert [str(v["SUMMARY"]) for v in _vevents(body)] == ["Atelier régional", "Ouverture", "Études de cas"]


def test_event_ics_is_refused_to_those_who_may_not_see_it(login, ncp_fr, workshop):
    assert login(ncp_fr).get(reverse("events:event-ics", args=[workshop.pk])).status_code == 404


def test_personal_feed(client, ncp_fr, workshop):
    InvitationFactory(event=workshop, country="FR")
    EventFactory(title_en="Secretariat retreat", status="announced")  # not invited
    EventFactory(title_en="Draft idea", status="draft")
    ncp_fr.language = "fr"
    ncp_fr.save()
    raw = services.calendar_feed_regenerate(actor=ncp_fr)
    response = client.get(reverse("events:calendar-feed", args=[raw]))  # no session
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    vevents = _vevents(response.content)
    assert [str(v["SUMMARY"]) for v in vevents] == ["Atelier régional", "Ouverture", "Études de cas"]
    assert vevents[0]["DTSTART"].params["TZID"] == "Africa/Nairobi"
    assert str(cal["X-WR-CALNAME"])
    assert b"Secretariat retreat" not in response.content and b"Draft idea" not in response.content
    assert client.get(reverse("events:calendar-feed", args=["wrong-secret"])).status_code == 404
    services.calendar_feed_regenerate(actor=ncp_fr)
    assert client.get(reverse("events:calendar-feed", args=[raw])).status_code == 404  # replaced


def test_feed_of_the_secretariat_lists_every_event(client, coordinator, workshop):
    EventFactory(title_en="Draft idea", status="draft")
    raw = services.calendar_feed_regenerate(actor=coordinator)
    vevents = _vevents(client.get(reverse("events:calendar-feed", args=[raw])).content)
    summaries = [str(v["SUMMARY"]) for v in vevents]
    assert "Regional workshop" in summaries and "Draft idea" in summaries
    draft = next(v for v in vevents if str(v["SUMMARY"]) == "Draft idea")
    assert str(draft["STATUS"]) == "TENTATIVE"


def test_feed_query_count_is_constant(client, coordinator, workshop, django_assert_max_num_queries):
    raw = services.calendar_feed_regenerate(actor=coordinator)
    url = reverse("events:calendar-feed", args=[raw])
    client.get(url)
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    for _ in range(5):
        SessionFactory(event=EventFactory(status="announced"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)

"""`/api/v1/events`: list and get with sessions, create/update/status (write scope, events.manage),
sessions CRUD, the .ics download; errors in the API's one format."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from shieldhub.core.models import AuditEntry
from shieldhub.events.models import Event
from tests.events.factories import EventFactory, InvitationFactory, SessionFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "kind": "webinar", "title_en": "Online sales of precursors", "title_fr": "Ventes en ligne de précurseurs",
    "time_zone": "America/Sao_Paulo", "starts_at": "2027-04-20T10:00:00", "ends_at": "2027-04-20T12:00:00",
    "online_url": "https://meet.example/gs", "languages": ["en", "fr"], "interpretation": True,
}  # fmt: skip


def test_create_update_status_and_sessions(login, assistant):
    client = login(assistant)
    response = client.post("/api/v1/events", PAYLOAD, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["starts_at"].startswith("2027-04-20T13:00:00")  # UTC
    assert body["organisers"][0]["id"] == assistant.pk and body["sessions"] == []
    pk = body["id"]
    updated = client.put(f"/api/v1/events/{pk}", {**PAYLOAD, "capacity": 300}, content_type="application/json")
    assert updated.json()["capacity"] == 300
    speaker = PersonFactory(given_name="Rafael", family_name="Souza", country="BR")
    session = client.post(f"/api/v1/events/{pk}/sessions", {
        "title_en": "Marketplaces", "title_fr": "Places de marché", "starts_at": "2027-04-20T10:30:00",
        "ends_at": "2027-04-20T11:15:00", "speakers": [speaker.pk]}, content_type="application/json")  # fmt: skip
    assert session.status_code == 201
    sid = session.json()["id"]
    assert session.json()["speakers"] == [{"id": speaker.pk, "name": "Rafael Souza"}]
    assert session.json()["starts_at"].startswith("2027-04-20T13:30:00")
    detail = client.get(f"/api/v1/events/{pk}").json()
    assert [s["title_fr"] for s in detail["sessions"]] == ["Places de marché"]
    changed = client.put(f"/api/v1/events/{pk}/sessions/{sid}", {
        "title_en": "Marketplaces and forums", "starts_at": "2027-04-20T10:30:00-03:00",
        "ends_at": "2027-04-20T11:30:00-03:00"}, content_type="application/json")  # fmt: skip
    assert changed.status_code == 200 and changed.json()["speakers"] == []
    assert client.get(f"/api/v1/events/{pk}/sessions").json()[0]["title_en"] == "Marketplaces and forums"
    status = client.post(f"/api/v1/events/{pk}/status", {"status": "announced"}, content_type="application/json")
    assert status.json()["status"] == "announced"
    assert client.delete(f"/api/v1/events/{pk}/sessions/{sid}").status_code == 204
    assert not Event.objects.get(pk=pk).sessions.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"events.event_create", "events.event_update", "events.session_create", "events.session_update",
            "events.session_delete", "events.event_status"} <= actions  # fmt: skip


def test_validation_errors_are_422_with_fields(login, assistant):
    client = login(assistant)
    response = client.post("/api/v1/events", {**PAYLOAD, "online_url": "", "ends_at": "2027-04-20T09:00:00"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert "ends_at" in details and "online_url" in details
    bad_status = EventFactory(status="draft")
    response = client.post(
        f"/api/v1/events/{bad_status.pk}/status", {"status": "held"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_readers_cannot_write_and_see_only_their_events(login, ncp_fr):
    visible = EventFactory(status="announced", title_en="Visible")
    InvitationFactory(event=visible, country="FR")
    SessionFactory(event=visible)
    hidden = EventFactory(status="announced", title_en="Hidden")
    client = login(ncp_fr)
    listed = client.get("/api/v1/events").json()
    assert [e["id"] for e in listed["items"]] == [visible.pk]
    assert len(client.get(f"/api/v1/events/{visible.pk}").json()["sessions"]) == 1
    assert client.get(f"/api/v1/events/{hidden.pk}").status_code == 404
    assert client.get(f"/api/v1/events/{hidden.pk}/event.ics").status_code == 404
    assert client.post("/api/v1/events", PAYLOAD, content_type="application/json").status_code == 403
    assert client.put(f"/api/v1/events/{visible.pk}", PAYLOAD, content_type="application/json").status_code == 403
    session = visible.sessions.get()
    assert client.delete(f"/api/v1/events/{visible.pk}/sessions/{session.pk}").status_code == 403
    assert client.delete(f"/api/v1/events/{hidden.pk}/sessions/{session.pk}").status_code == 404


def test_ics_download(login, coordinator):
    event = EventFactory(status="announced", title_en="Webinar", title_fr="Webinaire")
    SessionFactory(event=event)
    response = login(coordinator).get(f"/api/v1/events/{event.pk}/event.ics", {"lang": "fr"})
    vevents = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert len(vevents) == 2 and str(vevents[0]["SUMMARY"]) == "Webinaire"
    assert vevents[0]["DTSTART"].params["TZID"] == "Europe/Brussels"


def test_read_only_tokens_cannot_write(client, assistant):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=assistant, user=assistant, name="ro", scopes=["read"], expires_in_days=30)
    response = client.post(
        "/api/v1/events", PAYLOAD, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403 and not Event.objects.exists()


def test_list_query_count(login, coordinator, django_assert_max_num_queries):
    client = login(coordinator)
    EventFactory.create_batch(2)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/v1/events")
    EventFactory.create_batch(15, starts_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                              ends_at=dt.datetime(2027, 1, 2, tzinfo=dt.UTC))  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/events").json()["count"] == 17

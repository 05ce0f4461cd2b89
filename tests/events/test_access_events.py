"""Events core pages and API × personas (like tests/test_access.py): the list, calendar, event page,
agenda PDF, .ics, forms and actions. The secretariat sees every event (the coordinator, the trainer
and the assistant manage them); an NCP sees the events their country is invited to; partners see the
events they are invited to or registered for; administrators without a secretariat role, donors and
accounts without a role see none. An event one may not see is a 404, never a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.events.factories import EventFactory, InvitationFactory, SessionFactory

pytestmark = pytest.mark.django_db

READERS = {"coordinator", "analyst", "trainer", "assistant", "ncp_fr", "ncp_ke", "partner_interpol"}
MANAGERS = {"coordinator", "trainer", "assistant"}
SEE_EVENT = {"coordinator", "analyst", "trainer", "assistant", "ncp_fr"}  # ncp_fr: their country is invited


@pytest.fixture
def event(db):
    event = EventFactory(status="nominations_open", title_en="Access matrix training")
    InvitationFactory(event=event, country="FR")
    return event


def _expect(name: str, persona: str, event, session) -> tuple[str, str, dict, int]:
    pk = event.pk
    rows = {
        "event-list": ("get", reverse("events:event-list"), 200 if persona in READERS else 403),
        "event-calendar": ("get", reverse("events:event-calendar"), 200 if persona in READERS else 403),
        "event-create": ("get", reverse("events:event-create"), 200 if persona in MANAGERS else 403),
        "event-detail": ("get", reverse("events:event-detail", args=[pk]), 200 if persona in SEE_EVENT else 404),
        "agenda-pdf": ("get", reverse("events:agenda-pdf", args=[pk]), 200 if persona in SEE_EVENT else 404),
        "event-ics": ("get", reverse("events:event-ics", args=[pk]), 200 if persona in SEE_EVENT else 404),
        "event-edit": ("get", reverse("events:event-edit", args=[pk]), 200 if persona in MANAGERS else 404),
        "session-create": ("get", reverse("events:session-create", args=[pk]), 200 if persona in MANAGERS else 404),
        "session-edit": (
            "get",
            reverse("events:session-edit", args=[pk, session.pk]),
            200 if persona in MANAGERS else 404,
        ),
        "session-people": ("get", reverse("events:session-people", args=[pk]), 200 if persona in MANAGERS else 404),
        "event-status": ("post", reverse("events:event-status", args=[pk]), 302 if persona in MANAGERS else 404),
        "session-delete": (
            "post",
            reverse("events:session-delete", args=[pk, session.pk]),
            302 if persona in MANAGERS else 404,
        ),
        "calendar-feed-regenerate": (
            "post",
            reverse("events:calendar-feed-regenerate"),
            200 if persona in READERS else 403,
        ),
        "api-list": ("get", "/api/v1/events", 200 if persona in READERS else 403),
        "api-detail": ("get", f"/api/v1/events/{pk}", 200 if persona in SEE_EVENT else 404),
        "api-sessions": ("get", f"/api/v1/events/{pk}/sessions", 200 if persona in SEE_EVENT else 404),
        "api-ics": ("get", f"/api/v1/events/{pk}/event.ics", 200 if persona in SEE_EVENT else 404),
    }
    method, url, status = rows[name]
    return method, url, {}, status


ROWS = [
    "event-list", "event-calendar", "event-create", "event-detail", "agenda-pdf", "event-ics", "event-edit",
    "session-create", "session-edit", "session-people", "event-status", "session-delete",
    "calendar-feed-regenerate", "api-list", "api-detail", "api-sessions", "api-ics",
]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_events_access_matrix(login, persona, request, event):
    session = SessionFactory(event=event)
    name_of = next(n for n in PERSONAS if request.getfixturevalue(n) == persona)
    client = login(persona)
    for row in ROWS:
        method, url, data, expected = _expect(row, name_of, event, session)
        response = client.post(url, data) if method == "post" else client.get(url)
        if row.startswith("api-") and name_of == "outsider":
            expected = 401  # no role, no API use: not even authenticated there
        assert response.status_code == expected, (row, name_of, response.status_code)


def test_anonymous_visitors_are_sent_to_login(client, event):
    SessionFactory(event=event)
    session = event.sessions.get()
    for url in (
        reverse("events:event-list"), reverse("events:event-calendar"), reverse("events:event-create"),
        reverse("events:event-detail", args=[event.pk]), reverse("events:agenda-pdf", args=[event.pk]),
        reverse("events:event-ics", args=[event.pk]), reverse("events:event-edit", args=[event.pk]),
        reverse("events:session-create", args=[event.pk]), reverse("events:session-people", args=[event.pk]),
        reverse("events:session-edit", args=[event.pk, session.pk]),
    ):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    for url in (
        reverse("events:event-status", args=[event.pk]), reverse("events:calendar-feed-regenerate"),
        reverse("events:session-delete", args=[event.pk, session.pk]),
    ):  # fmt: skip
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    # the feed is public by design: a made-up secret finds nothing
    assert client.get(reverse("events:calendar-feed", args=["does-not-exist"])).status_code == 404


def test_a_draft_is_the_secretariats_alone(login, ncp_fr, partner_interpol, coordinator):
    draft = EventFactory(status="draft", title_en="Zanzibar draft")
    InvitationFactory(event=draft, country="FR")
    for user in (ncp_fr, partner_interpol):
        client = login(user)
        assert client.get(reverse("events:event-detail", args=[draft.pk])).status_code == 404
        assert b"Zanzibar draft" not in client.get(reverse("events:event-list")).content
        assert client.get(f"/api/v1/events/{draft.pk}").status_code == 404
    assert login(coordinator).get(reverse("events:event-detail", args=[draft.pk])).status_code == 200

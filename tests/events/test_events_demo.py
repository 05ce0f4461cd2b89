"""The demo events: the keys other demo modules rely on, statuses, bilingual agendas with speakers."""

from __future__ import annotations

import pytest

from shieldhub.events.demo import load_events
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_load_events(ncp_fr, ncp_ke):
    users = {
        "assistant@demo.example": UserFactory(email="assistant@demo.example", roles=["assistant"]),
        "coordinator@demo.example": UserFactory(email="coordinator@demo.example", roles=["coordinator"]),
        "trainer@demo.example": UserFactory(email="trainer@demo.example", roles=["trainer"]),
    }
    PersonFactory(given_name="Ngozi", family_name="Okafor", country="NG")
    events = load_events(users)
    assert {"conference", "training", "webinar", "workshop_held"} <= set(events)
    assert events["conference"].status == "announced"
    assert events["training"].status == "nominations_open" and events["training"].title_fr
    assert events["webinar"].online_url and not events["webinar"].venue_name
    assert events["workshop_held"].status == "held"
    assert events["meeting_draft"].status == "draft"
    sessions = list(events["conference"].sessions.all())
    days = {s.starts_at.date() for s in sessions}
    assert len(days) == 2 and all(s.title_fr for s in sessions)
    assert any(s.speakers.exists() for s in sessions)

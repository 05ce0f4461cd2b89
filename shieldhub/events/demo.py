"""Demo data for events and operations, in order: events and agendas, invitations and nominations,
registrations and what follows them, operations (called by `core.demo_data`)."""

from __future__ import annotations

from typing import Any

from shieldhub.events import demo_invitations, demo_operations, demo_registrations


def load_events(users: dict[str, Any]) -> dict[str, Any]:
    """The demo events and their agendas, by a short key (e.g. "conference", "training")."""
    return {}


def load(users: dict[str, Any]) -> None:
    events = load_events(users)
    demo_invitations.load(users, events)
    demo_registrations.load(users, events)
    demo_operations.load(users, events)

"""Background and periodic work of events and operations (registered when the app is ready)."""

from __future__ import annotations

from shieldhub.events import tasks_invitations, tasks_operations, tasks_registrations  # noqa: F401

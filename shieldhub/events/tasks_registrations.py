"""Background and periodic tasks for registrations (imported by `events/tasks.py`)."""

from __future__ import annotations

"""Background and periodic tasks for invitations (imported by `events/tasks.py`)."""

from __future__ import annotations

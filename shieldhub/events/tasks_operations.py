"""Background and periodic tasks for operations (imported by `events/tasks.py`)."""

from __future__ import annotations

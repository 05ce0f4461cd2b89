"""Background and periodic tasks for osint (imported by `analysis/tasks.py`)."""

from __future__ import annotations

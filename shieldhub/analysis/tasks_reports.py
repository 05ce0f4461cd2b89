"""Background and periodic tasks for reports (imported by `analysis/tasks.py`)."""

from __future__ import annotations

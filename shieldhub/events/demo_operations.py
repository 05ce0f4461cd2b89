"""Demo data for operations (called by `events/demo.py`)."""

from __future__ import annotations

from typing import Any


def load(users: dict[str, Any], events: dict[str, Any]) -> None:
    return None

"""Background and periodic work of events and operations (registered when the app is ready)."""

from __future__ import annotations

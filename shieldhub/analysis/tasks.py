"""Background and periodic work of analysis (registered when the app is ready)."""

from __future__ import annotations

from shieldhub.analysis import tasks_osint, tasks_reports, tasks_summaries  # noqa: F401

"""Demo data for analysis: open-source items, the results framework with values, a donor report
(called by `core.demo_data` after the events)."""

from __future__ import annotations

from typing import Any


def load(users: dict[str, Any]) -> None:
    from shieldhub.analysis import demo_osint, demo_reports

    demo_reports.load(users)
    demo_osint.load(users)

"""Seizure figures for indicators and donor reports over a period, as aggregates only, built on the
seizures app's public aggregates (`seizures.analytics`: every submitted or validated record), with
small cells always suppressed (a donor report leaves the secretariat, whoever generates it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shieldhub.seizures import analytics as seizure_analytics
from shieldhub.seizures.selectors import StatRow as Cell  # a figure and its kilograms, None when hidden
from shieldhub.seizures.selectors import min_cell, suppress_small_cells


def seizures_submitted(*, start: dt.date, end: dt.date) -> int:
    """Records submitted through the Hub between `start` and `end` (still submitted or validated)."""
    qs = seizure_analytics.counted(seizure_analytics.Filters())
    return qs.filter(submitted_at__date__gte=start, submitted_at__date__lte=end).count()


@dataclass
class PeriodStatistics:
    total: int
    total_kg: Decimal | None
    countries: int
    threshold: int
    by_month: list[Cell] = field(default_factory=list)
    by_precursor: list[Cell] = field(default_factory=list)
    by_region: list[Cell] = field(default_factory=list)


def _kg(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _cells(rows: list[dict[str, Any]]) -> list[Cell]:
    return [Cell(str(r["key"]), str(r["label"]), r["n"], _kg(r["kg"])) for r in rows]


def seizure_statistics(*, user: Any, start: dt.date, end: dt.date, suppress: bool = True) -> PeriodStatistics:
    """Seizures that occurred between `start` and `end`: total, kilograms, reporting countries, by
    month (every month of the period), by precursor and by WCO region; cells under
    `SEIZURE_STATS_MIN_CELL` hidden when `suppress`."""
    filters = seizure_analytics.Filters(date_from=start, date_to=end)
    threshold = min_cell()
    totals = seizure_analytics.totals(user=user, filters=filters)
    countries = seizure_analytics.by_country(user=user, filters=filters)
    stats = PeriodStatistics(
        total=totals["n"] or 0, total_kg=_kg(totals["kg"]), countries=len(countries), threshold=threshold
    )
    found = {r["month"][:7]: r for r in seizure_analytics.by_month(user=user, filters=filters)}
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        key = f"{month.year}-{month.month:02d}"
        row = found.get(key)
        stats.by_month.append(Cell(key, key, row["n"] if row else 0, _kg(row["kg"]) if row else None))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    stats.by_precursor = sorted(
        _cells(seizure_analytics.by_precursor(user=user, filters=filters)), key=lambda c: (-(c.count or 0), c.label)
    )
    stats.by_region = sorted(
        _cells(seizure_analytics.by_region(user=user, filters=filters)), key=lambda c: (-(c.count or 0), c.label)
    )
    if suppress:
        if stats.total < threshold:
            stats.total, stats.total_kg = 0, None
        # months are a time series of the whole programme: a zero is no disclosure; hide 1..threshold-1
        for cell in stats.by_month:
            if cell.count and cell.count < threshold:
                cell.count, cell.kg = None, None
        suppress_small_cells(stats.by_precursor, threshold)
        suppress_small_cells(stats.by_region, threshold)
    return stats

"""Seizure figures for indicators and donor reports, over a period (dates of submission or of the
seizure), as aggregates only, with small-cell suppression for documents that leave the secretariat.

The seizures app's statistics (`seizures.selectors.incident_statistics`) count by calendar year
for a reader; a donor report needs any period and always suppresses small cells, so these few
aggregates are computed here over the records the statistics count (`COUNTED_STATUSES`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from shieldhub.seizures.choices import COUNTED_STATUSES
from shieldhub.seizures.models import GoodsLine, Incident
from shieldhub.seizures.selectors import min_cell


def seizures_submitted(*, start: dt.date, end: dt.date) -> int:
    """Records submitted through the Hub between `start` and `end` (still submitted or validated)."""
    return Incident.objects.filter(
        status__in=COUNTED_STATUSES, submitted_at__date__gte=start, submitted_at__date__lte=end
    ).count()


@dataclass
class Cell:
    key: str
    label: str
    count: int | None  # None: fewer records than the threshold
    kg: Decimal | None


@dataclass
class PeriodStatistics:
    total: int
    total_kg: Decimal | None
    countries: int
    threshold: int
    by_month: list[Cell] = field(default_factory=list)
    by_precursor: list[Cell] = field(default_factory=list)
    by_region: list[Cell] = field(default_factory=list)


def _suppress(rows: list[Cell], threshold: int) -> list[Cell]:
    small = [r for r in rows if r.count is not None and r.count < threshold]
    for r in small:
        r.count, r.kg = None, None
    if len(small) == 1:  # one hidden cell could be found by subtraction: hide the next smallest too
        shown = sorted((r for r in rows if r.count is not None), key=lambda r: r.count or 0)
        if shown:
            shown[0].count, shown[0].kg = None, None
    return rows


def seizure_statistics(*, start: dt.date, end: dt.date, suppress: bool = True) -> PeriodStatistics:
    """Seizures that occurred between `start` and `end`: total, kilograms, reporting countries,
    by month, by precursor and by WCO region; cells under `SEIZURE_STATS_MIN_CELL` hidden."""
    from shieldhub.reference.models import CatalogueItem, Country, WcoRegion

    threshold = min_cell() if suppress else 0
    qs = Incident.objects.filter(status__in=COUNTED_STATUSES, occurred_on__gte=start, occurred_on__lte=end)
    totals = qs.aggregate(n=Count("pk"), kg=Sum("total_kg"))
    by_country = list(qs.order_by().values("reporting_country").annotate(n=Count("pk"), kg=Sum("total_kg")))
    stats = PeriodStatistics(
        total=totals["n"] or 0, total_kg=totals["kg"], countries=len(by_country), threshold=min_cell()
    )
    months = (
        qs.annotate(y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"))
        .order_by()
        .values("y", "m")
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
    )
    found = {f"{r['y']}-{r['m']:02d}": (r["n"], r["kg"]) for r in months}
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        key = f"{month.year}-{month.month:02d}"
        n, kg = found.get(key, (0, None))
        stats.by_month.append(Cell(key, key, n, kg))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    lines = (
        GoodsLine.objects.filter(incident__in=qs, catalogue_item__isnull=False)
        .order_by()
        .values("catalogue_item")
        .annotate(n=Count("incident", distinct=True), kg=Sum("quantity_kg"))
    )
    items = {c.pk: c for c in CatalogueItem.objects.all()}
    stats.by_precursor = sorted(
        (
            Cell(items[r["catalogue_item"]].code, str(items[r["catalogue_item"]].name), r["n"], r["kg"])
            for r in lines
            if r["catalogue_item"] in items
        ),
        key=lambda c: (-(c.count or 0), c.label),
    )
    region_of = dict(Country.objects.filter(wco_region__isnull=False).values_list("code", "wco_region_id"))
    region_names = {r.code: str(r.name) for r in WcoRegion.objects.all()}
    regions: dict[str, list[Any]] = {}
    for r in by_country:
        entry = regions.setdefault(region_of.get(str(r["reporting_country"]), ""), [0, None])
        entry[0] += r["n"]
        if r["kg"] is not None:
            entry[1] = (entry[1] or Decimal(0)) + r["kg"]
    stats.by_region = sorted(
        (Cell(code, region_names.get(code, "—"), n, kg) for code, (n, kg) in regions.items()),
        key=lambda c: (-(c.count or 0), c.label),
    )
    if suppress:
        if stats.total < threshold:
            stats.total, stats.total_kg = 0, None
        # months are a time series: a zero month is no disclosure; hide only 1..threshold-1
        for cell in stats.by_month:
            if cell.count and cell.count < threshold:
                cell.count, cell.kg = None, None
        _suppress(stats.by_precursor, threshold)
        _suppress(stats.by_region, threshold)
    return stats

"""Aggregates over seizure records for the analysis dashboards and country profiles.

Access rule (ARCHITECTURE, analysis):
- Aggregates (counts, kilograms) count every submitted or validated record, for every holder of
  `analysis.view`. Outside the secretariat (`seizures.view_all`) a cell of fewer than
  `SEIZURE_STATS_MIN_CELL` records is suppressed with `selectors.suppress_small_cells` — the rule
  of the seizures statistics page — so that no single record can be singled out.
- Record detail (`detail_rows`) is only what the reader may see: every counted record for
  `analysis.all`; otherwise the records of one's own country that `incident_list` gives.

Everything is computed in the database (`values().annotate()` grouped by the covering indexes'
columns, `TruncMonth`); Python only labels the grouped rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import get_language
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, has_perm, require, user_country
from shieldhub.seizures import summaries
from shieldhub.seizures.choices import COUNTED_STATUSES, Conveyance, DetectionMethod, IncidentType
from shieldhub.seizures.models import GoodsLine, Incident
from shieldhub.seizures.selectors import StatRow, incident_list, min_cell, suppress_small_cells


@dataclass
class Filters:
    """The dashboards' filters (all optional): the period of the incident date, a catalogue item
    (pk), a WCO region (code), a reporting country (ISO2), an incident type, an operation (pk)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    precursor: int | None = None
    region: str = ""
    country: str = ""
    incident_type: str = ""
    operation: int | None = None
    region_countries: list[str] = field(default_factory=list)
    # what the dashboards' charts plot: "n" (records) or "kg" — a display choice, not a filter
    measure: str = "n"

    def key(self) -> tuple[Any, ...]:
        return (self.date_from, self.date_to, self.precursor, self.region, self.country, self.incident_type,
                self.operation)  # fmt: skip

    @classmethod
    def over(cls, date_from: dt.date | None, date_to: dt.date | None, base: Filters | None = None) -> Filters:
        """`base`'s filters (none if None) over another period: a summary facet's days."""
        return dataclasses.replace(base or cls(), date_from=date_from, date_to=date_to)


def suppressed_for(user: Any, filters: Filters | None = None) -> bool:
    """Small cells are hidden from everyone outside the secretariat — except from an NCP looking at
    their own country alone (every record counted there is one they may open anyway)."""
    if has_perm(user, Perm.SEIZURE_VIEW_ALL):
        return False
    own = user_country(user)
    return not (filters and own and filters.country == own and has_perm(user, Perm.SEIZURE_REPORT))


def counted_q(filters: Filters, prefix: str = "") -> Q:
    """The filters as a condition on the record (`prefix` "incident__" from a related table)."""
    q = Q(**{f"{prefix}status__in": COUNTED_STATUSES})
    if filters.date_from:
        q &= Q(**{f"{prefix}occurred_on__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{prefix}occurred_on__lte": filters.date_to})
    if filters.country:
        q &= Q(**{f"{prefix}reporting_country": filters.country})
    elif filters.region:
        q &= Q(**{f"{prefix}reporting_country__in": filters.region_countries})
    if filters.incident_type:
        q &= Q(**{f"{prefix}incident_type": filters.incident_type})
    if filters.operation:
        q &= Q(**{f"{prefix}operation_id": filters.operation})
    if filters.precursor:
        with_item = GoodsLine.objects.filter(catalogue_item_id=filters.precursor).values("incident_id")
        q &= Q(**{f"{prefix}pk__in": with_item})
    return q


def counted(filters: Filters) -> QuerySet[Incident]:
    """Every submitted or validated record that the filters select (aggregates only)."""
    return Incident.objects.filter(counted_q(filters)).order_by()


def _rows(raw: list[dict[str, Any]], key: str, labels: dict[Any, str], suppress: bool) -> list[dict[str, Any]]:
    stats = [StatRow(str(r[key] or ""), labels.get(r[key], str(r[key] or "—")), r["n"], r["kg"]) for r in raw]
    if suppress:
        suppress_small_cells(stats, min_cell())
    return [{"key": s.key, "label": s.label, "n": s.count, "kg": _kg(s.kg)} for s in stats]


def _kg(value: Decimal | None) -> float | None:
    return round(float(value), 1) if value is not None else None


# --- shared grids: one query each per request, rolled up in Python over the grouped rows ------------

_memo: ContextVar[dict[Any, Any] | None] = ContextVar("analytics_memo", default=None)


@contextmanager
def shared_queries() -> Iterator[None]:
    """Within the block, the grouped queries below run once per set of filters and are shared by
    every panel (a dashboard needs ~15 figures from 4 grouped queries)."""
    if _memo.get() is not None:  # nested: share the outer block's queries
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: Any, compute: Callable[[], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def country_name(code: Any) -> str:
    """A country's name in the active language (memoised for the request: 10,000 route pairs)."""
    names: dict[str, str] = once(("country_names", get_language()), dict)
    code = str(code)
    if code not in names:
        names[code] = str(country_registry.name(code))
    return names[code]


def _month(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def month_country(filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per (month, reporting country): a few thousand grouped rows at most, from
    the monthly summary where it can answer (`seizures.summaries`)."""

    def compute() -> list[dict[str, Any]]:
        rows = summaries.grouped("country", ("month", "k1"), filters)
        return [{"month": _month(r["month"]), "k": r["k1"], "n": r["n"], "kg": r["kg"]} for r in rows]

    return once(("month_country", filters.key()), compute)  # type: ignore[no-any-return]


def month_region(filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per (month, WCO region of the reporting country): the `region` facet, or the
    countries' months summed into regions under a precursor filter (the per-item facets)."""
    if filters.precursor:
        return _to_regions(month_country(filters), key="k", extra=("month",))
    rows = summaries.grouped("region", ("month", "k1"), filters)
    return [{"month": _month(r["month"]), "k": r["k1"], "n": r["n"], "kg": r["kg"]} for r in rows]


def per_country(filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per reporting country (the largest first): the totals, the map, the country
    and region panels and the country index, without the months."""

    def compute() -> list[dict[str, Any]]:
        rows = summaries.grouped("country", ("k1",), filters)
        return sorted(({"k": r["k1"], "n": r["n"], "kg": r["kg"]} for r in rows), key=lambda r: (-r["n"], r["k"]))

    return once(("per_country", filters.key()), compute)  # type: ignore[no-any-return]


def month_item(filters: Filters) -> list[dict[str, Any]]:
    """Records (distinct) and kg of the item per (month, catalogue item). A record has one month,
    so summing a row's records over months still counts each record once per item."""

    def compute() -> list[dict[str, Any]]:
        rows = summaries.grouped("item", ("month", "k1"), filters)
        return [{"month": _month(r["month"]), "k": int(r["k1"]), "n": r["n"], "kg": r["kg"]} for r in rows]

    return once(("month_item", filters.key()), compute)  # type: ignore[no-any-return]


def field_grid(filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per (incident type, detection method, conveyance): a few hundred rows."""

    def compute() -> list[dict[str, Any]]:
        rows = summaries.grouped("fields", ("incident_type", "k1", "k2"), filters)
        return [{"incident_type": r["incident_type"], "detection_method": r["k1"], "conveyance": r["k2"],
                 "n": r["n"], "kg": r["kg"]} for r in rows]  # fmt: skip

    return once(("fields", filters.key()), compute)  # type: ignore[no-any-return]


def roll_up(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Grouped rows summed over the other keys (n and kg), the largest first."""
    merged: dict[Any, dict[str, Any]] = {}
    single = keys[0] if len(keys) == 1 else None
    for r in rows:
        ident = r[single] if single is not None else tuple(r[k] for k in keys)
        entry = merged.get(ident)
        if entry is None:
            entry = merged[ident] = {**{k: r[k] for k in keys}, "n": 0, "kg": None}
        entry["n"] += r["n"]
        kg = r["kg"]
        if kg is not None:
            entry["kg"] = kg if entry["kg"] is None else entry["kg"] + kg
    return sorted(merged.values(), key=lambda e: -e["n"])


def totals(*, user: Any, filters: Filters) -> dict[str, Any]:
    require(user, Perm.ANALYSIS_VIEW)
    grid = per_country(filters)
    n = sum(r["n"] for r in grid)
    kgs = [r["kg"] for r in grid if r["kg"] is not None]
    if suppressed_for(user, filters) and 0 < n < min_cell():
        return {"n": None, "kg": None}
    return {"n": n, "kg": _kg(sum(kgs, Decimal(0))) if kgs else None}


def by_month(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per month of the incident date."""
    require(user, Perm.ANALYSIS_VIEW)
    months = summaries.grouped("country", ("month",), filters)
    raw = sorted(({"month": _month(r["month"]), "n": r["n"], "kg": r["kg"]} for r in months), key=lambda r: r["month"])
    rows = _rows(raw, "month", {r["month"]: r["month"].strftime("%Y-%m") for r in raw}, suppressed_for(user, filters))
    for row, r in zip(rows, raw, strict=True):
        row["month"] = r["month"].strftime("%Y-%m-01")
    return rows


def by_month_and(*, user: Any, filters: Filters, dimension: str, top: int = 6) -> list[dict[str, Any]]:
    """Records per month for the `top` countries, regions or precursors (series of a line chart)."""
    require(user, Perm.ANALYSIS_VIEW)
    labels: dict[Any, str]
    if dimension == "precursor":
        raw = month_item(filters)
        labels = _catalogue_labels()
    elif dimension == "region":
        raw = month_region(filters)
        labels = _region_labels()
    else:  # the largest countries' months only
        largest = [r["k"] for r in per_country(filters)[:top]]
        months = summaries.grouped("country", ("month", "k1"), filters, countries=largest)
        raw = [{"month": _month(r["month"]), "k": r["k1"], "n": r["n"], "kg": r["kg"]} for r in months]
        labels = {k: country_name(k) for k in largest}
    totals_by_key: dict[Any, int] = defaultdict(int)
    for r in raw:
        totals_by_key[r["k"]] += r["n"]
    keep = {k for k, _n in sorted(totals_by_key.items(), key=lambda kv: -kv[1])[:top]}
    per_month: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in raw:
        if r["k"] in keep:
            per_month[r["month"]].append(r)
    suppress = suppressed_for(user, filters)
    out: list[dict[str, Any]] = []
    for month in sorted(per_month):
        for row in _rows(per_month[month], "k", labels, suppress):
            out.append({"month": month.strftime("%Y-%m-01"), "series": row["label"], **row})
    return out


def _catalogue_labels() -> dict[Any, str]:
    from shieldhub.reference.models import CatalogueItem

    return once(("catalogue", get_language()), lambda: {c.pk: c.name for c in CatalogueItem.objects.all()})  # type: ignore[no-any-return]


def _region_labels() -> dict[Any, str]:
    from shieldhub.reference.models import WcoRegion

    return once(("regions", get_language()), lambda: {r.pk: str(r.name) for r in WcoRegion.objects.all()})  # type: ignore[no-any-return]


def _region_of() -> dict[str, str]:
    from shieldhub.reference.models import Country

    return once(  # type: ignore[no-any-return]
        "region_of",
        lambda: dict(Country.objects.filter(wco_region__isnull=False).values_list("code", "wco_region_id")),
    )


def _to_regions(raw: list[dict[str, Any]], *, key: str, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Country rows summed into WCO-region rows (the few hundred grouped rows, not records)."""
    region_of = _region_of()
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in raw:
        region = region_of.get(r[key], "")
        ident = (region, *[r[e] for e in extra]) if extra else (region,)
        entry = merged.get(ident)
        if entry is None:
            entry = merged[ident] = {key: region, **{e: r[e] for e in extra}, "n": 0, "kg": None}
        entry["n"] += r["n"]
        kg = r["kg"]
        if kg is not None:
            entry["kg"] = kg if entry["kg"] is None else entry["kg"] + kg
    return sorted(merged.values(), key=lambda e: -e["n"])


def by_country(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Records and kg per reporting country, with the ISO numeric code for the map."""
    from shieldhub.reference.models import Country

    require(user, Perm.ANALYSIS_VIEW)
    raw = per_country(filters)
    labels = {r["k"]: country_name(r["k"]) for r in raw}
    rows = _rows(raw, "k", labels, suppressed_for(user, filters))
    numeric = dict(Country.objects.filter(code__in=[r["key"] for r in rows]).values_list("code", "numeric"))
    for row in rows:
        row["id"] = f"{numeric[row['key']]:03d}" if numeric.get(row["key"]) else ""
    return rows


def by_region(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    require(user, Perm.ANALYSIS_VIEW)
    by_item = filters.precursor  # the per-item facets have the countries, not the regions
    raw = _to_regions(per_country(filters), key="k") if by_item else roll_up(month_region(filters), "k")
    return _rows(raw, "k", _region_labels(), suppressed_for(user, filters))


def by_precursor(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Records (distinct) and kg of the item per catalogue item."""
    require(user, Perm.ANALYSIS_VIEW)
    raw = roll_up(month_item(filters), "k")
    return _rows(raw, "k", _catalogue_labels(), suppressed_for(user, filters))


def by_field(*, user: Any, filters: Filters, name: str) -> list[dict[str, Any]]:
    """Records and kg per detection method, conveyance or incident type."""
    require(user, Perm.ANALYSIS_VIEW)
    labels: dict[Any, Any] = {
        "detection_method": dict(DetectionMethod.choices),
        "conveyance": dict(Conveyance.choices),
        "incident_type": dict(IncidentType.choices),
    }[name]
    raw = roll_up(field_grid(filters), name)
    return _rows(raw, name, {k: str(v) for k, v in labels.items()}, suppressed_for(user, filters))


def concealment(*, user: Any, filters: Filters, top: int = 12) -> list[dict[str, Any]]:
    """The most frequent concealment methods (free text, grouped as written). Outside the
    secretariat, a method written in fewer than the threshold's records is not shown at all —
    its wording could identify the record — and counts only in "other"."""
    require(user, Perm.ANALYSIS_VIEW)
    grouped = summaries.grouped("concealment", ("k1",), filters)
    raw = sorted(
        ({"concealment": r["k1"], "n": r["n"], "kg": r["kg"]} for r in grouped),
        key=lambda r: (-r["n"], r["concealment"]),
    )
    if suppressed_for(user, filters):
        raw = [r for r in raw if r["n"] >= min_cell()]
    return [{"key": r["concealment"], "label": r["concealment"], "n": r["n"], "kg": _kg(r["kg"])} for r in raw[:top]]


def routes(*, user: Any, filters: Filters, top: int = 20) -> list[dict[str, Any]]:
    """Origin → destination flows: the departure and the destination country of each record's
    route (records without both are left out), the most frequent first."""
    require(user, Perm.ANALYSIS_VIEW)
    raw = sorted(
        (
            {"country": r["k1"], "dest": r["k2"], "n": r["n"]}
            for r in summaries.grouped("route", ("k1", "k2"), filters, largest=top * 2)
        ),
        key=lambda r: (-r["n"], r["country"], r["dest"]),
    )
    stats = [
        StatRow(f"{r['country']}>{r['dest']}", "", r["n"], None)
        for r in raw
    ]  # fmt: skip
    if suppressed_for(user, filters):
        suppress_small_cells(stats, min_cell())
        stats = [s for s in stats if s.count is not None]
    out = []
    for s in stats[:top]:
        origin, dest = s.key.split(">")
        label = f"{country_name(origin)} → {country_name(dest)}"
        out.append({"key": s.key, "label": label, "origin": origin, "destination": dest, "n": s.count})
    return out


# --- rising signal -----------------------------------------------------------------------------

RISING_RECENT_MONTHS = 3
RISING_BASELINE_MONTHS = 12
RISING_Z = 3.0
RISING_MIN_COUNT = 5
RISING_MIN_RATE = 0.25  # records a month: the baseline's floor, so a first record is not a "rise"


def month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def rising_signals(
    counts: dict[str, dict[dt.date, int]], *, last_month: dt.date, labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Which series rise well above their usual level.

    For each key, C = the records of the last `RISING_RECENT_MONTHS` months (ending with
    `last_month`), λ = the mean monthly count over the `RISING_BASELINE_MONTHS` months before them
    (at least `RISING_MIN_RATE`). Under a Poisson model the recent count's expectation is 3λ and
    z = (C − 3λ) / √(3λ). A key is flagged when z ≥ `RISING_Z` and C ≥ `RISING_MIN_COUNT`."""
    recent = [month_add(last_month, -i) for i in range(RISING_RECENT_MONTHS)]
    baseline = [month_add(last_month, -RISING_RECENT_MONTHS - i) for i in range(RISING_BASELINE_MONTHS)]
    out: list[dict[str, Any]] = []
    for key, series in counts.items():
        c = sum(series.get(m, 0) for m in recent)
        rate = max(sum(series.get(m, 0) for m in baseline) / RISING_BASELINE_MONTHS, RISING_MIN_RATE)
        expected = RISING_RECENT_MONTHS * rate
        z = (c - expected) / math.sqrt(expected)
        if z >= RISING_Z and c >= RISING_MIN_COUNT:
            label = (labels or {}).get(key, key)
            out.append({"key": key, "label": label, "recent": c, "expected": round(expected, 1), "z": round(z, 1)})
    out.sort(key=lambda r: -r["z"])
    return out


def rising(*, user: Any, filters: Filters, dimension: str, today: dt.date | None = None) -> list[dict[str, Any]]:
    """`rising_signals` per reporting country or per precursor over the 15 months ending with the
    last complete month (the filters' period is not applied: the method fixes its own window)."""
    require(user, Perm.ANALYSIS_VIEW)
    today = today or dt.date.today()
    last_month = month_add(today.replace(day=1), -1)
    start = month_add(last_month, -(RISING_RECENT_MONTHS + RISING_BASELINE_MONTHS - 1))
    window = Filters(**{**filters.__dict__, "date_from": start, "date_to": month_add(last_month, 1) - dt.timedelta(1)})
    raw = month_item(window) if dimension == "precursor" else month_country(window)
    labels: dict[str, str] = {}
    if dimension == "precursor":
        labels = {str(k): v for k, v in _catalogue_labels().items()}
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for r in raw:
        if start <= r["month"] <= last_month:
            counts[str(r["k"])][r["month"]] = r["n"]
    if dimension != "precursor":
        labels = {k: country_name(k) for k in counts}
    return rising_signals(counts, last_month=last_month, labels=labels)


# --- record detail (the reader's own visible records only) ----------------------------------------


def detail_countries(user: Any) -> list[str] | None:
    """The reporting countries whose records' detail the reader may list: None for all
    (`analysis.all`), else one's own country (NCPs), else none."""
    if has_perm(user, Perm.ANALYSIS_ALL):
        return None
    country = user_country(user)
    return [country] if country else []


def detail_rows(*, user: Any, filters: Filters, limit: int = 200) -> list[dict[str, Any]]:
    """The records behind the charts that the reader may see in detail (newest first, at most
    `limit`): through `incident_list`, then limited to one's own country outside `analysis.all`."""
    require(user, Perm.ANALYSIS_VIEW)
    allowed = detail_countries(user)
    if allowed == []:
        return []
    qs = incident_list(user=user).filter(status__in=COUNTED_STATUSES) & counted(filters)
    if allowed is not None:
        qs = qs.filter(reporting_country__in=allowed)
    types = dict(IncidentType.choices)
    detections = dict(DetectionMethod.choices)
    conveyances = dict(Conveyance.choices)
    rows = qs.order_by("-occurred_on", "-id").values(
        "pk", "occurred_on", "reporting_country", "incident_type", "detection_method", "conveyance", "total_kg"
    )[:limit]
    return [
        {
            "pk": r["pk"],
            "reference": f"SZ-{r['pk']:06d}",
            "date": r["occurred_on"].isoformat(),
            "country": str(r["reporting_country"]),
            "country_name": country_name(r["reporting_country"]),
            "type": str(types.get(r["incident_type"], r["incident_type"])),
            "detection": str(detections.get(r["detection_method"], r["detection_method"])),
            "conveyance": str(conveyances.get(r["conveyance"], r["conveyance"])),
            "kg": _kg(r["total_kg"]),
        }
        for r in rows
    ]


def quality(*, user: Any, country: str) -> dict[str, Any]:
    """A country's data quality: mean score and records (submitted or validated) — an aggregate,
    under the small-cell rule outside the secretariat and the country's own NCPs."""
    require(user, Perm.ANALYSIS_VIEW)
    agg = Incident.objects.filter(status__in=COUNTED_STATUSES, reporting_country=country).aggregate(
        n=Count("pk"), avg=Avg("data_quality"), complete=Count("pk", filter=Q(data_quality__gte=80))
    )
    out: dict[str, Any] = {"n": agg["n"] or 0, "average": round(agg["avg"]) if agg["avg"] is not None else None,
           "complete": agg["complete"] or 0}  # fmt: skip
    if suppressed_for(user, Filters(country=country)):
        # the same small-cell rule as the counts: a mean over one or two records is their own score
        floor = min_cell()
        if 0 < out["n"] < floor:
            out = {"n": None, "average": None, "complete": None}
        elif 0 < out["complete"] < floor:
            out["complete"] = None
    return out

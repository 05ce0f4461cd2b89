"""Aggregates over licit shipments (pre-export notifications) for the analysis dashboards and the
country profiles: volumes by precursor and route, verification response rates and delays.

Access rule: aggregates count every notified shipment (not drafts) for every holder of
`analysis.view`; outside the secretariat (`shipments.view_all`) a cell of fewer than
`SEIZURE_STATS_MIN_CELL` shipments is suppressed with the seizures statistics' rule. No company,
reference or end use is ever returned here. All grouping runs in the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from shieldhub.core.access import Perm, has_perm, require, user_country
from shieldhub.seizures.analytics import Filters, country_name
from shieldhub.seizures.selectors import StatRow, min_cell, suppress_small_cells
from shieldhub.shipments.choices import ShipmentStatus, VerificationStatus
from shieldhub.shipments.models import Shipment, ShipmentLine, ShipmentVerification
from shieldhub.shipments.summaries import TABLE, country_q, grouped


def suppressed_for(user: Any, filters: Filters | None = None) -> bool:
    """Outside the secretariat small cells are hidden, except from an NCP looking at their own
    country alone (they may open every shipment their country exports or imports)."""
    if has_perm(user, Perm.SHIPMENT_VIEW_ALL):
        return False
    own = user_country(user)
    return not (filters and own and filters.country == own and has_perm(user, Perm.SHIPMENT_USE))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def notified_q(filters: Filters, prefix: str = "") -> Q:
    """The filters as a condition on the shipment (`prefix` "shipment__" from a related table):
    past its draft, notified in the period (bounds as instants, so the notification-time index
    serves them), a country or a region (exporting or importing), a catalogue item."""
    q = ~Q(**{f"{prefix}status": ShipmentStatus.DRAFT}) & Q(**{f"{prefix}notified_at__isnull": False})
    if filters.date_from:
        q &= Q(**{f"{prefix}notified_at__gte": _day_start(filters.date_from)})
    if filters.date_to:
        q &= Q(**{f"{prefix}notified_at__lt": _day_start(filters.date_to + dt.timedelta(days=1))})
    if filters.country:
        q &= Q(**{f"{prefix}exporting_country": filters.country}) | Q(**{f"{prefix}importing_country": filters.country})
    elif filters.region:
        codes = filters.region_countries
        q &= Q(**{f"{prefix}exporting_country__in": codes}) | Q(**{f"{prefix}importing_country__in": codes})
    if filters.precursor:
        with_item = ShipmentLine.objects.filter(catalogue_item_id=filters.precursor).values("shipment_id")
        q &= Q(**{f"{prefix}pk__in": with_item})
    return q


def notified(filters: Filters) -> QuerySet[Shipment]:
    """Every shipment past its draft that the filters select."""
    return Shipment.objects.filter(notified_q(filters)).order_by()


def _kg(value: Any) -> float | None:
    return round(float(value), 1) if value is not None else None


def _rows(stats: list[StatRow], suppress: bool) -> list[dict[str, Any]]:
    if suppress:
        suppress_small_cells(stats, min_cell())
    return [{"key": s.key, "label": s.label, "n": s.count, "kg": _kg(s.kg) if s.count is not None else None}
            for s in stats]  # fmt: skip


def _sums(facet: str, group: tuple[str, ...], filters: Filters) -> list[dict[str, Any]]:
    """The month facet without a country filter, else the route facet (which has the countries);
    under a precursor filter, the item facet (`summaries.grouped`)."""
    if facet == "month" and country_q(filters) is not None and not filters.precursor:
        facet = "route"
    return grouped(facet, group, filters)


def totals(*, user: Any, filters: Filters) -> dict[str, Any]:
    require(user, Perm.ANALYSIS_VIEW)
    rows = _sums("month", (), filters)
    n = sum(r["n"] or 0 for r in rows)
    kgs = [r["kg"] for r in rows if r["kg"] is not None]
    if suppressed_for(user, filters) and 0 < n < min_cell():
        return {"n": None, "kg": None}
    return {"n": n, "kg": _kg(sum(kgs)) if kgs else None}


def by_precursor(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Shipments (distinct) and kg per catalogue item."""
    from shieldhub.reference.models import CatalogueItem

    require(user, Perm.ANALYSIS_VIEW)
    raw = sorted(grouped("item", ("k1",), filters), key=lambda r: (-(r["kg"] or 0), r["k1"]))
    names = {str(c.pk): c.name for c in CatalogueItem.objects.all()}
    stats = [StatRow(r["k1"], names.get(r["k1"], "—"), r["n"], r["kg"]) for r in raw]
    return _rows(stats, suppressed_for(user, filters))


def by_month(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    require(user, Perm.ANALYSIS_VIEW)
    raw = sorted(_sums("month", ("month",), filters), key=lambda r: r["month"])
    stats = [StatRow(r["month"].strftime("%Y-%m-01"), r["month"].strftime("%Y-%m"), r["n"], r["kg"]) for r in raw]
    rows = _rows(stats, suppressed_for(user, filters))
    for row in rows:
        row["month"] = row["key"]
    return rows


def by_route(*, user: Any, filters: Filters, top: int = 20) -> list[dict[str, Any]]:
    """Exporting → importing country pairs: shipments and kg, the heaviest first."""
    require(user, Perm.ANALYSIS_VIEW)
    raw = sorted(grouped("route", ("k1", "k2"), filters, largest=top * 2), key=lambda r: (-r["n"], r["k1"], r["k2"]))
    stats = [StatRow(f"{r['k1']}>{r['k2']}", "", r["n"], r["kg"]) for r in raw]
    rows = [r for r in _rows(stats, suppressed_for(user, filters)) if r["n"] is not None]
    rows = rows[:top]
    for row in rows:
        row["origin"], row["destination"] = row["key"].split(">")
        row["label"] = f"{country_name(row['origin'])} → {country_name(row['destination'])}"
    return rows


def verification_by_country(*, user: Any, filters: Filters, importing_country: str = "") -> list[dict[str, Any]]:
    """Per importing country: verification requests, answered, answered by the deadline, the
    response rate (%) and the mean delay in days between the request and the answer."""
    require(user, Perm.ANALYSIS_VIEW)
    where = Q(k1=importing_country) if importing_country else None
    raw = [
        r for r in grouped("verif", ("k1",), filters, where=where) if not importing_country or r["k1"] == importing_country
    ]  # fmt: skip
    raw.sort(key=lambda r: (-r["n"], r["k1"]))
    suppress = suppressed_for(user, Filters(country=importing_country) if importing_country else filters)
    threshold = min_cell()
    out = []
    for r in raw:
        if suppress and r["n"] < threshold:
            continue  # too few requests to show a country's behaviour
        answered = r["answered"] or 0
        delay_days = r["delay_seconds"] / answered / 86400 if answered and r["delay_seconds"] is not None else None
        out.append(
            {
                "key": r["k1"],
                "label": country_name(r["k1"]),
                "n": r["n"],
                "answered": answered,
                "on_time": r["on_time"] or 0,
                "overdue": r["overdue"] or 0,
                "rate": round(100 * answered / r["n"]) if r["n"] else None,
                "on_time_rate": round(100 * (r["on_time"] or 0) / r["n"]) if r["n"] else None,
                "delay_days": round(delay_days, 1) if delay_days is not None else None,
            }
        )
    return out


def country_figures(*, user: Any, country: str) -> dict[str, Any]:
    """A country profile's shipment figures: notified as exporter and as importer (shipments, kg),
    and its verification behaviour as importer (aggregates only)."""
    require(user, Perm.ANALYSIS_VIEW)
    routes = TABLE.rows(
        "route", ("k1", "k2"), date_from=None, date_to=None, where=Q(k1=country) | Q(k2=country),
        filters=Filters(country=country),
    )  # fmt: skip

    def side(key: str) -> dict[str, Any]:
        mine = [r for r in routes if r[key] == country]
        kgs = [r["kg"] for r in mine if r["kg"] is not None]
        return {"n": sum(r["n"] for r in mine), "kg": sum(kgs, Decimal(0)) if kgs else None}

    exported, imported = side("k1"), side("k2")
    verification = verification_by_country(user=user, filters=Filters(), importing_country=country)
    mine = next((v for v in verification if v["key"] == country), None)
    small = suppressed_for(user, Filters(country=country))

    def figure(agg: dict[str, Any]) -> dict[str, Any]:
        n = agg["n"] or 0
        if small and 0 < n < min_cell():
            return {"n": None, "kg": None}
        return {"n": n, "kg": _kg(agg["kg"])}

    return {
        "exported": figure(exported),
        "imported": figure(imported),
        "verification": mine,
    }


def verifications_on_time(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Licit-shipment verification requests whose deadline fell between `start` and `end`
    (inclusive), withdrawn ones left out: how many were due, how many were answered on or before
    the deadline (the day of the answer, local time, as `ShipmentVerification.answered_late`), and
    the share (%, None when none was due). A request still unanswered, or answered after its
    deadline, counts as due and not on time. Programme-wide counts for the indicators: no user, no
    record detail; the caller checks its own permission."""
    rows = ShipmentVerification.objects.exclude(status=VerificationStatus.WITHDRAWN).filter(
        deadline__gte=start, deadline__lte=end
    )
    on_time_q = Q(answered_at__isnull=False, answered_at__date__lte=F("deadline"))
    totals = rows.aggregate(due=Count("pk"), on_time=Count("pk", filter=on_time_q))
    due, on_time = totals["due"] or 0, totals["on_time"] or 0
    share = round(100.0 * on_time / due, 1) if due else None
    return {"due": due, "on_time": on_time, "share": share}

"""Aggregates over licit shipments (pre-export notifications) for the analysis dashboards and the
country profiles: volumes by precursor and route, verification response rates and delays.

Access rule: aggregates count every notified shipment (not drafts) for every holder of
`analysis.view`; outside the secretariat (`shipments.view_all`) a cell of fewer than
`SEIZURE_STATS_MIN_CELL` shipments is suppressed with the seizures statistics' rule. No company,
reference or end use is ever returned here. All grouping runs in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shieldhub.core.access import Perm, has_perm, require, user_country
from shieldhub.seizures.analytics import Filters, country_name
from shieldhub.seizures.selectors import StatRow, _suppress, min_cell
from shieldhub.shipments.choices import ShipmentStatus, VerificationStatus
from shieldhub.shipments.models import Shipment, ShipmentLine, ShipmentVerification


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
        _suppress(stats, min_cell())
    return [{"key": s.key, "label": s.label, "n": s.count, "kg": _kg(s.kg) if s.count is not None else None}
            for s in stats]  # fmt: skip


def totals(*, user: Any, filters: Filters) -> dict[str, Any]:
    require(user, Perm.ANALYSIS_VIEW)
    agg = notified(filters).aggregate(n=Count("pk"), kg=Sum("total_kg"))
    n = agg["n"] or 0
    if suppressed_for(user, filters) and 0 < n < min_cell():
        return {"n": None, "kg": None}
    return {"n": n, "kg": _kg(agg["kg"])}


def by_precursor(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Shipments (distinct) and kg per catalogue item."""
    from shieldhub.reference.models import CatalogueItem

    require(user, Perm.ANALYSIS_VIEW)
    raw = (
        ShipmentLine.objects.filter(notified_q(filters, "shipment__"), catalogue_item__isnull=False)
        .values("catalogue_item_id")
        .annotate(n=Count("shipment_id", distinct=True), kg=Sum("quantity_kg"))
        .order_by("-kg")
    )
    names = {c.pk: c.name for c in CatalogueItem.objects.all()}
    stats = [StatRow(str(r["catalogue_item_id"]), names.get(r["catalogue_item_id"], "—"), r["n"], r["kg"]) for r in raw]
    return _rows(stats, suppressed_for(user, filters))


def by_month(*, user: Any, filters: Filters) -> list[dict[str, Any]]:
    require(user, Perm.ANALYSIS_VIEW)
    raw = list(
        notified(filters)
        .annotate(month=TruncMonth("notified_at"))
        .values("month")
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by("month")
    )
    stats = [StatRow(r["month"].strftime("%Y-%m-01"), r["month"].strftime("%Y-%m"), r["n"], r["kg"]) for r in raw]
    rows = _rows(stats, suppressed_for(user, filters))
    for row in rows:
        row["month"] = row["key"]
    return rows


def by_route(*, user: Any, filters: Filters, top: int = 20) -> list[dict[str, Any]]:
    """Exporting → importing country pairs: shipments and kg, the heaviest first."""
    require(user, Perm.ANALYSIS_VIEW)
    raw = (
        notified(filters)
        .values("exporting_country", "importing_country")
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by("-n", "exporting_country", "importing_country")
    )
    stats = [
        StatRow(f"{r['exporting_country']}>{r['importing_country']}",
                "",
                r["n"], r["kg"])
        for r in raw
    ]  # fmt: skip
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
    qs = ShipmentVerification.objects.exclude(status=VerificationStatus.WITHDRAWN)
    if importing_country:  # one country's behaviour as importer (its own index)
        qs = qs.filter(importing_country=importing_country)
    if any((filters.date_from, filters.date_to, filters.country, filters.region, filters.precursor)):
        qs = qs.filter(notified_q(filters, "shipment__"))
    # else: a request exists only for a notified shipment, so every one counts (no join with 1M rows)
    delay = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    raw = (
        qs.values("importing_country")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__date__lte=F("deadline"))),
            overdue=Count("pk", filter=Q(status=VerificationStatus.OVERDUE)),
            delay=Avg(delay, filter=Q(answered_at__isnull=False)),
        )
        .order_by("-n")
    )
    suppress = suppressed_for(user, Filters(country=importing_country) if importing_country else filters)
    threshold = min_cell()
    out = []
    for r in raw:
        if suppress and r["n"] < threshold:
            continue  # too few requests to show a country's behaviour
        delay_days = r["delay"].total_seconds() / 86400 if r["delay"] is not None else None
        out.append(
            {
                "key": str(r["importing_country"]),
                "label": country_name(r["importing_country"]),
                "n": r["n"],
                "answered": r["answered"],
                "on_time": r["on_time"],
                "overdue": r["overdue"],
                "rate": round(100 * r["answered"] / r["n"]) if r["n"] else None,
                "on_time_rate": round(100 * r["on_time"] / r["n"]) if r["n"] else None,
                "delay_days": round(delay_days, 1) if delay_days is not None else None,
            }
        )
    return out


def country_figures(*, user: Any, country: str) -> dict[str, Any]:
    """A country profile's shipment figures: notified as exporter and as importer (shipments, kg),
    and its verification behaviour as importer (aggregates only)."""
    require(user, Perm.ANALYSIS_VIEW)
    qs = notified(Filters())
    exported = qs.filter(exporting_country=country).aggregate(n=Count("pk"), kg=Sum("total_kg"))
    imported = qs.filter(importing_country=country).aggregate(n=Count("pk"), kg=Sum("total_kg"))
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

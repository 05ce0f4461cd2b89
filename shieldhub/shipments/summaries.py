"""The shipment dashboards' monthly summary (`ShipmentSummary`, mechanism in `core.summaries`).

Facets, one row per month of notification (UTC) × keys, over the shipments past their draft:

| facet   | k1                 | k2                | measures                                            |
|---------|--------------------|-------------------|-----------------------------------------------------|
| `month` | —                  | —                 | shipments, kg                                       |
| `route` | exporting country  | importing country | shipments, kg                                       |
| `item`  | catalogue item     | —                 | shipments with the item, kg of it                   |
| `verif` | importing country  | —                 | requests (not withdrawn), answered, on time,        |
|         |                    |                   | overdue, summed delay of the answered (seconds)     |

A country or a region filter is answered from `route` (exporting or importing), or live from
the shipments for the other facets; a precursor filter from `item` (the precursor's shipments and
kilograms), or live for routes and verification.
Writes: the services call `touch(...)` with the notification time of the shipments they change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth

from shieldhub.core.summaries import Facet, Row, SummaryTable
from shieldhub.shipments.choices import VerificationStatus
from shieldhub.shipments.models import ShipmentLine, ShipmentSummary, ShipmentVerification


def _filters(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Any:
    from shieldhub.seizures.analytics import Filters

    return Filters.over(date_from, date_to, filters)


def _notified(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Any:
    from shieldhub.shipments.analytics import notified

    return notified(_filters(date_from, date_to, filters)).annotate(month=TruncMonth("notified_at"))


def _month(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return _notified(date_from, date_to, filters).values("month").annotate(n=Count("pk"), kg=Sum("total_kg")).order_by()


def _route(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return (
        _notified(date_from, date_to, filters)
        .values("month", k1=F("exporting_country"), k2=F("importing_country"))
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by()
    )


def _item(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    from shieldhub.shipments.analytics import notified_q

    return (
        ShipmentLine.objects.filter(
            notified_q(_filters(date_from, date_to, filters), "shipment__"), catalogue_item__isnull=False
        )
        .annotate(month=TruncMonth("shipment__notified_at"))
        .values("month", k1=F("catalogue_item_id"))
        .annotate(n=Count("shipment_id", distinct=True), kg=Sum("quantity_kg"))
        .order_by()
    )


def _verif(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterator[Row]:
    from shieldhub.shipments.analytics import notified_q

    delay = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())
    rows = (
        ShipmentVerification.objects.exclude(status=VerificationStatus.WITHDRAWN)
        .filter(notified_q(_filters(date_from, date_to, filters), "shipment__"))
        .annotate(month=TruncMonth("shipment__notified_at"))
        .values("month", k1=F("importing_country"))
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__date__lte=F("deadline"))),
            overdue=Count("pk", filter=Q(status=VerificationStatus.OVERDUE)),
            delay=Sum(delay, filter=Q(answered_at__isnull=False)),
        )
        .order_by()
    )
    for r in rows:
        total = r.pop("delay")
        r["delay_seconds"] = total.total_seconds() if total is not None else None
        yield r


TABLE = SummaryTable(
    model=ShipmentSummary,
    facets={
        f.name: f
        for f in (Facet("month", _month), Facet("route", _route), Facet("item", _item), Facet("verif", _verif))
    },
    keys=("k1", "k2"),
    measures=("n", "kg", "answered", "on_time", "overdue", "delay_seconds"),
    label="shipments",
    yearly=("route",),
)


def touch(*instants: dt.datetime | dt.date | None) -> None:
    """The shipments notified at these times changed (call inside the write's transaction)."""
    TABLE.touch(*instants)


def country_q(filters: Any) -> Q | None:
    """A country or region filter as a condition on the `route` facet (exporting or importing)."""
    if filters.country:
        return Q(k1=filters.country) | Q(k2=filters.country)
    if filters.region:
        return Q(k1__in=filters.region_countries) | Q(k2__in=filters.region_countries)
    return None


def grouped(
    facet: str, group: tuple[str, ...], filters: Any, *, where: Q | None = None, largest: int | None = None
) -> list[Row]:
    """The facet's measures summed by `group`. From the summary when `filters` has no country or
    region (or `facet` is `route`, which has the countries as keys); else live. Under a precursor
    filter the shipment counts and kilograms are the precursor's (shipments containing it, its
    kilograms), read from the `item` facet; routes and verification requests are then counted live
    over the shipments that contain it."""
    keep = None
    condition = Q() if where is None else where
    if filters.precursor:
        if facet in ("route", "verif"):
            return TABLE.live(facet, group, date_from=filters.date_from, date_to=filters.date_to, filters=filters)
        facet, item = "item", str(filters.precursor)
        condition &= Q(k1=item)

        def keep(row: Row) -> bool:
            return bool(row["k1"] == item)

    place = country_q(filters)
    if place is not None and facet != "route":
        return TABLE.live(
            facet, group, date_from=filters.date_from, date_to=filters.date_to, filters=filters, keep=keep
        )
    if place is not None:
        condition &= place
    return TABLE.rows(
        facet, group, date_from=filters.date_from, date_to=filters.date_to, where=condition, filters=filters,
        largest=largest, keep=keep,
    )  # fmt: skip

"""The seizure dashboards' monthly summary (`SeizureSummary`, mechanism in `core.summaries`).

Facets, each one row per month × incident type × keys, counting submitted and validated records:

| facet          | k1                   | k2                  | measures                         |
|----------------|----------------------|---------------------|----------------------------------|
| `country`      | reporting country    | —                   | records, kg (record totals)      |
| `item`         | catalogue item       | —                   | records with the item, kg of it  |
| `item_country` | catalogue item       | reporting country   | same, per reporting country      |
| `fields`       | detection method     | conveyance          | records, kg                      |
| `route`        | departure country    | destination country | records                          |
| `concealment`  | concealment (as written) | —               | records, kg                      |

Which filters each facet can answer (`covers`): the period and the incident type always; a
country or a region for `country` and the item facets. A precursor or an operation filter, or a
country on the other facets, is answered live from the records (those filters are selective).

Writes: the services call `touch(...)` with the dates of the records they change (before and after
a correction); bulk paths wrap their loop in `TABLE.batch()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import TruncMonth

from shieldhub.core.summaries import Facet, Row, SummaryTable
from shieldhub.seizures.choices import RouteRole
from shieldhub.seizures.models import GoodsLine, Incident, IncidentCountry, SeizureSummary


def _filters(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Any:
    from shieldhub.seizures.analytics import Filters

    base = filters.__dict__ if filters is not None else {}
    return Filters(**{**base, "date_from": date_from, "date_to": date_to})


def _counted(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Any:
    from shieldhub.seizures.analytics import counted

    return counted(_filters(date_from, date_to, filters)).annotate(month=TruncMonth("occurred_on"))


def _country(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return (
        _counted(date_from, date_to, filters)
        .values("month", "incident_type", k1=F("reporting_country"))
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by()
    )


def _goods(date_from: dt.date | None, date_to: dt.date | None, filters: Any, *keys: Any) -> Iterable[Row]:
    from shieldhub.seizures.analytics import counted_q

    return (
        GoodsLine.objects.filter(
            counted_q(_filters(date_from, date_to, filters), "incident__"), catalogue_item__isnull=False
        )
        .annotate(month=TruncMonth("incident__occurred_on"), incident_type=F("incident__incident_type"))
        .values("month", "incident_type", k1=F("catalogue_item_id"), **dict(keys))
        .annotate(n=Count("incident_id", distinct=True), kg=Sum("quantity_kg"))
        .order_by()
    )


def _item(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return _goods(date_from, date_to, filters)


def _item_country(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return _goods(date_from, date_to, filters, ("k2", F("incident__reporting_country")))


def _fields(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return (
        _counted(date_from, date_to, filters)
        .values("month", "incident_type", k1=F("detection_method"), k2=F("conveyance"))
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by()
    )


def _route(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    """The departure and the destination country of each record's route (records without both
    are left out). Two joins of the route table: hash joins, no per-record subquery."""
    from shieldhub.seizures.analytics import counted_q

    return (
        IncidentCountry.objects.filter(role=RouteRole.DEPARTURE)
        .filter(counted_q(_filters(date_from, date_to, filters), "incident__"))
        .annotate(dst=FilteredRelation("incident__route", condition=Q(incident__route__role=RouteRole.DESTINATION)))
        .filter(dst__country__isnull=False)
        .annotate(month=TruncMonth("incident__occurred_on"), incident_type=F("incident__incident_type"))
        .values("month", "incident_type", k1=F("country"), k2=F("dst__country"))
        .annotate(n=Count("incident_id"))
        .order_by()
    )


def _concealment(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return (
        _counted(date_from, date_to, filters)
        .exclude(concealment="")
        .values("month", "incident_type", k1=F("concealment"))
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by()
    )


TABLE = SummaryTable(
    model=SeizureSummary,
    facets={
        f.name: f
        for f in (
            Facet("country", _country),
            Facet("item", _item),
            Facet("item_country", _item_country),
            Facet("fields", _fields),
            Facet("route", _route),
            Facet("concealment", _concealment),
        )
    },
    keys=("incident_type", "k1", "k2"),
    measures=("n", "kg"),
    label="seizures",
)

# The facets where a reporting country (or a region) is a key column, and which column.
_COUNTRY_KEY = {"country": "k1", "item_country": "k2"}


def touch(*dates: dt.date | None) -> None:
    """The records of these dates' months changed (call inside the write's transaction)."""
    TABLE.touch(*dates)


def grouped(facet: str, group: tuple[str, ...], filters: Any) -> list[Row]:
    """The facet's records and kg summed by `group` under the dashboards' filters: from the summary
    when it can express them, else from the records."""
    if facet == "item" and (filters.country or filters.region):
        facet = "item_country"
    key = _COUNTRY_KEY.get(facet)
    covered = not (filters.precursor or filters.operation) and (key or not (filters.country or filters.region))
    if not covered:
        return TABLE.live(facet, group, date_from=filters.date_from, date_to=filters.date_to, filters=filters)
    where = Q()
    if filters.incident_type:
        where &= Q(incident_type=filters.incident_type)
    if key and filters.country:
        where &= Q(**{key: filters.country})
    elif key and filters.region:
        where &= Q(**{f"{key}__in": filters.region_countries})
    return TABLE.rows(facet, group, date_from=filters.date_from, date_to=filters.date_to, where=where, filters=filters)


def months_of(incidents: Iterable[Incident]) -> list[dt.date]:
    return [i.occurred_on for i in incidents if i.occurred_on]

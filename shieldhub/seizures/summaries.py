"""The seizure dashboards' monthly summary (`SeizureSummary`, mechanism in `core.summaries`).

Facets, each one row per month × incident type × keys, counting submitted and validated records:

| facet          | k1                   | k2                  | measures                         |
|----------------|----------------------|---------------------|----------------------------------|
| `country`      | reporting country    | —                   | records, kg (record totals)      |
| `region`       | its WCO region       | —                   | records, kg                      |
| `item`         | catalogue item       | —                   | records with the item, kg of it  |
| `item_country` | catalogue item       | reporting country   | same, per reporting country      |
| `fields`       | detection method     | conveyance          | records, kg                      |
| `route`        | departure country    | destination country | records                          |
| `concealment`  | concealment (as written) | —               | records, kg                      |
| `fields_item`, `route_item`, `concealment_item` | as above | as above, `k3` the catalogue item | records with the item, kg of it |

Which filters the summary answers: the period and the incident type always; a country or a
region for `country` and the item facets; a precursor through the per-item facets (the figures are
then the precursor's: records containing it, its kilograms). An operation filter, or a country on
the other facets, is answered live from the records (those filters are selective), with the same
per-item rule.

Writes: the services call `touch(...)` with the dates of the records they change (before and after
a correction); bulk paths wrap their loop in `TABLE.batch()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from shieldhub.core.summaries import ALL_TIME, Facet, Row, SummaryTable
from shieldhub.seizures.choices import RouteRole
from shieldhub.seizures.models import GoodsLine, IncidentCountry, SeizureSummary


def _filters(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Any:
    from shieldhub.seizures.analytics import Filters

    return Filters.over(date_from, date_to, filters)


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


def _region(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    from shieldhub.reference.models import Country

    region = Country.objects.filter(code=OuterRef("reporting_country")).values("wco_region_id")[:1]
    return (
        _counted(date_from, date_to, filters)
        .annotate(k1=Coalesce(Subquery(region, output_field=CharField()), Value(""), output_field=CharField()))
        .values("month", "incident_type", "k1")
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


def _by_item(rows: Any, *keys: str) -> Any:
    """A record-level grouped query per catalogue item of its goods lines: records having the
    item (distinct) and the item's kilograms, `k3` the item."""
    return (
        rows.filter(goods__catalogue_item__isnull=False)
        .values("month", "incident_type", *keys, k3=F("goods__catalogue_item_id"))
        .annotate(n=Count("pk", distinct=True), kg=Sum("goods__quantity_kg"))
        .order_by()
    )


def _fields_item(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    rows = _counted(date_from, date_to, filters).annotate(k1=F("detection_method"), k2=F("conveyance"))
    return _by_item(rows, "k1", "k2")


def _concealment_item(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    return _by_item(_counted(date_from, date_to, filters).exclude(concealment="").annotate(k1=F("concealment")), "k1")


def _route_item(date_from: dt.date | None, date_to: dt.date | None, filters: Any) -> Iterable[Row]:
    from shieldhub.seizures.analytics import counted_q

    return (
        IncidentCountry.objects.filter(role=RouteRole.DEPARTURE)
        .filter(counted_q(_filters(date_from, date_to, filters), "incident__"))
        .annotate(dst=FilteredRelation("incident__route", condition=Q(incident__route__role=RouteRole.DESTINATION)))
        .filter(dst__country__isnull=False, incident__goods__catalogue_item__isnull=False)
        .annotate(month=TruncMonth("incident__occurred_on"), incident_type=F("incident__incident_type"))
        .values("month", "incident_type", k1=F("country"), k2=F("dst__country"),
                k3=F("incident__goods__catalogue_item_id"))
        .annotate(n=Count("incident_id", distinct=True))
        .order_by()
    )  # fmt: skip


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
            Facet("region", _region),
            Facet("item", _item),
            Facet("item_country", _item_country),
            Facet("fields", _fields),
            Facet("route", _route),
            Facet("concealment", _concealment),
            Facet("fields_item", _fields_item),
            Facet("route_item", _route_item),
            Facet("concealment_item", _concealment_item),
        )
    },
    keys=("incident_type", "k1", "k2", "k3"),
    measures=("n", "kg"),
    label="seizures",
    yearly=("route", "fields"),
    all_time={"route": ("k1", "k2")},
)

# The facets where a reporting country (or a region) is a key column, and which column.
_COUNTRY_KEY = {"country": "k1", "item_country": "k2"}
# Under a precursor filter each facet is read per catalogue item: (facet, the item's column).
_PER_ITEM = {
    "country": ("item_country", "k1"),
    "item": ("item", "k1"),
    "item_country": ("item_country", "k1"),
    "fields": ("fields_item", "k3"),
    "route": ("route_item", "k3"),
    "concealment": ("concealment_item", "k3"),
}


def touch(*dates: dt.date | None) -> None:
    """The records of these dates' months changed (call inside the write's transaction)."""
    TABLE.touch(*dates)


def grouped(
    facet: str, group: tuple[str, ...], filters: Any, *, largest: int | None = None, countries: list[str] | None = None
) -> list[Row]:
    """The facet's records and kg summed by `group` under the dashboards' filters: from the summary
    when it can express them, else from the records. `largest`: at least that many of the largest
    groups (all when the summary cannot limit them). `countries`: only these reporting countries
    (facets with a country key).

    Under a precursor filter the figures are those of the precursor: the records that contain it
    and its kilograms (not the records' other goods), read from the per-item facets."""
    rename: dict[str, str] = {}
    keep = None
    where = Q()
    if filters.precursor:
        if facet == "country":
            rename = {"k1": "k2"}  # the country is k2 of item_country
        facet, item_col = _PER_ITEM[facet]
        item = str(filters.precursor)
        where &= Q(**{item_col: item})

        def keep(row: Row) -> bool:
            return bool(row[item_col] == item)

    if facet == "item" and (filters.country or filters.region):
        facet = "item_country"
    if (
        facet == "route"
        and set(group) <= set(TABLE.all_time["route"])
        and not any((filters.date_from, filters.date_to, filters.incident_type, filters.country, filters.region,
                     filters.operation))
    ):  # fmt: skip
        facet = "route" + ALL_TIME  # every route pair over all time, all types: the default page
    columns = tuple(rename.get(c, c) for c in group)
    key = _COUNTRY_KEY.get(facet)
    if countries is not None and key:
        chosen, by_item, column = set(countries), keep, key
        where &= Q(**{f"{column}__in": sorted(chosen)})

        def keep(row: Row) -> bool:
            return row[column] in chosen and (by_item is None or by_item(row))

    if facet == "region" and filters.region and not filters.country:
        where &= Q(k1=filters.region)
        key = "k1"  # the region filter is a key condition of this facet
    if (
        filters.operation
        or ((filters.country or filters.region) and not key)
        or (facet == "region" and filters.country)
    ):
        rows = TABLE.live(
            facet, columns, date_from=filters.date_from, date_to=filters.date_to, filters=filters, keep=keep
        )
    else:
        if filters.incident_type:
            where &= Q(incident_type=filters.incident_type)
        if key and filters.country:
            where &= Q(**{key: filters.country})
        elif key and filters.region and facet != "region":
            where &= Q(**{f"{key}__in": filters.region_countries})
        rows = TABLE.rows(
            facet, columns, date_from=filters.date_from, date_to=filters.date_to, where=where, filters=filters,
            largest=largest, keep=keep,
        )  # fmt: skip
    if not rename:
        return rows
    back = {new: old for old, new in rename.items()}
    return [{back.get(k, k): v for k, v in r.items()} for r in rows]

"""Every read of the seizure records, scoped by `access.incidents_visible_q`; aggregate statistics
and data-quality figures, which show no record's detail."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear
from django.http import Http404
from django_countries import countries as country_registry

from shieldhub.core.access import (
    Perm,
    has_perm,
    incident_detail_visible,
    incident_is_reporting_side,
    incident_person_names_visible,
    incidents_visible_q,
    require,
    user_country,
    user_perms,
)
from shieldhub.reference.text import fold
from shieldhub.seizures.choices import COUNTED_STATUSES, IncidentStatus
from shieldhub.seizures.models import (
    GoodsLine,
    Incident,
    IncidentComment,
    IncidentCountry,
    IncidentDistribution,
    IncidentParty,
    IncidentPerson,
    IncidentRecipient,
    IncidentVersion,
)

FILTER_KEYS = (
    "q",
    "incident_type",
    "status",
    "country",
    "precursor",
    "date_from",
    "date_to",
    "direction",
    "conveyance",
    "operation",
)


_LIST_DEFERRED = ("search_text", "narrative", "missing_fields")


def _visible(user: Any) -> QuerySet[Incident]:
    if not user_perms(user):
        raise PermissionDenied
    return Incident.objects.filter(incidents_visible_q(user))


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def incident_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    """The records this user may see, newest first, filtered."""
    filters = filters or {}
    qs = _visible(user)
    for key in ("incident_type", "status", "direction", "conveyance"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("country"):
        qs = qs.filter(reporting_country=str(filters["country"]).upper())
    if filters.get("operation"):
        qs = qs.filter(operation_id=filters["operation"])
    if filters.get("precursor"):
        # a semi-join PostgreSQL can run as one hash join over the goods lines of that item
        qs = qs.filter(pk__in=GoodsLine.objects.filter(catalogue_item_id=filters["precursor"]).values("incident_id"))
    start, end = _as_date(filters.get("date_from")), _as_date(filters.get("date_to"))
    if start:
        qs = qs.filter(occurred_on__gte=start)
    if end:
        qs = qs.filter(occurred_on__lte=end)
    if filters.get("q"):
        words = fold(str(filters["q"])).split()[:8]
        for word in words:
            qs = qs.filter(search_text__contains=word)
        if words and not has_perm(user, Perm.SEIZURE_VIEW_ALL):
            # A withdrawn record's text is hidden from its recipients: search must not reveal it.
            own = Q(created_by=user)
            if user_country(user):
                own |= Q(reporting_country=user_country(user))
            qs = qs.filter(~Q(status=IncidentStatus.WITHDRAWN) | own)
    # the list never shows the long text columns: leave them in the database
    return qs.select_related("operation").defer(*_LIST_DEFERRED).order_by("-occurred_on", "-pk")


def bounded_count(qs: QuerySet[Incident], cap: int) -> int:
    """How many records match, counting at most cap + 1, without the list's ORDER BY (PostgreSQL may
    then combine the access rule's branches as index bitmaps)."""
    return qs.order_by()[: cap + 1].count()


def page_rows(qs: QuerySet[Incident], start: int, stop: int) -> list[Incident]:
    """One page of the list in two steps: the ids in the list's order (an index-only walk of the
    date index, which covers the filtered columns), then those records by primary key."""
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    # the ids come from the access-scoped list: the second query fetches exactly those records
    rows = Incident.objects.filter(pk__in=ids).select_related("operation").defer(*_LIST_DEFERRED)
    found = {incident.pk: incident for incident in rows}
    return [found[pk] for pk in ids if pk in found]


def list_goods(incidents: list[Incident]) -> dict[int, list[str]]:
    """What the goods lines of the records of one page are, by record: catalogue names in the
    reader's language, or "HS <code>" (one small query)."""
    from shieldhub.reference.models import CatalogueItem

    names = {c.pk: c.name for c in CatalogueItem.objects.only("pk", "name_en", "name_fr")}
    by_incident: dict[int, list[str]] = defaultdict(list)
    lines = GoodsLine.objects.filter(incident__in=[i.pk for i in incidents]).order_by("incident_id", "position", "pk")
    for incident_id, item_id, hs_code in lines.values_list("incident_id", "catalogue_item_id", "hs_code"):
        by_incident[incident_id].append(names.get(item_id, "") if item_id else f"HS {hs_code}")
    return by_incident


def incident_get(*, user: Any, pk: Any) -> Incident:
    """The record, if the user may see it; 404 otherwise."""
    try:
        return _visible(user).select_related("operation", "created_by", "submitted_by", "validated_by").get(pk=int(pk))
    except (Incident.DoesNotExist, ValueError, TypeError, PermissionDenied):
        raise Http404 from None


def incident_detail(*, user: Any, incident: Incident) -> Incident | None:
    """The record with its parts prefetched, or None when its detail is hidden (withdrawn, recipient)."""
    if not incident_detail_visible(user, incident):
        return None
    return (
        Incident.objects.filter(pk=incident.pk)
        .select_related("operation", "created_by", "submitted_by", "validated_by")
        .prefetch_related(
            Prefetch("goods", queryset=GoodsLine.objects.select_related("catalogue_item")),
            Prefetch("parties", queryset=IncidentParty.objects.select_related("entity")),
            Prefetch("route", queryset=IncidentCountry.objects.all()),
        )
        .get()
    )


@dataclass
class PersonView:
    role: str
    role_label: str
    nationality: str
    gender: str
    gender_label: str
    year_of_birth: int | None
    name: str | None  # None: hidden from this reader
    name_shared: bool


def incident_persons(*, user: Any, incident: Incident) -> list[PersonView]:
    """The persons involved, with names only for those the policy allows. Nobody outside the
    reporting side and the secretariat sees this section at all."""
    if not incident_detail_visible(user, incident):
        return []
    if not (incident_is_reporting_side(user, incident) or has_perm(user, Perm.SEIZURE_VIEW_ALL)):
        return []
    result = []
    for p in IncidentPerson.objects.filter(incident=incident).order_by("position", "pk"):
        visible = incident_person_names_visible(user, incident, name_shared=p.name_shared)
        result.append(
            PersonView(
                role=p.role, role_label=str(p.get_role_display()),
                nationality=str(p.nationality.code if p.nationality else ""),
                gender=p.gender, gender_label=str(p.get_gender_display()) if p.gender else "",
                year_of_birth=p.year_of_birth, name=(p.name or "") if visible else None, name_shared=p.name_shared,
            )
        )  # fmt: skip
    return result


def persons_section_visible(*, user: Any, incident: Incident) -> bool:
    return incident_detail_visible(user, incident) and (
        incident_is_reporting_side(user, incident) or has_perm(user, Perm.SEIZURE_VIEW_ALL)
    )


def incident_versions(*, user: Any, incident: Incident) -> QuerySet[IncidentVersion]:
    incident_get(user=user, pk=incident.pk)
    return IncidentVersion.objects.filter(incident=incident).select_related("edited_by").order_by("number")


def version_snapshot(*, user: Any, incident: Incident, number: int) -> dict[str, Any]:
    """One version's snapshot, without the names of persons the reader may not see (and without
    the persons at all, and the detail, for recipients of a withdrawn record)."""
    incident_get(user=user, pk=incident.pk)
    if not incident_detail_visible(user, incident):
        raise Http404
    version = IncidentVersion.objects.filter(incident=incident, number=number).first()
    if version is None:
        raise Http404
    data = dict(version.snapshot)
    if not persons_section_visible(user=user, incident=incident):
        data.pop("persons", None)
    else:
        data["persons"] = [
            {**p, "name": p.get("name") if incident_person_names_visible(
                user, incident, name_shared=bool(p.get("name_shared"))) else None}
            for p in data.get("persons", [])
        ]  # fmt: skip
    return data


def incident_comments(*, user: Any, incident: Incident) -> QuerySet[IncidentComment]:
    """The thread between the secretariat and the reporting country: for those two only."""
    incident_get(user=user, pk=incident.pk)
    if not (incident_is_reporting_side(user, incident) or has_perm(user, Perm.SEIZURE_VIEW_ALL)):
        return IncidentComment.objects.none()
    return IncidentComment.objects.filter(incident=incident).select_related("author").order_by("created_at", "pk")


def incident_distribution(*, user: Any, incident: Incident) -> dict[str, Any] | None:
    """What the reporting country chose and who received the record: for the reporting side and
    the secretariat only (None for others)."""
    incident_get(user=user, pk=incident.pk)
    if not (incident_is_reporting_side(user, incident) or has_perm(user, Perm.SEIZURE_VIEW_ALL)):
        return None
    return {
        "targets": list(IncidentDistribution.objects.filter(incident=incident).select_related("community", "user")),
        "recipients": list(
            IncidentRecipient.objects.filter(incident=incident)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        ),
    }


def operations(*, user: Any) -> QuerySet[Any]:
    """The operations a record may be linked to (operation groups; archived ones too, for old records)."""
    from shieldhub.directory.models import Community

    require(user, Perm.SEIZURE_STATS)
    return Community.objects.filter(kind="operation").order_by("name")


# --- statistics ------------------------------------------------------------------------------------


def min_cell() -> int:
    return int(getattr(settings, "SEIZURE_STATS_MIN_CELL", 3))


@dataclass
class StatRow:
    key: str
    label: str
    count: int | None  # None: suppressed (fewer records than the threshold)
    kg: Decimal | None


@dataclass
class Statistics:
    total: int
    total_kg: Decimal | None
    by_month: list[StatRow] = field(default_factory=list)
    by_type: list[StatRow] = field(default_factory=list)
    by_precursor: list[StatRow] = field(default_factory=list)
    by_region: list[StatRow] = field(default_factory=list)
    by_country: list[StatRow] = field(default_factory=list)
    threshold: int = 3
    suppressed: bool = True


def suppress_small_cells(rows: list[StatRow], threshold: int) -> list[StatRow]:
    """Hide each cell below the threshold, and when exactly one is hidden, the next smallest too
    (the total would otherwise give it away by subtraction)."""
    small = [r for r in rows if r.count is not None and r.count < threshold]
    for r in small:
        r.count, r.kg = None, None
    if len(small) == 1:
        shown = sorted((r for r in rows if r.count is not None), key=lambda r: r.count or 0)
        if shown:
            shown[0].count, shown[0].kg = None, None
    return rows


def _counted(filters: dict[str, Any]) -> QuerySet[Incident]:
    qs = Incident.objects.filter(status__in=COUNTED_STATUSES)
    if filters.get("year"):
        qs = qs.filter(occurred_on__year=int(filters["year"]))
    if filters.get("incident_type"):
        qs = qs.filter(incident_type=filters["incident_type"])
    return qs


def incident_statistics(*, user: Any, filters: dict[str, Any] | None = None) -> Statistics:
    """Counts and kilograms over every submitted or validated record, by month, type, precursor,
    WCO region and reporting country. For anyone but the secretariat, a cell of fewer than
    `SEIZURE_STATS_MIN_CELL` records is suppressed, so no single record can be picked out."""
    from shieldhub.reference.models import CatalogueItem, Country, WcoRegion

    require(user, Perm.SEIZURE_STATS)
    filters = filters or {}
    qs = _counted(filters)
    suppressed = not has_perm(user, Perm.SEIZURE_VIEW_ALL)
    threshold = min_cell() if suppressed else 0
    totals = qs.aggregate(n=Count("pk"), kg=Sum("total_kg"))
    stats = Statistics(total=totals["n"] or 0, total_kg=totals["kg"], threshold=min_cell(), suppressed=suppressed)
    if suppressed and stats.total < threshold:
        stats.total, stats.total_kg = 0, None

    months = (
        qs.annotate(y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"))
        .values("y", "m")
        .annotate(n=Count("pk"), kg=Sum("total_kg"))
        .order_by("-y", "-m")
    )
    stats.by_month = [StatRow(f"{r['y']}-{r['m']:02d}", f"{r['y']}-{r['m']:02d}", r["n"], r["kg"]) for r in months]

    from shieldhub.seizures.choices import IncidentType

    labels = dict(IncidentType.choices)
    types = qs.values("incident_type").annotate(n=Count("pk"), kg=Sum("total_kg")).order_by("-n")
    stats.by_type = [
        StatRow(r["incident_type"], str(labels.get(r["incident_type"], r["incident_type"])), r["n"], r["kg"])
        for r in types
    ]

    lines = (
        GoodsLine.objects.filter(incident__in=qs, catalogue_item__isnull=False)
        .values("catalogue_item")
        .annotate(n=Count("incident", distinct=True), kg=Sum("quantity_kg"))
        .order_by("-n")
    )
    items = {c.pk: c for c in CatalogueItem.objects.all()}
    stats.by_precursor = [
        StatRow(items[r["catalogue_item"]].code, items[r["catalogue_item"]].name, r["n"], r["kg"])
        for r in lines
        if r["catalogue_item"] in items
    ]

    countries = list(qs.values("reporting_country").annotate(n=Count("pk"), kg=Sum("total_kg")).order_by("-n"))
    stats.by_country = [
        StatRow(str(r["reporting_country"]), str(country_registry.name(r["reporting_country"])), r["n"], r["kg"])
        for r in countries
    ]
    region_of = dict(Country.objects.filter(wco_region__isnull=False).values_list("code", "wco_region_id"))
    region_names = {r.code: r.name for r in WcoRegion.objects.all()}
    regions: dict[str, list[Any]] = {}
    for r in countries:
        code = region_of.get(str(r["reporting_country"]), "")
        entry = regions.setdefault(code, [0, None])
        entry[0] += r["n"]
        if r["kg"] is not None:
            entry[1] = (entry[1] or Decimal(0)) + r["kg"]
    stats.by_region = sorted(
        (StatRow(code, region_names.get(code, "—"), n, kg) for code, (n, kg) in regions.items()),
        key=lambda row: -(row.count or 0),
    )
    if suppressed:
        for rows in (stats.by_month, stats.by_type, stats.by_precursor, stats.by_region, stats.by_country):
            suppress_small_cells(rows, threshold)
    return stats


# --- data quality -----------------------------------------------------------------------------------


def quality_countries(*, user: Any) -> list[str] | None:
    """The countries whose data quality the user may see: None for all (the secretariat)."""
    if has_perm(user, Perm.SEIZURE_VIEW_ALL):
        return None
    country = user_country(user)
    if country and has_perm(user, Perm.SEIZURE_REPORT):
        return [country]
    raise PermissionDenied


@dataclass
class QualityRow:
    country: str
    country_name: str
    cells: dict[str, tuple[int, int]]  # quarter → (average score, number of records)
    average: int
    records: int


def quality_by_country(*, user: Any, quarters: int = 8) -> tuple[list[str], list[QualityRow]]:
    """Average data-quality score of the submitted and validated records per reporting country and
    quarter (of the incident date), the last `quarters` quarters that have records."""
    allowed = quality_countries(user=user)
    qs = Incident.objects.filter(status__in=COUNTED_STATUSES)
    if allowed is not None:
        qs = qs.filter(reporting_country__in=allowed)
    rows = (
        qs.annotate(y=ExtractYear("occurred_on"), q=ExtractQuarter("occurred_on"))
        .values("reporting_country", "y", "q")
        .annotate(avg=Avg("data_quality"), n=Count("pk"))
    )
    table: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    seen: set[tuple[int, int]] = set()
    for r in rows:
        seen.add((r["y"], r["q"]))
        table[str(r["reporting_country"])][f"{r['y']} Q{r['q']}"] = (round(r["avg"] or 0), r["n"])
    columns = [f"{y} Q{q}" for y, q in sorted(seen)[-quarters:]]
    result = []
    for code, cells in table.items():
        n = sum(c[1] for c in cells.values())
        avg = round(sum(c[0] * c[1] for c in cells.values()) / n) if n else 0
        result.append(
            QualityRow(code, str(country_registry.name(code)), {k: v for k, v in cells.items() if k in columns}, avg, n)
        )
    result.sort(key=lambda r: r.country_name)
    return columns, result


# --- operations ------------------------------------------------------------------------------------


@dataclass
class OperationFigures:
    """Submitted or validated records reported under one operation group: counts and kg, by
    reporting country and by catalogue item — aggregates only, no record's detail."""

    total: int
    total_kg: Decimal | None
    by_country: list[tuple[str, int, Decimal | None]]  # (ISO code, records, kg)
    by_precursor: list[tuple[int, int, Decimal | None]]  # (catalogue item pk, records, kg of that item)


def operation_figures(*, user: Any, community_id: int) -> OperationFigures:
    """The aggregate figures of an operation's records (the caller checks that the reader may see
    the operation: the events app shows them to its participating countries and the secretariat)."""
    require(user, Perm.SEIZURE_STATS)
    qs = Incident.objects.filter(operation_id=community_id, status__in=COUNTED_STATUSES)
    totals = qs.aggregate(n=Count("pk"), kg=Sum("total_kg"))
    countries = qs.values("reporting_country").annotate(n=Count("pk"), kg=Sum("total_kg")).order_by("-n")
    lines = (
        GoodsLine.objects.filter(incident__in=qs.values("pk"), catalogue_item__isnull=False)
        .values("catalogue_item")
        .annotate(n=Count("incident", distinct=True), kg=Sum("quantity_kg"))
        .order_by("-n")
    )
    return OperationFigures(
        total=totals["n"] or 0,
        total_kg=totals["kg"],
        by_country=[(str(r["reporting_country"]), r["n"], r["kg"]) for r in countries],
        by_precursor=[(r["catalogue_item"], r["n"], r["kg"]) for r in lines],
    )

"""`/api/v1/seizures`: records (list with filters, get, create and update drafts, submit, validate,
return, correct, withdraw, comments, versions), goods lines, photos and documents
(`api_attachments`), statistics and data quality.

The same selectors and services as the pages: a record the caller may not see is a 404; a
withdrawn record's detail is null for its recipients; persons' names only for those the policy
allows. Writes need the `write` scope.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.access import incident_detail_visible
from shieldhub.core.api import require_scope
from shieldhub.exchange.services import Distribution
from shieldhub.seizures import selectors, services
from shieldhub.seizures.api_attachments import attachments_router
from shieldhub.seizures.api_import import import_router
from shieldhub.seizures.models import GoodsLine, Incident

router = Router(tags=["seizures"])
router.add_router("", import_router)
router.add_router("", attachments_router)


class GoodsLineIn(Schema):
    catalogue_item: int | None = Field(None, description="Catalogue item id.")
    hs_code: str = Field("", description="Another HS 2022 code when the goods are not in the catalogue.")
    declared_description: str = ""
    declared_hs: str = ""
    actual_hs: str = ""
    quantity: Decimal
    unit: str = Field(description="kg, g, t, lb, L, mL, m³, gal or pcs (usual spellings accepted).")
    concentration: Decimal | None = Field(None, description="Percent, 0–100.")
    density: Decimal | None = Field(None, description="kg/L, for liquids when it differs from the catalogue's.")


class PartyIn(Schema):
    role: str = Field(description="consignor, consignee, broker, carrier or manufacturer")
    name: str
    country: str = ""
    identifiers: dict[str, str] = Field(default_factory=dict)


class PersonIn(Schema):
    role: str
    nationality: str = ""
    gender: str = ""
    year_of_birth: int | None = None
    name: str = ""
    name_shared: bool = False


class RouteIn(Schema):
    country: str
    role: str = Field(description="departure, transit or destination")


class IncidentIn(Schema):
    incident_type: str
    reporting_country: str = Field("", description="NCPs: their own country (default). Analysts: required.")
    occurred_on: dt.date
    office_name: str = ""
    location_type: str = ""
    direction: str = ""
    detection_method: str = ""
    conveyance: str = ""
    concealment: str = ""
    ports: str = ""
    operation: int | None = None
    source: str = "ncp_report"
    national_reference: str = ""
    narrative: str = ""
    releasable_interpol: bool = False
    releasable_unodc: bool = False
    route: list[RouteIn] = Field(default_factory=list)
    goods: list[GoodsLineIn] = Field(default_factory=list)
    parties: list[PartyIn] = Field(default_factory=list)
    persons: list[PersonIn] = Field(default_factory=list)

    def data(self) -> dict[str, Any]:
        data = self.dict(exclude={"route", "goods", "parties", "persons"})
        data["route"] = [(r.country, r.role) for r in self.route]
        data["goods"] = [g.dict() for g in self.goods]
        data["parties"] = [p.dict() for p in self.parties]
        data["persons"] = [p.dict() for p in self.persons]
        return data


class DistributionIn(Schema):
    communities: list[int] = Field(default_factory=list, description="Community ids.")
    countries: list[str] = Field(default_factory=list, description="ISO codes: the countries' active NCPs.")
    users: list[int] = Field(default_factory=list, description="User ids.")


class SubmitIn(Schema):
    distribution: DistributionIn = Field(default_factory=DistributionIn)
    releasable_interpol: bool | None = None
    releasable_unodc: bool | None = None


class CorrectIn(Schema):
    record: IncidentIn
    note: str


class CommentIn(Schema):
    comment: str = ""


class NoteIn(Schema):
    note: str


class GoodsLineOut(Schema):
    catalogue_item: str | None
    catalogue_item_name: str | None
    hs_code: str
    declared_description: str
    declared_hs: str
    actual_hs: str
    quantity: Decimal
    unit: str
    concentration: Decimal | None
    density: Decimal | None
    quantity_kg: Decimal | None
    pure_kg: Decimal | None

    @staticmethod
    def resolve_catalogue_item(obj: GoodsLine) -> str | None:
        return obj.catalogue_item.code if obj.catalogue_item else None

    @staticmethod
    def resolve_catalogue_item_name(obj: GoodsLine) -> str | None:
        return obj.catalogue_item.name if obj.catalogue_item else None


class IncidentSummary(Schema):
    id: int
    reference: str
    incident_type: str
    status: str
    version: int
    reporting_country: str
    occurred_on: dt.date
    total_kg: Decimal | None = Field(None, description="Null when hidden (a withdrawn record received).")
    data_quality: int

    @staticmethod
    def resolve_reporting_country(obj: Incident) -> str:
        return str(obj.reporting_country.code)

    @staticmethod
    def resolve_total_kg(obj: Incident, context: dict[str, Any]) -> Decimal | None:
        user = getattr(context.get("request"), "user", None)
        return obj.total_kg if incident_detail_visible(user, obj) else None


class IncidentDetailOut(Schema):
    office_name: str
    location_type: str
    direction: str
    detection_method: str
    conveyance: str
    concealment: str
    ports: str
    operation: int | None = Field(None, alias="operation_id")
    source: str
    national_reference: str
    narrative: str
    releasability: list[str]
    missing_fields: list[str]
    route: list[dict[str, str]]
    goods: list[GoodsLineOut]
    parties: list[dict[str, Any]]
    persons: list[dict[str, Any]] | None = Field(None, description="Restricted: null for readers outside the policy.")


class IncidentOut(IncidentSummary):
    submitted_at: dt.datetime | None
    validated_at: dt.datetime | None
    detail: IncidentDetailOut | None = Field(description="Null for the recipients of a withdrawn record.")

    @staticmethod
    def resolve_detail(obj: Incident, context: dict[str, Any]) -> dict[str, Any] | None:
        user = getattr(context.get("request"), "user", None)
        detail = selectors.incident_detail(user=user, incident=obj)
        if detail is None:
            return None
        persons = None
        if selectors.persons_section_visible(user=user, incident=obj):
            persons = [p.__dict__ for p in selectors.incident_persons(user=user, incident=obj)]
        return {
            **{k: getattr(detail, k) for k in ("office_name", "location_type", "direction", "detection_method",
                                                "conveyance", "concealment", "ports", "operation_id", "source",
                                                "national_reference", "narrative", "releasability",
                                                "missing_fields")},
            "route": [{"country": str(c.country.code), "role": c.role} for c in detail.route.all()],
            "goods": list(detail.goods.all()),
            "parties": [
                {"role": p.role, "entity": p.entity_id, "name": p.entity.name, "country": str(p.entity.country)}
                for p in detail.parties.all()
            ],
            "persons": persons,
        }  # fmt: skip


class VersionOut(Schema):
    number: int
    change: str
    note: str
    edited_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_edited_by(obj: Any) -> str:
        return str(obj.edited_by)


class CommentOut(Schema):
    author: str
    kind: str
    body: str
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author)


class StatRowOut(Schema):
    key: str
    label: str
    count: int | None = Field(description="Null when suppressed (fewer records than the threshold).")
    kg: Decimal | None


class StatisticsOut(Schema):
    total: int
    total_kg: Decimal | None
    threshold: int
    suppressed: bool
    by_month: list[StatRowOut]
    by_type: list[StatRowOut]
    by_precursor: list[StatRowOut]
    by_region: list[StatRowOut]
    by_country: list[StatRowOut]


class QualityOut(Schema):
    country: str
    country_name: str
    average: int
    records: int
    quarters: dict[str, int]


class IncidentFilters(Schema):
    q: str | None = None
    incident_type: str | None = None
    status: str | None = None
    country: str | None = None
    precursor: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    direction: str | None = None
    conveyance: str | None = None
    operation: int | None = None


class StatisticsFilters(Schema):
    year: int | None = None
    incident_type: str | None = None


class BoundedPagination(PageNumberPagination):
    """Page numbers with a bounded count: `count` is at most 1,001 (then "more than 1,000"), so a
    broad query over 200,000 records never pays for a full count; pages are fetched in two steps."""

    CAP = 1000

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        return {
            "items": selectors.page_rows(queryset, offset, offset + size),
            "count": selectors.bounded_count(queryset, self.CAP),
        }


def _fresh(request: HttpRequest, pk: int) -> Incident:
    return selectors.incident_get(user=request.user, pk=pk)


@router.get("/incidents", response=list[IncidentSummary])
@paginate(BoundedPagination, page_size=50)
def incident_list(request: HttpRequest, filters: Query[IncidentFilters]) -> Any:
    return selectors.incident_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.post("/incidents", response={201: IncidentOut})
def incident_create(request: HttpRequest, payload: IncidentIn) -> Any:
    require_scope(request, "write")
    incident = services.incident_create(actor=request.user, data=payload.data())
    return Status(201, _fresh(request, incident.pk))


@router.get("/incidents/{incident_id}", response=IncidentOut)
def incident_get(request: HttpRequest, incident_id: int) -> Any:
    incident = _fresh(request, incident_id)
    services.incident_record_view(actor=request.user, incident=incident)
    return incident


@router.put("/incidents/{incident_id}", response=IncidentOut)
def incident_update(request: HttpRequest, incident_id: int, payload: IncidentIn) -> Any:
    require_scope(request, "write")
    services.incident_update(actor=request.user, incident=_fresh(request, incident_id), data=payload.data())
    return _fresh(request, incident_id)


@router.get("/incidents/{incident_id}/goods", response=list[GoodsLineOut])
def goods_lines(request: HttpRequest, incident_id: int) -> Any:
    detail = selectors.incident_detail(user=request.user, incident=_fresh(request, incident_id))
    return list(detail.goods.all()) if detail is not None else []


@router.put("/incidents/{incident_id}/goods", response=list[GoodsLineOut])
def goods_lines_replace(request: HttpRequest, incident_id: int, payload: list[GoodsLineIn]) -> Any:
    """Replace the goods lines of a draft."""
    require_scope(request, "write")
    incident = _fresh(request, incident_id)
    services.incident_update(actor=request.user, incident=incident, data={"goods": [g.dict() for g in payload]})
    return list(GoodsLine.objects.filter(incident=incident).select_related("catalogue_item").order_by("position"))


@router.post("/incidents/{incident_id}/submit", response=IncidentOut)
def incident_submit(request: HttpRequest, incident_id: int, payload: SubmitIn) -> Any:
    require_scope(request, "write")
    d = payload.distribution
    data = {k: v for k, v in payload.dict().items() if k.startswith("releasable_") and v is not None}
    services.incident_submit(
        actor=request.user, incident=_fresh(request, incident_id),
        distribution=Distribution(communities=d.communities, countries=d.countries, users=d.users), data=data,
    )  # fmt: skip
    return _fresh(request, incident_id)


@router.post("/incidents/{incident_id}/validate", response=IncidentOut)
def incident_validate(request: HttpRequest, incident_id: int, payload: CommentIn) -> Any:
    require_scope(request, "write")
    services.incident_validate(actor=request.user, incident=_fresh(request, incident_id), comment=payload.comment)
    return _fresh(request, incident_id)


@router.post("/incidents/{incident_id}/return", response=IncidentOut)
def incident_return(request: HttpRequest, incident_id: int, payload: CommentIn) -> Any:
    require_scope(request, "write")
    services.incident_return(actor=request.user, incident=_fresh(request, incident_id), comment=payload.comment)
    return _fresh(request, incident_id)


@router.post("/incidents/{incident_id}/correct", response=IncidentOut)
def incident_correct(request: HttpRequest, incident_id: int, payload: CorrectIn) -> Any:
    require_scope(request, "write")
    services.incident_correct(
        actor=request.user, incident=_fresh(request, incident_id), data=payload.record.data(), note=payload.note
    )
    return _fresh(request, incident_id)


@router.post("/incidents/{incident_id}/withdraw", response=IncidentOut)
def incident_withdraw(request: HttpRequest, incident_id: int, payload: NoteIn) -> Any:
    require_scope(request, "write")
    services.incident_withdraw(actor=request.user, incident=_fresh(request, incident_id), note=payload.note)
    return _fresh(request, incident_id)


@router.get("/incidents/{incident_id}/versions", response=list[VersionOut])
def incident_versions(request: HttpRequest, incident_id: int) -> Any:
    return list(selectors.incident_versions(user=request.user, incident=_fresh(request, incident_id)))


@router.get("/incidents/{incident_id}/versions/{number}", response=dict[str, Any])
def incident_version(request: HttpRequest, incident_id: int, number: int) -> Any:
    return selectors.version_snapshot(user=request.user, incident=_fresh(request, incident_id), number=number)


@router.get("/incidents/{incident_id}/comments", response=list[CommentOut])
def incident_comments(request: HttpRequest, incident_id: int) -> Any:
    return list(selectors.incident_comments(user=request.user, incident=_fresh(request, incident_id)))


@router.post("/incidents/{incident_id}/comments", response={201: CommentOut})
def incident_comment(request: HttpRequest, incident_id: int, payload: CommentIn) -> Any:
    require_scope(request, "write")
    comment = services.incident_comment(actor=request.user, incident=_fresh(request, incident_id), body=payload.comment)
    return Status(201, comment)


@router.get("/statistics", response=StatisticsOut)
def statistics(request: HttpRequest, filters: Query[StatisticsFilters]) -> Any:
    """Aggregates over every submitted or validated record; small cells suppressed outside the secretariat."""
    return selectors.incident_statistics(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/data-quality", response=list[QualityOut])
def data_quality(request: HttpRequest) -> Any:
    """Average data-quality score per reporting country and quarter (the secretariat: all; an NCP: own)."""
    _columns, rows = selectors.quality_by_country(user=request.user)
    return [
        {"country": r.country, "country_name": r.country_name, "average": r.average, "records": r.records,
         "quarters": {k: v[0] for k, v in r.cells.items()}}
        for r in rows
    ]  # fmt: skip

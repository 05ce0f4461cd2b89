"""`/api/v1/shipments`: notifications (list with filters, get, create and update drafts, notify,
withdraw), the importing country's answer, the outcome, the response rates, and the document files
(`api_documents`).

The same selectors and services as the pages: a shipment the caller may not see is a 404. Writes
need the `write` scope.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.api import require_scope
from shieldhub.shipments import selectors, services
from shieldhub.shipments.api_documents import documents_router
from shieldhub.shipments.models import Shipment, ShipmentLine

router = Router(tags=["shipments"])
router.add_router("", documents_router)


class PartyIn(Schema):
    name: str
    country: str = Field("", description="ISO code; defaults to the exporting (exporter) or importing country.")
    identifiers: dict[str, str] = Field(default_factory=dict)


class LineIn(Schema):
    catalogue_item: int | None = Field(None, description="Catalogue item id.")
    hs_code: str = Field("", description="An HS 2022 code when the goods are not in the catalogue.")
    description: str = ""
    quantity: Decimal
    unit: str = Field(description="kg, g, t, lb, L, mL, m³, gal or pcs (usual spellings accepted).")
    concentration: Decimal | None = Field(None, description="Percent, 0–100.")
    density: Decimal | None = Field(None, description="kg/L, for liquids when it differs from the catalogue's.")


class ShipmentIn(Schema):
    exporting_country: str = Field("", description="NCPs: their own country (default). Analysts: required.")
    importing_country: str
    national_reference: str = ""
    exporter: PartyIn | None = None
    importer: PartyIn | None = None
    consignee: PartyIn | None = None
    end_user: PartyIn | None = None
    declared_end_use: str = ""
    planned_dispatch: dt.date | None = None
    planned_arrival: dt.date | None = None
    transport_mode: str = Field("", description="air, vessel, vehicle, rail, postal, express…")
    transit: list[str] = Field(default_factory=list, description="Transit countries (ISO codes), in order.")
    documents: str = ""
    lines: list[LineIn] = Field(default_factory=list)

    def data(self) -> dict[str, Any]:
        data = self.dict(exclude={"transit", "lines", "exporter", "importer", "consignee", "end_user"})
        data["route"] = list(self.transit)
        data["lines"] = [line.dict() for line in self.lines]
        for role in ("exporter", "importer", "consignee", "end_user"):
            party = getattr(self, role)
            data[role] = party.dict() if party is not None else None
        return data


class NotifyIn(Schema):
    deadline: dt.date | None = Field(None, description="Default: 10 working days from today.")


class AnswerIn(Schema):
    answer: str = Field(description="confirmed, objected or confirmed_with_concerns")
    reason: str = Field("", description="Required for an objection or a concern.")


class OutcomeIn(Schema):
    outcome: str = Field(description="delivered, stopped or seized")
    seizure: int | None = Field(None, description="Id of a seizure record you may see (seized shipments).")
    note: str = ""


class NoteIn(Schema):
    note: str


class LineOut(Schema):
    catalogue_item: str | None
    catalogue_item_name: str | None
    hs_code: str
    description: str
    quantity: Decimal
    unit: str
    concentration: Decimal | None
    density: Decimal | None
    quantity_kg: Decimal | None

    @staticmethod
    def resolve_catalogue_item(obj: ShipmentLine) -> str | None:
        return obj.catalogue_item.code if obj.catalogue_item else None

    @staticmethod
    def resolve_catalogue_item_name(obj: ShipmentLine) -> str | None:
        return obj.catalogue_item.name if obj.catalogue_item else None


class VerificationOut(Schema):
    importing_country: str
    deadline: dt.date
    status: str
    answer: str
    reason: str
    answered_at: dt.datetime | None
    late: bool

    @staticmethod
    def resolve_importing_country(obj: Any) -> str:
        return str(obj.importing_country)

    @staticmethod
    def resolve_late(obj: Any) -> bool:
        return bool(obj.answered_late)


class ShipmentSummary(Schema):
    id: int
    reference: str
    status: str
    exporting_country: str
    importing_country: str
    national_reference: str
    consignee: str | None
    planned_dispatch: dt.date | None
    total_kg: Decimal | None
    deadline: dt.date | None
    outcome: str

    @staticmethod
    def resolve_exporting_country(obj: Shipment) -> str:
        return str(obj.exporting_country)

    @staticmethod
    def resolve_importing_country(obj: Shipment) -> str:
        return str(obj.importing_country)

    @staticmethod
    def resolve_consignee(obj: Shipment) -> str | None:
        consignee: Any = obj.consignee
        return consignee.name if consignee is not None else None

    @staticmethod
    def resolve_deadline(obj: Shipment) -> dt.date | None:
        verification = getattr(obj, "verification", None)
        return verification.deadline if verification is not None else None


class ShipmentOut(ShipmentSummary):
    version: int
    parties: list[dict[str, Any]]
    declared_end_use: str
    planned_arrival: dt.date | None
    transport_mode: str
    transit: list[str]
    route: list[str] = Field(description="Exporting country, transit countries, importing country.")
    documents: str
    lines: list[LineOut]
    verification: VerificationOut | None
    seizure: int | None = Field(None, alias="seizure_id")
    outcome_note: str
    created_at: dt.datetime
    notified_at: dt.datetime | None

    @staticmethod
    def resolve_parties(obj: Shipment) -> list[dict[str, Any]]:
        return selectors.shipment_parties(obj)

    @staticmethod
    def resolve_transit(obj: Shipment) -> list[str]:
        return [str(c.country.code) for c in obj.route.all()]

    @staticmethod
    def resolve_route(obj: Shipment) -> list[str]:
        return selectors.shipment_route(obj)

    @staticmethod
    def resolve_lines(obj: Shipment) -> list[ShipmentLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_verification(obj: Shipment) -> Any:
        return getattr(obj, "verification", None)


class ResponseRateOut(Schema):
    country: str
    country_name: str
    requests: int
    on_time: int
    late: int
    never: int
    pending: int
    rate: int | None = Field(description="Percent answered on time of the requests due; null when none is due.")


class ShipmentFilters(Schema):
    q: str | None = None
    status: str | None = None
    country: str | None = Field(None, description="Exporting, importing or transit country (ISO code).")
    entity: int | None = Field(None, description="An entity id, in any party role.")
    precursor: int | None = Field(None, description="A catalogue item id.")


class BoundedPagination(PageNumberPagination):
    """Page numbers with a count bounded at 1,001."""

    CAP = 1000

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        return {"items": list(queryset[offset : offset + size]), "count": queryset.order_by()[: self.CAP + 1].count()}


def _fresh(request: HttpRequest, pk: int) -> Shipment:
    return selectors.shipment_detail(user=request.user, pk=pk)


@router.get("", response=list[ShipmentSummary])
@paginate(BoundedPagination, page_size=50)
def shipment_list(request: HttpRequest, filters: Query[ShipmentFilters]) -> Any:
    return selectors.shipment_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.post("", response={201: ShipmentOut})
def shipment_create(request: HttpRequest, payload: ShipmentIn) -> Any:
    require_scope(request, "write")
    shipment = services.shipment_create(actor=request.user, data=payload.data())
    return Status(201, _fresh(request, shipment.pk))


@router.get("/response-rates", response=list[ResponseRateOut])
def response_rates(request: HttpRequest) -> Any:
    """Per importing country: verifications answered on time, late, never; pending ones apart."""
    return selectors.response_rates(user=request.user)


@router.get("/{shipment_id}", response=ShipmentOut)
def shipment_get(request: HttpRequest, shipment_id: int) -> Any:
    return _fresh(request, shipment_id)


@router.put("/{shipment_id}", response=ShipmentOut)
def shipment_update(request: HttpRequest, shipment_id: int, payload: ShipmentIn) -> Any:
    require_scope(request, "write")
    services.shipment_update(actor=request.user, shipment=_fresh(request, shipment_id), data=payload.data())
    return _fresh(request, shipment_id)


@router.post("/{shipment_id}/notify", response=ShipmentOut)
def shipment_notify(request: HttpRequest, shipment_id: int, payload: NotifyIn) -> Any:
    require_scope(request, "write")
    services.shipment_notify(actor=request.user, shipment=_fresh(request, shipment_id), deadline=payload.deadline)
    return _fresh(request, shipment_id)


@router.post("/{shipment_id}/answer", response=ShipmentOut)
def verification_answer(request: HttpRequest, shipment_id: int, payload: AnswerIn) -> Any:
    """The importing country's NCP: confirm, object (with the reason) or confirm with concerns."""
    require_scope(request, "write")
    services.verification_answer(
        actor=request.user, shipment=_fresh(request, shipment_id), answer=payload.answer, reason=payload.reason
    )
    return _fresh(request, shipment_id)


@router.post("/{shipment_id}/outcome", response=ShipmentOut)
def shipment_outcome(request: HttpRequest, shipment_id: int, payload: OutcomeIn) -> Any:
    require_scope(request, "write")
    services.shipment_outcome(
        actor=request.user, shipment=_fresh(request, shipment_id), outcome=payload.outcome,
        seizure=payload.seizure, note=payload.note,
    )  # fmt: skip
    return _fresh(request, shipment_id)


@router.post("/{shipment_id}/withdraw", response=ShipmentOut)
def shipment_withdraw(request: HttpRequest, shipment_id: int, payload: NoteIn) -> Any:
    require_scope(request, "write")
    services.shipment_withdraw(actor=request.user, shipment=_fresh(request, shipment_id), note=payload.note)
    return _fresh(request, shipment_id)

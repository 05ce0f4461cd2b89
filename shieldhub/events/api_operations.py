"""`/api/v1/events/operations`: list, get, create, update, phase change, results (JSON) and the
final report (DOCX or PDF). The same selectors and services as the pages: an operation the caller
may not see is a 404; the results need the board's access (the secretariat, the NCPs of the
participating countries); writes need the `write` scope and `events.operations_manage`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.access import Perm, require
from shieldhub.core.api import require_scope
from shieldhub.events import final_report, operations, results
from shieldhub.events.models import Operation

router = Router(tags=["events"])


class MeetingIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    venue_name: str | None = None
    online_url: str | None = None


class OperationIn(Schema):
    code: str = Field(description="Code name (slug), unique.")
    title_en: str
    title_fr: str = ""
    goals_en: str = ""
    goals_fr: str = ""
    countries: list[str] = Field(description="Participating countries (ISO codes).")
    precursors: list[int] = Field(default_factory=list, description="Catalogue item ids.")
    starts_on: dt.date = Field(description="The active phase's first day.")
    ends_on: dt.date = Field(description="The active phase's last day.")
    requires_moderation: bool = False
    pre_meeting: MeetingIn | None = None
    post_meeting: MeetingIn | None = None


class OperationPatch(Schema):
    code: str | None = None
    title_en: str | None = None
    title_fr: str | None = None
    goals_en: str | None = None
    goals_fr: str | None = None
    countries: list[str] | None = None
    precursors: list[int] | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    requires_moderation: bool | None = None
    lessons_en: str | None = None
    lessons_fr: str | None = None
    pre_meeting: MeetingIn | None = None
    post_meeting: MeetingIn | None = None


class MeetingOut(Schema):
    id: int
    kind: str
    title_en: str
    title_fr: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class OperationOut(Schema):
    id: int
    code: str
    phase: str
    event_id: int
    title_en: str
    title_fr: str
    goals_en: str
    goals_fr: str
    countries: list[str]
    precursors: list[str] = Field(description="Catalogue codes.")
    starts_on: dt.date
    ends_on: dt.date
    community_id: int | None
    pre_meeting: MeetingOut | None
    post_meeting: MeetingOut | None
    lessons_en: str
    lessons_fr: str

    @staticmethod
    def resolve_title_en(obj: Operation) -> str:
        return obj.event.title_en

    @staticmethod
    def resolve_title_fr(obj: Operation) -> str:
        return obj.event.title_fr

    @staticmethod
    def resolve_precursors(obj: Operation) -> list[str]:
        return [p.code for p in obj.precursors.all()]


class PhaseIn(Schema):
    phase: str = Field(description="planning, pre_meeting, active, post_meeting or closed (forward only).")


class OperationFilters(Schema):
    phase: str = ""
    q: str = ""


class RowOut(Schema):
    key: str
    label: str
    count: int
    kg: Decimal | None = None


class RecordOut(Schema):
    id: int
    reference: str
    occurred_on: dt.date
    reporting_country: str
    total_kg: Decimal | None

    @staticmethod
    def resolve_reporting_country(obj: Any) -> str:
        return str(obj.reporting_country)


class ResultsOut(Schema):
    seizure_total: int
    seizure_kg: Decimal | None
    seizures_by_country: list[RowOut]
    seizures_by_precursor: list[RowOut]
    records: list[RecordOut] = Field(description="The records the caller may open; the others are only counted.")
    records_hidden: int
    message_total: int
    messages_by_country: list[RowOut]
    messages_by_precursor: list[RowOut]
    updated_at: dt.datetime


def _get(request: HttpRequest, pk: int) -> Operation:
    return operations.operation_get(user=request.user, pk=pk)


@router.get("/operations", response=list[OperationOut])
@paginate(PageNumberPagination, page_size=50)
def operation_list(request: HttpRequest, filters: Query[OperationFilters]) -> Any:
    return operations.operation_list(user=request.user, filters=filters.dict())


@router.post("/operations", response={201: OperationOut})
def operation_create(request: HttpRequest, payload: OperationIn) -> Any:
    require_scope(request, "write")
    data = payload.dict()
    for key in ("pre_meeting", "post_meeting"):
        if data[key] is None:
            del data[key]
    operation = operations.operation_create(actor=request.user, data=data)
    return Status(201, _get(request, operation.pk))


@router.get("/operations/{operation_id}", response=OperationOut)
def operation_get(request: HttpRequest, operation_id: int) -> Any:
    return _get(request, operation_id)


@router.patch("/operations/{operation_id}", response=OperationOut)
def operation_update(request: HttpRequest, operation_id: int, payload: OperationPatch) -> Any:
    require_scope(request, "write")
    operation = _get(request, operation_id)
    operations.operation_update(actor=request.user, operation=operation, data=payload.dict(exclude_none=True))
    return _get(request, operation_id)


@router.post("/operations/{operation_id}/phase", response=OperationOut)
def operation_phase(request: HttpRequest, operation_id: int, payload: PhaseIn) -> Any:
    require_scope(request, "write")
    operation = _get(request, operation_id)
    operations.operation_phase_change(actor=request.user, operation=operation, phase=payload.phase)
    return _get(request, operation_id)


@router.get("/operations/{operation_id}/results", response=ResultsOut)
def operation_results(request: HttpRequest, operation_id: int) -> Any:
    operation = _get(request, operation_id)
    return results.operation_results(user=request.user, operation=operation)


@router.get("/operations/{operation_id}/final-report")
def operation_final_report(request: HttpRequest, operation_id: int, format: str = "docx", lang: str = "en") -> Any:
    """The final report as DOCX (`format=docx`) or PDF (`format=pdf`), in `lang` (en or fr)."""
    operation = _get(request, operation_id)
    require(request.user, Perm.OPERATIONS_MANAGE)
    content, ctype, filename = final_report.final_report(
        actor=request.user, operation=operation, fmt="pdf" if format == "pdf" else "docx", language=lang
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""`/api/v1/events` routes for registrations (mounted by `events/api.py`): an event's registrations
(scoped like the pages; passport details only for `events.personal_data` holders), one
registration, approve / reject / wait / withdraw, attendance check-in, certificates (issue,
download), the evaluation (submit, summary) and the training records. Writes need the `write` scope."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.access import passport_visible
from shieldhub.core.api import require_scope
from shieldhub.events import certificates, evaluations, participants, registrations, selectors, training
from shieldhub.events.choices import CheckInMethod
from shieldhub.events.models import Registration

router = Router(tags=["events"])


class PassportOut(Schema):
    name_in_passport: str
    number: str
    nationality: str
    date_of_birth: dt.date | None
    issued_on: dt.date | None
    expires_on: dt.date | None
    issuing_authority: str
    delete_after: dt.date

    @staticmethod
    def resolve_nationality(obj: Any) -> str:
        return str(obj.nationality)


class RegistrationOut(Schema):
    id: int
    event_id: int
    status: str
    title: str
    given_name: str
    family_name: str
    position: str
    organisation_name: str
    country: str
    email: str
    gender: str
    language: str
    funding_requested: bool
    decided_at: dt.datetime | None
    decision_note: str
    certificate_number: str = ""

    @staticmethod
    def resolve_country(obj: Registration) -> str:
        return str(obj.country)

    @staticmethod
    def resolve_certificate_number(obj: Registration) -> str:
        cert = getattr(obj, "certificate", None) if hasattr(obj, "certificate") else None
        return cert.number if cert else ""


class RegistrationDetailOut(RegistrationOut):
    passport: PassportOut | None = Field(None, description="Only for holders of events.personal_data.")

    @staticmethod
    def resolve_passport(obj: Any) -> Any:
        return getattr(obj, "api_passport", None)


class RegistrationFilters(Schema):
    status: str = ""
    country: str = ""
    q: str = ""


class NoteIn(Schema):
    note: str = ""


class CheckInIn(Schema):
    code: str = Field("", description="The badge code (or the check-in URL).")
    registration: int | None = Field(None, description="Or the registration id (ticking a list).")
    session: int | None = Field(None, description="Session id; empty for the whole event.")


class AttendanceOut(Schema):
    registration_id: int
    session_id: int | None
    method: str
    checked_in_at: dt.datetime
    created: bool


class IssueIn(Schema):
    registrations: list[int] | None = Field(None, description="Registration ids; all who attended when omitted.")


class CertificateOut(Schema):
    registration_id: int
    number: str
    issued_at: dt.datetime


class EvaluationIn(Schema):
    answers: dict[str, Any]


class TrainingRecordOut(Schema):
    id: int
    full_name: str
    country: str
    agency: str
    gender: str
    topic: str
    trained_on: dt.date
    trainer: str
    event_id: int | None

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return str(obj.country)


class TrainingFilters(Schema):
    after: dt.date | None = None
    before: dt.date | None = None
    country: str = ""
    gender: str = ""
    topic: str = ""


def _detail(user: Any, reg: Registration) -> Registration:
    """The registration with its passport details attached for those who may see them (no one else)."""
    reg.api_passport = registrations.passport_get(user=user, registration=reg) if passport_visible(user) else None  # type: ignore[attr-defined]
    return reg


@router.get("/{event_id}/registrations", response=list[RegistrationOut])
@paginate(PageNumberPagination, page_size=50)
def list_registrations(request: HttpRequest, event_id: int, filters: Query[RegistrationFilters]):  # type: ignore[no-untyped-def]
    event = selectors.event_get(user=request.user, pk=event_id)
    return registrations.registration_list_for_event(user=request.user, event=event, filters=filters.dict())


@router.get("/registrations/{registration_id}", response=RegistrationDetailOut)
def get_registration(request: HttpRequest, registration_id: int):  # type: ignore[no-untyped-def]
    reg = registrations.registration_get(user=request.user, pk=registration_id)
    if not (registrations.can_list(request.user) or reg.user_id == request.user.pk):
        raise Http404
    return _detail(request.user, reg)


def _decide(request: HttpRequest, registration_id: int, action: str, note: str = "") -> Registration:
    require_scope(request, "write")
    reg = registrations.registration_get(user=request.user, pk=registration_id)
    if action == "approve":
        registrations.registration_approve(actor=request.user, registration=reg)
    elif action == "reject":
        registrations.registration_reject(actor=request.user, registration=reg, note=note)
    elif action == "wait":
        registrations.registration_wait(actor=request.user, registration=reg)
    else:
        registrations.registration_withdraw(actor=request.user, registration=reg, note=note)
    return _detail(request.user, reg)


@router.post("/registrations/{registration_id}/approve", response=RegistrationDetailOut)
def approve_registration(request: HttpRequest, registration_id: int):  # type: ignore[no-untyped-def]
    """Approved while the event has room, else put on the waiting list."""
    return _decide(request, registration_id, "approve")


@router.post("/registrations/{registration_id}/reject", response=RegistrationDetailOut)
def reject_registration(request: HttpRequest, registration_id: int, payload: NoteIn):  # type: ignore[no-untyped-def]
    return _decide(request, registration_id, "reject", payload.note)


@router.post("/registrations/{registration_id}/wait", response=RegistrationDetailOut)
def wait_registration(request: HttpRequest, registration_id: int):  # type: ignore[no-untyped-def]
    return _decide(request, registration_id, "wait")


@router.post("/registrations/{registration_id}/withdraw", response=RegistrationDetailOut)
def withdraw_registration(request: HttpRequest, registration_id: int, payload: NoteIn):  # type: ignore[no-untyped-def]
    """Withdrawing an approved participant promotes the first on the waiting list."""
    return _decide(request, registration_id, "withdraw", payload.note)


@router.post("/{event_id}/attendance", response=AttendanceOut)
def check_in(request: HttpRequest, event_id: int, payload: CheckInIn):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    if not registrations.can_manage(request.user):
        raise Http404
    if payload.registration:
        reg = registrations.registration_get_managed(user=request.user, pk=payload.registration)
        if reg.event_id != event.pk:
            raise Http404
        method = CheckInMethod.LIST
    else:
        reg = participants.registration_by_code(user=request.user, code=payload.code, event=event)
        method = CheckInMethod.QR
    session = participants.session_for(event, payload.session)
    row, created = participants.attendance_record(actor=request.user, registration=reg, session=session, method=method)
    return {
        "registration_id": reg.pk,
        "session_id": row.session_id,
        "method": row.method,
        "checked_in_at": row.checked_in_at,
        "created": created,
    }


@router.post("/{event_id}/certificates", response=list[CertificateOut])
def issue_certificates(request: HttpRequest, event_id: int, payload: IssueIn):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    if not registrations.can_manage(request.user):
        raise Http404
    issued = certificates.certificates_issue(actor=request.user, event=event, registration_ids=payload.registrations)
    return [{"registration_id": c.registration_id, "number": c.number, "issued_at": c.issued_at} for c in issued]


@router.get("/registrations/{registration_id}/certificate.pdf")
def download_certificate(request: HttpRequest, registration_id: int) -> HttpResponse:
    reg = registrations.registration_get(user=request.user, pk=registration_id)
    if not (registrations.can_list(request.user) or reg.user_id == request.user.pk):
        raise Http404
    cert = certificates.certificate_get(user=request.user, registration=reg)
    data = certificates.certificate_pdf([reg])
    certificates.audit_download(request.user, reg.event, 1)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}.pdf"'
    return response


@router.post("/{event_id}/evaluation", response={201: dict[str, int]})
def submit_evaluation(request: HttpRequest, event_id: int, payload: EvaluationIn):  # type: ignore[no-untyped-def]
    """The signed-in participant's answers (once; see the questions in the summary)."""
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    reg = evaluations.registration_for_user(user=request.user, event=event)
    if reg is None:
        raise Http404
    response = evaluations.evaluation_submit(actor=request.user, registration=reg, data=payload.answers)
    return 201, {"id": response.pk}


@router.get("/{event_id}/evaluation/summary")
def evaluation_summary(request: HttpRequest, event_id: int) -> dict[str, Any]:
    event = selectors.event_get(user=request.user, pk=event_id)
    if not registrations.can_manage(request.user):
        raise Http404
    summary = evaluations.evaluation_summary(user=request.user, event=event)
    return {
        "responses": summary["responses"],
        "questions": [
            {
                "key": item["q"].key,
                "kind": item["q"].kind,
                "label_en": item["q"].label_en,
                "label_fr": item["q"].label_fr,
                "count": item["count"],
                "average": item.get("average"),
                "distribution": {str(d["value"]): d["count"] for d in item.get("distribution", [])} or None,
                "texts": item.get("texts"),
            }
            for item in summary["questions"]
        ],
    }


@router.get("/training-records", response=list[TrainingRecordOut])
@paginate(PageNumberPagination, page_size=100)
def list_training_records(request: HttpRequest, filters: Query[TrainingFilters]):  # type: ignore[no-untyped-def]
    return training.training_record_list(user=request.user, filters=filters.dict())

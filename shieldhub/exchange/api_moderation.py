"""`/api/v1/exchange`: four-eyes moderation and operation groups.

The same selectors and services as the pages: a message or an operation group the caller may not
see is a 404; approving, rejecting, reporting and choosing a group's form fields need the `write` scope.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.api import require_scope
from shieldhub.directory.models import Community
from shieldhub.exchange import moderation, operations, selectors
from shieldhub.exchange.choices import TargetKind
from shieldhub.exchange.models import Message

router = Router(tags=["exchange"])


class UserRef(Schema):
    id: int
    full_name: str
    email: str


class ModerationOut(Schema):
    """A message's moderation state and operational data (what the message schema leaves out)."""

    id: int
    kind: str
    subject: str
    tlp: str
    status: str = Field(description="pending (awaiting approval), rejected, sent or withdrawn")
    sender: UserRef
    sender_country: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    communities: list[int] = Field(description="The communities of its distribution.")
    moderated_by: UserRef | None
    moderated_at: dt.datetime | None
    moderation_note: str
    operation_data: dict[str, Any] = Field(description="The values of an operational report (empty otherwise).")

    @staticmethod
    def resolve_sender_country(obj: Message) -> str:
        return obj.sender_country.code if obj.sender_country else ""

    @staticmethod
    def resolve_communities(obj: Message) -> list[int]:
        return sorted(
            d.community_id for d in obj.distribution.all() if d.target_kind == TargetKind.COMMUNITY and d.community_id
        )


class NoteIn(Schema):
    note: str = ""


class OperationFieldOut(Schema):
    name: str = Field(description="The key to send in `values`.")
    field: str = Field(description="The catalogue field it belongs to (a quantity comes with its unit).")
    label: str
    type: str = Field(description="catalogue_code, decimal, choice, country_code, date, hs_code or text")
    choices: list[str]


class OperationFormOut(Schema):
    community: int
    name: str
    status: str = Field(description="upcoming, running, ended or archived")
    read_only: bool
    starts_on: dt.date | None
    ends_on: dt.date | None
    countries: list[str]
    moderated: bool
    fields: list[OperationFieldOut]


class OperationFormIn(Schema):
    fields: list[str] = Field(
        description="Catalogue keys, kept in catalogue order: " + ", ".join(operations.FIELDS) + "."
    )


class ReportIn(Schema):
    values: dict[str, Any] = Field(description="Field name → value, as in the form definition.")
    tlp: str = "amber"
    releasable_interpol: bool = False
    releasable_unodc: bool = False


def _with_details(message: Message) -> Message:
    return Message.objects.select_related("sender", "moderated_by").prefetch_related("distribution").get(pk=message.pk)


def _moderation_view(request: HttpRequest, pk: int) -> Message:
    return _with_details(selectors.message_get(user=request.user, pk=pk))


@router.get("/moderation/queue", response=list[ModerationOut])
@paginate(PageNumberPagination, page_size=50)
def moderation_queue(request: HttpRequest) -> Any:
    """Messages waiting for the caller's approval (communities they moderate), oldest first."""
    return (
        moderation.moderation_queue(user=request.user).select_related("moderated_by").prefetch_related("distribution")
    )


@router.get("/messages/{message_id}/moderation", response=ModerationOut)
def message_moderation(request: HttpRequest, message_id: int) -> Any:
    return _moderation_view(request, message_id)


@router.post("/messages/{message_id}/approve", response=ModerationOut)
def approve(request: HttpRequest, message_id: int, payload: NoteIn) -> Any:
    require_scope(request, "write")
    message = selectors.message_get(user=request.user, pk=message_id)
    # The answer shows what the moderator just did (a rejected message is the sender's alone after).
    return _with_details(moderation.message_approve(actor=request.user, message=message, note=payload.note))


@router.post("/messages/{message_id}/reject", response=ModerationOut)
def reject(request: HttpRequest, message_id: int, payload: NoteIn) -> Any:
    require_scope(request, "write")
    message = selectors.message_get(user=request.user, pk=message_id)
    return _with_details(moderation.message_reject(actor=request.user, message=message, note=payload.note))


def _operation_form_out(community: Community) -> dict[str, Any]:
    return {
        "community": community.pk,
        "name": str(community),
        "status": operations.operation_status(community),
        "read_only": community.is_read_only,
        "starts_on": community.starts_on,
        "ends_on": community.ends_on,
        "countries": community.countries or [],
        "moderated": community.requires_moderation,
        "fields": operations.form_definition(community),
    }


@router.get("/operations/{community_id}/form", response=OperationFormOut)
def operation_form(request: HttpRequest, community_id: int) -> Any:
    return _operation_form_out(operations.operation_get(user=request.user, pk=community_id))


@router.put("/operations/{community_id}/form", response=OperationFormOut)
def operation_form_update(request: HttpRequest, community_id: int, payload: OperationFormIn) -> Any:
    """Choose the fields of the group's operational-report form: its moderators and community managers."""
    require_scope(request, "write")
    community = operations.operation_get(user=request.user, pk=community_id)
    if not operations.can_configure(request.user, community):
        raise PermissionDenied
    updated = operations.operation_form_update(actor=request.user, community=community, fields=payload.fields)
    return _operation_form_out(updated)


@router.post("/operations/{community_id}/reports", response={201: ModerationOut})
def operation_report(request: HttpRequest, community_id: int, payload: ReportIn) -> Any:
    """Send an operational report to the group (status ``pending`` when a moderator must approve it)."""
    require_scope(request, "write")
    community = operations.operation_get(user=request.user, pk=community_id)
    message = operations.operation_report_send(
        actor=request.user,
        community=community,
        values=payload.values,
        tlp=payload.tlp,
        releasable_interpol=payload.releasable_interpol,
        releasable_unodc=payload.releasable_unodc,
    )
    return Status(201, _moderation_view(request, message.pk))

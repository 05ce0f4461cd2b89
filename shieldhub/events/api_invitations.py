"""`/api/v1/events` routes for invitations (mounted by `events/api.py`): the invitations of an event
(scoped like the pages), create from a selection, send, remind, the letter (DOCX/PDF), and the
answer of an invited administration's NCP (nominate, decline). Passport details may be sent in a
nomination but are never returned. The single-use link (no account) answers through its page only:
every API route needs an account."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core import files
from shieldhub.core.api import require_scope
from shieldhub.events import invitations, letters, nominations, selectors

router = Router(tags=["events"])


class InvitationOut(Schema):
    id: int
    event_id: int
    country: str
    recipient_name: str
    organisation: str
    language: str
    status: str
    seats: int
    reply_by: dt.date | None
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    responded_at: dt.datetime | None
    decline_reason: str

    @staticmethod
    def resolve_country(obj: object) -> str:
        return str(getattr(obj, "country", ""))

    @staticmethod
    def resolve_recipient_name(obj: object) -> str:
        return str(obj.recipient)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_organisation(obj: object) -> str:
        org = obj.organisation  # type: ignore[attr-defined]
        return org.name if org else ""


class SelectionIn(Schema):
    country: str = Field("", description="ISO2 code: the NCPs of this country.")
    region: str = Field("", description="WCO region code: the NCPs of its countries.")
    community: int | None = Field(None, description="Community id: the NCPs among its members and countries.")
    role: str = Field("", description="'primary', 'alternate' or '' (any active NCP).")
    people: list[int] = Field(default_factory=list, description="Directory person ids picked by hand.")
    one_per_country: bool = True
    seats: int = Field(2, ge=1, le=50)
    reply_by: dt.date | None = None


class ParticipantIn(Schema):
    title: str = ""
    given_name: str = ""
    family_name: str
    position: str = ""
    organisation_name: str = ""
    email: str = ""
    phone: str = ""
    gender: str = ""
    language: str = "en"
    dietary_needs: str = ""
    accessibility_needs: str = ""
    arrival_on: dt.date | None = None
    departure_on: dt.date | None = None
    funding_requested: bool = False
    passport_name_in_passport: str = ""
    passport_number: str = ""
    passport_nationality: str = ""
    passport_date_of_birth: dt.date | None = None
    passport_issued_on: dt.date | None = None
    passport_expires_on: dt.date | None = None
    passport_issuing_authority: str = ""


class NominationIn(Schema):
    participants: list[ParticipantIn]


class NominatedOut(Schema):
    invitation: InvitationOut
    registrations: list[int]


class DeclineIn(Schema):
    reason: str


@router.get("/{event_id}/invitations", response=list[InvitationOut])
@paginate(PageNumberPagination, page_size=50)
def list_invitations(request: HttpRequest, event_id: int, status: str = ""):  # type: ignore[no-untyped-def]
    event = selectors.event_get(user=request.user, pk=event_id)
    return invitations.invitation_list_for_event(user=request.user, event=event, status=status)


@router.post("/{event_id}/invitations", response={201: list[InvitationOut]})
def create_invitations(request: HttpRequest, event_id: int, payload: SelectionIn):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    event = selectors.event_get(user=request.user, pk=event_id)
    data = payload.dict()
    seats, reply_by = data.pop("seats"), data.pop("reply_by")
    candidates = invitations.invitation_candidates(user=request.user, event=event, **data)
    created = invitations.invitation_create_from_selection(
        actor=request.user, event=event, candidates=[c for c in candidates if not c.already_invited],
        seats=seats, reply_by=reply_by,
    )  # fmt: skip
    return Status(201, created)


@router.get("/invitations/{invitation_id}", response=InvitationOut)
def get_invitation(request: HttpRequest, invitation_id: int):  # type: ignore[no-untyped-def]
    return invitations.invitation_get(user=request.user, pk=invitation_id)


@router.post("/invitations/{invitation_id}/send", response=InvitationOut)
def send_invitation(request: HttpRequest, invitation_id: int):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    invitation = invitations.invitation_get_managed(user=request.user, pk=invitation_id)
    return invitations.invitation_send(actor=request.user, invitation=invitation)


@router.post("/invitations/{invitation_id}/remind", response=InvitationOut)
def remind_invitation(request: HttpRequest, invitation_id: int):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    invitation = invitations.invitation_get_managed(user=request.user, pk=invitation_id)
    return invitations.invitation_remind(actor=request.user, invitation=invitation)


@router.get("/invitations/{invitation_id}/letter.docx")
def letter_docx(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = invitations.invitation_get(user=request.user, pk=invitation_id)
    response = HttpResponse(letters.letter_docx(invitation), content_type=files.DOCX)
    response["Content-Disposition"] = f'attachment; filename="{letters.letter_filename(invitation, "docx")}"'
    return response


@router.get("/invitations/{invitation_id}/letter.pdf")
def letter_pdf(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = invitations.invitation_get(user=request.user, pk=invitation_id)
    response = HttpResponse(letters.letter_pdf(invitation), content_type=files.PDF)
    response["Content-Disposition"] = f'attachment; filename="{letters.letter_filename(invitation, "pdf")}"'
    return response


@router.post("/invitations/{invitation_id}/nominations", response={201: NominatedOut})
def nominate(request: HttpRequest, invitation_id: int, payload: NominationIn):  # type: ignore[no-untyped-def]
    """An NCP of the invited country nominates participants (pending the Secretariat's approval)."""
    require_scope(request, "write")
    invitation = invitations.invitation_get(user=request.user, pk=invitation_id)
    created = nominations.nomination_submit(
        actor=request.user, invitation=invitation, participants=[p.dict() for p in payload.participants]
    )
    fresh = invitations.invitation_get(user=request.user, pk=invitation_id)
    return Status(201, {"invitation": fresh, "registrations": [r.pk for r in created]})


@router.post("/invitations/{invitation_id}/decline", response=InvitationOut)
def decline(request: HttpRequest, invitation_id: int, payload: DeclineIn):  # type: ignore[no-untyped-def]
    require_scope(request, "write")
    invitation = invitations.invitation_get(user=request.user, pk=invitation_id)
    return nominations.nomination_decline(actor=request.user, invitation=invitation, reason=payload.reason)

"""`/api/v1/exchange`: send, reply, inbox, read, acknowledge, correct, withdraw, the history,
receipts and the recipients preview.

The same selectors and services as the pages: a message the caller may not see is a 404; the
body of a withdrawn message (and the texts of its earlier versions) is null for its recipients.
Writes need the `write` scope.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.access import Perm, message_body_visible, require
from shieldhub.core.api import require_scope
from shieldhub.core.pagination import COUNT_CAP
from shieldhub.exchange import selectors, services
from shieldhub.exchange.api_attachments import AttachmentOut, message_attachments
from shieldhub.exchange.choices import CountryRole
from shieldhub.exchange.models import Message
from shieldhub.exchange.services import Distribution

router = Router(tags=["exchange"])


class DistributionIn(Schema):
    communities: list[int] = Field(default_factory=list, description="Community ids.")
    countries: list[str] = Field(default_factory=list, description="ISO codes: the countries' active NCPs.")
    users: list[int] = Field(default_factory=list, description="User ids.")

    def to_distribution(self) -> Distribution:
        return Distribution(communities=self.communities, countries=self.countries, users=self.users)


class CountryIn(Schema):
    country: str
    role: CountryRole


class MessageIn(Schema):
    kind: str = "information"
    subject: str
    body: str
    language: str = "en"
    tlp: str = "amber"
    handling_code: str = ""
    handling_text: str = ""
    source_reliability: str = ""
    information_credibility: str = ""
    releasable_interpol: bool = False
    releasable_unodc: bool = False
    precursors: list[int] = Field(default_factory=list, description="Catalogue item ids.")
    countries: list[CountryIn] = Field(default_factory=list)
    hs_codes: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    deadline: dt.date | None = Field(None, description="Requests for information: default 10 working days.")
    attachments: list[int] = Field(default_factory=list, description="Ids of your uploads (POST /attachments).")
    distribution: DistributionIn

    def data(self) -> dict[str, Any]:
        data = self.dict(exclude={"distribution", "countries", "attachments"})
        data["countries"] = [(c.country, str(c.role)) for c in self.countries]
        return data


class PreviewIn(Schema):
    distribution: DistributionIn
    releasable_interpol: bool = False
    releasable_unodc: bool = False


class ReplyIn(Schema):
    body: str
    subject: str = ""
    tlp: str = ""
    narrow_to: list[int] | None = Field(None, description="User ids to keep; omit to reply to everyone.")


class PersonOut(Schema):
    id: int
    full_name: str
    email: str
    country: str

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return obj.country.code if obj.country else ""


class MessageSummary(Schema):
    id: int
    kind: str
    subject: str
    tlp: str
    status: str
    version: int
    sender: PersonOut
    sender_country: str
    sent_at: dt.datetime | None
    thread_root: int | None = Field(None, alias="thread_root_id")
    in_reply_to: int | None = Field(None, alias="in_reply_to_id")
    read_at: dt.datetime | None = Field(None, alias="my_read_at")
    acknowledged_at: dt.datetime | None = Field(None, alias="my_acknowledged_at")
    deadline: dt.date | None = None
    answer_status: str | None = Field(None, alias="my_answer_status", description="Requests: my answer.")

    @staticmethod
    def resolve_sender_country(obj: Message) -> str:
        return obj.sender_country.code if obj.sender_country else ""


class MessageOut(MessageSummary):
    body: str | None = Field(description="Null for the recipients of a withdrawn message.")
    language: str
    handling_code: str
    handling_text: str
    source_reliability: str
    information_credibility: str
    releasability: list[str]
    hs_codes: list[str]
    tags: list[str]
    precursors: list[str]
    countries: list[dict[str, str]]
    attachments: list[AttachmentOut] = Field(description="Empty for the recipients of a withdrawn message.")

    @staticmethod
    def resolve_body(obj: Message, context: dict[str, Any]) -> str | None:
        user = getattr(context.get("request"), "user", None)
        return obj.body if message_body_visible(user, obj) else None

    @staticmethod
    def resolve_precursors(obj: Message) -> list[str]:
        return [p.code for p in obj.precursors.all()]

    @staticmethod
    def resolve_countries(obj: Message) -> list[dict[str, str]]:
        return [{"country": c.country.code, "role": c.role} for c in obj.countries.all()]

    @staticmethod
    def resolve_attachments(obj: Message, context: dict[str, Any]) -> list[Any]:
        return message_attachments(context.get("request"), obj)


class ReceiptOut(Schema):
    user: PersonOut
    reason: str
    reason_detail: str
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    answer_status: str
    answered_at: dt.datetime | None
    decline_reason: str


class DeclineIn(Schema):
    reason: str


class CorrectIn(Schema):
    subject: str
    body: str
    note: str = Field(..., max_length=500, description="What was corrected (required).")


class WithdrawIn(Schema):
    note: str = Field(..., max_length=500, description="Why the message is withdrawn (required).")


class VersionOut(Schema):
    number: int
    change: str = Field(description="original, correction or withdrawal")
    note: str
    edited_by: PersonOut
    created_at: dt.datetime
    subject: str | None = Field(
        alias="visible_subject", description="The subject at this version; null where the body is hidden."
    )
    body: str | None = Field(
        alias="visible_body",
        description="The text at this version; null for the recipients of a withdrawn message (as its body).",
    )


class ResponseRateOut(Schema):
    country: str
    country_name: str
    total: int
    on_time: int
    late: int
    never: int
    declined: int
    open: int


class InboxFilters(Schema):
    kind: str | None = None
    tlp: str | None = None
    unread: bool | None = None
    community: int | None = None
    country: str | None = None
    precursor: int | None = None
    q: str | None = None
    needs_my_answer: bool | None = None


class BoundedPagination(PageNumberPagination):
    """Page numbers with a count bounded at COUNT_CAP + 1 (as the inbox page): a user receives tens
    of thousands of messages, and a broad search matches as many."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        return {"items": list(queryset[offset : offset + size]), "count": queryset.order_by()[: COUNT_CAP + 1].count()}


def _fresh(request: HttpRequest, pk: int) -> Message:
    return selectors.message_get(user=request.user, pk=pk)


@router.get("/inbox", response=list[MessageSummary])
@paginate(BoundedPagination, page_size=50)
def inbox(request: HttpRequest, filters: Query[InboxFilters]) -> Any:
    """Messages received, newest first. `q` is a full-text search (see `/search`). `count` stops at
    1,001 (more than 1,000)."""
    require(request.user, Perm.EXCHANGE_USE)
    return selectors.inbox_pages(user=request.user, filters=filters.dict(exclude_none=True))


class SearchFilters(InboxFilters):
    q: str = Field(  # type: ignore[assignment]
        ...,
        max_length=500,
        description=(
            'Words (all must match, as prefixes; case and accents ignored), "quoted phrases", '
            "-exclusions and OR. A withdrawn message is searched on its subject, tags and HS codes "
            "only, except by its sender."
        ),
    )
    order: Literal["date", "relevance"] = "date"


@router.get("/search", response=list[MessageSummary])
@paginate(BoundedPagination, page_size=50)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> Any:
    """Full-text search over every message the caller may see: received and sent. `count` stops at
    1,001; by relevance, the newest 1,000 matches are ranked."""
    require(request.user, Perm.EXCHANGE_USE)
    data = filters.dict(exclude_none=True)
    query, order = data.pop("q"), data.pop("order")
    return selectors.message_search(user=request.user, query=query, filters=data, order=order)


@router.post("/messages", response={201: MessageOut})
def send(request: HttpRequest, payload: MessageIn) -> Any:
    require_scope(request, "write")
    message = services.message_send(
        actor=request.user,
        data=payload.data(),
        distribution=payload.distribution.to_distribution(),
        attachments=payload.attachments,
    )
    return Status(201, _fresh(request, message.pk))


@router.get("/messages/{message_id}", response=MessageOut)
def message_detail(request: HttpRequest, message_id: int) -> Any:
    return _fresh(request, message_id)


@router.post("/messages/{message_id}/reply", response={201: MessageOut})
def reply(request: HttpRequest, message_id: int, payload: ReplyIn) -> Any:
    require_scope(request, "write")
    parent = _fresh(request, message_id)
    message = services.message_reply(
        actor=request.user, parent=parent, data=payload.dict(exclude={"narrow_to"}), narrow_to=payload.narrow_to
    )
    return Status(201, _fresh(request, message.pk))


@router.post("/messages/{message_id}/read", response=MessageSummary)
def mark_read(request: HttpRequest, message_id: int) -> Any:
    require_scope(request, "write")
    services.message_mark_read(actor=request.user, message=_fresh(request, message_id))
    return _fresh(request, message_id)


@router.post("/messages/{message_id}/acknowledge", response=MessageSummary)
def acknowledge(request: HttpRequest, message_id: int) -> Any:
    require_scope(request, "write")
    services.message_acknowledge(actor=request.user, message=_fresh(request, message_id))
    return _fresh(request, message_id)


@router.get("/messages/{message_id}/receipts", response=list[ReceiptOut])
def receipts(request: HttpRequest, message_id: int) -> Any:
    result: Any = selectors.message_receipts(user=request.user, message=_fresh(request, message_id))
    return list(result)


@router.post("/recipients/preview", response=list[PersonOut])
def recipients_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    require_scope(request, "write")
    return services.message_recipients_preview(
        actor=request.user, distribution=payload.distribution.to_distribution(), data=payload.dict()
    )


@router.post("/messages/{message_id}/decline", response=MessageSummary)
def decline(request: HttpRequest, message_id: int, payload: DeclineIn) -> Any:
    require_scope(request, "write")
    services.rfi_decline(actor=request.user, message=_fresh(request, message_id), reason=payload.reason)
    return _fresh(request, message_id)


@router.post("/messages/{message_id}/correct", response=MessageOut)
def correct(request: HttpRequest, message_id: int, payload: CorrectIn) -> Any:
    """The sender corrects the subject and text: a new version, unread again for every recipient."""
    require_scope(request, "write")
    message = _fresh(request, message_id)
    services.message_correct(
        actor=request.user, message=message, subject=payload.subject, body=payload.body, note=payload.note
    )
    return _fresh(request, message_id)


@router.post("/messages/{message_id}/withdraw", response=MessageOut)
def withdraw(request: HttpRequest, message_id: int, payload: WithdrawIn) -> Any:
    """The sender withdraws the message: recipients keep the entry, not the text."""
    require_scope(request, "write")
    services.message_withdraw(actor=request.user, message=_fresh(request, message_id), note=payload.note)
    return _fresh(request, message_id)


@router.get("/messages/{message_id}/versions", response=list[VersionOut])
def versions(request: HttpRequest, message_id: int) -> Any:
    """The history, oldest first (at most a few versions, so not paginated)."""
    return list(selectors.message_versions(user=request.user, message=_fresh(request, message_id)))


@router.get("/response-rates", response=list[ResponseRateOut])
def response_rates(request: HttpRequest) -> Any:
    """Per addressee country (at most one row per country, so not paginated)."""
    return selectors.response_rates(user=request.user)


class PendingAnswerOut(Schema):
    """An addressee of a request for information who has not answered: who, when and where only
    (the subject and the text stay with the sender and the recipients)."""

    request: int = Field(validation_alias="message_id")
    sent_at: dt.datetime | None = Field(validation_alias="message__sent_at")
    deadline: dt.date | None = Field(validation_alias="message__deadline")
    escalated_at: dt.datetime | None = Field(validation_alias="message__escalated_at")
    sender_country: str = Field(validation_alias="message__sender_country")
    addressee: str = Field(validation_alias="user__full_name")
    addressee_email: str = Field(validation_alias="user__email")
    addressee_country: str = Field(validation_alias="user__country")
    addressed_as: str = Field(validation_alias="reason")
    status: str = Field(validation_alias="answer_status")
    reminded_at: dt.datetime | None


class PendingAnswerFilters(Schema):
    status: Literal["open", "overdue"] | None = None
    request: int | None = None


@router.get("/response-rates/pending", response=list[PendingAnswerOut])
@paginate(PageNumberPagination, page_size=100)
def pending_answers(request: HttpRequest, filters: Query[PendingAnswerFilters]) -> Any:
    """Open and overdue addressees of requests for information, programme-wide, overdue first
    (the secretariat, as the response rates; the page `/exchange/response-rates/overdue/`)."""
    return selectors.rfi_addressees_pending(user=request.user, status=filters.status, message_id=filters.request)


def _mount_feature_routers() -> None:
    from shieldhub.exchange import api_attachments, api_forwarding, api_moderation, api_notifications

    for feature in (api_attachments, api_forwarding, api_moderation, api_notifications):
        router.add_router("", feature.router)


_mount_feature_routers()

"""`/api/v1/exchange`: forwarding, the forward chain, replies quoting a thread message and the
partner exports (STIX 2.1, MISP). The same services and selectors as the pages: a message the
caller may not see is a 404; a forward or export the rules refuse is a 403 or a 422 saying why."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

router = Router(tags=["exchange"])

# Imported after the router exists: exchange.api mounts this router when it is imported itself.
from shieldhub.core.api import require_scope  # noqa: E402
from shieldhub.exchange import forwarding, partner_export, selectors, services  # noqa: E402
from shieldhub.exchange.api import DistributionIn, MessageOut  # noqa: E402
from shieldhub.exchange.models import Message  # noqa: E402


class ForwardIn(Schema):
    distribution: DistributionIn
    note: str = Field("", description="Markdown, above the quoted message.")
    releasability: list[str] | None = Field(
        None,
        description="Partners (interpol, unodc) the forward stays releasable to: a subset of the message's. "
        "Omit to keep all that the forwarding rules allow.",
    )


class ForwardOut(MessageOut):
    forwarded_from: int | None = Field(None, alias="forwarded_from_id")


class QuotedReplyIn(Schema):
    quote: int = Field(description="Id of the message of the same thread to quote (above the body).")
    body: str = ""
    narrow_to: list[int] | None = Field(None, description="User ids to keep; omit to reply to everyone.")


class LinkOut(Schema):
    """One earlier message of the chain: only `visible` when the caller may not see it."""

    visible: bool
    id: int | None = None
    subject: str | None = None
    sender_country: str | None = None
    sent_at: dt.datetime | None = None


class ForwardSummaryOut(Schema):
    id: int
    subject: str
    status: str
    sender: str
    sender_country: str
    sent_at: dt.datetime | None
    to: list[str]


class ChainOut(Schema):
    forwarded_from: list[LinkOut] = Field(description="The chain upwards, the first message first.")
    forwards: list[ForwardSummaryOut] = Field(description="Forwards of this message the caller may see.")
    forward_allowed: bool
    forward_rule: str = Field(description="Why not, or the rules a forward would follow.")


def _denied(exc: PermissionDenied) -> HttpError:
    return HttpError(403, str(exc) or "You do not have permission to do this.")


def _country(message: Message) -> str:
    return message.sender_country.code if message.sender_country else ""


@router.post("/messages/{message_id}/forward", response={201: ForwardOut})
def forward(request: HttpRequest, message_id: int, payload: ForwardIn) -> Any:
    """Forward a message under the forwarding rules (TLP, handling code); the chain is recorded."""
    require_scope(request, "write")
    message = selectors.message_get(user=request.user, pk=message_id)
    try:
        result = forwarding.message_forward(
            actor=request.user,
            message=message,
            distribution=payload.distribution.to_distribution(),
            note=payload.note,
            releasability=payload.releasability,
        )
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    return Status(201, selectors.message_get(user=request.user, pk=result.pk))


@router.get("/messages/{message_id}/forwards", response=ChainOut)
def forward_chain(request: HttpRequest, message_id: int) -> Any:
    """Where the message came from and where it was forwarded, as far as the caller may see."""
    message = selectors.message_get(user=request.user, pk=message_id)
    chain = forwarding.forward_chain(user=request.user, message=message)
    decision = forwarding.forward_rules(message, request.user)
    return {
        "forwarded_from": [
            {"visible": False}
            if link.message is None
            else {
                "visible": True,
                "id": link.message.pk,
                "subject": link.message.subject,
                "sender_country": _country(link.message),
                "sent_at": link.message.sent_at,
            }
            for link in chain.ancestors
        ],
        "forwards": [
            {
                "id": f.pk,
                "subject": f.subject,
                "status": f.status,
                "sender": str(f.sender),
                "sender_country": _country(f),
                "sent_at": f.sent_at,
                "to": f.targets,  # type: ignore[attr-defined]
            }
            for f in chain.forwards
        ],
        "forward_allowed": decision.allowed,
        "forward_rule": decision.reason,
    }


@router.post("/messages/{message_id}/quoted-reply", response={201: MessageOut})
def quoted_reply(request: HttpRequest, message_id: int, payload: QuotedReplyIn) -> Any:
    """A reply starting with the quote of a message of the same thread, then `body`."""
    require_scope(request, "write")
    parent = selectors.message_get(user=request.user, pk=message_id)
    quote = forwarding.quote_for_reply(user=request.user, message=parent, quote_id=payload.quote)
    body = f"{quote}\n\n{payload.body.strip()}".strip()
    reply = services.message_reply(actor=request.user, parent=parent, data={"body": body}, narrow_to=payload.narrow_to)
    return Status(201, selectors.message_get(user=request.user, pk=reply.pk))


@router.get("/messages/{message_id}/export/{partner}/{export_format}", response=dict[str, Any])
def export(request: HttpRequest, message_id: int, partner: str, export_format: str) -> Any:
    """The message for a partner (`interpol`, `unodc`) as a STIX 2.1 bundle (`stix`) or a MISP
    event (`misp`), personal data removed; audited. Only where releasability and handling allow."""
    message = selectors.message_get(user=request.user, pk=message_id)
    if partner not in partner_export.PARTNERS or export_format not in partner_export.FORMATS:
        raise HttpError(404, "Unknown partner or format.")
    try:
        data = partner_export.export_message(actor=request.user, message=message, partner=partner, fmt=export_format)
    except PermissionDenied as exc:
        raise _denied(exc) from exc
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    filename = partner_export.export_filename(message, partner, export_format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

"""Forwarding and quoting in the secure exchange.

**Who may forward what** (`forward_rules`, checked in this order):

1. Only a sent message is forwarded: not a withdrawn one, nor one awaiting approval or rejected.
2. TLP:RED is never forwarded: it is for the people it was sent to.
3. "No onward sharing without the originator's consent" and "Other restriction": only the
   originator (the sender of the first message of the forward chain) forwards it. Anyone else is
   told why not and may ask the originator in a reply.
4. TLP:AMBER+STRICT: only to people of the forwarder's own country or organisation (same agency;
   for the secretariat, the secretariat).
5. "Customs use only": to customs NCPs and the secretariat only, never to partners (the forward is
   releasable to no partner) or donors.
6. "Not for use in court without consent": forwarded, the restriction travelling with it.

The rules on recipients (4, 5) are checked on the people the distribution resolves to before
sending, and again on the recipients `services.message_send` recorded, in the same transaction (a
breach rolls the forward back).

**What a forward keeps**: TLP, handling code and text, grading, releasability (it may be narrowed,
never widened), precursors, countries involved, HS codes, tags and language. Its subject is
"Fwd: …", its body the forwarder's note followed by the original quoted as a Markdown blockquote
("From X (country), date"), and `forwarded_from` points to the original, so the chain is recorded.
An alert (or special alert) is forwarded as an alert; every other kind as information.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shieldhub.accounts.choices import SECRETARIAT_ROLES, Role
from shieldhub.accounts.models import RoleGrant
from shieldhub.core.access import Perm, has_perm, message_body_visible, messages_visible_q, require
from shieldhub.core.audit import audit_record
from shieldhub.exchange import attachments, selectors, services
from shieldhub.exchange.choices import HandlingCode, MessageKind, MessageStatus, TargetKind, Tlp
from shieldhub.exchange.models import Message, MessageDistribution, MessageRecipient
from shieldhub.exchange.services import Distribution

User = get_user_model()

# A forward chain longer than this is not walked further (it cannot loop: a forward always points
# to an earlier message, but a bound keeps a page's queries bounded).
MAX_CHAIN = 50
PARTNERS = ("interpol", "unodc")


@dataclass(frozen=True)
class ForwardConstraints:
    """What applies to a forward once it is allowed (or, when refused, how to ask)."""

    within_organisation: bool = False  # TLP:AMBER+STRICT
    customs_only: bool = False  # customs NCPs and the secretariat only
    carried: str = ""  # the handling restriction that travels with the forward
    releasability: tuple[str, ...] = ()  # the partners the forward may stay releasable to
    ask_originator: bool = False  # refused for want of consent: the originator may be asked

    def rules(self) -> list[str]:
        """The rules that apply, in words, to show before sending."""
        rules = self.restrictions
        if not self.releasability:
            rules.append(_("The forward is releasable to no partner."))
        return rules

    @property
    def restrictions(self) -> list[str]:
        """The rules that restrict whom a forward reaches (what the message page shows)."""
        rules = []
        if self.within_organisation:
            rules.append(
                _("TLP:AMBER+STRICT: only people of your own country or organisation may receive the forward.")
            )
        if self.customs_only:
            rules.append(
                _(
                    "Customs use only: only customs contact points and the secretariat may receive the forward; never partners."
                )
            )
        if self.carried:
            rules.append(
                _("The restriction travels with the forward: %(restriction)s.") % {"restriction": self.carried}
            )
        return rules


class ForwardDecision(NamedTuple):
    allowed: bool
    reason: str
    constraints: ForwardConstraints


# --- the chain ---------------------------------------------------------------------------------


def ancestor_ids(message: Message) -> list[int]:
    """The messages this one forwards, nearest first (whatever the reader may see)."""
    ids: list[int] = []
    current = message.forwarded_from_id
    while current and current not in ids and len(ids) < MAX_CHAIN:
        ids.append(current)
        current = Message.objects.filter(pk=current).values_list("forwarded_from_id", flat=True).first()
    return ids


def originator_id(message: Message) -> int:
    """The sender of the first message of the forward chain."""
    ancestors = ancestor_ids(message)
    if not ancestors:
        return message.sender_id
    return int(Message.objects.filter(pk=ancestors[-1]).values_list("sender_id", flat=True).get())


@dataclass
class ChainLink:
    """One earlier message of the chain; `message` is None when the reader may not see it."""

    message: Message | None

    @property
    def visible(self) -> bool:
        return self.message is not None


@dataclass
class ForwardChain:
    ancestors: list[ChainLink] = field(default_factory=list)  # the first message first
    forwards: list[Message] = field(default_factory=list)  # this message's forwards, oldest first

    def __bool__(self) -> bool:
        return bool(self.ancestors or self.forwards)


def _targets(forward: Message, *, user: Any) -> list[str]:
    """Whom a forward went to: communities and countries; named people only for its sender."""
    names: list[str] = []
    people = 0
    for target in forward.distribution.all():
        if target.target_kind == TargetKind.USER:
            if forward.sender_id == user.pk:
                names.append(str(target))
            else:
                people += 1
        else:
            names.append(str(target))
    if people:
        names.append(ngettext("%(count)s named person", "%(count)s named people", people) % {"count": people})
    return names


def forward_chain(*, user: Any, message: Message) -> ForwardChain:
    """Where this message came from (walking `forwarded_from` upwards) and where it was forwarded.

    Only links the user may see are shown; an invisible link stays in the chain as "an earlier
    message", with no detail. Forwards of this message are listed when the user may see them.
    """
    selectors.message_get(user=user, pk=message.pk)
    ids = ancestor_ids(message)
    visible = {m.pk: m for m in Message.objects.filter(messages_visible_q(user), pk__in=ids).select_related("sender")}
    ancestors = [ChainLink(visible.get(pk)) for pk in reversed(ids)]
    forwards = list(
        Message.objects.filter(messages_visible_q(user), forwarded_from=message)
        .exclude(status=MessageStatus.DRAFT)
        .select_related("sender")
        .prefetch_related(
            Prefetch("distribution", queryset=MessageDistribution.objects.select_related("community", "user"))
        )
        .order_by("sent_at", "pk")
    )
    for forward in forwards:
        forward.targets = _targets(forward, user=user)  # type: ignore[attr-defined]
    return ForwardChain(ancestors=ancestors, forwards=forwards)


# --- quoting -----------------------------------------------------------------------------------


def quote_markdown(message: Message) -> str:
    """The message as a Markdown blockquote, headed "From X (country), date"."""
    sender = str(message.sender)
    when = formats.date_format(timezone.localtime(message.sent_at), "DATETIME_FORMAT") if message.sent_at else ""
    if message.sender_country:
        head = _("From %(sender)s (%(country)s), %(date)s:") % {
            "sender": sender,
            "country": message.sender_country.name,
            "date": when,
        }
    else:
        head = _("From %(sender)s, %(date)s:") % {"sender": sender, "date": when}
    lines = [f"*{head}*", f"**{message.subject}**", "", *(message.body or "").strip().splitlines()]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def quote_for_reply(*, user: Any, message: Message, quote_id: Any) -> str:
    """The quote of a message of the same thread, to start a reply to `message` with.

    404 when the quoted message is not visible to the user; ValidationError when it is in another
    thread or withdrawn.
    """
    quoted = selectors.message_get(user=user, pk=quote_id)
    if (quoted.thread_root_id or quoted.pk) != (message.thread_root_id or message.pk):
        raise ValidationError({"quote": _("Only a message of the same thread can be quoted.")})
    if quoted.status != MessageStatus.SENT or not message_body_visible(user, quoted):
        raise ValidationError({"quote": _("The text of this message is no longer available.")})
    return quote_markdown(quoted)


def forward_body(message: Message, note: str = "") -> str:
    quote = quote_markdown(message)
    note = (note or "").strip()
    return f"{note}\n\n{quote}" if note else quote


def forward_subject(subject: str) -> str:
    prefix = _("Fwd: %(subject)s") % {"subject": ""}
    text = subject if subject.startswith(prefix) else _("Fwd: %(subject)s") % {"subject": subject}
    return text[:200]


# --- the rules ---------------------------------------------------------------------------------


def forward_rules(message: Message, actor: Any) -> ForwardDecision:
    """May the actor forward this message, and under which constraints? (See the module docstring.)

    The caller has checked that the actor may see the message (`selectors.message_get`).
    """
    none = ForwardConstraints()
    if not has_perm(actor, Perm.EXCHANGE_USE):
        return ForwardDecision(False, _("You do not use the exchange."), none)
    if message.status == MessageStatus.WITHDRAWN:
        return ForwardDecision(False, _("A withdrawn message cannot be forwarded."), none)
    if message.status != MessageStatus.SENT:
        return ForwardDecision(False, _("Only a sent message can be forwarded."), none)
    if message.tlp == Tlp.RED:
        return ForwardDecision(
            False, _("TLP:RED information stays with the people it was sent to: it is never forwarded."), none
        )
    code = message.handling_code
    if code in (HandlingCode.NO_ONWARD_SHARING, HandlingCode.OTHER) and originator_id(message) != actor.pk:
        if code == HandlingCode.NO_ONWARD_SHARING:
            reason = _("The originator has not consented to onward sharing: only they may forward this message.")
        else:
            reason = _("This message carries a restriction (%(restriction)s): only its originator may forward it.") % {
                "restriction": message.handling_text
            }
        return ForwardDecision(False, reason, ForwardConstraints(ask_originator=True))
    customs_only = code == HandlingCode.CUSTOMS_ONLY
    carried = ""
    if code == HandlingCode.OTHER:
        carried = message.handling_text
    elif code:
        carried = str(message.get_handling_code_display())
    constraints = ForwardConstraints(
        within_organisation=message.tlp == Tlp.AMBER_STRICT,
        customs_only=customs_only,
        carried=carried,
        releasability=() if customs_only else tuple(message.releasability),
    )
    return ForwardDecision(True, " ".join(constraints.rules()), constraints)


def _roles_by_user(ids: list[int]) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {pk: set() for pk in ids}
    for user_id, role in RoleGrant.objects.filter(user_id__in=ids).values_list("user_id", "role"):
        roles[user_id].add(role)
    return roles


def _code(country: Any) -> str:
    return str(getattr(country, "code", country) or "")


def _check_recipients(actor: Any, constraints: ForwardConstraints, users: list[Any]) -> None:
    """Refuse a distribution that reaches someone the rules keep out."""
    if not users or not (constraints.within_organisation or constraints.customs_only):
        return
    roles = _roles_by_user([u.pk for u in users] + [actor.pk])
    if constraints.within_organisation:
        country = _code(actor.country)
        secretariat = bool(roles[actor.pk] & SECRETARIAT_ROLES)

        def inside(user: Any) -> bool:
            return bool(
                (country and _code(user.country) == country)
                or (actor.agency_id and user.agency_id == actor.agency_id)
                or (secretariat and roles[user.pk] & SECRETARIAT_ROLES)
            )

        outside = [u for u in users if not inside(u)]
        if outside:
            raise ValidationError(
                {
                    "distribution": _(
                        "TLP:AMBER+STRICT: only people of your own country or organisation may receive it. "
                        "Outside it: %(people)s."
                    )
                    % {"people": ", ".join(str(u) for u in outside)}
                }
            )
    if constraints.customs_only:
        barred = [u for u in users if Role.PARTNER in roles[u.pk] or not roles[u.pk] & (SECRETARIAT_ROLES | {Role.NCP})]
        if barred:
            raise ValidationError(
                {
                    "distribution": _(
                        "Customs use only: only customs contact points and the secretariat may receive it, not %(people)s."
                    )
                    % {"people": ", ".join(str(u) for u in barred)}
                }
            )


def _releasability(constraints: ForwardConstraints, wanted: Any) -> list[str]:
    if wanted is None:
        return list(constraints.releasability)
    wanted = [str(p) for p in wanted]
    unknown = [p for p in wanted if p not in PARTNERS]
    if unknown:
        raise ValidationError({"releasability": _("Unknown partner: %(names)s.") % {"names": ", ".join(unknown)}})
    if not set(wanted) <= set(constraints.releasability):
        raise ValidationError(
            {"releasability": _("A forward cannot be releasable more widely than the message it forwards.")}
        )
    return [p for p in PARTNERS if p in wanted]


def _forward_data(actor: Any, message: Message, *, note: str, releasability: list[str]) -> dict[str, Any]:
    from shieldhub.reference.selectors import catalogue_list

    # Precursors the forwarder's catalogue no longer lists (retired items) are left out.
    precursors = catalogue_list(user=actor).filter(pk__in=message.precursors.values("pk")).values_list("pk", flat=True)
    kind = (
        MessageKind.ALERT if message.kind in (MessageKind.ALERT, MessageKind.SPECIAL_ALERT) else MessageKind.INFORMATION
    )
    return {
        "kind": kind,
        "subject": forward_subject(message.subject),
        "body": forward_body(message, note),
        "language": message.language,
        "tlp": message.tlp,
        "handling_code": message.handling_code,
        "handling_text": message.handling_text,
        "source_reliability": message.source_reliability,
        "information_credibility": message.information_credibility,
        "releasable_interpol": "interpol" in releasability,
        "releasable_unodc": "unodc" in releasability,
        "precursors": list(precursors),
        "countries": [(_code(c.country), c.role) for c in message.countries.all()],
        "hs_codes": list(message.hs_codes or []),
        "tags": list(message.tags or []),
    }


def _allowed(actor: Any, message: Message) -> tuple[Message, ForwardConstraints]:
    require(actor, Perm.EXCHANGE_USE)
    original = selectors.message_get(user=actor, pk=message.pk)
    decision = forward_rules(original, actor)
    if not decision.allowed:
        if original.status != MessageStatus.SENT:
            raise ValidationError(decision.reason)
        raise PermissionDenied(decision.reason)
    return original, decision.constraints


def forward_recipients_preview(
    *, actor: Any, message: Message, distribution: Distribution, releasability: list[str] | None = None
) -> list[Any]:
    """Who would receive the forward; ValidationError when the rules keep one of them out."""
    _original, constraints = _allowed(actor, message)
    keep = _releasability(constraints, releasability)
    data = {"releasable_interpol": "interpol" in keep, "releasable_unodc": "unodc" in keep}
    users = services.message_recipients_preview(actor=actor, distribution=distribution, data=data)
    _check_recipients(actor, constraints, users)
    return users


def check_forward_delivery(*, message: Message, users: list[Any]) -> None:
    """Refuse to deliver a forward to someone its rules keep out (ValidationError).

    For a forward delivered later than it was written (held for moderation, then approved): the
    recipients are resolved again at approval and must still be within the rules.
    """
    if message.forwarded_from_id is None:
        return
    constraints = ForwardConstraints(
        within_organisation=message.tlp == Tlp.AMBER_STRICT,
        customs_only=message.handling_code == HandlingCode.CUSTOMS_ONLY,
    )
    _check_recipients(message.sender, constraints, users)


@transaction.atomic
def message_forward(
    *,
    actor: Any,
    message: Message,
    distribution: Distribution,
    note: str = "",
    releasability: list[str] | None = None,
) -> Message:
    """Forward a message to a new distribution, under `forward_rules`; the chain is recorded.

    ``releasability`` narrows the partners the forward stays releasable to (None keeps all that
    the rules allow). 404 when the actor may not see the message; PermissionDenied (with the reason)
    when the rules refuse; ValidationError for a withdrawn message or a distribution the rules
    keep out.
    """
    original, constraints = _allowed(actor, message)
    keep = _releasability(constraints, releasability)
    data = _forward_data(actor, original, note=note, releasability=keep)
    users = services.message_recipients_preview(actor=actor, distribution=distribution, data=data)
    _check_recipients(actor, constraints, users)
    forward = services.message_send(actor=actor, data=data, distribution=distribution, forwarded_from=original)
    recorded = list(User.objects.filter(pk__in=MessageRecipient.objects.filter(message=forward).values("user_id")))
    _check_recipients(actor, constraints, recorded)
    copied = attachments.attachments_copy(actor=actor, source=original, target=forward)
    audit_record(
        actor=actor,
        action="exchange.message_forward",
        obj=forward,
        extra={
            "forwarded_from": original.pk,
            "chain": [forward.pk, original.pk, *ancestor_ids(original)],
            "recipients": len(recorded),
            "releasability": keep,
            "within_organisation": constraints.within_organisation,
            "customs_only": constraints.customs_only,
            "note": bool(note.strip()),
            "attachments": [a.pk for a in copied],
            "status": forward.status,
        },
    )
    return forward

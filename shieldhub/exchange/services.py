"""Every write to the secure exchange.

Each service checks the actor's permission, validates (`full_clean`), writes inside
`transaction.atomic()` and appends an audit entry in the same transaction. Recipients are resolved
when a message is sent and recorded (`MessageRecipient`), with one `bulk_create` for the fan-out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.accounts.choices import Role
from shieldhub.accounts.models import RoleGrant
from shieldhub.core.access import ROLE_PERMISSIONS, Perm, communities_visible_q, has_perm, require, user_country
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.directory.choices import MembershipRole
from shieldhub.directory.models import Community, Membership
from shieldhub.exchange.choices import (
    ACKNOWLEDGED_KINDS,
    TLP_ORDER,
    CountryRole,
    HandlingCode,
    MessageKind,
    MessageStatus,
    RecipientReason,
    TargetKind,
    VersionKind,
)
from shieldhub.exchange.deadlines import default_deadline
from shieldhub.exchange.models import (
    PENDING_ANSWER,
    AnswerStatus,
    Message,
    MessageCountry,
    MessageDistribution,
    MessageRecipient,
    MessageVersion,
)

User = get_user_model()

MESSAGE_WRITABLE = frozenset(
    {
        "kind",
        "subject",
        "body",
        "language",
        "tlp",
        "handling_code",
        "handling_text",
        "source_reliability",
        "information_credibility",
        "releasable_interpol",
        "releasable_unodc",
        "hs_codes",
        "tags",
    }
)
_HS = re.compile(r"^\d{4}(\.?\d{2}){0,3}$")
_MAX_TAG = 50


@dataclass
class Distribution:
    """What the sender chose: community ids, ISO country codes (their NCPs), user ids."""

    communities: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    users: list[int] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.communities or self.countries or self.users)


@dataclass
class _Resolved:
    users: list[Any]
    reasons: dict[int, tuple[str, str]]
    communities: list[Community]
    countries: list[str]
    people: list[Any]


def _exchange_roles() -> list[str]:
    return [str(role) for role, perms in ROLE_PERMISSIONS.items() if Perm.EXCHANGE_USE in perms]


def _eligible_users(*, releasability: list[str]) -> Any:
    """Active users who may use the exchange; partners only where the releasability names them."""
    qs = User.objects.filter(is_active=True, role_grants__role__in=_exchange_roles()).distinct()
    barred_partners = RoleGrant.objects.filter(role=Role.PARTNER).exclude(user__partner_organisation__in=releasability)
    return qs.exclude(pk__in=barred_partners.values("user_id"))


def read_only_error(communities: list[Community]) -> ValidationError:
    """The refusal for a community that takes no new message (an ended operation, an archive)."""
    names = ", ".join(f"“{c}”" for c in communities)
    return ValidationError(
        {
            "communities": _(
                "%(names)s is closed (the operation has ended or the community is archived): its messages "
                "can still be read, but no new message or reply can be sent to it."
            )
            % {"names": names}
        }
    )


def _resolve(*, actor: Any, distribution: Distribution, releasability: list[str], on_behalf: bool = False) -> _Resolved:
    """Who receives a message sent by ``actor`` now. ``on_behalf``: a moderator approves it."""
    errors: dict[str, list[Any]] = {}
    community_ids = sorted(set(distribution.communities))
    communities = list(Community.objects.filter(communities_visible_q(actor), pk__in=community_ids).order_by("name"))
    if len(communities) != len(community_ids):
        errors.setdefault("communities", []).append(
            _("The sender can no longer send to one of these communities.")
            if on_behalf
            else _("You cannot send to one of these communities.")
        )
    closed = [c for c in communities if c.is_read_only]
    if closed:
        errors.setdefault("communities", []).extend(read_only_error(closed).message_dict["communities"])
    codes = sorted({str(c).strip().upper() for c in distribution.countries if str(c).strip()})
    unknown = [c for c in codes if c not in country_registry]
    if unknown:
        errors.setdefault("countries", []).append(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
    eligible = _eligible_users(releasability=releasability)
    user_ids = sorted(set(distribution.users))
    people = list(eligible.filter(pk__in=user_ids).order_by("email"))
    if len(people) != len(user_ids):
        errors.setdefault("users", []).append(_("One of these people cannot receive messages."))
    if errors:
        raise ValidationError(errors)

    reasons: dict[int, tuple[str, str]] = {}
    # A named person first, then a country, then a community: the most specific reason is kept.
    for person in people:
        reasons.setdefault(person.pk, (RecipientReason.USER, ""))
    if codes:
        ncps = eligible.filter(role_grants__role=Role.NCP, country__in=codes).values_list("pk", "country")
        for pk, code in ncps:
            reasons.setdefault(pk, (RecipientReason.COUNTRY, str(code)))
    if communities:
        names = {c.pk: c.name for c in communities}
        members = (
            Membership.objects.filter(community__in=communities, user__in=eligible)
            .order_by("community__name")
            .values_list("user_id", "community_id")
        )
        for pk, community_id in members:
            reasons.setdefault(pk, (RecipientReason.COMMUNITY, names[community_id]))
    reasons.pop(actor.pk, None)
    users = list(User.objects.filter(pk__in=list(reasons)).order_by("full_name", "email"))
    return _Resolved(users=users, reasons=reasons, communities=communities, countries=codes, people=people)


def _releasability(data: dict[str, Any]) -> list[str]:
    return [org for org, key in (("interpol", "releasable_interpol"), ("unodc", "releasable_unodc")) if data.get(key)]


def message_recipients_preview(
    *, actor: Any, distribution: Distribution, data: dict[str, Any] | None = None
) -> list[Any]:
    """Exactly who would receive a message sent now to this distribution (the sender excluded)."""
    return message_distribution_preview(actor=actor, distribution=distribution, data=data)[0]


def message_distribution_preview(
    *, actor: Any, distribution: Distribution, data: dict[str, Any] | None = None
) -> tuple[list[Any], list[Community]]:
    """Who would receive a message sent now (the sender excluded), and the communities whose
    moderators would have to approve it first (empty when it would be sent at once)."""
    require(actor, Perm.EXCHANGE_USE)
    resolved = _resolve(actor=actor, distribution=distribution, releasability=_releasability(data or {}))
    return resolved.users, held_for_moderation(actor, resolved.communities)


# --- validation helpers --------------------------------------------------------------------------


def _clean_codes(value: Any) -> list[str]:
    codes = []
    for item in value or []:
        code = str(item).strip()
        if not code:
            continue
        if not _HS.match(code):
            raise ValidationError({"hs_codes": _("“%(value)s” is not an HS code.") % {"value": code}})
        codes.append(code)
    return list(dict.fromkeys(codes))


def _clean_tags(value: Any) -> list[str]:
    tags = []
    for item in value or []:
        tag = str(item).strip()
        if not tag:
            continue
        if len(tag) > _MAX_TAG:
            raise ValidationError({"tags": _("A tag is at most 50 characters long.")})
        tags.append(tag)
    return list(dict.fromkeys(tags))


def _clean_countries(value: Any) -> list[tuple[str, str]]:
    pairs = []
    roles = set(CountryRole.values)
    for item in value or []:
        code, role = (str(item[0]).strip().upper(), str(item[1]))
        if code not in country_registry or role not in roles:
            raise ValidationError({"countries": _("Unknown country or role: %(value)s.") % {"value": f"{code} {role}"}})
        pairs.append((code, role))
    return list(dict.fromkeys(pairs))


def _apply(message: Message, data: dict[str, Any]) -> None:
    unknown = set(data) - MESSAGE_WRITABLE - {"precursors", "countries", "deadline"}
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key in MESSAGE_WRITABLE & set(data):
        value = data[key]
        if key == "hs_codes":
            value = _clean_codes(value)
        elif key == "tags":
            value = _clean_tags(value)
        elif value is None:
            continue
        setattr(message, key, value)


def _validate(message: Message, actor: Any) -> None:
    message.full_clean(exclude=["sender", "thread_root", "in_reply_to"])
    if message.kind == MessageKind.SPECIAL_ALERT and not has_perm(actor, Perm.EXCHANGE_SPECIAL_ALERT):
        raise ValidationError({"kind": _("Only the secretariat sends special alerts.")})
    if message.handling_code == HandlingCode.OTHER and not message.handling_text.strip():
        raise ValidationError({"handling_text": _("Describe the restriction.")})


def _audit_state(message: Message) -> dict[str, Any]:
    return snapshot(message)


def _record_recipients(message: Message, resolved: _Resolved) -> None:
    MessageRecipient.objects.bulk_create(
        [
            MessageRecipient(
                message=message,
                user_id=user.pk,
                reason=resolved.reasons[user.pk][0],
                reason_detail=resolved.reasons[user.pk][1],
                sent_at=message.sent_at,  # the inbox orders by it (MessageRecipient.sent_at)
                kind=message.kind,  # and filters by it (MessageRecipient.kind)
            )
            for user in resolved.users
        ],
        batch_size=500,
    )


def _precursors(actor: Any, ids: Any) -> list[Any]:
    from shieldhub.reference.selectors import catalogue_list

    wanted = {int(i) for i in ids or []}
    found = list(catalogue_list(user=actor).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"precursors": _("Unknown precursor.")})
    return found


# --- sending and replying ------------------------------------------------------------------------


def _on_delivered(message: Message) -> None:
    """Once the transaction commits, hand the message to the background fan-out (emails)."""
    from shieldhub.exchange import notifications

    pk = message.pk
    transaction.on_commit(lambda: notifications.message_delivered(pk))


def held_for_moderation(actor: Any, communities: list[Community]) -> list[Community]:
    """The communities of a distribution whose moderators must approve ``actor``'s message.

    A community that requires moderation holds the message unless the sender moderates it. The
    moderator role is held on the community (``Membership.role``): no role of the secretariat
    moderates by itself, so that moderation stays an appointment visible on the community page.
    """
    moderated = [c for c in communities if c.requires_moderation]
    if not moderated:
        return []
    mine = set(
        Membership.objects.filter(user=actor, role=MembershipRole.MODERATOR, community__in=moderated).values_list(
            "community_id", flat=True
        )
    )
    return [c for c in moderated if c.pk not in mine]


def _record_distribution(message: Message, resolved: _Resolved) -> None:
    """What the sender chose, as targets (recorded at submission, whatever the moderation)."""
    MessageDistribution.objects.bulk_create(
        [
            MessageDistribution(message=message, target_kind=TargetKind.COMMUNITY, community=c)
            for c in resolved.communities
        ]
        + [MessageDistribution(message=message, target_kind=TargetKind.COUNTRY, country=c) for c in resolved.countries]
        + [MessageDistribution(message=message, target_kind=TargetKind.USER, user=u) for u in resolved.people]
    )


def stored_distribution(message: Message) -> Distribution:
    """The distribution recorded for a message (what its sender chose)."""
    rows = list(MessageDistribution.objects.filter(message=message).values_list("target_kind", "community_id",
                                                                                  "country", "user_id"))  # fmt: skip
    return Distribution(
        communities=[c for kind, c, _country, _u in rows if kind == TargetKind.COMMUNITY and c],
        countries=[str(code) for kind, _c, code, _u in rows if kind == TargetKind.COUNTRY and code],
        users=[u for kind, _c, _country, u in rows if kind == TargetKind.USER and u],
    )


def record_delivery(*, message: Message, resolved: _Resolved, now: Any) -> None:
    """Send time: record the recipients resolved now, open the requests, write version 1.

    Shared by a direct send and by a moderator's approval (which is the send time of a message
    that waited). The caller has set the status and ``sent_at`` and saved the message.
    """
    _record_recipients(message, resolved)
    if message.kind == MessageKind.RFI:
        MessageRecipient.objects.filter(message=message).update(answer_status=AnswerStatus.OPEN)
    if not MessageVersion.objects.filter(message=message, number=1).exists():
        MessageVersion.objects.create(
            message=message,
            number=1,
            subject=message.subject,
            body=message.body,
            change=VersionKind.ORIGINAL,
            edited_by_id=message.sender_id,
            created_at=now,
        )


def delivery_extra(message: Message, resolved: _Resolved) -> dict[str, Any]:
    """What the audit entry of a delivery records besides the message's fields."""
    return {
        "recipients": len(resolved.users),
        "communities": [c.pk for c in resolved.communities],
        "countries": resolved.countries,
        "users": [u.pk for u in resolved.people],
        "deadline": message.deadline.isoformat() if message.deadline else None,
    }


def resolve_stored(message: Message) -> _Resolved:
    """The recipients a waiting message would reach if it were sent now, on behalf of its sender."""
    sender = message.sender
    if not has_perm(sender, Perm.EXCHANGE_USE):
        raise ValidationError(_("The sender can no longer use the exchange: this message cannot be sent."))
    resolved = _resolve(
        actor=sender, distribution=stored_distribution(message), releasability=message.releasability, on_behalf=True
    )
    if not resolved.users:
        raise ValidationError({"distribution": _("Nobody would receive this message.")})
    return resolved


@transaction.atomic
def message_send(
    *,
    actor: Any,
    data: dict[str, Any],
    distribution: Distribution,
    attachments: list[int] | tuple[int, ...] = (),
    forwarded_from: Message | None = None,
    operation_data: dict[str, Any] | None = None,
) -> Message:
    """Validate, resolve and record the recipients, write version 1 and send.

    When the distribution includes a community that requires moderation and the sender does not
    moderate it (`held_for_moderation`), the message is submitted instead: saved as ``pending``
    with its distribution, but no recipient is recorded and nobody is notified until a moderator
    approves it (`moderation.message_approve`), which is then its send time.

    ``attachments`` are ids of the actor's own unsent uploads; ``forwarded_from`` is set by
    `forwarding.message_forward`, ``operation_data`` by `operations.operation_report_send`.
    """
    from shieldhub.exchange import attachments as attachment_service

    require(actor, Perm.EXCHANGE_USE)
    message = Message(sender=actor, sender_country=user_country(actor) or "")
    message.forwarded_from = forwarded_from
    message.operation_data = operation_data or {}
    _apply(message, data)
    _validate(message, actor)
    precursors = _precursors(actor, data.get("precursors"))
    involved = _clean_countries(data.get("countries"))
    if distribution.is_empty():
        raise ValidationError({"distribution": _("Choose at least one community, country or person.")})
    resolved = _resolve(actor=actor, distribution=distribution, releasability=message.releasability)
    if not resolved.users:
        raise ValidationError({"distribution": _("Nobody would receive this message.")})
    held = held_for_moderation(actor, resolved.communities)
    now = timezone.now()
    deadline = _rfi_deadline(message, data.get("deadline"), today=timezone.localdate(now))
    # A request that waits for approval gets its default deadline when it is approved (sent).
    message.deadline = None if held and not data.get("deadline") else deadline
    message.status = MessageStatus.PENDING if held else MessageStatus.SENT
    message.sent_at = None if held else now
    message.version = 1
    message.save()
    linked = attachment_service.attachments_link(actor=actor, message=message, ids=list(attachments))
    message.precursors.set(precursors)
    MessageCountry.objects.bulk_create(
        [MessageCountry(message=message, country=code, role=role) for code, role in involved]
    )
    _record_distribution(message, resolved)
    extra = {
        **delivery_extra(message, resolved),
        "precursors": [p.pk for p in precursors],
        "attachments": [a.pk for a in linked],
        "forwarded_from": forwarded_from.pk if forwarded_from else None,
    }
    if held:
        extra.pop("recipients")
        audit_record(
            actor=actor,
            action="exchange.message_submit",
            obj=message,
            changes=diff(None, _audit_state(message)),
            extra={**extra, "moderated_communities": [c.pk for c in held]},
        )
        return message
    record_delivery(message=message, resolved=resolved, now=now)
    audit_record(
        actor=actor,
        action="exchange.message_send",
        obj=message,
        changes=diff(None, _audit_state(message)),
        extra=extra,
    )
    _on_delivered(message)
    return message


def _rfi_deadline(message: Message, value: Any, *, today: Any) -> Any:
    """The deadline of a request for information: the one chosen, or the default in working days."""
    if message.kind != MessageKind.RFI:
        if value:
            raise ValidationError({"deadline": _("Only a request for information has a deadline.")})
        return None
    if not value:
        return default_deadline(today)
    if isinstance(value, str):
        from django.utils.dateparse import parse_date

        try:
            value = parse_date(value)
        except ValueError:
            value = None
        if value is None:
            raise ValidationError({"deadline": _("Enter a valid date.")})
    if value < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    return value


def _require_visible(actor: Any, message: Message) -> None:
    from shieldhub.exchange.selectors import message_get

    message_get(user=actor, pk=message.pk)


@transaction.atomic
def message_reply(*, actor: Any, parent: Message, data: dict[str, Any], narrow_to: list[int] | None = None) -> Message:
    """A reply to the parent's recipients and sender (minus the replier), or to a subset of them."""
    require(actor, Perm.EXCHANGE_USE)
    _require_visible(actor, parent)
    if parent.status != MessageStatus.SENT:
        raise ValidationError(_("A withdrawn message cannot be answered."))
    closed = closed_communities(parent)
    if closed:
        raise read_only_error(closed)
    audience = set(MessageRecipient.objects.filter(message=parent).values_list("user_id", flat=True))
    audience.add(parent.sender_id)
    if narrow_to is not None:
        keep = {int(pk) for pk in narrow_to}
        if not keep <= audience:
            raise ValidationError({"narrow_to": _("A reply stays within the original distribution.")})
        audience = keep
    audience.discard(actor.pk)
    releasability = parent.releasability
    users = list(_eligible_users(releasability=releasability).filter(pk__in=audience).order_by("full_name", "email"))
    if not users:
        raise ValidationError({"narrow_to": _("Nobody would receive this reply.")})
    tlp = data.get("tlp") or parent.tlp
    if TLP_ORDER.index(tlp) < TLP_ORDER.index(parent.tlp):
        raise ValidationError({"tlp": _("A reply cannot carry a less restrictive TLP than the message it answers.")})
    subject = (data.get("subject") or "").strip() or _("Re: %(subject)s") % {"subject": parent.subject}
    message = Message(
        kind=MessageKind.INFORMATION,
        subject=str(subject)[:200],
        body=data.get("body") or "",
        language=data.get("language") or parent.language,
        tlp=tlp,
        handling_code=parent.handling_code,
        handling_text=parent.handling_text,
        source_reliability=data.get("source_reliability") or "",
        information_credibility=data.get("information_credibility") or "",
        releasable_interpol=parent.releasable_interpol,
        releasable_unodc=parent.releasable_unodc,
        sender=actor,
        sender_country=user_country(actor) or "",
        thread_root_id=parent.thread_root_id or parent.pk,
        in_reply_to=parent,
    )
    _validate(message, actor)
    now = timezone.now()
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.save()
    resolved = _Resolved(
        users=users,
        reasons={u.pk: (RecipientReason.THREAD, "") for u in users},
        communities=[],
        countries=[],
        people=users,
    )
    _record_distribution(message, resolved)
    record_delivery(message=message, resolved=resolved, now=now)
    audit_record(
        actor=actor,
        action="exchange.message_reply",
        obj=message,
        changes=diff(None, _audit_state(message)),
        extra={"in_reply_to": parent.pk, "recipients": len(users), "narrowed": narrow_to is not None},
    )
    _rfi_mark_answered(actor=actor, parent=parent, reply=message, now=now)
    _on_delivered(message)
    return message


def closed_communities(message: Message) -> list[Community]:
    """The read-only communities (ended operations, archives) the thread of this message went to.

    A thread started in such a community takes no more replies.
    """
    ids = {message.pk, message.thread_root_id or message.pk}
    targets = MessageDistribution.objects.filter(message_id__in=ids, community__isnull=False)
    communities = Community.objects.filter(pk__in=targets.values("community_id")).order_by("name")
    return [c for c in communities if c.is_read_only]


def _rfi_mark_answered(*, actor: Any, parent: Message, reply: Message, now: Any) -> None:
    """A reply by an addressee in the thread of a request for information answers it for them."""
    root_id = parent.thread_root_id or parent.pk
    root = parent if parent.pk == root_id else Message.objects.filter(pk=root_id).first()
    if root is None or root.kind != MessageKind.RFI:
        return
    receipt = (
        MessageRecipient.objects.select_for_update()
        .filter(message=root, user=actor, answer_status__in=PENDING_ANSWER)
        .first()
    )
    if receipt is None:
        return
    before = snapshot(receipt, ["answer_status", "answered_at"])
    receipt.answer_status = AnswerStatus.ANSWERED
    receipt.answered_at = now
    receipt.save(update_fields=["answer_status", "answered_at"])
    audit_record(
        actor=actor,
        action="exchange.rfi_answer",
        obj=root,
        changes=diff(before, snapshot(receipt, ["answer_status", "answered_at"])),
        extra={"reply": reply.pk, "late": bool(root.deadline and timezone.localdate(now) > root.deadline)},
    )


# --- receipts ------------------------------------------------------------------------------------


def _own_receipt(actor: Any, message: Message) -> MessageRecipient:
    _require_visible(actor, message)
    receipt = MessageRecipient.objects.select_for_update().filter(message=message, user=actor).first()
    if receipt is None:
        raise PermissionDenied
    return receipt


@transaction.atomic
def message_mark_read(*, actor: Any, message: Message) -> bool:
    """Record the first reading by a recipient. True when it was unread."""
    require(actor, Perm.EXCHANGE_USE)
    _require_visible(actor, message)
    receipt = MessageRecipient.objects.select_for_update().filter(message=message, user=actor).first()
    if receipt is None or receipt.read_at is not None:
        return False
    receipt.read_at = timezone.now()
    receipt.save(update_fields=["read_at"])
    audit_record(actor=actor, action="exchange.message_read", obj=message, extra={"version": message.version})
    return True


@transaction.atomic
def message_acknowledge(*, actor: Any, message: Message) -> MessageRecipient:
    """A recipient confirms an alert was received (reading it too)."""
    require(actor, Perm.EXCHANGE_USE)
    receipt = _own_receipt(actor, message)
    if message.kind not in ACKNOWLEDGED_KINDS:
        raise ValidationError(_("Only alerts are acknowledged."))
    if message.status != MessageStatus.SENT:
        raise ValidationError(_("A withdrawn message cannot be acknowledged."))
    if receipt.acknowledged_at is not None:
        return receipt
    now = timezone.now()
    receipt.acknowledged_at = now
    receipt.read_at = receipt.read_at or now
    receipt.save(update_fields=["acknowledged_at", "read_at"])
    audit_record(actor=actor, action="exchange.message_acknowledge", obj=message, extra={"version": message.version})
    return receipt


@transaction.atomic
def rfi_decline(*, actor: Any, message: Message, reason: str) -> MessageRecipient:
    """An addressee declines to answer a request for information, saying why."""
    require(actor, Perm.EXCHANGE_USE)
    receipt = _own_receipt(actor, message)
    if message.kind != MessageKind.RFI:
        raise ValidationError(_("Only a request for information can be declined."))
    if message.status != MessageStatus.SENT:
        raise ValidationError(_("A withdrawn message cannot be declined."))
    if receipt.answer_status not in PENDING_ANSWER:
        raise ValidationError(_("You have already answered or declined this request."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you decline the request.")})
    before = snapshot(receipt, ["answer_status", "decline_reason"])
    receipt.answer_status = AnswerStatus.DECLINED
    receipt.decline_reason = reason.strip()
    receipt.read_at = receipt.read_at or timezone.now()
    receipt.full_clean(exclude=["message", "user"])
    receipt.save(update_fields=["answer_status", "decline_reason", "read_at"])
    audit_record(
        actor=actor,
        action="exchange.rfi_decline",
        obj=message,
        changes=diff(before, snapshot(receipt, ["answer_status", "decline_reason"])),
    )
    return receipt


# --- corrections and withdrawals -----------------------------------------------------------------


def _require_sender(actor: Any, message: Message) -> None:
    require(actor, Perm.EXCHANGE_USE)
    _require_visible(actor, message)
    if message.sender_id != actor.pk:
        raise PermissionDenied
    if message.status != MessageStatus.SENT:
        raise ValidationError(_("This message has been withdrawn."))


def _new_version(*, actor: Any, message: Message, change: str, note: str) -> MessageVersion:
    message.version += 1
    version = MessageVersion.objects.create(
        message=message,
        number=message.version,
        subject=message.subject,
        body=message.body,
        change=change,
        note=note,
        edited_by=actor,
    )
    # Everyone who received the original sees it again as unread.
    MessageRecipient.objects.filter(message=message).update(read_at=None)
    return version


def _on_changed(message: Message, change: str) -> None:
    """Once committed, tell those who were emailed about the message that it changed (no body)."""
    from shieldhub.exchange import notifications

    pk = message.pk
    transaction.on_commit(lambda: notifications.message_changed(pk, change))


@transaction.atomic
def message_correct(*, actor: Any, message: Message, subject: str, body: str, note: str = "") -> Message:
    """The sender corrects the text: a new version; recipients see it as unread again."""
    _require_sender(actor, message)
    closed = closed_communities(message)
    if closed:  # an ended operation's record stays as it was (a withdrawal is still possible)
        raise read_only_error(closed)
    message = Message.objects.select_for_update().get(pk=message.pk)
    before = snapshot(message, ["subject", "body", "version"])
    message.subject = subject.strip()
    message.body = body
    _validate(message, actor)
    if not note.strip():
        raise ValidationError({"note": _("Say what was corrected.")})
    _new_version(actor=actor, message=message, change=VersionKind.CORRECTION, note=note.strip())
    message.save(update_fields=["subject", "body", "version"])
    audit_record(
        actor=actor,
        action="exchange.message_correct",
        obj=message,
        changes=diff(before, snapshot(message, ["subject", "body", "version"])),
        extra={"note": note.strip()},
    )
    _on_changed(message, "correction")
    return message


@transaction.atomic
def message_withdraw(*, actor: Any, message: Message, note: str) -> Message:
    """The sender withdraws the message: recipients keep the entry, not the body."""
    _require_sender(actor, message)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not note.strip():
        raise ValidationError({"note": _("Say why the message is withdrawn.")})
    before = snapshot(message, ["status", "version"])
    message.status = MessageStatus.WITHDRAWN
    _new_version(actor=actor, message=message, change=VersionKind.WITHDRAWAL, note=note.strip())
    message.save(update_fields=["status", "version"])
    audit_record(
        actor=actor,
        action="exchange.message_withdraw",
        obj=message,
        changes=diff(before, snapshot(message, ["status", "version"])),
        extra={"note": note.strip()},
    )
    _on_changed(message, "withdrawal")
    return message


def distribution_from_ids(*, communities: Any = (), countries: Any = (), users: Any = ()) -> Distribution:
    return Distribution(
        communities=[int(c) for c in communities or []],
        countries=[str(c) for c in countries or []],
        users=[int(u) for u in users or []],
    )


def users_by_email(emails: list[str]) -> tuple[list[int], list[str]]:
    """User ids for these addresses, and the addresses that match no active account."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    found = dict(User.objects.filter(email__in=wanted, is_active=True).values_list("email", "pk"))
    return [found[e] for e in sorted(found)], sorted(wanted - set(found))

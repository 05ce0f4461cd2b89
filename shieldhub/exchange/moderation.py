"""Four-eyes moderation of the secure exchange.

A community may require moderation (`Community.requires_moderation`). A message whose
distribution includes such a community, sent by someone who does not moderate it, waits as
``pending`` (`services.message_send`): its distribution is recorded, its recipients are not. A
moderator of one of those communities — never its sender — approves it, which is its send time
(recipients resolved and recorded then, notifications sent), or rejects it with a note the sender
reads. Until then nobody but the sender and those moderators sees it (`access.messages_visible_q`);
a rejected message stays with its sender alone.

The moderator role is held on the community (`Membership.role`); no role of the secretariat
moderates by itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, has_perm, messages_visible_q, moderated_communities_q, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.directory.models import Community
from shieldhub.exchange import forwarding, services
from shieldhub.exchange.choices import MessageKind, MessageStatus, TargetKind
from shieldhub.exchange.deadlines import default_deadline
from shieldhub.exchange.models import Message, MessageDistribution

_MODERATION_FIELDS = ["status", "sent_at", "deadline", "moderated_by", "moderated_at", "moderation_note"]


# --- reads ---------------------------------------------------------------------------------------


def moderated_communities(*, user: Any) -> QuerySet[Community]:
    """The communities whose waiting messages this user approves or rejects."""
    return Community.objects.filter(moderated_communities_q(user)).order_by("name")


def is_moderator(*, user: Any) -> bool:
    return has_perm(user, Perm.EXCHANGE_USE) and moderated_communities(user=user).exists()


def _pending_for(user: Any) -> QuerySet[Message]:
    targets = MessageDistribution.objects.filter(community__in=moderated_communities(user=user).values("pk"))
    return (
        Message.objects.filter(messages_visible_q(user), status=MessageStatus.PENDING)
        .filter(pk__in=targets.values("message_id"))
        .exclude(sender=user)
    )


def moderation_queue(*, user: Any) -> QuerySet[Message]:
    """Messages waiting for this user's approval, oldest first, with the communities they go to.

    The user's own waiting messages are left out: another moderator approves them.
    """
    require(user, Perm.EXCHANGE_USE)
    communities = MessageDistribution.objects.filter(target_kind=TargetKind.COMMUNITY).select_related("community")
    return (
        _pending_for(user)
        .select_related("sender")
        .prefetch_related(Prefetch("distribution", queryset=communities, to_attr="community_targets"))
        .order_by("created_at", "pk")
    )


def moderation_count(*, user: Any) -> int:
    if not has_perm(user, Perm.EXCHANGE_USE):
        return 0
    return _pending_for(user).count()


def awaiting_mine(*, user: Any) -> QuerySet[Message]:
    """The user's own messages waiting for approval or not approved, newest first."""
    require(user, Perm.EXCHANGE_USE)
    return (
        Message.objects.filter(sender=user, status__in=[MessageStatus.PENDING, MessageStatus.REJECTED])
        .select_related("moderated_by")
        .order_by("-created_at", "-pk")
    )


def can_moderate(*, user: Any, message: Message) -> bool:
    """True when the user may approve or reject this message now (four eyes: not its sender)."""
    if message.status != MessageStatus.PENDING or message.sender_id == getattr(user, "pk", None):
        return False
    if not has_perm(user, Perm.EXCHANGE_USE):
        return False
    return _moderates(user, message)


def _moderates(user: Any, message: Message) -> bool:
    targets = MessageDistribution.objects.filter(message=message, community__isnull=False)
    return moderated_communities(user=user).filter(pk__in=targets.values("community_id")).exists()


def message_moderating_communities(message: Message) -> list[Community]:
    """The communities of the message's distribution that require moderation."""
    targets = MessageDistribution.objects.filter(message=message, community__isnull=False)
    return list(Community.objects.filter(pk__in=targets.values("community_id"), requires_moderation=True))


# --- writes --------------------------------------------------------------------------------------


def _lock_pending(actor: Any, message: Message) -> Message:
    """The waiting message, locked; 404 when the actor may not see it, refused when not theirs to judge."""
    from shieldhub.exchange.selectors import message_get

    require(actor, Perm.EXCHANGE_USE)
    message_get(user=actor, pk=message.pk)
    locked = Message.objects.select_for_update().select_related("sender").get(pk=message.pk)
    if locked.status != MessageStatus.PENDING:
        raise ValidationError(_("This message is not waiting for approval."))
    if locked.sender_id == actor.pk:
        raise ValidationError(_("You cannot approve or reject your own message: another moderator must."))
    if not _moderates(actor, locked):
        raise PermissionDenied
    return locked


@transaction.atomic
def message_approve(*, actor: Any, message: Message, note: str = "") -> Message:
    """A moderator approves a waiting message: it is sent now, to the recipients resolved now."""
    message = _lock_pending(actor, message)
    resolved = services.resolve_stored(message)
    # A held forward must still keep to its rules with the recipients resolved now.
    forwarding.check_forward_delivery(message=message, users=resolved.users)
    before = snapshot(message, _MODERATION_FIELDS)
    now = timezone.now()
    today = timezone.localdate(now)
    if message.kind == MessageKind.RFI and (message.deadline is None or message.deadline < today):
        message.deadline = default_deadline(today)
    message.status = MessageStatus.SENT
    message.sent_at = now
    message.moderated_by = actor
    message.moderated_at = now
    message.moderation_note = note.strip()
    message.save(update_fields=_MODERATION_FIELDS)
    services.record_delivery(message=message, resolved=resolved, now=now)
    audit_record(
        actor=actor,
        action="exchange.message_approve",
        obj=message,
        changes=diff(before, snapshot(message, _MODERATION_FIELDS)),
        extra={**services.delivery_extra(message, resolved), "sender": message.sender_id},
    )
    services._on_delivered(message)
    return message


@transaction.atomic
def message_reject(*, actor: Any, message: Message, note: str) -> Message:
    """A moderator refuses a waiting message, saying why; only its sender sees it from then on."""
    message = _lock_pending(actor, message)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the message is not approved.")})
    before = snapshot(message, _MODERATION_FIELDS)
    now = timezone.now()
    message.status = MessageStatus.REJECTED
    message.moderated_by = actor
    message.moderated_at = now
    message.moderation_note = note.strip()
    message.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_note"])
    audit_record(
        actor=actor,
        action="exchange.message_reject",
        obj=message,
        changes=diff(before, snapshot(message, _MODERATION_FIELDS)),
        extra={"sender": message.sender_id},
    )
    return message

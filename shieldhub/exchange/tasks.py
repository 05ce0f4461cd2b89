"""Background tasks of the exchange: reminders before a request's deadline and escalation when
addressees are overdue. Both run hourly (see `shieldhub.core.scheduling`) and are idempotent:
`MessageRecipient.reminded_at` and `Message.escalated_at` record what was already sent.

The emails carry only the subject of the request and a link: never its body.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from shieldhub.accounts.choices import Role
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.choices import MessageKind, MessageStatus
from shieldhub.exchange.deadlines import REMINDER_WORKING_DAYS, add_working_days
from shieldhub.exchange.models import AnswerStatus, Message, MessageRecipient

logger = logging.getLogger(__name__)

HOURLY = dt.timedelta(hours=1)


def _link(message: Message) -> str:
    return settings.SITE_URL + reverse("exchange:message-detail", args=[message.pk])


def _overdue_link(message: Message) -> str:
    """The coordinators' list of the request's unanswered addressees (they are not its recipients:
    the message page would be a 404 for them)."""
    return settings.SITE_URL + reverse("exchange:rfi-overdue") + f"?request={message.pk}"


def _send(user: Any, subject: str, body: str) -> None:
    send_mail(subject, body, None, [user.email], fail_silently=False)


def _open_requests() -> Any:
    return MessageRecipient.objects.filter(
        answer_status=AnswerStatus.OPEN,
        message__kind=MessageKind.RFI,
        message__status=MessageStatus.SENT,
        message__deadline__isnull=False,
    )


def _reminder(receipt: MessageRecipient) -> None:
    message = receipt.message
    with translation.override(receipt.user.language or settings.LANGUAGE_CODE):
        values = {"subject": message.subject, "date": formats.date_format(message.deadline or "", "DATE_FORMAT")}
        _send(
            receipt.user,
            _("Reminder: a request for information is due on %(date)s") % values,
            _(
                "The request for information “%(subject)s” addressed to you is due on %(date)s.\n\n"
                "Answer it, or decline it, on Global Shield Hub:\n%(link)s\n"
            )
            % {**values, "link": _link(message)},
        )


@periodic("exchange.rfi_send_reminders", every=HOURLY)
@task()
def rfi_send_reminders() -> int:
    """Remind each open addressee once, from two working days before the deadline."""
    today = timezone.localdate()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    due = (
        _open_requests()
        .filter(reminded_at__isnull=True, message__deadline__gte=today, message__deadline__lte=horizon)
        .select_related("message", "user")
        .order_by("pk")
    )
    sent = 0
    for receipt in due:
        if not receipt.user.is_active:
            continue
        with transaction.atomic():
            # Claim the reminder first, so that two runs never send it twice.
            claimed = MessageRecipient.objects.filter(pk=receipt.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if claimed:
                _reminder(receipt)
                sent += 1
    return sent


def _coordinators() -> Any:
    return (
        get_user_model().objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct().order_by("email")
    )


def _escalation(coordinator: Any, message: Message, overdue: int) -> None:
    with translation.override(coordinator.language or settings.LANGUAGE_CODE):
        # A coordinator is not a recipient: the email, like the page it links to, says who, when and
        # where, never the subject (which can carry operational detail) nor the text.
        sender_country = str(message.sender_country.name) if message.sender_country else "—"
        values = {
            "number": message.pk,
            "country": sender_country,
            "date": formats.date_format(message.deadline or "", "DATE_FORMAT"),
            "count": overdue,
            "link": _overdue_link(message),
        }
        _send(
            coordinator,
            _("Overdue request for information no. %(number)s") % values,
            _(
                "The request for information no. %(number)s, sent from %(country)s, was due on %(date)s; "
                "%(count)s addressee(s) have not answered. Its subject and text stay with its sender and "
                "recipients.\n\n"
                "See who on Global Shield Hub:\n%(link)s\n"
            )
            % values,
        )


@periodic("exchange.rfi_mark_overdue", every=HOURLY)
@task()
def rfi_mark_overdue() -> int:
    """Open addressees past the deadline become overdue; the coordinators are told once per request."""
    today = timezone.localdate()
    late = _open_requests().filter(message__deadline__lt=today)
    message_ids = sorted(set(late.values_list("message_id", flat=True)))
    for message_id in message_ids:
        with transaction.atomic():
            count = late.filter(message_id=message_id).update(answer_status=AnswerStatus.OVERDUE)
            if count:
                audit_record(
                    actor=None,
                    action="exchange.rfi_overdue",
                    object_type="exchange.message",
                    object_id=message_id,
                    extra={"overdue": count},
                )
    escalated = 0
    pending = Message.objects.filter(
        kind=MessageKind.RFI,
        status=MessageStatus.SENT,
        escalated_at__isnull=True,
        recipients__answer_status=AnswerStatus.OVERDUE,
    ).distinct()
    coordinators = list(_coordinators())
    for message in pending.order_by("pk"):
        with transaction.atomic():
            claimed = Message.objects.filter(pk=message.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            )
            if not claimed:
                continue
            overdue = MessageRecipient.objects.filter(message=message, answer_status=AnswerStatus.OVERDUE).count()
            for coordinator in coordinators:
                _escalation(coordinator, message, overdue)
            audit_record(
                actor=None,
                action="exchange.rfi_escalate",
                obj=message,
                extra={"overdue": overdue, "coordinators": [c.pk for c in coordinators]},
            )
            escalated += 1
    return escalated


# Periodic tasks that live with their feature: importing registers them with the scheduler
# (notifications: the immediate emails and the daily digest, `exchange.send_digests`).
from shieldhub.exchange import attachments, notifications, operations  # noqa: E402, F401

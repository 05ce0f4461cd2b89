"""Aggregates over the exchange for analysis (indicators, donor reports): counts only.

Public functions of the exchange app that the analysis app may call; no message content, no
names. The caller checks its own permission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q

from shieldhub.accounts.choices import Role
from shieldhub.exchange.choices import MessageKind, MessageStatus
from shieldhub.exchange.models import AnswerStatus, Message, MessageRecipient


def active_ncps(*, start: dt.date, end: dt.date) -> int:
    """How many NCP accounts sent a message or read one between `start` and `end` (inclusive)."""
    ncp = Q(user__role_grants__role=Role.NCP)
    senders = set(
        Message.objects.filter(
            status=MessageStatus.SENT, sent_at__date__gte=start, sent_at__date__lte=end,
            sender__role_grants__role=Role.NCP,
        ).values_list("sender_id", flat=True).distinct()
    )  # fmt: skip
    readers = set(
        MessageRecipient.objects.filter(ncp, read_at__date__gte=start, read_at__date__lte=end)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return len(senders | readers)


def requests_on_time(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Requests for information whose deadline fell between `start` and `end`: how many answers
    were due (one per addressee), how many came on or before the deadline, and the share (%)."""
    rows = MessageRecipient.objects.filter(
        message__kind=MessageKind.RFI, message__status=MessageStatus.SENT,
        message__deadline__gte=start, message__deadline__lte=end,
    ).exclude(answer_status="")  # fmt: skip
    answered = Q(answer_status=AnswerStatus.ANSWERED, answered_at__date__lte=F("message__deadline"))
    totals = rows.aggregate(due=Count("pk"), on_time=Count("pk", filter=answered))
    due, on_time = totals["due"] or 0, totals["on_time"] or 0
    share = round(100.0 * on_time / due, 1) if due else None
    return {"due": due, "on_time": on_time, "share": share}

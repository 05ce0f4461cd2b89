"""Every read of the secure exchange, scoped by `access.messages_visible_q`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Expression, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.http import Http404
from django.utils.functional import cached_property
from django_countries import countries as country_registry

from shieldhub.core.access import (
    Perm,
    communities_visible_q,
    has_perm,
    message_body_visible,
    messages_received_visible_q,
    messages_visible_q,
    require,
)
from shieldhub.core.pagination import COUNT_CAP
from shieldhub.directory.models import Community
from shieldhub.exchange.choices import MessageKind, MessageStatus
from shieldhub.exchange.models import (
    PENDING_ANSWER,
    AnswerStatus,
    Message,
    MessageCountry,
    MessageDistribution,
    MessageRecipient,
    MessageVersion,
)
from shieldhub.exchange.search import parse, rank_expression, search_messages

DELIVERED = (MessageStatus.SENT, MessageStatus.WITHDRAWN)
# Search by relevance ranks at most this many matches, the newest (see `message_search`).
RELEVANCE_CANDIDATES = COUNT_CAP


def _visible(user: Any) -> QuerySet[Message]:
    return Message.objects.filter(messages_visible_q(user))


def _with_my_receipt(qs: QuerySet[Message], user: Any) -> QuerySet[Message]:
    mine = MessageRecipient.objects.filter(message=OuterRef("pk"), user=user)
    return qs.annotate(
        my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
        my_answer_status=Subquery(mine.values("answer_status")[:1]),
    )


def _apply_filters(
    qs: QuerySet[Message],
    user: Any,
    filters: dict[str, Any],
    *,
    received: bool,
    indexed: bool = True,
    community: bool = True,
) -> QuerySet[Message]:
    """The inbox filters, shared by the inbox and search (pages and API).

    `received`: `qs` already joins the user's own receipt (`recipients__user=user`), so the
    filters on it (unread, needs my answer, and the kind, copied onto the receipt) were applied with
    that join.
    """
    if not received:
        if filters.get("unread"):
            unread = MessageRecipient.objects.filter(user=user, read_at__isnull=True)
            qs = qs.filter(pk__in=unread.values("message_id"))
        if filters.get("needs_my_answer"):
            pending = MessageRecipient.objects.filter(user=user, answer_status__in=PENDING_ANSWER)
            qs = qs.filter(pk__in=pending.values("message_id"), kind=MessageKind.RFI, status=MessageStatus.SENT)
    if filters.get("kind") and not received:  # received: on the user's receipt (`_received`)
        qs = qs.filter(kind=filters["kind"])
    if filters.get("tlp"):
        qs = qs.filter(tlp=filters["tlp"])
    if community and filters.get("community"):
        targets = MessageDistribution.objects.filter(community_id=filters["community"])
        qs = qs.filter(pk__in=targets.values("message_id"))
    if filters.get("country"):
        involved = MessageCountry.objects.filter(country=str(filters["country"]).upper())
        qs = qs.filter(pk__in=involved.values("message_id"))
    if filters.get("precursor"):
        tagged = Message.precursors.through.objects.filter(catalogueitem_id=filters["precursor"])
        qs = qs.filter(pk__in=tagged.values("message_id"))
    if filters.get("q"):
        qs = search_messages(qs, str(filters["q"]), user=user, indexed=indexed)
    return qs


class _InCommunity(Expression):
    """PostgreSQL: the user's receipt is for a message sent to the community, as a subquery that
    PostgreSQL cannot turn into a join (`OFFSET 0`). It is then tested on each receipt read newest
    first from the inbox index, before the message is fetched, and the scan stops after a page.
    (As a join, PostgreSQL starts from the community's messages, fetches each of them and the
    user's receipt and sorts them all: slow for a community of thousands of messages.)"""

    output_field: Any = BooleanField()

    def __init__(self, community_id: int, message_id: Any = None) -> None:
        super().__init__()
        self.community_id = community_id
        self.message_id = F("recipients__message_id") if message_id is None else message_id

    def get_source_expressions(self) -> list[Any]:
        return [self.message_id]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.message_id,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.message_id)
        table = compiler.quote_name_unless_alias(MessageDistribution._meta.db_table)
        # `table` is a model's table name, `column` a compiled column: no input is formatted in.
        sql = f"EXISTS (SELECT 1 FROM {table} d WHERE d.community_id = %s AND d.message_id = {column} OFFSET 0)"  # noqa: S608
        return sql, [self.community_id, *params]


def _received(user: Any, filters: dict[str, Any], *, community_first: bool = False) -> QuerySet[Message]:
    """Delivered messages the user received, joined to their own receipt (one row each: a user
    receives a message once), with `my_read_at`, `my_acknowledged_at`, `my_answer_status` read
    from that join rather than from three subqueries per row."""
    mine: dict[str, Any] = {"recipients__user": user}
    if filters.get("unread"):
        mine["recipients__read_at__isnull"] = True  # served by the partial index on unread receipts
    if filters.get("kind"):
        # The message's kind, copied onto the receipt (MessageRecipient.kind, equal to the message's):
        # PostgreSQL reads only the user's receipts of that kind, newest first, from their index.
        mine["recipients__kind"] = filters["kind"]
    conditions = [messages_received_visible_q(user)]
    if community_first:
        conditions.append(Q(_InCommunity(int(filters["community"]))))
    # one filter() call: one join; the receipt join already says "received", so only the rest of the
    # access rule applies (`messages_received_visible_q`, equal to `messages_visible_q` here).
    qs = Message.objects.filter(*conditions, status__in=DELIVERED, **mine)
    if filters.get("needs_my_answer"):
        qs = qs.filter(kind=MessageKind.RFI, status=MessageStatus.SENT)
    qs = qs.annotate(
        my_read_at=F("recipients__read_at"),
        my_acknowledged_at=F("recipients__acknowledged_at"),
        my_answer_status=F("recipients__answer_status"),
        received_at=F("recipients__sent_at"),
    )
    if filters.get("needs_my_answer"):
        qs = qs.filter(my_answer_status__in=PENDING_ANSWER)
    return qs


def inbox_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Message]:
    """Messages received by the user, newest first, with their own read/acknowledged times.

    Filters: kind, tlp, community, country, precursor, unread, needs_my_answer and `q`, a full-text
    search (`exchange.search`) of what the user may read.
    """
    filters = filters or {}
    qs = _apply_filters(_received(user, filters), user, filters, received=True)
    # Ordered by the receipt's copy of the send time (MessageRecipient.sent_at, equal to the
    # message's): PostgreSQL reads the user's receipts newest first from their index and stops after
    # a page, rather than joining all the messages the user received and sorting them.
    return qs.select_related("sender").order_by("-received_at", "-pk")


# A search is "dense" when at least DENSE_MATCHES of the user's newest DENSE_PROBE receipts match
# (6 %): a page of 50 then reads about 800 receipts at most from the newest. Below that, reading the
# ids of the newest matches once (`SearchCandidates`) reads fewer pages. From WALK_COUNT_MATCHES
# (8 %) the bounded count too walks the newest receipts (12,500 at most for 1,001 matches) rather
# than fetch every match of the full-text index, spread over the whole table, to join them to the
# receipts. (Thresholds measured at 200,000 messages and 11 million receipts.)
DENSE_PROBE = 400
DENSE_MATCHES = 24
WALK_COUNT_MATCHES = 32


class InboxRows:
    """What the inbox pages go through: `rows` sliced for a page, `countable` (the same messages)
    counted. Quacks enough like a QuerySet for `core.pagination` and the API's pagination.

    `first_rows`: when given, `rows` serves only the slices that start before it (the first pages)
    and `countable`, ordered like `rows`, serves the later ones. `count_in_order`: the bounded count
    keeps the order of `countable` (the newest receipts first), instead of letting PostgreSQL pick
    any order."""

    def __init__(
        self,
        rows: QuerySet[Message],
        countable: QuerySet[Message],
        *,
        first_rows: int | None = None,
        count_in_order: bool = False,
    ) -> None:
        self.rows = rows
        self.countable = countable
        self.first_rows = first_rows
        self.count_in_order = count_in_order

    def order_by(self, *fields: Any) -> QuerySet[Message]:  # the paginators count `order_by()[:cap]`
        if not fields and self.count_in_order:
            return self.countable.all()  # a copy: `countable` may be `rows`, already read
        return self.countable.order_by(*fields)

    def count(self) -> int:
        return self.countable.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if self.first_rows is not None:
            start = (index.start or 0) if isinstance(index, slice) else index
            if start >= self.first_rows:
                return self.countable[index]
        return self.rows[index]

    def __iter__(self) -> Any:
        return iter(self.rows)


class SearchCandidates:
    """A search that matches few of the user's newest messages: the ids of its newest
    `limit` matches (COUNT_CAP + 1) are read once, by one query in which PostgreSQL joins the
    full-text index's matches to the user's receipts read from an index (`exch_recipient_inbox_idx`,
    or `exch_recipient_kind_idx` with a kind) and sorts them. The bounded count is their number
    and the pages within them are fetched by id, instead of a page query and a count query that
    each find every match again through the index (and the page fetching the receipt of each).

    `plain`: the plain queryset (`inbox_list`), which also serves any slice past the ids read;
    `rows`: the same rows with the match tested row by row (`indexed=False`), for the page by id
    (50 messages: no reason to go through the full-text index again). Same results, same order.
    Quacks like a QuerySet for `core.pagination` and the API's pagination, as `InboxRows` does."""

    ordered = True  # what Django's paginator checks (the rows come in a defined order)

    def __init__(self, plain: QuerySet[Message], rows: QuerySet[Message], *, limit: int | None = None) -> None:
        self.plain = plain
        self.rows = rows
        self.limit = COUNT_CAP + 1 if limit is None else limit

    @cached_property
    def ids(self) -> list[int]:
        return list(self.plain.values_list("pk", flat=True)[: self.limit])

    @property
    def complete(self) -> bool:
        """Whether `ids` holds every match."""
        return len(self.ids) < self.limit

    def order_by(self, *fields: Any) -> Any:  # the paginators count `order_by()[:cap]`
        return _CountOf(self) if not fields else self.plain.order_by(*fields)

    def count(self) -> int:
        return len(self.ids) if self.complete else self.plain.count()

    def __len__(self) -> int:
        return self.count()

    def _by_id(self, wanted: list[int]) -> list[Message]:
        found = {m.pk: m for m in self.rows.filter(pk__in=wanted).order_by()} if wanted else {}
        return [found[pk] for pk in wanted if pk in found]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            if index.step is None and index.stop is not None and (self.complete or index.stop <= len(self.ids)):
                return self._by_id(self.ids[index])
            return self.plain[index]
        if isinstance(index, int) and 0 <= index < len(self.ids):
            return self._by_id([self.ids[index]])[0]
        return self.plain[index]

    def __iter__(self) -> Any:
        return iter(self._by_id(self.ids) if self.complete else self.plain)


class _CountOf:
    """`candidates.order_by()[:n].count()`: the bounded count from the ids already read."""

    def __init__(self, candidates: SearchCandidates, stop: int | None = None) -> None:
        self.candidates = candidates
        self.stop = stop

    def __getitem__(self, index: slice) -> _CountOf:
        if not isinstance(index, slice) or index.start or index.step:
            raise TypeError("only [:n] is supported")
        return _CountOf(self.candidates, index.stop)

    def count(self) -> int:
        found = self.candidates
        if found.complete or (self.stop is not None and self.stop <= len(found.ids)):
            return len(found.ids) if self.stop is None else min(len(found.ids), self.stop)
        plain = found.plain.order_by()
        return (plain if self.stop is None else plain[: self.stop]).count()


def _newest_receipts(user: Any, filters: dict[str, Any], size: int) -> QuerySet[Any]:
    """The message ids of the user's `size` newest receipts (of the kind filtered on, if any): what
    the receipts-first plans read first."""
    mine = MessageRecipient.objects.filter(user=user)
    if filters.get("kind"):
        mine = mine.filter(kind=filters["kind"])
    return mine.order_by("-sent_at", "-message_id").values("message_id")[:size]


def _density(user: Any, filters: dict[str, Any]) -> int:
    """How many of the user's DENSE_PROBE newest messages (of the kind filtered on, if any) the
    search matches, counted up to WALK_COUNT_MATCHES: a cheap, bounded probe. PostgreSQL only
    (0 elsewhere): SQLite's full-text table is always the way in."""
    if connection.vendor != "postgresql":
        return 0
    newest = _newest_receipts(user, filters, DENSE_PROBE)
    probe = search_messages(Message.objects.filter(pk__in=newest), str(filters["q"]), user=user, indexed=False)
    return probe.order_by()[:WALK_COUNT_MATCHES].count()


# The community filter reads the user's receipts newest first when at least COMMUNITY_MATCHES of
# their newest COMMUNITY_PROBE receipts are for the community (2 %: a first page then reads about
# 2,500 receipts at most), for the first COMMUNITY_FIRST_ROWS rows.
COMMUNITY_PROBE = 2000
COMMUNITY_MATCHES = 40
COMMUNITY_FIRST_ROWS = 200


def _community_first(user: Any, filters: dict[str, Any]) -> bool:
    """Whether the community's messages are a fair share of the user's newest (a bounded probe).
    PostgreSQL only (`_InCommunity`); not with a search, which the full-text index drives."""
    if connection.vendor != "postgresql" or filters.get("q") or not filters.get("community"):
        return False
    try:
        community_id = int(filters["community"])
    except (TypeError, ValueError):
        return False
    newest = (
        MessageRecipient.objects.filter(user=user)
        .order_by("-sent_at", "-message_id")
        .values("message_id")[:COMMUNITY_PROBE]
    )
    sent_there = MessageDistribution.objects.filter(community_id=community_id, message_id__in=newest)
    return sent_there.order_by()[:COMMUNITY_MATCHES].count() >= COMMUNITY_MATCHES


def inbox_pages(
    *, user: Any, filters: dict[str, Any] | None = None
) -> QuerySet[Message] | InboxRows | SearchCandidates:
    """`inbox_list` for a paginated page (the inbox page, the API).

    A search for words found in a large share of the messages (PostgreSQL): PostgreSQL expects
    few matches (it multiplies the words' frequencies, which are not independent), so it would
    fetch every match through the full-text index and sort them to show 50. When a probe of the
    user's newest receipts (of the kind filtered on, if any) finds many matches, the page is read
    from those receipts newest first with the match tested row by row (`indexed=False`), stopping
    after the page; the bounded count uses the index (PostgreSQL joins the matches to the user's
    receipts read from an index and stops at the cap) or, for a search matching a large share of
    the newest, walks the receipts too. Otherwise the matches are few among the newest:
    `SearchCandidates` reads the ids of the newest COUNT_CAP + 1 matches once, for the count and
    the first pages (also on SQLite, where no probe runs). Same messages, same order:
    only the plan differs.

    One community (PostgreSQL): PostgreSQL starts from the community's messages, fetches each one
    and the user's receipt, and sorts them; for a community of thousands of messages that is most of
    the time of the page. When a probe finds the community's messages among the user's newest, the
    first pages read the receipts newest first and test each against the community (`_InCommunity`),
    stopping after the page; later pages and the count keep the plain plan.
    """
    filters = filters or {}
    listed = inbox_list(user=user, filters=filters)
    if _community_first(user, filters):
        rows = _apply_filters(
            _received(user, filters, community_first=True), user, filters, received=True, community=False
        )
        ordered = rows.select_related("sender").order_by("-received_at", "-pk")
        return InboxRows(ordered, listed, first_rows=COMMUNITY_FIRST_ROWS)
    if not filters.get("q") or not parse(str(filters["q"])):
        return listed
    rows = _apply_filters(_received(user, filters), user, filters, received=True, indexed=False)
    rows = rows.select_related("sender").order_by("-received_at", "-pk")
    found = _density(user, filters)
    if found >= WALK_COUNT_MATCHES:
        return InboxRows(rows, rows, count_in_order=True)
    if found >= DENSE_MATCHES:
        return InboxRows(rows, listed)
    return SearchCandidates(listed, rows)


def message_search(
    *, user: Any, query: str, filters: dict[str, Any] | None = None, order: str = "date"
) -> QuerySet[Message]:
    """Full-text search over every message the user may see: received and sent (drafts aside).

    `order`: "date" (newest first) or "relevance" (best match first, then newest).
    """
    if not has_perm(user, Perm.EXCHANGE_USE):
        return Message.objects.none()
    qs = _visible(user).exclude(status=MessageStatus.DRAFT)
    qs = _apply_filters(qs, user, {**(filters or {}), "q": query}, received=False)
    if order == "relevance" and parse(query):
        # Ranked among the newest RELEVANCE_CANDIDATES matches: computing the rank of every match
        # of a word found in a fifth of all messages costs more than the page is worth, and lists
        # show at most COUNT_CAP results anyway. Below that many matches the order is exact.
        # The candidates are read once, here: as a subquery they would be found again by the
        # paginator's count, walking the same thousands of messages a second time.
        newest = list(qs.order_by("-sent_at", "-pk").values_list("pk", flat=True)[:RELEVANCE_CANDIDATES])
        ranked = Message.objects.filter(pk__in=newest).annotate(rank=rank_expression(query, user=user))
        return _with_my_receipt(ranked.select_related("sender"), user).order_by("-rank", "-sent_at", "-pk")
    return _with_my_receipt(qs.select_related("sender"), user).order_by("-sent_at", "-pk")


def sent_list(*, user: Any, query: str = "") -> QuerySet[Message]:
    """Messages the user sent (those matching the full-text `query`, if any), with the number of
    recipients, read and acknowledged."""
    from django.db.models import Count

    qs = _visible(user).filter(sender=user).exclude(status=MessageStatus.DRAFT)
    if query.strip():
        qs = _apply_filters(qs, user, {"q": query}, received=False)
    return qs.annotate(
        recipient_count=Count("recipients"),
        read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        ack_count=Count("recipients", filter=Q(recipients__acknowledged_at__isnull=False)),
    ).order_by("-sent_at", "-pk")


def message_get(*, user: Any, pk: Any) -> Message:
    """The message, if the user may see it; 404 otherwise."""
    try:
        return (
            _with_my_receipt(_visible(user), user)
            .select_related("sender", "in_reply_to", "thread_root")
            .get(pk=int(pk))
        )
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def message_body(*, user: Any, message: Message) -> str | None:
    """The body, or None when it is hidden from this user (a withdrawn message they received)."""
    return message.body if message_body_visible(user, message) else None


def message_thread(*, user: Any, message: Message) -> QuerySet[Message]:
    """The messages of the thread this user may see, oldest first."""
    root_id = message.thread_root_id or message.pk
    return (
        _with_my_receipt(_visible(user), user)
        .filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .exclude(status=MessageStatus.DRAFT)
        .select_related("sender")
        .order_by("sent_at", "pk")
    )


def message_receipts(*, user: Any, message: Message) -> QuerySet[MessageRecipient]:
    """Who received the message, read and acknowledged it: for its sender only."""
    message_get(user=user, pk=message.pk)
    if message.sender_id != user.pk:
        raise PermissionDenied
    return (
        MessageRecipient.objects.filter(message=message)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def message_versions(*, user: Any, message: Message) -> QuerySet[MessageVersion]:
    """The message's history, oldest first: version 1 (the original), each correction, the withdrawal.

    Each version carries ``visible_subject`` and ``visible_body``: its text for those who may read the
    message's body, None for the others. A withdrawn message's earlier texts are hidden from its
    recipients exactly as its body is (`access.message_body_visible`: only its sender still reads
    them; they stay stored for the audit), and are then not even loaded.
    """
    current = message_get(user=user, pk=message.pk)  # 404 if not visible; its status is the fresh one
    versions = MessageVersion.objects.filter(message=current).select_related("edited_by").order_by("number")
    if message_body_visible(user, current):
        return versions.annotate(visible_subject=F("subject"), visible_body=F("body"))
    hidden = Value(None, output_field=TextField())
    return versions.defer("subject", "body").annotate(visible_subject=hidden, visible_body=hidden)


def message_reply_audience(*, user: Any, message: Message) -> list[Any]:
    """Who a reply would reach by default: the message's recipients and sender, minus the replier."""
    from django.contrib.auth import get_user_model

    message_get(user=user, pk=message.pk)
    ids = set(MessageRecipient.objects.filter(message=message).values_list("user_id", flat=True))
    ids.add(message.sender_id)
    ids.discard(user.pk)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email"))


def unread_count(*, user: Any) -> int:
    if not has_perm(user, Perm.EXCHANGE_USE):
        return 0
    # the user's unread receipts (partial index), with the rest of the access rule
    return Message.objects.filter(
        messages_received_visible_q(user), recipients__user=user, recipients__read_at__isnull=True
    ).count()


def sendable_communities(*, user: Any) -> QuerySet[Community]:
    """The communities the user may send to: those visible to them, neither archived nor ended
    (an operation group past its end date is read-only, `Community.is_read_only`). An operation
    group that has not started yet takes messages: the operation is prepared there."""
    from django.utils import timezone

    if not has_perm(user, Perm.EXCHANGE_USE):
        return Community.objects.none()
    return (
        Community.objects.filter(communities_visible_q(user), is_archived=False)
        .exclude(ends_on__lt=timezone.localdate())
        .order_by("kind", "name")
    )


def response_rates(*, user: Any) -> list[dict[str, Any]]:
    """Per addressee country, how requests for information were answered: on time, late, never.

    For the secretariat: figures only, over every request sent (withdrawn ones left out); the
    addressees who act for no country are grouped under an empty code.
    """
    from django.db.models import Count, F

    require(user, Perm.DIRECTORY_VIEW_ALL)
    answered = Q(answer_status=AnswerStatus.ANSWERED)
    on_time = answered & Q(answered_at__date__lte=F("message__deadline"))
    rows = (
        MessageRecipient.objects.filter(message__kind=MessageKind.RFI, message__status=MessageStatus.SENT)
        .exclude(answer_status="")
        .values("user__country")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=on_time),
            late=Count("pk", filter=answered & ~Q(answered_at__date__lte=F("message__deadline"))),
            never=Count("pk", filter=Q(answer_status__in=[AnswerStatus.OVERDUE, AnswerStatus.DECLINED])),
            declined=Count("pk", filter=Q(answer_status=AnswerStatus.DECLINED)),
            open=Count("pk", filter=Q(answer_status=AnswerStatus.OPEN)),
        )
        .order_by("user__country")
    )
    result = []
    for row in rows:
        code = str(row.pop("user__country") or "")
        result.append({"country": code, "country_name": str(country_registry.name(code)) if code else "", **row})
    return sorted(result, key=lambda r: (r["country"] == "", r["country_name"]))


def rfi_addressees_pending(
    *, user: Any, status: str | None = None, message_id: int | None = None
) -> QuerySet[Any, dict[str, Any]]:
    """The addressees of requests for information who have not answered yet, programme-wide:
    open and overdue (or only `status`), optionally of one request. Overdue first, oldest
    deadline first.

    For the secretariat (as the response rates): metadata only. The coordinators are told of overdue
    requests they did not receive, so neither the subject nor the body is read here: the rows are
    plain values (request id, sender's country, addressee, deadline, status, reminder, escalation).
    """
    from django.db.models import Case, IntegerField, When

    require(user, Perm.DIRECTORY_VIEW_ALL)
    statuses = [status] if status in (AnswerStatus.OPEN, AnswerStatus.OVERDUE) else PENDING_ANSWER
    rows = MessageRecipient.objects.filter(
        message__kind=MessageKind.RFI, message__status=MessageStatus.SENT, answer_status__in=statuses
    )
    if message_id is not None:
        rows = rows.filter(message_id=message_id)
    return (
        rows.annotate(
            overdue_first=Case(
                When(answer_status=AnswerStatus.OVERDUE, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .values(
            "pk",
            "message_id",
            "message__sent_at",
            "message__deadline",
            "message__escalated_at",
            "message__sender_country",
            "user__country",
            "user__full_name",
            "user__email",
            "reason",
            "reason_detail",
            "answer_status",
            "reminded_at",
        )
        .order_by("overdue_first", "message__deadline", "message_id", "user__country", "user__email")
    )

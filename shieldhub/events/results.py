"""The results board of an operation: the seizures and messages reported under it, by country and
by precursor; and the shipments of the participating countries checked during its active phase.

Who sees the board (and the final report's figures): the secretariat, and the NCPs of the
participating countries (`board_visible`); anyone else gets a 404 even if they may see the operation.

- Seizures: the records (`seizures.Incident`) linked to the operation's group, submitted or
  validated. Counts and kg by country and precursor are aggregates over all of them
  (`seizures.selectors.operation_figures`); the records themselves are listed only where the reader
  may see them (`seizures.selectors.incident_list`, the reader's visibility). The others are counted
  as "reported by other countries" without detail.
- Messages: the group's messages the reader may see (`exchange.operations.operation_messages`), by
  the sender's country and by the precursors they name.
- Shipments (final report): the notifications (not drafts, not withdrawn) whose exporting or
  importing country takes part, notified during the active phase, that the reader may see
  (`shipments.selectors.shipment_list`), by status: answered by the importing country (confirmed,
  objected, confirmed with concerns), awaiting or overdue, closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, has_perm, is_secretariat, user_country
from shieldhub.events.models import Operation

RECORDS_SHOWN = 50
MESSAGES_SHOWN = 10


@dataclass
class Row:
    key: str
    label: str
    count: int
    kg: Decimal | None = None


@dataclass
class Results:
    seizure_total: int = 0
    seizure_kg: Decimal | None = None
    seizures_by_country: list[Row] = field(default_factory=list)
    seizures_by_precursor: list[Row] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)  # the incidents the reader may open
    record_goods: dict[int, list[str]] = field(default_factory=dict)
    records_hidden: int = 0  # counted above, not shown to this reader
    message_total: int = 0
    messages_by_country: list[Row] = field(default_factory=list)
    messages_by_precursor: list[Row] = field(default_factory=list)
    recent_messages: list[Any] = field(default_factory=list)
    updated_at: dt.datetime = field(default_factory=timezone.now)


@dataclass
class ShipmentFigures:
    available: bool = True  # False: the reader has no access to shipments
    total: int = 0
    answered: int = 0
    pending: int = 0
    closed: int = 0
    by_country: list[Row] = field(default_factory=list)  # by exporting country


def board_visible(user: Any, operation: Operation) -> bool:
    """The secretariat; the NCPs of the participating countries."""
    if is_secretariat(user):
        return True
    country = user_country(user)
    return bool(country) and country in (operation.countries or [])


def require_board(user: Any, operation: Operation) -> None:
    if not board_visible(user, operation):
        raise Http404


def _country_label(code: str) -> str:
    return str(country_registry.name(code) or code) if code else str(_("WCO Secretariat"))


def operation_results(*, user: Any, operation: Operation) -> Results:
    """The figures of the board for this reader (the caller got `operation` from `operation_get`)."""
    require_board(user, operation)
    results = Results()
    community = operation.community
    if community is None:
        return results
    _seizures(user, community, results)
    _messages(user, community, results)
    return results


def _seizures(user: Any, community: Any, results: Results) -> None:
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import selectors as seizures
    from shieldhub.seizures.choices import COUNTED_STATUSES

    if not has_perm(user, Perm.SEIZURE_STATS):
        return
    figures = seizures.operation_figures(user=user, community_id=community.pk)
    results.seizure_total, results.seizure_kg = figures.total, figures.total_kg
    results.seizures_by_country = [Row(code, _country_label(code), n, kg) for code, n, kg in figures.by_country]
    items = {c.pk: c for c in CatalogueItem.objects.filter(pk__in=[pk for pk, _n, _kg in figures.by_precursor])}
    results.seizures_by_precursor = [
        Row(items[pk].code, items[pk].name, n, kg) for pk, n, kg in figures.by_precursor if pk in items
    ]
    visible = seizures.incident_list(user=user, filters={"operation": community.pk}).filter(status__in=COUNTED_STATUSES)
    records = list(visible[:RECORDS_SHOWN])
    results.records = records
    results.record_goods = seizures.list_goods(records)
    for incident in records:
        incident.goods_names = results.record_goods.get(incident.pk, [])  # type: ignore[attr-defined]
    shown = visible.count() if len(records) == RECORDS_SHOWN else len(records)
    results.records_hidden = max(results.seizure_total - shown, 0)


def _messages(user: Any, community: Any, results: Results) -> None:
    from shieldhub.exchange.operations import operation_messages
    from shieldhub.reference.models import CatalogueItem

    if not has_perm(user, Perm.EXCHANGE_USE):
        return
    qs = operation_messages(user=user, community=community)
    base = qs.order_by()
    results.message_total = base.count()
    if not results.message_total:
        return
    by_country = base.values("sender__country").annotate(n=Count("pk", distinct=True)).order_by("-n")
    results.messages_by_country = [
        Row(str(r["sender__country"] or ""), _country_label(str(r["sender__country"] or "")), r["n"])
        for r in by_country
    ]
    by_item = (
        base.filter(precursors__isnull=False).values("precursors").annotate(n=Count("pk", distinct=True)).order_by("-n")
    )
    rows = list(by_item)
    items = {c.pk: c for c in CatalogueItem.objects.filter(pk__in=[r["precursors"] for r in rows])}
    results.messages_by_precursor = [
        Row(items[r["precursors"]].code, items[r["precursors"]].name, r["n"]) for r in rows if r["precursors"] in items
    ]
    results.recent_messages = list(qs[:MESSAGES_SHOWN])


_ANSWERED = ("confirmed", "objected", "confirmed_with_concerns")
_PENDING = ("notified", "overdue")


def shipments_checked(*, user: Any, operation: Operation) -> ShipmentFigures:
    """The participating countries' notified shipments during the active phase the reader may see."""
    from shieldhub.shipments import selectors as shipments

    try:
        qs = shipments.shipment_list(user=user)
    except PermissionDenied:
        return ShipmentFigures(available=False)
    countries = operation.countries or []
    qs = (
        qs.filter(Q(exporting_country__in=countries) | Q(importing_country__in=countries))
        .filter(notified_at__date__gte=operation.starts_on, notified_at__date__lte=operation.ends_on)
        .exclude(status__in=("draft", "withdrawn"))
        .order_by()
    )
    figures = ShipmentFigures()
    for row in qs.values("status").annotate(n=Count("pk")):
        figures.total += row["n"]
        if row["status"] in _ANSWERED:
            figures.answered += row["n"]
        elif row["status"] in _PENDING:
            figures.pending += row["n"]
        else:
            figures.closed += row["n"]
    by_country = qs.values("exporting_country").annotate(n=Count("pk")).order_by("-n")
    figures.by_country = [
        Row(str(r["exporting_country"]), _country_label(str(r["exporting_country"])), r["n"]) for r in by_country
    ]
    return figures

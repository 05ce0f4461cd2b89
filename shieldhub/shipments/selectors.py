"""Every read of the licit shipments, scoped by `access.shipments_visible_q`; the importing
countries' response rates.

For other modules: `shipment_list(user=..., filters={...})` accepts `entity` (an Entity id in any
party role), `country` (exporting, importing or transit), `precursor` (catalogue item id), `status`
and `q`; `shipment_get(user=..., pk=...)` is the one shipment or a 404. `shipment_parties`,
`shipment_lines` and `shipment_route` give a shipment's parts plainly (for screening).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_countries import countries as country_registry

from shieldhub.core.access import (
    Perm,
    has_perm,
    require,
    shipments_visible_q,
    user_country,
    user_perms,
)
from shieldhub.core.models import AuditEntry
from shieldhub.reference.text import fold
from shieldhub.shipments.choices import PARTY_ROLES, VerificationStatus
from shieldhub.shipments.models import Shipment, ShipmentCountry, ShipmentLine, ShipmentVerification

FILTER_KEYS = ("q", "status", "country", "entity", "precursor")
_LIST_RELATED = ("exporter", "importer", "consignee", "end_user", "verification")


def _visible(user: Any) -> QuerySet[Shipment]:
    if Perm.SHIPMENT_USE not in user_perms(user):
        raise PermissionDenied
    return Shipment.objects.filter(shipments_visible_q(user))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def shipment_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Shipment]:
    """The shipments this user may see, newest first, filtered."""
    filters = filters or {}
    qs = _visible(user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("country"):
        code = str(filters["country"]).upper()
        transit = ShipmentCountry.objects.filter(country=code).values("shipment_id")
        qs = qs.filter(Q(exporting_country=code) | Q(importing_country=code) | Q(pk__in=transit))
    if filters.get("entity") not in (None, ""):
        entity = _int(filters["entity"])
        qs = qs.filter(
            Q(exporter_id=entity) | Q(importer_id=entity) | Q(consignee_id=entity) | Q(end_user_id=entity)
        ) if entity is not None else qs.none()  # fmt: skip
    if filters.get("precursor") not in (None, ""):
        item = _int(filters["precursor"])
        lines = ShipmentLine.objects.filter(catalogue_item_id=item).values("shipment_id")
        qs = qs.filter(pk__in=lines) if item is not None else qs.none()
    if filters.get("q"):
        for word in fold(str(filters["q"])).split()[:8]:
            qs = qs.filter(search_text__contains=word)
    return qs.select_related(*_LIST_RELATED).defer("search_text").order_by("-created_at", "-pk")


def list_goods(shipments: list[Shipment]) -> dict[int, list[str]]:
    """The goods of the shipments of one page, by shipment: catalogue names in the reader's
    language or "HS <code>" (one query)."""
    by_shipment: dict[int, list[str]] = {}
    lines = (
        ShipmentLine.objects.filter(shipment__in=[s.pk for s in shipments])
        .select_related("catalogue_item")
        .only("shipment_id", "hs_code", "catalogue_item__name_en", "catalogue_item__name_fr")
        .order_by("shipment_id", "position", "pk")
    )
    for line in lines:
        name = line.catalogue_item.name if line.catalogue_item else f"HS {line.hs_code}"
        by_shipment.setdefault(line.shipment_id, []).append(name)
    return by_shipment


def shipment_get(*, user: Any, pk: Any) -> Shipment:
    """The shipment, if the user may see it; 404 otherwise."""
    try:
        return _visible(user).select_related(*_LIST_RELATED, "created_by", "seizure").get(pk=int(pk))
    except (Shipment.DoesNotExist, ValueError, TypeError, PermissionDenied):
        raise Http404 from None


def shipment_detail(*, user: Any, pk: Any) -> Shipment:
    """The shipment with its lines and route prefetched (404 if not visible)."""
    shipment = shipment_get(user=user, pk=pk)
    return (
        Shipment.objects.filter(pk=shipment.pk)
        .select_related(*_LIST_RELATED, "created_by", "notified_by", "outcome_by", "seizure",
                        "verification__answered_by")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("catalogue_item")),
            Prefetch("route", queryset=ShipmentCountry.objects.all()),
        )
        .get()
    )  # fmt: skip


def shipment_parties(shipment: Shipment) -> list[dict[str, Any]]:
    """[{role, entity, name, country, identifiers}] for each named party (for screening and the API)."""
    result = []
    for role in PARTY_ROLES:
        entity = getattr(shipment, role)
        if entity is not None:
            result.append({"role": role, "entity": entity.pk, "name": entity.name, "country": str(entity.country),
                           "identifiers": dict(entity.identifiers or {})})  # fmt: skip
    return result


def shipment_lines(shipment: Shipment) -> list[ShipmentLine]:
    return list(shipment.lines.select_related("catalogue_item").order_by("position", "pk"))


def shipment_route(shipment: Shipment) -> list[str]:
    """The whole route as ISO codes: exporting country, transit countries, importing country."""
    transit = [str(c.country.code) for c in shipment.route.all()]
    return [str(shipment.exporting_country), *transit, str(shipment.importing_country)]


def shipment_history(*, user: Any, shipment: Shipment) -> QuerySet[AuditEntry]:
    """The shipment's entries in the audit log (who did what, when), for those who may see it."""
    shipment_get(user=user, pk=shipment.pk)
    return AuditEntry.objects.filter(object_type="shipments.shipment", object_id=str(shipment.pk)).order_by("seq")


def seizure_choices(*, user: Any) -> QuerySet[Any]:
    """The seizure records the user may link as an outcome (those they may see, newest first)."""
    from shieldhub.seizures.selectors import incident_list

    return incident_list(user=user).exclude(status__in=["draft", "withdrawn"])


# --- response rates ------------------------------------------------------------------------------


@dataclass
class ResponseRate:
    country: str
    country_name: str
    requests: int  # verification requests that are due or answered (pending ones not counted)
    on_time: int
    late: int
    never: int
    pending: int

    @property
    def rate(self) -> int | None:
        """Answered on time, in percent of the requests due."""
        return round(100 * self.on_time / self.requests) if self.requests else None


def response_rate_countries(*, user: Any) -> list[str] | None:
    """Whose response rates the user may see: None for all (the secretariat), an NCP their own country."""
    require(user, Perm.SHIPMENT_USE)
    if has_perm(user, Perm.SHIPMENT_VIEW_ALL):
        return None
    country = user_country(user)
    if not country:
        raise PermissionDenied
    return [country]


def response_rates(*, user: Any, since: dt.date | None = None, today: dt.date | None = None) -> list[ResponseRate]:
    """Per importing country: verification requests answered on time, late, never (past the deadline,
    unanswered), and still pending. Withdrawn requests are not counted."""
    allowed = response_rate_countries(user=user)
    today = today or timezone.localdate()
    qs = ShipmentVerification.objects.exclude(status=VerificationStatus.WITHDRAWN)
    if allowed is not None:
        qs = qs.filter(importing_country__in=allowed)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    rows: dict[str, ResponseRate] = {}
    for code, status, deadline, answered_at in qs.values_list("importing_country", "status", "deadline", "answered_at"):
        code = str(code)
        row = rows.get(code) or rows.setdefault(
            code, ResponseRate(code, str(country_registry.name(code)), 0, 0, 0, 0, 0)
        )
        if answered_at is not None:
            row.requests += 1
            if timezone.localdate(answered_at) <= deadline:
                row.on_time += 1
            else:
                row.late += 1
        elif status == VerificationStatus.OVERDUE or deadline < today:
            row.requests += 1
            row.never += 1
        else:
            row.pending += 1
    return sorted(rows.values(), key=lambda r: r.country_name)

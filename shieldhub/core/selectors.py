from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from shieldhub.core.access import Perm, require
from shieldhub.core.models import AuditEntry


def audit_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """The audit log, for the coordinator and administrators only."""
    require(user, Perm.AUDIT_VIEW, hide=True)
    f = filters or {}
    qs = AuditEntry.objects.select_related("actor").order_by("-seq")
    if f.get("actor"):
        qs = qs.filter(actor_label__icontains=f["actor"])
    if f.get("action"):
        qs = qs.filter(action__startswith=f["action"])
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"])
    if f.get("object_id"):
        qs = qs.filter(object_id=str(f["object_id"]))
    if f.get("q"):
        qs = qs.filter(Q(object_repr__icontains=f["q"]) | Q(action__icontains=f["q"]))
    if isinstance(f.get("date_from"), dt.date):
        qs = qs.filter(created_at__date__gte=f["date_from"])
    if isinstance(f.get("date_to"), dt.date):
        qs = qs.filter(created_at__date__lte=f["date_to"])
    return qs


def audit_get(*, user: Any, seq: int) -> AuditEntry:
    require(user, Perm.AUDIT_VIEW, hide=True)
    try:
        return AuditEntry.objects.select_related("actor").get(seq=seq)
    except AuditEntry.DoesNotExist as exc:
        raise Http404 from exc


def audit_object_types(*, user: Any) -> list[str]:
    require(user, Perm.AUDIT_VIEW, hide=True)
    return list(AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct())

"""Every read of events, scoped by `access.events_visible_q` (invitations: `invitations_visible_q`;
registrations: `registrations_visible_q`; passport details: `access.passport_visible`).

For other modules: `event_list(user=..., filters={...})` accepts `kind`, `status`, `q`, `upcoming`
(bool), `after`/`before` (dates); `event_get(user=..., pk=...)` is the one event or a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shieldhub.core.access import (
    Perm,
    events_visible_q,
    has_perm,
    invitations_visible_q,
    registrations_visible_q,
    user_perms,
)
from shieldhub.events.models import Event, Invitation, Registration

FILTER_KEYS = ("kind", "status", "q", "upcoming", "after", "before")


def _visible(user: Any) -> QuerySet[Event]:
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise PermissionDenied
    return Event.objects.filter(events_visible_q(user))


def event_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Event]:
    """The events this user may see, soonest last (newest start first), filtered."""
    filters = filters or {}
    qs = _visible(user)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("upcoming"):
        qs = qs.filter(ends_at__gte=timezone.now())
    if filters.get("after"):
        qs = qs.filter(ends_at__date__gte=filters["after"])
    if filters.get("before"):
        qs = qs.filter(starts_at__date__lte=filters["before"])
    for word in str(filters.get("q") or "").split():
        qs = qs.filter(Q(title_en__icontains=word) | Q(title_fr__icontains=word) | Q(venue_name__icontains=word))
    return qs.order_by("-starts_at", "-pk")


def event_get(*, user: Any, pk: Any) -> Event:
    """The event, or a 404 when this user may not see it (or it does not exist)."""
    if not has_perm(user, Perm.EVENTS_VIEW):
        raise Http404
    try:
        return _visible(user).get(pk=int(pk))
    except (Event.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def invitation_list(*, user: Any, event: Event | None = None) -> QuerySet[Invitation]:
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise PermissionDenied
    qs = Invitation.objects.filter(invitations_visible_q(user)).select_related("event", "recipient", "organisation")
    if event is not None:
        qs = qs.filter(event=event)
    return qs


def registration_list(*, user: Any, event: Event | None = None) -> QuerySet[Registration]:
    """Registrations this user may see (passport details are not loaded here: `access.passport_visible`)."""
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise PermissionDenied
    qs = Registration.objects.filter(registrations_visible_q(user)).select_related("event")
    if event is not None:
        qs = qs.filter(event=event)
    return qs

"""Every read of events, scoped by `access.events_visible_q` (invitations: `invitations_visible_q`;
registrations: `registrations_visible_q`; passport details: `access.passport_visible`).

For other modules: `event_list(user=..., filters={...})` accepts `kind`, `status`, `q`, `upcoming`
(bool), `after`/`before` (dates); `event_get(user=..., pk=...)` is the one event or a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
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
from shieldhub.events.models import Event, Invitation, Registration, Session

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


def session_list(*, user: Any, event: Event) -> QuerySet[Session]:
    """The agenda of an event the user may see (call `event_get` first), in order, with its people."""
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise PermissionDenied
    return event.sessions.order_by("starts_at", "pk").prefetch_related("speakers__organisation", "moderators")


def session_get(*, user: Any, event: Event, pk: Any) -> Session:
    """One session of an event the user may see, or a 404."""
    try:
        return session_list(user=user, event=event).get(pk=int(pk))
    except (Session.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def events_with_agenda(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Events with their sessions and the sessions' people loaded (calendar files, the API)."""
    sessions = Session.objects.order_by("starts_at", "pk").prefetch_related("speakers", "moderators")
    return qs.prefetch_related(Prefetch("sessions", queryset=sessions))


def event_calendar(*, user: Any, start: Any, end: Any) -> QuerySet[Event]:
    """The events this user may see that overlap [start, end) (aware datetimes), soonest first."""
    return _visible(user).filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at", "pk")


def event_feed(*, user: Any, since_days: int = 400) -> QuerySet[Event]:
    """The events of a person's calendar feed: those they may see, from about a year ago on."""
    since = timezone.now() - dt.timedelta(days=since_days)
    return events_with_agenda(_visible(user).filter(ends_at__gte=since).order_by("starts_at", "pk"))


def organiser_candidates() -> QuerySet[Any]:
    """Active accounts that may organise events (their roles hold events.manage)."""
    from django.contrib.auth import get_user_model

    from shieldhub.core.access import ROLE_PERMISSIONS

    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if Perm.EVENTS_MANAGE in perms]
    users = get_user_model().objects.filter(is_active=True, role_grants__role__in=roles).distinct()
    return users.order_by("full_name", "email")


def session_people(*, user: Any, chosen: set[int] | None = None, q: str = "", limit: int = 20) -> list[Any]:
    """People of the directory offered as speakers and moderators: those already chosen, then those
    matching `q` (at most `limit`), all through the directory's own selector (what the user may see)."""
    from shieldhub.directory import selectors as directory

    people = list(directory.person_list(user=user).filter(pk__in=chosen or set())) if chosen else []
    if q.strip():
        seen = {p.pk for p in people}
        people += [p for p in directory.person_list(user=user, filters={"q": q})[:limit] if p.pk not in seen]
    return people


def has_calendar_feed(*, user: Any) -> bool:
    from shieldhub.events.models import CalendarFeed

    return CalendarFeed.objects.filter(user=user).exists()


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

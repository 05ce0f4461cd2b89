"""Registrations: selectors and services (approval by the secretariat, capacity and waiting list).

Reads: `registration_list_for_event(user=, event=, filters=)` — the secretariat (`events.manage`)
sees every registration of the event; an NCP their own country's (`registrations_visible_q`); anyone
else gets a 404 for the list. `registration_get(user=, pk=)` — one registration or a 404.
`passport_get(user=, registration=)` — the passport details for `events.personal_data` holders only.

Writes (each audited in the same transaction):
- `registration_create` — by hand by the secretariat (from the directory or free entry), or by a
  nomination (`nominated_by`, `invitation`); status pending.
- `registration_approve` — approved while the event has room (`Event.capacity`), else waiting list.
- `registration_reject` (with a note), `registration_wait`, `registration_withdraw` — a withdrawal of
  an approved participant promotes the first on the waiting list (who is told by email, after commit).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import (
    Perm,
    has_perm,
    passport_visible,
    registrations_visible_q,
    require,
    user_country,
)
from shieldhub.core.audit import audit_record, snapshot
from shieldhub.events.choices import RegistrationStatus
from shieldhub.events.models import Event, PassportDetails, Registration

S = RegistrationStatus
REGISTRATION_FIELDS = (
    "title", "given_name", "family_name", "position", "organisation_name", "country", "email", "phone",
    "gender", "language", "dietary_needs", "accessibility_needs", "arrival_on", "departure_on",
    "funding_requested",
)  # fmt: skip
FILTER_KEYS = ("status", "country", "q")


def new_badge_code() -> str:
    """A random, unguessable badge code (also the participant's evaluation link)."""
    while True:
        code = secrets.token_urlsafe(15)[:20]
        if not Registration.objects.filter(badge_code=code).exists():
            return code


# --- reads -----------------------------------------------------------------------------------


def can_manage(user: Any) -> bool:
    return has_perm(user, Perm.EVENTS_MANAGE)


def can_list(user: Any) -> bool:
    """Who may open an event's list of registrations: the secretariat, and NCPs (their country's)."""
    return can_manage(user) or bool(user_country(user) and has_perm(user, Perm.EVENTS_VIEW))


def _scoped(user: Any) -> QuerySet[Registration]:
    if not has_perm(user, Perm.EVENTS_VIEW):
        raise Http404
    return Registration.objects.filter(registrations_visible_q(user))


def registration_list_for_event(
    *, user: Any, event: Event, filters: dict[str, Any] | None = None
) -> QuerySet[Registration]:
    """The event's registrations this user may see (a 404 for those who may not list them)."""
    if not can_list(user):
        raise Http404
    filters = filters or {}
    qs = _scoped(user).filter(event=event).select_related("event", "person", "certificate")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("country"):
        qs = qs.filter(country=str(filters["country"]).upper())
    for word in str(filters.get("q") or "").split():
        qs = qs.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(organisation_name__icontains=word)
        )
    return qs.order_by("country", "family_name", "given_name", "pk")


def registration_get(*, user: Any, pk: Any) -> Registration:
    try:
        return _scoped(user).select_related("event", "person", "user", "decided_by").get(pk=int(pk))
    except (Registration.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def registration_get_managed(*, user: Any, pk: Any) -> Registration:
    """A registration the user manages (the secretariat), else a 404."""
    if not can_manage(user):
        raise Http404
    return registration_get(user=user, pk=pk)


def passport_get(*, user: Any, registration: Registration) -> PassportDetails | None:
    """The passport details for those who may see them (`events.personal_data`), else None."""
    if not passport_visible(user):
        return None
    return PassportDetails.objects.filter(registration=registration).first()


def status_counts(event: Event, *, user: Any | None = None) -> dict[str, int]:
    """{status: count} of the event's registrations (scoped to the user when given)."""
    qs = Registration.objects.filter(event=event)
    if user is not None:
        qs = qs.filter(registrations_visible_q(user))
    rows = qs.values("status").annotate(n=Count("pk"))
    counts = {s: 0 for s in S.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def approved_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=S.APPROVED).count()


def has_room(event: Event) -> bool:
    return event.capacity is None or approved_count(event) < event.capacity


# --- writes ----------------------------------------------------------------------------------

AUDIT_FIELDS = ["status", "decision_note", "decided_by", "decided_at", "event", "country"]


def _lock_event(event: Event) -> Event:
    """Lock the event row so two approvals cannot both take the last place (PostgreSQL)."""
    return Event.objects.select_for_update().get(pk=event.pk)


def registration_create(
    *,
    actor: Any,
    event: Event,
    data: dict[str, Any],
    person: Any = None,
    invitation: Any = None,
    nominated_by: Any = None,
    passport: dict[str, Any] | None = None,
    status: str = S.PENDING,
) -> Registration:
    """Register someone for the event (by hand by the secretariat, or from a nomination).

    `data` holds the fields of `REGISTRATION_FIELDS`; with `person` (a directory contact) the
    missing names, organisation, country and email are taken from the contact."""
    if nominated_by is None:
        require(actor, Perm.EVENTS_MANAGE)
    unknown = set(data) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    registration = Registration(event=event, person=person, invitation=invitation, nominated_by=nominated_by)
    if person is not None:
        registration.given_name = person.given_name
        registration.family_name = person.family_name
        registration.country = str(person.country or "")
        registration.email = person.email or ""
        registration.user = getattr(person, "user", None)
        organisation = getattr(person, "organisation", None)
        if organisation is not None:
            registration.organisation_name = organisation.name
    for key, value in data.items():
        if value in (None, "") and person is not None and key in ("given_name", "family_name", "country", "email"):
            continue
        setattr(registration, key, "" if value is None and key not in ("arrival_on", "departure_on") else value)
    if isinstance(registration.country, str):
        registration.country = registration.country.upper()
    registration.status = status
    registration.badge_code = new_badge_code()
    registration.full_clean(exclude=["badge_code"])
    with transaction.atomic():
        registration.save()
        details = None
        if passport:
            details = PassportDetails(registration=registration, **passport)
            details.full_clean(exclude=["registration"])
            details.save()
        audit_record(
            actor=actor,
            action="events.registration_create",
            obj=registration,
            changes={"status": [None, registration.status]},
            extra={"event": event.pk, "country": str(registration.country), "passport": details is not None},
        )
    return registration


def _decide(registration: Registration, actor: Any, status: str, note: str = "") -> None:
    registration.status = status
    registration.decided_at = timezone.now()
    registration.decided_by = actor if getattr(actor, "pk", None) else None
    if note:
        registration.decision_note = note
    registration.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])


def _audit(actor: Any, action: str, registration: Registration, before: str, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=registration,
        changes={"status": [before, registration.status]},
        extra={"event": registration.event_id, **extra},
    )


def registration_approve(*, actor: Any, registration: Registration) -> Registration:
    """Approve while the event has room; beyond its capacity, put on the waiting list."""
    require(actor, Perm.EVENTS_MANAGE)
    if registration.status == S.APPROVED:
        return registration
    if registration.status == S.WITHDRAWN:
        raise ValidationError(_("This participant has withdrawn."))
    with transaction.atomic():
        event = _lock_event(registration.event)
        before = registration.status
        status = S.APPROVED if has_room(event) else S.WAITING
        _decide(registration, actor, status)
        _audit(actor, "events.registration_approve", registration, before, capacity=event.capacity)
    return registration


def registration_reject(*, actor: Any, registration: Registration, note: str = "") -> Registration:
    require(actor, Perm.EVENTS_MANAGE)
    note = (note or "").strip()
    with transaction.atomic():
        before = registration.status
        was_approved = before == S.APPROVED
        _decide(registration, actor, S.REJECTED, note)
        _audit(actor, "events.registration_reject", registration, before)
        if was_approved:
            _promote_next(actor, registration.event)
    return registration


def registration_wait(*, actor: Any, registration: Registration) -> Registration:
    """Put on the waiting list (by hand)."""
    require(actor, Perm.EVENTS_MANAGE)
    if registration.status == S.WITHDRAWN:
        raise ValidationError(_("This participant has withdrawn."))
    with transaction.atomic():
        before = registration.status
        _decide(registration, actor, S.WAITING)
        _audit(actor, "events.registration_wait", registration, before)
        if before == S.APPROVED:
            _promote_next(actor, registration.event, exclude=registration.pk)
    return registration


def registration_withdraw(*, actor: Any, registration: Registration, note: str = "") -> Registration:
    """Withdraw a participant (the secretariat, the participant themselves, or their country's NCP).
    When an approved participant withdraws, the first on the waiting list takes the place."""
    allowed = (
        can_manage(actor)
        or (registration.user_id is not None and registration.user_id == getattr(actor, "pk", None))
        or (has_perm(actor, Perm.EVENTS_NOMINATE) and user_country(actor) == str(registration.country))
    )
    if not allowed:
        raise PermissionDenied
    if registration.status == S.WITHDRAWN:
        return registration
    with transaction.atomic():
        before = registration.status
        _decide(registration, actor, S.WITHDRAWN, (note or "").strip())
        _audit(actor, "events.registration_withdraw", registration, before)
        if before == S.APPROVED:
            _promote_next(actor, registration.event)
    return registration


def _promote_next(actor: Any, event: Event, exclude: int | None = None) -> Registration | None:
    """Approve the first on the waiting list (earliest registered) if there is room; tell them."""
    event = _lock_event(event)
    if not has_room(event):
        return None
    waiting = Registration.objects.filter(event=event, status=S.WAITING).order_by("created_at", "pk")
    if exclude is not None:
        waiting = waiting.exclude(pk=exclude)
    nxt = waiting.first()
    if nxt is None:
        return None
    _decide(nxt, actor, S.APPROVED)
    _audit(actor, "events.registration_promote", nxt, S.WAITING)
    from shieldhub.events import tasks_registrations

    pk = nxt.pk
    transaction.on_commit(lambda: tasks_registrations.registration_promoted.enqueue(registration_id=pk))
    return nxt


def registration_snapshot(registration: Registration) -> dict[str, Any]:
    return snapshot(registration, AUDIT_FIELDS)

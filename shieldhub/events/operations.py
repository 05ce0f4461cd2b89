"""PGS operations: reads (scoped) and writes (audited) of `events.Operation`.

An operation is planned by the holders of `events.operations_manage` (coordinator, analyst,
assistant). Creating one creates, in one transaction: its event (kind `operation`, for the
calendar and the bilingual title), its time-boxed closed group in the exchange (a
`directory.Community` of kind `operation`: dates = the active phase, the participating countries,
moderation as chosen; the countries' active NCPs as members, the creator and the coordinators as
moderators) and, when dates are given, its pre- and post-operational meetings (events). The group
is written through `directory.services.operation_group_*`, the narrow services for operation groups
(the analyst plans operations but does not manage communities).

Who sees an operation: the secretariat every one; anyone else the operations whose event they may
see (`access.events_visible_q`: for an NCP, through the membership of the operation's group, i.e.
their country takes part). Anything else is a 404.

Lifecycle: planning → pre-operational meeting → active phase → post-operational meeting → closed,
forward only (`ALLOWED`), each change audited.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.accounts.choices import Role
from shieldhub.core.access import Perm, events_visible_q, has_perm, is_secretariat, require
from shieldhub.core.audit import audit_record, diff
from shieldhub.directory import services as directory
from shieldhub.directory.choices import MembershipRole
from shieldhub.events.choices import EventKind, EventStatus, OperationPhase
from shieldhub.events.models import Event, Operation

P = OperationPhase
ALLOWED: dict[str, tuple[str, ...]] = {
    P.PLANNING: (P.PRE_MEETING, P.ACTIVE),
    P.PRE_MEETING: (P.ACTIVE,),
    P.ACTIVE: (P.POST_MEETING, P.CLOSED),
    P.POST_MEETING: (P.CLOSED,),
    P.CLOSED: (),
}
# What the operation's event says in each phase.
_EVENT_STATUS: dict[str, str] = {P.CLOSED: EventStatus.HELD}

WRITABLE = frozenset(
    {
        "code", "title_en", "title_fr", "goals_en", "goals_fr", "countries", "precursors", "starts_on",
        "ends_on", "requires_moderation", "lessons_en", "lessons_fr", "pre_meeting", "post_meeting",
    }
)  # fmt: skip
_AUDITED = ("code", "phase", "goals_en", "goals_fr", "countries", "starts_on", "ends_on", "lessons_en", "lessons_fr")


# --- reads -----------------------------------------------------------------------------------------


def _visible(user: Any) -> QuerySet[Operation]:
    if not has_perm(user, Perm.EVENTS_VIEW):
        raise PermissionDenied
    qs = Operation.objects.all()
    if not is_secretariat(user):
        qs = qs.filter(event__in=Event.objects.filter(events_visible_q(user)).values("pk"))
    return qs


def operation_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Operation]:
    """The operations this user may see, newest active phase first; filters: `phase`, `q`."""
    filters = filters or {}
    qs = _visible(user).select_related("event", "community", "pre_meeting", "post_meeting")
    if filters.get("phase"):
        qs = qs.filter(phase=filters["phase"])
    for word in str(filters.get("q") or "").split():
        qs = qs.filter(
            Q(code__icontains=word) | Q(event__title_en__icontains=word) | Q(event__title_fr__icontains=word)
        )
    return qs.prefetch_related("precursors").order_by("-starts_on", "-pk")


def operation_get(*, user: Any, pk: Any) -> Operation:
    """The operation, or a 404 when this user may not see it."""
    if not has_perm(user, Perm.EVENTS_VIEW):
        raise Http404
    try:
        return (
            _visible(user)
            .select_related("event", "community", "pre_meeting", "post_meeting", "created_by")
            .prefetch_related("precursors")
            .get(pk=int(pk))
        )
    except (Operation.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def operation_for_event(*, user: Any, event: Event) -> Operation | None:
    """The operation an event belongs to (as its own event or as one of its meetings), if visible."""
    if not has_perm(user, Perm.EVENTS_VIEW):
        return None
    q = Q(event=event) | Q(pre_meeting=event) | Q(post_meeting=event)
    return _visible(user).filter(q).select_related("event", "community").first()


def can_manage(user: Any) -> bool:
    return has_perm(user, Perm.OPERATIONS_MANAGE)


def next_phases(operation: Operation) -> list[tuple[str, str]]:
    labels = dict(OperationPhase.choices)
    return [(p, str(labels[p])) for p in ALLOWED[operation.phase]]


# --- helpers ----------------------------------------------------------------------------------------


def _clean_countries(value: Any) -> list[str]:
    from shieldhub.exchange.operations import clean_countries

    return clean_countries(value)


def _ncps(countries: list[str]) -> list[Any]:
    from shieldhub.accounts.models import User

    if not countries:
        return []
    return list(User.objects.filter(is_active=True, role_grants__role=Role.NCP, country__in=countries).distinct())


def _moderators(actor: Any) -> list[Any]:
    from shieldhub.accounts.models import User

    coordinators = list(User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct())
    return [actor, *(u for u in coordinators if u.pk != actor.pk)]


def _day_bounds(starts_on: dt.date, ends_on: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    return (
        dt.datetime.combine(starts_on, dt.time(0, 0), tzinfo=tz),
        dt.datetime.combine(ends_on, dt.time(23, 59), tzinfo=tz),
    )


def _precursors(user: Any, value: Any) -> list[Any]:
    from shieldhub.reference.selectors import catalogue_list

    ids = [getattr(v, "pk", v) for v in value or []]
    try:
        ids = [int(v) for v in ids]
    except (TypeError, ValueError) as exc:
        raise ValidationError({"precursors": _("Unknown catalogue item.")}) from exc
    items = list(catalogue_list(user=user).filter(pk__in=ids))
    if len(items) != len(set(ids)):
        raise ValidationError({"precursors": _("Unknown catalogue item.")})
    return items


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter a valid date.")}) from exc


def _as_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        result = value
    else:
        try:
            result = dt.datetime.fromisoformat(str(value))
        except (TypeError, ValueError) as exc:
            raise ValidationError({field: _("Enter a valid date and time.")}) from exc
    if timezone.is_naive(result):
        result = timezone.make_aware(result)
    return result


_MEETING_TITLES: dict[str, tuple[str, str]] = {
    EventKind.PRE_OPERATIONAL: ("Pre-operational meeting — %s", "Réunion pré-opérationnelle — %s"),
    EventKind.POST_OPERATIONAL: ("Post-operational meeting — %s", "Réunion post-opérationnelle — %s"),
}


def _meeting_save(
    *, actor: Any, operation_event: Event, kind: str, current: Event | None, value: dict[str, Any] | None
) -> Event | None:
    """Create or re-date a pre- or post-operational meeting; `value` = {starts_at, ends_at, venue_name?, online_url?}."""
    if not value:
        return current
    field = "pre_meeting" if kind == EventKind.PRE_OPERATIONAL else "post_meeting"
    starts = _as_datetime(value.get("starts_at"), field)
    ends = _as_datetime(value.get("ends_at") or starts + dt.timedelta(hours=3), field)
    if ends < starts:
        raise ValidationError({field: _("The meeting cannot end before it starts.")})
    en, fr = _MEETING_TITLES[kind]
    meeting = current or Event(kind=kind, status=EventStatus.ANNOUNCED, created_by=actor)
    before = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at} if current else None
    meeting.title_en = en % operation_event.title_en
    meeting.title_fr = fr % (operation_event.title_fr or operation_event.title_en)
    meeting.starts_at, meeting.ends_at = starts, ends
    for key in ("venue_name", "online_url"):
        if value.get(key) is not None:
            setattr(meeting, key, value[key])
    meeting.languages = meeting.languages or ["en", "fr"]
    meeting.updated_at = timezone.now()
    meeting.full_clean(exclude=["organisers"])
    meeting.save()
    after = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at}
    changes = diff(before, after)
    if changes:
        audit_record(
            actor=actor,
            action="events.event.create" if before is None else "events.event.update",
            obj=meeting,
            changes=changes,
            extra={"kind": kind},
        )
    return meeting


def _snap(operation: Operation) -> dict[str, Any]:
    data = {key: getattr(operation, key) for key in _AUDITED}
    data["title_en"], data["title_fr"] = operation.event.title_en, operation.event.title_fr
    if operation.pk:
        data["precursors"] = sorted(operation.precursors.values_list("code", flat=True))
    return data


def _sync_members(*, actor: Any, operation: Operation, before: list[str]) -> None:
    """NCPs of the countries that joined are added; those of the countries that left are removed
    (they keep the messages they received: the exchange's visibility follows the recipients)."""
    assert operation.community is not None
    added = sorted(set(operation.countries) - set(before))
    removed = sorted(set(before) - set(operation.countries))
    leaving = [u for u in _ncps(removed) if str(u.country) not in operation.countries]
    directory.operation_group_members_update(
        actor=actor,
        community=operation.community,
        add=[(u, MembershipRole.MEMBER) for u in _ncps(added)],
        remove=leaving,
    )


# --- writes ----------------------------------------------------------------------------------------


def operation_create(*, actor: Any, data: dict[str, Any], group: Any = None) -> Operation:
    """Create an operation, its event, its closed group (or adopt `group`, an existing operation
    group without an operation) with its members, and its meetings when dates are given."""
    require(actor, Perm.OPERATIONS_MANAGE)
    unknown = set(data) - WRITABLE
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    errors: dict[str, list[Any]] = {}
    title_en = str(data.get("title_en") or "").strip()
    if not title_en:
        errors.setdefault("title_en", []).append(_("This field is required."))
    code = str(data.get("code") or "").strip().lower()
    if not code:
        errors.setdefault("code", []).append(_("This field is required."))
    elif Operation.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("An operation with this code name already exists."))
    if errors:
        raise ValidationError(errors)
    starts_on, ends_on = _as_date(data.get("starts_on"), "starts_on"), _as_date(data.get("ends_on"), "ends_on")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The active phase cannot end before it starts.")})
    countries = _clean_countries(data.get("countries"))
    if not countries:
        raise ValidationError({"countries": _("Choose at least one participating country.")})
    precursors = _precursors(actor, data.get("precursors"))
    if group is not None and (group.kind != "operation" or Operation.objects.filter(community=group).exists()):
        raise ValidationError({"group": _("This group already belongs to an operation.")})

    with transaction.atomic():
        event = Event(
            kind=EventKind.OPERATION,
            status=EventStatus.ANNOUNCED,
            title_en=title_en,
            title_fr=str(data.get("title_fr") or "").strip(),
            description_en=str(data.get("goals_en") or ""),
            description_fr=str(data.get("goals_fr") or ""),
            languages=["en", "fr"],
            created_by=actor,
        )
        event.starts_at, event.ends_at = _day_bounds(starts_on, ends_on, event.time_zone)
        event.full_clean(exclude=["organisers"])
        event.save()
        audit_record(actor=actor, action="events.event.create", obj=event, extra={"kind": EventKind.OPERATION})
        group_data = {
            "name": title_en,
            "name_fr": event.title_fr,
            "description": event.description_en,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "countries": countries,
            "requires_moderation": bool(data.get("requires_moderation", False)),
        }
        if group is not None and "requires_moderation" not in data:
            del group_data["requires_moderation"]  # an adopted group keeps its moderation setting
        community = directory.operation_group_save(actor=actor, data=group_data, community=group)
        operation = Operation(
            event=event,
            code=code,
            goals_en=str(data.get("goals_en") or ""),
            goals_fr=str(data.get("goals_fr") or ""),
            countries=countries,
            starts_on=starts_on,
            ends_on=ends_on,
            community=community,
            lessons_en=str(data.get("lessons_en") or ""),
            lessons_fr=str(data.get("lessons_fr") or ""),
            created_by=actor,
        )
        operation.pre_meeting = _meeting_save(
            actor=actor, operation_event=event, kind=EventKind.PRE_OPERATIONAL, current=None,
            value=data.get("pre_meeting"),
        )  # fmt: skip
        operation.post_meeting = _meeting_save(
            actor=actor, operation_event=event, kind=EventKind.POST_OPERATIONAL, current=None,
            value=data.get("post_meeting"),
        )  # fmt: skip
        operation.full_clean(exclude=["event", "community", "created_by", "pre_meeting", "post_meeting"])
        operation.save()
        operation.precursors.set(precursors)
        members: list[tuple[Any, str]] = [(u, MembershipRole.MODERATOR) for u in _moderators(actor)]
        members += [(u, MembershipRole.MEMBER) for u in _ncps(countries)]
        directory.operation_group_members_update(actor=actor, community=community, add=members, remove=[])
        audit_record(
            actor=actor,
            action="events.operation.create",
            obj=operation,
            changes=diff(None, _snap(operation)),
            extra={"community": community.pk, "adopted_group": group is not None},
        )
    return operation


def operation_update(*, actor: Any, operation: Operation, data: dict[str, Any]) -> Operation:
    """Edit an operation; its event, its group (dates, names, countries and members) and its
    meetings follow. Lessons are recorded here too (at the post-operational meeting)."""
    require(actor, Perm.OPERATIONS_MANAGE)
    unknown = set(data) - WRITABLE
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        obj = (
            Operation.objects.select_for_update(of=("self",)).select_related("event", "community").get(pk=operation.pk)
        )
        before = _snap(obj)
        countries_before = list(obj.countries)
        event = obj.event
        if "code" in data:
            code = str(data["code"] or "").strip().lower()
            if Operation.objects.filter(code=code).exclude(pk=obj.pk).exists():
                raise ValidationError({"code": _("An operation with this code name already exists.")})
            obj.code = code
        if "title_en" in data:
            if not str(data["title_en"] or "").strip():
                raise ValidationError({"title_en": _("This field is required.")})
            event.title_en = str(data["title_en"]).strip()
        if "title_fr" in data:
            event.title_fr = str(data["title_fr"] or "").strip()
        for key in ("goals_en", "goals_fr", "lessons_en", "lessons_fr"):
            if key in data:
                setattr(obj, key, str(data[key] or ""))
        event.description_en, event.description_fr = obj.goals_en, obj.goals_fr
        if "starts_on" in data:
            obj.starts_on = _as_date(data["starts_on"], "starts_on")
        if "ends_on" in data:
            obj.ends_on = _as_date(data["ends_on"], "ends_on")
        if obj.ends_on < obj.starts_on:
            raise ValidationError({"ends_on": _("The active phase cannot end before it starts.")})
        if "countries" in data:
            obj.countries = _clean_countries(data["countries"])
            if not obj.countries:
                raise ValidationError({"countries": _("Choose at least one participating country.")})
        event.starts_at, event.ends_at = _day_bounds(obj.starts_on, obj.ends_on, event.time_zone)
        event.updated_at = timezone.now()
        event.full_clean(exclude=["organisers"])
        event.save()
        if "precursors" in data:
            obj.precursors.set(_precursors(actor, data["precursors"]))
        obj.pre_meeting = _meeting_save(
            actor=actor, operation_event=event, kind=EventKind.PRE_OPERATIONAL, current=obj.pre_meeting,
            value=data.get("pre_meeting"),
        )  # fmt: skip
        obj.post_meeting = _meeting_save(
            actor=actor, operation_event=event, kind=EventKind.POST_OPERATIONAL, current=obj.post_meeting,
            value=data.get("post_meeting"),
        )  # fmt: skip
        obj.full_clean(exclude=["event", "community", "created_by", "pre_meeting", "post_meeting"])
        obj.save()
        if obj.community is not None:
            group_data: dict[str, Any] = {
                "name": event.title_en,
                "name_fr": event.title_fr,
                "starts_on": obj.starts_on,
                "ends_on": obj.ends_on,
                "countries": obj.countries,
            }
            if "requires_moderation" in data:
                group_data["requires_moderation"] = bool(data["requires_moderation"])
            obj.community = directory.operation_group_save(actor=actor, data=group_data, community=obj.community)
            _sync_members(actor=actor, operation=obj, before=countries_before)
        changes = diff(before, _snap(obj))
        if changes:
            audit_record(actor=actor, action="events.operation.update", obj=obj, changes=changes)
    return obj


def operation_phase_change(*, actor: Any, operation: Operation, phase: str) -> Operation:
    """Move the operation to the next phase (only the transitions in `ALLOWED`), audited."""
    require(actor, Perm.OPERATIONS_MANAGE)
    with transaction.atomic():
        obj = Operation.objects.select_for_update(of=("self",)).select_related("event").get(pk=operation.pk)
        if phase not in ALLOWED.get(obj.phase, ()):
            labels = dict(OperationPhase.choices)
            raise ValidationError(
                {
                    "phase": _("An operation cannot go from “%(current)s” to “%(phase)s”.")
                    % {"current": labels.get(obj.phase, obj.phase), "phase": labels.get(phase, phase)}
                }
            )
        previous = obj.phase
        obj.phase = phase
        obj.save(update_fields=["phase"])
        if phase in _EVENT_STATUS and obj.event.status != _EVENT_STATUS[phase]:
            Event.objects.filter(pk=obj.event_id).update(status=_EVENT_STATUS[phase], updated_at=timezone.now())
        audit_record(actor=actor, action="events.operation.phase", obj=obj, changes={"phase": [previous, phase]})
    return obj

"""Every write of events and their agendas: permission check, `full_clean`, one transaction, an audit
entry. Invitations, nominations, registrations and operations have their own modules.

Times arrive as aware datetimes (the forms and the API make the event's local times aware in the
event's own zone); they are stored in UTC. Validation messages are translated and keyed by field,
so a form shows each next to its input and the API returns them in `details`.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, has_perm, people_visible_q
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.tokens import hash_token, new_invitation_token
from shieldhub.events.choices import EventKind, EventStatus, Language
from shieldhub.events.models import CalendarFeed, Event, Session

EVENT_FIELDS = (
    "kind", "title_en", "title_fr", "description_en", "description_fr", "starts_at", "ends_at", "time_zone",
    "venue_name", "venue_address", "venue_country", "rooms", "online_url", "languages", "interpretation",
    "capacity", "reply_by", "funding_terms_en", "funding_terms_fr", "training_topic",
)  # fmt: skip
SESSION_FIELDS = ("title_en", "title_fr", "description_en", "description_fr", "starts_at", "ends_at", "room")

# Which status may follow which (the secretariat's workflow; "cancelled" from any live status).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    EventStatus.DRAFT: (EventStatus.ANNOUNCED, EventStatus.NOMINATIONS_OPEN, EventStatus.CANCELLED),
    EventStatus.ANNOUNCED: (
        EventStatus.DRAFT, EventStatus.NOMINATIONS_OPEN, EventStatus.CLOSED, EventStatus.HELD, EventStatus.CANCELLED,
    ),
    EventStatus.NOMINATIONS_OPEN: (EventStatus.ANNOUNCED, EventStatus.CLOSED, EventStatus.CANCELLED),
    EventStatus.CLOSED: (EventStatus.NOMINATIONS_OPEN, EventStatus.HELD, EventStatus.CANCELLED),
    EventStatus.HELD: (),
    EventStatus.CANCELLED: (EventStatus.DRAFT,),
}  # fmt: skip


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """The IANA zone names a person may choose (Area/City ones, sorted; UTC first)."""
    names = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/"))}
    return ("UTC", *sorted(names))


def _require_manage(actor: Any) -> None:
    if not has_perm(actor, Perm.EVENTS_MANAGE):
        raise PermissionDenied


def _clean_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _apply(event: Event, data: dict[str, Any]) -> None:
    unknown = set(data) - set(EVENT_FIELDS) - {"organisers"}
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key in EVENT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("rooms", "languages"):
            value = _clean_list(value)
        elif key in ("capacity", "reply_by"):
            value = value or None
        elif key == "interpretation":
            value = bool(value)
        elif key in ("starts_at", "ends_at"):
            pass
        else:
            value = "" if value is None else (value.strip() if isinstance(value, str) else value)
        setattr(event, key, value)


def _validate_event(event: Event) -> None:
    errors: dict[str, list[Any]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(message)

    if event.time_zone not in time_zone_names():
        add("time_zone", _("Choose a time zone from the list."))
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        add("ends_at", _("The event must end after it starts."))
    if not (event.venue_name or "").strip() and not (event.online_url or "").strip():
        add("venue_name", _("Give a venue or an online link (or both)."))
    if event.kind == EventKind.WEBINAR and not event.online_url:
        add("online_url", _("A webinar needs an online link."))
    bad = [code for code in event.languages if code not in Language.values]
    if bad:
        add("languages", _("Working languages are English and French."))
    if not event.languages:
        add("languages", _("Choose at least one working language."))
    if event.interpretation and len(set(event.languages)) < 2:
        add("interpretation", _("Interpretation needs both English and French as working languages."))
    if event.reply_by and event.starts_at and event.reply_by > event.starts_at.date():
        add("reply_by", _("The reply-by date must be on or before the first day of the event."))
    if event.capacity is not None and event.capacity < 1:
        add("capacity", _("The capacity is at least 1 (leave it empty for no limit)."))
    try:
        event.full_clean(exclude=["created_by", "organisers"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    if errors:
        raise ValidationError(errors)


def _organisers(value: Any) -> list[Any]:
    """Organisers are accounts of the secretariat (those who hold events.manage)."""
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.filter(pk__in=[getattr(u, "pk", u) for u in value or []], is_active=True))
    if len(users) != len(set(value or [])) or not all(has_perm(u, Perm.EVENTS_MANAGE) for u in users):
        raise ValidationError({"organisers": _("Organisers are active members of the secretariat who manage events.")})
    return users


def event_snapshot(event: Event) -> dict[str, Any]:
    data = snapshot(event, [*EVENT_FIELDS, "status"])
    if event.pk:
        data["organisers"] = sorted(event.organisers.values_list("pk", flat=True))
    return data


@transaction.atomic
def event_create(*, actor: Any, data: dict[str, Any]) -> Event:
    """A new event (a draft unless `status` says otherwise is not offered: events start as drafts)."""
    _require_manage(actor)
    event = Event(created_by=actor, status=EventStatus.DRAFT)
    _apply(event, data)
    organisers = _organisers(data["organisers"]) if "organisers" in data else [actor]
    _validate_event(event)
    event.save()
    event.organisers.set(organisers)
    audit_record(actor=actor, action="events.event_create", obj=event, changes=diff(None, event_snapshot(event)))
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, data: dict[str, Any]) -> Event:
    _require_manage(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError({"__all__": [_("A cancelled event cannot be edited; reinstate it as a draft first.")]})
    before = event_snapshot(event)
    _apply(event, data)
    organisers = _organisers(data["organisers"]) if "organisers" in data else None
    _validate_event(event)
    rooms = set(event.rooms)
    orphan = event.sessions.exclude(room="").exclude(room__in=rooms).values_list("title_en", flat=True)[:3]
    if orphan:
        raise ValidationError(
            {"rooms": [_("Sessions still use a room you removed: %(titles)s.") % {"titles": ", ".join(orphan)}]}
        )
    outside = event.sessions.exclude(starts_at__gte=event.starts_at, ends_at__lte=event.ends_at).exists()
    if outside:
        raise ValidationError({"starts_at": [_("Some sessions of the agenda fall outside the new dates.")]})
    event.updated_at = timezone.now()
    event.save()
    if organisers is not None:
        event.organisers.set(organisers)
    audit_record(actor=actor, action="events.event_update", obj=event, changes=diff(before, event_snapshot(event)))
    return event


def allowed_statuses(event: Event) -> tuple[str, ...]:
    return TRANSITIONS.get(event.status, ())


@transaction.atomic
def event_set_status(*, actor: Any, event: Event, status: str, reason: str = "") -> Event:
    """Move an event along draft → announced → open for nominations → closed → held (or cancelled)."""
    _require_manage(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if status not in EventStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status not in allowed_statuses(event):
        raise ValidationError(
            {"status": [_("An event that is “%(current)s” cannot become “%(new)s”.") % {
                "current": event.get_status_display(), "new": EventStatus(status).label}]}
        )  # fmt: skip
    if status == EventStatus.HELD and event.starts_at > timezone.now():
        raise ValidationError({"status": [_("An event can be marked as held only once it has started.")]})
    if status == EventStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": [_("Say why the event is cancelled.")]})
    previous = event.status
    event.status = status
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="events.event_status", obj=event, changes={"status": [previous, status]},
        extra={"reason": reason.strip()} if reason.strip() else None,
    )  # fmt: skip
    return event


def event_cancel(*, actor: Any, event: Event, reason: str) -> Event:
    return event_set_status(actor=actor, event=event, status=EventStatus.CANCELLED, reason=reason)


# --- agenda --------------------------------------------------------------------------------------


def _people(actor: Any, value: Any, field: str) -> list[Any]:
    """Speakers and moderators: people of the directory the actor may see."""
    from shieldhub.directory.models import Person

    ids = {int(getattr(p, "pk", p)) for p in value or []}
    people = list(Person.objects.filter(people_visible_q(actor), pk__in=ids))
    if len(people) != len(ids):
        raise ValidationError({field: [_("Choose people from the directory.")]})
    return people


def _validate_session(session: Session, event: Event) -> None:
    errors: dict[str, list[Any]] = {}
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors.setdefault("ends_at", []).append(_("The session must end after it starts."))
    if session.starts_at and (session.starts_at < event.starts_at or session.starts_at >= event.ends_at):
        errors.setdefault("starts_at", []).append(_("The session must take place during the event."))
    elif session.ends_at and session.ends_at > event.ends_at:
        errors.setdefault("ends_at", []).append(_("The session must take place during the event."))
    if session.room and session.room not in (event.rooms or []):
        errors.setdefault("room", []).append(_("Choose one of the event's rooms."))
    try:
        session.full_clean(exclude=["event"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def session_snapshot(session: Session) -> dict[str, Any]:
    data = snapshot(session, list(SESSION_FIELDS))
    if session.pk:
        data["speakers"] = sorted(session.speakers.values_list("pk", flat=True))
        data["moderators"] = sorted(session.moderators.values_list("pk", flat=True))
    return data


def _apply_session(session: Session, data: dict[str, Any]) -> None:
    unknown = set(data) - set(SESSION_FIELDS) - {"speakers", "moderators"}
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key in SESSION_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, str):
                value = value.strip()
            setattr(session, key, "" if value is None and key not in ("starts_at", "ends_at") else value)


def _check_agenda_editable(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError({"__all__": [_("The agenda of a cancelled event cannot be changed.")]})


@transaction.atomic
def session_create(*, actor: Any, event: Event, data: dict[str, Any]) -> Session:
    _require_manage(actor)
    _check_agenda_editable(event)
    session = Session(event=event)
    _apply_session(session, data)
    speakers = _people(actor, data.get("speakers"), "speakers")
    moderators = _people(actor, data.get("moderators"), "moderators")
    _validate_session(session, event)
    session.save()
    session.speakers.set(speakers)
    session.moderators.set(moderators)
    audit_record(
        actor=actor, action="events.session_create", obj=session, changes=diff(None, session_snapshot(session)),
        extra={"event": event.pk},
    )  # fmt: skip
    return session


@transaction.atomic
def session_update(*, actor: Any, session: Session, data: dict[str, Any]) -> Session:
    _require_manage(actor)
    session = Session.objects.select_related("event").select_for_update(of=("self",)).get(pk=session.pk)
    _check_agenda_editable(session.event)
    before = session_snapshot(session)
    _apply_session(session, data)
    speakers = _people(actor, data["speakers"], "speakers") if "speakers" in data else None
    moderators = _people(actor, data["moderators"], "moderators") if "moderators" in data else None
    _validate_session(session, session.event)
    session.save()
    if speakers is not None:
        session.speakers.set(speakers)
    if moderators is not None:
        session.moderators.set(moderators)
    audit_record(
        actor=actor, action="events.session_update", obj=session, changes=diff(before, session_snapshot(session)),
        extra={"event": session.event_id},
    )  # fmt: skip
    return session


@transaction.atomic
def session_delete(*, actor: Any, session: Session) -> None:
    _require_manage(actor)
    _check_agenda_editable(session.event)
    before = session_snapshot(session)
    pk, event_id, label = session.pk, session.event_id, str(session)
    session.delete()
    audit_record(
        actor=actor, action="events.session_delete", object_type="events.session", object_id=pk,
        object_repr=label, changes=diff(before, None), extra={"event": event_id},
    )  # fmt: skip


# --- the personal calendar feed ------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, actor: Any) -> str:
    """A new secret for the actor's calendar feed (returned once; the previous URL stops working)."""
    if not has_perm(actor, Perm.EVENTS_VIEW):
        raise PermissionDenied
    raw = new_invitation_token()
    existed = CalendarFeed.objects.filter(user=actor).exists()
    CalendarFeed.objects.update_or_create(
        user=actor, defaults={"token_hash": hash_token(raw), "created_at": timezone.now(), "last_used_at": None}
    )
    audit_record(
        actor=actor, action="events.calendar_feed_regenerate" if existed else "events.calendar_feed_create",
        object_type="events.calendarfeed", object_id=actor.pk, object_repr=str(actor),
    )  # fmt: skip
    return raw


def calendar_feed_user(raw: str) -> Any:
    """The active account whose feed secret this is, or None. Marks the feed as used (at most once a minute)."""
    if not raw:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user

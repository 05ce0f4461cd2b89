"""Calendars: the month grid of the calendar page and iCalendar (.ics) files.

An .ics file holds one VEVENT per event and one per agenda session (RELATED-TO the event's UID), with
times in the event's own zone (TZID, and the VTIMEZONE it needs) so a calendar application shows
them right wherever the reader is. UIDs are stable (`event-<pk>@<host>`, `session-<pk>@<host>`), so
re-importing or refreshing a feed updates entries instead of duplicating them. Titles, descriptions
and locations are in the language asked for (the reader's, or the feed owner's preferred language).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from shieldhub.events.choices import EventStatus
from shieldhub.events.models import Event, Session

PRODID = "-//WCO Programme Global Shield//Global Shield Hub//EN"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "globalshield.invalid"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{_host()}"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{_host()}"


def _text(en: str, fr: str, language: str) -> str:
    return fr if language == "fr" and fr else (en or fr)


def _location(event: Event, room: str = "") -> str:
    parts = [room, event.venue_name, ", ".join(line.strip() for line in event.venue_address.splitlines() if line)]
    if event.venue_country:
        parts.append(str(event.venue_country.name))
    text = ", ".join(p for p in parts if p)
    return text or event.online_url


def _people(session: Session) -> str:
    from django.utils.translation import gettext as _

    lines = []
    speakers = ", ".join(str(p) for p in session.speakers.all())
    moderators = ", ".join(str(p) for p in session.moderators.all())
    if speakers:
        lines.append(_("Speakers: %(names)s") % {"names": speakers})
    if moderators:
        lines.append(_("Moderators: %(names)s") % {"names": moderators})
    return "\n".join(lines)


def _vevent(uid: str, summary: str, start: dt.datetime, end: dt.datetime, zone: str, **extra: Any) -> icalendar.Event:
    tz = zoneinfo.ZoneInfo(zone)
    vevent = icalendar.Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", timezone.now().astimezone(dt.UTC))
    vevent.add("summary", summary)
    vevent.add("dtstart", start.astimezone(tz))
    vevent.add("dtend", end.astimezone(tz))
    for key, value in extra.items():
        if value:
            vevent.add(key.replace("_", "-"), value)
    return vevent


def _event_components(event: Event, language: str) -> list[icalendar.Event]:
    url = settings.SITE_URL + reverse("events:event-detail", args=[event.pk])
    description = _text(event.description_en, event.description_fr, language)
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    status = "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
    if event.status == EventStatus.DRAFT:
        status = "TENTATIVE"
    title = _text(event.title_en, event.title_fr, language)
    uid = event_uid(event)
    components = [
        _vevent(
            uid, title, event.starts_at, event.ends_at, event.time_zone, description=description,
            location=_location(event), url=url, status=status,
            categories=[str(event.get_kind_display())],
        )
    ]  # fmt: skip
    for session in event.sessions.all():
        session_description = "\n\n".join(
            p for p in (title, _text(session.description_en, session.description_fr, language), _people(session)) if p
        )
        component = _vevent(
            session_uid(session), _text(session.title_en, session.title_fr, language), session.starts_at,
            session.ends_at, event.time_zone, description=session_description,
            location=_location(event, session.room), url=url, status=status,
        )  # fmt: skip
        component.add("related-to", uid)
        components.append(component)
    return components


def build_ics(events: Iterable[Event], *, language: str, name: str = "") -> bytes:
    """An iCalendar file of these events and their sessions (load them with `events_with_agenda`)."""
    with translation.override(language):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        if name:
            cal.add("x-wr-calname", name)
        for event in events:
            for component in _event_components(event, language):
                cal.add_component(component)
        cal.add_missing_timezones()
    return cal.to_ical()  # type: ignore[no-any-return]


# --- the month grid ------------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


def month_bounds(year: int, month: int, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month's grid (a Monday) and the first after it, in `zone`."""
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=first.weekday())
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    end = last + dt.timedelta(days=7 - last.weekday())
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def month_grid(year: int, month: int, events: Iterable[Event], zone: dt.tzinfo) -> list[list[Day]]:
    """Weeks (Monday first) of Days, each with the events taking place that day (in `zone`, the
    reader's zone: an event spanning several days appears on each)."""
    start, end = month_bounds(year, month, zone)
    today = timezone.localdate(timezone=zone)  # type: ignore[arg-type]
    days: dict[dt.date, Day] = {}
    day = start.date()
    while day < end.date():
        days[day] = Day(date=day, in_month=day.month == month, is_today=day == today)
        day += dt.timedelta(days=1)
    for event in events:
        first = event.starts_at.astimezone(zone).date()
        last = (event.ends_at.astimezone(zone) - dt.timedelta(microseconds=1)).date()
        day = max(first, start.date())
        while day <= last and day in days:
            days[day].events.append(event)
            day += dt.timedelta(days=1)
    ordered = list(days.values())
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]

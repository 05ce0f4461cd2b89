"""The agenda: sessions grouped by day in the event's time zone, on the event page and in the
printable PDF (English or French, whatever the reader's interface language)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shieldhub.events.models import Event, Session
from shieldhub.events.pdf import render_pdf


@dataclass
class AgendaDay:
    date: dt.date
    sessions: list[Session]


def agenda_days(event: Event, sessions: list[Session]) -> list[AgendaDay]:
    """The sessions by day of the event's local calendar, each with `local_start`/`local_end` set."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    days: dict[dt.date, list[Session]] = {}
    for session in sessions:
        start = session.starts_at.astimezone(zone)
        # naive wall-clock times: Django's |date and |time would turn aware ones back to the reader's zone
        session.local_start = start.replace(tzinfo=None)  # type: ignore[attr-defined]
        session.local_end = session.ends_at.astimezone(zone).replace(tzinfo=None)  # type: ignore[attr-defined]
        days.setdefault(start.date(), []).append(session)
    return [AgendaDay(date=d, sessions=s) for d, s in sorted(days.items())]


def event_local_times(event: Event) -> dict[str, Any]:
    """The event's start and end in its own zone, and the zone's name (for the pages and the PDF)."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return {  # naive wall-clock times (see agenda_days)
        "local_start": start.replace(tzinfo=None),
        "local_end": end.replace(tzinfo=None),
        "same_day": start.date() == end.date(),
        "zone_name": event.time_zone.replace("_", " "),
        "zone_abbr": start.tzname() or "",
        "utc_offset": start.strftime("%z")[:3] + ":" + start.strftime("%z")[3:],
    }


def agenda_pdf(event: Event, sessions: list[Session], language: str) -> bytes:
    context = {
        "event": event,
        "days": agenda_days(event, sessions),
        "times": event_local_times(event),
        "language": language,
        "title": event.title_in(language),
        "description": event.description_fr if language == "fr" and event.description_fr else event.description_en,
        "printed_at": timezone.now(),
    }
    return render_pdf("events/pdf/agenda.html", context, language)

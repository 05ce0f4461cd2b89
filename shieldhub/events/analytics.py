"""Aggregates over events for analysis (indicators, donor reports): counts by kind and gender,
and the plain list of events held in a period (titles, dates, places — public facts of the
Programme's activities). The caller checks its own permission."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shieldhub.events.choices import EventKind, EventStatus, Gender
from shieldhub.events.models import Event, Operation, TrainingRecord

NOT_HELD = (EventStatus.DRAFT, EventStatus.CANCELLED)


def officers_trained(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """Training records dated between `start` and `end`: total, women, men."""
    totals = TrainingRecord.objects.filter(trained_on__gte=start, trained_on__lte=end).aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(gender=Gender.FEMALE)),
        men=Count("pk", filter=Q(gender=Gender.MALE)),
    )
    return {k: int(v or 0) for k, v in totals.items()}


def _local_date(value: dt.datetime, zone: str) -> dt.date:
    """The calendar date of `value` where the event takes place (its own time zone)."""
    return value.astimezone(zoneinfo.ZoneInfo(zone)).date()


def _held(start: dt.date, end: dt.date) -> Any:
    return (
        Event.objects.exclude(status__in=NOT_HELD)
        .filter(ends_at__date__gte=start, ends_at__date__lte=end, ends_at__lte=timezone.now())
        .exclude(kind=EventKind.OPERATION)
    )


def events_held(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """Events (not drafts, not cancelled, not operations) that ended between `start` and `end`
    and before now, by kind."""
    rows = _held(start, end).order_by().values("kind").annotate(n=Count("pk"))
    return {r["kind"]: int(r["n"]) for r in rows}


def events_held_list(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The events of `events_held`, in date order, as plain facts for an annex."""
    labels = dict(EventKind.choices)
    trained = dict(
        TrainingRecord.objects.filter(event__in=_held(start, end))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values_list("event", "n")
    )
    return [
        {
            "pk": e.pk, "kind": e.kind, "kind_label": str(labels.get(e.kind, e.kind)),
            "title_en": e.title_en, "title_fr": e.title_fr or e.title_en,
            "starts_on": _local_date(e.starts_at, e.time_zone), "ends_on": _local_date(e.ends_at, e.time_zone),
            "venue": e.venue_name or (str(_("online")) if e.online_url else ""), "trained": int(trained.get(e.pk, 0)),
        }
        for e in _held(start, end).order_by("starts_at", "pk")
    ]  # fmt: skip


def operations_in_period(*, start: dt.date, end: dt.date) -> list[Operation]:
    """Operations whose active phase overlaps `start`–`end`, with their event (for titles)."""
    return list(
        Operation.objects.filter(starts_on__lte=end, ends_on__gte=start)
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event", "community")
        .order_by("starts_on", "pk")
    )


def country_participation(*, country: str) -> dict[str, Any]:
    """A country profile's events figures (aggregates, no names): the events its participants
    attended (at least one check-in), the participants who attended, and the officers trained
    (training records of the country), women and men."""
    from shieldhub.events.models import Attendance

    attended = Attendance.objects.filter(registration__country=country).order_by()
    events = attended.values("registration__event_id").distinct().count()
    people = attended.values("registration_id").distinct().count()
    trained = TrainingRecord.objects.filter(country=country).aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(gender=Gender.FEMALE)),
        men=Count("pk", filter=Q(gender=Gender.MALE)),
    )
    return {
        "events_attended": events,
        "participants": people,
        "trained": int(trained["total"] or 0),
        "trained_women": int(trained["women"] or 0),
        "trained_men": int(trained["men"] or 0),
    }

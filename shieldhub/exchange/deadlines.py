"""Working-day arithmetic for request deadlines (Monday to Friday; public holidays are not counted)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

DEFAULT_WORKING_DAYS = 10
REMINDER_WORKING_DAYS = 2


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date `n` working days after `start` (n >= 0); a weekend start counts from the next Monday."""
    if n < 0:
        raise ValueError("n must be zero or positive")
    day = start
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def default_working_days() -> int:
    return int(getattr(settings, "RFI_DEFAULT_WORKING_DAYS", DEFAULT_WORKING_DAYS))


def default_deadline(sent_on: dt.date) -> dt.date:
    """The default deadline of a request for information sent on `sent_on`."""
    return add_working_days(sent_on, default_working_days())


def reminder_due(deadline: dt.date, today: dt.date) -> bool:
    """True from two working days before the deadline up to the deadline itself."""
    return today <= deadline <= add_working_days(today, REMINDER_WORKING_DAYS)

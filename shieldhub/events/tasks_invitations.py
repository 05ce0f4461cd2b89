"""Background and periodic tasks for invitations (imported by `events/tasks.py`): each day, sent
invitations past their reply-by date become "no reply", unanswered ones get one reminder N days
before it, and passport details past their retention date are deleted. All idempotent."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from shieldhub.core.scheduling import periodic
from shieldhub.events import invitations, nominations

DAILY = dt.timedelta(days=1)


@periodic("events.invitations_no_reply", every=DAILY)
@task()
def invitations_mark_no_reply() -> int:
    return invitations.invitations_mark_no_reply()


@periodic("events.invitations_remind", every=DAILY)
@task()
def invitations_send_reminders() -> int:
    return invitations.invitations_send_reminders()


@periodic("events.passport_purge", every=DAILY)
@task()
def passport_details_purge() -> int:
    return nominations.passport_details_purge()

"""Background and periodic tasks for osint (imported by `analysis/tasks.py`): every five minutes the
worker fetches each active feed whose interval has passed (`osint.sources_fetch_due`); "Fetch now"
enqueues `osint_fetch_source` for one feed. Errors are recorded on each source, never raised."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from shieldhub.analysis import osint
from shieldhub.analysis.models import OsintSource
from shieldhub.core.scheduling import periodic

EVERY_FIVE_MINUTES = dt.timedelta(minutes=5)


@periodic("analysis.osint_fetch_due", every=EVERY_FIVE_MINUTES)
@task()
def osint_fetch_due() -> int:
    """Fetch the due feeds; returns the number of new items."""
    return sum(outcome.new for outcome in osint.sources_fetch_due().values())


@task()
def osint_fetch_source(source_id: int) -> int:
    """Fetch one feed now (the "Fetch now" button); returns the number of new items."""
    source = OsintSource.objects.filter(pk=source_id).first()
    if source is None:
        return 0
    return osint.source_fetch(source).new

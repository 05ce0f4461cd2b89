"""Nightly: check the dashboards' monthly summaries against the records, log any drift, rebuild."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from shieldhub.analysis import summaries
from shieldhub.core.scheduling import periodic

DAILY = dt.timedelta(days=1)


@periodic("analysis.summaries_rebuild", every=DAILY)
@task()
def summaries_rebuild() -> int:
    """Returns the number of rows that disagreed before the rebuild (0 when the services kept up)."""
    problems = summaries.verify_all()
    for problem in problems[:50]:
        summaries.logger.warning("summary drift: %s", problem)
    summaries.rebuild_all()
    return len(problems)

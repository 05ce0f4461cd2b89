"""The dashboards' monthly summaries of every app (`core.summaries`): rebuilt and checked together.

The seizure and shipment services keep their months up to date as they write; `rebuild_all` is for
the nightly task, the `rebuild_summaries` command and bulk loads that bypass the services (the demo's
back-dated records, the benchmarks' COPY). `verify_all` lists where a summary and its records
disagree (the nightly task logs it before rebuilding, so a write path that forgets to refresh shows
up in the logs)."""

from __future__ import annotations

import logging

from shieldhub.core.summaries import SummaryTable
from shieldhub.seizures import summaries as seizure_summaries
from shieldhub.shipments import summaries as shipment_summaries

logger = logging.getLogger(__name__)


def tables() -> list[SummaryTable]:
    return [seizure_summaries.TABLE, shipment_summaries.TABLE]


def rebuild_all() -> dict[str, int]:
    """Every summary recomputed from the records; the rows written per table."""
    return {table.label: table.rebuild() for table in tables()}


def verify_all() -> list[str]:
    return [problem for table in tables() for problem in table.verify()]

"""Background screening of an uploaded declarations file (django-tasks; the page polls the run's
progress)."""

from __future__ import annotations

from django_tasks import task


@task()
def screening_run(*, run_id: int) -> int:
    from shieldhub.screening.services import run_process

    run = run_process(run_id=run_id)
    return run.flagged_count if run is not None else 0

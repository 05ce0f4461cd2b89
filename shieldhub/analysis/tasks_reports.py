"""Background and periodic tasks for reports (imported by `analysis/tasks.py`)."""

from __future__ import annotations

from django_tasks import task


@task()
def report_generate(*, report_id: int) -> int:
    """Write a donor report's DOCX and PDF (`reports.report_run`); the page polls its progress."""
    from shieldhub.analysis.reports import report_run

    report = report_run(report_id=report_id)
    return report.progress if report is not None else 0

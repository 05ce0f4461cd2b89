"""Donor report benchmark: time a one-year donor report (figures, DOCX, PDF) on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres gsh_bench_dashboards
    # the scale data (200,000 seizures, 1,000,000 shipments) is written by the dashboards benchmark:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_dashboards uv run python bench/bench_dashboards.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_dashboards uv run python bench/bench_donor_report.py

Sets Django up itself (SHIELDHUB_ENV=dev unless set) and migrates. It tops the database up to
--incidents seizures (`bench_seizures.seed`) and --shipments shipments (`bench_dashboards.
seed_shipments`), the same generators as the dashboards benchmark, so both can share one
database (the report reads no shipment table: shipments give the database its size). It loads
the default results framework, creates a report for the year --year (default: the last full
year) with four narrative sections, and runs the generation synchronously (`reports.report_run`,
the worker's function) --runs times, timing the figures (indicators, seizure statistics, events,
operations), the DOCX and the PDF separately.

Prints one JSON object. Not a test. Target: a one-year report in <= 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import prepare_database

os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=200_000, help="top seizures up to this many")
    parser.add_argument("--shipments", type=int, default=1_000_000, help="top shipments up to this many")
    parser.add_argument("--year", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database()
    from django.db import connection
    from django.utils import timezone, translation

    from bench.bench_seizures import seed, user
    from shieldhub.analysis import indicators, reports
    from shieldhub.seizures.models import Incident

    coordinator = user("bench.coordinator@bench.example", "coordinator")
    figures: dict[str, Any] = {"database": connection.vendor}
    have = Incident.objects.count()
    if have < args.incidents:
        ncp = user("bench.ncp.fr@bench.example", "ncp", "FR")
        analyst = user("bench.analyst@bench.example", "analyst")
        figures["seed"] = seed(args.incidents - have, random.Random(args.seed), ncp, analyst)
    figures["incidents"] = Incident.objects.count()
    from bench.bench_dashboards import seed_shipments
    from shieldhub.shipments.models import Shipment

    have = Shipment.objects.count()
    if have < args.shipments:
        ncp = user("bench.ncp.fr@bench.example", "ncp", "FR")
        figures["seed_shipments"] = seed_shipments(args.shipments - have, random.Random(args.seed), ncp)
    figures["shipments"] = Shipment.objects.count()
    indicators.load_default_framework(actor=coordinator)
    year = args.year or timezone.localdate().year - 1
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    report = reports.report_create(
        actor=coordinator, data={"title": f"Bench {year}", "period_start": start, "period_end": end, "language": "en"}
    )
    for section in report.sections.all():
        reports.section_save(
            actor=coordinator, report=report, section=section, data={"body": "**Bench** text.\n\n- a\n- b"}
        )
    runs: list[dict[str, float]] = []
    for _ in range(max(args.runs, 1)):
        report.refresh_from_db()
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        with translation.override(report.language):
            context = reports.report_context(report=report)
            timings["figures_s"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            reports.build_docx(context)
            timings["docx_s"] = time.perf_counter() - t1
            t2 = time.perf_counter()
            reports.build_pdf(context)
            timings["pdf_s"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        reports.report_run(report_id=report.pk)  # the worker's whole path, progress updates included
        timings["report_run_s"] = time.perf_counter() - t3
        runs.append({k: round(v, 3) for k, v in timings.items()})
    figures["year"] = year
    figures["seizures_in_year"] = Incident.objects.filter(occurred_on__year=year).count()
    figures["runs"] = runs
    figures["report_run_median_s"] = round(statistics.median(r["report_run_s"] for r in runs), 3)
    figures["target_s"] = 30
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()

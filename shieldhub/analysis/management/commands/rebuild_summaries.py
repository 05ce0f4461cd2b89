"""`shieldhub rebuild_summaries [--check]`: recompute the dashboards' monthly summaries from the
records (after a bulk load that bypassed the services, or an upgrade); `--check` only reports."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Recompute the dashboards' monthly summaries from the records (--check: only compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare with the records; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        from shieldhub.analysis import summaries

        started = time.perf_counter()
        if options["check"]:
            problems = summaries.verify_all()
            for problem in problems[:100]:
                self.stdout.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} summary rows differ from the records.")
            self.stdout.write(f"The summaries agree with the records ({time.perf_counter() - started:.1f} s).")
            return
        written = summaries.rebuild_all()
        rows = ", ".join(f"{label} {n}" for label, n in written.items())
        self.stdout.write(f"Summaries rebuilt: {rows} rows in {time.perf_counter() - started:.1f} s.")

"""What the benchmark scripts share: the percentiles they report and the database they run on."""

from __future__ import annotations

import statistics
import sys
from typing import Any


def percentiles(samples: list[float]) -> dict[str, Any]:
    """Count, p50, p95, max and mean of timings in milliseconds (nearest rank)."""
    ordered = sorted(samples)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 1)

    return {"n": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "max_ms": round(ordered[-1], 1),
            "mean_ms": round(statistics.fmean(ordered), 1)}  # fmt: skip


def prepare_database(*, allow_sqlite: bool = False) -> str:
    """Set Django up, refuse SQLite unless allowed (the figures that matter are PostgreSQL's),
    migrate, and load the reference data if the database has none. Returns the database vendor."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql" and not allow_sqlite:
        sys.exit("bench: this measures PostgreSQL (set DATABASE_URL)")
    call_command("migrate", verbosity=0)
    from shieldhub.reference.models import Country

    if not Country.objects.exists():
        call_command("load_reference", verbosity=0, stdout=sys.stderr)
    return str(connection.vendor)

"""Dashboards benchmark: every dashboard endpoint's server time against the bare SQL aggregates it
needs, in the same run, with 200,000 seizures and 1,000,000 shipments (PostgreSQL).

    createdb -h 127.0.0.1 -U postgres gsh_bench_dashboards
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_dashboards uv run python bench/bench_dashboards.py

Sets Django up itself (SHIELDHUB_ENV=dev unless set), migrates, loads the reference data if
missing, tops the seizures up to --incidents with `bench_seizures.seed` (COPY) and the shipments up
to --shipments with `seed_shipments` (COPY: one or two lines each, 60 exporting countries, every
status past draft, a verification request for each notified one, two thirds answered). It then
times, through Django's test client, each dashboard page, each panel's JSON (API) and the
country profile, for an analyst (no suppression) and an NCP (suppressed aggregates, own-country
detail): p50/p95/max in ms; and for each, the bare SQL of the aggregates that endpoint needs
(the same querysets' SQL run with a cursor, no Python around them) — p50/p95 of their summed time.

The dashboards read monthly summary tables (`core.summaries`); each endpoint also reports the bare
SQL of the same aggregates computed from the records (`records_sql_ms`, 3 runs), i.e. what the
summaries replace, and the ratio of the server time to each.

Prints one JSON object. Not a test: nothing here is collected by pytest.
Targets: p95 <= 500 ms and <= 2 x the bare SQL p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentiles, prepare_database

os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def seed_shipments(count: int, rng: random.Random, author: Any) -> dict[str, Any]:
    from django.db import connection

    from shieldhub.reference.models import CatalogueItem, Country
    from shieldhub.shipments.models import Shipment, ShipmentLine, ShipmentVerification

    started = time.perf_counter()
    countries = list(Country.objects.filter(wco_member=True).order_by("code").values_list("code", flat=True))
    exporters = ["FR", "DE", "IN", "CN", "NL", "BE", *rng.sample(countries, 54)]
    weights = [1 / (i + 1) ** 0.7 for i in range(len(exporters))]
    items = [c.pk for c in CatalogueItem.objects.filter(category="precursor")] or [
        c.pk for c in CatalogueItem.objects.all()
    ]
    start_id = (Shipment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = dt.datetime.now(dt.UTC)
    statuses = ["confirmed"] * 5 + ["notified", "objected", "confirmed_with_concerns", "overdue", "closed"]
    ship_cols = ["id", "status", "version", "exporting_country", "importing_country", "national_reference",
                 "declared_end_use", "transport_mode", "documents", "outcome", "outcome_note", "total_kg",
                 "search_text", "created_by_id", "created_at", "updated_at", "notified_at", "notified_by_id"]  # fmt: skip
    line_cols = ["shipment_id", "position", "catalogue_item_id", "hs_code", "description", "quantity", "unit",
                 "quantity_kg"]  # fmt: skip
    ver_cols = ["shipment_id", "importing_country", "deadline", "status", "answer", "reason", "answered_by_id",
                "answered_at", "created_at"]  # fmt: skip
    ships, lines, vers = [], [], []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for i in range(count):
            pk = start_id + i
            exporter = rng.choices(exporters, weights)[0]
            importer = rng.choice(countries)
            status = rng.choice(statuses)
            notified = now - dt.timedelta(days=rng.randint(0, 1800), seconds=rng.randint(0, 86400))
            total = Decimal(0)
            for position in range(1, rng.choice([1, 1, 2]) + 1):
                kg = Decimal(rng.randint(100, 50000))
                total += kg
                lines.append([pk, position, rng.choice(items), "", "", kg, "kg", kg])
            ships.append([pk, status, 1, exporter, importer, f"REF-{pk}", "", "vessel", "", "", "", total, "",
                          author.pk, notified, notified, notified, author.pk])  # fmt: skip
            deadline = (notified + dt.timedelta(days=10)).date()
            if status in ("notified", "overdue"):
                vers.append([pk, importer, deadline, "open" if status == "notified" else "overdue", "", "", None,
                             None, notified])  # fmt: skip
            else:
                answered = notified + dt.timedelta(days=rng.randint(0, 20))
                answer = status if status in ("confirmed", "objected", "confirmed_with_concerns") else "confirmed"
                vers.append([pk, importer, deadline, "answered", answer, "", author.pk, answered, notified])
            if len(ships) >= 50000 or i == count - 1:
                for table, cols, rows in (
                    (Shipment._meta.db_table, ship_cols, ships),
                    (ShipmentLine._meta.db_table, line_cols, lines),
                    (ShipmentVerification._meta.db_table, ver_cols, vers),
                ):
                    with raw.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                    rows.clear()
        for table in ("shipments_shipment", "shipments_shipmentverification", "shipments_shipmentline"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
            cursor.execute(f"ANALYZE {table}")
    return {"shipments": count, "seconds": round(time.perf_counter() - started, 1)}


class SqlRecorder:
    """Collects the SQL Django runs for a request, to replay it bare (cursor only)."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


def aggregate_sql(queries: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The aggregate queries of a request (GROUP BY / COUNT / SUM), not sessions, users or labels."""
    keep = []
    for sql, params in queries:
        upper = sql.upper()
        if ("GROUP BY" in upper or "COUNT(" in upper or "SUM(" in upper) and "DJANGO_SESSION" not in upper:
            keep.append((sql, params))
    return keep


def time_bare(queries: list[tuple[str, Any]]) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    """Server time, the bare SQL of the aggregates the request ran (on the monthly summaries), and
    the bare SQL of the same aggregates computed from the records (what the summaries replace)."""
    from django.db import connection

    from shieldhub.core.summaries import records_only

    recorder = SqlRecorder()
    with connection.execute_wrapper(recorder):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    bare_queries = aggregate_sql(recorder.queries)
    from_records = SqlRecorder()
    with records_only(), connection.execute_wrapper(from_records):
        client.get(url)
    record_queries = aggregate_sql(from_records.queries)
    server, bare, records = [], [], []
    for i in range(requests):
        started = time.perf_counter()
        client.get(url)
        server.append((time.perf_counter() - started) * 1000)
        bare.append(time_bare(bare_queries))
        if i < 3:
            records.append(time_bare(record_queries))
    s, b, r = percentiles(server), percentiles(bare), percentiles(records)
    return {"server_ms": s, "bare_sql_ms": b, "records_sql_ms": r, "queries": len(recorder.queries),
            "aggregates": len(bare_queries),
            "ratio_p95": round(s["p95_ms"] / b["p95_ms"], 2) if b["p95_ms"] else None,
            "ratio_to_records_p95": round(s["p95_ms"] / r["p95_ms"], 2) if r["p95_ms"] else None,
            "ok_500": s["p95_ms"] <= 500, "ok_2x_records_sql": r["p95_ms"] == 0 or s["p95_ms"] <= 2 * r["p95_ms"],
            "ok_2x_summary_sql": b["p95_ms"] == 0 or s["p95_ms"] <= 2 * b["p95_ms"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database()
    from django.db import connection

    from bench.bench_seizures import seed, signed_in_client, user
    from shieldhub.seizures.models import Incident
    from shieldhub.shipments.models import Shipment

    rng = random.Random(args.seed)
    ncp = user("bench.ncp.fr@bench.example", "ncp", "FR")
    analyst = user("bench.analyst@bench.example", "analyst")
    figures: dict[str, Any] = {"database": connection.vendor}
    if (have := Incident.objects.count()) < args.incidents:
        figures["seed_incidents"] = seed(args.incidents - have, rng, ncp, analyst)
    if (have := Shipment.objects.count()) < args.shipments:
        figures["seed_shipments"] = seed_shipments(args.shipments - have, rng, ncp)
    from shieldhub.analysis.summaries import rebuild_all, tables

    if "seed_incidents" in figures or "seed_shipments" in figures:  # COPY bypasses the services
        started = time.perf_counter()
        figures["summaries_rebuild"] = {**rebuild_all(), "seconds": round(time.perf_counter() - started, 1)}
    with connection.cursor() as cursor:  # index-only scans need the visibility map of the COPYed rows
        cursor.execute("VACUUM ANALYZE")
    # What a write pays: the refresh of one month of each summary (inside the write's transaction).
    month = dt.date.today().replace(day=1)
    for table in tables():
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            table.refresh([month])
            samples.append((time.perf_counter() - started) * 1000)
        figures[f"refresh_one_month_ms_{table.label}"] = percentiles(samples)
    figures["incidents"] = Incident.objects.count()
    figures["shipments"] = Shipment.objects.count()
    year = dt.date.today().year - 1
    endpoints = {
        "seizures page": "/analysis/dashboards/seizures/",
        "seizures page, one year": f"/analysis/dashboards/seizures/?date_from={year}-01-01&date_to={year}-12-31",
        "seizures page, precursor": "/analysis/dashboards/seizures/?precursor=1",
        "shipments page": "/analysis/dashboards/shipments/",
        "seizures API": "/api/v1/analysis/dashboards/seizures",
        "shipments API": "/api/v1/analysis/dashboards/shipments",
        "country profile FR": "/analysis/countries/FR/",
        "country index": "/analysis/countries/",
    }
    results: dict[str, Any] = {}
    for who, account in (("analyst", analyst), ("ncp", ncp)):
        client = signed_in_client(account)
        for name, url in endpoints.items():
            results[f"{who}: {name}"] = measure(client, url, args.requests)
            print(f"{who}: {name}", json.dumps(results[f"{who}: {name}"]), file=sys.stderr)
    figures["endpoints"] = results
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()

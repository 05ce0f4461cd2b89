"""Seizure benchmark: list and filter page server times with 200,000 records (PostgreSQL).

    createdb -h 127.0.0.1 -U postgres gsh_bench_seizures
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_seizures uv run python bench/bench_seizures.py

Sets Django up itself (SHIELDHUB_ENV=dev unless set), migrates, loads the reference data if
missing, then writes --incidents records (default 200,000) with COPY: 1–3 goods lines each (the
catalogue's precursors, kilograms computed), a route, 60 reporting countries with a skewed share,
statuses mostly submitted or validated, and about 2 % of other countries' records shared with the
benchmark's French NCP. It then times, through Django's test client, the seizure list page under
several filters (type, status, country, precursor, date range, direction, conveyance, free text,
combinations, pages 1–5) for an NCP and for an analyst: p50, p95, max and mean in milliseconds,
and the API list for both.

Prints one JSON object. Not a test: nothing here is collected by pytest. Target: p95 <= 150 ms.
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

WORDS = ["container", "fertiliser", "prills", "urea", "laboratory", "consignee", "shipper", "parcel", "truck",
         "bottles", "cleaning", "mining", "express", "declared", "detained", "licence"]  # fmt: skip
OFFICES = ["port", "airport cargo", "border post", "inland depot", "express hub", "railway station"]


def user(email: str, role: str, country: str = "") -> Any:
    from shieldhub.accounts.models import RoleGrant, User

    found, _ = User.objects.get_or_create(email=email, defaults={"full_name": email.split("@")[0], "country": country})
    RoleGrant.objects.get_or_create(user=found, role=role)
    found.__dict__.pop("roles", None)
    return found


def signed_in_client(who: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(who)
    session = client.session
    session["mfa_enrolled"] = True
    session.save()
    return client


def seed(count: int, rng: random.Random, ncp: Any, analyst: Any) -> dict[str, Any]:
    """COPY `count` records with their goods lines, routes and a few recipient rows."""
    from django.db import connection

    from shieldhub.reference.models import CatalogueItem, Country
    from shieldhub.reference.text import fold
    from shieldhub.reference.units import pure_kg, to_kg
    from shieldhub.seizures.choices import Conveyance, DetectionMethod, Direction, IncidentType, LocationType
    from shieldhub.seizures.models import GoodsLine, Incident, IncidentCountry, IncidentRecipient

    started = time.perf_counter()
    countries = list(Country.objects.filter(wco_member=True).order_by("code").values_list("code", flat=True))
    reporting = ["FR", "KE", "NG", "MA", "IN", "BR", "JO", "ID", *rng.sample(countries, 52)]
    weights = [1 / (i + 1) ** 0.7 for i in range(len(reporting))]
    items = [c for c in CatalogueItem.objects.all()]
    authors = {}
    for code in reporting:
        authors[code] = ncp if code == "FR" else user(f"bench.ncp.{code.lower()}@bench.example", "ncp", code)
    start_id = (Incident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    types, directions = IncidentType.values, Direction.values
    detections, conveyances, locations = DetectionMethod.values, Conveyance.values, LocationType.values
    statuses = ["validated"] * 5 + ["submitted"] * 4 + ["draft", "returned", "withdrawn"]
    inc_cols = ["id", "incident_type", "status", "version", "reporting_country", "office_name", "location_type",
                "occurred_on", "direction", "detection_method", "conveyance", "concealment", "ports", "source",
                "national_reference", "narrative", "releasable_interpol", "releasable_unodc", "total_kg",
                "data_quality", "missing_fields", "search_text", "created_by_id", "created_at", "updated_at",
                "submitted_at", "submitted_by_id", "validated_at", "validated_by_id", "operation_id"]  # fmt: skip
    line_cols = ["incident_id", "position", "catalogue_item_id", "hs_code", "declared_description", "declared_hs",
                 "actual_hs", "quantity", "unit", "concentration", "density", "quantity_kg", "pure_kg"]  # fmt: skip
    lines_n = routes_n = shared_n = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        incidents_rows, lines_rows, route_rows, recipient_rows = [], [], [], []
        for i in range(count):
            pk = start_id + i
            code = rng.choices(reporting, weights)[0]
            author = authors[code]
            status = rng.choice(statuses)
            occurred = today - dt.timedelta(days=rng.randint(0, 3650))
            total = Decimal(0)
            names = []
            for position in range(1, rng.choice([1, 1, 2, 3]) + 1):
                item = rng.choice(items)
                unit = "pcs" if item.category == "ied-component" else rng.choice(["kg", "kg", "t", "L"])
                qty = Decimal(rng.randint(1, 5000))
                density = item.density_kg_per_l or (Decimal("1.2") if unit == "L" else None)
                kg = to_kg(qty, unit, density_kg_per_l=density)
                conc = Decimal(rng.randint(10, 99)) if item.category == "precursor" and rng.random() < 0.6 else None
                pure = pure_kg(kg, conc) if kg is not None and conc is not None else None
                if kg is not None:
                    total += kg
                hs = (item.hs_codes or [""])[0]
                lines_rows.append([pk, position, item.pk, "", "", hs, hs, qty, unit, conc,
                                   density if unit == "L" else None,
                                   None if kg is None else kg.quantize(Decimal("0.001")),
                                   None if pure is None else pure.quantize(Decimal("0.001"))])  # fmt: skip
                names.append(item.name_en)
                lines_n += 1
            narrative = " ".join(rng.choice(WORDS) for _ in range(25))
            office = f"{code} {rng.choice(OFFICES)} {rng.randint(1, 40)}"
            ref = f"{code}-{occurred.year}-{rng.randint(1, 99999)}"
            search = fold(" ".join([f"SZ-{pk:06d}", office, ref, narrative, *names]))
            quality = rng.randint(30, 100)
            submitted = status != "draft"
            incidents_rows.append([
                pk, rng.choice(types), status, 0 if not submitted else rng.choice([1, 1, 1, 2]), code, office,
                rng.choice(locations), occurred, rng.choice(directions), rng.choice(detections),
                rng.choice(conveyances), rng.choice(["", "false floor", "declared as fertiliser"]), "",
                "ncp_report", ref, narrative, rng.random() < 0.1, False, total.quantize(Decimal("0.001")),
                quality, "[]", search, author.pk, now, now, now if submitted else None,
                author.pk if submitted else None, now if status == "validated" else None,
                analyst.pk if status == "validated" else None, None,
            ])  # fmt: skip
            departure = rng.choice(countries)
            route_rows.append([pk, departure, "departure", 0])
            route_rows.append([pk, code, "destination", 1])
            routes_n += 2
            if submitted and code != "FR" and rng.random() < 0.02:
                recipient_rows.append([pk, ncp.pk, "country", "FR", now])
                shared_n += 1
            if len(incidents_rows) >= 20000 or i == count - 1:
                for table, cols, rows in (
                    (Incident._meta.db_table, inc_cols, incidents_rows),
                    (GoodsLine._meta.db_table, line_cols, lines_rows),
                    (IncidentCountry._meta.db_table, ["incident_id", "country", "role", "position"], route_rows),
                    (IncidentRecipient._meta.db_table,
                     ["incident_id", "user_id", "reason", "reason_detail", "created_at"], recipient_rows),
                ):  # fmt: skip
                    with raw.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                    rows.clear()
        table = Incident._meta.db_table
        sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
        cursor.execute(sql)
        for table in ("seizures_incident", "seizures_goodsline", "seizures_incidentcountry",
                      "seizures_incidentrecipient"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")
    return {"incidents": count, "goods_lines": lines_n, "route_rows": routes_n, "shared_with_ncp": shared_n,
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def time_lists(clients: dict[str, Any], requests: int, rng: random.Random) -> dict[str, Any]:
    from django.urls import reverse

    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures.choices import Conveyance, Direction, IncidentStatus, IncidentType

    items = list(CatalogueItem.objects.values_list("pk", flat=True))
    countries = ["FR", "KE", "NG", "MA", "IN", "BR", "JO", "ID"]
    url = reverse("seizures:incident-list")
    kinds = ["none", "type", "status", "country", "precursor", "dates", "direction", "conveyance", "text", "combo"]

    def params(i: int) -> dict[str, Any]:
        kind = kinds[i % len(kinds)]
        p: dict[str, Any] = {"page": rng.randint(1, 5)}
        if kind == "type":
            p["incident_type"] = rng.choice(IncidentType.values)
        elif kind == "status":
            p["status"] = rng.choice(IncidentStatus.values)
        elif kind == "country":
            p["country"] = rng.choice(countries)
        elif kind == "precursor":
            p["precursor"] = rng.choice(items)
        elif kind == "dates":
            start = dt.date.today() - dt.timedelta(days=rng.randint(30, 3000))
            p["date_from"], p["date_to"] = (
                start.isoformat(),
                (start + dt.timedelta(days=rng.randint(30, 365))).isoformat(),
            )
        elif kind == "direction":
            p["direction"] = rng.choice(Direction.values)
        elif kind == "conveyance":
            p["conveyance"] = rng.choice(Conveyance.values)
        elif kind == "text":
            p["q"] = rng.choice([*WORDS, "ammonium", "peroxide", "detonators", "port 12"])
        else:
            p.update({"incident_type": "seizure", "precursor": rng.choice(items), "direction": "import",
                      "date_from": (dt.date.today() - dt.timedelta(days=900)).isoformat()})  # fmt: skip
        return p

    result: dict[str, Any] = {}
    for who, client in clients.items():
        for target, path, partial in (
            ("page", url, False),
            ("htmx", url, True),
            ("api", "/api/v1/seizures/incidents", False),
        ):
            client.get(path)  # warm up
            samples: list[float] = []
            timed: list[tuple[float, dict[str, Any]]] = []
            for i in range(requests):
                p = params(i)
                headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"} if partial else {}
                started = time.perf_counter()
                response = client.get(path, p, **headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (response.status_code, p)
                samples.append(elapsed)
                timed.append((elapsed, p))
            figures: dict[str, Any] = percentiles(samples)
            figures["slowest"] = [{"ms": round(ms, 1), "params": q} for ms, q in sorted(timed, key=lambda t: -t[0])[:4]]
            result[f"{who}_{target}"] = figures
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per user and page kind (>= 50)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database()
    from django.db import connection

    from shieldhub.seizures.models import Incident

    rng = random.Random(args.seed)
    ncp = user("bench.ncp.fr@bench.example", "ncp", "FR")
    analyst = user("bench.analyst@bench.example", "analyst")
    figures: dict[str, Any] = {"database": connection.vendor}
    have = Incident.objects.count()
    if have < args.incidents:
        figures["seed"] = seed(args.incidents - have, rng, ncp, analyst)
    figures["incidents"] = Incident.objects.count()
    clients = {"ncp": signed_in_client(ncp), "analyst": signed_in_client(analyst)}
    figures["lists"] = time_lists(clients, max(args.requests, 50), rng)
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()

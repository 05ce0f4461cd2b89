"""Directory benchmark: list and search page server times at 50,000 people, and a 10,000-row import.

    DATABASE_URL=postgres://... uv run python bench/bench_directory.py [--requests 200] [--allow-sqlite]

Sets Django up itself (SHIELDHUB_ENV=dev unless set), seeds people with `seed-scale` until there
are --people of them, then:

* times the people list page and its search through Django's test client, signed in as a
  coordinator, over requests with varying filters, search words and pages (p50/p95/max, ms);
* generates a 10,000-row XLSX (English and French country names, ISO codes, existing
  organisations by name or acronym, ~5% people already in the directory) and times parsing,
  validation and commit through the same functions the import pages call. The commit runs in a
  transaction rolled back at the end (--keep-import keeps it), so the benchmark can be re-run.

Prints one JSON object. Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentiles, prepare_database

os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Rollback(Exception):
    pass


def coordinator() -> Any:
    from shieldhub.accounts.models import RoleGrant, User

    user, _ = User.objects.get_or_create(email="bench.coordinator@bench.example", defaults={"full_name": "Bench"})
    RoleGrant.objects.get_or_create(user=user, role="coordinator")
    user.__dict__.pop("roles", None)
    return user


def signed_in_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["mfa_enrolled"] = True
    session.save()
    return client


def time_pages(client: Any, requests: int, rng: random.Random) -> dict[str, Any]:
    from django.urls import reverse

    from shieldhub.core.management.commands.seed_scale import FAMILY, GIVEN
    from shieldhub.directory.models import Organisation
    from shieldhub.reference.models import Country

    url = reverse("directory:person-list")
    countries = list(Country.objects.filter(wco_member=True).values_list("code", flat=True)) or ["FR", "KE"]
    regions = list(Country.objects.exclude(wco_region=None).values_list("wco_region_id", flat=True).distinct())
    org_ids = list(Organisation.objects.order_by("?").values_list("id", flat=True)[:200])
    client.get(url)  # warm up: connection, templates, caches

    def run(make_params: Any) -> dict[str, Any]:
        samples = []
        timed: list[tuple[float, dict[str, Any]]] = []
        for i in range(requests):
            params = make_params(i)
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
            samples.append(elapsed)
            timed.append((elapsed, params))
            assert response.status_code == 200, (response.status_code, params)
        figures = percentiles(samples)
        # the slowest requests, to see what the tail is made of
        figures["slowest"] = [{"ms": round(ms, 1), "params": p} for ms, p in sorted(timed, key=lambda t: -t[0])[:5]]
        return figures

    def list_params(i: int) -> dict[str, Any]:
        choice = i % 7
        params: dict[str, Any] = {"page": rng.randint(1, 20)}
        if choice == 1:
            params["country"] = rng.choice(countries)
        elif choice == 2 and regions:
            params["region"] = rng.choice(regions)
        elif choice == 3:
            params["role"] = "ncp"
        elif choice == 4:
            params["language"] = rng.choice(["fr", "es", "ar"])
        elif choice == 5:
            params["verified"] = "stale"
        elif choice == 6 and org_ids:
            params = {"organisation": rng.choice(org_ids)}
        return params

    def search_params(i: int) -> dict[str, Any]:
        words = [rng.choice(FAMILY)] if i % 3 else [rng.choice(GIVEN), rng.choice(FAMILY)]
        if i % 5 == 0:
            words = [rng.choice(FAMILY)[:4].lower()]  # a prefix, accents dropped by the user
        params: dict[str, Any] = {"q": " ".join(words)}
        if i % 4 == 0:
            params["country"] = rng.choice(countries)
        return params

    return {"list": run(list_params), "search": run(search_params)}


def import_workbook(rows: int, rng: random.Random) -> bytes:
    from openpyxl import Workbook

    from shieldhub.core.management.commands.seed_scale import FAMILY, GIVEN, POSITIONS
    from shieldhub.directory.models import Organisation, Person
    from shieldhub.reference.models import Country

    countries = list(Country.objects.filter(wco_member=True).values_list("code", "iso3", "name_en", "name_fr"))
    orgs = list(Organisation.objects.order_by("id").values_list("name", "acronym", "country")[:2000])
    existing = list(Person.objects.exclude(email="").order_by("?").values_list("email", flat=True)[: rows // 20])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("People")
    ws.append(["Civilité", "Prénom", "Nom", "Courriel", "Organisme", "Pays", "Fonction", "Téléphone", "Langues", "Langue préférée"])  # fmt: skip
    stamp = int(time.time())
    for i in range(rows):
        code, iso3, name_en, name_fr = rng.choice(countries)
        org_name, acronym, _org_country = rng.choice(orgs)
        email = existing[i] if i < len(existing) else f"import.{stamp}.{i}@bench.example"
        ws.append(
            [
                rng.choice(["M.", "Mme", "Dr", ""]),
                rng.choice(GIVEN),
                f"{rng.choice(FAMILY)}-{i}",
                email,
                org_name if i % 2 else acronym,
                rng.choice([code, iso3, name_en, name_fr]),
                rng.choice(POSITIONS),
                f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                rng.choice(["fr", "en, fr", "es"]),
                rng.choice(["fr", "en"]),
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def time_import(user: Any, rows: int, rng: random.Random, keep: bool) -> dict[str, Any]:
    from django.db import transaction

    from shieldhub.directory import imports

    started = time.perf_counter()
    data = import_workbook(rows, rng)
    generated = time.perf_counter() - started

    started = time.perf_counter()
    parsed = imports.parse_upload("bench.xlsx", data)
    token = imports.payload_save(user=user, parsed=parsed)
    payload = imports.payload_load(user=user, token=token)
    parse_s = time.perf_counter() - started

    started = time.perf_counter()
    result = imports.person_import_validate(actor=user, payload=payload)
    validate_s = time.perf_counter() - started
    assert result.ok, [(e.row, e.column, str(e.message)) for e in result.errors[:5]]

    started = time.perf_counter()
    outcome = None
    try:
        with transaction.atomic():
            outcome = imports.person_import_commit(
                actor=user, payload=payload, create_organisations=True, default_choice=imports.CHOICE_MERGE
            )
            commit_s = time.perf_counter() - started
            if not keep:
                raise Rollback
    except Rollback:
        pass
    imports.payload_delete(token=token)
    return {
        "rows": rows,
        "file_bytes": len(data),
        "generate_s": round(generated, 2),
        "parse_s": round(parse_s, 2),
        "validate_s": round(validate_s, 2),
        "commit_s (validates again, then writes)": round(commit_s, 2),
        "preview_plus_commit_s": round(parse_s + validate_s + commit_s, 2),
        "duplicates": len(result.duplicates),
        "created": len(outcome.created) if outcome else 0,
        "merged": len(outcome.merged) if outcome else 0,
        "kept": keep,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--keep-import", action="store_true")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database(allow_sqlite=args.allow_sqlite)
    from django.db import connection

    from shieldhub.core.management.commands.seed_scale import seed_scale
    from shieldhub.directory.models import Person

    figures: dict[str, Any] = {"database": connection.vendor}
    have = Person.objects.count()
    if have < args.people:
        figures["seed"] = seed_scale(people=args.people - have, organisations=2000, seed=args.seed + have)
    figures["people"] = Person.objects.count()

    rng = random.Random(args.seed)
    user = coordinator()
    client = signed_in_client(user)
    figures["pages"] = time_pages(client, args.requests, rng)
    figures["import"] = time_import(user, args.import_rows, rng, args.keep_import)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

"""Seizure import benchmark: validate and commit a 100,000-row file (PostgreSQL). Target: <= 60 s.

    createdb -h 127.0.0.1 -U postgres gsh_bench_seizure_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_seizure_import uv run python bench/bench_seizure_import.py

Sets Django up itself (SHIELDHUB_ENV=dev unless set), migrates, loads the reference data if
missing, then builds a --rows file (default 100,000; CSV, or XLSX with --xlsx) as an NCP of France
would fill in the template with French headers: two goods lines per record (same record
reference), dates in four formats, decimal commas, unit spellings (kgs, kilo, t, MT, tonnes,
litres, l), countries of departure by ISO code or English or French name, precursors by English,
French or Spanish name, HS codes with and without dots, 2,000 different consignees. It times what
the import does, as the pages and the background task call it:

* `read`: `parse_upload` (content check, spreadsheet reading, header mapping);
* `validate`: `validate_rows` (every row, grouping into records, duplicates against the records
  the NCP can see and within the file) — what the upload does before the report;
* `commit`: `import_commit` (reuses the upload's validated records when the stored rows and the
  context — importer, reference data, day — are unchanged, looking for duplicates again; then
  writes every record, goods line, route country and party with COPY in one transaction, plus the
  audit entry) — the background task's work. `commit_reused_preview` says whether it could.

The commit is rolled back at the end unless --keep (so the benchmark can run again on the same
database). Prints one JSON object. Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HEADERS = ["Référence de l'enregistrement", "Pays déclarant", "Type d'incident", "Date de l'incident", "Bureau",
           "Sens", "Moyen de transport", "Pays de départ", "Pays de destination", "Destinataire",
           "Référence nationale", "Précurseur", "Code SH", "Description déclarée", "Quantité", "Unité",
           "Concentration (%)"]  # fmt: skip
ITEMS = [("ammonium nitrate", "3102.30", "mass"), ("nitrate d'ammonium", "310230", "mass"),
         ("nitrato de amonio", "3102.30", "mass"), ("potassium chlorate", "2829.19", "mass"),
         ("chlorate de sodium", "282911", "mass"), ("urea", "3102.10", "mass"), ("acide nitrique", "2808.00", "volume"),
         ("hydrogen peroxide", "2847.00", "volume"), ("acetona", "2914.11", "volume"),
         ("aluminium powder", "7603.10", "mass")]  # fmt: skip
MASS_UNITS = ["kg", "kgs", "kilo", "t", "MT", "tonnes"]
VOLUME_UNITS = ["L", "l", "litres"]
DEPARTURES = ["AE", "United Arab Emirates", "Émirats arabes unis", "CN", "Chine", "India", "TR", "Turquie", "MA",
              "Morocco", "Côte d'Ivoire", "Ivory Coast", "NG", "Nigéria", "BR"]  # fmt: skip
OFFICES = ["Le Havre", "Marseille-Fos", "Roissy CDG", "Lyon Saint-Exupéry", "Dunkerque", "Strasbourg"]
TYPES = ["saisie", "seizure", "Saisie", "stopped"]
CONVEYANCES = ["navire", "vessel", "vehicle", "air", "aérien", "rail"]


def date_text(rng: random.Random) -> str:
    year, month, day = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice(
        [f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}", f"{day:02d}.{month:02d}.{year % 100:02d}",
         f"{day} {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][month - 1]} {year}"]
    )  # fmt: skip


def quantity_text(rng: random.Random) -> str:
    value = rng.randint(1, 999_999) / 100
    text = f"{value:.2f}"
    return text.replace(".", ",") if rng.random() < 0.5 else text


def build_rows(count: int, rng: random.Random) -> list[list[str]]:
    consignees = [f"Société d'import {i} SARL" for i in range(2000)]
    rows: list[list[str]] = []
    record = 0
    while len(rows) < count:
        record += 1
        reference = f"IMP-{record:07d}"
        shared = [reference, "FR", rng.choice(TYPES), date_text(rng), rng.choice(OFFICES), "importation",
                  rng.choice(CONVEYANCES), rng.choice(DEPARTURES), "FR", rng.choice(consignees), f"FR-{record:07d}"]  # fmt: skip
        for line in range(2):
            if len(rows) >= count:
                break
            item, hs, dimension = rng.choice(ITEMS)
            unit = rng.choice(MASS_UNITS if dimension == "mass" else VOLUME_UNITS)
            head = shared if line == 0 else [reference] + [""] * (len(shared) - 1)
            rows.append([*head, item, hs, "engrais" if dimension == "mass" else "produit chimique",
                         quantity_text(rng), unit, str(rng.randint(10, 99))])  # fmt: skip
    return rows


def file_bytes(rows: list[list[str]], *, xlsx: bool) -> bytes:
    from shieldhub.core.spreadsheets import write_csv, write_xlsx

    if xlsx:
        return write_xlsx(rows, HEADERS, "Saisies")
    return write_csv(rows, HEADERS, delimiter=";")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--xlsx", action="store_true", help="an XLSX file instead of CSV")
    parser.add_argument("--keep", action="store_true", help="keep the imported records")
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        sys.exit("bench: this measures PostgreSQL (set DATABASE_URL)")
    call_command("migrate", verbosity=0)
    from shieldhub.accounts.models import RoleGrant, User
    from shieldhub.reference.models import Country
    from shieldhub.seizures import imports
    from shieldhub.seizures.models import Incident
    from shieldhub.seizures.models_import import ImportBatch, ImportStatus

    if not Country.objects.exists():
        call_command("load_reference", verbosity=0, stdout=sys.stderr)
    ncp, _ = User.objects.get_or_create(
        email="bench.import.fr@bench.example", defaults={"full_name": "Bench NCP", "country": "FR"}
    )
    RoleGrant.objects.get_or_create(user=ncp, role="ncp")
    ncp.__dict__.pop("roles", None)

    rng = random.Random(args.seed)
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "rows": args.rows,
        "format": "xlsx" if args.xlsx else "csv",
    }
    t = time.perf_counter()
    data = file_bytes(build_rows(args.rows, rng), xlsx=args.xlsx)
    figures["file_mb"] = round(len(data) / 1e6, 1)
    figures["build_s"] = round(time.perf_counter() - t, 2)

    from django.test import override_settings

    with override_settings(UPLOAD_MAX_BYTES=max(len(data) + 1, 20 * 1024 * 1024)):
        t = time.perf_counter()
        parsed = imports.parse_upload("bench.csv", data)
        figures["read_s"] = round(time.perf_counter() - t, 2)
        t, cpu = time.perf_counter(), time.process_time()
        result = imports.validate_rows(actor=ncp, rows=parsed.rows)
        figures["validate_s"] = round(time.perf_counter() - t, 2)
        figures["validate_cpu_s"] = round(time.process_time() - cpu, 2)
        figures["records"] = len(result.records)
        figures["errors"] = len(result.errors)
        figures["duplicates"] = len(result.duplicates)
        if result.errors:
            figures["first_errors"] = [imports.render_error(e) for e in result.errors[:5]]
            print(json.dumps(figures, indent=2, ensure_ascii=False))
            sys.exit(1)
        t = time.perf_counter()
        batch = imports.import_upload(actor=ncp, file_name="bench.csv", data=data)
        figures["upload_total_s"] = round(time.perf_counter() - t, 2)  # read + validate + keep the rows

    before = Incident.objects.count()
    figures["commit_reused_preview"] = imports._validated_path(batch.payload).exists()
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED)
        t, cpu = time.perf_counter(), time.process_time()
        done = imports.import_commit(batch_id=batch.pk)
        figures["commit_s"] = round(time.perf_counter() - t, 2)  # checks again, then writes
        figures["commit_cpu_s"] = round(time.process_time() - cpu, 2)  # this process only, not the server's
        figures["created"] = done.created_count
        figures["incidents_written"] = Incident.objects.count() - before
        if not args.keep:
            transaction.set_rollback(True)
    figures["validation_plus_commit_s"] = round(figures["upload_total_s"] + figures["commit_s"], 2)
    figures["target_s"] = 60
    figures["load_average"] = os.getloadavg()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shieldhub.reference.loader import load_reference

LABELS = [
    ("regions", "WCO regions"),
    ("countries", "countries"),
    ("hs_sections", "HS sections"),
    ("hs_codes", "HS codes"),
    ("currencies", "currencies"),
]


class Command(BaseCommand):
    help = "Load the reference data (WCO regions and members, countries, HS 2022, PGS catalogue, currencies)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", dest="base", default=None, help="Folder of reference files (default: settings.REFERENCE_DIR)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = load_reference(base=Path(options["base"]) if options["base"] else None)
        for key, label in LABELS:
            self.stdout.write(
                f"{label}: {counts[key]} ({counts[f'{key}_created']} new, {counts[f'{key}_updated']} updated)"
            )
        self.stdout.write(
            f"catalogue items: {counts['catalogue']} in the file "
            f"({counts['catalogue_created']} new, {counts['catalogue_kept']} already present and kept as edited)"
        )
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded in {time.monotonic() - started:.1f} s."))

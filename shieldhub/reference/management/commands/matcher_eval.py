"""`shieldhub matcher_eval`: precision and recall of the goods matcher over a labelled set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shieldhub.reference.matching import DEFAULT_MIN_CONFIDENCE, GoodsMatcher, LanguageFigures, read_labelled

DEFAULT_FILE = Path(settings.BASE_DIR) / "tests" / "reference" / "data" / "goods_descriptions.csv"


class Command(BaseCommand):
    help = (
        "Match a labelled set of goods descriptions (CSV: description, language, expected codes separated by ';') "
        "against the catalogue and print precision and recall per language, then every description with an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEFAULT_FILE), help="Labelled CSV (default: the test set)")
        parser.add_argument(
            "--min-confidence",
            type=float,
            default=DEFAULT_MIN_CONFIDENCE,
            help=f"Items found with at least this confidence count (default {DEFAULT_MIN_CONFIDENCE})",
        )
        parser.add_argument(
            "--reference-file",
            action="store_true",
            help="Build the matcher from precursors.csv instead of the catalogue in the database",
        )
        parser.add_argument("--quiet", action="store_true", help="Figures only, not the errors")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        matcher = GoodsMatcher.from_reference_file() if options["reference_file"] else GoodsMatcher.from_catalogue()
        if not matcher.codes:
            raise CommandError("The catalogue is empty: run `shieldhub load-reference` first, or use --reference-file.")
        result = matcher.evaluate(read_labelled(path), min_confidence=options["min_confidence"])
        rows = [*sorted(result.by_language.items()), ("all", result.overall)]
        self.stdout.write(
            f"{'language':<9}{'descriptions':>13}{'precision':>11}{'recall':>8}{'TP':>6}{'FP':>5}{'FN':>5}"
        )
        for language, figures in rows:
            self.stdout.write(self._line(language, figures))
        if options["quiet"]:
            return
        for description, language, expected, found in result.errors:
            missed = ", ".join(sorted(expected - found)) or "-"
            extra = ", ".join(sorted(found - expected)) or "-"
            self.stdout.write(f"[{language}] {description}\n    missed: {missed}; wrongly found: {extra}")

    @staticmethod
    def _line(language: str, figures: LanguageFigures) -> str:
        return (
            f"{language:<9}{figures.descriptions:>13}{figures.precision:>11.3f}{figures.recall:>8.3f}"
            f"{figures.tp:>6}{figures.fp:>5}{figures.fn:>5}"
        )

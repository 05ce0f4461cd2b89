"""Recompute the entities' normalised names after a change to `core.names`, then run the
"same as" suggestion pass (both idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shieldhub.entities import services


class Command(BaseCommand):
    help = 'Recompute the entities\' normalised names and suggest "same as" links.'

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-suggest", action="store_true", help="Only recompute the names.")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = services.entities_renormalise()
        self.stdout.write(f"{changed} normalised names changed.")
        if not options["no_suggest"]:
            created = services.suggest_links()
            self.stdout.write(f"{len(created)} new suggestions.")

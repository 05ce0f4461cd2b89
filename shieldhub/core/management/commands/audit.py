from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shieldhub.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain: exit 0 when intact, 1 naming the first bad entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"Audit log intact: {result.checked} entries verified.")
            return
        self.stderr.write(f"Audit log broken at entry #{result.first_bad_seq}: {result.reason}.")
        sys.exit(1)

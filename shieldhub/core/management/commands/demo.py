from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from shieldhub.core.i18n import compile_translations


class Command(BaseCommand):
    help = (
        "Prepare the data directory (migrate, compile translations, load reference and demo data, "
        "create demo accounts), print how to log in, then serve the site and run the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Only prepare; do not serve.")
        parser.add_argument("--reset", action="store_true", help="Delete the existing data and start over.")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = settings.DATA_DIR
        for folder in (data_dir, settings.STATIC_ROOT, settings.MEDIA_ROOT):
            folder.mkdir(parents=True, exist_ok=True)
        if options["reset"]:
            self._reset()
        self.stdout.write(f"Data directory: {data_dir}")
        call_command("migrate", interactive=False, verbosity=0)
        compile_translations()
        from shieldhub.reference.loader import load_reference

        counts = load_reference()
        self.stdout.write("Reference data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        from shieldhub.core.demo_data import DEMO_PASSWORD, demo_accounts, load_demo

        created = load_demo()
        self.stdout.write(
            "Demo data: " + ("created" if created else "already present (kept; use --reset to start over)")
        )
        self._print_accounts(demo_accounts(), DEMO_PASSWORD, options)
        if options["no_serve"]:
            return
        self._serve(options["host"], options["port"])

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                path = f"{db['NAME']}{suffix}"
                if os.path.exists(path):
                    os.remove(path)
        else:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        for sub in ("files", "mail", "cache"):
            shutil.rmtree(settings.DATA_DIR / sub, ignore_errors=True)
        self.stdout.write("Existing data deleted.")

    def _print_accounts(self, accounts: list[dict[str, str]], password: str, options: dict[str, Any]) -> None:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Global Shield Hub demo — open {url}"))
        self.stdout.write(f"Every demo account's password is: {password}")
        self.stdout.write("Two-factor codes: add the TOTP secret to an authenticator app, or use the code shown")
        self.stdout.write("(codes change every 30 s; run `shieldhub demo --no-serve` again for fresh ones).")
        self.stdout.write("")
        self.stdout.write(f"{'account':<34} {'roles':<24} {'TOTP secret':<34} code now")
        counter = next(iter(yield_hotp_counters_from_time()))
        for acc in accounts:
            code = format_hotp_value(hotp_value(acc["totp_secret"], counter))
            self.stdout.write(f"{acc['email']:<34} {acc['roles']:<24} {acc['totp_secret']:<34} {code}")
        self.stdout.write("")
        self.stdout.write(f"Emails the platform sends (invitations, resets) are written to {settings.EMAIL_FILE_PATH}")

    def _serve(self, host: str, port: int) -> None:
        from waitress import serve

        from config.wsgi import application

        env = dict(os.environ)
        worker = subprocess.Popen([sys.executable, "-m", "shieldhub.cli", "worker"], env=env)
        self.stdout.write(
            f"Background worker started (pid {worker.pid}). Serving on http://{host}:{port}/ — Ctrl+C to stop."
        )
        try:
            serve(application, host=host, port=port, threads=8, ident="shieldhub")
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

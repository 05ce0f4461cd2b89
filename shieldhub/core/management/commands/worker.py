from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from shieldhub.core import scheduling

logger = logging.getLogger(__name__)

SCHEDULER_INTERVAL = 60.0


def _scheduler_loop(interval: float) -> None:
    """Enqueue the periodic tasks that are due, every `interval` seconds, until the process ends."""
    while True:
        try:
            scheduling.run_due()
        except Exception:
            logger.exception("The scheduler failed; it will try again")
        finally:
            close_old_connections()
        time.sleep(interval)


class Command(BaseCommand):
    help = (
        "Run the background worker (django-tasks database backend): imports, emails, reminders. "
        "A scheduler thread enqueues the periodic tasks (reminders, escalations) every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not enqueue the periodic tasks.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"]:
            if options["batch"]:
                # One pass: enqueue what is due, then process the queue with it.
                scheduling.run_due()
            else:
                threading.Thread(
                    target=_scheduler_loop, args=(SCHEDULER_INTERVAL,), name="scheduler", daemon=True
                ).start()
        call_command(
            "db_worker",
            queue_name="*",
            interval=options["interval"],
            batch=options["batch"],
            reload=False,
            verbosity=options["verbosity"],
        )

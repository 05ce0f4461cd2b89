"""A tiny periodic scheduler: tasks registered with `periodic(name, every=...)` are enqueued by
`run_due(now)` when their interval has passed since their last run.

The last run of each task is kept in the Django cache (the file cache is shared by the processes
of one installation). Semantics are at-least-once: two workers, or a cache that was cleared, may
enqueue a task twice, so periodic tasks must be idempotent (the exchange's reminders and
escalations record when they were sent). The `worker` command calls `run_due` every minute.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_PREFIX = "scheduling:last-run:"


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: Any  # a django-tasks Task (anything with .enqueue())


REGISTRY: dict[str, Periodic] = {}
_discovered = False


def periodic(name: str, every: dt.timedelta) -> Callable[[T], T]:
    """Register a django-tasks task to run every `every`; use above `@task()`."""
    if every <= dt.timedelta(0):
        raise ValueError("every must be positive")

    def register(task: T) -> T:
        REGISTRY[name] = Periodic(name=name, every=every, task=task)
        return task

    return register


def autodiscover() -> None:
    """Import every app's `tasks` module, so that their periodic tasks are registered."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def last_run(name: str) -> dt.datetime | None:
    value = cache.get(CACHE_PREFIX + name)
    return value if isinstance(value, dt.datetime) else None


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each registered task whose interval has passed; return their names."""
    autodiscover()
    now = now or timezone.now()
    enqueued = []
    for entry in sorted(REGISTRY.values(), key=lambda e: e.name):
        previous = last_run(entry.name)
        if previous is not None and now - previous < entry.every:
            continue
        cache.set(CACHE_PREFIX + entry.name, now, timeout=None)
        try:
            entry.task.enqueue()
        except Exception:
            logger.exception("Could not enqueue the periodic task %s", entry.name)
            continue
        enqueued.append(entry.name)
    return enqueued

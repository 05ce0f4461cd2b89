"""The periodic scheduler: due tasks are enqueued once per interval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command

from shieldhub.core import scheduling


class FakeTask:
    def __init__(self) -> None:
        self.calls = 0

    def enqueue(self) -> None:
        self.calls += 1


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(scheduling, "REGISTRY", {})
    monkeypatch.setattr(scheduling, "_discovered", True)
    cache.clear()
    return scheduling.REGISTRY


def test_due_tasks_run_once_per_interval(registry):
    hourly, daily = FakeTask(), FakeTask()
    scheduling.periodic("test.hourly", every=dt.timedelta(hours=1))(hourly)
    scheduling.periodic("test.daily", every=dt.timedelta(days=1))(daily)
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    assert scheduling.run_due(start) == ["test.daily", "test.hourly"]
    assert scheduling.run_due(start + dt.timedelta(minutes=1)) == []
    assert scheduling.run_due(start + dt.timedelta(minutes=59)) == []
    assert scheduling.run_due(start + dt.timedelta(hours=1)) == ["test.hourly"]
    assert scheduling.run_due(start + dt.timedelta(hours=1, minutes=30)) == []
    assert scheduling.run_due(start + dt.timedelta(days=1)) == ["test.daily", "test.hourly"]
    assert (hourly.calls, daily.calls) == (3, 2)
    assert scheduling.last_run("test.daily") == start + dt.timedelta(days=1)


def test_a_failing_task_does_not_stop_the_others(registry):
    class Broken:
        def enqueue(self) -> None:
            raise RuntimeError("queue down")

    ok = FakeTask()
    scheduling.periodic("a.broken", every=dt.timedelta(hours=1))(Broken())
    scheduling.periodic("b.ok", every=dt.timedelta(hours=1))(ok)
    assert scheduling.run_due(dt.datetime(2026, 11, 30, tzinfo=dt.UTC)) == ["b.ok"]
    assert ok.calls == 1


def test_interval_must_be_positive():
    with pytest.raises(ValueError):
        scheduling.periodic("x", every=dt.timedelta(0))


def test_the_exchange_tasks_are_registered_hourly():
    scheduling.autodiscover()
    for name in ("exchange.rfi_send_reminders", "exchange.rfi_mark_overdue"):
        assert scheduling.REGISTRY[name].every == dt.timedelta(hours=1)


@pytest.mark.django_db
def test_worker_batch_runs_the_scheduler_once(registry, monkeypatch):
    task = FakeTask()
    scheduling.periodic("test.batch", every=dt.timedelta(hours=1))(task)
    calls = []
    monkeypatch.setattr("shieldhub.core.management.commands.worker.call_command", lambda *a, **k: calls.append((a, k)))
    call_command("worker", "--batch")
    call_command("worker", "--batch")
    assert task.calls == 1 and calls[0][0] == ("db_worker",) and calls[0][1]["batch"] is True

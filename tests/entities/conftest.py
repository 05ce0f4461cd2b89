"""Entity fixtures: the seizure fixtures (reference tables, `make`, a German NCP) and helpers to
build records naming companies on given dates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.exchange.conftest import send  # noqa: F401
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import catalogue, europe, make, ncp_de, ncp_ke2  # noqa: F401


def parties(*names: tuple[str, str], role: str = "consignor") -> list[dict[str, str]]:
    return [{"role": role, "name": name, "country": country} for name, country in names]


@pytest.fixture
def record(make):  # noqa: F811
    """`record(actor, day, *(name, country), submit=False, countries=(), **overrides)`."""

    def _record(actor, day: str, *names: tuple[str, str], submit: bool = False, countries=(), **overrides):
        return make(
            actor, submit=submit, countries=countries, occurred_on=dt.date.fromisoformat(day),
            parties=parties(*names), **overrides,
        )  # fmt: skip

    return _record

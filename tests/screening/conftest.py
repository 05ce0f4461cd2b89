"""Screening fixtures: the reference catalogue, a small watch list, and a declarations CSV maker."""

from __future__ import annotations

import pytest

from tests.reference.fixtures import ref, reference_tables  # noqa: F401

HEADER = "Reference;Date;Exporter;Consignee;Origin;Destination;Route;HS code;Goods description;Quantity;Unit;Value"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def watch(db, ref):  # noqa: F811
    from shieldhub.screening.models import WatchListCountry, WatchListEntity

    WatchListCountry.objects.create(country="SY", reason="Conflict zone")
    WatchListEntity.objects.create(
        name="Nitro Chemicals Trading LLC", normalised_name="nitro chemicals trading", country="AE",
        reason="Diverted AN in 2024", source="Programme",
    )  # fmt: skip
    return ref

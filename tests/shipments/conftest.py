"""Shipment fixtures: the reference tables, a third-country (German) NCP, a second Kenyan NCP, and
`make` to create (and optionally notify) a shipment through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shieldhub.shipments import services
from tests.factories import UserFactory
from tests.reference.fixtures import ref, reference_tables  # noqa: F401


@pytest.fixture
def ncp_de(db):
    return UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE", mfa=False)


@pytest.fixture
def ncp_ke2(db):
    return UserFactory(
        email="ncp2.ke@test.example", roles=["ncp"], full_name="Grace Wanjiru", country="KE", mfa=False, language="fr"
    )


@pytest.fixture
def catalogue(ref):  # noqa: F811
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


def shipment_data(catalogue: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "importing_country": "KE",
        "national_reference": "FR-PEN-2026-0117",
        "exporter": {"name": "Chimie du Rhône SA", "country": "FR"},
        "importer": {"name": "Nairobi Agro Supplies Ltd"},
        "consignee": {"name": "Nairobi Agro Supplies Ltd", "identifiers": {"registration": "KE-PVT-4411"}},
        "end_user": {"name": "Rift Valley Growers Cooperative"},
        "declared_end_use": "Blending of fertiliser for smallholder farms",
        "planned_dispatch": dt.date(2026, 12, 10),
        "planned_arrival": dt.date(2027, 1, 5),
        "transport_mode": "vessel",
        "route": ["EG", "TZ"],
        "documents": "Export authorisation EA-2026-88\nImport permit KE-IP-2026-301",
        "lines": [
            {"catalogue_item": catalogue["ammonium-nitrate"].pk, "description": "Ammonium nitrate prills",
             "quantity": Decimal("24"), "unit": "t"},
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def make(catalogue):
    """`make(actor, notify=False, **overrides)`."""

    def _make(actor: Any, *, notify: bool = False, deadline: dt.date | None = None, **overrides: Any):
        shipment = services.shipment_create(actor=actor, data=shipment_data(catalogue, **overrides))
        if notify:
            shipment = services.shipment_notify(actor=actor, shipment=shipment, deadline=deadline)
        return shipment

    return _make

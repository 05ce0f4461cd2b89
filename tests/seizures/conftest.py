"""Seizure fixtures: the reference tables, a second Kenyan NCP, a German NCP in a European
community, and `make` to create (and optionally submit) a record through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shieldhub.exchange.services import Distribution
from shieldhub.seizures import services
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.reference.fixtures import ref, reference_tables  # noqa: F401


@pytest.fixture
def ncp_ke2(db):
    return UserFactory(email="ncp2.ke@test.example", roles=["ncp"], full_name="Grace Wanjiru", country="KE", mfa=False)


@pytest.fixture
def ncp_de(db):
    return UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE", mfa=False)


@pytest.fixture
def europe(db, ncp_fr, ncp_de):
    community = CommunityFactory(name="Europe", slug="europe", kind="regional")
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_de)
    return community


@pytest.fixture
def catalogue(ref):  # noqa: F811
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


def record_data(catalogue: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "incident_type": "seizure",
        "occurred_on": dt.date(2026, 3, 14),
        "office_name": "Le Havre port",
        "location_type": "seaport",
        "direction": "import",
        "detection_method": "risk_profiling",
        "conveyance": "vessel",
        "concealment": "Declared as urea fertiliser",
        "national_reference": "FR-LH-2026-0042",
        "narrative": "A 40 ft container declared as urea held porous ammonium nitrate prills, found after "
        "risk profiling and a laboratory test. The consignee is a newly registered trading company.",
        "route": [("AE", "departure"), ("MA", "transit"), ("FR", "destination")],
        "goods": [
            {
                "catalogue_item": catalogue["ammonium-nitrate"].pk,
                "declared_description": "Urea fertiliser",
                "declared_hs": "3102.10",
                "actual_hs": "3102.30",
                "quantity": Decimal("24"),
                "unit": "t",
                "concentration": Decimal("34"),
            }
        ],
        "parties": [
            {"role": "consignor", "name": "Gulf Agro Trading LLC", "country": "AE"},
            {"role": "consignee", "name": "Société Nouvelle d'Import", "country": "FR"},
        ],
        "persons": [
            {"role": "driver", "nationality": "MA", "gender": "male", "year_of_birth": 1981, "name": "Karim Benali",
             "name_shared": False},
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def make(catalogue):
    """`make(actor, submit=False, communities=(), countries=(), users=(), **overrides)`."""

    def _make(actor: Any, *, submit: bool = False, communities=(), countries=(), users=(), **overrides: Any):
        incident = services.incident_create(actor=actor, data=record_data(catalogue, **overrides))
        if submit:
            dist = Distribution(
                communities=[c.pk for c in communities], countries=list(countries), users=[u.pk for u in users]
            )
            incident = services.incident_submit(actor=actor, incident=incident, distribution=dist)
        return incident

    return _make

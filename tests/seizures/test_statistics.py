"""Aggregate statistics: every role sees them, they count every submitted or validated record,
and they leak no record detail — small cells are suppressed (with the next smallest when one alone
would be given away by the total)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.urls import reverse

from shieldhub.seizures import selectors

pytestmark = pytest.mark.django_db

SECRET_OFFICE = "Quokka-Harbour office"
SECRET_REF = "QK-SECRET-77"
SECRET_NARRATIVE = "Marmalade-unicorn narrative"
SECRET_COMPANY = "Platypus Chemicals SARL"


@pytest.fixture
def records(ncp_fr, ncp_ke, make):
    details = {
        "office_name": SECRET_OFFICE,
        "national_reference": SECRET_REF,
        "narrative": SECRET_NARRATIVE,
        "parties": [{"role": "consignor", "name": SECRET_COMPANY, "country": "FR"}],
    }
    made = [make(ncp_fr, submit=True, **details) for _ in range(4)]
    made.append(make(ncp_ke, submit=True, reporting_country="KE", incident_type="theft", **details))
    make(ncp_ke, reporting_country="KE", **details)  # a draft: not counted
    return made


@pytest.mark.parametrize(
    "persona", ["ncp_ke", "ncp_fr", "partner_interpol", "donor", "trainer", "analyst"], indirect=True
)
def test_statistics_never_show_record_detail(login, persona, records):
    client = login(persona)
    page = client.get(reverse("seizures:statistics")).content.decode()
    api = json.dumps(client.get("/api/v1/seizures/statistics").json())
    for text in (page, api):
        for secret in (SECRET_OFFICE, SECRET_REF, SECRET_NARRATIVE, SECRET_COMPANY, "Karim", "Gulf Agro"):
            assert secret not in text
        for incident in records:
            assert incident.reference not in text


def test_small_cells_are_suppressed_outside_the_secretariat(ncp_ke, analyst, records):
    stats = selectors.incident_statistics(user=ncp_ke)
    assert stats.total == 5
    by_country = {r.key: r.count for r in stats.by_country}
    # Kenya has one record: hidden; France is then the only other cell, hidden too (else 5 - 4 = 1)
    assert by_country == {"FR": None, "KE": None}
    by_type = {r.key: r.count for r in stats.by_type}
    assert by_type == {"seizure": None, "theft": None}
    full = selectors.incident_statistics(user=analyst)
    assert {r.key: r.count for r in full.by_country} == {"FR": 4, "KE": 1}
    assert not full.suppressed


def test_cells_at_the_threshold_are_shown(ncp_ke, ncp_fr, make):
    for _ in range(3):
        make(ncp_fr, submit=True)
    for _ in range(3):
        make(ncp_ke, submit=True, reporting_country="KE")
    stats = selectors.incident_statistics(user=ncp_ke)
    assert {r.key: r.count for r in stats.by_country} == {"FR": 3, "KE": 3}
    assert stats.by_precursor[0].count == 6 and stats.by_precursor[0].label == "Ammonium nitrate"


@override_settings(SEIZURE_STATS_MIN_CELL=10)
def test_a_total_below_the_threshold_is_hidden_too(donor, records):
    stats = selectors.incident_statistics(user=donor)
    assert stats.total == 0 and stats.total_kg is None
    assert all(r.count is None for r in stats.by_month)


def test_statistics_filters(analyst, ncp_fr, make):
    make(ncp_fr, submit=True)
    make(ncp_fr, submit=True, occurred_on=dt.date(2025, 5, 1), incident_type="theft")
    assert selectors.incident_statistics(user=analyst, filters={"year": 2025}).total == 1
    assert selectors.incident_statistics(user=analyst, filters={"incident_type": "seizure"}).total == 1

"""`/api/v1/seizures`: the lifecycle through the API, errors as 422 with details, scopes,
statistics and data quality, and bounded query counts."""

from __future__ import annotations

import pytest

from shieldhub.seizures.models import Incident

pytestmark = pytest.mark.django_db


def _payload(catalogue, **extra):
    data = {
        "incident_type": "seizure",
        "occurred_on": "2026-04-02",
        "office_name": "Mombasa port",
        "location_type": "seaport",
        "route": [{"country": "AE", "role": "departure"}, {"country": "UG", "role": "destination"}],
        "goods": [
            {"catalogue_item": catalogue["ammonium-nitrate"].pk, "quantity": "25", "unit": "MT",
             "declared_description": "Urea", "declared_hs": "310210", "actual_hs": "3102.30"},
        ],
        "parties": [{"role": "consignee", "name": "Kampala Agro Ltd", "country": "UG",
                     "identifiers": {"registration": "UG-123"}}],
        "persons": [{"role": "driver", "nationality": "KE", "name": "J. Mwangi"}],
    }  # fmt: skip
    data.update(extra)
    return data


def test_lifecycle_through_the_api(login, ncp_ke, analyst, ncp_fr, catalogue):
    client = login(ncp_ke)
    created = client.post("/api/v1/seizures/incidents", _payload(catalogue), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["reporting_country"] == "KE"
    assert body["detail"]["goods"][0]["quantity_kg"] == "25000.000"
    assert body["detail"]["goods"][0]["actual_hs"] == "310230"
    assert body["detail"]["persons"][0]["name"] == "J. Mwangi"
    pk = body["id"]
    updated = client.put(
        f"/api/v1/seizures/incidents/{pk}",
        _payload(catalogue, office_name="Kilindini"),
        content_type="application/json",
    )
    assert updated.json()["detail"]["office_name"] == "Kilindini"
    goods = client.put(
        f"/api/v1/seizures/incidents/{pk}/goods",
        [{"hs_code": "2829.11", "quantity": "500", "unit": "kgs"}],
        content_type="application/json",
    )
    assert goods.status_code == 200 and goods.json()[0]["quantity_kg"] == "500.000"
    submitted = client.post(
        f"/api/v1/seizures/incidents/{pk}/submit", {"distribution": {"countries": ["FR"]}},
        content_type="application/json",
    )  # fmt: skip
    assert submitted.json()["status"] == "submitted" and submitted.json()["version"] == 1
    assert login(ncp_fr).get(f"/api/v1/seizures/incidents/{pk}").status_code == 200
    analyst_client = login(analyst)
    returned = analyst_client.post(
        f"/api/v1/seizures/incidents/{pk}/return", {"comment": "Say the concealment"}, content_type="application/json"
    )
    assert returned.json()["status"] == "returned"
    client = login(ncp_ke)
    assert client.get(f"/api/v1/seizures/incidents/{pk}/comments").json()[0]["body"] == "Say the concealment"
    corrected = client.post(
        f"/api/v1/seizures/incidents/{pk}/correct",
        {"record": _payload(catalogue, concealment="Under bags of urea"), "note": "Concealment"},
        content_type="application/json",
    )
    assert corrected.json()["version"] == 2 and corrected.json()["status"] == "submitted"
    validated = login(analyst).post(f"/api/v1/seizures/incidents/{pk}/validate", {}, content_type="application/json")
    assert validated.json()["status"] == "validated"
    versions = login(ncp_ke).get(f"/api/v1/seizures/incidents/{pk}/versions").json()
    assert [v["change"] for v in versions] == ["submission", "correction"]
    withdrawn = login(ncp_ke).post(
        f"/api/v1/seizures/incidents/{pk}/withdraw", {"note": "Duplicate"}, content_type="application/json"
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert login(ncp_fr).get(f"/api/v1/seizures/incidents/{pk}").json()["detail"] is None


def test_errors_are_422_with_the_field(login, ncp_ke, catalogue):
    client = login(ncp_ke)
    bad_unit = _payload(catalogue, goods=[{"hs_code": "3102.30", "quantity": "5", "unit": "barrels"}])
    response = client.post("/api/v1/seizures/incidents", bad_unit, content_type="application/json")
    assert response.status_code == 422
    assert "Unknown unit" in " ".join(response.json()["error"]["details"]["goods"])
    other_country = _payload(catalogue, reporting_country="FR")
    response = client.post("/api/v1/seizures/incidents", other_country, content_type="application/json")
    assert response.status_code == 422 and "reporting_country" in response.json()["error"]["details"]
    assert not Incident.objects.exists()


def test_read_only_token_cannot_write(client, ncp_ke, catalogue):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=ncp_ke, user=ncp_ke, name="ro", scopes=["read"], expires_in_days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.post("/api/v1/seizures/incidents", _payload(catalogue), content_type="application/json", **auth)
    assert response.status_code == 403
    assert client.get("/api/v1/seizures/incidents", **auth).status_code == 200
    assert client.get("/api/v1/seizures/statistics", **auth).status_code == 200


def test_list_filters(login, ncp_fr, make, catalogue):
    make(ncp_fr, submit=True)
    make(ncp_fr, incident_type="theft", conveyance="vehicle")
    client = login(ncp_fr)
    assert client.get("/api/v1/seizures/incidents").json()["count"] == 2
    assert client.get("/api/v1/seizures/incidents", {"incident_type": "theft"}).json()["count"] == 1
    assert client.get("/api/v1/seizures/incidents", {"status": "submitted"}).json()["count"] == 1
    assert client.get("/api/v1/seizures/incidents", {"conveyance": "vehicle"}).json()["count"] == 1
    assert client.get("/api/v1/seizures/incidents", {"date_from": "2027-01-01"}).json()["count"] == 0
    precursor = catalogue["ammonium-nitrate"].pk
    assert client.get("/api/v1/seizures/incidents", {"precursor": precursor}).json()["count"] == 2
    assert client.get("/api/v1/seizures/incidents", {"q": "gulf agro"}).json()["count"] == 2


def test_data_quality_api(login, ncp_fr, ncp_ke, analyst, make):
    make(ncp_fr, submit=True)
    make(ncp_ke, submit=True, reporting_country="KE", narrative="")
    assert {r["country"] for r in login(analyst).get("/api/v1/seizures/data-quality").json()} == {"FR", "KE"}
    own = login(ncp_fr).get("/api/v1/seizures/data-quality").json()
    assert [r["country"] for r in own] == ["FR"] and own[0]["average"] == 100
    assert login(ncp_fr).get("/api/v1/seizures/data-quality").status_code == 200


def test_list_api_query_count_does_not_grow(login, ncp_fr, make, django_assert_max_num_queries):
    for _ in range(6):
        make(ncp_fr, submit=True)
    client = login(ncp_fr)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/seizures/incidents")
    assert response.json()["count"] == 6


def test_list_page_query_count_does_not_grow(login, ncp_fr, make, django_assert_max_num_queries):
    from django.urls import reverse

    for _ in range(8):
        make(ncp_fr, submit=True)
    client = login(ncp_fr)
    client.get(reverse("seizures:incident-list"))  # warm the caches (reference data)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("seizures:incident-list"))
    assert response.content.count(b"SZ-0") == 8

"""`/api/v1/shipments`: the lifecycle through the API, errors as 422, the write scope, response
rates, and bounded query counts."""

from __future__ import annotations

import pytest

from shieldhub.shipments.models import Shipment

pytestmark = pytest.mark.django_db


def _payload(catalogue, **extra):
    data = {
        "importing_country": "KE",
        "national_reference": "FR-PEN-77",
        "exporter": {"name": "Chimie du Rhône SA"},
        "consignee": {"name": "Nairobi Agro Supplies Ltd", "identifiers": {"registration": "KE-1"}},
        "end_user": {"name": "Rift Valley Growers"},
        "declared_end_use": "Fertiliser blending",
        "planned_dispatch": "2026-12-10",
        "transport_mode": "vessel",
        "transit": ["EG"],
        "lines": [{"catalogue_item": catalogue["ammonium-nitrate"].pk, "quantity": "25", "unit": "MT"},
                  {"hs_code": "2829.11", "quantity": "500", "unit": "kgs", "description": "Sodium chlorate"}],
    }  # fmt: skip
    data.update(extra)
    return data


def test_lifecycle_through_the_api(login, ncp_fr, ncp_ke, catalogue, make):
    from tests.seizures.conftest import record_data

    client = login(ncp_fr)
    created = client.post("/api/v1/shipments", _payload(catalogue), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["exporting_country"] == "FR"
    assert body["route"] == ["FR", "EG", "KE"] and body["transit"] == ["EG"]
    assert [line["quantity_kg"] for line in body["lines"]] == ["25000.000", "500.000"]
    assert body["total_kg"] == "25500.000" and body["verification"] is None
    roles = {p["role"]: p for p in body["parties"]}
    assert roles["consignee"]["country"] == "KE" and roles["consignee"]["identifiers"] == {"registration": "KE-1"}
    assert login(ncp_ke).get(f"/api/v1/shipments/{pk}").status_code == 404  # a draft
    client = login(ncp_fr)
    updated = client.put(
        f"/api/v1/shipments/{pk}", _payload(catalogue, declared_end_use="Mining"), content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["declared_end_use"] == "Mining"
    notified = client.post(f"/api/v1/shipments/{pk}/notify", {}, content_type="application/json")
    assert notified.json()["status"] == "notified" and notified.json()["verification"]["status"] == "open"
    assert notified.json()["deadline"] == notified.json()["verification"]["deadline"]

    importing = login(ncp_ke)
    refused = importing.post(f"/api/v1/shipments/{pk}/answer", {"answer": "objected"}, content_type="application/json")
    assert refused.status_code == 422 and "reason" in refused.content.decode()
    answered = importing.post(
        f"/api/v1/shipments/{pk}/answer", {"answer": "objected", "reason": "The consignee is unknown to us."},
        content_type="application/json",
    )  # fmt: skip
    assert answered.status_code == 200
    assert answered.json()["status"] == "objected" and answered.json()["verification"]["answer"] == "objected"

    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import services as seizures

    items = {c.code: c for c in CatalogueItem.objects.all()}
    incident = seizures.incident_submit(
        actor=ncp_fr, incident=seizures.incident_create(actor=ncp_fr, data=record_data(items))
    )
    client = login(ncp_fr)
    outcome = client.post(
        f"/api/v1/shipments/{pk}/outcome", {"outcome": "seized", "seizure": incident.pk},
        content_type="application/json",
    )  # fmt: skip
    assert outcome.status_code == 200, outcome.content
    assert outcome.json()["status"] == "closed" and outcome.json()["seizure"] == incident.pk
    listed = client.get("/api/v1/shipments", {"status": "closed"}).json()
    assert [s["id"] for s in listed["items"]] == [pk]


def test_the_importing_ncp_cannot_write_the_notification(login, ncp_fr, ncp_ke, make):
    shipment = make(ncp_fr, notify=True)
    client = login(ncp_ke)
    assert client.post(f"/api/v1/shipments/{shipment.pk}/withdraw", {"note": "x"},
                       content_type="application/json").status_code == 403  # fmt: skip
    assert client.post("/api/v1/shipments", {"importing_country": "FR", "exporting_country": "FR"},
                       content_type="application/json").status_code == 422  # fmt: skip


def test_read_only_tokens_cannot_write(client, ncp_fr, catalogue):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=ncp_fr, user=ncp_fr, name="ro", scopes=["read"], expires_in_days=30)
    response = client.post(
        "/api/v1/shipments", _payload(catalogue), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403
    assert not Shipment.objects.exists()
    assert client.get("/api/v1/shipments", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_response_rates_api(login, ncp_fr, ncp_ke, analyst, make):
    shipment = make(ncp_fr, notify=True)
    from shieldhub.shipments import services

    services.verification_answer(actor=ncp_ke, shipment=shipment, answer="confirmed")
    make(ncp_fr, notify=True)
    rows = login(analyst).get("/api/v1/shipments/response-rates").json()
    assert rows == [{"country": "KE", "country_name": "Kenya", "requests": 1, "on_time": 1, "late": 0, "never": 0,
                     "pending": 1, "rate": 100}]  # fmt: skip
    assert login(ncp_ke).get("/api/v1/shipments/response-rates").json()[0]["country"] == "KE"
    assert login(ncp_fr).get("/api/v1/shipments/response-rates").json() == []  # France's own row only


def test_list_api_query_count_does_not_grow(login, ncp_fr, make, django_assert_max_num_queries):
    for _ in range(6):
        make(ncp_fr, notify=True)
    client = login(ncp_fr)
    with django_assert_max_num_queries(14):
        response = client.get("/api/v1/shipments")
    assert response.json()["count"] == 6


def test_list_page_query_count_does_not_grow(login, ncp_fr, make, django_assert_max_num_queries):
    for _ in range(8):
        make(ncp_fr, notify=True)
    client = login(ncp_fr)
    client.get("/shipments/")
    with django_assert_max_num_queries(16):
        response = client.get("/shipments/")
    assert response.content.count(b"SH-0") >= 8

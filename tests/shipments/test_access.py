"""Who reaches which shipment: the exporting country's NCPs (drafts too), the importing country's
NCPs once notified, the secretariat's analysis side; a third country's NCP, partners, donors and
the other secretariat roles never — not in the list, the detail, the search or the API (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.shipments import selectors

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar-Quokka"
DETAIL_PAGES = ["shipment-detail", "shipment-edit", "shipment-notify"]
POST_ACTIONS = ["verification-answer", "shipment-outcome", "shipment-withdraw", "shipment-delete"]


@pytest.fixture
def notified(ncp_fr, make):
    return make(ncp_fr, notify=True, national_reference=SECRET)


@pytest.fixture
def draft(ncp_fr, make):
    return make(ncp_fr, national_reference=SECRET)


def _sees_nothing(client, persona, shipment):
    for name in DETAIL_PAGES:
        status = client.get(reverse(f"shipments:{name}", args=[shipment.pk])).status_code
        assert status == 404, (name, status)
    for name in POST_ACTIONS:
        response = client.post(reverse(f"shipments:{name}", args=[shipment.pk]), {"answer": "confirmed", "note": "x"})
        assert response.status_code == 404, name
    listing = client.get(reverse("shipments:shipment-list"), {"q": SECRET})
    assert shipment.reference.encode() not in listing.content
    assert client.get(f"/api/v1/shipments/{shipment.pk}").status_code == 404
    for path in ("notify", "answer", "outcome", "withdraw"):
        response = client.post(
            f"/api/v1/shipments/{shipment.pk}/{path}", {"answer": "confirmed", "outcome": "delivered", "note": "x"},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 404, (path, response.status_code)
    api = client.get("/api/v1/shipments", {"q": SECRET})
    assert api.status_code == 200 and api.json()["count"] == 0
    assert list(selectors.shipment_list(user=persona, filters={"q": SECRET})) == []


@pytest.fixture
def ncp_de_login(ncp_de):
    return ncp_de


def test_a_third_countrys_ncp_sees_nothing(login, ncp_de, notified):
    _sees_nothing(login(ncp_de), ncp_de, notified)


def test_transit_countries_are_not_told(login, make, ncp_fr, notified):
    from tests.factories import UserFactory

    ncp_eg = UserFactory(email="ncp.eg@test.example", roles=["ncp"], country="EG")
    assert "EG" in selectors.shipment_route(notified)
    _sees_nothing(login(ncp_eg), ncp_eg, notified)


@pytest.mark.parametrize("persona", ["ncp_ke", "analyst", "coordinator", "admin_user"], indirect=True)
def test_a_draft_is_the_exporting_countrys_alone(login, persona, draft):
    _sees_nothing(login(persona), persona, draft)


@pytest.mark.parametrize("persona", ["ncp_fr", "ncp_ke", "analyst", "coordinator", "admin_user"], indirect=True)
def test_both_countries_and_the_secretariat_see_a_notified_shipment(login, persona, notified):
    client = login(persona)
    assert client.get(reverse("shipments:shipment-detail", args=[notified.pk])).status_code == 200
    assert notified.reference.encode() in client.get(reverse("shipments:shipment-list")).content
    assert client.get(f"/api/v1/shipments/{notified.pk}").json()["reference"] == notified.reference
    assert [s.pk for s in selectors.shipment_list(user=persona, filters={"q": SECRET})] == [notified.pk]


@pytest.mark.parametrize("persona", ["partner_interpol", "donor", "trainer", "assistant", "outsider"], indirect=True)
def test_no_access_for_partners_donors_and_other_roles(login, persona, notified):
    client = login(persona)
    assert client.get(reverse("shipments:shipment-list")).status_code == 403
    assert client.get(reverse("shipments:shipment-create")).status_code == 403
    assert client.get(reverse("shipments:response-rates")).status_code == 403
    assert client.get(reverse("shipments:shipment-detail", args=[notified.pk])).status_code == 404
    # (an account without a role has no API access at all: 401)
    assert client.get(f"/api/v1/shipments/{notified.pk}").status_code in (401, 404)
    assert client.get("/api/v1/shipments").status_code in (401, 403)
    assert client.get("/api/v1/shipments/response-rates").status_code in (401, 403)


def test_the_right_forms_for_the_right_side(login, ncp_fr, ncp_ke, coordinator, notified):
    importing = login(ncp_ke).get(reverse("shipments:shipment-detail", args=[notified.pk])).content
    assert b'id="answer-form"' in importing and b'id="outcome-form"' in importing
    assert b"Withdraw the notification" not in importing
    exporting = login(ncp_fr).get(reverse("shipments:shipment-detail", args=[notified.pk])).content
    assert b'id="answer-form"' not in exporting and b"Withdraw the notification" in exporting
    reading = login(coordinator).get(reverse("shipments:shipment-detail", args=[notified.pk])).content
    assert b'id="answer-form"' not in reading and b'id="outcome-form"' not in reading
    # the importing NCP cannot edit or notify
    client = login(ncp_ke)
    assert client.get(reverse("shipments:shipment-edit", args=[notified.pk])).status_code == 403
    assert client.get(reverse("shipments:shipment-notify", args=[notified.pk])).status_code == 403


def test_entity_filter_for_the_entities_page(ncp_fr, ncp_ke, ncp_de, make):
    shipment = make(ncp_fr, notify=True)
    other = make(ncp_fr, notify=True, consignee={"name": "Mombasa Chemicals"}, importer=None, end_user=None)
    entity = shipment.end_user_id
    assert [s.pk for s in selectors.shipment_list(user=ncp_ke, filters={"entity": entity})] == [shipment.pk]
    assert selectors.shipment_list(user=ncp_de, filters={"entity": entity}).count() == 0
    assert [s.pk for s in selectors.shipment_list(user=ncp_fr, filters={"entity": other.consignee_id})] == [other.pk]
    assert selectors.shipment_list(user=ncp_fr, filters={"country": "TZ"}).count() == 2  # transit
    assert selectors.shipment_list(user=ncp_fr, filters={"country": "KE", "status": "notified"}).count() == 2
    item = shipment.lines.get().catalogue_item_id
    assert selectors.shipment_list(user=ncp_fr, filters={"precursor": item}).count() == 2
    assert selectors.shipment_list(user=ncp_fr, filters={"precursor": item + 999}).count() == 0

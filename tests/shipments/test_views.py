"""Shipment pages: the form (lines as a formset without JavaScript), notification, the importing
NCP's answer, the outcome, the list's filters and htmx partial, French pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.core.models import AuditEntry
from shieldhub.shipments.models import Shipment

pytestmark = pytest.mark.django_db


def _form_post(catalogue, **extra):
    data = {
        "exporting_country": "FR",
        "importing_country": "KE",
        "national_reference": "FR-PEN-2026-9",
        "exporter_name": "Chimie du Rhône SA",
        "exporter_country": "",
        "importer_name": "",
        "importer_country": "",
        "consignee_name": "Nairobi Agro Supplies Ltd",
        "consignee_country": "",
        "end_user_name": "",
        "end_user_country": "",
        "declared_end_use": "Fertiliser blending",
        "planned_dispatch": "2026-12-10",
        "planned_arrival": "2027-01-05",
        "transport_mode": "vessel",
        "transit": "EG, TZ",
        "documents": "Export authorisation EA-1",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-catalogue_item": str(catalogue["ammonium-nitrate"].pk),
        "lines-0-hs_code": "",
        "lines-0-description": "Prills",
        "lines-0-quantity": "24",
        "lines-0-unit": "t",
    }
    data.update(extra)
    return data


def test_create_edit_and_notify_through_the_pages(login, ncp_fr, ncp_ke, catalogue):
    client = login(ncp_fr)
    assert client.get(reverse("shipments:shipment-create")).status_code == 200
    response = client.post(reverse("shipments:shipment-create"), _form_post(catalogue))
    shipment = Shipment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("shipments:shipment-detail",
                                                                           args=[shipment.pk])  # fmt: skip
    assert shipment.lines.get().quantity_kg == 24000 and shipment.consignee.name == "Nairobi Agro Supplies Ltd"
    assert [str(c.country.code) for c in shipment.route.all()] == ["EG", "TZ"]
    detail = client.get(reverse("shipments:shipment-detail", args=[shipment.pk])).content.decode()
    assert "24,000" in detail and "Nairobi Agro Supplies Ltd" in detail and "Draft created" in detail
    edit = client.get(reverse("shipments:shipment-edit", args=[shipment.pk]))
    assert b"Nairobi Agro Supplies Ltd" in edit.content and b'value="EG, TZ"' in edit.content
    data = _form_post(catalogue, declared_end_use="Mining", **{"lines-INITIAL_FORMS": "1"})
    assert client.post(reverse("shipments:shipment-edit", args=[shipment.pk]), data).status_code == 302
    shipment.refresh_from_db()
    assert shipment.declared_end_use == "Mining"
    page = client.get(reverse("shipments:shipment-notify", args=[shipment.pk]))
    assert b"John Otieno" in page.content  # who will be asked
    response = client.post(reverse("shipments:shipment-notify", args=[shipment.pk]), {"deadline": ""})
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == "notified" and shipment.verification.status == "open"


def test_add_a_line_without_javascript_keeps_what_was_typed(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    response = client.post(reverse("shipments:shipment-create"), _form_post(catalogue, add_lines="1"))
    assert response.status_code == 200 and not Shipment.objects.exists()
    content = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="2"' in content and 'name="lines-1-quantity"' in content
    assert 'value="Prills"' in content


def test_form_errors_are_shown(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    response = client.post(
        reverse("shipments:shipment-create"), _form_post(catalogue, importing_country="FR", **{"lines-0-unit": ""})
    )
    assert response.status_code == 200 and not Shipment.objects.exists()
    assert b"Choose the unit." in response.content
    response = client.post(reverse("shipments:shipment-create"), _form_post(catalogue, importing_country="FR"))
    assert b"differs from the exporting country" in response.content


def test_the_importing_ncp_objects_and_the_exporting_ncp_records_the_seizure(login, ncp_fr, ncp_ke, make):
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import services as seizures
    from tests.seizures.conftest import record_data

    shipment = make(ncp_fr, notify=True)
    client = login(ncp_ke)
    refused = client.post(reverse("shipments:verification-answer", args=[shipment.pk]), {"answer": "objected"},
                          follow=True)  # fmt: skip
    assert b"Give the reason" in refused.content
    client.post(reverse("shipments:verification-answer", args=[shipment.pk]),
                {"answer": "objected", "reason": "The consignee is not licensed."})  # fmt: skip
    shipment.refresh_from_db()
    assert shipment.status == "objected" and shipment.verification.reason == "The consignee is not licensed."
    items = {c.code: c for c in CatalogueItem.objects.all()}
    incident = seizures.incident_submit(
        actor=ncp_fr, incident=seizures.incident_create(actor=ncp_fr, data=record_data(items))
    )
    client = login(ncp_fr)
    page = client.get(reverse("shipments:shipment-detail", args=[shipment.pk])).content.decode()
    assert "The consignee is not licensed." in page and f'value="{incident.pk}"' in page
    client.post(reverse("shipments:shipment-outcome", args=[shipment.pk]),
                {"outcome": "seized", "seizure": str(incident.pk), "note": ""})  # fmt: skip
    shipment.refresh_from_db()
    assert shipment.outcome == "seized" and shipment.seizure_id == incident.pk and shipment.status == "closed"
    page = client.get(reverse("shipments:shipment-detail", args=[shipment.pk])).content.decode()
    assert incident.reference in page and "Outcome recorded: Seized" in page
    assert AuditEntry.objects.filter(action="shipments.shipment_outcome", actor=ncp_fr).exists()


def test_withdraw_and_delete(login, ncp_fr, make):
    client = login(ncp_fr)
    shipment = make(ncp_fr, notify=True)
    client.post(reverse("shipments:shipment-withdraw", args=[shipment.pk]), {"note": "Order cancelled"})
    shipment.refresh_from_db()
    assert shipment.status == "withdrawn"
    draft = make(ncp_fr)
    response = client.post(reverse("shipments:shipment-delete", args=[draft.pk]))
    assert response.status_code == 302 and not Shipment.objects.filter(pk=draft.pk).exists()


def test_list_filters_and_htmx_partial(login, ncp_fr, ncp_ke, make, catalogue):
    make(ncp_fr, notify=True, national_reference="ALPHA-1")
    make(ncp_fr, notify=True, national_reference="BRAVO-2", importing_country="NG")
    client = login(ncp_fr)
    page = client.get(reverse("shipments:shipment-list"), {"country": "NG"}).content.decode()
    assert "BRAVO-2" in page and "ALPHA-1" not in page
    partial = client.get(reverse("shipments:shipment-list"), {"q": "alpha"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="results")  # fmt: skip
    assert b"<html" not in partial.content and b"ALPHA-1" in partial.content and b"BRAVO-2" not in partial.content
    # the importing NCP sees only what concerns Kenya
    page = login(ncp_ke).get(reverse("shipments:shipment-list")).content.decode()
    assert "ALPHA-1" in page and "BRAVO-2" not in page


def test_nav_and_pages_in_french(login, ncp_fr, make):
    shipment = make(ncp_fr, notify=True)
    client = login(ncp_fr)
    home = client.get("/").content.decode()
    assert 'href="/shipments/"' in home
    for url in ("/shipments/", f"/shipments/{shipment.pk}/", "/shipments/new/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        assert 'lang="fr"' in response.content.decode()

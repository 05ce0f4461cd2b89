"""Issue 4's shipment journey: the French NCP registers a pre-export notification through the form
and notifies Kenya; the Kenyan NCP objects, with the reason; a third country's NCP cannot reach it;
the French NCP records the outcome "seized", linking the seizure record."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import sign_in
from shieldhub.shipments.models import Shipment
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notify_object_and_link_a_seizure(browser, live_server, ncp_fr, ncp_ke):
    from shieldhub.reference.loader import sync_reference
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import services as seizures
    from tests.seizures.conftest import record_data

    sync_reference()
    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    ncp_de = UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE")
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        return page

    def go(page, path):
        response = page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        return response

    # the French NCP registers the notification through the form, then notifies Kenya
    exporter = new_page()
    sign_in(exporter, ncp_fr)
    exporter.wait_for_load_state("networkidle")
    exporter.click("nav >> text=Shipments")
    exporter.wait_for_url("**/shipments/")
    go(exporter, "/shipments/new/")
    exporter.select_option("select[name=importing_country]", "KE")
    exporter.fill("input[name=national_reference]", "FR-PEN-2026-0042")
    exporter.fill("input[name=exporter_name]", "Chimie du Rhône SA")
    exporter.fill("input[name=consignee_name]", "Nairobi Agro Supplies Ltd")
    exporter.fill("textarea[name=declared_end_use]", "Fertiliser blending for smallholder farms")
    exporter.fill("input[name=transit]", "EG")
    exporter.select_option("select[name=transport_mode]", "vessel")
    exporter.select_option("select[name=lines-0-catalogue_item]", str(catalogue["ammonium-nitrate"].pk))
    exporter.fill("input[name=lines-0-quantity]", "24")
    exporter.select_option("select[name=lines-0-unit]", "t")
    exporter.click('main button[type=submit]:has-text("Save the draft")')
    exporter.wait_for_url("**/shipments/*/")
    shipment = Shipment.objects.get(national_reference="FR-PEN-2026-0042")
    expect(exporter.locator("main")).to_contain_text("24,000")
    exporter.click('main a.btn:has-text("Notify the importing country")')
    expect(exporter.locator("main")).to_contain_text("John Otieno")
    exporter.click('main button[type=submit]:has-text("Notify the importing country")')
    exporter.wait_for_url(f"**/shipments/{shipment.pk}/")
    expect(exporter.locator("#verification")).to_contain_text("Awaiting an answer")
    exporter.goto("about:blank")

    # the Kenyan NCP finds it and objects, with the reason
    importer = new_page()
    sign_in(importer, ncp_ke)
    go(importer, "/shipments/")
    importer.click(f"text={shipment.reference}")
    importer.wait_for_url(f"**/shipments/{shipment.pk}/")
    importer.check("input[name=answer][value=objected]")
    importer.click("#answer-form button[type=submit]")
    expect(importer.locator("main")).to_contain_text("Give the reason")  # a reason is required
    importer.check("input[name=answer][value=objected]")
    importer.fill("textarea[name=reason]", "The consignee holds no licence for ammonium nitrate.")
    importer.click("#answer-form button[type=submit]")
    expect(importer.locator("#verification")).to_contain_text("The consignee holds no licence")
    shipment.refresh_from_db()
    assert shipment.status == "objected"
    importer.goto("about:blank")

    # a third country's NCP cannot reach it
    other = new_page()
    sign_in(other, ncp_de)
    response = go(other, f"/shipments/{shipment.pk}/")
    assert response is not None and response.status == 404
    go(other, "/shipments/")
    expect(other.locator("main")).not_to_contain_text(shipment.reference)
    other.goto("about:blank")

    # the shipment was later seized in Le Havre: the French NCP records the outcome, linking the record
    incident = seizures.incident_submit(
        actor=ncp_fr, incident=seizures.incident_create(actor=ncp_fr, data=record_data(catalogue))
    )
    go(exporter, f"/shipments/{shipment.pk}/")
    expect(exporter.locator("#verification")).to_contain_text("Objected")
    exporter.select_option("select[name=outcome]", "seized")
    exporter.select_option("select[name=seizure]", str(incident.pk))
    exporter.click("#outcome-form button[type=submit]")
    expect(exporter.locator("#outcome")).to_contain_text(incident.reference)
    shipment.refresh_from_db()
    assert shipment.status == "closed" and shipment.outcome == "seized" and shipment.seizure_id == incident.pk
    expect(exporter.locator("main")).to_contain_text("Outcome recorded: Seized")
    for context in contexts:
        context.close()

"""Issue 4's journey, end to end in one browser session per person:

1. the French NCP downloads the import template, uploads a seizure file with mistakes, reads the
   errors by row and column, uploads the corrected file, decides on a possible duplicate, commits
   and follows the progress, then submits the imported drafts at once with one distribution;
2. the analyst validates one record;
3. the French NCP (exporting) notifies a shipment of ammonium nitrate to Kenya;
4. the Kenyan NCP objects, with the reason (a third country's NCP cannot reach it);
5. the shipment is later seized: the French NCP records the outcome, linking the validated seizure;
6. the analyst marks the shipment's consignee as the same company as the seizure's (a "same as"
   link made by hand on the entity page), whose page then lists both records.

Screenshots go to $SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from e2e.conftest import go, sign_in
from shieldhub.entities.models import Entity, EntityLink
from shieldhub.seizures import services as seizures
from shieldhub.seizures.models import Incident
from shieldhub.seizures.models_import import ImportBatch, ImportStatus
from shieldhub.shipments.models import Shipment
from tests.conftest import analyst  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["Record reference", "Type", "Date", "Office", "Direction", "Country of departure", "Consignee",
           "Precursor", "HS code", "Quantity", "Unit", "Concentration (%)"]  # fmt: skip


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(*, fixed: bool) -> list[list[str]]:
    return [
        ["LH-1", "saisie", "14/03/2026", "Le Havre", "importation", "Émirats arabes unis", "Gulf Agro SARL",
         "nitrate d'ammonium", "3102.30", "24", "MT", "34"],
        ["LH-1", "", "", "", "", "", "", "potassium chlorate", "", "1.234,5", "kgs" if fixed else "barrels", ""],
        ["RO-7", "seizure", "28 Nov 2025", "Roissy CDG", "import", "Ivory Coast" if fixed else "Atlantis", "",
         "nitrato de amonio", "", "500", "kilo", "30"],
        ["MA-3", "stopped", "2026-01-05", "Marseille", "export", "CI", "", "acetone", "2914.11", "200", "litres", ""],
    ]  # fmt: skip


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _item(code: str) -> int:
    from shieldhub.reference.models import CatalogueItem

    return CatalogueItem.objects.get(code=code).pk


def test_issue4_journey(new_page, ncp_fr, ncp_ke, analyst, tmp_path):  # noqa: F811
    from shieldhub.reference.loader import sync_reference

    sync_reference()
    ncp_de = UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE")
    # A record already reported: the file's RO-7 looks like it (same date, item, quantity).
    seizures.incident_create(
        actor=ncp_fr,
        data={"incident_type": "seizure", "occurred_on": "2025-11-28", "office_name": "Roissy",
              "goods": [{"catalogue_item": _item("ammonium-nitrate"), "quantity": "500", "unit": "kg"}]},
    )  # fmt: skip

    # 1. The French NCP imports a file with mistakes, fixes it, commits and submits the drafts.
    ncp = new_page()
    sign_in(ncp, ncp_fr)
    go(ncp, "/seizures/")
    ncp.click("#seizure-import-link")
    expect(ncp.locator("h1")).to_contain_text("Import seizure records")
    with ncp.expect_download() as download:
        ncp.click("a[href$='template/?headers=fr']")
    assert download.value.suggested_filename == "modele-import-saisies.xlsx"
    _shot(ncp, "import-upload")

    bad = tmp_path / "saisies.xlsx"
    bad.write_bytes(_xlsx(_rows(fixed=False)))
    ncp.set_input_files("input[type=file]", str(bad))
    ncp.click("main form button[type=submit]")
    errors = ncp.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(0)).to_contain_text("barrels")
    expect(errors.nth(1)).to_contain_text("Atlantis")
    expect(ncp.locator("form[action$='/commit/']")).to_have_count(0)  # nothing can be written yet
    _shot(ncp, "import-report-errors")

    good = tmp_path / "saisies-corrigees.xlsx"
    good.write_bytes(_xlsx(_rows(fixed=True)))
    ncp.click("text=Upload another file")
    ncp.set_input_files("input[type=file]", str(good))
    ncp.click("main form button[type=submit]")
    expect(ncp.locator("#import-preview tbody tr")).to_have_count(3)
    expect(ncp.locator("#import-duplicates tbody tr")).to_have_count(1)
    _shot(ncp, "import-preview")
    ncp.select_option("#import-duplicates select", "import")
    ncp.click("form[action$='/commit/'] button[type=submit]")
    expect(ncp.locator("#import-progress")).to_contain_text("Import done")
    _shot(ncp, "import-progress-done")

    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportStatus.DONE and batch.created_count == 3
    drafts = Incident.objects.filter(pk__in=batch.created_ids)
    assert sorted(d.goods.count() for d in drafts) == [1, 1, 2]
    record = drafts.get(office_name="Le Havre")
    ncp.click("text=Review the drafts")
    expect(ncp.locator("#results")).to_contain_text(record.reference)

    go(ncp, f"/seizures/import/{batch.pk}/progress/")
    ncp.click("#import-submit-all")
    expect(ncp.locator("h1")).to_contain_text("Submit the imported drafts")
    expect(ncp.locator("#import-submit-drafts")).to_contain_text(record.reference)
    ncp.fill("input[name=to_people]", analyst.email)
    ncp.click("button:has-text('Preview recipients')")
    expect(ncp.locator("#recipients-preview")).to_contain_text(analyst.email)
    _shot(ncp, "import-submit-all")
    ncp.click("#submit-form button[type=submit]")
    expect(ncp.locator("main")).to_contain_text("3 records submitted")
    assert set(drafts.values_list("status", flat=True)) == {"submitted"}

    # 2. The analyst validates one record.
    reviewer = new_page()
    sign_in(reviewer, analyst)
    go(reviewer, f"/seizures/{record.pk}/")
    reviewer.click("#review-form button:has-text('Validate')")
    reviewer.wait_for_load_state("networkidle")
    record.refresh_from_db()
    assert record.status == "validated"

    # 3. The French NCP, on the exporting side, notifies a shipment to Kenya.
    ncp.click("nav >> text=Shipments")
    ncp.wait_for_url("**/shipments/")
    go(ncp, "/shipments/new/")
    ncp.select_option("select[name=importing_country]", "KE")
    ncp.fill("input[name=national_reference]", "FR-PEN-2026-0042")
    ncp.fill("input[name=exporter_name]", "Chimie du Rhône SA")
    ncp.fill("input[name=consignee_name]", "Gulf Agro Kenya Ltd")
    ncp.fill("textarea[name=declared_end_use]", "Fertiliser blending for smallholder farms")
    ncp.fill("input[name=transit]", "EG")
    ncp.select_option("select[name=transport_mode]", "vessel")
    ncp.select_option("select[name=lines-0-catalogue_item]", str(_item("ammonium-nitrate")))
    ncp.fill("input[name=lines-0-quantity]", "24")
    ncp.select_option("select[name=lines-0-unit]", "t")
    ncp.click('main button[type=submit]:has-text("Save the draft")')
    ncp.wait_for_url("**/shipments/*/")
    shipment = Shipment.objects.get(national_reference="FR-PEN-2026-0042")
    expect(ncp.locator("main")).to_contain_text("24,000")
    ncp.click('main a.btn:has-text("Notify the importing country")')
    expect(ncp.locator("main")).to_contain_text("John Otieno")
    ncp.click('main button[type=submit]:has-text("Notify the importing country")')
    ncp.wait_for_url(f"**/shipments/{shipment.pk}/")
    expect(ncp.locator("#verification")).to_contain_text("Awaiting an answer")
    _shot(ncp, "shipment-notified")

    # 4. The Kenyan NCP objects, with the reason; a third country's NCP cannot reach it.
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
    _shot(importer, "shipment-objected")

    other = new_page()
    sign_in(other, ncp_de)
    response = go(other, f"/shipments/{shipment.pk}/")
    assert response is not None and response.status == 404
    go(other, "/shipments/")
    expect(other.locator("main")).not_to_contain_text(shipment.reference)

    # 5. The shipment is later seized: the French NCP records the outcome, linking the validated record.
    go(ncp, f"/shipments/{shipment.pk}/")
    expect(ncp.locator("#verification")).to_contain_text("Objected")
    ncp.select_option("select[name=outcome]", "seized")
    ncp.select_option("select[name=seizure]", str(record.pk))
    ncp.click("#outcome-form button[type=submit]")
    expect(ncp.locator("#outcome")).to_contain_text(record.reference)
    expect(ncp.locator("main")).to_contain_text("Outcome recorded: Seized")
    shipment.refresh_from_db()
    assert shipment.status == "closed" and shipment.outcome == "seized" and shipment.seizure_id == record.pk
    _shot(ncp, "shipment-seized")

    # 6. The analyst links the shipment's consignee to the seizure's company by hand.
    gulf = Entity.objects.get(normalised_name="gulf agro")
    kenya = Entity.objects.get(normalised_name="gulf agro kenya")
    go(reviewer, f"/entities/{gulf.pk}/")
    reviewer.fill("#id_link_q", "Gulf Agro Kenya")  # htmx: the results come as one types
    candidates = reviewer.locator("#link-candidates tbody tr", has_text="Gulf Agro Kenya Ltd")
    expect(candidates).to_have_count(1)
    _shot(reviewer, "entity-link-search")
    candidates.locator("button:text-is('Same')").click()
    reviewer.wait_for_url(f"**/entities/{gulf.pk}/")
    expect(reviewer.locator("main")).to_contain_text("are now the same entity")
    expect(reviewer.locator("main")).to_contain_text(shipment.reference)  # the alias's shipment
    expect(reviewer.locator("main")).to_contain_text(record.reference)
    _shot(reviewer, "entity-linked")
    assert EntityLink.objects.get(entity_a=min(gulf.pk, kenya.pk), entity_b=max(gulf.pk, kenya.pk)).status == (
        "confirmed"
    )

"""Issue 4's import journey: an NCP downloads the template, uploads a seizure file with mistakes,
reads the errors by row and column, uploads the corrected file, reviews the preview and a possible
duplicate, commits and follows the progress; the drafts are there; she submits them all at once
with one distribution (previewing the recipients), and the analyst validates one. Screenshots go
to $SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from e2e.conftest import sign_in
from shieldhub.seizures import services
from shieldhub.seizures.models import Incident
from shieldhub.seizures.models_import import ImportBatch, ImportStatus
from tests.conftest import analyst  # noqa: F401

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


def test_ncp_imports_a_file_with_mistakes_fixes_it_commits_and_the_analyst_validates(
    browser,
    live_server,
    ncp_fr,
    analyst,  # noqa: F811
    tmp_path,
):
    from shieldhub.reference.loader import sync_reference

    sync_reference()
    # A record already reported: the file's RO-7 looks like it (same date, item, quantity).
    services.incident_create(
        actor=ncp_fr,
        data={"incident_type": "seizure", "occurred_on": "2025-11-28", "office_name": "Roissy",
              "goods": [{"catalogue_item": _item("ammonium-nitrate"), "quantity": "500", "unit": "kg"}]},
    )  # fmt: skip

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20000)
        page.base_url = live_server.url
        return page

    ncp = new_page()
    sign_in(ncp, ncp_fr)
    ncp.goto(ncp.base_url + "/seizures/")
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
    expect(ncp.locator("form[action$='/commit/']")).to_have_count(0)
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

    # The NCP submits all the imported drafts at once, with one distribution; the analyst validates one.
    ncp.goto(ncp.base_url + f"/seizures/import/{batch.pk}/progress/")
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
    reviewer = new_page()
    sign_in(reviewer, analyst)
    reviewer.goto(reviewer.base_url + f"/seizures/{record.pk}/")
    reviewer.click("#review-form button:has-text('Validate')")
    reviewer.wait_for_load_state("networkidle")
    record.refresh_from_db()
    assert record.status == "validated"


def _item(code: str) -> int:
    from shieldhub.reference.models import CatalogueItem

    return CatalogueItem.objects.get(code=code).pk

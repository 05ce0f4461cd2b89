"""The issue's "done when" journey, in a real browser: sign in with TOTP, switch to French, find and
edit a contact, import a file with mistakes and see each one, export to Excel, and find it all in
the audit log."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.conftest import sign_in, totp_now
from shieldhub.core.models import AuditEntry
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_requires_the_totp_code(page, coordinator):
    page.goto(page.base_url + "/directory/people/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", coordinator.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("main form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", "000000")
    page.click("main form button[type=submit]")
    assert page.locator("input[name=code]").is_visible()  # a wrong code keeps you out
    assert "/directory/" not in page.url
    page.fill("input[name=code]", totp_now(coordinator.totp_secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.locator("h1").first.inner_text() == "People"  # back where they were going


def test_coordinator_journey_in_french(page, coordinator, fr_customs):
    PersonFactory(
        given_name="Aïcha", family_name="Benali", organisation=fr_customs, country="FR", email="a.benali@douane.example"
    )
    PersonFactory(given_name="Bruno", family_name="Keller", country="CH")
    sign_in(page, coordinator)

    # switch to French
    page.click("form.lang-switch button[value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Annuaire" in page.locator("nav.mainnav").inner_text()

    # find a contact with the search box (htmx updates the table)
    page.goto(page.base_url + "/directory/people/")
    page.locator("#id_q").press_sequentially("benali", delay=30)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "BENALI" in page.locator("#results").inner_text().upper()
    assert "KELLER" not in page.locator("#results").inner_text().upper()
    assert "q=benali" in page.url  # shareable URL

    # edit it
    page.click("#results tbody tr a >> nth=0")
    page.click("a[href$='/edit/']")
    page.fill("input[name=position]", "Cheffe du bureau de renseignement")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Cheffe du bureau de renseignement" in page.content()

    # export the filtered list to Excel
    page.goto(page.base_url + "/directory/people/?q=benali")
    with page.expect_download() as download_info:
        page.click("a[href*='format=xlsx']")
    download = download_info.value
    with open(download.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2 and "Benali" in rows[1]

    # every action is in the audit log
    page.goto(page.base_url + "/audit/")
    log = page.locator("main").inner_text()
    assert "directory.person.update" in log
    assert "directory.person.export" in log
    assert "accounts.user.set_language" in log
    assert "accounts.user.login" in log
    assert AuditEntry.objects.filter(action="directory.person.view").exists()


def test_import_with_mistakes_reports_each_one(page, assistant, fr_customs, tmp_path):
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_text(
        "Family name,Given name,Email,Country,Organisation\n"
        "Dupont,Marie,marie.dupont@douane.example,France,DGDDI\n"
        ",Sans,sans.nom@douane.example,France,DGDDI\n"
        "Kariuki,Peter,not-an-email,Kenya,\n"
        "Silva,Ana,ana.silva@rfb.example,Atlantis,\n",
        encoding="utf-8",
    )
    sign_in(page, assistant)
    page.goto(page.base_url + "/directory/people/import/")
    page.set_input_files("input[type=file]", str(csv_file))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors tbody tr")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    assert any(t.startswith("3") and "Family name" in t for t in texts), texts
    assert any(t.startswith("4") and "Email" in t for t in texts), texts
    assert any(t.startswith("5") and "Country" in t and "Atlantis" in t for t in texts), texts
    # nothing was written
    from shieldhub.directory.models import Person

    assert not Person.objects.filter(family_name="Dupont").exists()
    # the attempt is in the audit log all the same
    assert AuditEntry.objects.filter(action="directory.person.import_upload", extra__rows=4).exists()

"""Issue 5's operation journey: the analyst creates an operation from its page (France and Kenya, a
pre-operational meeting); its closed group exists in the exchange (the French NCP, a member, opens
the group's operational-report form); the French NCP reports a seizure through the seizure form's
operation field and submits it; the operation goes active and the seizure appears on its results
board; the final report (DOCX and PDF) lists it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import go, sign_in
from shieldhub.events.models import Operation
from shieldhub.seizures.models import Incident
from tests.conftest import analyst  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operation_journey(new_page, ncp_fr, ncp_ke, analyst):  # noqa: F811
    from django.utils import timezone

    from shieldhub.reference.loader import sync_reference
    from shieldhub.reference.models import CatalogueItem

    sync_reference()
    nitrate = CatalogueItem.objects.get(code="ammonium-nitrate")
    today = timezone.localdate()

    # 1. The analyst creates the operation from the page.
    manager = new_page()
    sign_in(manager, analyst)
    go(manager, "/events/operations/new/")
    manager.fill("input[name=title_en]", "Operation Cobalt Shield")
    manager.fill("input[name=title_fr]", "Opération Bouclier de cobalt")
    manager.fill("input[name=code]", "cobalt-shield")
    manager.fill("textarea[name=goals_en]", "Ammonium nitrate in West African and European ports.")
    manager.select_option("select[name=countries]", ["FR", "KE"])
    manager.select_option("select[name=precursors]", [str(nitrate.pk)])
    manager.fill("input[name=starts_on]", (today - dt.timedelta(days=2)).isoformat())
    manager.fill("input[name=ends_on]", (today + dt.timedelta(days=12)).isoformat())
    manager.fill("input[name=pre_meeting_starts]", (today - dt.timedelta(days=9)).isoformat() + "T10:00")
    manager.click('main button[type=submit]:has-text("Create the operation")')
    expect(manager.locator("main h1")).to_contain_text("Operation Cobalt Shield")
    operation = Operation.objects.get(code="cobalt-shield")
    group = operation.community
    assert group is not None and group.kind == "operation"
    assert set(group.memberships.values_list("user__email", flat=True)) >= {ncp_fr.email, ncp_ke.email, analyst.email}
    expect(manager.locator("main")).to_contain_text("Pre-operational meeting")

    # 2. The closed group exists in the exchange: the French NCP opens its operational form.
    ncp = new_page()
    sign_in(ncp, ncp_fr)
    assert go(ncp, f"/exchange/operations/{group.pk}/report/").status == 200
    expect(ncp.locator("main")).to_contain_text("Operation Cobalt Shield")
    go(ncp, f"/events/operations/{operation.pk}/")
    expect(ncp.locator("main")).to_contain_text("Results board")

    # 3. The French NCP reports a seizure under the operation through the seizure form.
    go(ncp, "/seizures/new/")
    ncp.select_option("select[name=incident_type]", "seizure")
    ncp.fill("input[name=occurred_on]", today.isoformat())
    ncp.fill("input[name=office_name]", "Le Havre port")
    ncp.fill("input[name=national_reference]", "FR-COBALT-0001")
    ncp.select_option("select[name=operation]", str(group.pk))
    ncp.select_option("select[name=goods-0-catalogue_item]", str(nitrate.pk))
    ncp.fill("input[name=goods-0-quantity]", "1500")
    ncp.select_option("select[name=goods-0-unit]", "kg")
    ncp.click('main button[type=submit]:has-text("Save the draft")')
    ncp.wait_for_url(lambda url: "/new/" not in url)
    record = Incident.objects.get(national_reference="FR-COBALT-0001")
    assert record.operation_id == group.pk
    go(ncp, f"/seizures/{record.pk}/submit/")
    ncp.click("#submit-form button[type=submit]")
    ncp.wait_for_url(lambda url: "/submit/" not in url)
    record.refresh_from_db()
    assert record.status == "submitted"

    # 4. The operation goes active; the seizure is on the results board.
    go(manager, f"/events/operations/{operation.pk}/")
    manager.click("button[name=phase][value=active]")
    expect(manager.locator(".badge").first).to_contain_text("Active phase")
    board = manager.locator("#results-board")
    expect(board).to_contain_text(record.reference)
    expect(board.locator("[data-figure=seizures]")).to_have_text("1")
    expect(board).to_contain_text("France")
    assert board.get_attribute("hx-trigger") == "every 45s"  # live during the active phase

    # 5. The final report lists it (Word and PDF).
    from docx import Document
    from pypdf import PdfReader

    with manager.expect_download() as info:
        manager.click("a:has-text('Final report (Word, English)')")
    docx = Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert record.reference in text and "1 record reported under the operation" in text
    with manager.expect_download() as info:
        manager.click("a:has-text('Final report (PDF, French)')")
    pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    assert record.reference in pdf_text and "Opération Bouclier de cobalt" in pdf_text

"""Seizure pages: list with filters (htmx partial), detail, the form with formsets (no JavaScript
needed), submission with a recipients preview, review actions, correction, withdrawal, exports,
statistics and data quality, in English and French."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shieldhub.core.models import AuditEntry
from shieldhub.seizures.models import Incident

pytestmark = pytest.mark.django_db


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "100"}  # fmt: skip


def _form_post(catalogue, **extra):
    data = {
        "incident_type": "seizure",
        "reporting_country": "FR",
        "occurred_on": "2026-02-03",
        "office_name": "Roissy CDG fret",
        "location_type": "airport",
        "direction": "import",
        "detection_method": "canine",
        "conveyance": "air",
        "concealment": "In a shipment of cosmetics",
        "departure": "IN",
        "transit": "AE",
        "destination": "FR, BE",
        "ports": "BOM → DXB → CDG",
        "source": "ncp_report",
        "national_reference": "CDG-2026-7",
        "narrative": "Hydrogen peroxide at 50 % in bottles declared as hair-care products.",
        **_management("goods", 1),
        "goods-0-catalogue_item": str(catalogue["hydrogen-peroxide"].pk),
        "goods-0-declared_description": "Hair care",
        "goods-0-quantity": "120",
        "goods-0-unit": "L",
        "goods-0-concentration": "50",
        **_management("parties", 1),
        "parties-0-role": "consignor",
        "parties-0-name": "Mumbai Beauty Exports Pvt Ltd",
        "parties-0-country": "IN",
        **_management("persons", 1),
        "persons-0-role": "courier",
        "persons-0-nationality": "IN",
        "persons-0-year_of_birth": "1990",
        "persons-0-name": "R. Kumar",
    }
    data.update(extra)
    return data


def test_list_filters_and_htmx_partial(login, ncp_fr, make, catalogue):
    seizure = make(ncp_fr, submit=True, office_name="Marseille", national_reference="MRS-1")
    theft = make(ncp_fr, incident_type="theft", goods=[{"catalogue_item": catalogue["potassium-chlorate"].pk,
                                                "quantity": "50", "unit": "kg"}])  # fmt: skip
    client = login(ncp_fr)
    page = client.get(reverse("seizures:incident-list"))
    assert page.status_code == 200 and page.content.count(b"SZ-") >= 2
    only_theft = client.get(reverse("seizures:incident-list"), {"incident_type": "theft"})
    assert theft.reference.encode() in only_theft.content and seizure.reference.encode() not in only_theft.content
    partial = client.get(
        reverse("seizures:incident-list"), {"q": "marseille"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert b"<html" not in partial.content and b"1 record" in partial.content
    by_precursor = client.get(reverse("seizures:incident-list"), {"precursor": catalogue["ammonium-nitrate"].pk})
    assert b"1 record" in by_precursor.content


def test_create_through_the_form_then_submit_with_a_preview(login, ncp_fr, ncp_de, europe, catalogue):
    client = login(ncp_fr)
    assert client.get(reverse("seizures:incident-create")).status_code == 200
    response = client.post(reverse("seizures:incident-create"), _form_post(catalogue))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    line = incident.goods.get()
    assert line.quantity_kg == (120 * catalogue["hydrogen-peroxide"].density_kg_per_l).quantize(line.quantity_kg)
    assert [(str(c.country), c.role) for c in incident.route.all()] == [
        ("IN", "departure"), ("AE", "transit"), ("FR", "destination"), ("BE", "destination")]  # fmt: skip
    assert incident.persons.get().name == "R. Kumar"
    detail = client.get(reverse("seizures:incident-detail", args=[incident.pk]))
    assert b"R. Kumar" in detail.content and b"Mumbai Beauty Exports" in detail.content
    preview = client.post(reverse("seizures:recipients-preview", args=[incident.pk]), {"to_communities": [europe.pk]})
    assert b"Dieter Braun" in preview.content and b"1 person will receive" in preview.content
    submitted = client.post(reverse("seizures:incident-submit", args=[incident.pk]), {"to_communities": [europe.pk]})
    assert submitted.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "submitted" and incident.recipients.get().user == ncp_de


def test_add_a_line_without_javascript_keeps_what_was_typed(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    data = _form_post(catalogue, add_goods="1")
    response = client.post(reverse("seizures:incident-create"), data)
    assert response.status_code == 200 and not Incident.objects.exists()
    assert b'name="goods-1-quantity"' in response.content
    assert b"Roissy CDG fret" in response.content


def test_form_errors_are_shown_on_the_line(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    response = client.post(reverse("seizures:incident-create"), _form_post(catalogue, **{"goods-0-unit": ""}))
    assert response.status_code == 200 and b"Choose the unit." in response.content
    no_density = _form_post(catalogue, **{"goods-0-catalogue_item": "", "goods-0-hs_code": "2814.10"})
    response = client.post(reverse("seizures:incident-create"), no_density)
    assert response.status_code == 200 and b"density" in response.content


def test_review_actions_by_the_analyst(login, analyst, ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    client = login(analyst)
    page = client.get(reverse("seizures:incident-detail", args=[incident.pk]))
    assert b"Return with comments" in page.content and b"Karim Benali" not in page.content  # name not shared
    client.post(reverse("seizures:incident-return", args=[incident.pk]), {"comment": "Which office?"})
    incident.refresh_from_db()
    assert incident.status == "returned"
    ncp = login(ncp_fr)
    detail = ncp.get(reverse("seizures:incident-detail", args=[incident.pk]))
    assert b"Which office?" in detail.content and b"Karim Benali" in detail.content
    edit = ncp.get(reverse("seizures:incident-correct", args=[incident.pk]))
    assert edit.status_code == 200 and b"Le Havre port" in edit.content
    login(analyst)
    assert client.post(reverse("seizures:incident-validate", args=[incident.pk])).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "returned"  # a returned record is corrected before it is validated


def test_correct_through_the_form(login, ncp_fr, make, catalogue):
    incident = make(ncp_fr, submit=True)
    client = login(ncp_fr)
    data = _form_post(catalogue, note="Office and goods precised")
    data["goods-INITIAL_FORMS"] = "1"
    response = client.post(reverse("seizures:incident-correct", args=[incident.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.version == 2 and incident.office_name == "Roissy CDG fret"
    assert str(incident.reporting_country) == "FR"
    versions = client.get(reverse("seizures:incident-version", args=[incident.pk, 1]))
    assert b"Le Havre port" in versions.content


def test_withdraw_page(login, ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    client = login(ncp_fr)
    assert client.get(reverse("seizures:incident-withdraw", args=[incident.pk])).status_code == 200
    client.post(reverse("seizures:incident-withdraw", args=[incident.pk]), {"note": "Entered twice"})
    incident.refresh_from_db()
    assert incident.status == "withdrawn"


def test_export_has_no_persons_and_is_audited(login, ncp_fr, make):
    make(ncp_fr, submit=True)
    client = login(ncp_fr)
    response = client.get(reverse("seizures:incident-export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Reference" and len(rows) == 2
    flat = " ".join(str(v) for v in rows[1])
    assert "Gulf Agro Trading LLC" in flat and "Karim" not in flat and "Ammonium nitrate" in flat
    csv = b"".join(client.get(reverse("seizures:incident-export"), {"format": "csv"}).streaming_content)
    assert b"Karim" not in csv and b"SZ-" in csv
    assert AuditEntry.objects.filter(action="seizures.incident_export").count() == 2


def test_statistics_and_quality_pages(login, ncp_fr, analyst, donor, make):
    for _ in range(3):
        make(ncp_fr, submit=True)
    assert b"72,000" in login(analyst).get(reverse("seizures:statistics")).content
    donor_page = login(donor).get(reverse("seizures:statistics"))
    assert donor_page.status_code == 200 and b"72,000" in donor_page.content
    assert login(donor).get(reverse("seizures:incident-list")).status_code == 302  # figures only
    assert login(donor).get(reverse("seizures:quality")).status_code == 403
    quality = login(ncp_fr).get(reverse("seizures:quality"))
    assert quality.status_code == 200 and b"France" in quality.content


def test_pages_in_french(login, ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    ncp_fr.language = "fr"
    ncp_fr.save()
    client = login(ncp_fr)
    client.cookies["django_language"] = "fr"
    for url in (
        reverse("seizures:incident-list"),
        reverse("seizures:incident-detail", args=[incident.pk]),
        reverse("seizures:incident-create"),
        reverse("seizures:statistics"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200
        assert b'lang="fr"' in response.content


def test_companies_link_to_their_entity_pages(login, analyst, donor, ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    party = incident.parties.select_related("entity").first()
    link = reverse("entities:entity-detail", args=[party.entity.pk])
    page = login(analyst).get(reverse("seizures:incident-detail", args=[incident.pk]))
    assert link.encode() in page.content
    assert login(analyst).get(link).status_code == 200

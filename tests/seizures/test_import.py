"""Bulk import of seizure records: tolerant parsing, strict errors by row and column (in the user's
language), grouping rows into records, duplicates, access, the all-or-nothing background commit
with its progress, and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from shieldhub.core.models import AuditEntry
from shieldhub.seizures import imports
from shieldhub.seizures.models import GoodsLine, Incident, IncidentParty
from shieldhub.seizures.models_import import ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

HEADERS = ["Record reference", "Reporting country", "Type", "Date", "Office", "Direction", "Country of departure",
           "Country of destination", "Consignee", "National reference", "Precursor", "HS code", "Quantity", "Unit",
           "Concentration (%)"]  # fmt: skip
FR_HEADERS = ["Référence de l'enregistrement", "Pays déclarant", "Type d'incident", "Date de l'incident", "Bureau",
              "Sens", "Pays de départ", "Pays de destination", "Destinataire", "Référence nationale", "Précurseur",
              "Code SH", "Quantité", "Unité", "Concentration (%)"]  # fmt: skip


def row(**values):
    base = {
        "Record reference": "", "Reporting country": "FR", "Type": "seizure", "Date": "2026-03-14",
        "Office": "Le Havre", "Direction": "import", "Country of departure": "AE", "Country of destination": "FR",
        "Consignee": "Société Nouvelle d'Import", "National reference": "", "Precursor": "ammonium nitrate",
        "HS code": "", "Quantity": "24", "Unit": "t", "Concentration (%)": "34",
    }  # fmt: skip
    base.update(values)
    return [base[h] for h in HEADERS]


def xlsx(rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, delimiter=";"):
    lines = [delimiter.join(headers)] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def validate(actor, rows):
    parsed = imports.parse_upload("t.xlsx", xlsx(rows))
    return imports.validate_rows(actor=actor, rows=parsed.rows)


def errors_of(result):
    return [(e[0], e[1], e[2]) for e in result.errors]


# --- tolerant readers ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["28/11/2026", "2026-11-28", "28.11.26", "28 Nov 2026", "28 novembre 2026",
                                  "28-11-2026", "Nov 28, 2026", "28 nov. 2026"])  # fmt: skip
def test_dates_in_common_formats(text):
    assert imports.parse_date(text) == dt.date(2026, 11, 28)


@pytest.mark.parametrize("text", ["11/28/2026", "2026-13-01", "yesterday", "31/02/2026"])
def test_dates_that_are_not_day_first_are_refused(text):
    assert imports.parse_date(text) is None


@pytest.mark.parametrize(
    "text,value",
    [("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1234,5", "1234.5"), ("1 234,5", "1234.5"),
     ("1234.5", "1234.5"), ("1,234,567", "1234567"), ("1.234.567", "1234567"), ("0,5", "0.5"), ("24", "24")],
)  # fmt: skip
def test_decimal_commas_and_thousands(text, value):
    assert imports.parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text,code", [("1,234", "number_ambiguous"), ("abc", "number"), ("-3", "negative")])
def test_numbers_refused(text, code):
    with pytest.raises(imports.NumberError) as exc:
        imports.parse_number(text)
    assert exc.value.code == code


def test_units_countries_items_and_hs_codes_are_read_tolerantly(ncp_fr, catalogue):
    units = [("kgs", "kg", "24000"), ("kilo", "kg", "24000"), ("litres", "L", None), ("l", "L", None),
             ("MT", "t", "24000000"), ("tonnes", "t", "24000000")]  # fmt: skip
    rows = []
    for i, (unit, _symbol, _kg) in enumerate(units):
        rows.append(row(**{"Record reference": f"U{i}", "Unit": unit, "Quantity": "24000",
                           "Precursor": "hydrogen peroxide" if unit.lower().startswith("l") else "ammonium nitrate"}))  # fmt: skip
    for i, country in enumerate(["Côte d'Ivoire", "Ivory Coast", "CI", "CIV", "côte d’ivoire"]):
        rows.append(row(**{"Record reference": f"C{i}", "Country of departure": country, "Quantity": str(100 + i)}))
    for i, item in enumerate(["nitrate d'ammonium", "nitrato de amonio", "Ammonium nitrate", "ammonium-nitrate"]):
        rows.append(row(**{"Record reference": f"I{i}", "Precursor": item, "Quantity": str(200 + i)}))
    for i, hs in enumerate(["3102.30", "310230", "2829.11"]):
        rows.append(row(**{"Record reference": f"H{i}", "Precursor": "", "HS code": hs, "Quantity": str(300 + i)}))
    result = validate(ncp_fr, rows)
    assert result.errors == []
    by_ref = {r.rows[0]: r for r in result.records}
    lines = [r.lines[0] for r in result.records]
    assert [line.unit for line in lines[:6]] == ["kg", "kg", "L", "L", "t", "t"]
    assert lines[4].kg == Decimal("24000000.000")
    # hydrogen peroxide has a density in the catalogue: litres convert to kg
    assert lines[2].kg is not None
    assert {r.route[0] for r in result.records[6:11]} == {("CI", "departure")}
    an = catalogue["ammonium-nitrate"].pk
    assert [r.lines[0].item_id for r in result.records[11:15]] == [an, an, an, an]
    assert [r.lines[0].hs_code for r in result.records[15:18]] == ["310230", "310230", "282911"]
    assert len(by_ref) == len(rows)


def test_french_headers_and_choice_labels(ncp_fr, catalogue):
    rows = [["", "France", "Saisie", "28/11/2025", "Roissy", "Importation", "Émirats arabes unis", "FR", "", "",
             "nitrate d'ammonium", "", "1.234,5", "kgs", "34"]]  # fmt: skip
    parsed = imports.parse_upload("fr.xlsx", xlsx(rows, headers=FR_HEADERS))
    result = imports.validate_rows(actor=ncp_fr, rows=parsed.rows)
    assert result.errors == []
    record = result.records[0]
    assert record.fields["incident_type"] == "seizure" and record.fields["direction"] == "import"
    assert record.lines[0].quantity == Decimal("1234.5") and record.lines[0].unit == "kg"
    assert record.route == [("AE", "departure"), ("FR", "destination")]


# --- strict errors ------------------------------------------------------------------------------


def test_unknown_unit_country_and_ambiguous_item_are_errors_by_row_and_column(ncp_fr, catalogue):
    rows = [
        row(**{"Record reference": "A", "Unit": "barrels"}),
        row(**{"Record reference": "B", "Country of departure": "Atlantis"}),
        row(**{"Record reference": "C", "Precursor": "ammonium nitrate and potassium chlorate"}),
        row(**{"Record reference": "D", "Precursor": "unobtainium"}),
        row(**{"Record reference": "E", "Date": "11/28/2025"}),
        row(**{"Record reference": "F", "Quantity": "1,234"}),
        row(**{"Record reference": "G", "HS code": "9999.99", "Precursor": ""}),
        row(**{"Record reference": "H", "Unit": "ton"}),  # short, long or metric? never guessed
    ]
    result = validate(ncp_fr, rows)
    assert errors_of(result) == [
        (2, "unit", "unit"),
        (3, "departure_country", "country"),
        (4, "item", "item_ambiguous"),
        (5, "item", "item_unknown"),
        (6, "occurred_on", "date"),
        (7, "quantity", "number_ambiguous"),
        (8, "hs_code", "hs"),
        (9, "unit", "unit"),
    ]


def test_the_report_is_in_french_for_a_french_user(login, ncp_fr, catalogue):
    ncp_fr.language = "fr"
    ncp_fr.save()
    client = login(ncp_fr)
    data = xlsx([row(Unit="barils"), row(**{"Country of departure": "Atlantide", "Quantity": "5", "Office": "Roissy"})])
    response = client.post(reverse("seizures:import"), {"file": SimpleUploadedFile("s.xlsx", data)},
                           HTTP_ACCEPT_LANGUAGE="fr")  # fmt: skip
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.INVALID and batch.error_count == 2
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    with translation.override("fr"):
        expected_unit = imports.render_error(batch.errors[0])
        expected_country = imports.render_error(batch.errors[1])
    assert escape(expected_unit["message"]) in html and escape(expected_country["message"]) in html
    assert expected_country["message"].startswith("« Atlantide »")  # the French message
    assert expected_unit["row"] == 2 and expected_country["row"] == 3
    assert escape(expected_country["label"]) in html
    assert 'id="import-errors"' in html and "import-commit" not in html
    assert not Incident.objects.exists()


def test_an_ncp_imports_for_their_own_country_only(ncp_fr, analyst, catalogue):
    result = validate(ncp_fr, [row(), row(**{"Reporting country": "Kenya", "Quantity": "7"})])
    assert errors_of(result) == [(3, "reporting_country", "own_country")]
    # a blank reporting country is the NCP's own; the analyst must name one
    assert validate(ncp_fr, [row(**{"Reporting country": ""})]).records[0].fields["reporting_country"] == "FR"
    assert errors_of(validate(analyst, [row(**{"Reporting country": ""})])) == [(2, "reporting_country", "required")]
    assert validate(analyst, [row(**{"Reporting country": "KE"})]).ok


def test_rows_with_the_same_reference_form_one_record_and_must_agree(ncp_fr, catalogue):
    rows = [
        row(**{"Record reference": "R1"}),
        row(
            **{
                "Record reference": "R1",
                "Precursor": "potassium chlorate",
                "Quantity": "50",
                "Unit": "kg",
                "Office": "",
                "Consignee": "",
            }
        ),
        row(**{"Record reference": "R2", "Quantity": "3"}),
        row(**{"Record reference": "R2", "Quantity": "4", "Date": "2026-03-15"}),
    ]
    result = validate(ncp_fr, rows)
    assert errors_of(result) == [(5, "occurred_on", "conflict")]
    ok = validate(ncp_fr, rows[:2])
    assert len(ok.records) == 1 and len(ok.records[0].lines) == 2
    # without a reference, the same country, date, type, office and national reference group rows
    grouped = validate(ncp_fr, [row(), row(Precursor="urea", Quantity="3")])
    assert len(grouped.records) == 1


def test_file_level_errors(ncp_fr):
    with pytest.raises(imports.ImportFileError):
        imports.parse_upload("x.xlsx", xlsx([["a"]], headers=["Something"]))
    with pytest.raises(imports.ImportFileError):
        imports.parse_upload("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)


# --- duplicates -------------------------------------------------------------------------------


def test_duplicates_of_existing_records_and_within_the_file(ncp_fr, make, catalogue):
    existing = make(ncp_fr)  # 24 t of ammonium nitrate on 2026-03-14, reference FR-LH-2026-0042
    rows = [
        row(**{"Record reference": "A", "Quantity": "24,2"}),  # within 2 %
        row(**{"Record reference": "B", "Quantity": "30", "National reference": "FR-LH-2026-0042"}),
        row(**{"Record reference": "C", "Quantity": "30"}),  # same as B's goods, in the file
        row(**{"Record reference": "D", "Quantity": "26"}),  # not within 2 %
    ]
    result = validate(ncp_fr, rows)
    found = {tuple(d["rows"]): d for d in result.duplicates}
    assert found[(2,)]["existing"] == existing.pk and found[(2,)]["reason"] == "goods"
    assert found[(3,)]["existing"] == existing.pk and found[(3,)]["reason"] == "reference"
    assert found[(4,)]["existing"] is None and found[(4,)]["other_rows"] == [3]
    assert (5,) not in found


def test_records_of_others_are_not_compared(ncp_ke, make, ncp_fr, catalogue):
    make(ncp_fr)  # a French draft the Kenyan NCP cannot see
    result = validate(ncp_ke, [row(**{"Reporting country": "KE"})])
    assert result.ok and result.duplicates == []


# --- the commit ---------------------------------------------------------------------------------


def upload(client, rows, name="seizures.xlsx"):
    return client.post(reverse("seizures:import"), {"file": SimpleUploadedFile(name, xlsx(rows))})


def test_upload_preview_commit_progress(login, ncp_fr, make, catalogue, django_capture_on_commit_callbacks):
    existing = make(ncp_fr)
    client = login(ncp_fr)
    rows = [
        row(**{"Record reference": "A", "Quantity": "24"}),  # duplicate of `existing`
        row(**{"Record reference": "B", "Quantity": "5", "Date": "02/01/2026", "Consignee": "Acme SARL"}),
        row(
            **{
                "Record reference": "B",
                "Precursor": "nitric acid",
                "Quantity": "200",
                "Unit": "litres",
                "Concentration (%)": "",
                "Date": "",
                "Consignee": "",
            }
        ),
        row(**{"Record reference": "C", "Quantity": "24", "Date": "2026-02-20"}),
    ]
    response = upload(client, rows)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.READY and batch.record_count == 3 and len(batch.duplicates) == 1
    assert AuditEntry.objects.filter(action="seizures.import_upload").count() == 1
    report = client.get(reverse("seizures:import-report", args=[batch.pk]))
    html = report.content.decode()
    assert 'id="import-preview"' in html and 'id="import-duplicates"' in html and existing.reference in html
    key = batch.duplicates[0]["key"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("seizures:import-commit", args=[batch.pk]), {f"dup_{key}": "skip"})
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/progress/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 2 and batch.skipped_count == 1
    created = Incident.objects.filter(pk__in=batch.created_ids).order_by("occurred_on")
    assert [i.status for i in created] == ["draft", "draft"]
    first, second = created
    assert first.occurred_on == dt.date(2026, 1, 2) and first.goods.count() == 2
    assert first.total_kg == Decimal("5000.000") + GoodsLine.objects.get(incident=first, unit="L").quantity_kg
    assert IncidentParty.objects.filter(incident=first, entity__name="Acme SARL").exists()
    assert first.search_text.startswith(first.reference.lower())
    assert 0 < first.data_quality < 100 and "narrative" in first.missing_fields
    assert second.route.count() == 2
    entry = AuditEntry.objects.get(action="seizures.import")
    assert sorted(entry.extra["created_ids"]) == sorted(batch.created_ids) and entry.extra["skipped"] == 1
    progress = client.get(reverse("seizures:import-progress", args=[batch.pk]))
    assert 'value="100"' in progress.content.decode() and 'hx-trigger="every 1s"' not in progress.content.decode()
    # the drafts are the NCP's to review
    assert client.get(reverse("seizures:incident-detail", args=[first.pk])).status_code == 200


def test_progress_polls_while_running(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    upload(client, [row()])
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING)
    from django.core.cache import cache

    cache.set(imports._progress_key(batch.pk), 0)
    page = client.get(reverse("seizures:import-progress", args=[batch.pk]))
    assert 'hx-trigger="every 1s"' in page.content.decode()
    partial = client.get(reverse("seizures:import-progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "import-progress" in partial.content.decode()


def test_progress_is_reported_chunk_by_chunk(ncp_fr, catalogue):
    rows = [row(**{"Record reference": str(i), "Quantity": str(10 + i)}) for i in range(7)]
    result = validate(ncp_fr, rows)
    seen: list[int] = []
    ids = imports.write_records(actor=ncp_fr, records=result.records, chunk=3, progress=seen.append)
    assert seen == [3, 6, 7] and len(ids) == 7


def test_all_or_nothing(login, ncp_fr, catalogue, monkeypatch, django_capture_on_commit_callbacks):
    client = login(ncp_fr)
    upload(client, [row(**{"Record reference": str(i), "Quantity": str(10 + i)}) for i in range(5)])
    batch = ImportBatch.objects.get()

    def failing(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(imports, "audit_record", failing)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("seizures:import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "audit log unavailable" in batch.failure
    assert not Incident.objects.exists() and not GoodsLine.objects.exists()


def test_an_error_found_at_commit_aborts_everything(ncp_fr, catalogue, django_capture_on_commit_callbacks):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx([row(), row(Date="2026-02-01")]))
    assert batch.status == ImportStatus.READY
    # the catalogue changed between the preview and the commit: the item is no longer known
    catalogue["ammonium-nitrate"].__class__.objects.filter(code="ammonium-nitrate").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit_request(actor=ncp_fr, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.failure == "errors" and batch.error_count == 2
    assert not Incident.objects.exists()


def test_a_file_with_errors_cannot_be_committed(ncp_fr, catalogue):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx([row(Unit="barrels")]))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        imports.import_commit_request(actor=ncp_fr, batch=batch)


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["donor", "outsider", "coordinator", "partner_interpol"], indirect=True)
def test_only_importers_reach_the_pages(login, persona, catalogue):
    client = login(persona)
    assert client.get(reverse("seizures:import")).status_code in (403, 404)
    assert client.get(reverse("seizures:import-template")).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        imports.import_upload(actor=persona, file_name="s.xlsx", data=xlsx([row()]))


def test_a_batch_is_its_importers_only(login, ncp_fr, ncp_ke, analyst, catalogue):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx([row()]))
    for user in (ncp_ke, analyst):
        client = login(user)
        assert client.get(reverse("seizures:import-report", args=[batch.pk])).status_code == 404
        assert client.get(reverse("seizures:import-progress", args=[batch.pk])).status_code == 404
        assert client.post(reverse("seizures:import-commit", args=[batch.pk])).status_code == 404
        assert client.get(f"/api/v1/seizures/imports/{batch.pk}").status_code == 404


def test_template_has_both_header_sets_and_the_instructions(login, ncp_fr, catalogue):
    client = login(ncp_fr)
    page = client.get(reverse("seizures:import"))
    assert page.status_code == 200 and "Pays déclarant" in page.content.decode()
    for query, headers in (("", HEADERS), ("?headers=fr", FR_HEADERS)):
        response = client.get(reverse("seizures:import-template") + query)
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        got = [c.value for c in wb.worksheets[0][1]]
        assert set(headers) <= set(got)
        assert "Instructions" in wb.sheetnames
        text = " ".join(str(c.value) for r in wb["Instructions"].iter_rows() for c in r if c.value)
        assert ("record reference" in text.lower()) or ("référence d'enregistrement" in text.lower())
        # the template's header row is understood by the importer
        parsed = imports.parse_upload("t.xlsx", xlsx([[""] * 3 + ["x"]], headers=got))
        assert len(parsed.columns) == len(imports.COLUMNS) and not parsed.ignored_columns


def test_the_list_links_to_the_import_for_importers_only(client, login, ncp_fr, coordinator, catalogue):
    assert 'id="seizure-import-link"' in login(ncp_fr).get(reverse("seizures:incident-list")).content.decode()
    assert 'id="seizure-import-link"' not in login(coordinator).get(reverse("seizures:incident-list")).content.decode()


def test_csv_upload(ncp_fr, catalogue):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.csv", data=csv_bytes([row(Quantity="1.234,5")]))
    assert batch.kind == "csv" and batch.status == ImportStatus.READY


# --- API ----------------------------------------------------------------------------------------


def test_api_upload_status_commit(login, ncp_fr, catalogue, django_capture_on_commit_callbacks):
    client = login(ncp_fr)
    bad = client.post("/api/v1/seizures/imports", {"file": SimpleUploadedFile("s.xlsx", xlsx([row(Unit="barrels")]))})
    assert bad.status_code == 201, bad.content
    body = bad.json()
    assert body["status"] == "invalid" and body["errors"][0]["row"] == 2 and body["errors"][0]["column"] == "unit"
    assert (
        client.post(f"/api/v1/seizures/imports/{body['id']}/commit", {}, content_type="application/json").status_code
        == 422
    )
    good = client.post(
        "/api/v1/seizures/imports",
        {"file": SimpleUploadedFile("s.xlsx", xlsx([row(), row(Quantity="9", Date="2026-01-03")]))},
    )
    batch_id = good.json()["id"]
    assert good.json()["status"] == "ready" and good.json()["record_count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(
            f"/api/v1/seizures/imports/{batch_id}/commit", {"choices": {}}, content_type="application/json"
        )
    assert committed.status_code == 202, committed.content
    status = client.get(f"/api/v1/seizures/imports/{batch_id}").json()
    assert status["status"] == "done" and status["percent"] == 100 and len(status["created_ids"]) == 2
    not_a_file = client.post("/api/v1/seizures/imports", {"file": SimpleUploadedFile("s.xlsx", b"\x00\x01binary")})
    assert not_a_file.status_code in (400, 422)


# --- submitting the imported drafts -------------------------------------------------------------


def committed_batch(actor, rows, django_capture_on_commit_callbacks):
    batch = imports.import_upload(actor=actor, file_name="s.xlsx", data=xlsx(rows))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit_request(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    return batch


def three_records():
    return [row(**{"Record reference": str(i), "Quantity": str(10 + i), "Date": f"2026-01-0{i + 1}"}) for i in range(3)]


def test_submit_all_imported_drafts_page(
    login, ncp_fr, ncp_de, ncp_ke, europe, catalogue, django_capture_on_commit_callbacks
):
    from shieldhub.seizures.models import IncidentRecipient

    batch = committed_batch(ncp_fr, three_records(), django_capture_on_commit_callbacks)
    client = login(ncp_fr)
    # one of the drafts was already submitted on its own: it is left alone
    from shieldhub.seizures import services

    first, *others = Incident.objects.filter(pk__in=batch.created_ids).order_by("pk")
    services.incident_submit(actor=ncp_fr, incident=first)
    progress = client.get(reverse("seizures:import-progress", args=[batch.pk])).content.decode()
    assert 'id="import-submit-all"' in progress and reverse("seizures:import-submit", args=[batch.pk]) in progress
    page = client.get(reverse("seizures:import-submit", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "to_communities" in html and "recipients-preview" in html
    assert others[0].reference in html and first.reference not in html
    preview = client.post(
        reverse("seizures:import-recipients-preview", args=[batch.pk]),
        {"to_communities": [europe.pk], "to_countries": "KE"},
    )
    assert ncp_de.email in preview.content.decode() and ncp_ke.email in preview.content.decode()
    response = client.post(
        reverse("seizures:import-submit", args=[batch.pk]),
        {"to_communities": [europe.pk], "to_countries": "KE", "releasable_interpol": "on"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/progress/")
    for incident in others:
        incident.refresh_from_db()
        assert incident.status == "submitted" and incident.version == 1 and incident.releasable_interpol
        recipients = dict(IncidentRecipient.objects.filter(incident=incident).values_list("user__email", "reason"))
        assert recipients == {ncp_de.email: "community", ncp_ke.email: "country"}
        assert AuditEntry.objects.filter(action="seizures.incident_submit", object_id=str(incident.pk)).exists()
    entry = AuditEntry.objects.get(action="seizures.import_submit")
    assert sorted(entry.extra["submitted_ids"]) == sorted(i.pk for i in others) and entry.extra["countries"] == ["KE"]
    # nothing left: no button, and the page says so
    assert (
        'id="import-submit-all"'
        not in client.get(reverse("seizures:import-progress", args=[batch.pk])).content.decode()
    )
    assert client.post(reverse("seizures:import-submit", args=[batch.pk]), {}).status_code == 200
    assert AuditEntry.objects.filter(action="seizures.import_submit").count() == 1


def test_submitting_the_drafts_is_all_or_nothing(ncp_fr, catalogue, django_capture_on_commit_callbacks, monkeypatch):
    from shieldhub.exchange.services import Distribution
    from shieldhub.seizures import services

    batch = committed_batch(ncp_fr, three_records(), django_capture_on_commit_callbacks)
    real = services.incident_submit
    calls = []

    def third_fails(**kwargs):
        calls.append(kwargs["incident"].pk)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "incident_submit", third_fails)
    with pytest.raises(RuntimeError):
        imports.import_submit(actor=ncp_fr, batch=batch, distribution=Distribution())
    assert set(Incident.objects.filter(pk__in=batch.created_ids).values_list("status", flat=True)) == {"draft"}
    assert not AuditEntry.objects.filter(action__in=["seizures.incident_submit", "seizures.import_submit"]).exists()


def test_only_the_importer_submits_a_batch_and_only_once_committed(
    login, ncp_fr, ncp_ke, analyst, catalogue, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from shieldhub.exchange.services import Distribution

    ready = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx([row()]))
    with pytest.raises(ValidationError):
        imports.import_submit(actor=ncp_fr, batch=ready, distribution=Distribution())
    batch = committed_batch(ncp_fr, three_records(), django_capture_on_commit_callbacks)
    for other in (ncp_ke, analyst):
        client = login(other)
        assert client.get(reverse("seizures:import-submit", args=[batch.pk])).status_code == 404
        assert client.post(reverse("seizures:import-submit", args=[batch.pk]), {}).status_code == 404
        assert client.post(reverse("seizures:import-recipients-preview", args=[batch.pk]), {}).status_code == 404
        response = client.post(f"/api/v1/seizures/imports/{batch.pk}/submit", {}, content_type="application/json")
        assert response.status_code == 404
    assert set(Incident.objects.filter(pk__in=batch.created_ids).values_list("status", flat=True)) == {"draft"}


def test_api_submit_imported_drafts(login, ncp_fr, ncp_ke, catalogue, django_capture_on_commit_callbacks):
    from shieldhub.seizures.models import IncidentRecipient

    batch = committed_batch(ncp_fr, three_records(), django_capture_on_commit_callbacks)
    client = login(ncp_fr)
    response = client.post(
        f"/api/v1/seizures/imports/{batch.pk}/submit",
        {"distribution": {"countries": ["KE"]}, "releasable_unodc": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["submitted_ids"]) == sorted(batch.created_ids)
    for incident in Incident.objects.filter(pk__in=batch.created_ids):
        assert incident.status == "submitted" and incident.releasable_unodc
        assert IncidentRecipient.objects.filter(incident=incident, user=ncp_ke, reason="country").exists()
    again = client.post(f"/api/v1/seizures/imports/{batch.pk}/submit", {}, content_type="application/json")
    assert again.status_code == 422


# --- the commit reuses the preview's validation -------------------------------------------------


def test_commit_reuses_the_preview_when_nothing_changed(
    ncp_fr, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx(three_records()))
    assert imports._validated_path(batch.payload).exists()
    calls = []
    real = imports.validate_rows
    monkeypatch.setattr(imports, "validate_rows", lambda **kw: calls.append(1) or real(**kw))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit_request(actor=ncp_fr, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 3 and calls == []
    assert not imports._validated_path(batch.payload).exists()


def test_commit_validates_again_when_the_rows_changed(ncp_fr, catalogue, django_capture_on_commit_callbacks):
    import json

    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx(three_records()))
    path = imports._payload_path(batch.payload)
    stored = json.loads(path.read_text())
    stored["rows"][0]["unit"] = "barrels"
    path.write_text(json.dumps(stored))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit_request(actor=ncp_fr, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.failure == "errors" and not Incident.objects.exists()


def test_commit_finds_duplicates_created_since_the_preview(ncp_fr, make, catalogue, django_capture_on_commit_callbacks):
    batch = imports.import_upload(actor=ncp_fr, file_name="s.xlsx", data=xlsx([row()]))
    assert batch.duplicates == []
    make(ncp_fr)  # the same seizure, typed in meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit_request(actor=ncp_fr, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.created_count == 0 and batch.skipped_count == 1

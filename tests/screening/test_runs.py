"""Runs: upload → background screening with progress → hits, results page, XLSX, access, API,
bad files; watch-list upload; audit entries."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from shieldhub.core.models import AuditEntry
from shieldhub.core.spreadsheets import write_xlsx
from shieldhub.screening import services
from shieldhub.screening.choices import RunStatus
from shieldhub.screening.models import ConsigneeHistory, ScreeningHit, ScreeningRun, WatchListEntity
from tests.screening.conftest import HEADER, csv_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    "FR-1;2026-03-01;Nitro Chemicals Trading LLC;Green Farm Supplies;AE;FR;SY;310230;Ammonium nitrate 34.4% N;20;t;5000",
    "FR-2;2026-03-02;Acme Exports;Blue Textiles;IN;FR;;610910;Cotton T-shirts;500;kg;900",
    "FR-3;2026-03-03;Acme Exports;Green Farm Supplies;CN;FR;;760310;Aluminium powder;100;kg;700",
    "FR-4;03/04/2026;Peroxy Ltd;Home Labs;DE;FR;;310210;Hydrogen peroxide 50%;200;kg;300",
    "FR-5;pas une date;Acme;Someone;IN;FR;;;Something;1;kg;1",
    "FR-6;2026-03-05;Acme;Someone;IN;FR;;;Something;douze;kg;1",
]


def _run(user, data: bytes | None = None, name="declarations.csv", min_score=25):
    run = services.run_create(actor=user, file_name=name, chunks=[data or csv_bytes(*ROWS)], min_score=min_score,
                              enqueue=False)  # fmt: skip
    services.run_process(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_run_lifecycle_with_progress_and_hits(watch, ncp_fr, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 2)
    seen: list[int] = []
    original = services.Screener.feed

    def spy(self, declarations):
        seen.append(ScreeningRun.objects.get().processed_rows)
        return original(self, declarations)

    monkeypatch.setattr(services.Screener, "feed", spy)
    run = services.run_create(actor=ncp_fr, file_name="decl.csv", chunks=[csv_bytes(*ROWS)], enqueue=False)
    assert run.status == RunStatus.QUEUED and run.total_rows == 6 and run.country == "FR"
    services.run_process(run_id=run.pk)
    run.refresh_from_db()
    assert len(seen) == 2 and seen[0] == 0 and seen[1] >= 2  # progress recorded after each chunk
    assert run.status == RunStatus.DONE and run.progress == 100
    assert run.error_count == 2
    assert {e["row"] for e in run.errors} == {6, 7}
    hits = {h.reference: h for h in ScreeningHit.objects.filter(run=run)}
    assert "FR-2" not in hits  # T-shirts to a textiles company: nothing
    first = hits["FR-1"]
    assert {"entity_watch", "watch_country", "first_shipment", "precursor_combination"} <= set(first.rules.split("|"))
    assert first.score == sum(r["weight"] for r in first.reasons)
    assert first.kg == 20000
    assert "precursor_combination" in hits["FR-3"].rules  # AN + aluminium powder to the same consignee
    assert "hs_mismatch" in hits["FR-4"].rules
    assert not (services.runs_dir() / run.file_path).exists()  # the upload is deleted once screened
    # the history learnt from the file makes the consignee known next time (same country only)
    assert ConsigneeHistory.objects.filter(country="FR", consignee="green farm supplies", item="").exists()
    assert AuditEntry.objects.filter(action="screening.run_upload", object_id=str(run.pk)).exists()
    assert AuditEntry.objects.filter(action="screening.run_finish", object_id=str(run.pk)).exists()


def test_second_file_uses_history(watch, ncp_fr):
    _run(ncp_fr)
    run = _run(ncp_fr, csv_bytes(ROWS[2]), min_score=1)
    hit = ScreeningHit.objects.filter(run=run).first()
    assert hit is None or "first_shipment" not in hit.rules


def test_bad_files_are_refused_with_a_clear_error(watch, ncp_fr):
    with pytest.raises(ValidationError) as exc:
        services.run_create(actor=ncp_fr, file_name="x.csv", chunks=[b"\x00\x01binary"], enqueue=False)
    assert "neither an Excel workbook" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.run_create(actor=ncp_fr, file_name="x.csv", chunks=[b"Date;Value\n2026-01-01;3\n"], enqueue=False)
    assert "Columns missing" in str(exc.value) and "Consignee" in str(exc.value)
    with pytest.raises(ValidationError):
        services.run_create(actor=ncp_fr, file_name="x.csv", chunks=[b""], enqueue=False)
    assert not ScreeningRun.objects.exists()


def test_xlsx_upload_with_french_headers(watch, ncp_fr):
    headers = ["Référence", "Expéditeur", "Destinataire", "Origine", "Destination", "Code SH",
               "Désignation des marchandises", "Quantité", "Unité"]  # fmt: skip
    data = write_xlsx([["X1", "Nitro Chemicals Trading", "Ferme Verte", "AE", "FR", "310230", "Nitrate d'ammonium",
                        "5", "t"]], headers)  # fmt: skip
    run = _run(ncp_fr, data, name="decl.xlsx")
    assert run.file_kind == "xlsx" and run.status == RunStatus.DONE
    hit = ScreeningHit.objects.get(run=run)
    assert hit.consignee == "Ferme Verte" and "entity_watch" in hit.rules and hit.kg == 5000


def test_results_page_sort_filter_and_xlsx(watch, ncp_fr, login):
    run = _run(ncp_fr)
    client = login(ncp_fr)
    page = client.get(f"/screening/runs/{run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "FR-1" in html and "FR-4" in html and "Diverted AN" in html
    assert html.index("FR-1") < html.index("FR-4")  # highest score first
    filtered = client.get(f"/screening/runs/{run.pk}/?rule=hs_mismatch").content.decode()
    assert "FR-4" in filtered and "FR-1</strong>" not in filtered
    response = client.get(f"/screening/runs/{run.pk}/export/")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Row" and rows[0][-1] == "Reasons"
    refs = [r[1] for r in rows[1:]]
    assert refs[0] == "FR-1" and set(refs) == set(
        ScreeningHit.objects.filter(run=run).values_list("reference", flat=True)
    )
    assert "Nitro Chemicals" in rows[1][-1]
    assert AuditEntry.objects.filter(action="screening.run_download", object_id=str(run.pk)).exists()


def test_xlsx_is_formula_safe(watch, ncp_fr, login):
    run = _run(ncp_fr, csv_bytes('F1;2026-01-01;=HYPERLINK("x");=cmd|evil;AE;FR;SY;310230;Ammonium nitrate;1;t;1'))
    ws = load_workbook(io.BytesIO(login(ncp_fr).get(f"/screening/runs/{run.pk}/export/").content)).active
    row = list(ws.iter_rows(values_only=True))[1]
    assert row[3].startswith("'=") and row[4].startswith("'=")


@pytest.mark.parametrize("persona", ["ncp_ke", "analyst", "coordinator", "donor", "partner_interpol"], indirect=True)
def test_other_people_do_not_see_a_countrys_run(watch, ncp_fr, persona, login):
    run = _run(ncp_fr)
    client = login(persona)
    for url in (f"/screening/runs/{run.pk}/", f"/screening/runs/{run.pk}/export/",
                f"/screening/runs/{run.pk}/progress/", f"/api/v1/screening/runs/{run.pk}",
                f"/api/v1/screening/runs/{run.pk}/results"):  # fmt: skip
        assert client.get(url).status_code in (403, 404), url
    listing = client.get("/screening/")
    assert "declarations.csv" not in listing.content.decode()


def test_a_colleague_of_the_same_country_sees_the_run(watch, ncp_fr, login):
    from tests.factories import UserFactory

    colleague = UserFactory(email="ncp2.fr@test.example", roles=["ncp"], country="FR")
    run = _run(ncp_fr)
    assert login(colleague).get(f"/screening/runs/{run.pk}/").status_code == 200


def test_upload_page_and_progress_poll(watch, ncp_fr, login, django_capture_on_commit_callbacks):
    client = login(ncp_fr)
    upload = io.BytesIO(csv_bytes(*ROWS))
    upload.name = "decl.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/screening/", {"file": upload, "min_score": 25})
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    assert run.status == RunStatus.DONE  # immediate task backend in tests
    progress = client.get(f"/screening/runs/{run.pk}/progress/")
    assert b"progress" in progress.content and b"6 of 6" in progress.content
    bad = io.BytesIO(b"foo,bar\n1,2\n")
    bad.name = "bad.csv"
    page = client.post("/screening/", {"file": bad, "min_score": 25})
    assert page.status_code == 200 and "Columns missing" in page.content.decode()


def test_running_run_shows_a_polling_bar(watch, ncp_fr, login):
    run = services.run_create(actor=ncp_fr, file_name="d.csv", chunks=[csv_bytes(*ROWS)], enqueue=False)
    ScreeningRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, processed_rows=3)
    html = login(ncp_fr).get(f"/screening/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="50"' in html


def test_rules_page_edit_is_audited_and_refused_to_ncps(watch, analyst, ncp_fr, login):
    from shieldhub.screening.models import ScreeningRule

    rule = ScreeningRule.objects.get(code="hs_mismatch")
    client = login(analyst)
    assert "Declared HS code inconsistent" in client.get("/screening/rules/").content.decode()
    data = {f"r{rule.pk}-{k}": v for k, v in {"name": rule.name, "weight": "45", "explanation_en": "Mismatch",
            "explanation_fr": "Incohérence", "is_active": "on", "parameters_text": "{}"}.items()}  # fmt: skip
    assert client.post(f"/screening/rules/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert rule.weight == 45 and rule.explanation_en == "Mismatch"
    entry = AuditEntry.objects.get(action="screening.rule_update")
    assert entry.changes["weight"] == [30, 45]
    ncp = login(ncp_fr)
    assert ncp.get("/screening/rules/").status_code == 200  # read only
    assert ncp.post(f"/screening/rules/{rule.pk}/", data).status_code == 404


def test_watch_list_upload(watch, analyst, ncp_fr):
    rows = [["Name", "Country", "Reason", "Source"]] + [[f"Company {i} Ltd", "KE", "test", "UN"] for i in range(300)]
    data = "\n".join(",".join(r) for r in rows).encode()
    summary = services.watch_entities_upload(actor=analyst, file_name="list.csv", data=data)
    assert summary["added"] == 300
    assert WatchListEntity.objects.filter(normalised_name="company 7").exists()
    summary = services.watch_entities_upload(actor=analyst, file_name="l.csv", data=b"Nom;Pays\nSociete X;FR\n",
                                             replace=True)  # fmt: skip
    assert summary["removed"] == 301 and WatchListEntity.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.watch_entities_upload(actor=analyst, file_name="l.csv", data=b"Name;Country\nA;ZZ\n")
    assert "not a country code" in str(exc.value)
    assert WatchListEntity.objects.count() == 1
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.watch_entities_upload(actor=ncp_fr, file_name="l.csv", data=data)
    assert AuditEntry.objects.filter(action="screening.watch_entities_upload").count() == 2


def test_api(watch, ncp_fr, analyst, ncp_ke, login, django_capture_on_commit_callbacks):
    client = login(ncp_fr)
    rules = client.get("/api/v1/screening/rules").json()
    assert len(rules) == 7
    upload = io.BytesIO(csv_bytes(*ROWS))
    upload.name = "api.csv"
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/screening/runs", {"file": upload, "min_score": 25})
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    status = client.get(f"/api/v1/screening/runs/{run_id}").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["error_count"] == 2
    results = client.get(f"/api/v1/screening/runs/{run_id}/results").json()
    assert results["items"][0]["reference"] == "FR-1" and results["items"][0]["reasons"]
    xlsx = client.get(f"/api/v1/screening/runs/{run_id}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert login(ncp_ke).get(f"/api/v1/screening/runs/{run_id}").status_code == 404
    bad = io.BytesIO(b"a,b\n1,2\n")
    bad.name = "bad.csv"
    refused = login(ncp_fr).post("/api/v1/screening/runs", {"file": bad})
    assert refused.status_code in (400, 422) and "Columns missing" in refused.content.decode()
    scored = client.post("/api/v1/screening/score", [
        {"consignee": "Home Labs", "description": "Hydrogen peroxide 50%", "quantity": 10, "unit": "kg"},
        {"consignee": "Home Labs", "description": "Acetone", "quantity": 10, "unit": "kg", "route": ["SY"]},
    ], content_type="application/json")  # fmt: skip
    assert scored.status_code == 200, scored.content
    second = scored.json()[1]
    assert {"precursor_combination", "watch_country"} <= {r["rule"] for r in second["reasons"]}
    assert second["score"] == sum(r["weight"] for r in second["reasons"])
    # configuration: analysts only
    rule_id = rules[0]["id"]
    assert client.patch(f"/api/v1/screening/rules/{rule_id}", {"weight": 5},
                        content_type="application/json").status_code in (403, 404)  # fmt: skip
    analyst_client = login(analyst)
    changed = analyst_client.patch(f"/api/v1/screening/rules/{rule_id}", {"weight": 5}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["weight"] == 5
    added = analyst_client.post("/api/v1/screening/watch-list/countries", {"country": "af", "reason": "x"},
                                content_type="application/json")  # fmt: skip
    assert added.status_code == 201 and added.json()["country"] == "AF"
    assert analyst_client.get("/api/v1/screening/watch-list/entities").json()["count"] == 1


def test_header_constant_matches_reader():
    from shieldhub.screening.declarations import map_headers, missing_columns

    mapping = map_headers(HEADER.split(";"))
    assert not missing_columns(mapping) and len(mapping) == 12


def test_parallel_workers_give_the_same_hits(watch, ncp_fr, settings):
    rows = ROWS * 3
    serial = _run(ncp_fr, csv_bytes(*rows))
    settings.SCREENING_PARALLEL_MIN_ROWS = 1
    settings.SCREENING_WORKERS = 2
    assert services.parallel_workers(10) == 2
    ConsigneeHistory.objects.all().delete()
    parallel = _run(ncp_fr, csv_bytes(*rows))
    assert parallel.status == RunStatus.DONE
    assert (parallel.processed_rows, parallel.error_count, parallel.flagged_count) == (
        serial.processed_rows, serial.error_count, serial.flagged_count,
    )  # fmt: skip

    def hits(run):
        return list(ScreeningHit.objects.filter(run=run).order_by("line").values_list("line", "score", "rules"))

    assert hits(parallel) == hits(serial)
    assert [e["row"] for e in parallel.errors] == [e["row"] for e in serial.errors]

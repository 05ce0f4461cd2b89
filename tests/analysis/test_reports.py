"""Donor reports: created with sections, generated as a task (immediate in tests) with progress and
status, known figures in the DOCX (python-docx) and the PDF (pypdf); access by persona."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shieldhub.analysis import indicators, reports
from shieldhub.analysis.models import DonorReport
from shieldhub.core.models import AuditEntry
from tests.analysis.test_indicators import _aware, dataset, framework  # noqa: F401
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import catalogue, make  # noqa: F401


@pytest.fixture
def generated(dataset, framework, coordinator, login, settings, django_capture_on_commit_callbacks):  # noqa: F811
    from shieldhub.seizures.models import Incident

    settings.SEIZURE_STATS_MIN_CELL = 3
    Incident.objects.filter(status="submitted").update(submitted_at=_aware(dt.date(2026, 3, 20)))
    client = login(coordinator)
    response = client.post(reverse("analysis:report-list"), {"title": "Semester report 2026", "period_start": "2026-01-01",
                                                             "period_end": "2026-06-30", "language": "en"})  # fmt: skip
    assert response.status_code == 302
    report = DonorReport.objects.get()
    section = report.sections.order_by("order").first()
    response = client.post(reverse("analysis:report-section-edit", args=[report.pk, section.pk]),
                           {"heading": "Summary", "body": "The network **grew** to three countries.\n\n- first point",
                            "order": "10"})  # fmt: skip
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analysis:report-generate", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    return report


def _generate(coordinator, report, capture):
    with capture(execute=True):
        reports.report_generate(actor=coordinator, report=report)
    report.refresh_from_db()
    return report


def _docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    return text, rows


def test_generation_runs_as_a_task_and_writes_known_figures(generated, coordinator, login):
    report = generated
    assert report.status == "done" and report.progress == 100 and report.generated_at
    assert report.parameters["period_start"] == "2026-01-01" and report.parameters["min_cell"] == 3
    client = login(coordinator)
    response = client.get(reverse("analysis:report-download", args=[report.pk, "docx"]))
    assert response.status_code == 200
    text, rows = _docx_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "Semester report 2026" in text and "The network grew to three countries." in text
    by_code = {r[0]: r for r in rows}
    assert by_code["OP2.1"][4] == "5"  # officers trained
    assert by_code["OP2.2"][4] == "3"
    assert by_code["OC1"][4] == "3"
    assert by_code["OP1.2"][4] == "75" and by_code["OP1.2"][5].endswith("89 %")
    assert (
        "Seizure records: 4 (96,000 kg), reported by 1 countries." in text
    )  # 4 submitted seizures of March (occurred in the period)
    assert "Events held: 3. Officers trained: 5 (women: 3, men: 2)." in text
    from docx import Document

    # charts: progress towards the targets, seizure records per month, by precursor
    assert len(Document(io.BytesIO(bytes(report.docx))).inline_shapes) == 3
    annex = [r for r in rows if len(r) == 5 and r[1] in ("Training", "Conference")]
    assert [r[2] for r in annex] == ["training 2026-02-03", "training 2026-04-07", "conference 2026-05-12"]
    assert ["Training", "2"] in rows and ["Conference", "1"] in rows
    # seizure statistics: one precursor with the 4 records of March
    assert any(r[0].lower().startswith("ammonium") and r[1] == "4" for r in rows if len(r) == 3)
    response = client.get(reverse("analysis:report-download", args=[report.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    pdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Semester report 2026" in pdf_text
    assert "Events held: 3. Officers trained: 5 (women: 3, men: 2)." in " ".join(pdf_text.split())
    assert "Number of customs officers trained" in pdf_text
    assert AuditEntry.objects.filter(action="analysis.report_download").count() == 2


def test_small_cells_are_suppressed(dataset, framework, coordinator):  # noqa: F811
    from shieldhub.analysis.measures import seizure_statistics

    stats = seizure_statistics(user=coordinator, start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
    assert stats.total == 4
    march = next(c for c in stats.by_month if c.key == "2026-03")
    assert march.count == 4
    few = seizure_statistics(user=coordinator, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 2))  # 2 records
    assert few.total == 0 and all(c.count is None for c in few.by_precursor)


def test_french_report(dataset, framework, coordinator, django_capture_on_commit_callbacks):  # noqa: F811
    report = reports.report_create(actor=coordinator, data={"title": "Rapport", "period_start": dt.date(2026, 1, 1),
                                                            "period_end": dt.date(2026, 6, 30), "language": "fr"})  # fmt: skip
    assert next(s.heading for s in report.sections.all()) == "Résumé"
    _generate(coordinator, report, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.status == "done"
    _, rows = _docx_text(bytes(report.docx))
    assert any("Nombre d'agents des douanes formés" in r[1] for r in rows)


def test_progress_fragment_polls_while_running(generated, coordinator, login):
    client = login(coordinator)
    DonorReport.objects.filter(pk=generated.pk).update(status="running", progress=45)
    html = client.get(reverse("analysis:report-progress", args=[generated.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="45"' in html
    page = client.get(reverse("analysis:report-detail", args=[generated.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page


def test_api_with_session(dataset, framework, coordinator, donor, login, django_capture_on_commit_callbacks):  # noqa: F811
    client = login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/analysis/reports", {"title": "API report", "period_start": "2026-01-01",
                                                        "period_end": "2026-06-30"}, content_type="application/json")  # fmt: skip
    # session authentication carries no write scope
    assert response.status_code in (201, 403)
    if response.status_code == 201:
        body = response.json()
        assert body["status"] == "queued"  # answered before the task ran
        assert client.get(f"/api/v1/analysis/reports/{body['id']}").json()["status"] == "done"
    report = reports.report_create(actor=coordinator, data={"title": "R", "period_start": dt.date(2026, 1, 1),
                                                            "period_end": dt.date(2026, 6, 30), "language": "en"})  # fmt: skip
    _generate(coordinator, report, django_capture_on_commit_callbacks)
    client = login(donor)
    listed = client.get("/api/v1/analysis/reports").json()
    assert report.pk in [r["id"] for r in listed["items"]]
    assert client.get(f"/api/v1/analysis/reports/{report.pk}").json()["status"] == "done"
    assert client.get(f"/api/v1/analysis/reports/{report.pk}/download/pdf").status_code == 200


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("coordinator", 200, True),
        ("analyst", 200, False),
        ("donor", 200, False),
        ("ncp_fr", 403, False),
        ("partner_interpol", 403, False),
        ("outsider", 403, False),
    ],
    indirect=["persona"],
)
def test_report_access(persona, read, write, coordinator, login, db, django_capture_on_commit_callbacks):
    done = reports.report_create(actor=coordinator, data={"title": "Done", "period_start": dt.date(2026, 1, 1),
                                                          "period_end": dt.date(2026, 1, 31), "language": "en"})  # fmt: skip
    _generate(coordinator, done, django_capture_on_commit_callbacks)
    draft = reports.report_create(actor=coordinator, data={"title": "Draft", "period_start": dt.date(2026, 1, 1),
                                                           "period_end": dt.date(2026, 1, 31), "language": "en"})  # fmt: skip
    client = login(persona)
    assert client.get(reverse("analysis:report-list")).status_code == read
    detail = client.get(reverse("analysis:report-detail", args=[done.pk]))
    assert detail.status_code == (200 if read == 200 else 403)
    pdf = client.get(reverse("analysis:report-download", args=[done.pk, "pdf"]))
    assert pdf.status_code == (200 if read == 200 else 403)
    draft_page = client.get(reverse("analysis:report-detail", args=[draft.pk])).status_code
    assert draft_page == (200 if write else (404 if read == 200 else 403))
    post = client.post(reverse("analysis:report-generate", args=[done.pk]))
    assert post.status_code == (302 if write else 403)
    created = client.post(reverse("analysis:report-list"), {"title": "X", "period_start": "2026-01-01",
                                                            "period_end": "2026-01-31", "language": "en"})  # fmt: skip
    assert created.status_code == (302 if write else 403)


def test_list_query_count(coordinator, login, django_assert_max_num_queries):
    for n in range(5):
        reports.report_create(actor=coordinator, data={"title": f"R{n}", "period_start": dt.date(2026, 1, 1),
                                                       "period_end": dt.date(2026, 1, 31), "language": "en"})  # fmt: skip
    client = login(coordinator)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("analysis:report-list")).status_code == 200
    assert indicators.MEASURES


def test_demo_loads_framework_values_and_a_generated_report(coordinator, analyst):
    from shieldhub.analysis import demo_reports
    from shieldhub.analysis.models import Indicator, IndicatorValue

    users = {"coordinator@demo.example": coordinator, "analyst@demo.example": analyst}
    demo_reports.load(users)
    demo_reports.load(users)  # a second run adds nothing
    assert Indicator.objects.count() == 10 and IndicatorValue.objects.count() == 4
    report = DonorReport.objects.get()
    assert report.status == "done" and report.docx and report.pdf
    text, _ = _docx_text(bytes(report.docx))
    assert "NCP network" in text


def test_operations_and_their_results_in_the_report(coordinator, analyst, ncp_fr, ncp_ke, make, catalogue,  # noqa: F811
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    from shieldhub.events import operations
    from tests.events.test_operations import op_data

    operation = operations.operation_create(actor=analyst, data=op_data(catalogue))
    for n in range(3):
        make(ncp_fr, submit=True, operation=operation.community_id, occurred_on=timezone.localdate(),
             national_reference=f"OP-{n}")  # fmt: skip
    today = timezone.localdate()
    report = reports.report_create(actor=coordinator, data={"title": "Ops", "period_start": today - dt.timedelta(days=30),
                                                            "period_end": today + dt.timedelta(days=30), "language": "en"})  # fmt: skip
    report = _generate(coordinator, report, django_capture_on_commit_callbacks)
    assert report.status == "done", report.error
    _text, rows = _docx_text(bytes(report.docx))
    row = next(r for r in rows if r[0] == "Operation Cobalt Shield (cobalt-shield)")
    assert row[2] == "2" and row[3] == "3" and row[4] == "72,000"  # 2 countries, 3 records of 24 t
    from docx import Document

    # the charts of seizures per month and by precursor (no indicator has a target: no progress chart)
    assert len(Document(io.BytesIO(bytes(report.docx))).inline_shapes) == 2


def test_api_tokens_need_the_write_scope_and_the_coordinator_role(coordinator, donor, client,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    from shieldhub.accounts import services as accounts

    def auth(user, scopes):
        _token, raw = accounts.api_token_create(actor=user, user=user, name="t", scopes=list(scopes), expires_in_days=5)
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    payload = {"title": "By API", "period_start": "2026-01-01", "period_end": "2026-03-31", "language": "fr"}
    read_only = auth(coordinator, ["read"])
    response = client.post("/api/v1/analysis/reports", payload, content_type="application/json", **read_only)
    assert response.status_code == 403
    response = client.post("/api/v1/analysis/reports", payload, content_type="application/json",
                           **auth(donor, ["read", "write"]))  # fmt: skip
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    writer = auth(coordinator, ["read", "write"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/analysis/reports", payload, content_type="application/json", **writer)
    assert response.status_code == 201
    pk = response.json()["id"]
    status = client.get(f"/api/v1/analysis/reports/{pk}", **read_only).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["parameters"]["language"] == "fr"
    response = client.get(f"/api/v1/analysis/reports/{pk}/download/docx", **read_only)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get(f"/api/v1/analysis/reports/{pk}/download/xls", **read_only).status_code == 404
    bad = client.post("/api/v1/analysis/reports", {**payload, "period_end": "2025-01-01"},
                      content_type="application/json", **writer)  # fmt: skip
    assert bad.status_code == 422 and "period_end" in bad.json()["error"]["details"]


def test_a_new_report_is_not_generated_until_asked(coordinator, login):
    report = reports.report_create(actor=coordinator, data={"title": "New", "period_start": dt.date(2026, 1, 1),
                                                            "period_end": dt.date(2026, 1, 31), "language": "en"})  # fmt: skip
    assert reports.state_of(report) == "draft" and not reports.is_running(report)
    client = login(coordinator)
    html = client.get(reverse("analysis:report-detail", args=[report.pk])).content.decode()
    assert "Not generated yet" in html and "Generate the report" in html
    assert f"/analysis/reports/{report.pk}/progress/" not in html and "http-equiv" not in html
    assert client.get(f"/api/v1/analysis/reports/{report.pk}").json()["status"] == "draft"

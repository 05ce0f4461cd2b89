"""Participant list exports (XLSX cells, PDF text, passport columns for events.personal_data only,
formula injection, audited), badges (the QR code encodes the check-in URL), attendance by code and by
list, certificates (both languages, the name, training records), evaluations, training records."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from shieldhub.core.models import AuditEntry
from shieldhub.events import certificates, evaluations, participants, training
from shieldhub.events.evaluations import evaluation_code
from shieldhub.events.models import Attendance, EvaluationResponse, PassportDetails, TrainingRecord
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def event(assistant, trainer):
    e = EventFactory(created_by=assistant, title_en="Precursor detection", title_fr="Détection des précurseurs")
    e.organisers.add(trainer)
    return e


@pytest.fixture
def people(event):
    a = RegistrationFactory(
        event=event,
        status="approved",
        given_name="Awa",
        family_name="Traoré",
        country="ML",
        organisation_name='=HYPERLINK("x")',
        gender="female",
        email="awa@example.org",
    )
    b = RegistrationFactory(
        event=event,
        status="approved",
        given_name="Jean",
        family_name="Dupont",
        country="FR",
        gender="male",
        language="fr",
    )
    c = RegistrationFactory(event=event, status="pending", given_name="Pending", family_name="Person", country="FR")
    PassportDetails.objects.create(
        registration=a,
        name_in_passport="TRAORE AWA",
        number="ML998877",
        nationality="ML",
        delete_after=dt.date(2030, 1, 1),
    )
    return a, b, c  # fmt: skip


def test_xlsx_lists_approved_participants_by_country_with_passport_for_the_assistant_only(
    login, assistant, trainer, event, people
):
    ws = load_workbook(io.BytesIO(participants.participants_xlsx(user=assistant, event=event))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["Country", "Family name", "Given name"] and "Passport number" in rows[0]
    assert [r[1] for r in rows[1:]] == ["Dupont", "Traoré"]  # France before Mali; pending left out
    assert "ML998877" in rows[2]
    assert rows[2][5] == '\'=HYPERLINK("x")'  # formula injection neutralised
    ws = load_workbook(io.BytesIO(participants.participants_xlsx(user=trainer, event=event))).active
    text = str([[c.value for c in row] for row in ws.iter_rows()])
    assert "ML998877" not in text and "Passport number" not in text
    assert AuditEntry.objects.filter(action="events.participants_export").count() == 2


def test_pdf_participant_list_text(assistant, event, people):
    text = _pdf_text(participants.participants_pdf(user=assistant, event=event, language="en"))
    assert "DUPONT" in text and "TRAORÉ" in text and "Person" not in text
    assert "France" in text and "Mali" in text and "ML998877" in text


def test_badge_qr_encodes_the_check_in_url(assistant, event, people, settings):
    settings.SITE_URL = "https://hub.example"
    a = people[0]
    url = participants.checkin_url(a)
    assert url == f"https://hub.example/events/checkin/{a.badge_code}/"
    from shieldhub.events.pdf import render_html

    html = render_html(
        "events/registrations/pdf/badges.html",
        {"event": event, "layout": "a6", "pages": [[{"r": a, "qr": participants.qr_data_uri(url), "title": "T"}]]},
        "en",
    )
    assert participants.qr_data_uri(url) in html
    text = _pdf_text(participants.badges_pdf(user=assistant, event=event, layout="a4"))
    assert "TRAORÉ" in text and "DUPONT" in text and a.badge_code in text
    assert len(PdfReader(io.BytesIO(participants.badges_pdf(user=assistant, event=event, layout="a6"))).pages) == 2


def test_check_in_by_code_and_by_list(login, assistant, event, people):
    a, b, c = people
    session = SessionFactory(event=event)
    client = login(assistant)
    # the QR opens the confirm page; confirming records attendance for the chosen session
    page = client.get(reverse("events:checkin-code", args=[a.badge_code]), {"session": session.pk})
    assert page.status_code == 200 and b"Confirm attendance" in page.content
    client.post(reverse("events:checkin-code", args=[a.badge_code]), {"session": session.pk})
    row = Attendance.objects.get(registration=a, session=session)
    assert (row.method, row.checked_in_by) == ("qr", assistant)
    # typed code (or pasted link) on the attendance page: idempotent
    client.post(
        reverse("events:attendance", args=[event.pk]), {"session": session.pk, "code": f"https://x/{a.badge_code}/"}
    )
    assert Attendance.objects.filter(registration=a).count() == 1
    # tick a list (htmx returns the row)
    response = client.post(reverse("events:attendance-toggle", args=[b.pk]), {"session": session.pk, "present": "1"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and b"Present" in response.content
    assert Attendance.objects.get(registration=b, session=session).method == "list"
    client.post(reverse("events:attendance-toggle", args=[b.pk]), {"session": session.pk, "present": "0"})
    assert not Attendance.objects.filter(registration=b).exists()
    # a pending registration cannot be checked in
    response = client.post(reverse("events:attendance", args=[event.pk]), {"session": session.pk, "code": c.badge_code})
    assert b"Only approved participants" in response.content
    assert not Attendance.objects.filter(registration=c).exists()


def test_certificates_are_bilingual_numbered_and_write_training_records(
    assistant, trainer, event, people, django_capture_on_commit_callbacks
):
    a, _b, _c = people
    s1 = SessionFactory(event=event)
    SessionFactory(event=event, starts_at=s1.ends_at, ends_at=s1.ends_at + dt.timedelta(hours=3))
    participants.attendance_record(actor=assistant, registration=a, session=s1)
    with django_capture_on_commit_callbacks(execute=True):
        issued = certificates.certificates_issue(actor=assistant, event=event)
    assert [c.registration for c in issued] == [a]  # only who attended
    assert issued[0].number.startswith(f"PGS-{event.starts_at.year}-{event.pk:04d}-001")
    text = _pdf_text(certificates.certificate_pdf([a]))
    for words in ("Certificate of attendance", "Certificat de participation", "Awa Traoré",
                  "Precursor detection", "Détection des précurseurs", "1 of 2 sessions", "2 hours",
                  "1 séance sur 2", "2 heures"):  # fmt: skip
        assert words in text, words
    assert "2.0 hours" not in text and "séance(s)" not in text
    record = TrainingRecord.objects.get(registration=a)
    assert (record.topic, record.country.code, record.gender, record.trainer_user) == (
        "Precursor detection",
        "ML",
        "female",
        trainer,
    )
    assert trainer.full_name in record.trainer
    assert mail.outbox and mail.outbox[0].attachments[0][0].endswith(".pdf")
    assert f"/events/evaluate/{evaluation_code(a)}/" in mail.outbox[0].body
    # issuing again does not duplicate
    assert certificates.certificates_issue(actor=assistant, event=event) == []


def test_evaluation_once_for_attendees_and_the_summary_without_names(client, assistant, event, people):
    a, b, c = people
    participants.attendance_record(actor=assistant, registration=a, session=None)
    participants.attendance_record(actor=assistant, registration=b, session=None)
    url = reverse("events:evaluation-by-code", args=[evaluation_code(a)])
    # the badge code alone (printed as a QR code on the badge) does not open the evaluation
    assert client.get(reverse("events:evaluation-by-code", args=[a.badge_code])).status_code == 404
    answers = {"overall": 5, "content": 4, "trainers": 5, "materials": 3, "organisation": 4, "best": "The lab kit"}
    response = client.post(url, answers)
    assert b"recorded" in response.content
    again = client.post(url, answers)
    assert b"already answered" in again.content
    assert EvaluationResponse.objects.count() == 1
    evaluations.evaluation_submit(actor=None, registration=b, data={**answers, "overall": 2, "best": "Cases"})
    # not attended: refused
    assert (
        b"participants who attended"
        in client.get(reverse("events:evaluation-by-code", args=[evaluation_code(c)])).content
    )
    summary = evaluations.evaluation_summary(user=assistant, event=event)
    overall = summary["questions"][0]
    assert summary["responses"] == 2 and overall["average"] == 3.5
    assert [d["count"] for d in overall["distribution"]] == [0, 1, 0, 0, 1]
    best = next(q for q in summary["questions"] if q["q"].key == "best")
    assert best["texts"] == ["The lab kit", "Cases"]


def test_training_record_totals_by_gender_and_country(assistant):
    for name, gender, country in (("A", "female", "FR"), ("B", "female", "KE"), ("C", "male", "FR")):
        training.training_record_create(actor=assistant, data={"full_name": name, "country": country, "gender": gender,
                                        "topic": "Risk profiling", "trained_on": dt.date(2026, 3, 1), "agency": "Customs"})  # fmt: skip
    training.training_record_create(actor=assistant, data={"full_name": "D", "country": "FR", "gender": "female",
                                    "topic": "Other", "trained_on": dt.date(2025, 1, 1)})  # fmt: skip
    qs = training.training_record_list(user=assistant, filters={"after": dt.date(2026, 1, 1)})
    totals = training.training_totals(qs)
    assert totals["total"] == 3 and totals["gender"] == {"female": 2, "male": 1}
    assert {r["country"]: r["n"] for r in totals["by_country"]} == {"FR": 2, "KE": 1}
    assert (
        training.training_totals(
            training.training_record_list(user=assistant, filters={"gender": "female", "country": "FR"})
        )["total"]
        == 2
    )
    ws = load_workbook(io.BytesIO(training.training_records_xlsx(user=assistant, filters={"topic": "risk"}))).active
    assert ws.max_row == 4

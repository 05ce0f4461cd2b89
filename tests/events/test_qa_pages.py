"""What people see on the events pages (a quality pass over issue 5): empty states, times in the
event's own zone, labels rather than codes, buttons of one size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from shieldhub.events import analytics
from tests.events.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

LATE_UTC = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)  # 10 March, 00:30 in Brussels


def test_invitations_panel_without_invitations_says_so_plainly(client, login, assistant):
    event = EventFactory()
    login(assistant)
    html = client.get(reverse("events:event-detail", args=[event.pk])).content.decode()
    assert "All 0 invitations" not in html
    assert f'href="{reverse("events:invitation-list", args=[event.pk])}">Invitations</a>' in html


def test_attendance_lists_sessions_at_the_events_local_time(client, login, assistant):
    event = EventFactory(starts_at=LATE_UTC, ends_at=LATE_UTC + dt.timedelta(hours=8), time_zone="Europe/Brussels")
    session = SessionFactory(event=event, title_en="Opening")
    login(assistant)
    html = client.get(reverse("events:attendance", args=[event.pk]), {"session": session.pk}).content.decode()
    assert "Tue 10 Mar 00:30 · Opening" in html  # not "Mon 9 Mar 23:30" (UTC)
    assert "03/10/2026 12:30 a.m." in html


def test_participant_list_pdf_dates_in_the_events_zone(client, login, assistant):
    import io

    from pypdf import PdfReader

    event = EventFactory(starts_at=LATE_UTC, ends_at=LATE_UTC + dt.timedelta(hours=8), time_zone="Europe/Brussels")
    login(assistant)
    response = client.get(reverse("events:participants-pdf", args=[event.pk]))
    content = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "10 March 2026" in content and "9 March 2026" not in content


def test_events_held_list_local_dates_and_translated_online(assistant):
    EventFactory(
        status="held",
        starts_at=LATE_UTC,
        ends_at=LATE_UTC + dt.timedelta(hours=2),
        time_zone="Europe/Brussels",
        venue_name="",
        online_url="https://meet.example/x",
    )
    with translation.override("fr"):
        rows = analytics.events_held_list(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert rows[0]["starts_on"] == dt.date(2026, 3, 10)
    assert rows[0]["venue"] == "en ligne"


def test_small_buttons_are_small_on_button_elements_too():
    css = (Path(settings.BASE_DIR) / "shieldhub/static/css/shieldhub.css").read_text()
    # `button.btn` sets the normal padding; without `button.btn-small` a small <button> is as big as a normal one
    assert any(line.startswith(".btn-small, button.btn-small {") for line in css.splitlines())


def test_letter_dates_written_out_and_address_lines_separated(assistant):
    from shieldhub.events import letters
    from tests.events.factories import InvitationFactory

    event = EventFactory(
        starts_at=LATE_UTC,
        ends_at=LATE_UTC + dt.timedelta(days=1),
        time_zone="Europe/Brussels",
        venue_name="Training centre",
        venue_address="Avenue Annakhil\nHay Riad\nRabat",
        reply_by=dt.date(2026, 2, 20),
    )
    english = letters.letter_context(InvitationFactory(event=event, language="en"))
    assert english["dates"] == "10 March 2026 – 11 March 2026"  # not "Mar. 10, 2026"
    assert english["reply_by"] == "20 February 2026"
    assert english["venue"].startswith("Training centre, Avenue Annakhil, Hay Riad, Rabat")
    french = letters.letter_context(InvitationFactory(event=event, language="fr"))
    assert french["dates"] == "10 mars 2026 – 11 mars 2026"


def test_check_in_times_at_the_events_local_time(client, login, assistant):
    from shieldhub.events.models import Attendance
    from tests.events.factories import RegistrationFactory

    event = EventFactory(time_zone="Africa/Nairobi")  # UTC+3
    reg = RegistrationFactory(event=event, status="approved")
    Attendance.objects.create(registration=reg, checked_in_at=dt.datetime(2026, 3, 9, 6, 5, tzinfo=dt.UTC))
    login(assistant)
    sheet = client.get(reverse("events:attendance", args=[event.pk]), {"session": ""}).content.decode()
    assert "09:05" in sheet and "06:05" not in sheet
    detail = client.get(reverse("events:registration-detail", args=[reg.pk])).content.decode()
    assert "03/09/2026 9:05 a.m." in detail


def test_ncp_registration_filters_without_a_country_choice(client, login, assistant, ncp_fr):
    from tests.events.factories import RegistrationFactory

    event = EventFactory()
    RegistrationFactory(event=event, country="FR", status="approved")
    url = reverse("events:registration-list", args=[event.pk])
    login(ncp_fr)  # sees France only: a list of 250 countries to filter by is noise
    html = client.get(url).content.decode()
    assert 'name="status"' in html and 'name="country"' not in html
    client.logout()
    login(assistant)
    assert 'name="country"' in client.get(url).content.decode()


def test_agenda_labels_french_colon(client, login, assistant):
    from django.utils import translation

    from shieldhub.events.templatetags.events_tags import colon_for

    assert colon_for("fr") == "\u00a0:" and colon_for("en") == ":"
    with translation.override("fr"):
        assert colon_for() == "\u00a0:"


def test_status_form_controls_line_up_under_their_labels():
    css = (Path(settings.BASE_DIR) / "shieldhub/events/static/events/events.css").read_text()
    # bottom alignment put the status <select> level with the reason's help text, below its label's row
    assert "status-form { display: flex; gap: .75rem; flex-wrap: wrap; align-items: flex-start;" in css
    assert ".event-manage .status-form > .btn { margin-top:" in css


def test_whole_event_sheet_counts_the_sessions_each_participant_attended(client, login, assistant):
    from shieldhub.events.models import Attendance
    from tests.events.factories import RegistrationFactory

    event = EventFactory()
    first = SessionFactory(event=event)
    second = SessionFactory(event=event, starts_at=first.ends_at, ends_at=first.ends_at + dt.timedelta(hours=1))
    came = RegistrationFactory(event=event, status="approved", family_name="Came")
    absent = RegistrationFactory(event=event, status="approved", family_name="Absent")
    Attendance.objects.create(registration=came, session=first)
    Attendance.objects.create(registration=came, session=second)
    login(assistant)
    html = client.get(reverse("events:attendance", args=[event.pk]), {"session": ""}).content.decode()
    row = html.split(f'id="att-{came.pk}"')[1].split("</tr>")[0]
    assert "checked in to 2 sessions" in row
    assert "checked in to" not in html.split(f'id="att-{absent.pk}"')[1].split("</tr>")[0]


def test_operation_event_without_sessions_has_no_empty_agenda_for_readers(client, login, assistant, ncp_fr):
    from tests.events.factories import InvitationFactory

    operation_event = EventFactory(kind="operation", status="announced")
    InvitationFactory(event=operation_event, country="FR")  # so that the NCP may see it
    login(ncp_fr)
    html = client.get(reverse("events:event-detail", args=[operation_event.pk])).content.decode()
    assert 'id="agenda"' not in html
    training = EventFactory(status="announced")
    InvitationFactory(event=training, country="FR")
    assert 'id="agenda"' in client.get(reverse("events:event-detail", args=[training.pk])).content.decode()
    client.logout()
    login(assistant)  # who may add sessions still sees the card
    assert 'id="agenda"' in client.get(reverse("events:event-detail", args=[operation_event.pk])).content.decode()


def test_letter_addressee_without_title_has_no_leading_space(assistant):
    import io

    import docx

    from shieldhub.events import letters
    from tests.events.factories import InvitationFactory
    from tests.factories import PersonFactory

    letters.letter_templates_ensure_defaults()
    person = PersonFactory(country="FR", title="", given_name="Kofi", family_name="Ndiaye")
    invitation = InvitationFactory(recipient=person, language="en")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(letters.letter_docx(invitation))).paragraphs]
    assert "Kofi Ndiaye" in paragraphs and " Kofi Ndiaye" not in paragraphs
    titled = InvitationFactory(recipient=PersonFactory(country="FR", title="ms", given_name="Awa", family_name="Diop"))
    titled.language = "en"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(letters.letter_docx(titled))).paragraphs]
    assert "Ms Awa Diop" in paragraphs


def test_invitation_list_letter_links_stay_on_one_line(client, login, assistant):
    from tests.events.factories import InvitationFactory

    invitation = InvitationFactory()
    login(assistant)
    html = client.get(reverse("events:invitation-list", args=[invitation.event.pk])).content.decode()
    assert "events/events.css" in html and '<td class="small nowrap"><a href=' in html


def test_an_operation_event_offers_no_badges_attendance_or_certificates(login, assistant):
    client = login(assistant)
    operation = EventFactory(kind="operation", status="announced")
    training = EventFactory(kind="training")
    body = client.get(reverse("events:event-detail", args=[operation.pk])).content.decode()
    assert "Participant list (XLSX)" in body
    assert "Badges (A6)" not in body and "Evaluation summary" not in body
    body = client.get(reverse("events:event-detail", args=[training.pk])).content.decode()
    assert "Badges (A6)" in body and "Evaluation summary" in body

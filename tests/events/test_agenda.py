"""The printable agenda: a PDF in English or French (`?lang=`, default the reader's language), its
text extracted with pypdf shows the sessions' titles in that language and their local times."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from shieldhub.events.pdf import render_pdf
from tests.events.factories import EventFactory, InvitationFactory, SessionFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def conference():
    start = dt.datetime(2027, 10, 5, 9, 0, tzinfo=BRUSSELS)
    event = EventFactory(
        kind="conference", title_en="Global Shield Conference", title_fr="Conférence Global Shield",
        starts_at=start, ends_at=start + dt.timedelta(days=1, hours=8), status="announced", rooms=["Plenary"],
    )  # fmt: skip
    opening = SessionFactory(event=event, title_en="Opening plenary", title_fr="Séance plénière d'ouverture",
                             starts_at=start, ends_at=start + dt.timedelta(hours=1), room="Plenary")  # fmt: skip
    opening.speakers.add(PersonFactory(given_name="Ana", family_name="Lopes", country="BR"))
    SessionFactory(event=event, title_en="Closing remarks", title_fr="Clôture",
                   starts_at=start + dt.timedelta(days=1, hours=7), ends_at=start + dt.timedelta(days=1, hours=8))  # fmt: skip
    return event


def test_agenda_pdf_in_english(login, coordinator, conference):
    response = login(coordinator).get(reverse("events:agenda-pdf", args=[conference.pk]), {"lang": "en"})
    assert response["Content-Type"] == "application/pdf"
    assert "agenda-global-shield-conference-en.pdf" in response["Content-Disposition"]
    text = _text(response.content)
    assert "Global Shield Conference" in text and "Opening plenary" in text and "Closing remarks" in text
    assert "09:00–10:00" in text and "Ana Lopes" in text and "Speakers" in text
    assert "Séance plénière" not in text


def test_agenda_pdf_in_french_and_by_default_in_the_readers_language(login, coordinator, conference):
    client = login(coordinator)
    text = _text(client.get(reverse("events:agenda-pdf", args=[conference.pk]), {"lang": "fr"}).content)
    assert "Conférence Global Shield" in text and "Séance plénière d'ouverture" in text and "Clôture" in text
    assert "Opening plenary" not in text
    assert "octobre" in text  # dates in French
    coordinator.language = "fr"
    coordinator.save()
    default = _text(client.get(reverse("events:agenda-pdf", args=[conference.pk])).content)
    assert "Séance plénière d'ouverture" in default


def test_agenda_pdf_follows_access(login, ncp_fr, conference):
    client = login(ncp_fr)
    assert client.get(reverse("events:agenda-pdf", args=[conference.pk])).status_code == 404
    InvitationFactory(event=conference, country="FR")
    assert client.get(reverse("events:agenda-pdf", args=[conference.pk])).status_code == 200


def test_render_pdf_renders_in_the_language_given():
    from django.utils import translation

    with translation.override("en"):
        pdf = render_pdf("events/pdf/agenda.html", {"event": EventFactory(), "days": [], "times": {},
                                                     "title": "T", "language": "fr"}, "fr")  # fmt: skip
    assert pdf.startswith(b"%PDF")

"""Letter templates and letters: defaults in EN and FR, placeholders rendered in the addressee's
language (python-docx), the PDF copy (pypdf), upload checks."""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shieldhub.events import letters
from shieldhub.events.models import LetterTemplate
from tests.events.factories import EventFactory, InvitationFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _docx_with(text: str) -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _invitation(language: str, **person):
    event = EventFactory(title_en="Precursor detection training", title_fr="Formation à la détection des précurseurs",
                         funding_terms_en="Travel and hotel paid by the WCO", funding_terms_fr="Voyage et hôtel pris en charge par l'OMD")  # fmt: skip
    recipient = PersonFactory(title="ms", given_name="Amina", family_name="Diallo", position="Director", **person)
    return InvitationFactory(
        event=event, recipient=recipient, country=recipient.country, language=language, status="draft", seats=3
    )


def test_defaults_are_stored_once_in_english_and_french():
    letters.letter_templates_ensure_defaults()
    letters.letter_templates_ensure_defaults()
    defaults = LetterTemplate.objects.filter(is_default=True, event=None)
    assert sorted(defaults.values_list("language", flat=True)) == ["en", "fr"]
    french = _text(bytes(defaults.get(language="fr").content))
    assert "WORLD CUSTOMS ORGANIZATION" in french and "Notre réf. : {{ reference }}" in french
    assert "{{ nomination_link }}" in french and "{{ signatory }}" in french


def test_french_letter_has_the_addressee_and_french_wording():
    inv = _invitation("fr", country="SN")
    text = _text(letters.letter_docx(inv, nomination_link="https://hub.example/events/nominate/abc/"))
    assert "Amina Diallo" in text and "Director" in text
    assert "Formation à la détection des précurseurs" in text
    assert "Objet : Invitation" in text and "Madame," in text  # salutation in French
    assert "Places offertes à votre administration : 3" in text
    assert "Voyage et hôtel pris en charge par l'OMD" in text
    assert "https://hub.example/events/nominate/abc/" in text
    assert "{{" not in text


def test_english_letter_and_its_pdf():
    inv = _invitation("en", country="KE")
    text = _text(letters.letter_docx(inv))
    assert "Dear Madam" in text and "Precursor detection training" in text and "Travel and hotel paid" in text
    pdf = _pdf_text(letters.letter_pdf(inv))
    assert "Amina Diallo" in pdf and "Precursor detection training" in pdf


def test_pdf_is_in_french_for_a_french_addressee():
    inv = _invitation("fr", country="FR")
    pdf = _pdf_text(letters.letter_pdf(inv))
    assert "Formation à la détection des précurseurs" in pdf
    assert "Objet" in pdf and "Bruxelles, le" in pdf and "Amina Diallo" in pdf


def test_edited_wording_replaces_the_default_paragraph():
    inv = _invitation("en", country="KE")
    inv.overrides = {"intro": "We warmly invite Kenya Revenue Authority to this course."}
    inv.save()
    text = _text(letters.letter_docx(inv))
    assert "We warmly invite Kenya Revenue Authority to this course." in text
    assert "On behalf of the Secretary General" not in text


def test_event_template_is_used_before_the_default(assistant):
    inv = _invitation("en", country="KE")
    upload = SimpleUploadedFile("own.docx", _docx_with("Special letter for {{ name }} about {{ event }}"))
    letters.letter_template_upload(
        actor=assistant, file=upload, name="Own", kind="invitation", language="en", event=inv.event
    )
    assert _text(letters.letter_docx(inv)) == "Special letter for Amina Diallo about Precursor detection training"


def test_upload_sets_default_and_refuses_bad_files(assistant):
    letters.letter_templates_ensure_defaults()
    good = SimpleUploadedFile("new.docx", _docx_with("Dear {{ name }}, {{ reply_by }}"))
    t = letters.letter_template_upload(
        actor=assistant, file=good, name="New", kind="invitation", language="en", make_default=True
    )
    assert t.is_default and LetterTemplate.objects.filter(language="en", is_default=True, event=None).get() == t

    def refused(data: bytes, name: str = "x.docx") -> str:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as info:
            letters.letter_template_upload(
                actor=assistant, file=SimpleUploadedFile(name, data), name="", kind="invitation", language="en"
            )
        return " ".join(info.value.messages)

    assert "unknown placeholders: bogus" in refused(_docx_with("Hello {{ bogus }}"))
    assert "error in a placeholder or tag" in refused(_docx_with("Hello {% frobnicate %}"))
    assert "not a Word document" in refused(b"%PDF-1.4 hello", "letter.pdf")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "zip archive" in refused(buf.getvalue())
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_with("x"))) as src, zipfile.ZipFile(macro, "w") as z:
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("word/vbaProject.bin", b"\x00" * 10)
    assert "macros" in refused(macro.getvalue())


def test_upload_size_limit(assistant, settings):
    settings.EVENTS_LETTER_TEMPLATE_MAX_BYTES = 1000
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="larger than"):
        letters.letter_template_upload(
            actor=assistant,
            file=SimpleUploadedFile("big.docx", _docx_with("x" * 5000)),
            name="",
            kind="invitation",
            language="en",
        )


def test_ncp_cannot_upload(ncp_fr):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        letters.letter_template_upload(
            actor=ncp_fr, file=SimpleUploadedFile("a.docx", _docx_with("x")), name="", kind="invitation", language="en"
        )


def test_template_page_upload_reports_errors_and_keeps_values(login, assistant):
    client = login(assistant)
    response = client.get("/events/letter-templates/")
    assert response.status_code == 200 and "Invitation letter (English)" in response.content.decode()
    bad = SimpleUploadedFile("bad.docx", _docx_with("Hi {{ nope }}"))
    response = client.post(
        "/events/letter-templates/", {"name": "Mine", "kind": "invitation", "language": "fr", "file": bad}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "unknown placeholders: nope" in body and 'value="Mine"' in body
    t = LetterTemplate.objects.get(language="fr", is_default=True)
    download = client.get(f"/events/letter-templates/{t.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert "{{ name }}" in _text(b"".join(download.streaming_content) if download.streaming else download.content)

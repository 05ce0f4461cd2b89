"""Photos and documents of seizure records: who sees them (file and thumbnail alike), who adds and
removes them, metadata stripping, refusals, audit, the page (htmx and without JavaScript), the API."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from shieldhub.core.models import AuditEntry
from shieldhub.seizures import attachments, services
from shieldhub.seizures.models import IncidentAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.SEIZURE_ATTACHMENTS_DIR = tmp_path / "seizure-attachments"
    return settings.SEIZURE_ATTACHMENTS_DIR


def jpeg_with_gps(size=(400, 200)) -> bytes:
    """A camera-like JPEG: EXIF with the GPS position, the camera make and a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 21.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the safe house")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored(attachment: IncidentAttachment, *, thumbnail: bool = False) -> Path:
    return attachments.STORE.root() / (attachment.thumbnail_name if thumbnail else attachment.storage_name)


@pytest.fixture
def record(ncp_fr, ncp_ke, partner_interpol, make):
    """Submitted by France, shared with Kenya; the INTERPOL partner is on its recipients (as after a
    correction that took the releasability away) but the record is not releasable to INTERPOL."""
    from shieldhub.seizures.models import IncidentRecipient

    incident = make(ncp_fr, submit=True, countries=["KE"])
    IncidentRecipient.objects.create(incident=incident, user=partner_interpol, reason="user")
    return incident


@pytest.fixture
def photo(ncp_fr, record):
    return attachments.attachment_add(
        actor=ncp_fr, incident=record, file=upload("IMG_0001.JPG", jpeg_with_gps(), "image/jpeg"), caption="Prills"
    )


@pytest.fixture
def document(ncp_fr, record):
    return attachments.attachment_add(actor=ncp_fr, incident=record, file=upload("lab report.pdf", PDF))


def _urls(incident, attachment):
    return [
        reverse("seizures:attachment-download", args=[incident.pk, attachment.pk]),
        reverse("seizures:attachment-thumbnail", args=[incident.pk, attachment.pk]),
        f"/api/v1/seizures/incidents/{incident.pk}/attachments/{attachment.pk}/content",
        f"/api/v1/seizures/incidents/{incident.pk}/attachments/{attachment.pk}/thumbnail",
    ]


# --- the pipeline ----------------------------------------------------------------------------------


def test_a_photo_loses_exif_and_gps_and_gets_a_thumbnail(ncp_fr, record, photo):
    data = stored(photo).read_bytes()
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    assert b"Canon" not in data and b"safe house" not in data
    assert (photo.kind, photo.width, photo.height, photo.caption) == ("image", 400, 200, "Prills")
    assert Image.open(stored(photo, thumbnail=True)).size == (320, 160)
    assert stat.S_IMODE(os.stat(stored(photo)).st_mode) == 0o600
    entry = AuditEntry.objects.get(action="seizures.attachment_add", extra__attachment=photo.pk)
    assert entry.extra["metadata_removed"] is True and entry.extra["sha256"] == photo.sha256


@pytest.mark.parametrize(
    ("name", "data", "what"), [("invoice.pdf", EXE, "a Windows program"), ("photo.jpg", HTML, "a web page")]
)
def test_a_renamed_program_or_web_page_is_refused_with_a_translated_message(ncp_fr, record, name, data, what):
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_add(actor=ncp_fr, incident=record, file=upload(name, data))
    assert what in exc.value.message_dict["file"][0]
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        attachments.attachment_add(actor=ncp_fr, incident=record, file=upload(name, data))
    message = str(exc.value.message_dict["file"][0])
    assert name in message and what not in message  # the French text, not the English one
    assert not IncidentAttachment.objects.exists()


def test_the_size_limit_is_enforced(settings, ncp_fr, record):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_add(actor=ncp_fr, incident=record, file=upload("big.csv", b"a,b\n" * 300_000))
    assert "larger than 1 MB" in exc.value.message_dict["file"][0]
    assert not IncidentAttachment.objects.exists()


# --- who sees them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ncp_ke", "coordinator", "analyst", "ncp_fr"], indirect=True)
def test_those_who_see_the_records_detail_get_file_and_thumbnail(login, persona, record, photo):
    client = login(persona)
    for url in _urls(record, photo):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
        assert response["Cache-Control"] == "private, no-store"
    page = client.get(reverse("seizures:incident-detail", args=[record.pk])).content.decode()
    assert reverse("seizures:attachment-thumbnail", args=[record.pk, photo.pk]) in page and "Prills" in page


def test_other_ncps_partners_without_releasability_donors_and_role_less_accounts_get_404(
    login, ncp_fr, record, photo, document, partner_interpol, donor, outsider, django_user_model
):
    from tests.factories import UserFactory

    ncp_de = UserFactory(email="ncp.de2@test.example", roles=["ncp"], country="DE", mfa=False)
    for user in (ncp_de, partner_interpol, donor, outsider):
        client = login(user)
        for attachment in (photo, document):
            for url in _urls(record, attachment):
                expected = (401, 404) if url.startswith("/api/") else (404,)  # no role: no API token
                assert client.get(url).status_code in expected, (user.email, url)
        listing = client.get(f"/api/v1/seizures/incidents/{record.pk}/attachments")
        assert listing.status_code in (401, 404), user.email
        with pytest.raises(Exception):  # noqa: B017 - Http404 from the selector
            attachments.attachment_get(user=user, pk=photo.pk)
    assert not AuditEntry.objects.filter(action="seizures.attachment_download").exists()


def test_a_partner_sees_them_once_the_record_is_releasable_to_it(login, ncp_fr, partner_interpol, make):
    incident = make(ncp_fr, submit=True, users=[partner_interpol], releasable_interpol=True)
    photo = attachments.attachment_add(actor=ncp_fr, incident=incident, file=upload("p.jpg", jpeg_with_gps()))
    client = login(partner_interpol)
    for url in _urls(incident, photo):
        assert client.get(url).status_code == 200, url


def test_the_recipient_of_a_shared_record_gets_the_file_and_the_download_is_audited(login, ncp_ke, record, document):
    client = login(ncp_ke)
    response = client.get(reverse("seizures:attachment-download", args=[record.pk, document.pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    entry = AuditEntry.objects.get(action="seizures.attachment_download")
    assert entry.actor == ncp_ke and entry.extra["attachment"] == document.pk
    listing = client.get(f"/api/v1/seizures/incidents/{record.pk}/attachments").json()
    assert [(a["name"], a["kind"]) for a in listing] == [("lab report.pdf", "document")]


def test_a_withdrawn_record_hides_its_files_from_its_recipients(login, ncp_fr, ncp_ke, record, photo):
    services.incident_withdraw(actor=ncp_fr, incident=record, note="Entered twice")
    client = login(ncp_ke)
    for url in _urls(record, photo):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/seizures/incidents/{record.pk}/attachments").json() == []
    page = client.get(reverse("seizures:incident-detail", args=[record.pk])).content.decode()
    assert "IMG_0001" not in page
    assert login(ncp_fr).get(_urls(record, photo)[0]).status_code == 200  # the reporting side keeps them


def test_a_file_of_another_record_is_not_reached_through_this_one(login, ncp_fr, ncp_ke, record, make):
    other = make(ncp_fr, submit=True)  # not shared with Kenya
    theirs = attachments.attachment_add(actor=ncp_fr, incident=other, file=upload("x.pdf", PDF))
    client = login(ncp_ke)
    assert client.get(reverse("seizures:attachment-download", args=[record.pk, theirs.pk])).status_code == 404


# --- who adds and removes ----------------------------------------------------------------------------


def test_only_the_reporting_side_adds_and_removes(ncp_fr, ncp_ke, analyst, record, photo):
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(actor=ncp_ke, incident=record, file=upload("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        attachments.attachment_delete(actor=ncp_ke, attachment=photo)
    added = attachments.attachment_add(actor=analyst, incident=record, file=upload("b.pdf", PDF))
    attachments.attachment_delete(actor=ncp_fr, attachment=added)
    assert list(IncidentAttachment.objects.values_list("pk", flat=True)) == [photo.pk]
    assert AuditEntry.objects.filter(action="seizures.attachment_delete", extra__attachment=added.pk).exists()


def test_a_draft_takes_files_from_its_author_and_a_withdrawn_record_none(ncp_fr, make):
    draft = make(ncp_fr)
    assert attachments.attachment_add(actor=ncp_fr, incident=draft, file=upload("a.pdf", PDF)).incident_id == draft.pk
    done = make(ncp_fr, submit=True)
    services.incident_withdraw(actor=ncp_fr, incident=done, note="Duplicate")
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(actor=ncp_fr, incident=done, file=upload("a.pdf", PDF))


def test_removed_files_go_with_the_cleanup(ncp_fr, record, photo):
    import datetime as dt

    from django.utils import timezone

    attachments.attachment_delete(actor=ncp_fr, attachment=photo)
    old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    for path in (stored(photo), stored(photo, thumbnail=True)):
        os.utime(path, (old, old))
    assert attachments.attachments_cleanup() == {"files": 2}
    assert not stored(photo).exists()
    assert attachments.attachments_cleanup() == {"files": 0}


# --- the page ---------------------------------------------------------------------------------------


def test_upload_with_htmx_returns_the_gallery(login, ncp_fr, record):
    client = login(ncp_fr)
    url = reverse("seizures:attachment-upload", args=[record.pk])
    response = client.post(
        url, {"file": upload("seized.jpg", jpeg_with_gps()), "caption": "Bags"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 201
    body = response.content.decode()
    attachment = IncidentAttachment.objects.get()
    assert 'id="incident-attachments"' in body and "Bags" in body
    assert reverse("seizures:attachment-thumbnail", args=[record.pk, attachment.pk]) in body


def test_upload_without_javascript_keeps_the_caption_on_error(login, ncp_fr, record):
    client = login(ncp_fr)
    url = reverse("seizures:attachment-upload", args=[record.pk])
    response = client.post(url, {"file": upload("report.pdf", EXE), "caption": "Manifest scan"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "is a Windows program, which cannot be attached" in body and 'value="Manifest scan"' in body
    response = client.post(url, {"file": upload("report.pdf", PDF)})
    assert response.status_code == 302 and IncidentAttachment.objects.get().original_name == "report.pdf"
    pk = IncidentAttachment.objects.get().pk
    response = client.post(reverse("seizures:attachment-delete", args=[record.pk, pk]))
    assert response.status_code == 302 and not IncidentAttachment.objects.exists()


def test_the_upload_form_is_for_the_reporting_side_only(login, ncp_fr, ncp_ke, record):
    url = reverse("seizures:incident-detail", args=[record.pk])
    assert 'name="caption"' in login(ncp_fr).get(url).content.decode()
    client = login(ncp_ke)
    assert 'name="caption"' not in client.get(url).content.decode()
    response = client.post(reverse("seizures:attachment-upload", args=[record.pk]), {"file": upload("a.pdf", PDF)})
    assert response.status_code == 403


def test_the_detail_page_query_count_does_not_grow_with_the_files(login, ncp_fr, record, django_assert_max_num_queries):
    client = login(ncp_fr)
    url = reverse("seizures:incident-detail", args=[record.pk])
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for i in range(5):
        attachments.attachment_add(actor=ncp_fr, incident=record, file=upload(f"{i}.pdf", PDF + bytes([i])))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- the API -------------------------------------------------------------------------------------------


def test_api_upload_list_and_download(login, ncp_fr, record):
    client = login(ncp_fr)
    base = f"/api/v1/seizures/incidents/{record.pk}/attachments"
    response = client.post(base, {"file": upload("scene.jpg", jpeg_with_gps()), "caption": "Container"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["caption"], data["width"], data["type"]) == ("image", "Container", 400, "image/jpeg")
    assert client.get(base).json()[0]["id"] == data["id"]
    content = client.get(data["content_url"])
    assert content.status_code == 200 and b"Canon" not in b"".join(content.streaming_content)
    refused = client.post(base, {"file": upload("x.pdf", EXE)})
    assert refused.status_code == 422 and "Windows program" in refused.content.decode()
    assert client.delete(f"{base}/{data['id']}").status_code == 204
    assert client.get(base).json() == []


def test_the_api_list_query_count_does_not_grow(login, ncp_fr, record, django_assert_max_num_queries):
    client = login(ncp_fr)
    url = f"/api/v1/seizures/incidents/{record.pk}/attachments"
    attachments.attachment_add(actor=ncp_fr, incident=record, file=upload("0.pdf", PDF))
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(1, 6):
        attachments.attachment_add(actor=ncp_fr, incident=record, file=upload(f"{i}.pdf", PDF + bytes([i])))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()) == 6

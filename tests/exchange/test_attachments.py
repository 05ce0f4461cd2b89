"""Attachments of the exchange: content checks, metadata stripping, storage, access, audit, API and
the compose page."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import ExifTags, Image, PngImagePlugin

from shieldhub.core.models import AuditEntry
from shieldhub.exchange import attachments, services
from shieldhub.exchange.models import Attachment, Message
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path):
    settings.EXCHANGE_ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.EXCHANGE_ATTACHMENTS_DIR


# --- files made for the tests ----------------------------------------------------------------------


def jpeg_with_gps(size=(400, 200)) -> bytes:
    """A camera-like JPEG: EXIF with GPS position, camera make, orientation 6 (turn 90°), a comment."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 21.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at the safe house")
    return out.getvalue()


def png_with_text(size=(64, 48)) -> bytes:
    image = Image.new("RGBA", size, (10, 120, 40, 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Agent Smith")
    info.add_text("Location", "48.85N 2.35E")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (30, 20), 3).save(out, "GIF")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'


def ooxml(main_part: str, extra: dict[str, bytes] | None = None, content_types: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types or b'<?xml version="1.0"?><Types></Types>')
        archive.writestr(main_part, b"<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def odf(mimetype: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored(attachment: Attachment, *, thumbnail: bool = False) -> Path:
    from django.conf import settings

    return Path(settings.EXCHANGE_ATTACHMENTS_DIR) / (
        attachment.thumbnail_name if thumbnail else attachment.storage_name
    )


def _error(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.message_dict["attachments"])


# --- content checks --------------------------------------------------------------------------------


def test_a_png_named_pdf_is_taken_for_what_it_is(ncp_fr):
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("scan.pdf", png_with_text(), PDF))
    assert (attachment.kind, attachment.content_type) == ("image", "image/png")
    assert attachment.original_name == "scan.png"
    assert (attachment.width, attachment.height) == (64, 48)
    assert attachment.thumbnail_name


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("holiday.jpg", EXE, "a Windows program"),
        ("photo.jpg", HTML, "a web page"),
        ("drawing.png", SVG, "a web page"),
        ("notes.txt", b"\x00\x01\x02binary\xff\xfe" * 20, "not a type that can be attached"),
        ("bundle.docx", ooxml("other/thing.xml"), "a zip archive"),
        ("macro.docx", ooxml("word/document.xml", {"word/vbaProject.bin": b"x"}), "macros"),
        ("latin1.txt", "Café à Douala".encode("latin-1"), "not a type that can be attached"),
    ],
)
def test_refused_by_content_with_a_clear_message(ncp_fr, name, data, says):
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_upload(actor=ncp_fr, file=upload(name, data, "image/jpeg"))
    assert says in _error(exc) and name in _error(exc)
    assert not Attachment.objects.exists()


def test_a_zip_bomb_is_refused(ncp_fr):
    bomb = ooxml("word/document.xml", {"word/media/big.bin": b"\x00" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_upload(actor=ncp_fr, file=upload("report.docx", bomb))
    assert "unreasonable size" in _error(exc)


def test_too_big_is_refused(ncp_fr, settings):
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    data = b"a,b\n" * (600 * 1024)
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_upload(actor=ncp_fr, file=upload("big.csv", data, "text/csv"))
    assert "larger than 2 MB" in _error(exc)
    with pytest.raises(ValidationError):
        attachments.attachment_upload(actor=ncp_fr, file=upload("empty.txt", b""))


def test_too_many_pixels_is_refused(ncp_fr, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    with pytest.raises(ValidationError) as exc:
        attachments.attachment_upload(actor=ncp_fr, file=upload("huge.jpg", jpeg_with_gps((400, 200))))
    assert "too many pixels" in _error(exc)


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_name"),
    [
        ("report.pdf", PDF, "application/pdf", "report.pdf"),
        ("report", PDF, "application/pdf", "report.pdf"),
        ("memo.docx", ooxml("word/document.xml"), attachments.DOCX, "memo.docx"),
        ("figures.xlsx", ooxml("xl/workbook.xml"), attachments.XLSX, "figures.xlsx"),
        ("slides.pptx", ooxml("ppt/presentation.xml"), attachments.PPTX, "slides.pptx"),
        ("note.odt", odf(attachments.ODT), attachments.ODT, "note.odt"),
        ("sheet.ods", odf(attachments.ODS), attachments.ODS, "sheet.ods"),
        ("seizures.csv", "date,port\n2025-01-02,Mombasa – Kilindini\n".encode(), "text/csv", "seizures.csv"),
        ("readme.txt", "Plain text, with accents: é.\n".encode(), "text/plain", "readme.txt"),
        ("page.html", b"Just words, no markup.\n", "text/plain", "page.txt"),
        ("anim.gif", gif_bytes(), "image/png", "anim.png"),
    ],
)
def test_accepted_types(ncp_fr, name, data, content_type, stored_name):
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload(name, data))
    assert attachment.content_type == content_type
    assert attachment.original_name == stored_name


def test_file_names_are_cleaned():
    assert attachments.clean_filename("../../etc/passwd") == "passwd"
    assert attachments.clean_filename("C:\\Users\\me\\photo.JPG", content_type="image/jpeg") == "photo.jpg"
    assert attachments.clean_filename("invoice\u202egpj.exe", content_type="application/pdf") == "invoicegpj.pdf"
    assert attachments.clean_filename("a\x00b\nc.txt", content_type="text/plain") == "abc.txt"
    assert attachments.clean_filename("Report 2024.03", content_type="application/pdf") == "Report 2024.03.pdf"
    assert len(attachments.clean_filename("x" * 400 + ".pdf", content_type="application/pdf")) == 150
    assert attachments.clean_filename("...", content_type="application/pdf") == "attachment.pdf"


# --- photos: metadata removed, turned upright, thumbnail -------------------------------------------


def test_exif_and_gps_are_removed_and_the_photo_turned_upright(ncp_fr):
    original = jpeg_with_gps((400, 200))
    assert b"Exif" in original and b"safe house" in original
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("IMG_0001.JPG", original, "image/jpeg"))
    data = stored(attachment).read_bytes()
    assert b"Exif" not in data and b"Canon" not in data and b"safe house" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
    # orientation 6 applied: the 400 x 200 picture stands 200 x 400
    assert image.size == (200, 400) and (attachment.width, attachment.height) == (200, 400)
    assert attachment.original_name == "IMG_0001.jpg"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest() and attachment.size == len(data)


def test_png_text_chunks_are_removed(ncp_fr):
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("map.png", png_with_text()))
    data = stored(attachment).read_bytes()
    assert b"Agent Smith" not in data and b"48.85N" not in data
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGBA" and not getattr(image, "text", {})


def test_thumbnail_is_made(ncp_fr):
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("wide.jpg", jpeg_with_gps((1000, 600))))
    thumb = Image.open(stored(attachment, thumbnail=True))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert thumb.size == attachments.thumbnail_size(attachment.width, attachment.height) == (192, 320)
    assert b"Exif" not in stored(attachment, thumbnail=True).read_bytes()


def test_documents_have_no_thumbnail(ncp_fr):
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("r.pdf", PDF))
    assert attachment.kind == "document" and attachment.thumbnail_name == "" and attachment.width is None


# --- storage ---------------------------------------------------------------------------------------


def test_stored_privately_by_content_outside_the_web_root(ncp_fr, ncp_ke, attachments_dir):
    first = attachments.attachment_upload(actor=ncp_fr, file=upload("a.pdf", PDF))
    second = attachments.attachment_upload(actor=ncp_ke, file=upload("b.pdf", PDF))
    path = stored(first)
    assert path.is_file() and attachments_dir in path.parents
    assert path.name == f"{first.sha256}.pdf" and first.storage_name == second.storage_name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes() == PDF


def test_the_default_folder_is_outside_static_and_media_roots():
    from config import settings as configured

    folder = Path(configured.EXCHANGE_ATTACHMENTS_DIR)
    for root in (Path(configured.STATIC_ROOT), Path(configured.MEDIA_ROOT), configured.PACKAGE_DIR):
        assert root != folder and root not in folder.parents and folder not in Path(root).parents


def test_no_url_serves_the_folder(login, ncp_fr):
    from django.views.static import serve

    def callbacks(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from callbacks(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback

    assert serve not in set(callbacks(get_resolver().url_patterns))
    attachment = attachments.attachment_upload(actor=ncp_fr, file=upload("a.pdf", PDF))
    client = login(ncp_fr)
    for prefix in ("/static/", "/media/", "/files/", "/attachments/", "/"):
        assert client.get(prefix + attachment.storage_name).status_code == 404


# --- linking, copying ------------------------------------------------------------------------------


@pytest.fixture
def photo(ncp_fr):
    return attachments.attachment_upload(actor=ncp_fr, file=upload("seizure.jpg", jpeg_with_gps(), "image/jpeg"))


@pytest.fixture
def document(ncp_fr):
    return attachments.attachment_upload(actor=ncp_fr, file=upload("manifest.pdf", PDF, "application/pdf"))


@pytest.fixture
def alert(ncp_fr, ncp_de, europe, send, photo, document):
    return services.message_send(
        actor=ncp_fr,
        data={"kind": "alert", "subject": "Photo alert", "body": "See the photo.", "tlp": "amber"},
        distribution=services.Distribution(communities=[europe.pk]),
        attachments=[photo.pk, document.pk],
    )


def test_send_links_the_uploads(alert, photo, document):
    assert sorted(alert.attachments.values_list("pk", flat=True)) == [photo.pk, document.pk]
    entry = AuditEntry.objects.get(action="exchange.message_send", object_id=str(alert.pk))
    assert sorted(entry.extra["attachments"]) == [photo.pk, document.pk]


def test_only_own_unsent_uploads_can_be_sent(ncp_fr, ncp_de, ncp_ke, send, alert, photo):
    theirs = attachments.attachment_upload(actor=ncp_ke, file=upload("k.pdf", PDF))
    before = Message.objects.count()
    for ids in ([theirs.pk], [photo.pk], [999999]):  # someone else's, already sent, unknown
        with pytest.raises(ValidationError) as exc:
            services.message_send(
                actor=ncp_fr,
                data={"subject": "x", "body": "y"},
                distribution=services.Distribution(users=[ncp_de.pk]),
                attachments=ids,
            )
        assert "attachments" in exc.value.message_dict
    assert Message.objects.count() == before
    assert Attachment.objects.get(pk=theirs.pk).message is None


def test_copy_for_a_forward_shares_the_files(ncp_fr, ncp_de, ncp_ke, alert, send):
    target = send(ncp_de, users=[ncp_ke], subject="Fwd: Photo alert")
    copies = attachments.attachments_copy(actor=ncp_de, source=alert, target=target)
    assert [c.message_id for c in copies] == [target.pk, target.pk]
    assert sorted(c.storage_name for c in copies) == sorted(alert.attachments.values_list("storage_name", flat=True))
    assert attachments.attachment_get(user=ncp_ke, pk=copies[0].pk)
    with pytest.raises(Http404):
        attachments.attachment_get(user=ncp_ke, pk=alert.attachments.first().pk)
    with pytest.raises(Http404):  # the source must be visible to whoever copies it
        attachments.attachments_copy(actor=ncp_ke, source=alert, target=send(ncp_ke, users=[ncp_fr]))
    services.message_withdraw(actor=ncp_fr, message=alert, note="wrong port")
    with pytest.raises(ValidationError):
        attachments.attachments_copy(actor=ncp_de, source=alert, target=target)


# --- access ----------------------------------------------------------------------------------------


def _urls(attachment):
    return [
        reverse("exchange:attachment-download", args=[attachment.pk]),
        reverse("exchange:attachment-thumbnail", args=[attachment.pk]),
        f"/api/v1/exchange/attachments/{attachment.pk}",
        f"/api/v1/exchange/attachments/{attachment.pk}/content",
        f"/api/v1/exchange/attachments/{attachment.pk}/thumbnail",
    ]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ncp_fr", 200),  # the sender
        ("ncp_de", 200),  # a recipient
        ("ncp_ke", 404),  # an NCP outside the distribution
        ("coordinator", 404),  # the secretariat sees only what it was sent
        ("admin_user", 404),
        ("partner_interpol", 404),  # a member of the community, but the alert is not releasable
        ("donor", 403),  # no exchange at all
    ],
)
def test_access_matrix(login, request, alert, photo, europe, persona, expected):
    MembershipFactory(community=europe, user=request.getfixturevalue("partner_interpol"))
    user = request.getfixturevalue(persona)
    client = login(user)
    for url in _urls(photo):
        status = client.get(url).status_code
        assert status == expected or (expected == 403 and status == 404), (persona, url, status)


def test_outsider_cannot_reach_attachments(login, outsider, alert, photo):
    client = login(outsider)
    for url in _urls(photo):
        assert client.get(url).status_code in (401, 403, 404)


def test_partner_with_releasability_sees_them(login, ncp_fr, europe, partner_interpol):
    MembershipFactory(community=europe, user=partner_interpol)
    pdf = attachments.attachment_upload(actor=ncp_fr, file=upload("r.pdf", PDF))
    services.message_send(
        actor=ncp_fr,
        data={"subject": "For INTERPOL too", "body": "x", "releasable_interpol": True},
        distribution=services.Distribution(communities=[europe.pk]),
        attachments=[pdf.pk],
    )
    assert login(partner_interpol).get(reverse("exchange:attachment-download", args=[pdf.pk])).status_code == 200


def test_withdrawn_message_hides_attachments_from_recipients(login, ncp_fr, ncp_de, alert, photo):
    services.message_withdraw(actor=ncp_fr, message=alert, note="wrong photo")
    client = login(ncp_de)
    for url in _urls(photo):
        assert client.get(url).status_code == 404
    page = client.get(reverse("exchange:message-detail", args=[alert.pk]))
    assert b"seizure.jpg" not in page.content and b"thumbnail" not in page.content
    assert login(ncp_fr).get(reverse("exchange:attachment-download", args=[photo.pk])).status_code == 200


def test_an_unsent_upload_is_its_uploaders_alone(login, ncp_fr, ncp_de, ncp_ke, coordinator, europe, send):
    send(ncp_fr, communities=[europe])  # ncp_de shares a message with the uploader: still not theirs
    mine = attachments.attachment_upload(actor=ncp_fr, file=upload("draft.pdf", PDF))
    assert login(ncp_fr).get(reverse("exchange:attachment-download", args=[mine.pk])).status_code == 200
    for user in (ncp_de, ncp_ke, coordinator):
        client = login(user)
        for url in _urls(mine):
            assert client.get(url).status_code == 404
        assert client.post(reverse("exchange:attachment-delete", args=[mine.pk])).status_code == 404
    assert Attachment.objects.filter(pk=mine.pk).exists()


def test_message_page_shows_thumbnails_and_documents(login, ncp_de, alert, photo, document):
    page = login(ncp_de).get(reverse("exchange:message-detail", args=[alert.pk])).content.decode()
    thumb = reverse("exchange:attachment-thumbnail", args=[photo.pk])
    assert f'src="{thumb}"' in page
    assert 'alt="Photo: seizure.jpg"' in page and 'width="160" height="320"' in page
    assert reverse("exchange:attachment-download", args=[document.pk]) in page
    assert "manifest.pdf" in page and "PDF document" in page


def test_emails_never_carry_attachments(ncp_fr, ncp_de, europe, django_capture_on_commit_callbacks):
    pdf = attachments.attachment_upload(actor=ncp_fr, file=upload("secret.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(
            actor=ncp_fr,
            data={"kind": "alert", "subject": "Mail check", "body": "x"},
            distribution=services.Distribution(users=[ncp_de.pk]),
            attachments=[pdf.pk],
        )
    assert [email.to for email in mail.outbox] == [[ncp_de.email]]  # the alert is emailed at once …
    for email in mail.outbox:  # … with a link, never the file
        assert email.attachments == []
        assert b"%PDF" not in email.message().as_bytes()


# --- downloads: headers and audit ------------------------------------------------------------------


def test_download_headers_and_audit(login, ncp_de, alert, photo, document):
    client = login(ncp_de)
    response = client.get(reverse("exchange:attachment-download", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;") and "manifest.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.filter(action="exchange.attachment_download").latest("seq")
    assert entry.actor == ncp_de and entry.object_id == str(document.pk) and entry.extra["message"] == alert.pk

    image = client.get(reverse("exchange:attachment-download", args=[photo.pk]))
    assert image["Content-Type"] == "image/jpeg" and image["Content-Disposition"].startswith("inline")
    saved = client.get(reverse("exchange:attachment-download", args=[photo.pk]), {"download": "1"})
    assert saved["Content-Disposition"].startswith("attachment")
    count = AuditEntry.objects.filter(action="exchange.attachment_download").count()
    assert count == 3
    thumb = client.get(reverse("exchange:attachment-thumbnail", args=[photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb["X-Content-Type-Options"] == "nosniff" and thumb["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="exchange.attachment_download").count() == count  # not audited
    assert client.get(reverse("exchange:attachment-thumbnail", args=[document.pk])).status_code == 404


def test_upload_is_audited(ncp_fr, photo):
    entry = AuditEntry.objects.get(action="exchange.attachment_upload", object_id=str(photo.pk))
    assert entry.actor == ncp_fr and entry.extra["metadata_removed"] is True
    assert entry.extra["sha256"] == photo.sha256 and entry.extra["uploaded_sha256"] != photo.sha256


# --- cleanup ---------------------------------------------------------------------------------------


def test_cleanup_removes_stale_uploads_and_orphan_files(ncp_fr, alert, photo, attachments_dir):
    stale = attachments.attachment_upload(actor=ncp_fr, file=upload("old.txt", b"old news\n"))
    fresh = attachments.attachment_upload(actor=ncp_fr, file=upload("new.txt", b"new news\n"))
    Attachment.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    shared = attachments.attachment_upload(actor=ncp_fr, file=upload("again.jpg", jpeg_with_gps()))
    Attachment.objects.filter(pk=shared.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert shared.storage_name == photo.storage_name  # same bytes, same file
    old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    for path in attachments_dir.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))

    result = attachments.attachments_cleanup()
    assert result == {"uploads": 2, "files": 1}
    assert set(Attachment.objects.values_list("pk", flat=True)) >= {fresh.pk, photo.pk}
    assert not Attachment.objects.filter(pk__in=[stale.pk, shared.pk]).exists()
    assert not stored(stale).exists()
    assert stored(photo).exists() and stored(photo, thumbnail=True).exists() and stored(fresh).exists()
    assert AuditEntry.objects.filter(action="exchange.attachment_cleanup").exists()
    assert attachments.attachments_cleanup() == {"uploads": 0, "files": 0}  # idempotent


def test_cleanup_is_a_periodic_task():
    from shieldhub.core.scheduling import REGISTRY
    from shieldhub.exchange import tasks  # noqa: F401 - registers the exchange's periodic jobs

    assert REGISTRY["exchange.attachments_cleanup"].task is attachments.attachments_cleanup_task
    assert attachments.attachments_cleanup_task.call() == {"uploads": 0, "files": 0}


# --- API -------------------------------------------------------------------------------------------


def test_api_upload_send_download(login, ncp_fr, ncp_de, ncp_ke, europe):
    client = login(ncp_fr)
    response = client.post("/api/v1/exchange/attachments", {"file": upload("IMG.jpg", jpeg_with_gps(), "image/jpeg")})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("name", "type", "kind", "width", "height", "message")} == {
        "name": "IMG.jpg",
        "type": "image/jpeg",
        "kind": "image",
        "width": 200,
        "height": 400,
        "message": None,
    }
    assert body["size"] > 0 and body["content_url"].endswith("/content") and body["thumbnail_url"]
    refused = client.post("/api/v1/exchange/attachments", {"file": upload("x.jpg", EXE, "image/jpeg")})
    assert refused.status_code == 422 and "a Windows program" in str(refused.json()["error"]["details"])

    sent = client.post(
        "/api/v1/exchange/messages",
        {
            "kind": "alert",
            "subject": "API photo",
            "body": "x",
            "attachments": [body["id"]],
            "distribution": {"communities": [europe.pk]},
        },
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    assert [a["id"] for a in sent.json()["attachments"]] == [body["id"]]

    reader = login(ncp_de)
    message = reader.get(f"/api/v1/exchange/messages/{sent.json()['id']}").json()
    assert message["attachments"][0]["name"] == "IMG.jpg" and message["attachments"][0]["message"] == message["id"]
    content = reader.get(body["content_url"])
    assert content.status_code == 200 and content["Content-Disposition"].startswith("attachment")
    assert Image.open(io.BytesIO(b"".join(content.streaming_content))).size == (200, 400)
    assert reader.get(body["thumbnail_url"]).status_code == 200
    assert reader.get(f"/api/v1/exchange/attachments/{body['id']}").json()["id"] == body["id"]
    assert AuditEntry.objects.filter(action="exchange.attachment_download", actor=ncp_de).count() == 1

    outsider = login(ncp_ke)
    for url in (body["content_url"], body["thumbnail_url"], f"/api/v1/exchange/attachments/{body['id']}"):
        assert outsider.get(url).status_code == 404


def test_api_send_refuses_someone_elses_upload(login, ncp_fr, ncp_de):
    theirs = attachments.attachment_upload(actor=ncp_de, file=upload("d.pdf", PDF))
    response = login(ncp_fr).post(
        "/api/v1/exchange/messages",
        {"subject": "x", "body": "y", "attachments": [theirs.pk], "distribution": {"users": [ncp_de.pk]}},
        content_type="application/json",
    )
    assert response.status_code == 422 and "attachments" in response.json()["error"]["details"]


def test_api_delete_and_read_only_token(client, login, ncp_fr):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=ncp_fr, user=ncp_fr, name="ro", scopes=["read"], expires_in_days=30)
    response = client.post(
        "/api/v1/exchange/attachments", {"file": upload("a.pdf", PDF)}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403 and not Attachment.objects.exists()
    mine = attachments.attachment_upload(actor=ncp_fr, file=upload("a.pdf", PDF))
    assert login(ncp_fr).delete(f"/api/v1/exchange/attachments/{mine.pk}").status_code == 204
    assert not Attachment.objects.exists()


# --- the compose page ------------------------------------------------------------------------------


def _compose_data(europe, **extra):
    data = {
        "kind": "alert",
        "subject": "Compose with a photo",
        "body": "See attached.",
        "language": "en",
        "tlp": "amber",
        "to_communities": [europe.pk],
    }
    data.update(extra)
    return data


def test_compose_has_a_multipart_form_with_an_upload_control(login, ncp_fr):
    page = login(ncp_fr).get(reverse("exchange:compose")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="upload"' in page
    assert f'hx-post="{reverse("exchange:attachment-upload")}"' in page


def test_htmx_upload_then_send(login, ncp_fr, ncp_de, europe):
    client = login(ncp_fr)
    response = client.post(
        reverse("exchange:attachment-upload"),
        {"upload": upload("seizure.jpg", jpeg_with_gps(), "image/jpeg")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    html = response.content.decode()
    assert f'name="attachments" value="{attachment.pk}"' in html and "seizure.jpg" in html
    assert reverse("exchange:attachment-delete", args=[attachment.pk]) in html
    # a second upload keeps the first one listed
    second = client.post(
        reverse("exchange:attachment-upload"),
        {"upload": upload("manifest.pdf", PDF), "attachments": [attachment.pk]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "seizure.jpg" in second and "manifest.pdf" in second
    ids = list(Attachment.objects.order_by("pk").values_list("pk", flat=True))

    response = client.post(reverse("exchange:compose"), _compose_data(europe, attachments=ids))
    assert response.status_code == 302
    message = Message.objects.get(subject="Compose with a photo")
    assert sorted(message.attachments.values_list("pk", flat=True)) == ids


def test_htmx_upload_refused_shows_the_reason(login, ncp_fr):
    response = login(ncp_fr).post(
        reverse("exchange:attachment-upload"),
        {"upload": upload("cute.jpg", HTML, "image/jpeg")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "a web page" in response.content.decode()
    plain = login(ncp_fr).post(reverse("exchange:attachment-upload"), {"upload": upload("cute.jpg", HTML)})
    assert plain.status_code == 422
    assert not Attachment.objects.exists()


def test_without_javascript_a_failed_send_keeps_the_uploads(login, ncp_fr, ncp_de, europe):
    client = login(ncp_fr)
    # the files go with the form; the subject is missing, so nothing is sent …
    response = client.post(
        reverse("exchange:compose"),
        _compose_data(europe, subject="", upload=[upload("a.jpg", jpeg_with_gps()), upload("b.pdf", PDF)]),
    )
    assert response.status_code == 200 and not Message.objects.exists()
    ids = sorted(Attachment.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    html = response.content.decode()
    for pk in ids:
        assert f'name="attachments" value="{pk}"' in html  # … and the uploads are listed again
    # the sender removes one, without JavaScript: the form comes back without it
    response = client.post(
        reverse("exchange:compose"), _compose_data(europe, attachments=ids, remove_attachment=ids[1])
    )
    assert response.status_code == 200 and not Message.objects.exists()
    assert list(Attachment.objects.values_list("pk", flat=True)) == [ids[0]]
    # the corrected form is sent with the remaining upload
    response = client.post(reverse("exchange:compose"), _compose_data(europe, attachments=[ids[0]]))
    assert response.status_code == 302
    assert list(Message.objects.get().attachments.values_list("pk", flat=True)) == [ids[0]]


def test_a_refused_file_in_the_form_stops_the_send(login, ncp_fr, europe):
    response = login(ncp_fr).post(
        reverse("exchange:compose"), _compose_data(europe, upload=[upload("virus.jpg", EXE, "image/jpeg")])
    )
    assert response.status_code == 200 and "a Windows program" in response.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_compose_ignores_uploads_that_are_not_the_senders(login, ncp_fr, ncp_de, europe):
    theirs = attachments.attachment_upload(actor=ncp_de, file=upload("d.pdf", PDF))
    response = login(ncp_fr).post(reverse("exchange:compose"), _compose_data(europe, attachments=[theirs.pk]))
    assert response.status_code == 302
    assert Attachment.objects.get(pk=theirs.pk).message is None


def test_htmx_remove_button(login, ncp_fr):
    mine = attachments.attachment_upload(actor=ncp_fr, file=upload("a.pdf", PDF))
    response = login(ncp_fr).post(reverse("exchange:attachment-delete", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.filter(action="exchange.attachment_delete", object_id=str(mine.pk)).exists()


def test_compose_deadline_for_requests(login, ncp_fr, europe):
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = login(ncp_fr).post(reverse("exchange:compose"), _compose_data(europe, kind="rfi", deadline=deadline))
    assert response.status_code == 302
    assert Message.objects.get().deadline == deadline


def test_the_default_limit_is_twenty_megabytes():
    """The issue's 20 MB, as `config.settings` reads it with no UPLOAD_MAX_MB in the environment."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "UPLOAD_MAX_MB"}
    env["SHIELDHUB_ENV"] = "test"
    code = "from config import settings; print(settings.UPLOAD_MAX_BYTES)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert int(out.stdout.strip()) == 20 * 1024 * 1024

"""The shared file pipeline (`shieldhub.core.files`): content checks, photo cleaning, storage by hash,
the cleanup shared by stores in one directory, and the safe response."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import ExifTags, Image

from shieldhub.core import files


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (400, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 21.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


@pytest.fixture
def stores(settings, tmp_path):
    """Two stores in one directory, each with its own rows (names in a set)."""
    settings.FILES_TEST_A = tmp_path / "shared"
    settings.FILES_TEST_B = tmp_path / "shared"
    rows_a: set[str] = set()
    rows_b: set[str] = set()
    a = files.FileStore("FILES_TEST_A", default=lambda: tmp_path / "a", references=lambda n: rows_a & set(n))
    b = files.FileStore("FILES_TEST_B", default=lambda: tmp_path / "b", references=lambda n: rows_b & set(n))
    yield a, b, rows_a, rows_b
    files._STORES.remove(a)
    files._STORES.remove(b)


def test_sniff_goes_by_content_and_names_what_it_refuses():
    assert files.sniff(jpeg_with_gps(), "x.pdf") == files.Sniffed(files.IMAGE, files.JPEG)
    assert files.sniff(b"%PDF-1.4\n", "a.jpg").content_type == files.PDF
    assert files.sniff(b"a;b\n1;2\n", "t.csv").content_type == files.CSV
    with pytest.raises(ValidationError) as exc:
        files.sniff(EXE, "invoice.pdf", field="file")
    assert "a Windows program" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        files.sniff(b"<html><script>x</script></html>", "photo.jpg")
    assert "a web page" in exc.value.message_dict["attachments"][0]


def test_read_upload_limits_the_size(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        files.read_upload(SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 1)), "big.txt", field="file")
    assert "larger than 1 MB" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        files.read_upload(SimpleUploadedFile("e.txt", b""), "e.txt")


def test_clean_image_drops_exif_and_gps():
    clean = files.clean_image(jpeg_with_gps(), files.JPEG, "p.jpg")
    image = Image.open(io.BytesIO(clean.data))
    assert not image.getexif() and "exif" not in image.info
    assert b"Canon" not in clean.data
    assert Image.open(io.BytesIO(clean.thumbnail)).size == files.thumbnail_size(400, 200) == (320, 160)


def test_store_by_hash_once_mode_0600(stores):
    a, _b, _ra, _rb = stores
    name, digest = a.store(b"hello", ".txt")
    assert name == f"{digest[:2]}/{digest}.txt"
    assert a.store(b"hello", ".txt") == (name, digest)
    path = a.path(name)
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(Http404):
        a.path("../../etc/passwd")


def test_cleanup_keeps_what_any_store_in_the_directory_refers_to(stores):
    a, b, _rows_a, rows_b = stores
    used_by_b, _d = b.store(b"b's photo", ".jpg")
    orphan, _d = a.store(b"nobody's", ".txt")
    rows_b.add(used_by_b)
    old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    for path in (a.path(used_by_b), a.path(orphan)):
        os.utime(path, (old, old))
    assert a.delete_orphans(now=timezone.now()) == 1
    assert a.path(used_by_b).exists() and not a.path(orphan).exists()
    assert a.delete_orphans(now=timezone.now()) == 0


def test_process_upload_and_safe_response(stores):
    a, _b, _ra, _rb = stores
    stored = files.process_upload(SimpleUploadedFile("IMG 1.JPEG", jpeg_with_gps(), "image/jpeg"), store=a)
    assert stored.kind == files.IMAGE and stored.metadata_removed
    assert stored.original_name == "IMG 1.jpeg" and stored.sha256 != stored.uploaded_sha256
    assert stored.thumbnail_name and a.path(stored.thumbnail_name).exists()
    response = files.file_response(
        files.open_stored(a, stored.storage_name),
        content_type=stored.content_type,
        filename="x.jpg",
        as_attachment=True,
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")
    with pytest.raises(Http404):
        files.open_stored(a, "00/missing.txt")


@pytest.mark.django_db
def test_stored_file_response_photo_document_thumbnail_and_the_download_callback(stores):
    """`stored_file_response`: a photo inline (or saved), a document always saved, the thumbnail as a
    JPEG named after the file; the callback only for the file itself, once it is open; 404s."""
    from types import SimpleNamespace

    a, _b, _ra, _rb = stores
    stored = files.process_upload(SimpleUploadedFile("IMG 1.JPEG", jpeg_with_gps(), "image/jpeg"), store=a)
    photo = SimpleNamespace(**stored.row_fields())
    calls: list[bool] = []

    response = files.stored_file_response(a, photo, inline=True, on_download=calls.append)
    assert response["Content-Type"] == files.JPEG and response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff" and calls == [True]
    response = files.stored_file_response(a, photo, inline=False, on_download=calls.append)
    assert response["Content-Disposition"].startswith("attachment") and calls == [True, False]
    response = files.stored_file_response(a, photo, thumbnail=True, on_download=calls.append)
    assert 'filename="IMG 1-thumbnail.jpg"' in response["Content-Disposition"] and calls == [True, False]
    assert b"".join(response.streaming_content) == a.path(stored.thumbnail_name).read_bytes()

    pdf = files.process_upload(SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"), store=a)
    document = SimpleNamespace(**pdf.row_fields())
    response = files.stored_file_response(a, document, inline=True, on_download=calls.append)
    assert response["Content-Disposition"].startswith("attachment") and calls[-1] is False
    with pytest.raises(Http404):
        files.stored_file_response(a, document, thumbnail=True, on_download=calls.append)
    document.storage_name = "00/missing.pdf"
    before = len(calls)
    with pytest.raises(Http404):
        files.stored_file_response(a, document, on_download=calls.append)
    assert len(calls) == before  # a missing file is not recorded as downloaded


def test_row_fields_audit_extra_caption_and_decorate(stores):
    a, _b, _ra, _rb = stores
    stored = files.process_upload(SimpleUploadedFile("IMG.jpg", jpeg_with_gps(), "image/jpeg"), store=a)
    assert stored.row_fields()["storage_name"] == stored.storage_name and stored.row_fields()["width"] == 400
    assert stored.audit_extra()["uploaded_sha256"] == stored.uploaded_sha256
    assert stored.audit_extra()["metadata_removed"] is True
    assert files.clean_caption("  two\n lines \t ") == "two lines" and len(files.clean_caption("x" * 400)) == 300
    from types import SimpleNamespace

    (item,) = files.decorate([SimpleNamespace(**stored.row_fields())])
    assert (item.type_label, item.ext_label, item.thumb_width, item.thumb_height) == ("JPEG photo", "JPG", 320, 160)

"""Attachments of the exchange: photos and documents sent with messages.

- **Upload** (`attachment_upload`): size-limited (``UPLOAD_MAX_BYTES``) and checked by content, never
  by the file's name or the browser's content type. Photos (JPEG, PNG, WebP; GIF becomes PNG) are
  decoded with Pillow within its decompression-bomb limit, turned upright from their EXIF orientation
  and re-encoded from their pixels alone, so no EXIF, GPS, XMP, ICC profile or comment survives; a
  320-pixel JPEG thumbnail is made. Documents (PDF, Word/Excel/PowerPoint, OpenDocument text and
  spreadsheet, UTF-8 text and CSV) are kept as sent once their structure is checked (zip-based
  formats: expected parts, no macros, bounded expansion).
- **Storage**: ``EXCHANGE_ATTACHMENTS_DIR``, outside the web root; each file is named by the SHA-256
  of its stored bytes (mode 0600), so a forward shares the file with a new row.
- **Links**: an upload is its uploader's alone until `attachments_link` ties it to the message it is
  sent with (inside `services.message_send`); from then on it is seen by whoever may see that
  message's body (`messages_visible_q`, `message_body_visible`). Anything else is a 404.
- **Reads**: `attachment_get`, `attachments_for_message`, `attachment_download` (audited; thumbnails
  are access-checked the same way but not audited one by one).
- **Cleanup**: `attachments_cleanup`, hourly: uploads never sent within 24 hours, and stored files no
  row refers to any more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from PIL import Image, ImageOps

from shieldhub.core.access import NOTHING, Perm, has_perm, message_body_visible, messages_visible_q, require
from shieldhub.core.audit import audit_record
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.choices import AttachmentKind
from shieldhub.exchange.models import Attachment, Message

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = 320
MAX_PER_MESSAGE = 20
MAX_NAME_LENGTH = 150
UNSENT_KEPT = dt.timedelta(hours=24)
ORPHAN_GRACE = dt.timedelta(hours=1)  # a file younger than this may belong to an upload still committing
# Zip-based documents: bounds on what they may expand to.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_RATIO = 200
ZIP_MAX_EXPANDED = 500 * 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF = "image/gif"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
CSV = "text/csv"

# The extensions each stored type may carry; the first is the one given to a name that has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    JPEG: (".jpg", ".jpeg", ".jpe"),
    PNG: (".png",),
    WEBP: (".webp",),
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
    ODT: (".odt",),
    ODS: (".ods",),
    TEXT: (".txt", ".text", ".log", ".md", ".tsv"),
    CSV: (".csv",),
}
TYPE_LABELS: dict[str, Any] = {
    JPEG: _("JPEG photo"),
    PNG: _("PNG image"),
    WEBP: _("WebP image"),
    PDF: _("PDF document"),
    DOCX: _("Word document"),
    XLSX: _("Excel workbook"),
    PPTX: _("PowerPoint presentation"),
    ODT: _("OpenDocument text"),
    ODS: _("OpenDocument spreadsheet"),
    TEXT: _("Text file"),
    CSV: _("CSV table"),
}
# What the browser's file picker offers (a convenience only: the server checks the content).
ACCEPT = "image/jpeg,image/png,image/webp,image/gif,.pdf,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv"

_EXTENSION = re.compile(r"^\.(?=[0-9]*[a-z])[a-z0-9]{1,5}$", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF"}
_OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_ODF_MIMETYPES = {ODT.encode(): ODT, ODS.encode(): ODS}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe", b"<!--")
_MARKUP_ANYWHERE = (b"<script", b"<html", b"<svg", b"<iframe", b"javascript:")
# Names for what is refused, so that the person uploading understands why.
_REFUSED_NAMES = {
    "application/x-msdownload": _("a Windows program"),
    "application/x-executable": _("a program"),
    "application/x-elf": _("a program"),
    "application/x-mach-binary": _("a program"),
    "application/zip": _("a zip archive"),
    "application/x-rar-compressed": _("an archive"),
    "application/x-7z-compressed": _("an archive"),
    "application/gzip": _("an archive"),
    "application/x-tar": _("an archive"),
    "application/msword": _("an old Word document (.doc): save it as .docx or PDF"),
    "application/vnd.ms-excel": _("an old Excel workbook (.xls): save it as .xlsx"),
    "application/vnd.ms-powerpoint": _("an old PowerPoint file (.ppt): save it as .pptx or PDF"),
    "image/heic": _("a HEIC photo: export it as JPEG"),
    "image/tiff": _("a TIFF image: export it as PNG or JPEG"),
    "image/bmp": _("a BMP image: export it as PNG"),
    "image/svg+xml": _("an SVG drawing"),
    "text/html": _("a web page"),
}


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str


def _refuse(name: str, what: Any = None) -> ValidationError:
    if what:
        message = _("“%(name)s” is %(what)s, which cannot be attached.") % {"name": name, "what": what}
    else:
        message = _(
            "“%(name)s” is not a type that can be attached. Attach photos (JPEG, PNG, WebP, GIF) or documents "
            "(PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV)."
        ) % {"name": name}
    return ValidationError({"attachments": [message]})


# --- names ---------------------------------------------------------------------------------------


def clean_filename(name: Any, *, content_type: str = "") -> str:
    """The base name, without control or invisible characters (no right-to-left tricks), at most
    150 characters; with ``content_type``, ending with an extension that matches the stored type
    (a PNG sent as “scan.pdf” is kept as “scan.png”)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split()).strip(" .") or "attachment"
    stem, ext = os.path.splitext(text)
    allowed = EXTENSIONS.get(content_type)
    if allowed is not None and ext.lower() not in allowed:
        if not _EXTENSION.match(ext):  # “Report 2024.03” keeps its dot and gains an extension
            stem = text
        ext = allowed[0]
    elif allowed is not None:
        ext = ext.lower()
    stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") or "attachment"
    return stem + ext


# --- content checks ------------------------------------------------------------------------------


def _sniff_zip(data: bytes, name: str) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _("a damaged document")) from None
    if len(infos) > ZIP_MAX_MEMBERS or sum(i.file_size for i in infos) > ZIP_MAX_EXPANDED:
        raise _refuse(name, _("a document that expands to an unreasonable size"))
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(name, _("a document that expands to an unreasonable size"))
        if info.flag_bits & 0x1:
            raise _refuse(name, _("an encrypted document"))
    names = {i.filename for i in infos}
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].strip()
        if mimetype in _ODF_MIMETYPES and "content.xml" in names:
            if any(n.lower().startswith(("basic/", "scripts/")) for n in names):
                raise _refuse(name, _("a document with macros"))
            return Sniffed(AttachmentKind.DOCUMENT, _ODF_MIMETYPES[mimetype])
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse(name, _("a document with macros"))
        content_types = archive.read("[Content_Types].xml")[:200_000].lower()
        if b"macroenabled" in content_types:
            raise _refuse(name, _("a document with macros"))
        for part, content_type in _OOXML_MAIN_PARTS.items():
            if part in names:
                return Sniffed(AttachmentKind.DOCUMENT, content_type)
    raise _refuse(name, _REFUSED_NAMES["application/zip"])


def _sniff_text(data: bytes, name: str) -> Sniffed:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(name) from None
    if _CONTROL.search(text):
        raise _refuse(name)
    head = body[:2048].lstrip().lower()
    if head.startswith(_MARKUP_STARTS) or any(marker in head for marker in _MARKUP_ANYWHERE):
        raise _refuse(name, _REFUSED_NAMES["text/html"])
    is_csv = os.path.splitext(name)[1].lower() == ".csv"
    return Sniffed(AttachmentKind.DOCUMENT, CSV if is_csv else TEXT)


def sniff(data: bytes, name: str) -> Sniffed:
    """What the bytes are, whatever the name says; a ValidationError for anything not accepted."""
    import filetype

    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed(AttachmentKind.IMAGE, JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(AttachmentKind.IMAGE, PNG)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed(AttachmentKind.IMAGE, WEBP)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(AttachmentKind.IMAGE, GIF)
    if data.startswith(b"%PDF-"):
        return Sniffed(AttachmentKind.DOCUMENT, PDF)
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name)
    guessed = filetype.guess(data[:8192])
    if guessed is not None:
        raise _refuse(name, _REFUSED_NAMES.get(guessed.mime))
    if b"\x00" in data[:8192]:
        raise _refuse(name)
    return _sniff_text(data, name)


# --- photos --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes


def thumbnail_size(width: int | None, height: int | None) -> tuple[int, int]:
    """The thumbnail's size: the longer side at most 320 pixels, the proportions kept."""
    if not width or not height:
        return (0, 0)
    scale = min(1.0, THUMBNAIL_SIZE / max(width, height))
    return (max(1, round(width * scale)), max(1, round(height * scale)))


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted through the embedded ICC profile, so that dropping it changes nothing visible."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if "A" in image.getbands() else "RGB"
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        return converted if converted is not None else image
    except Exception:  # a broken profile: keep the pixels as they are
        logger.info("ICC profile ignored", exc_info=True)
        return image


def _pixels_only(image: Image.Image, target: str) -> Image.Image:
    """A new image holding only the pixels: no EXIF, GPS, XMP, ICC profile, comment or text chunk."""
    has_alpha = "A" in image.getbands() or (image.mode == "P" and "transparency" in image.info)
    if target == JPEG:
        mode = "L" if image.mode in ("L", "1", "I;16", "I") else "RGB"
    elif image.mode in ("RGB", "RGBA", "L", "LA"):
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _thumbnail(image: Image.Image) -> bytes:
    small = image.resize(thumbnail_size(image.width, image.height), Image.Resampling.LANCZOS)
    if "A" in small.getbands():
        background = Image.new("RGB", small.size, (255, 255, 255))
        background.paste(small, mask=small.getchannel("A"))
        small = background
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def clean_image(data: bytes, content_type: str, name: str) -> CleanImage:
    """Decode, turn upright, re-encode from the pixels alone, and make the thumbnail."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != _PIL_FORMATS[content_type]:
                raise _refuse(name, _("a damaged image"))
            if image.width * image.height > (Image.MAX_IMAGE_PIXELS or 89_478_485):
                raise _refuse(name, _("an image with too many pixels"))
            image.seek(0)  # animations keep their first frame
            image.load()
            try:
                upright = ImageOps.exif_transpose(image) or image
            except Exception:  # unreadable EXIF: the orientation is unknown, the pixels are fine
                upright = image
            upright = _to_srgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(name, _("an image with too many pixels")) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _refuse(name, _("a damaged image")) from None
    target = PNG if content_type == GIF else content_type
    clean = _pixels_only(upright, target)
    out = io.BytesIO()
    if target == JPEG:
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif target == PNG:
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=90, method=4)
    return CleanImage(out.getvalue(), target, clean.width, clean.height, _thumbnail(clean))


# --- storage -------------------------------------------------------------------------------------


def storage_root() -> Path:
    return Path(settings.EXCHANGE_ATTACHMENTS_DIR)


def _path(name: str) -> Path:
    root = storage_root().resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise Http404
    return path


def _store(data: bytes, extension: str) -> tuple[str, str]:
    """Write the bytes under their SHA-256 (once); returns the storage name and the digest."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{digest[:2]}/{digest}{extension}"
    path = _path(name)
    if path.exists():
        os.utime(path)  # fresh again, so that the cleanup leaves it to the row about to refer to it
        return name, digest
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return name, digest


# --- services ------------------------------------------------------------------------------------


def _read(file: Any, name: str) -> bytes:
    limit = int(settings.UPLOAD_MAX_BYTES)
    too_big = ValidationError(
        {
            "attachments": [
                _("“%(name)s” is larger than %(size)s MB, the most a file may be.")
                % {"name": name, "size": limit // (1024 * 1024)}
            ]
        }
    )
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise too_big
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationError({"attachments": [_("“%(name)s” is empty.") % {"name": name}]})
    return bytes(data)


def attachment_upload(*, actor: Any, file: Any) -> Attachment:
    """Check, clean and store an uploaded file; it stays its uploader's until sent with a message."""
    require(actor, Perm.EXCHANGE_USE)
    given_name = clean_filename(getattr(file, "name", "") or "")
    data = _read(file, given_name)
    sniffed = sniff(data, given_name)
    width = height = None
    thumbnail_name = ""
    original_sha256 = hashlib.sha256(data).hexdigest()
    content_type = sniffed.content_type
    if sniffed.kind == AttachmentKind.IMAGE:
        image = clean_image(data, sniffed.content_type, given_name)
        data, content_type, width, height = image.data, image.content_type, image.width, image.height
        thumbnail_name, _digest = _store(image.thumbnail, ".jpg")
    storage_name, digest = _store(data, EXTENSIONS[content_type][0])
    with transaction.atomic():
        attachment = Attachment(
            uploaded_by=actor,
            original_name=clean_filename(given_name, content_type=content_type),
            content_type=content_type,
            kind=sniffed.kind,
            size=len(data),
            sha256=digest,
            storage_name=storage_name,
            thumbnail_name=thumbnail_name,
            width=width,
            height=height,
        )
        attachment.full_clean(exclude=["message", "uploaded_by"])
        attachment.save()
        audit_record(
            actor=actor,
            action="exchange.attachment_upload",
            obj=attachment,
            extra={
                "name": attachment.original_name,
                "content_type": content_type,
                "size": attachment.size,
                "sha256": digest,
                "uploaded_sha256": original_sha256,
                "uploaded_size": getattr(file, "size", None),
                "browser_content_type": str(getattr(file, "content_type", "") or "")[:100],
                "metadata_removed": sniffed.kind == AttachmentKind.IMAGE,
            },
        )
    return attachment


def _clean_ids(ids: Any) -> list[int]:
    try:
        return list(dict.fromkeys(int(i) for i in ids or []))
    except (TypeError, ValueError):
        raise ValidationError({"attachments": [_("Unknown attachment.")]}) from None


def attachments_link(*, actor: Any, message: Message, ids: list[int]) -> list[Attachment]:
    """Link the actor's own unsent uploads to a message being sent (inside its transaction)."""
    wanted = _clean_ids(ids)
    if not wanted:
        return []
    if len(wanted) > MAX_PER_MESSAGE:
        raise ValidationError(
            {"attachments": [_("A message carries at most %(count)s attachments.") % {"count": MAX_PER_MESSAGE}]}
        )
    with transaction.atomic():
        found = list(
            Attachment.objects.select_for_update()
            .filter(pk__in=wanted, uploaded_by=actor, message__isnull=True)
            .order_by("pk")
        )
        if len(found) != len(wanted):
            raise ValidationError(
                {"attachments": [_("One of the attachments is not an upload of yours waiting to be sent.")]}
            )
        Attachment.objects.filter(pk__in=[a.pk for a in found]).update(message=message)
    for attachment in found:
        attachment.message = message
    return found


@transaction.atomic
def attachments_copy(*, actor: Any, source: Message, target: Message) -> list[Attachment]:
    """New rows on ``target`` (a message the actor is sending) sharing the stored files of ``source``."""
    from shieldhub.exchange.selectors import message_get

    require(actor, Perm.EXCHANGE_USE)
    source = message_get(user=actor, pk=source.pk)
    if not message_body_visible(actor, source):
        raise ValidationError({"attachments": [_("The attachments of a withdrawn message cannot be forwarded.")]})
    if target.sender_id != actor.pk:
        raise PermissionDenied
    originals = list(Attachment.objects.filter(message=source).order_by("pk"))
    copies = Attachment.objects.bulk_create(
        [
            Attachment(
                message=target,
                uploaded_by=actor,
                original_name=a.original_name,
                content_type=a.content_type,
                kind=a.kind,
                size=a.size,
                sha256=a.sha256,
                storage_name=a.storage_name,
                thumbnail_name=a.thumbnail_name,
                width=a.width,
                height=a.height,
            )
            for a in originals
        ]
    )
    if copies:
        audit_record(
            actor=actor,
            action="exchange.attachment_copy",
            obj=target,
            extra={"source": source.pk, "from": [a.pk for a in originals], "to": [a.pk for a in copies]},
        )
    return copies


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    """The uploader removes an upload not yet sent (the stored file goes with the next cleanup)."""
    require(actor, Perm.EXCHANGE_USE)
    # ordered by pk: the model's ordering joins the message, and PostgreSQL refuses FOR UPDATE on an outer join
    row = (
        Attachment.objects.select_for_update()
        .filter(pk=attachment.pk, uploaded_by=actor, message__isnull=True)
        .order_by("pk")
        .first()
    )
    if row is None:
        raise Http404
    audit_record(
        actor=actor,
        action="exchange.attachment_delete",
        obj=row,
        extra={"name": row.original_name, "sha256": row.sha256},
    )
    row.delete()


# --- selectors -----------------------------------------------------------------------------------


def attachments_visible_q(user: Any) -> Q:
    """Own uploads not yet sent, and the attachments of messages the user may see."""
    if not has_perm(user, Perm.EXCHANGE_USE):
        return NOTHING
    messages = Message.objects.filter(messages_visible_q(user)).values("pk")
    return Q(message__isnull=True, uploaded_by=user) | Q(message__in=messages)


def attachment_get(*, user: Any, pk: Any) -> Attachment:
    """The attachment, if the user may see it (and the body of its message); 404 otherwise."""
    try:
        attachment = Attachment.objects.filter(attachments_visible_q(user)).select_related("message").get(pk=int(pk))
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if attachment.message is not None and not message_body_visible(user, attachment.message):
        raise Http404
    return attachment


def attachments_for_message(*, user: Any, message: Message) -> list[Attachment]:
    """The attachments of a message the user sees, none when its body is hidden from them."""
    if not message_body_visible(user, message):
        return []
    return list(Attachment.objects.filter(attachments_visible_q(user), message=message).order_by("pk"))


def attachments_pending(*, user: Any, ids: Any) -> list[Attachment]:
    """Which of these ids are the user's own uploads still waiting to be sent (others are dropped)."""
    try:
        wanted = [int(i) for i in ids or [] if str(i).strip()]
    except (TypeError, ValueError):
        return []
    if not wanted or not has_perm(user, Perm.EXCHANGE_USE):
        return []
    found = {a.pk: a for a in Attachment.objects.filter(pk__in=wanted, uploaded_by=user, message__isnull=True)}
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def type_label(attachment: Attachment) -> str:
    return str(TYPE_LABELS.get(attachment.content_type, attachment.content_type))


def attachment_download(*, actor: Any, attachment: Attachment, thumbnail: bool = False, inline: bool = True) -> Any:
    """The stored file as a response, access-checked again; the download of a file is audited."""
    attachment = attachment_get(user=actor, pk=attachment.pk)
    if thumbnail:
        if not attachment.thumbnail_name:
            raise Http404
        name, content_type, as_attachment = attachment.thumbnail_name, JPEG, False
        filename = os.path.splitext(attachment.original_name)[0] + "-thumbnail.jpg"
    else:
        name, content_type, filename = attachment.storage_name, attachment.content_type, attachment.original_name
        as_attachment = not (inline and attachment.kind == AttachmentKind.IMAGE)
    try:
        handle = _path(name).open("rb")
    except FileNotFoundError:
        logger.error("Attachment %s: stored file %s is missing", attachment.pk, name)
        raise Http404 from None
    if not thumbnail:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="exchange.attachment_download",
                obj=attachment,
                extra={"message": attachment.message_id, "sha256": attachment.sha256, "inline": not as_attachment},
            )
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- cleanup -------------------------------------------------------------------------------------


def _delete_orphan_files(now: dt.datetime) -> int:
    root = storage_root()
    if not root.is_dir():
        return 0
    cutoff = (now - ORPHAN_GRACE).timestamp()
    removed = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = {f"{folder.name}/{p.name}": p for p in folder.iterdir() if p.is_file()}
        if not files:
            continue
        used = set(
            Attachment.objects.filter(Q(storage_name__in=list(files)) | Q(thumbnail_name__in=list(files))).values_list(
                "storage_name", "thumbnail_name"
            )
        )
        referenced = {name for pair in used for name in pair}
        for name, path in files.items():
            if name in referenced:
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
    return removed


def attachments_cleanup(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete uploads left unsent for 24 hours, then stored files that no row refers to."""
    now = now or timezone.now()
    stale: QuerySet[Attachment] = Attachment.objects.filter(message__isnull=True, created_at__lt=now - UNSENT_KEPT)
    ids = list(stale.values_list("pk", flat=True)[:10_000])
    if ids:
        with transaction.atomic():
            deleted, _counts = Attachment.objects.filter(pk__in=ids, message__isnull=True).delete()
            audit_record(
                actor=None,
                action="exchange.attachment_cleanup",
                object_type="exchange.attachment",
                extra={"unsent_deleted": ids[:1000], "count": deleted},
            )
    files = _delete_orphan_files(now)
    return {"uploads": len(ids), "files": files}


@periodic("exchange.attachments_cleanup", every=dt.timedelta(hours=1))
@task()
def attachments_cleanup_task() -> dict[str, int]:
    """Hourly: idempotent (what is gone stays gone)."""
    return attachments_cleanup()

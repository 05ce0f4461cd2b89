"""Uploaded files, whatever record they belong to: the checks, the cleaning, the storage and the
safe response that every app with photos or documents shares (the exchange's attachments, seizure
records' photos, shipment documents). Nothing here knows a model or the access policy: each app
keeps its own rows, rules and audit entries and calls these.

- **Content, not names** (`sniff`): what a file is comes from its bytes, never from its name or the
  browser's content type. Photos: JPEG, PNG, WebP, GIF. Documents: PDF, Word/Excel/PowerPoint,
  OpenDocument text and spreadsheet (zip-based formats: expected parts, no macros, no encryption,
  bounded expansion), UTF-8 text and CSV (no markup). Anything else (programs, web pages, SVG,
  archives, old Office formats…) is refused with a message saying what it is.
- **Size** (`read_upload`): at most ``UPLOAD_MAX_BYTES``; empty files are refused.
- **Photos** (`clean_image`): decoded with Pillow within its decompression-bomb limit, turned upright
  from their EXIF orientation, converted to sRGB, re-encoded from their pixels alone — no EXIF, GPS,
  XMP, ICC profile or comment survives — with a 320-pixel JPEG thumbnail. A GIF becomes a PNG.
- **Names** (`clean_filename`): base name only, no control or invisible characters, at most 150
  characters, an extension that matches the stored type.
- **Storage** (`FileStore`): a directory outside the web root named by a setting; each file is named
  by the SHA-256 of its bytes (``ab/abcdef….ext``, mode 0600, written atomically), so the same bytes
  are stored once. `FileStore.delete_orphans` removes files no row refers to (after a grace period);
  stores sharing one directory are asked together, so that one app never deletes another's file.
- **Processing** (`process_upload`): all of the above in one call, giving a `StoredFile` to copy
  onto a row.
- **Rows** (`StoredFile.row_fields`, `StoredFile.audit_extra`, `references_in`, `decorate`): the fields
  every model holding a stored file shares, what its upload's audit entry records, its store's
  ``references``, and what the templates show besides the fields.
- **Serving** (`open_stored`, `file_response`, `stored_file_response`): only through views that have applied the access policy; the
  response forbids sniffing, caching and scripts (``nosniff``, ``no-store``, a sandbox CSP).

Errors are ``ValidationError({field: [message]})`` with translated messages naming the file.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

__all__ = [
    "ACCEPT",
    "CSV",
    "DOCUMENT",
    "DOCX",
    "EXTENSIONS",
    "GIF",
    "IMAGE",
    "JPEG",
    "ODS",
    "ODT",
    "PDF",
    "PNG",
    "PPTX",
    "TEXT",
    "THUMBNAIL_SIZE",
    "TYPE_LABELS",
    "WEBP",
    "XLSX",
    "CleanImage",
    "FileStore",
    "Sniffed",
    "StoredFile",
    "clean_caption",
    "clean_filename",
    "clean_image",
    "decorate",
    "file_response",
    "max_upload_mb",
    "open_stored",
    "process_upload",
    "read_upload",
    "references_in",
    "sniff",
    "stored_file_response",
    "thumbnail_size",
    "type_label",
]

# What a file is, broadly: the exchange's `AttachmentKind` and the other apps' kinds use these values.
IMAGE = "image"
DOCUMENT = "document"

THUMBNAIL_SIZE = 320
MAX_NAME_LENGTH = 150
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
    """What the bytes are: ``kind`` (`IMAGE` or `DOCUMENT`) and the content type to store."""

    kind: str
    content_type: str


def _refuse(name: str, what: Any = None, *, field: str = "attachments") -> ValidationError:
    if what:
        message = _("“%(name)s” is %(what)s, which cannot be attached.") % {"name": name, "what": what}
    else:
        message = _(
            "“%(name)s” is not a type that can be attached. Attach photos (JPEG, PNG, WebP, GIF) or documents "
            "(PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV)."
        ) % {"name": name}
    return ValidationError({field: [message]})


def type_label(content_type: str) -> str:
    """The type's name for people (“PDF document”), or the content type itself."""
    return str(TYPE_LABELS.get(content_type, content_type))


def max_upload_mb() -> int:
    return int(settings.UPLOAD_MAX_BYTES) // (1024 * 1024)


def clean_caption(caption: Any, *, max_length: int = 300) -> str:
    """A caption on one line: white space folded, at most ``max_length`` characters."""
    return " ".join(str(caption or "").split())[:max_length]


def decorate(items: list[Any]) -> list[Any]:
    """What the templates show besides a stored file's fields: the type's name (``type_label``), the
    extension's badge (``ext_label``) and the thumbnail's size (``thumb_width``, ``thumb_height``)."""
    for item in items:
        item.type_label = type_label(item.content_type)
        item.ext_label = EXTENSIONS.get(item.content_type, (".",))[0][1:].upper()
        item.thumb_width, item.thumb_height = thumbnail_size(item.width, item.height)
    return items


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


def _sniff_zip(data: bytes, name: str, field: str) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _("a damaged document"), field=field) from None
    if len(infos) > ZIP_MAX_MEMBERS or sum(i.file_size for i in infos) > ZIP_MAX_EXPANDED:
        raise _refuse(name, _("a document that expands to an unreasonable size"), field=field)
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(name, _("a document that expands to an unreasonable size"), field=field)
        if info.flag_bits & 0x1:
            raise _refuse(name, _("an encrypted document"), field=field)
    names = {i.filename for i in infos}
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].strip()
        if mimetype in _ODF_MIMETYPES and "content.xml" in names:
            if any(n.lower().startswith(("basic/", "scripts/")) for n in names):
                raise _refuse(name, _("a document with macros"), field=field)
            return Sniffed(DOCUMENT, _ODF_MIMETYPES[mimetype])
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse(name, _("a document with macros"), field=field)
        content_types = archive.read("[Content_Types].xml")[:200_000].lower()
        if b"macroenabled" in content_types:
            raise _refuse(name, _("a document with macros"), field=field)
        for part, content_type in _OOXML_MAIN_PARTS.items():
            if part in names:
                return Sniffed(DOCUMENT, content_type)
    raise _refuse(name, _REFUSED_NAMES["application/zip"], field=field)


def _sniff_text(data: bytes, name: str, field: str) -> Sniffed:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(name, field=field) from None
    if _CONTROL.search(text):
        raise _refuse(name, field=field)
    head = body[:2048].lstrip().lower()
    if head.startswith(_MARKUP_STARTS) or any(marker in head for marker in _MARKUP_ANYWHERE):
        raise _refuse(name, _REFUSED_NAMES["text/html"], field=field)
    is_csv = os.path.splitext(name)[1].lower() == ".csv"
    return Sniffed(DOCUMENT, CSV if is_csv else TEXT)


def sniff(data: bytes, name: str, *, field: str = "attachments") -> Sniffed:
    """What the bytes are, whatever the name says; a ValidationError on ``field`` for anything not accepted."""
    import filetype

    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed(IMAGE, JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(IMAGE, PNG)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Sniffed(IMAGE, WEBP)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(IMAGE, GIF)
    if data.startswith(b"%PDF-"):
        return Sniffed(DOCUMENT, PDF)
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name, field)
    guessed = filetype.guess(data[:8192])
    if guessed is not None:
        raise _refuse(name, _REFUSED_NAMES.get(guessed.mime), field=field)
    if b"\x00" in data[:8192]:
        raise _refuse(name, field=field)
    return _sniff_text(data, name, field)


def read_upload(file: Any, name: str, *, field: str = "attachments") -> bytes:
    """The bytes of an uploaded file, refused when larger than ``UPLOAD_MAX_BYTES`` or empty."""
    limit = int(settings.UPLOAD_MAX_BYTES)
    too_big = ValidationError(
        {
            field: [
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
        raise ValidationError({field: [_("“%(name)s” is empty.") % {"name": name}]})
    return bytes(data)


# --- photos --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanImage:
    """A photo re-encoded from its pixels alone, with its size and its JPEG thumbnail."""

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


def clean_image(data: bytes, content_type: str, name: str, *, field: str = "attachments") -> CleanImage:
    """Decode, turn upright, re-encode from the pixels alone, and make the thumbnail."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != _PIL_FORMATS[content_type]:
                raise _refuse(name, _("a damaged image"), field=field)
            if image.width * image.height > (Image.MAX_IMAGE_PIXELS or 89_478_485):
                raise _refuse(name, _("an image with too many pixels"), field=field)
            image.seek(0)  # animations keep their first frame
            image.load()
            try:
                upright = ImageOps.exif_transpose(image) or image
            except Exception:  # unreadable EXIF: the orientation is unknown, the pixels are fine
                upright = image
            upright = _to_srgb(upright)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(name, _("an image with too many pixels"), field=field) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _refuse(name, _("a damaged image"), field=field) from None
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

# Every store, so that a cleanup asks all the stores sharing its directory which files are in use.
_STORES: list[FileStore] = []


class FileStore:
    """Files named by the SHA-256 of their bytes under the directory of a setting (read on each use,
    so tests and deployments may change it), outside the web root.

    ``references(names)`` answers which of these storage names rows still refer to; the cleanup keeps
    those (and those of every other store in the same directory)."""

    def __init__(self, setting: str, default: Callable[[], Path], references: Callable[[list[str]], Iterable[str]]):
        self.setting = setting
        self.default = default
        self.references = references
        _STORES.append(self)

    def root(self) -> Path:
        value = getattr(settings, self.setting, None)
        return Path(value) if value else self.default()

    def path(self, name: str) -> Path:
        """The file's path; a name leading outside the directory is a 404."""
        root = self.root().resolve()
        path = (root / name).resolve()
        if root not in path.parents:
            raise Http404
        return path

    def store(self, data: bytes, extension: str) -> tuple[str, str]:
        """Write the bytes under their SHA-256 (once); returns the storage name and the digest."""
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest[:2]}/{digest}{extension}"
        path = self.path(name)
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

    def open(self, name: str) -> Any:
        """The stored file, open for reading; FileNotFoundError when it is missing."""
        return self.path(name).open("rb")

    def _referenced(self, names: list[str]) -> set[str]:
        root = self.root().resolve()
        found: set[str] = set()
        for other in _STORES:
            if other is self or other.root().resolve() == root:
                found.update(n for n in other.references(names) if n)
        return found

    def delete_orphans(self, *, now: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE) -> int:
        """Delete the stored files that no row refers to, once older than ``grace``; idempotent."""
        root = self.root()
        if not root.is_dir():
            return 0
        cutoff = (now - grace).timestamp()
        removed = 0
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            files = {f"{folder.name}/{p.name}": p for p in folder.iterdir() if p.is_file()}
            if not files:
                continue
            referenced = self._referenced(list(files))
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


def references_in(model: Any) -> Callable[[list[str]], set[str]]:
    """A `FileStore` ``references`` for a model with ``storage_name`` and ``thumbnail_name`` fields."""

    def references(names: list[str]) -> set[str]:
        used = model.objects.filter(Q(storage_name__in=names) | Q(thumbnail_name__in=names)).values_list(
            "storage_name", "thumbnail_name"
        )
        return {name for pair in used for name in pair}

    return references


@dataclass(frozen=True)
class StoredFile:
    """What an accepted upload became: copy these onto the row that owns it."""

    original_name: str
    content_type: str
    kind: str
    size: int
    sha256: str
    storage_name: str
    thumbnail_name: str
    width: int | None
    height: int | None
    uploaded_sha256: str
    uploaded_size: int | None
    browser_content_type: str

    @property
    def metadata_removed(self) -> bool:
        return self.kind == IMAGE

    def row_fields(self) -> dict[str, Any]:
        """The fields of the row that owns the file (the same names on every such model)."""
        return {
            "original_name": self.original_name,
            "content_type": self.content_type,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
            "storage_name": self.storage_name,
            "thumbnail_name": self.thumbnail_name,
            "width": self.width,
            "height": self.height,
        }

    def audit_extra(self) -> dict[str, Any]:
        """What the audit entry of an upload records about the file: what was sent and what was kept."""
        return {
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "uploaded_sha256": self.uploaded_sha256,
            "uploaded_size": self.uploaded_size,
            "browser_content_type": self.browser_content_type,
            "metadata_removed": self.metadata_removed,
        }


def process_upload(file: Any, *, store: FileStore, field: str = "attachments") -> StoredFile:
    """Read (size limit), check by content, clean a photo (metadata removed, thumbnail) and store."""
    given_name = clean_filename(getattr(file, "name", "") or "")
    data = read_upload(file, given_name, field=field)
    sniffed = sniff(data, given_name, field=field)
    width = height = None
    thumbnail_name = ""
    original_sha256 = hashlib.sha256(data).hexdigest()
    content_type = sniffed.content_type
    if sniffed.kind == IMAGE:
        image = clean_image(data, sniffed.content_type, given_name, field=field)
        data, content_type, width, height = image.data, image.content_type, image.width, image.height
        thumbnail_name, _digest = store.store(image.thumbnail, ".jpg")
    storage_name, digest = store.store(data, EXTENSIONS[content_type][0])
    return StoredFile(
        original_name=clean_filename(given_name, content_type=content_type),
        content_type=content_type,
        kind=sniffed.kind,
        size=len(data),
        sha256=digest,
        storage_name=storage_name,
        thumbnail_name=thumbnail_name,
        width=width,
        height=height,
        uploaded_sha256=original_sha256,
        uploaded_size=getattr(file, "size", None),
        browser_content_type=str(getattr(file, "content_type", "") or "")[:100],
    )


# --- serving -------------------------------------------------------------------------------------


def open_stored(store: FileStore, name: str, *, log_label: str = "") -> Any:
    """The stored file, open for reading; a missing file is a 404 (and an error in the log)."""
    try:
        return store.open(name)
    except FileNotFoundError:
        logger.error("%s: stored file %s is missing", log_label or "File", name)
        raise Http404 from None


def file_response(handle: Any, *, content_type: str, filename: str, as_attachment: bool) -> FileResponse:
    """An open stored file (`open_stored`) as a response that the browser may neither sniff, cache
    nor run scripts in. Call it only after the access policy allowed the reader."""
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def stored_file_response(
    store: FileStore,
    row: Any,
    *,
    thumbnail: bool = False,
    inline: bool = True,
    log_label: str = "",
    on_download: Callable[[bool], Any] | None = None,
) -> FileResponse:
    """The file of a row holding a stored file (``storage_name``, ``thumbnail_name``, ``content_type``,
    ``original_name``, ``kind``) as a safe response. Call it only after the access policy allowed the
    reader. Photos are shown in the browser when ``inline``, anything else is saved; a missing
    thumbnail or file is a 404. Unless it is the thumbnail, ``on_download(inline)`` is called (in a
    transaction) once the file is open: the app's audit entry."""
    if thumbnail:
        if not row.thumbnail_name:
            raise Http404
        name, content_type, as_attachment = row.thumbnail_name, JPEG, False
        filename = os.path.splitext(row.original_name)[0] + "-thumbnail.jpg"
    else:
        name, content_type, filename = row.storage_name, row.content_type, row.original_name
        as_attachment = not (inline and row.kind == IMAGE)
    handle = open_stored(store, name, log_label=log_label)
    if not thumbnail and on_download is not None:
        with transaction.atomic():
            on_download(not as_attachment)
    return file_response(handle, content_type=content_type, filename=filename, as_attachment=as_attachment)

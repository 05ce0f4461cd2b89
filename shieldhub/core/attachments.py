"""Pages and API of the apps whose rows hold a file stored by `shieldhub.core.files` (the exchange's
attachments, seizure records' photos and documents, shipment documents): the steps their views
share and the fields their API schemas share. Each app keeps its own selectors, services (access rules, audit entries), URLs and
templates, and calls these.

- `collect_uploads`: run the app's add service on each posted file, gathering the refusals' messages
  (nothing is lost: the files accepted stay, the others are named).
- `upload_response`: htmx gets the block back (201 when everything was added, 200 with the errors);
  without JavaScript, errors re-render the whole page (422, the values kept), success redirects with
  a message.
- `removed_response`: htmx gets an empty answer (the item disappears); otherwise a redirect with a
  message.
- `file_views`: the download and thumbnail views, from the app's selector and download service.
- `audited_file_response`: `files.stored_file_response` with the app's audit entry of a download
  (its action, object and extra, plus whether the file was shown ``inline``).
- `gallery_context`, `upload_settings`, `wants_inline`: what the templates and downloads read.
- `StoredFileFields`, `RecordFileFields`: the abstract models of those rows' fields (the same columns,
  names and labels as the apps had defined each time: no migration).
- `StoredFileOut`, `RecordFileOut`: the API's fields of a stored file (and of one added to a record,
  with its caption and uploader); each app adds its own links (``content_url``, ``thumbnail_url``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from ninja import Schema

from shieldhub.core import files
from shieldhub.core.audit import audit_record
from shieldhub.exchange.choices import AttachmentKind

__all__ = [
    "RecordFileFields",
    "RecordFileOut",
    "StoredFileFields",
    "StoredFileOut",
    "audited_file_response",
    "collect_uploads",
    "file_views",
    "gallery_context",
    "is_htmx",
    "removed_response",
    "upload_response",
    "upload_settings",
    "wants_inline",
]


# --- models --------------------------------------------------------------------------------------


class StoredFileFields(models.Model):
    """The fields of a row holding a file stored by `core.files` (filled from `StoredFile.row_fields`)."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    thumbnail_name = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class RecordFileFields(StoredFileFields):
    """A file added to a record by someone of its side, with a caption."""

    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


# --- services ------------------------------------------------------------------------------------


def audited_file_response(
    store: files.FileStore,
    row: Any,
    *,
    actor: Any,
    action: str,
    obj: Any,
    extra: dict[str, Any],
    thumbnail: bool = False,
    inline: bool = True,
    log_label: str = "",
) -> Any:
    """The row's stored file (`files.stored_file_response`; call it once the access policy allowed
    ``actor``); the download of the file, not of its thumbnail, is audited as ``action`` on ``obj``
    with ``extra`` and whether it was shown ``inline``."""

    def audit(shown_inline: bool) -> None:
        audit_record(actor=actor, action=action, obj=obj, extra={**extra, "inline": shown_inline})

    return files.stored_file_response(
        store, row, thumbnail=thumbnail, inline=inline, log_label=log_label, on_download=audit
    )


# --- views ---------------------------------------------------------------------------------------


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def wants_inline(request: HttpRequest) -> bool:
    """Photos are shown in the browser unless ``?download=1`` asks to save them."""
    return request.GET.get("download") != "1"


def upload_settings() -> dict[str, Any]:
    """What an upload form shows: the file picker's types and the size limit in MB."""
    return {"upload_accept": files.ACCEPT, "upload_max_mb": files.max_upload_mb()}


def gallery_context(items: list[Any]) -> dict[str, Any]:
    """Stored files decorated for the templates (`files.decorate`), all and split into photos and
    documents."""
    items = files.decorate(items)
    return {
        "attachments": items,
        "attachment_photos": [a for a in items if a.kind == files.IMAGE],
        "attachment_documents": [a for a in items if a.kind != files.IMAGE],
    }


def collect_uploads(
    uploads: Iterable[Any], add: Callable[[Any], Any], *, none_chosen: Any = None
) -> tuple[list[Any], list[str]]:
    """``add(file)`` for each upload (the app's service); returns what it gave for the files accepted
    and the messages of those refused, plus ``none_chosen`` when there was no file at all."""
    added: list[Any] = []
    errors: list[str] = []
    uploads = list(uploads)
    if not uploads and none_chosen is not None:
        errors.append(str(none_chosen))
    for upload in uploads:
        try:
            added.append(add(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    return added, errors


def upload_response(
    request: HttpRequest,
    *,
    added: int,
    errors: list[str],
    block: tuple[str, Callable[[], dict[str, Any]]],
    page: tuple[str, Callable[[], dict[str, Any]]],
    done_message: Any,
    redirect_to: str,
) -> HttpResponse:
    """The answer to an upload form: ``block`` (template, context) for htmx, ``page`` (template,
    context) when files were refused without JavaScript, else a redirect to ``redirect_to``."""
    if is_htmx(request):
        template, context = block
        return render(request, template, context(), status=201 if added and not errors else 200)
    if errors:
        template, context = page
        return render(request, template, context(), status=422)
    messages.success(request, done_message)
    return redirect(redirect_to)


def file_views(get: Callable[..., Any], download: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The views of a stored file and of its thumbnail: ``get(request, **url_kwargs)`` is the app's
    selector (a 404 for what the reader may not see), ``download(actor, row, **options)`` its
    download service (``inline``, ``thumbnail``). The file: photos shown in the browser, documents
    (and ``?download=1``) saved; audited by the service."""

    @require_GET
    @login_required
    def file_download(request: HttpRequest, **kwargs: Any) -> Any:
        return download(request.user, get(request, **kwargs), inline=wants_inline(request))

    @require_GET
    @login_required
    def file_thumbnail(request: HttpRequest, **kwargs: Any) -> Any:
        return download(request.user, get(request, **kwargs), thumbnail=True)

    return file_download, file_thumbnail


def removed_response(request: HttpRequest, *, done_message: Any, redirect_to: str) -> HttpResponse:
    """The answer to a removal: empty for htmx (the item disappears), else a redirect with a message."""
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, done_message)
    return redirect(redirect_to)


# --- API -----------------------------------------------------------------------------------------


class StoredFileOut(Schema):
    """A stored file in the API; subclasses resolve ``content_url`` and ``thumbnail_url``."""

    id: int
    kind: str
    name: str
    type: str
    size: int
    width: int | None = None
    height: int | None = None
    sha256: str
    content_url: str
    thumbnail_url: str | None = None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.original_name)

    @staticmethod
    def resolve_type(obj: Any) -> str:
        return str(obj.content_type)


class RecordFileOut(StoredFileOut):
    """A file added to a record (a seizure record's photo, a shipment's document)."""

    caption: str
    uploaded_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str:
        return str(obj.uploaded_by)

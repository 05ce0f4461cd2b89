"""Attachments of the exchange: photos and documents sent with messages. The checks, the cleaning,
the storage by hash and the safe response are `shieldhub.core.files`, shared with the other apps;
this module keeps the exchange's rows, rules, audit entries and cleanup.

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

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from shieldhub.core import attachments as core_attachments
from shieldhub.core import files
from shieldhub.core.access import NOTHING, Perm, has_perm, message_body_visible, messages_visible_q, require
from shieldhub.core.audit import audit_record
from shieldhub.core.files import (  # noqa: F401 - the exchange's names for the shared checks, kept for its callers
    ACCEPT,
    CSV,
    DOCX,
    EXTENSIONS,
    GIF,
    JPEG,
    MAX_NAME_LENGTH,
    ODS,
    ODT,
    ORPHAN_GRACE,
    PDF,
    PNG,
    PPTX,
    TEXT,
    THUMBNAIL_SIZE,
    TYPE_LABELS,
    WEBP,
    XLSX,
    CleanImage,
    Sniffed,
    clean_filename,
    clean_image,
    sniff,
    thumbnail_size,
)
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.models import Attachment, Message

logger = logging.getLogger(__name__)

MAX_PER_MESSAGE = 20
UNSENT_KEPT = dt.timedelta(hours=24)


# --- storage -------------------------------------------------------------------------------------


STORE = files.FileStore(
    "EXCHANGE_ATTACHMENTS_DIR",
    default=lambda: Path(settings.DATA_DIR) / "attachments",
    references=files.references_in(Attachment),
)


def storage_root() -> Path:
    return STORE.root()


# --- services ------------------------------------------------------------------------------------


def attachment_upload(*, actor: Any, file: Any) -> Attachment:
    """Check, clean and store an uploaded file; it stays its uploader's until sent with a message."""
    require(actor, Perm.EXCHANGE_USE)
    stored = files.process_upload(file, store=STORE)
    with transaction.atomic():
        attachment = Attachment(uploaded_by=actor, **stored.row_fields())
        attachment.full_clean(exclude=["message", "uploaded_by"])
        attachment.save()
        audit_record(
            actor=actor,
            action="exchange.attachment_upload",
            obj=attachment,
            extra={"name": attachment.original_name, **stored.audit_extra()},
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
    return files.type_label(attachment.content_type)


def attachment_download(*, actor: Any, attachment: Attachment, thumbnail: bool = False, inline: bool = True) -> Any:
    """The stored file as a response, access-checked again; the download of a file is audited."""
    attachment = attachment_get(user=actor, pk=attachment.pk)
    return core_attachments.audited_file_response(
        STORE,
        attachment,
        actor=actor,
        action="exchange.attachment_download",
        obj=attachment,
        extra={"message": attachment.message_id, "sha256": attachment.sha256},
        thumbnail=thumbnail,
        inline=inline,
        log_label=f"Attachment {attachment.pk}",
    )


# --- cleanup -------------------------------------------------------------------------------------


def _delete_orphan_files(now: dt.datetime) -> int:
    return STORE.delete_orphans(now=now, grace=ORPHAN_GRACE)


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

"""`/api/v1/exchange`: attachments.

Upload a file (`POST /attachments`, multipart, field ``file``), then send it with a message
(`POST /messages` with ``"attachments": [id, …]``). The same checks as the pages: content-checked
uploads, photos stripped of their metadata, and an attachment the caller may not see is a 404.
Downloads are audited.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from shieldhub.core.api import require_scope
from shieldhub.core.attachments import StoredFileOut
from shieldhub.exchange import attachments
from shieldhub.exchange.models import Attachment

router = Router(tags=["exchange"])


class AttachmentOut(StoredFileOut):
    message: int | None = None
    page_url: str

    @staticmethod
    def resolve_message(obj: Attachment) -> int | None:
        return obj.message_id

    @staticmethod
    def resolve_content_url(obj: Attachment) -> str:
        return reverse("api:attachment_content", args=[obj.pk])

    @staticmethod
    def resolve_thumbnail_url(obj: Attachment) -> str | None:
        return reverse("api:attachment_thumbnail", args=[obj.pk]) if obj.thumbnail_name else None

    @staticmethod
    def resolve_page_url(obj: Attachment) -> str:
        return reverse("exchange:attachment-download", args=[obj.pk])


def message_attachments(request: Any, message: Any) -> list[Attachment]:
    """The attachments of a message as the caller sees them (none when its body is hidden)."""
    user = getattr(request, "user", None)
    return attachments.attachments_for_message(user=user, message=message)


@router.post("/attachments", response={201: AttachmentOut}, url_name="attachment_upload")
def upload(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Upload a photo or document (at most `UPLOAD_MAX_MB`); it is yours alone until sent."""
    require_scope(request, "write")
    return Status(201, attachments.attachment_upload(actor=request.user, file=file))


@router.get("/attachments/{attachment_id}", response=AttachmentOut, url_name="attachment_detail")
def detail(request: HttpRequest, attachment_id: int) -> Any:
    return attachments.attachment_get(user=request.user, pk=attachment_id)


@router.get("/attachments/{attachment_id}/content", url_name="attachment_content")
def content(request: HttpRequest, attachment_id: int) -> Any:
    """The file itself (`Content-Disposition: attachment`); the download is audited."""
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id)
    return attachments.attachment_download(actor=request.user, attachment=attachment, inline=False)


@router.get("/attachments/{attachment_id}/thumbnail", url_name="attachment_thumbnail")
def thumbnail(request: HttpRequest, attachment_id: int) -> Any:
    """A photo's 320-pixel JPEG thumbnail (404 for documents)."""
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id)
    return attachments.attachment_download(actor=request.user, attachment=attachment, thumbnail=True)


@router.delete("/attachments/{attachment_id}", response={204: None}, url_name="attachment_delete")
def delete(request: HttpRequest, attachment_id: int) -> Any:
    """Remove one of your uploads that has not been sent."""
    require_scope(request, "write")
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id)
    attachments.attachment_delete(actor=request.user, attachment=attachment)
    return Status(204, None)

"""`/api/v1/seizures/incidents/{id}/attachments`: a record's photos and documents.

List them, upload one (multipart: ``file``, optional ``caption``; the record's reporting side, not on
a withdrawn record), fetch the file (audited) or a photo's thumbnail, remove one. Whoever may not see
the record's detail gets a 404, as on the pages. Writes need the `write` scope.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from shieldhub.core.api import require_scope
from shieldhub.core.attachments import RecordFileOut
from shieldhub.seizures import attachments, selectors
from shieldhub.seizures.models import IncidentAttachment

attachments_router = Router(tags=["seizures"])


class AttachmentOut(RecordFileOut):
    incident: int

    @staticmethod
    def resolve_incident(obj: IncidentAttachment) -> int:
        return obj.incident_id

    @staticmethod
    def resolve_content_url(obj: IncidentAttachment) -> str:
        return reverse("api:incident_attachment_content", args=[obj.incident_id, obj.pk])

    @staticmethod
    def resolve_thumbnail_url(obj: IncidentAttachment) -> str | None:
        if not obj.thumbnail_name:
            return None
        return reverse("api:incident_attachment_thumbnail", args=[obj.incident_id, obj.pk])


@attachments_router.get(
    "/incidents/{incident_id}/attachments", response=list[AttachmentOut], url_name="incident_attachment_list"
)
def attachment_list(request: HttpRequest, incident_id: int) -> Any:
    """The record's photos and documents (empty when its detail is hidden from you)."""
    incident = selectors.incident_get(user=request.user, pk=incident_id)
    return attachments.attachments_for_incident(user=request.user, incident=incident)


@attachments_router.post(
    "/incidents/{incident_id}/attachments", response={201: AttachmentOut}, url_name="incident_attachment_upload"
)
def attachment_upload(
    request: HttpRequest,
    incident_id: int,
    file: UploadedFile = File(...),  # noqa: B008
    caption: str = Form(""),
) -> Any:
    """Add a photo or document (at most `UPLOAD_MAX_MB`; photos lose their metadata)."""
    require_scope(request, "write")
    incident = selectors.incident_get(user=request.user, pk=incident_id)
    attachment = attachments.attachment_add(actor=request.user, incident=incident, file=file, caption=caption)
    return Status(201, attachments.attachment_get(user=request.user, pk=attachment.pk))


@attachments_router.get(
    "/incidents/{incident_id}/attachments/{attachment_id}/content", url_name="incident_attachment_content"
)
def attachment_content(request: HttpRequest, incident_id: int, attachment_id: int) -> Any:
    """The file itself (`Content-Disposition: attachment`); the download is audited."""
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id, incident_id=incident_id)
    return attachments.attachment_download(actor=request.user, attachment=attachment, inline=False)


@attachments_router.get(
    "/incidents/{incident_id}/attachments/{attachment_id}/thumbnail", url_name="incident_attachment_thumbnail"
)
def attachment_thumbnail(request: HttpRequest, incident_id: int, attachment_id: int) -> Any:
    """A photo's 320-pixel JPEG thumbnail (404 for documents)."""
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id, incident_id=incident_id)
    return attachments.attachment_download(actor=request.user, attachment=attachment, thumbnail=True)


@attachments_router.delete(
    "/incidents/{incident_id}/attachments/{attachment_id}", response={204: None}, url_name="incident_attachment_delete"
)
def attachment_delete(request: HttpRequest, incident_id: int, attachment_id: int) -> Any:
    require_scope(request, "write")
    attachment = attachments.attachment_get(user=request.user, pk=attachment_id, incident_id=incident_id)
    attachments.attachment_delete(actor=request.user, attachment=attachment)
    return Status(204, None)

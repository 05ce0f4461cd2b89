"""`/api/v1/shipments/{id}/documents`: a shipment's document files (invoice, safety data sheet,
end-user certificate, licence, other).

List them, upload one (multipart: ``file``, ``document_type``, optional ``caption``; the exporting
side, not on a withdrawn shipment), fetch the file (audited) or a photo's thumbnail, remove one.
Whoever may not see the shipment gets a 404, as on the pages. Writes need the `write` scope.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from shieldhub.core.api import require_scope
from shieldhub.core.attachments import RecordFileOut
from shieldhub.shipments import documents, selectors
from shieldhub.shipments.models import ShipmentDocument

documents_router = Router(tags=["shipments"])


class DocumentOut(RecordFileOut):
    shipment: int
    document_type: str

    @staticmethod
    def resolve_shipment(obj: ShipmentDocument) -> int:
        return obj.shipment_id

    @staticmethod
    def resolve_content_url(obj: ShipmentDocument) -> str:
        return reverse("api:shipment_document_content", args=[obj.shipment_id, obj.pk])

    @staticmethod
    def resolve_thumbnail_url(obj: ShipmentDocument) -> str | None:
        if not obj.thumbnail_name:
            return None
        return reverse("api:shipment_document_thumbnail", args=[obj.shipment_id, obj.pk])


@documents_router.get("/{shipment_id}/documents", response=list[DocumentOut], url_name="shipment_document_list")
def document_list(request: HttpRequest, shipment_id: int) -> Any:
    shipment = selectors.shipment_get(user=request.user, pk=shipment_id)
    return documents.documents_for_shipment(user=request.user, shipment=shipment)


@documents_router.post("/{shipment_id}/documents", response={201: DocumentOut}, url_name="shipment_document_upload")
def document_upload(
    request: HttpRequest,
    shipment_id: int,
    file: UploadedFile = File(...),  # noqa: B008
    document_type: str = Form("other"),
    caption: str = Form(""),
) -> Any:
    """Add a document (at most `UPLOAD_MAX_MB`; `document_type`: invoice, sds, end_user_cert, licence, other)."""
    require_scope(request, "write")
    shipment = selectors.shipment_get(user=request.user, pk=shipment_id)
    document = documents.document_add(
        actor=request.user, shipment=shipment, file=file, document_type=document_type, caption=caption
    )
    return Status(201, documents.document_get(user=request.user, pk=document.pk))


@documents_router.get("/{shipment_id}/documents/{document_id}/content", url_name="shipment_document_content")
def document_content(request: HttpRequest, shipment_id: int, document_id: int) -> Any:
    """The file itself (`Content-Disposition: attachment`); the download is audited."""
    document = documents.document_get(user=request.user, pk=document_id, shipment_id=shipment_id)
    return documents.document_download(actor=request.user, document=document, inline=False)


@documents_router.get("/{shipment_id}/documents/{document_id}/thumbnail", url_name="shipment_document_thumbnail")
def document_thumbnail(request: HttpRequest, shipment_id: int, document_id: int) -> Any:
    """A photographed document's 320-pixel JPEG thumbnail (404 for other files)."""
    document = documents.document_get(user=request.user, pk=document_id, shipment_id=shipment_id)
    return documents.document_download(actor=request.user, document=document, thumbnail=True)


@documents_router.delete(
    "/{shipment_id}/documents/{document_id}", response={204: None}, url_name="shipment_document_delete"
)
def document_delete(request: HttpRequest, shipment_id: int, document_id: int) -> Any:
    require_scope(request, "write")
    document = documents.document_get(user=request.user, pk=document_id, shipment_id=shipment_id)
    documents.document_delete(actor=request.user, document=document)
    return Status(204, None)

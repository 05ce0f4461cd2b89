"""Shipment pages: the documents — the list on the shipment's page, adding one (htmx swaps the block;
without JavaScript the form posts and the page comes back), removing one, and the access-checked
file and thumbnail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core import attachments as core_attachments
from shieldhub.core import files
from shieldhub.shipments import documents, selectors
from shieldhub.shipments.choices import DocumentType
from shieldhub.shipments.models import Shipment


def documents_context(
    request: HttpRequest,
    shipment: Shipment,
    *,
    upload_errors: list[str] | None = None,
    caption: str = "",
    document_type: str = "",
) -> dict[str, Any]:
    items = files.decorate(documents.documents_for_shipment(user=request.user, shipment=shipment))
    return {
        "shipment_documents": items,
        "can_add_documents": documents.can_add(request.user, shipment),
        "document_types": DocumentType.choices,
        "upload_errors": upload_errors or [],
        "upload_caption": caption,
        "upload_document_type": document_type,
        **core_attachments.upload_settings(),
    }


@require_POST
@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    from shieldhub.shipments.views import detail_context

    shipment = selectors.shipment_get(user=request.user, pk=pk)
    caption = request.POST.get("caption", "")
    document_type = request.POST.get("document_type", "")
    added, errors = core_attachments.collect_uploads(
        request.FILES.getlist("file"),
        lambda upload: documents.document_add(
            actor=request.user, shipment=shipment, file=upload, document_type=document_type, caption=caption
        ),
        none_chosen=_("Choose a file to add."),
    )
    kept = {"caption": caption, "document_type": document_type} if errors else {}

    def block() -> dict[str, Any]:
        context = documents_context(request, shipment, upload_errors=errors, **kept)
        context["shipment"] = shipment
        return context

    def page() -> dict[str, Any]:
        full = selectors.shipment_detail(user=request.user, pk=shipment.pk)
        return detail_context(request, full, upload_errors=errors, **kept)

    return core_attachments.upload_response(
        request,
        added=len(added),
        errors=errors,
        block=("shipments/_documents.html", block),
        page=("shipments/shipment_detail.html", page),
        done_message=_("The documents were added."),
        redirect_to=reverse("shipments:shipment-detail", args=[shipment.pk]),
    )


@require_POST
@login_required
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    document = documents.document_get(user=request.user, pk=document_pk, shipment_id=pk)
    documents.document_delete(actor=request.user, document=document)
    return core_attachments.removed_response(
        request,
        done_message=_("The document was removed."),
        redirect_to=reverse("shipments:shipment-detail", args=[pk]),
    )


document_download, document_thumbnail = core_attachments.file_views(
    lambda request, pk, document_pk: documents.document_get(user=request.user, pk=document_pk, shipment_id=pk),
    lambda actor, row, **options: documents.document_download(actor=actor, document=row, **options),
)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/documents/", document_upload, name="document-upload"),
    path("<int:pk>/documents/<int:document_pk>/", document_download, name="document-download"),
    path("<int:pk>/documents/<int:document_pk>/thumbnail/", document_thumbnail, name="document-thumbnail"),
    path("<int:pk>/documents/<int:document_pk>/delete/", document_delete, name="document-delete"),
]

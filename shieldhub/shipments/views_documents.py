"""Shipment pages: the documents — the list on the shipment's page, adding one (htmx swaps the block;
without JavaScript the form posts and the page comes back), removing one, and the access-checked
file and thumbnail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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
    items = documents.decorate(documents.documents_for_shipment(user=request.user, shipment=shipment))
    return {
        "shipment_documents": items,
        "can_add_documents": documents.can_add(request.user, shipment),
        "document_types": DocumentType.choices,
        "upload_errors": upload_errors or [],
        "upload_caption": caption,
        "upload_document_type": document_type,
        "upload_accept": files.ACCEPT,
        "upload_max_mb": files.max_upload_mb(),
    }


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@require_POST
@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    from shieldhub.shipments.views import detail_context

    shipment = selectors.shipment_get(user=request.user, pk=pk)
    caption = request.POST.get("caption", "")
    document_type = request.POST.get("document_type", "")
    uploads = request.FILES.getlist("file")
    errors: list[str] = []
    added = 0
    if not uploads:
        errors.append(_("Choose a file to add."))
    for upload in uploads:
        try:
            documents.document_add(
                actor=request.user, shipment=shipment, file=upload, document_type=document_type, caption=caption
            )
            added += 1
        except ValidationError as exc:
            errors.extend(exc.messages)
    kept = {"caption": caption, "document_type": document_type} if errors else {}
    if _is_htmx(request):
        context = documents_context(request, shipment, upload_errors=errors, **kept)
        context["shipment"] = shipment
        return render(request, "shipments/_documents.html", context, status=201 if added and not errors else 200)
    if errors:
        full = selectors.shipment_detail(user=request.user, pk=shipment.pk)
        context = detail_context(request, full, upload_errors=errors, **kept)
        return render(request, "shipments/shipment_detail.html", context, status=422)
    messages.success(request, _("The documents were added."))
    return redirect("shipments:shipment-detail", pk=shipment.pk)


@require_POST
@login_required
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    document = documents.document_get(user=request.user, pk=document_pk, shipment_id=pk)
    documents.document_delete(actor=request.user, document=document)
    if _is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("The document was removed."))
    return redirect("shipments:shipment-detail", pk=pk)


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> Any:
    """The file: photos shown in the browser, documents (and ``?download=1``) saved; audited."""
    document = documents.document_get(user=request.user, pk=document_pk, shipment_id=pk)
    inline = request.GET.get("download") != "1"
    return documents.document_download(actor=request.user, document=document, inline=inline)


@require_GET
@login_required
def document_thumbnail(request: HttpRequest, pk: int, document_pk: int) -> Any:
    document = documents.document_get(user=request.user, pk=document_pk, shipment_id=pk)
    return documents.document_download(actor=request.user, document=document, thumbnail=True)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/documents/", document_upload, name="document-upload"),
    path("<int:pk>/documents/<int:document_pk>/", document_download, name="document-download"),
    path("<int:pk>/documents/<int:document_pk>/thumbnail/", document_thumbnail, name="document-thumbnail"),
    path("<int:pk>/documents/<int:document_pk>/delete/", document_delete, name="document-delete"),
]

"""Seizure pages: the record's photos and documents — the gallery on its page, adding files (htmx
swaps the block; without JavaScript the form posts and the page comes back), removing one, and the
access-checked file and thumbnail."""

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
from shieldhub.exchange.choices import AttachmentKind
from shieldhub.seizures import attachments, selectors
from shieldhub.seizures.models import Incident


def attachments_context(
    request: HttpRequest, incident: Incident, *, upload_errors: list[str] | None = None, caption: str = ""
) -> dict[str, Any]:
    items = attachments.decorate(attachments.attachments_for_incident(user=request.user, incident=incident))
    return {
        "attachments": items,
        "attachment_photos": [a for a in items if a.kind == AttachmentKind.IMAGE],
        "attachment_documents": [a for a in items if a.kind != AttachmentKind.IMAGE],
        "can_add_attachments": attachments.can_add(request.user, incident),
        "upload_errors": upload_errors or [],
        "upload_caption": caption,
        "upload_accept": files.ACCEPT,
        "upload_max_mb": files.max_upload_mb(),
    }


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos or documents; htmx gets the block back, a plain form the page (errors shown, the
    caption kept)."""
    from shieldhub.seizures.views import detail_context

    incident = selectors.incident_get(user=request.user, pk=pk)
    caption = request.POST.get("caption", "")
    uploads = request.FILES.getlist("file")
    errors: list[str] = []
    added = 0
    if not uploads:
        errors.append(_("Choose a file to add."))
    for upload in uploads:
        try:
            attachments.attachment_add(actor=request.user, incident=incident, file=upload, caption=caption)
            added += 1
        except ValidationError as exc:
            errors.extend(exc.messages)
    kept_caption = caption if errors else ""
    if _is_htmx(request):
        context = attachments_context(request, incident, upload_errors=errors, caption=kept_caption)
        context["incident"] = incident
        return render(request, "seizures/_attachments.html", context, status=201 if added and not errors else 200)
    if errors:
        context = detail_context(request, incident, upload_errors=errors, caption=kept_caption)
        return render(request, "seizures/incident_detail.html", context, status=422)
    messages.success(request, _("The files were added."))
    return redirect("seizures:incident-detail", pk=incident.pk)


@require_POST
@login_required
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = attachments.attachment_get(user=request.user, pk=attachment_pk, incident_id=pk)
    attachments.attachment_delete(actor=request.user, attachment=attachment)
    if _is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("The file was removed."))
    return redirect("seizures:incident-detail", pk=pk)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> Any:
    """The file: photos shown in the browser, documents (and ``?download=1``) saved; audited."""
    attachment = attachments.attachment_get(user=request.user, pk=attachment_pk, incident_id=pk)
    inline = request.GET.get("download") != "1"
    return attachments.attachment_download(actor=request.user, attachment=attachment, inline=inline)


@require_GET
@login_required
def attachment_thumbnail(request: HttpRequest, pk: int, attachment_pk: int) -> Any:
    attachment = attachments.attachment_get(user=request.user, pk=attachment_pk, incident_id=pk)
    return attachments.attachment_download(actor=request.user, attachment=attachment, thumbnail=True)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/attachments/", attachment_upload, name="attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", attachment_download, name="attachment-download"),
    path("<int:pk>/attachments/<int:attachment_pk>/thumbnail/", attachment_thumbnail, name="attachment-thumbnail"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", attachment_delete, name="attachment-delete"),
]

"""Seizure pages: the record's photos and documents — the gallery on its page, adding files (htmx
swaps the block; without JavaScript the form posts and the page comes back), removing one, and the
access-checked file and thumbnail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core import attachments as core_attachments
from shieldhub.seizures import attachments, selectors
from shieldhub.seizures.models import Incident


def attachments_context(
    request: HttpRequest, incident: Incident, *, upload_errors: list[str] | None = None, caption: str = ""
) -> dict[str, Any]:
    return {
        **core_attachments.gallery_context(attachments.attachments_for_incident(user=request.user, incident=incident)),
        "can_add_attachments": attachments.can_add(request.user, incident),
        "upload_errors": upload_errors or [],
        "upload_caption": caption,
        **core_attachments.upload_settings(),
    }


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photos or documents; htmx gets the block back, a plain form the page (errors shown, the
    caption kept)."""
    from shieldhub.seizures.views import detail_context

    incident = selectors.incident_get(user=request.user, pk=pk)
    caption = request.POST.get("caption", "")
    added, errors = core_attachments.collect_uploads(
        request.FILES.getlist("file"),
        lambda upload: attachments.attachment_add(actor=request.user, incident=incident, file=upload, caption=caption),
        none_chosen=_("Choose a file to add."),
    )
    kept_caption = caption if errors else ""

    def block() -> dict[str, Any]:
        context = attachments_context(request, incident, upload_errors=errors, caption=kept_caption)
        context["incident"] = incident
        return context

    return core_attachments.upload_response(
        request,
        added=len(added),
        errors=errors,
        block=("seizures/_attachments.html", block),
        page=(
            "seizures/incident_detail.html",
            lambda: detail_context(request, incident, upload_errors=errors, caption=kept_caption),
        ),
        done_message=_("The files were added."),
        redirect_to=reverse("seizures:incident-detail", args=[incident.pk]),
    )


@require_POST
@login_required
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = attachments.attachment_get(user=request.user, pk=attachment_pk, incident_id=pk)
    attachments.attachment_delete(actor=request.user, attachment=attachment)
    return core_attachments.removed_response(
        request, done_message=_("The file was removed."), redirect_to=reverse("seizures:incident-detail", args=[pk])
    )


attachment_download, attachment_thumbnail = core_attachments.file_views(
    lambda request, pk, attachment_pk: attachments.attachment_get(user=request.user, pk=attachment_pk, incident_id=pk),
    lambda actor, row, **options: attachments.attachment_download(actor=actor, attachment=row, **options),
)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/attachments/", attachment_upload, name="attachment-upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", attachment_download, name="attachment-download"),
    path("<int:pk>/attachments/<int:attachment_pk>/thumbnail/", attachment_thumbnail, name="attachment-thumbnail"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", attachment_delete, name="attachment-delete"),
]

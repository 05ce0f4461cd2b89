"""Exchange pages: attachments — upload while composing (htmx, or with the form itself without
JavaScript), remove an unsent upload, and the access-checked download and thumbnail of a file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core import attachments as core_attachments
from shieldhub.core import files
from shieldhub.core.access import Perm, require
from shieldhub.exchange import attachments
from shieldhub.exchange.models import Attachment, Message


def widget_context(uploads: list[Attachment], errors: list[str] | None = None) -> dict[str, Any]:
    return {"uploads": files.decorate(uploads), "upload_errors": errors or [], **core_attachments.upload_settings()}


def _upload_files(request: HttpRequest, uploads: list[Any]) -> tuple[list[Attachment], list[str]]:
    return core_attachments.collect_uploads(
        uploads, lambda file: attachments.attachment_upload(actor=request.user, file=file)
    )


def compose_uploads(request: HttpRequest) -> tuple[list[Attachment], list[str], bool]:
    """The compose form's uploads: those it lists by id (the sender's own, still unsent), the files
    posted with the form itself (the way without JavaScript), less one the sender removes.

    Returns the uploads, the errors of the files refused, and whether one was removed (then the
    form is shown again rather than sent)."""
    if request.method != "POST":
        return [], [], False
    uploads = attachments.attachments_pending(user=request.user, ids=request.POST.getlist("attachments"))
    added, errors = _upload_files(request, request.FILES.getlist("upload"))
    uploads += added
    removed = request.POST.get("remove_attachment", "")
    if removed:
        for item in [u for u in uploads if str(u.pk) == removed]:
            attachments.attachment_delete(actor=request.user, attachment=item)
            uploads.remove(item)
    return uploads, errors, bool(removed)


@require_POST
@login_required
def attachment_upload(request: HttpRequest) -> HttpResponse:
    """Upload files; answers with the attachments block of the compose form, listing every upload."""
    require(request.user, Perm.EXCHANGE_USE)
    uploads = attachments.attachments_pending(user=request.user, ids=request.POST.getlist("attachments"))
    posted = request.FILES.getlist("upload") or request.FILES.getlist("file")
    added, errors = core_attachments.collect_uploads(
        posted,
        lambda file: attachments.attachment_upload(actor=request.user, file=file),
        none_chosen=_("Choose a file to attach."),
    )
    status = 201 if added and not errors else 200
    if errors and not core_attachments.is_htmx(request):
        status = 422  # htmx swaps only successful answers: it gets the errors with a 200
    context = widget_context(uploads + added, errors)
    return render(request, "exchange/_attachment_widget.html", context, status=status)


@require_POST
@login_required
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's own unsent uploads (htmx: the list item disappears)."""
    attachment = attachments.attachment_get(user=request.user, pk=pk)
    attachments.attachment_delete(actor=request.user, attachment=attachment)
    if core_attachments.is_htmx(request):
        return HttpResponse("")
    return redirect("exchange:compose")


attachment_download, attachment_thumbnail = core_attachments.file_views(
    lambda request, pk: attachments.attachment_get(user=request.user, pk=pk),
    lambda actor, row, **options: attachments.attachment_download(actor=actor, attachment=row, **options),
)


urlpatterns: list[URLPattern] = [
    path("attachments/upload/", attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/thumbnail/", attachment_thumbnail, name="attachment-thumbnail"),
    path("attachments/<int:pk>/delete/", attachment_delete, name="attachment-delete"),
]


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """Extra context for the message page: its attachments, when its body is visible to the reader."""
    return core_attachments.gallery_context(attachments.attachments_for_message(user=request.user, message=message))

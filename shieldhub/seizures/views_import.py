"""Pages of the bulk import of seizure records: upload, report and preview, progress. Thin: the
work is in imports.py (validation) and tasks.py (the background commit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from shieldhub.core.access import Perm, require
from shieldhub.seizures import imports, services
from shieldhub.seizures.forms import DistributionForm
from shieldhub.seizures.models_import import ImportStatus

PREVIEW_MAX_ERRORS = 1000
PREVIEW_MAX_DUPLICATES = 400  # each has a select; Django caps a form at 1000 fields
PREVIEW_RECORDS = 20


class SeizureImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, with a header row in English or French."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SEIZURE_IMPORT)
    form = SeizureImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_upload(
                actor=request.user, file_name=upload.name, data=upload.read(settings.UPLOAD_MAX_BYTES + 1)
            )
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("seizures:import-report", pk=batch.pk)
    return render(
        request,
        "seizures/import_upload.html",
        {
            "form": form,
            "columns": [
                (label, en, fr, name in imports.REQUIRED_COLUMNS)
                for name, (label, en, fr, _o) in imports.COLUMNS.items()
            ],
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            "recent": imports.batch_list(user=request.user)[:10],
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SEIZURE_IMPORT)
    french = request.GET.get("headers") == "fr"
    response = HttpResponse(
        imports.import_template(french=french),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = "modele-import-saisies.xlsx" if french else "seizure-import-template.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


def _preview_records(request: HttpRequest, batch: Any) -> list[Any]:
    """The first records as they will be written (validated again: cheap for a preview page's few rows)."""
    rows = imports._load_rows(batch)
    if not rows:
        return []
    # Only the rows of the first records: they are consecutive in most files.
    head = rows[: PREVIEW_RECORDS * 5]
    result = imports.validate_rows(actor=request.user, rows=head)
    return result.records[:PREVIEW_RECORDS]


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.batch_get(user=request.user, pk=pk)
    if batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE):
        return redirect("seizures:import-progress", pk=batch.pk)
    errors = [imports.render_error(e) for e in batch.errors[:PREVIEW_MAX_ERRORS]]
    duplicates = batch.duplicates[:PREVIEW_MAX_DUPLICATES]
    records = _preview_records(request, batch) if batch.status == ImportStatus.READY else []
    return render(
        request,
        "seizures/import_report.html",
        {
            "batch": batch,
            "errors": errors,
            "more_errors": max(batch.error_count - len(errors), 0),
            "error_rows": len({e[0] for e in batch.errors}),
            "duplicates": duplicates,
            "more_duplicates": max(len(batch.duplicates) - len(duplicates), 0),
            "choices": imports.DUPLICATE_CHOICES,
            "records": _preview_rows(records),
        },
    )


def _preview_rows(records: list[Any]) -> list[dict[str, Any]]:
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures.choices import IncidentType

    ids = {line.item_id for r in records for line in r.lines if line.item_id}
    names = {i.pk: i.name for i in CatalogueItem.objects.filter(pk__in=ids)} if ids else {}
    out = []
    for r in records:
        goods = []
        for line in r.lines:
            what = names.get(line.item_id, "") if line.item_id else f"HS {line.hs_code}"
            kg = f" ({line.kg.normalize():f} kg)" if line.kg is not None and line.unit != "kg" else ""
            goods.append(f"{what}: {line.quantity.normalize():f} {line.unit}{kg}")
        kind = r.fields["incident_type"]
        out.append(
            {
                "rows": ", ".join(str(n) for n in r.rows[:10]),
                "country": r.fields["reporting_country"],
                "date": r.fields["occurred_on"],
                "type": IncidentType(kind).label if kind else "",
                "office": r.fields["office_name"],
                "goods": goods,
            }
        )
    return out


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.batch_get(user=request.user, pk=pk)
    default = request.POST.get("default_choice", imports.CHOICE_SKIP)
    choices: dict[str, str] = {}
    for duplicate in batch.duplicates:
        choices[duplicate["key"]] = request.POST.get(f"dup_{duplicate['key']}") or default
    try:
        imports.import_commit_request(actor=request.user, batch=batch, choices=choices)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("seizures:import-report", pk=batch.pk)
    return redirect("seizures:import-progress", pk=batch.pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.batch_get(user=request.user, pk=pk)
    context = {
        "batch": batch,
        "percent": imports.progress_percent(batch),
        "done": imports.progress_of(batch),
        "running": batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "failure": _failure(batch),
        "errors": [imports.render_error(e) for e in batch.errors[:50]] if batch.status == ImportStatus.FAILED else [],
        "drafts_left": _drafts(request, batch).count() if batch.status == ImportStatus.DONE else 0,
    }
    template = (
        "seizures/_import_progress.html" if request.headers.get("HX-Request") else "seizures/import_progress.html"
    )
    return render(request, template, context)


def _failure(batch: Any) -> str:
    if batch.status != ImportStatus.FAILED:
        return ""
    if batch.failure == "errors":
        return gettext("The data changed since the preview and some rows are no longer valid: nothing was imported.")
    return gettext("The import failed and nothing was written. Try again, or tell the administrator.")


def _drafts(request: HttpRequest, batch: Any) -> Any:
    return imports.imported_drafts(actor=request.user, batch=batch)


SUBMIT_LISTED = 50


@login_required
def import_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit every record of the import still in draft, with one distribution (the single submit's form)."""
    batch = imports.batch_get(user=request.user, pk=pk)
    if batch.status != ImportStatus.DONE:
        return redirect("seizures:import-report", pk=batch.pk)
    drafts = _drafts(request, batch).order_by("pk")
    count = drafts.count()
    form = DistributionForm(request.POST or None, user=request.user)
    if request.method == "POST" and count and form.is_valid():
        try:
            ids = imports.import_submit(
                actor=request.user, batch=batch, distribution=form.distribution(), data=form.releasability()
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                ngettext("%(count)s record submitted.", "%(count)s records submitted.", len(ids)) % {"count": len(ids)},
            )
            return redirect("seizures:import-progress", pk=batch.pk)
    return render(
        request,
        "seizures/import_submit.html",
        {"batch": batch, "form": form, "count": count, "drafts": list(drafts[:SUBMIT_LISTED]),
         "more": max(count - SUBMIT_LISTED, 0)},
    )  # fmt: skip


@require_POST
@login_required
def import_recipients_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Who would receive the records: the same for each (the distribution and releasability are shared)."""
    batch = imports.batch_get(user=request.user, pk=pk)
    first = _drafts(request, batch).order_by("pk").first()
    if first is None:
        raise Http404
    form = DistributionForm(request.POST, user=request.user)
    recipients: list[Any] = []
    error = ""
    if form.is_valid():
        try:
            recipients = services.recipients_preview(
                actor=request.user, incident=first, distribution=form.distribution(), data=form.releasability()
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "seizures/_recipients_preview.html", {"recipients": recipients, "error": error})

"""Pages for the import and export of people and for the NCP coverage page. Thin: the work is in
imports.py, exports.py and coverage.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from shieldhub.core.access import Perm, require
from shieldhub.directory import coverage as cov
from shieldhub.directory import exports, imports

PREVIEW_MAX_ERRORS = 1000
PREVIEW_MAX_DUPLICATES = 500  # each has a select; Django caps a form at 1000 fields


class PersonImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, with a header row in English or French."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def person_import(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_IMPORT)
    form = PersonImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = imports.parse_upload(upload.name, upload.read(settings.UPLOAD_MAX_BYTES + 1))
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = imports.payload_save(user=request.user, parsed=parsed)
            return redirect(f"{reverse('directory:person-import-preview')}?{urlencode({'token': token})}")
    return render(
        request,
        "directory/import_upload.html",
        {
            "form": form,
            "columns": [(label, en, fr) for label, en, fr, _o in imports.COLUMNS.values()],
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def person_import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_IMPORT)
    french = request.GET.get("headers") == "fr"
    data = imports.import_template(french=french)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = "modele-import-personnes.xlsx" if french else "people-import-template.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


def _preview(
    request: HttpRequest, token: str, result: imports.ValidationResult, *, refused: Any = None, status: int = 200
) -> HttpResponse:
    duplicates = result.duplicates
    return render(
        request,
        "directory/import_preview.html",
        {
            "token": token,
            "result": result,
            "errors": result.errors[:PREVIEW_MAX_ERRORS],
            "more_errors": max(len(result.errors) - PREVIEW_MAX_ERRORS, 0),
            "duplicates": duplicates[:PREVIEW_MAX_DUPLICATES],
            "more_duplicates": max(len(duplicates) - PREVIEW_MAX_DUPLICATES, 0),
            "duplicate_count": len(duplicates),
            "new_organisations": list(result.new_organisations.values()),
            "choices": imports.DUPLICATE_CHOICES,
            "posted": request.POST if request.method == "POST" else None,
            "refused": refused,
        },
        status=status,
    )


def _load(request: HttpRequest, token: str) -> dict[str, Any] | None:
    try:
        return imports.payload_load(user=request.user, token=token)
    except signing.BadSignature:
        messages.error(request, _("This preview has expired or was already imported. Upload the file again."))
        return None


@login_required
@require_GET
def person_import_preview(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_IMPORT)
    token = request.GET.get("token", "")
    payload = _load(request, token)
    if payload is None:
        return redirect("directory:person-import")
    result = imports.person_import_validate(actor=request.user, payload=payload)
    return _preview(request, token, result)


@login_required
@require_POST
def person_import_commit(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_IMPORT)
    token = request.POST.get("token", "")
    payload = _load(request, token)
    if payload is None:
        return redirect("directory:person-import")
    choices: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("dup_") and key[4:].isdigit() and value:
            choices[int(key[4:])] = value
    try:
        outcome = imports.person_import_commit(
            actor=request.user,
            payload=payload,
            create_organisations=request.POST.get("create_organisations") == "on",
            choices=choices,
            default_choice=request.POST.get("default_choice", imports.CHOICE_MERGE),
        )
    except imports.ImportRefused as refused:
        return _preview(request, token, refused.result, refused=refused.message, status=400)
    imports.payload_delete(token=token)
    messages.success(
        request,
        _("Import done: %(created)s people created, %(merged)s merged, %(skipped)s rows skipped.")
        % {"created": len(outcome.created), "merged": len(outcome.merged), "skipped": len(outcome.skipped)},
    )
    return redirect("directory:person-list")


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse | FileResponse:
    require(request.user, Perm.DIRECTORY_EXPORT)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    export = exports.person_export(user=request.user, filters=exports.filters_from_query(request.GET), fmt=fmt)
    if export.file is not None:
        return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=export.content_type)
    response = StreamingHttpResponse(export.stream or iter(()), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename) or ""
    return response


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    summary = cov.coverage_summary(user=request.user)
    return render(
        request,
        "directory/coverage.html",
        {
            "coverage": summary,
            "map_svg": cov.coverage_map_svg(summary),
            "map_caption": cov.map_caption(summary),
            "legend": cov.legend(),
        },
    )

"""Donor report pages: the list, a new report, its narrative sections, generation with progress
(htmx polls every second; without JavaScript the page refreshes itself), downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.analysis import reports
from shieldhub.analysis.forms_reports import ReportForm, SectionForm
from shieldhub.analysis.views_indicators import _errors_into
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate
from shieldhub.exchange.rendering import render_markdown


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    qs = reports.report_list(user=request.user)
    can_write = has_perm(request.user, Perm.REPORTS_WRITE)
    form = ReportForm(request.POST or None, initial={"language": "en"})
    if request.method == "POST":
        require(request.user, Perm.REPORTS_WRITE)
        if form.is_valid():
            try:
                report = reports.report_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The report was created: write its sections, then generate it."))
                return redirect("analysis:report-detail", pk=report.pk)
    return render(
        request, "analysis/reports/list.html", {"page": paginate(request, qs), "form": form, "can_write": can_write}
    )


def _detail_context(request: HttpRequest, report: reports.DonorReport) -> dict[str, object]:
    sections = list(reports.report_sections(user=request.user, report=report))
    return {
        "report": report, "sections": [(s, render_markdown(s.body)) for s in sections],
        "can_write": has_perm(request.user, Perm.REPORTS_WRITE), "running": reports.is_running(report),
        "state": reports.state_of(report), "state_label": reports.state_label(reports.state_of(report)),
        "section_form": SectionForm(initial={"order": (len(sections) + 1) * 10}),
    }  # fmt: skip


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = reports.report_get(user=request.user, pk=pk)
    return render(request, "analysis/reports/detail.html", _detail_context(request, report))


@login_required
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    report = reports.report_get(user=request.user, pk=pk)
    running = reports.is_running(report)
    state = reports.state_of(report)
    response = render(
        request, "analysis/reports/_progress.html",
        {"report": report, "running": running, "state": state, "state_label": reports.state_label(state)},
    )  # fmt: skip
    if not running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the download buttons appear
    return response


@login_required
@require_POST
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    report = reports.report_get(user=request.user, pk=pk)
    try:
        reports.report_generate(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report is being generated."))
    return redirect("analysis:report-detail", pk=report.pk)


@login_required
def report_section(request: HttpRequest, pk: int, section_pk: int | None = None) -> HttpResponse:
    require(request.user, Perm.REPORTS_WRITE)
    report = reports.report_get(user=request.user, pk=pk)
    section = None
    if section_pk is not None:
        section = reports.report_sections(user=request.user, report=report).filter(pk=section_pk).first()
        if section is None:
            raise Http404
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST":
        if request.POST.get("delete") and section is not None:
            reports.section_delete(actor=request.user, section=section)
            messages.success(request, _("The section was removed."))
            return redirect("analysis:report-detail", pk=report.pk)
        if form.is_valid():
            try:
                reports.section_save(actor=request.user, report=report, data=form.cleaned_data, section=section)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The section was saved."))
                return redirect("analysis:report-detail", pk=report.pk)
    return render(request, "analysis/reports/section.html", {"report": report, "form": form, "section": section})


@login_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = reports.report_get(user=request.user, pk=pk)
    content, name, content_type = reports.report_file(user=request.user, report=report, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    return response

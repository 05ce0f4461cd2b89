"""Screening pages: runs (upload, progress, results, XLSX), rules, watch lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.screening import exports, forms, selectors, services
from shieldhub.screening.choices import RuleKind


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _flags(user: Any) -> dict[str, bool]:
    return {"configure": has_perm(user, Perm.SCREENING_CONFIGURE)}


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    runs = selectors.run_list(user=request.user)
    form = forms.RunUploadForm()
    errors: list[str] = []
    if request.method == "POST":
        form = forms.RunUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.run_create(
                    actor=request.user, file_name=upload.name, chunks=upload.chunks(),
                    min_score=form.cleaned_data["min_score"],
                )  # fmt: skip
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("The file is being screened."))
                return redirect("screening:run-detail", pk=run.pk)
    page = paginate(request, runs)
    return render(
        request, "screening/run_list.html",
        {"form": form, "errors": errors, "page": page, "flags": _flags(request.user), "section": "runs"},
    )  # fmt: skip


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    rule = request.GET.get("rule", "")
    sort = request.GET.get("sort", "score")
    hits = selectors.run_hits(user=request.user, run=run, rule=rule, sort=sort)
    page = paginate(request, hits)
    context = {
        "run": run, "page": page, "rule": rule, "sort": sort, "rule_choices": RuleKind.choices,
        "query": query_without_page(request), "flags": _flags(request.user), "section": "runs",
        "can_share": services.run_may_share(request.user, run),
    }  # fmt: skip
    return render(request, "screening/run_detail.html", context)


@login_required
@require_POST
def run_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share the run with the secretariat (shared=1) or withdraw it (shared=0)."""
    run = selectors.run_get(user=request.user, pk=pk)
    shared = request.POST.get("shared", "1") != "0"
    try:
        run = services.run_share(actor=request.user, run=run, shared=shared)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("screening:run-detail", pk=run.pk)
    if shared:
        messages.success(request, _("The run is shared with the secretariat's analysts."))
        return redirect("screening:run-detail", pk=run.pk)
    messages.success(request, _("The run is no longer shared with the secretariat."))
    if selectors.run_list(user=request.user).filter(pk=run.pk).exists():
        return redirect("screening:run-detail", pk=run.pk)
    return redirect("screening:run-list")


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    response = render(request, "screening/_progress.html", {"run": run})
    if not run.is_running and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"  # the results are ready: show the whole page
    return response


@login_required
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    hits = selectors.run_hits(user=request.user, run=run, rule=request.GET.get("rule", ""))
    data = exports.hits_xlsx(run, hits)
    services.run_download_record(actor=request.user, run=run)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, exports.file_name(run)) or ""
    return response


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(selectors.rule_list(user=request.user))
    can_edit = has_perm(request.user, Perm.SCREENING_CONFIGURE)
    rows = [(rule, forms.RuleForm(instance=rule, prefix=f"r{rule.pk}") if can_edit else None) for rule in rules]
    return render(
        request, "screening/rule_list.html", {"rows": rows, "flags": _flags(request.user), "section": "rules"}
    )


@login_required
@require_POST
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(user=request.user, pk=pk)
    form = forms.RuleForm(request.POST, instance=rule, prefix=f"r{rule.pk}")
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["parameters"] = form.cleaned_data["parameters_text"]
        rule.refresh_from_db()
        try:
            services.rule_update(actor=request.user, rule=rule, data=data)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        else:
            messages.success(request, _("Rule saved: %(name)s.") % {"name": data["name"]})
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()))
    return redirect("screening:rule-list")


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    countries = selectors.watch_countries(user=request.user)
    q = request.GET.get("q", "").strip()
    entities = selectors.watch_entities(user=request.user, q=q)
    page = paginate(request, entities)
    errors: list[str] = []
    country_form = forms.WatchCountryForm()
    upload_form = forms.EntityUploadForm()
    if request.method == "POST":
        require(request.user, Perm.SCREENING_CONFIGURE)
        try:
            if "country" in request.POST:
                country_form = forms.WatchCountryForm(request.POST)
                if country_form.is_valid():
                    services.watch_country_add(actor=request.user, **country_form.cleaned_data)
                    messages.success(request, _("Country added to the watch list."))
                    return redirect("screening:watchlist")
            else:
                upload_form = forms.EntityUploadForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    upload = upload_form.cleaned_data["file"]
                    summary = services.watch_entities_upload(
                        actor=request.user, file_name=upload.name, data=upload.read(),
                        replace=upload_form.cleaned_data["replace"], source=upload_form.cleaned_data["source"],
                    )  # fmt: skip
                    messages.success(request, _("%(count)s entities added.") % {"count": summary["added"]})
                    return redirect("screening:watchlist")
        except ValidationError as exc:
            errors = _errors(exc)
    context = {
        "countries": countries, "page": page, "q": q, "query": query_without_page(request), "errors": errors,
        "country_form": country_form, "upload_form": upload_form, "flags": _flags(request.user), "section": "watch",
    }  # fmt: skip
    return render(request, "screening/watchlist.html", context)


@login_required
@require_POST
def watch_country_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.watch_countries(user=request.user).filter(pk=pk).first()
    if entry is not None:
        services.watch_country_remove(actor=request.user, entry=entry)
    return redirect("screening:watchlist")


@login_required
@require_POST
def watch_entity_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.watch_entities(user=request.user).filter(pk=pk).first()
    if entry is not None:
        services.watch_entity_remove(actor=request.user, entry=entry)
    return redirect("screening:watchlist")

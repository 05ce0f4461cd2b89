"""Seizure pages: the list (htmx filters, export), the record, its form (goods lines, companies and
persons as formsets that work without JavaScript), submission with a recipients preview, the
analyst's review, corrections, withdrawal, statistics and data quality by country."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core.access import Perm, has_perm, incident_is_reporting_side, require, user_country
from shieldhub.core.pagination import (
    COUNT_CAP,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    BoundedPaginator,
    query_without_page,
)
from shieldhub.seizures import exports, forms, quality, selectors, services
from shieldhub.seizures.choices import CORRECTABLE_STATUSES, IncidentStatus
from shieldhub.seizures.models import Incident


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _is_results_request(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]


class _ListPaginator(BoundedPaginator):
    """The bounded paginator with the seizure list's cheaper count and two-step page fetch
    (`selectors.bounded_count`, `selectors.page_rows`)."""

    @property
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_bounded_count"):
            found = selectors.bounded_count(self.object_list, self.cap)  # type: ignore[arg-type]
            self.capped = found > self.cap
            self._bounded_count = min(found, self.cap)
        return self._bounded_count

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = selectors.page_rows(self.object_list, bottom, bottom + self.per_page)  # type: ignore[arg-type]
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]


def _paginate(request: HttpRequest, queryset: Any) -> Any:
    """`core.pagination.paginate` with the unordered bounded count (same page-size rules)."""
    from django.core.paginator import EmptyPage, PageNotAnInteger

    try:
        size = max(min(int(request.GET.get("per_page", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE), 1)
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    paginator = _ListPaginator(queryset, size, cap=COUNT_CAP)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _can_receive_or_report(user: Any) -> bool:
    return any(has_perm(user, p) for p in (Perm.SEIZURE_REPORT, Perm.SEIZURE_VIEW_ALL, Perm.EXCHANGE_USE))


_STATUS_BADGE = {"validated": "badge badge-ok", "returned": "badge badge-warn", "withdrawn": "badge badge-muted",
                 "draft": "badge badge-muted"}  # fmt: skip


def quality_badge(score: int) -> str:
    return "badge badge-ok" if score >= 80 else "badge badge-warn" if score >= 50 else "badge badge-err"


def _prepare_rows(incidents: list[Incident]) -> None:
    """What each row of the list shows, worked out here rather than in the template (50 rows × a
    dozen cells is where a list page spends its time)."""
    goods = selectors.list_goods(incidents)
    for incident in incidents:
        hidden = incident.status == IncidentStatus.WITHDRAWN
        names = goods.get(incident.pk, [])
        row: Any = incident
        row.goods_text = "—" if hidden else ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        row.kg_text = "" if hidden or incident.total_kg is None else floatformat(incident.total_kg, "-3g")
        row.status_class = _STATUS_BADGE.get(incident.status, "badge")
        row.quality_class = quality_badge(incident.data_quality)


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SEIZURE_STATS)
    if not _can_receive_or_report(request.user):  # e.g. donors: aggregate figures only
        return redirect("seizures:statistics")
    form = forms.IncidentFilterForm(request.GET or None, user=request.user)
    page = _paginate(request, selectors.incident_list(user=request.user, filters=form.filters()))
    _prepare_rows(list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_report": has_perm(request.user, Perm.SEIZURE_REPORT),
    }
    template = "seizures/_incident_table.html" if _is_results_request(request) else "seizures/incident_list.html"
    return render(request, template, context)


@login_required
def incident_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse | FileResponse:
    require(request.user, Perm.SEIZURE_STATS)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        raise Http404
    form = forms.IncidentFilterForm(request.GET, user=request.user)
    export = exports.incident_export(user=request.user, filters=form.filters(), fmt=fmt)
    if export.file is not None:
        return FileResponse(export.file, as_attachment=True, filename=export.filename, content_type=export.content_type)
    response = StreamingHttpResponse(export.stream or iter(()), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename) or ""
    return response


def _flags(user: Any, incident: Incident) -> dict[str, bool]:
    reporting = incident_is_reporting_side(user, incident)
    validator = has_perm(user, Perm.SEIZURE_VALIDATE)
    status = incident.status
    return {
        "is_reporting_side": reporting,
        "can_edit": reporting and status == IncidentStatus.DRAFT,
        "can_submit": reporting and status == IncidentStatus.DRAFT,
        "can_correct": reporting and status in CORRECTABLE_STATUSES,
        "can_withdraw": reporting and status in CORRECTABLE_STATUSES,
        "can_validate": validator and status == IncidentStatus.SUBMITTED,
        "can_return": validator and status in (IncidentStatus.SUBMITTED, IncidentStatus.VALIDATED),
        "can_comment": status != IncidentStatus.DRAFT and (reporting or has_perm(user, Perm.SEIZURE_VIEW_ALL)),
    }


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    services.incident_record_view(actor=request.user, incident=incident)
    return render(request, "seizures/incident_detail.html", detail_context(request, incident))


def detail_context(request: HttpRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    """Everything the record's page shows (``extra``: the attachments block's errors and values)."""
    from shieldhub.seizures.views_attachments import attachments_context

    detail = selectors.incident_detail(user=request.user, incident=incident)
    flags = _flags(request.user, incident)
    context: dict[str, Any] = {
        "incident": incident,
        "detail": detail,
        "persons_visible": selectors.persons_section_visible(user=request.user, incident=incident),
        "persons": selectors.incident_persons(user=request.user, incident=incident),
        "versions": selectors.incident_versions(user=request.user, incident=incident),
        "comments": selectors.incident_comments(user=request.user, incident=incident),
        "distribution": selectors.incident_distribution(user=request.user, incident=incident),
        "prompts": quality.prompts(incident.missing_fields) if detail is not None else [],
        "review_form": forms.ReviewForm(),
        "comment_form": forms.CommentForm(),
        **flags,
    }
    if detail is not None:
        route = list(detail.route.all())
        context["route"] = {
            role: [c for c in route if c.role == role] for role in ("departure", "transit", "destination")
        }
    context.update(attachments_context(request, incident, **extra))
    return context


@login_required
def incident_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    data = selectors.version_snapshot(user=request.user, incident=incident, number=number)
    fields = [
        (getattr(Incident._meta.get_field(k), "verbose_name", k), data.get(k))
        for k in ("incident_type", "status", "reporting_country", "occurred_on", "office_name", "location_type",
                  "direction", "detection_method", "conveyance", "concealment", "ports", "source",
                  "national_reference", "narrative", "total_kg", "data_quality")
    ]  # fmt: skip
    context = {"incident": incident, "number": number, "data": data, "fields": fields, "persons": data.get("persons")}
    return render(request, "seizures/incident_version.html", context)


# --- the form ------------------------------------------------------------------------------------

_FORMSETS = (("goods", forms.GoodsFormSet), ("parties", forms.PartyFormSet), ("persons", forms.PersonFormSet))


def _formset_data(post: Any, prefix: str, add: bool) -> Any:
    data = post.copy()
    if add:
        key = f"{prefix}-TOTAL_FORMS"
        data[key] = str(int(data.get(key, "0") or 0) + 1)
    return data


def _build(request: HttpRequest, incident: Incident | None, *, correcting: bool = False) -> dict[str, Any]:
    user = request.user
    fixed = str(incident.reporting_country) if incident is not None and incident.status != "draft" else ""
    kwargs: dict[str, Any] = {"goods": {"form_kwargs": {"user": user}}, "parties": {}, "persons": {}}
    if request.method == "POST":
        adding = next((p for p, _cls in _FORMSETS if f"add_{p}" in request.POST), None)
        form = forms.IncidentForm(request.POST, user=user, fixed_country=fixed)
        sets = {p: cls(_formset_data(request.POST, p, adding == p), prefix=p, **kwargs[p]) for p, cls in _FORMSETS}
    else:
        adding = None
        initial = forms.IncidentForm.initial_from(incident) if incident is not None else {}
        form = forms.IncidentForm(initial=initial, user=user, fixed_country=fixed)
        sets = {}
        for p, cls in _FORMSETS:
            rows = _initial_rows(incident, p) if incident is not None else []
            extra = 1 if not rows and p != "persons" else 0
            sets[p] = cls(initial=rows, prefix=p, **kwargs[p])
            sets[p].extra = extra
    note = forms.CorrectionNoteForm(request.POST if request.method == "POST" else None) if correcting else None
    return {"form": form, "sets": sets, "adding": adding, "note_form": note}


def _initial_rows(incident: Incident, prefix: str) -> list[dict[str, Any]]:
    if prefix == "goods":
        return [
            {"catalogue_item": g.catalogue_item_id, "hs_code": g.hs_code, "declared_description": g.declared_description,
             "declared_hs": g.declared_hs, "actual_hs": g.actual_hs, "quantity": g.quantity, "unit": g.unit,
             "concentration": g.concentration, "density": g.density}
            for g in incident.goods.all()
        ]  # fmt: skip
    if prefix == "parties":
        return [
            {"role": p.role, "name": p.entity.name, "country": str(p.entity.country),
             "registration": (p.entity.identifiers or {}).get("registration", "")}
            for p in incident.parties.select_related("entity")
        ]  # fmt: skip
    return [
        {"role": p.role, "nationality": str(p.nationality), "gender": p.gender, "year_of_birth": p.year_of_birth,
         "name": p.name, "name_shared": p.name_shared}
        for p in incident.persons.all()
    ]  # fmt: skip


def _payload(parts: dict[str, Any]) -> dict[str, Any] | None:
    form, sets = parts["form"], parts["sets"]
    valid = form.is_valid()
    valid = all([s.is_valid() for s in sets.values()]) and valid
    if parts["note_form"] is not None:
        valid = parts["note_form"].is_valid() and valid
    if not valid:
        return None
    data = form.incident_data()
    data["goods"] = [f.line_data() for f in sets["goods"].forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
    data["parties"] = [
        f.party_data() for f in sets["parties"].forms if f.has_changed() and not f.cleaned_data.get("DELETE")
    ]
    data["persons"] = sets["persons"].rows()
    return data


def _render_form(request: HttpRequest, parts: dict[str, Any], incident: Incident | None, mode: str) -> HttpResponse:
    prompts = quality.prompts(incident.missing_fields) if incident is not None else []
    context = {**parts, "incident": incident, "mode": mode, "prompts": prompts}
    return render(request, "seizures/incident_form.html", context)


def _save(request: HttpRequest, parts: dict[str, Any], call: Any) -> Incident | None:
    if parts["adding"]:
        return None
    data = _payload(parts)
    if data is None:
        return None
    try:
        return call(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        _add_errors(parts["form"], exc)
        return None


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SEIZURE_REPORT)
    if not (user_country(request.user) or has_perm(request.user, Perm.SEIZURE_VIEW_ALL)):
        raise PermissionDenied
    parts = _build(request, None)
    if request.method == "POST":
        saved = _save(request, parts, lambda data: services.incident_create(actor=request.user, data=data))
        if saved is not None:
            messages.success(request, _("Draft saved. Check it, then submit it."))
            return redirect("seizures:incident-detail", pk=saved.pk)
    return _render_form(request, parts, None, "create")


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    if not incident_is_reporting_side(request.user, incident):
        raise PermissionDenied
    if incident.status != IncidentStatus.DRAFT:
        return redirect("seizures:incident-correct", pk=incident.pk)
    parts = _build(request, incident)
    if request.method == "POST":
        saved = _save(
            request, parts, lambda data: services.incident_update(actor=request.user, incident=incident, data=data)
        )
        if saved is not None:
            messages.success(request, _("Draft saved."))
            return redirect("seizures:incident-detail", pk=saved.pk)
    return _render_form(request, parts, incident, "edit")


@login_required
def incident_correct(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    if not incident_is_reporting_side(request.user, incident) or incident.status not in CORRECTABLE_STATUSES:
        raise PermissionDenied
    parts = _build(request, incident, correcting=True)
    if request.method == "POST":
        note_form = parts["note_form"]

        def call(data: dict[str, Any]) -> Incident:
            return services.incident_correct(
                actor=request.user, incident=incident, data=data, note=note_form.cleaned_data["note"]
            )

        saved = _save(request, parts, call)
        if saved is not None:
            messages.success(request, _("Correction saved as version %(number)s.") % {"number": saved.version})
            return redirect("seizures:incident-detail", pk=saved.pk)
    return _render_form(request, parts, incident, "correct")


# --- submission and review ---------------------------------------------------------------------------


@login_required
def incident_submit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    if not incident_is_reporting_side(request.user, incident) or incident.status != IncidentStatus.DRAFT:
        raise PermissionDenied
    initial = {"releasable_interpol": incident.releasable_interpol, "releasable_unodc": incident.releasable_unodc}
    form = forms.DistributionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_submit(
                actor=request.user, incident=incident, distribution=form.distribution(), data=form.releasability()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Record submitted."))
            return redirect("seizures:incident-detail", pk=incident.pk)
    return render(request, "seizures/incident_submit.html", {"incident": incident, "form": form})


@require_POST
@login_required
def recipients_preview(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    form = forms.DistributionForm(request.POST, user=request.user)
    recipients: list[Any] = []
    error = ""
    if form.is_valid():
        try:
            recipients = services.recipients_preview(
                actor=request.user, incident=incident, distribution=form.distribution(), data=form.releasability()
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except PermissionDenied:
            raise Http404 from None
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "seizures/_recipients_preview.html", {"recipients": recipients, "error": error})


def _post_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    try:
        action(incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("seizures:incident-detail", pk=incident.pk)


@require_POST
@login_required
def incident_validate(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    return _post_action(
        request, pk, lambda i: services.incident_validate(actor=request.user, incident=i, comment=comment),
        _("Record validated."),
    )  # fmt: skip


@require_POST
@login_required
def incident_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    return _post_action(
        request, pk, lambda i: services.incident_return(actor=request.user, incident=i, comment=comment),
        _("Record returned to the reporting country with your comments."),
    )  # fmt: skip


@require_POST
@login_required
def incident_comment(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.CommentForm(request.POST)
    body = form.cleaned_data.get("body", "") if form.is_valid() else ""
    return _post_action(
        request, pk, lambda i: services.incident_comment(actor=request.user, incident=i, body=body),
        _("Comment added."),
    )  # fmt: skip


@login_required
def incident_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    if not incident_is_reporting_side(request.user, incident):
        raise PermissionDenied
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_withdraw(actor=request.user, incident=incident, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Record withdrawn."))
            return redirect("seizures:incident-detail", pk=incident.pk)
    return render(request, "seizures/incident_withdraw.html", {"incident": incident, "form": form})


@require_POST
@login_required
def incident_delete(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    try:
        services.incident_delete_draft(actor=request.user, incident=incident)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("seizures:incident-detail", pk=pk)
    messages.success(request, _("Draft deleted."))
    return redirect("seizures:incident-list")


# --- figures ------------------------------------------------------------------------------------------


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SEIZURE_STATS)
    form = forms.StatisticsFilterForm(request.GET or None)
    stats = selectors.incident_statistics(user=request.user, filters=form.filters())
    tables = [
        (_("By month"), stats.by_month),
        (_("By type of incident"), stats.by_type),
        (_("By precursor"), stats.by_precursor),
        (_("By WCO region of the reporting country"), stats.by_region),
        (_("By reporting country"), stats.by_country),
    ]
    context = {"form": form, "stats": stats, "tables": tables, "show_list": _can_receive_or_report(request.user)}
    return render(request, "seizures/statistics.html", context)


@login_required
def quality_by_country(request: HttpRequest) -> HttpResponse:
    columns, rows = selectors.quality_by_country(user=request.user)
    return render(request, "seizures/quality.html", {"columns": columns, "rows": rows})

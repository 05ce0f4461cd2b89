"""Shipment pages: the list (htmx filters, bounded pagination), the notification (lines, parties,
route, the verification with its deadline, the importing country's answer form, the outcome form,
the history from the audit log), its form (lines as a formset that works without JavaScript),
notification, withdrawal, and the importing countries' response rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core.access import (
    Perm,
    has_perm,
    require,
    shipment_is_exporting_side,
    shipment_is_importing_side,
    user_country,
)
from shieldhub.core.pagination import COUNT_CAP, paginate, query_without_page
from shieldhub.shipments import forms, selectors, services
from shieldhub.shipments.choices import (
    ACTIVE_STATUSES,
    OUTCOME_STATUSES,
    Answer,
    Outcome,
    ShipmentStatus,
    VerificationStatus,
)
from shieldhub.shipments.models import Shipment

_STATUS_BADGE = {
    "confirmed": "badge badge-ok", "objected": "badge badge-err", "confirmed_with_concerns": "badge badge-warn",
    "overdue": "badge badge-warn", "draft": "badge badge-muted", "withdrawn": "badge badge-muted",
    "closed": "badge badge-muted",
}  # fmt: skip


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _is_results_request(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]


def _prepare_rows(shipments: list[Shipment]) -> None:
    goods = selectors.list_goods(shipments)
    for shipment in shipments:
        names = goods.get(shipment.pk, [])
        row: Any = shipment
        row.goods_text = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        row.kg_text = "" if shipment.total_kg is None else floatformat(shipment.total_kg, "-3g")
        row.status_class = _STATUS_BADGE.get(shipment.status, "badge")
        verification = getattr(shipment, "verification", None)
        row.deadline = verification.deadline if verification is not None else None


@login_required
def shipment_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SHIPMENT_USE)
    form = forms.ShipmentFilterForm(request.GET or None, user=request.user)
    page = paginate(request, selectors.shipment_list(user=request.user, filters=form.filters()), count_cap=COUNT_CAP)
    _prepare_rows(list(page.object_list))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    template = "shipments/_shipment_table.html" if _is_results_request(request) else "shipments/shipment_list.html"
    return render(request, template, context)


def _flags(user: Any, shipment: Shipment) -> dict[str, bool]:
    exporting = shipment_is_exporting_side(user, shipment)
    importing = shipment_is_importing_side(user, shipment)
    status = shipment.status
    verification = getattr(shipment, "verification", None)
    awaiting = (
        verification is not None
        and verification.status in (VerificationStatus.OPEN, VerificationStatus.OVERDUE)
        and status in (ShipmentStatus.NOTIFIED, ShipmentStatus.OVERDUE)
    )
    return {
        "is_exporting_side": exporting,
        "is_importing_side": importing,
        "can_edit": exporting and status == ShipmentStatus.DRAFT,
        "can_notify": exporting and status == ShipmentStatus.DRAFT,
        "can_answer": importing and awaiting,
        "can_outcome": (exporting or importing) and status in OUTCOME_STATUSES,
        "can_withdraw": exporting and status in ACTIVE_STATUSES,
    }


def _history_labels() -> dict[str, str]:
    return {
        "shipments.shipment_create": _("Draft created"),
        "shipments.shipment_update": _("Draft edited"),
        "shipments.shipment_notify": _("Notified to the importing country"),
        "shipments.verification_answer": _("Verification answered"),
        "shipments.verification_overdue": _("Verification overdue"),
        "shipments.verification_escalate": _("Overdue verification escalated to the coordinators"),
        "shipments.shipment_outcome": _("Outcome recorded"),
        "shipments.shipment_withdraw": _("Notification withdrawn"),
    }


def _history(user: Any, shipment: Shipment) -> list[Any]:
    labels = _history_labels()
    entries = list(selectors.shipment_history(user=user, shipment=shipment).select_related("actor"))
    for entry in entries:
        label = labels.get(entry.action, entry.action)
        detail = entry.extra.get("answer") or entry.changes.get("outcome", [None, None])[-1]
        entry.label = label  # type: ignore[attr-defined]
        if entry.action == "shipments.verification_answer" and detail:
            entry.label = f"{label}: {Answer(detail).label}"  # type: ignore[attr-defined]
        elif entry.action == "shipments.shipment_outcome" and detail:
            entry.label = f"{label}: {Outcome(detail).label}"  # type: ignore[attr-defined]
    return entries


@login_required
def shipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_detail(user=request.user, pk=pk)
    return render(request, "shipments/shipment_detail.html", detail_context(request, shipment))


def detail_context(request: HttpRequest, shipment: Shipment, **extra: Any) -> dict[str, Any]:
    """Everything the shipment's page shows (``extra``: the documents block's errors and values)."""
    from shieldhub.shipments.views_documents import documents_context

    flags = _flags(request.user, shipment)
    context: dict[str, Any] = {
        "shipment": shipment,
        "verification": getattr(shipment, "verification", None),
        "route": list(shipment.route.all()),
        "history": _history(request.user, shipment),
        "answer_form": forms.AnswerForm() if flags["can_answer"] else None,
        "outcome_form": forms.OutcomeForm(user=request.user, initial={
            "outcome": shipment.outcome, "seizure": shipment.seizure_id}) if flags["can_outcome"] else None,
        "withdraw_form": forms.WithdrawForm() if flags["can_withdraw"] else None,
        "status_class": _STATUS_BADGE.get(shipment.status, "badge"),
        **flags,
    }  # fmt: skip
    context.update(documents_context(request, shipment, **extra))
    return context


# --- the form ------------------------------------------------------------------------------------


def _build(request: HttpRequest, shipment: Shipment | None) -> dict[str, Any]:
    user = request.user
    if request.method == "POST":
        adding = "add_lines" in request.POST
        data = request.POST.copy()
        if adding:
            data["lines-TOTAL_FORMS"] = str(int(data.get("lines-TOTAL_FORMS", "0") or 0) + 1)
        form = forms.ShipmentForm(request.POST, user=user)
        lines = forms.LineFormSet(data, prefix="lines", form_kwargs={"user": user})
    else:
        adding = False
        initial = forms.ShipmentForm.initial_from(shipment) if shipment is not None else {}
        form = forms.ShipmentForm(initial=initial, user=user)
        rows = [
            {"catalogue_item": g.catalogue_item_id, "hs_code": g.hs_code, "description": g.description,
             "quantity": g.quantity, "unit": g.unit, "concentration": g.concentration, "density": g.density}
            for g in shipment.lines.all()
        ] if shipment is not None else []  # fmt: skip
        lines = forms.LineFormSet(initial=rows, prefix="lines", form_kwargs={"user": user})
        lines.extra = 0 if rows else 1
    return {"form": form, "lines": lines, "adding": adding}


def _save(parts: dict[str, Any], call: Any) -> Shipment | None:
    if parts["adding"]:
        return None
    form, lines = parts["form"], parts["lines"]
    valid = form.is_valid()
    valid = lines.is_valid() and valid
    if not valid:
        return None
    data = form.shipment_data()
    data["lines"] = [f.line_data() for f in lines.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
    try:
        return call(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _render_form(request: HttpRequest, parts: dict[str, Any], shipment: Shipment | None) -> HttpResponse:
    return render(request, "shipments/shipment_form.html", {**parts, "shipment": shipment})


@login_required
def shipment_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.SHIPMENT_NOTIFY)
    if not (user_country(request.user) or has_perm(request.user, Perm.SHIPMENT_VIEW_ALL)):
        raise PermissionDenied
    parts = _build(request, None)
    if request.method == "POST":
        saved = _save(parts, lambda data: services.shipment_create(actor=request.user, data=data))
        if saved is not None:
            messages.success(request, _("Draft saved. Check it, then notify the importing country."))
            return redirect("shipments:shipment-detail", pk=saved.pk)
    return _render_form(request, parts, None)


@login_required
def shipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    if not shipment_is_exporting_side(request.user, shipment):
        raise PermissionDenied
    if shipment.status != ShipmentStatus.DRAFT:
        return redirect("shipments:shipment-detail", pk=shipment.pk)
    parts = _build(request, shipment)
    if request.method == "POST":
        saved = _save(parts, lambda data: services.shipment_update(actor=request.user, shipment=shipment, data=data))
        if saved is not None:
            messages.success(request, _("Draft saved."))
            return redirect("shipments:shipment-detail", pk=saved.pk)
    return _render_form(request, parts, shipment)


# --- notification, answer, outcome, withdrawal ------------------------------------------------------


@login_required
def shipment_notify(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_detail(user=request.user, pk=pk)
    if not shipment_is_exporting_side(request.user, shipment) or shipment.status != ShipmentStatus.DRAFT:
        raise PermissionDenied
    form = forms.NotifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shipment_notify(actor=request.user, shipment=shipment, deadline=form.cleaned_data["deadline"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Shipment notified: the importing country's NCPs are asked to verify it."))
            return redirect("shipments:shipment-detail", pk=shipment.pk)
    from shieldhub.exchange.deadlines import default_deadline
    from shieldhub.shipments.tasks import importing_ncps

    context = {
        "shipment": shipment,
        "form": form,
        "default_deadline": default_deadline(timezone.localdate()),
        "recipients": importing_ncps(shipment),
    }
    return render(request, "shipments/shipment_notify.html", context)


def _after(request: HttpRequest, shipment: Shipment, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("shipments:shipment-detail", pk=shipment.pk)


@require_POST
@login_required
def verification_answer(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    form = forms.AnswerForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _after(
        request, shipment,
        lambda: services.verification_answer(
            actor=request.user, shipment=shipment, answer=data.get("answer", ""), reason=data.get("reason", "")),
        _("Answer recorded."),
    )  # fmt: skip


@require_POST
@login_required
def shipment_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    form = forms.OutcomeForm(request.POST, user=request.user)
    form.is_valid()
    data = form.cleaned_data
    seizure = data.get("seizure") if "seizure" in data else request.POST.get("seizure") or None
    return _after(
        request, shipment,
        lambda: services.shipment_outcome(
            actor=request.user, shipment=shipment, outcome=data.get("outcome") or request.POST.get("outcome", ""),
            seizure=seizure, note=data.get("note", "")),
        _("Outcome recorded."),
    )  # fmt: skip


@require_POST
@login_required
def shipment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    form = forms.WithdrawForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return _after(
        request, shipment, lambda: services.shipment_withdraw(actor=request.user, shipment=shipment, note=note),
        _("Notification withdrawn."),
    )  # fmt: skip


@require_POST
@login_required
def shipment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    try:
        services.shipment_delete_draft(actor=request.user, shipment=shipment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("shipments:shipment-detail", pk=pk)
    messages.success(request, _("Draft deleted."))
    return redirect("shipments:shipment-list")


@login_required
def response_rates(request: HttpRequest) -> HttpResponse:
    rows = selectors.response_rates(user=request.user)
    return render(request, "shipments/response_rates.html", {"rows": rows})

"""Pages of operations: list, page, create, edit, phase change, results board (htmx polling with a
whole-page fallback) and final report downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.events import final_report, forms_operations, operations, results
from shieldhub.events.choices import OperationPhase

POLL_SECONDS = 45


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def operation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EVENTS_VIEW)
    form = forms_operations.OperationFilterForm(request.GET or None)
    page = paginate(request, operations.operation_list(user=request.user, filters=form.filters()))
    return render(
        request,
        "events/operations/operation_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_manage": operations.can_manage(request.user),
        },
    )


@login_required
def operation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.OPERATIONS_MANAGE)
    form = forms_operations.OperationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            operation = operations.operation_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The operation and its closed group were created."))
            return redirect("events:operation-detail", operation.pk)
    return render(request, "events/operations/operation_form.html", {"form": form, "operation": None})


@login_required
def operation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    operation = operations.operation_get(user=request.user, pk=pk)
    require(request.user, Perm.OPERATIONS_MANAGE)
    form = forms_operations.OperationForm(request.POST or None, user=request.user, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            operations.operation_update(actor=request.user, operation=operation, data=form.to_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The operation was saved."))
            return redirect("events:operation-detail", operation.pk)
    return render(request, "events/operations/operation_form.html", {"form": form, "operation": operation})


def _board_context(request: HttpRequest, operation: Any) -> dict[str, Any]:
    if not results.board_visible(request.user, operation):
        return {"board": None}
    return {
        "board": results.operation_results(user=request.user, operation=operation),
        "live": operation.phase == OperationPhase.ACTIVE,
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    operation = operations.operation_get(user=request.user, pk=pk)
    context: dict[str, Any] = {
        "operation": operation,
        "can_manage": operations.can_manage(request.user),
        "next_phases": operations.next_phases(operation) if operations.can_manage(request.user) else [],
        "can_see_members": has_perm(request.user, Perm.DIRECTORY_VIEW_ALL),
        "can_use_exchange": has_perm(request.user, Perm.EXCHANGE_USE),
        "country_names": [(code, country_registry.name(code) or code) for code in operation.countries],
        **_board_context(request, operation),
    }
    return render(request, "events/operations/operation_detail.html", context)


@login_required
def operation_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The board alone (htmx polling), or as a whole page without JavaScript."""
    operation = operations.operation_get(user=request.user, pk=pk)
    results.require_board(request.user, operation)
    context = {"operation": operation, **_board_context(request, operation)}
    if request.headers.get("HX-Request"):
        return render(request, "events/operations/_board.html", context)
    return render(request, "events/operations/results.html", context)


@require_POST
@login_required
def operation_phase(request: HttpRequest, pk: int) -> HttpResponse:
    operation = operations.operation_get(user=request.user, pk=pk)
    require(request.user, Perm.OPERATIONS_MANAGE)
    form = forms_operations.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the next phase."))
        return redirect("events:operation-detail", operation.pk)
    try:
        operation = operations.operation_phase_change(
            actor=request.user, operation=operation, phase=form.cleaned_data["phase"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The operation is now in the phase “%(phase)s”.") % {"phase": operation.get_phase_display()}
        )
    return redirect("events:operation-detail", operation.pk)


@login_required
def operation_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    operation = operations.operation_get(user=request.user, pk=pk)
    require(request.user, Perm.OPERATIONS_MANAGE)
    language = final_report.language_of(request.GET.get("lang"), default=(request.LANGUAGE_CODE or "en"))
    content, ctype, filename = final_report.final_report(
        actor=request.user, operation=operation, fmt=fmt, language=language
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

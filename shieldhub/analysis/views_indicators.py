"""Indicator pages: the results framework with actual values and progress, its editing and the
values entered by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.analysis import indicators
from shieldhub.analysis.forms_reports import IndicatorForm, IndicatorValueForm, PeriodForm
from shieldhub.core.access import Perm, has_perm, require


def period_from(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    start, end = indicators.default_period()
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return form, start, end


def _errors_into(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.REPORTS_VIEW)
    form, start, end = period_from(request)
    lines = indicators.framework(user=request.user, start=start, end=end)
    return render(
        request, "analysis/indicators/list.html",
        {"lines": lines, "form": form, "start": start, "end": end,
         "can_edit": has_perm(request.user, Perm.INDICATORS_EDIT), "query": request.GET.urlencode()},
    )  # fmt: skip


@login_required
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Perm.INDICATORS_EDIT)
    indicator = indicators.indicator_get(user=request.user, pk=pk) if pk is not None else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in indicators.FIELDS if name in form.cleaned_data}
        data["measure"] = data.get("measure") or ""
        try:
            saved = indicators.indicator_save(
                actor=request.user,
                data=data,
                indicator=indicators.indicator_get(user=request.user, pk=pk) if pk else None,
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The framework was saved."))
            return redirect("analysis:indicator-detail", pk=saved.pk)
    return render(request, "analysis/indicators/edit.html", {"form": form, "indicator": indicator})


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = indicators.indicator_get(user=request.user, pk=pk)
    can_edit = has_perm(request.user, Perm.INDICATORS_EDIT)
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Perm.INDICATORS_EDIT)
        if form.is_valid():
            try:
                indicators.indicator_value_add(actor=request.user, indicator=indicator, **form.cleaned_data)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("The value was recorded."))
                return redirect("analysis:indicator-detail", pk=indicator.pk)
    _period, start, end = period_from(request)
    line = indicators.line_for(indicator, start, end, {})
    return render(
        request, "analysis/indicators/detail.html",
        {"indicator": indicator, "line": line, "form": form, "can_edit": can_edit, "start": start, "end": end,
         "values": list(indicator.values.all()),
         "measure_label": indicators.MEASURES[indicator.measure].label if indicator.measure in indicators.MEASURES else ""},
    )  # fmt: skip


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.INDICATORS_EDIT)
    indicator = indicators.indicator_get(user=request.user, pk=pk)
    indicators.indicator_delete(actor=request.user, indicator=indicator)
    messages.success(request, _("The line was removed from the framework."))
    return redirect("analysis:indicator-list")


@login_required
@require_POST
def indicator_value_delete(request: HttpRequest, pk: int, value_pk: int) -> HttpResponse:
    require(request.user, Perm.INDICATORS_EDIT)
    indicator = indicators.indicator_get(user=request.user, pk=pk)
    value = next((v for v in indicator.values.all() if v.pk == value_pk), None)
    if value is not None:
        indicators.indicator_value_delete(actor=request.user, value=value)
        messages.success(request, _("The value was removed."))
    return redirect("analysis:indicator-detail", pk=indicator.pk)

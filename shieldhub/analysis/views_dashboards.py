"""Dashboards pages: a page per dashboard (seizures; licit shipments and verification) with the
filters as GET parameters (shareable; htmx swaps the panels and pushes the URL; works without
JavaScript), and per panel its exports: CSV, XLSX (formula-safe, `core.spreadsheets`), PNG and SVG
(rendered on the server by vl-convert)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from shieldhub.analysis import charts, dashboards
from shieldhub.core import spreadsheets
from shieldhub.core.access import Perm, require
from shieldhub.seizures import analytics as seizure_analytics
from shieldhub.seizures.selectors import min_cell

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
}


@login_required
def dashboard_page(request: HttpRequest, name: str = "seizures") -> HttpResponse:
    require(request.user, Perm.ANALYSIS_VIEW)
    if name not in dashboards.DASHBOARDS:
        raise Http404
    filters, form = dashboards.parse_filters(request.GET, user=request.user, name=name)
    with seizure_analytics.shared_queries():  # the totals reuse the panels' grouped queries
        panels = dashboards.dashboard(user=request.user, name=name, filters=filters)
        summary = dashboards.summary(user=request.user, filters=filters)
    context = {
        "name": name,
        "title": dashboards.TITLES[name],
        "dashboards": list(dashboards.TITLES.items()),
        "form": form,
        "panels": panels,
        "summary": summary,
        "query": request.GET.urlencode(),
        "threshold": min_cell(),
    }
    template = "analysis/dashboards/page.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "dashboard-panels":
        template = "analysis/dashboards/_panels.html"
    return render(request, template, context)


@login_required
def panel_export(request: HttpRequest, name: str, key: str, fmt: str) -> HttpResponse:
    return export_response(user=request.user, name=name, key=key, fmt=fmt, params=request.GET)


def export_response(*, user: Any, name: str, key: str, fmt: str, params: Any) -> HttpResponse:
    """A panel as a file (CSV, XLSX, PNG, SVG) with the filters of `params`: the page's download
    links and the API's export endpoint."""
    require(user, Perm.ANALYSIS_VIEW)
    if name not in dashboards.DASHBOARDS or key not in dashboards.DASHBOARDS[name] or fmt not in EXPORT_TYPES:
        raise Http404
    filters, _form = dashboards.parse_filters(params, user=user, name=name)
    panel = dashboards.panel(user=user, name=name, key=key, filters=filters)
    filename = f"{slugify(name)}-{slugify(key)}.{fmt}"
    if fmt == "csv":
        body: bytes = spreadsheets.write_csv(panel.table(), panel.headers())
    elif fmt == "xlsx":
        body = spreadsheets.write_xlsx(panel.table(), panel.headers(), sheet_title=str(panel.title)[:31])
    else:
        if panel.spec is None:
            raise Http404
        body = charts.chart_png(panel.spec) if fmt == "png" else charts.chart_svg(panel.spec).encode()
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

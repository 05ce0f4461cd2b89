"""`/api/v1/analysis` routes for dashboards and country profiles (mounted by `analysis/api.py`).

The same functions as the pages (`dashboards.panel`, `profiles.country_profile`), so the figures and
the access rule are the same: aggregates for every `analysis.view` holder (small cells suppressed
outside the secretariat, as null), record detail only for what the caller may see."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from shieldhub.analysis import dashboards, profiles
from shieldhub.core.access import Perm, require
from shieldhub.seizures import analytics as seizure_analytics

router = Router(tags=["analysis"])


class DashboardFilters(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    precursor: int | None = None
    region: str | None = None
    country: str | None = None
    incident_type: str | None = Field(None, description="Seizures dashboard only (shipments have no incident type).")
    operation: int | None = Field(None, description="Seizures dashboard only (shipments have no operation).")
    measure: Literal["n", "kg"] | None = Field(
        None, description="What the chart specifications plot: n (records, shipments; the default) or kg."
    )


class PanelOut(Schema):
    key: str
    title: str
    columns: list[list[str]]
    rows: list[dict[str, Any]]
    note: str
    spec: dict[str, Any] | None = Field(None, description="The Vega-Lite chart (single-panel requests only).")


class DashboardOut(Schema):
    name: str
    title: str
    totals: dict[str, Any]
    panels: list[PanelOut]


def _filters(request: HttpRequest, filters: DashboardFilters, name: str) -> Any:
    """The dashboard's own filters (the shipments dashboard ignores `incident_type` and `operation`)."""
    params = {k: str(v) for k, v in filters.dict(exclude_none=True).items()}
    parsed, _form = dashboards.parse_filters(params, user=request.user, name=name)
    return parsed


def _panel_out(panel: dashboards.Panel, *, spec: bool = False) -> dict[str, Any]:
    return {
        "key": panel.key,
        "title": str(panel.title),
        "columns": [[f, str(h)] for f, h in panel.columns],
        "rows": panel.rows,
        "note": str(panel.note),
        "spec": panel.spec if spec else None,
    }


@router.get("/dashboards", response=list[dict[str, str]])
def dashboard_index(request: HttpRequest) -> Any:
    """The dashboards and their panels."""
    require(request.user, Perm.ANALYSIS_VIEW)
    return [{"name": name, "title": str(dashboards.TITLES[name]), "panels": ",".join(keys)}
            for name, keys in dashboards.DASHBOARDS.items()]  # fmt: skip


@router.get("/dashboards/{name}", response=DashboardOut)
def dashboard(request: HttpRequest, name: str, filters: Query[DashboardFilters]) -> Any:
    """Every panel of a dashboard (`seizures`, `shipments`) with its rows."""
    require(request.user, Perm.ANALYSIS_VIEW)
    if name not in dashboards.DASHBOARDS:
        raise Http404
    parsed = _filters(request, filters, name)
    with seizure_analytics.shared_queries():
        panels = dashboards.dashboard(user=request.user, name=name, filters=parsed)
        summary = dashboards.summary(user=request.user, filters=parsed)
    return {
        "name": name,
        "title": str(dashboards.TITLES[name]),
        "totals": {"seizures": summary["seizures"], "shipments": summary["shipments"]},
        "panels": [_panel_out(p) for p in panels],
    }


@router.get("/dashboards/{name}/{key}", response=PanelOut)
def dashboard_panel(request: HttpRequest, name: str, key: str, filters: Query[DashboardFilters]) -> Any:
    """One panel's rows and its chart (a Vega-Lite specification, or null when there is nothing to draw)."""
    require(request.user, Perm.ANALYSIS_VIEW)
    if name not in dashboards.DASHBOARDS or key not in dashboards.DASHBOARDS[name]:
        raise Http404
    panel = dashboards.panel(user=request.user, name=name, key=key, filters=_filters(request, filters, name))
    return _panel_out(panel, spec=True)


@router.get("/dashboards/{name}/{key}/export/{fmt}")
def dashboard_panel_export(
    request: HttpRequest,
    name: str,
    key: str,
    fmt: Literal["csv", "xlsx", "png", "svg"],
    filters: Query[DashboardFilters],
) -> HttpResponse:
    """One panel as a file: its table (CSV, XLSX) or its chart (PNG, SVG; 404 when it has none), the
    same file as the page's download links."""
    from shieldhub.analysis.views_dashboards import export_response

    params = {k: str(v) for k, v in filters.dict(exclude_none=True).items()}
    return export_response(user=request.user, name=name, key=key, fmt=fmt, params=params)


@router.get("/countries/{code}", response=dict[str, Any])
def country(request: HttpRequest, code: str) -> Any:
    """A country profile's figures."""
    return profiles.profile_dict(profiles.country_profile(user=request.user, code=code))

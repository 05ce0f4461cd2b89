"""Country profiles: one page per country — NCPs and coverage, seizures and shipments, verification
behaviour, data quality, events attended and officers trained, devices delivered (not yet recorded)
— and its PDF fact sheet. Figures are aggregates read through the owning apps' selectors and
analytics (the same access rule as the dashboards: suppressed outside the secretariat); the
records' detail is listed only for `analysis.all` and for the country's own NCPs."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from shieldhub.analysis import charts, dashboards
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.events import analytics as event_analytics
from shieldhub.seizures import analytics as seizure_analytics
from shieldhub.seizures.analytics import Filters
from shieldhub.seizures.selectors import min_cell
from shieldhub.shipments import analytics as shipment_analytics


@dataclass
class Profile:
    code: str
    name: str
    region: str
    wco_member: bool
    ncp_active: int | None
    ncp_names: list[str]
    seizures: dict[str, Any]
    seizures_by_month: list[dict[str, Any]]
    seizures_by_precursor: list[dict[str, Any]]
    quality: dict[str, Any]
    shipments: dict[str, Any]
    events: dict[str, Any]
    records: list[dict[str, Any]] | None  # None: the reader may not see this country's records
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)  # the charts of the PDF fact sheet
    panels: list[Any] = field(default_factory=list)  # the page's charts: dashboard panels of this country
    today: dt.date = field(default_factory=dt.date.today)


def _coverage(user: Any, code: str) -> tuple[int | None, list[str]]:
    if not has_perm(user, Perm.COVERAGE_VIEW):
        return None, []
    from shieldhub.directory.coverage import coverage_summary

    coverage = coverage_summary(user=user)
    for region in coverage.regions:
        for country in region.countries:
            if country.code == code:
                return country.active, country.primary_names
    return coverage.active_by_country.get(code, 0), []


def country_profile(*, user: Any, code: str) -> Profile:
    with seizure_analytics.shared_queries():
        return _country_profile(user, code)


def _country_profile(user: Any, code: str) -> Profile:
    from shieldhub.reference.selectors import country_get

    require(user, Perm.ANALYSIS_VIEW)
    country = country_get(user=user, code=code)
    filters = Filters(country=country.code)
    active, names = _coverage(user, country.code)
    # the seizures dashboard's panels filtered on the country: the same figures, table view and
    # downloads (CSV, XLSX, PNG, SVG) as on the dashboard
    panels = [
        dashboards.panel(user=user, name="seizures", key=key, filters=filters) for key in ("over-time", "precursor")
    ]
    for panel in panels:
        panel.wide = False
    by_month, by_precursor = panels[0].rows, panels[1].rows
    allowed = seizure_analytics.detail_countries(user)
    records = None
    if allowed is None or country.code in allowed:
        records = seizure_analytics.detail_rows(user=user, filters=filters, limit=20)
    profile = Profile(
        code=country.code,
        name=country.name,
        region=str(country.wco_region.name) if country.wco_region else "",
        wco_member=country.wco_member,
        ncp_active=active,
        ncp_names=names,
        seizures=seizure_analytics.totals(user=user, filters=filters),
        seizures_by_month=by_month,
        seizures_by_precursor=by_precursor,
        quality=seizure_analytics.quality(user=user, country=country.code),
        shipments=shipment_analytics.country_figures(user=user, country=country.code),
        events=event_analytics.country_participation(country=country.code),
        records=records,
        panels=panels,
    )
    # the fact sheet prints the same charts, titled (the page has the panels' headings)
    for name, panel in zip(("months", "precursors"), panels, strict=True):
        if panel.spec is not None:
            profile.specs[name] = {**panel.spec, "title": str(panel.title)}
    return profile


def profile_dict(profile: Profile) -> dict[str, Any]:
    """The profile as JSON for the API (no chart specifications)."""
    return {
        "code": profile.code,
        "name": profile.name,
        "region": profile.region,
        "wco_member": profile.wco_member,
        "ncp": {"active": profile.ncp_active, "primary_names": profile.ncp_names},
        "seizures": {
            **profile.seizures,
            "by_month": [{"month": r["month"][:7], "n": r["n"], "kg": r["kg"]} for r in profile.seizures_by_month],
            "by_precursor": [
                {"precursor": r["label"], "n": r["n"], "kg": r["kg"]} for r in profile.seizures_by_precursor
            ],
        },
        "data_quality": profile.quality,
        "shipments": profile.shipments,
        "events": profile.events,
        "devices_delivered": None,
        "records": profile.records,
    }


def country_index(*, user: Any) -> dict[str, Any]:
    """Every WCO member by region with its seizure records (aggregate) and NCP status, and a map."""
    from shieldhub.reference.selectors import wco_member_countries

    require(user, Perm.ANALYSIS_VIEW)
    counts = {r["key"]: r for r in seizure_analytics.by_country(user=user, filters=Filters())}
    active: dict[str, int] = {}
    if has_perm(user, Perm.COVERAGE_VIEW):
        from shieldhub.directory.coverage import active_ncps_by_country

        active = active_ncps_by_country(user=user)
    regions: dict[str, dict[str, Any]] = {}
    for c in wco_member_countries(user=user).select_related("wco_region"):
        region = regions.setdefault(
            c.wco_region_id or "", {"name": c.wco_region.name if c.wco_region else _("No WCO region"), "countries": []}
        )
        row = counts.get(c.code)
        region["countries"].append(
            {"code": c.code, "name": c.name, "n": row["n"] if row else 0, "ncp": active.get(c.code, 0)}
        )
    for region in regions.values():
        region["countries"].sort(key=lambda r: r["name"].casefold())
    map_rows = [{"id": r["id"], "name": r["label"], "n": r["n"]} for r in counts.values() if r["id"] and r["n"]]
    spec = charts.world_map(map_rows, value="n", value_title=_("Seizure records"))
    return {"regions": [regions[k] for k in sorted(regions)], "spec": spec, "threshold": min_cell()}


def svg_data_uri(spec: dict[str, Any]) -> str:
    svg = charts.chart_svg(spec, width=640)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def fact_sheet_pdf(*, user: Any, code: str, language: str) -> bytes:
    from shieldhub.events.pdf import render_pdf

    profile = country_profile(user=user, code=code)
    images = {key: svg_data_uri(spec) for key, spec in profile.specs.items()}
    context = {"p": profile, "images": images, "threshold": min_cell()}
    return render_pdf("analysis/profiles/fact_sheet.html", context, language)

"""The analysis dashboards: panels of figures over seizures, shipments and the NCP network.

A panel is a table (the figures), a chart specification built from the same rows, and a note. The
page, the exports (CSV, XLSX, PNG, SVG) and the API all call `panel(user, dashboard, key, filters)`
(or `dashboard(...)` for all of a page's panels), which reads the aggregates through
`seizures.analytics` / `shipments.analytics` / `directory.coverage` — so the figures are the same
everywhere, with the same access rule (aggregates suppressed outside the secretariat, record
detail only for what the reader may see).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shieldhub.analysis import charts
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.widgets import QuickSelect
from shieldhub.seizures import analytics as seizure_analytics
from shieldhub.seizures.analytics import Filters
from shieldhub.seizures.choices import IncidentType
from shieldhub.shipments import analytics as shipment_analytics

Row = dict[str, Any]


@dataclass
class Panel:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (field, heading)
    rows: list[Row]
    spec: dict[str, Any] | None = None
    note: str = ""
    wide: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[list[Any]]:
        return [[_cell(r.get(f)) for f, _h in self.columns] for r in self.rows]

    def headers(self) -> list[str]:
        return [h for _f, h in self.columns]

    def all_suppressed(self) -> bool:
        """Every count hidden by the small-cell rule: the table would be a column of dashes."""
        return bool(self.rows) and all(r.get("n", 0) is None for r in self.rows)


def _cell(value: Any) -> Any:
    return "—" if value is None else value


# --- filters ---------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """The filters every dashboard applies: period, precursor, WCO region, country."""

    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    precursor = forms.TypedChoiceField(
        label=gettext_lazy("Precursor"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    region = forms.ChoiceField(label=gettext_lazy("WCO region"), required=False, widget=QuickSelect)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False, widget=QuickSelect)
    measure = forms.ChoiceField(
        label=gettext_lazy("Charts show"),
        required=False,
        choices=[("n", gettext_lazy("Number")), ("kg", gettext_lazy("Kilograms"))],
        widget=QuickSelect,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.directory.selectors import region_choices
        from shieldhub.reference.selectors import catalogue_list, country_list

        every = [("", _("All"))]
        fields: Any = self.fields
        fields["precursor"].choices = every + [(c.pk, c.name) for c in catalogue_list(user=user)]
        fields["region"].choices = every + region_choices()
        fields["country"].choices = every + [(c.code, c.name) for c in country_list(user=user)]


class FilterForm(DashboardFilterForm):
    """The seizures dashboard's filters: the common ones, the incident type and the operation."""

    incident_type = forms.ChoiceField(label=gettext_lazy("Incident type"), required=False, widget=QuickSelect)
    operation = forms.TypedChoiceField(
        label=gettext_lazy("Operation"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from shieldhub.seizures.selectors import operations

        every = [("", _("All"))]
        fields: Any = self.fields
        fields["incident_type"].choices = every + list(IncidentType.choices)
        try:
            ops = [(o.pk, o.name) for o in operations(user=user)]
        except Exception:
            ops = []
        fields["operation"].choices = every + ops


class ShipmentDashboardFilterForm(DashboardFilterForm):
    """The shipments dashboard's filters: only those its figures apply (`shipments.analytics.notified_q`);
    a shipment has no incident type and no operation."""


FILTER_FORMS: dict[str, type[DashboardFilterForm]] = {"seizures": FilterForm, "shipments": ShipmentDashboardFilterForm}


def parse_filters(
    params: Mapping[str, Any], *, user: Any, name: str = "seizures"
) -> tuple[Filters, DashboardFilterForm]:
    """The filters of a GET query for dashboard `name` (invalid values are ignored, the form shows
    why; parameters the dashboard has no filter for are ignored)."""
    from shieldhub.directory.selectors import region_country_codes

    form = FILTER_FORMS.get(name, FilterForm)(params or None, user=user)
    data: dict[str, Any] = {}
    if form.is_bound and not form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    elif form.is_bound:
        data = form.cleaned_data
    filters = Filters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        precursor=data.get("precursor"),
        region=data.get("region") or "",
        country=data.get("country") or "",
        incident_type=data.get("incident_type") or "",
        operation=data.get("operation"),
        measure=data.get("measure") or "n",
    )
    if filters.region:
        filters.region_countries = region_country_codes(filters.region)
    return filters, form


# --- panels ------------------------------------------------------------------------------------


def _n() -> str:
    return _("Records")


def _count_cols(first: str) -> list[tuple[str, str]]:
    return [("label", first), ("n", _("Records")), ("kg", _("Kilograms"))]


def _shown(rows: list[Row]) -> list[Row]:
    """Rows a chart can draw: suppressed cells (None) are left to the table."""
    return [r for r in rows if r.get("n") is not None]


def _plotted(f: Filters, count_title: str = "") -> tuple[str, str]:
    """The measure the charts plot (the "Charts show" choice) and its axis title."""
    return ("kg", _("Kilograms")) if f.measure == "kg" else ("n", count_title or _n())


def _bar(rows: list[Row], first: str, *, value: str = "n", value_title: str = "", top: int = 20) -> dict[str, Any]:
    return charts.bar_chart(
        _shown(rows)[:top], category="label", value=value, category_title=first, value_title=value_title or _n()
    )


def p_over_time(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.by_month(user=user, filters=f)
    value, value_title = _plotted(f)
    spec = charts.time_chart(
        charts.filled_months(rows, value=value), value=value, value_title=value_title, date_title=_("Month")
    )
    return Panel("over-time", _("Seizures over time"), _count_cols(_("Month")), rows, spec, wide=True)


def p_time_by(dimension: str, lazy_title: Any, lazy_heading: Any) -> Callable[[Any, Filters], Panel]:
    def build(user: Any, f: Filters) -> Panel:
        title, heading = str(lazy_title), str(lazy_heading)  # in the request's language
        rows = seizure_analytics.by_month_and(user=user, filters=f, dimension=dimension)
        value, value_title = _plotted(f)
        spec = charts.time_chart(
            charts.filled_months(rows, series="series", value=value),
            value=value,
            value_title=value_title,
            date_title=_("Month"),
            series="series",
            series_title=heading,
        )
        cols = [("month", _("Month")), ("series", heading), ("n", _("Records")), ("kg", _("Kilograms"))]
        for r in rows:
            r["month"] = r["month"][:7]
        # by country last, full width: the half-width panels before and after it then pair up
        return Panel(f"time-{dimension}", title, cols, rows, spec, note=_("The six largest series."),
                     wide=dimension == "country")  # fmt: skip

    return build


def p_by_region(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.by_region(user=user, filters=f)
    value, value_title = _plotted(f)
    spec = _bar(rows, _("WCO region"), value=value, value_title=value_title)
    return Panel("region", _("Seizures by WCO region"), _count_cols(_("WCO region")), rows, spec)


def p_by_country(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.by_country(user=user, filters=f)
    value, value_title = _plotted(f)
    return Panel(
        "country",
        _("Seizures by reporting country"),
        _count_cols(_("Country")),
        rows,
        _bar(rows, _("Country"), value=value, value_title=value_title),
        note=_("The chart shows the twenty largest; the table has every country."),
    )


def p_map(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.by_country(user=user, filters=f)
    value, value_title = _plotted(f)
    map_rows = [{"id": r["id"], "name": r["label"], "n": r[value]} for r in _shown(rows) if r["id"]]
    spec = charts.world_map(map_rows, value="n", value_title=value_title)
    return Panel("map", _("World map of seizures"), _count_cols(_("Country")), rows, spec, wide=True)


def p_coverage(user: Any, f: Filters) -> Panel:
    from shieldhub.directory.coverage import coverage_summary
    from shieldhub.reference.models import Country

    rows: list[Row] = []
    if has_perm(user, Perm.COVERAGE_VIEW):
        coverage = coverage_summary(user=user)
        numeric = dict(Country.objects.filter(wco_member=True).values_list("code", "numeric"))
        for region in coverage.regions:
            if f.region and region.code != f.region:
                continue
            for c in region.countries:
                if f.country and c.code != f.country:
                    continue
                rows.append(
                    {
                        "key": c.code,
                        "label": c.name,
                        "region": region.name,
                        "active": c.active,
                        "status": _("Active NCP") if c.active else _("No active NCP"),
                        "id": f"{numeric[c.code]:03d}" if numeric.get(c.code) else "",
                    }
                )
    covered, uncovered = _("Active NCP"), _("No active NCP")
    spec = charts.world_map(
        [{"id": r["id"], "name": r["label"], "status": r["status"]} for r in rows if r["id"]],
        value="status",
        value_title=_("NCP coverage"),
        categorical=True,
        domain=(covered, uncovered),
        colours=("#1e7a3c", "#f0b43c"),
    )
    cols = [("label", _("Country")), ("region", _("WCO region")), ("active", _("Active NCPs"))]
    n_cov = sum(1 for r in rows if r["active"])
    note = _("%(covered)s of %(members)s WCO members have an active NCP.") % {"covered": n_cov, "members": len(rows)}
    return Panel("coverage", _("NCP coverage"), cols, rows, spec, note=note, wide=True)


def p_routes(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.routes(user=user, filters=f)
    cols = [("label", _("Route")), ("n", _("Records"))]
    note = _("From the departure country to the destination country of each record's route.")
    return Panel("routes", _("Routes (origin → destination)"), cols, rows, _bar(rows, _("Route")), note=note)


def p_field(name: str, lazy_title: Any, lazy_heading: Any) -> Callable[[Any, Filters], Panel]:
    def build(user: Any, f: Filters) -> Panel:
        title, heading = str(lazy_title), str(lazy_heading)
        rows = seizure_analytics.by_field(user=user, filters=f, name=name)
        return Panel(name.replace("_", "-"), title, _count_cols(heading), rows, _bar(rows, heading))

    return build


def p_concealment(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.concealment(user=user, filters=f)
    note = "" if not seizure_analytics.suppressed_for(user, f) else _("Methods written in few records are not shown.")
    return Panel(
        "concealment", _("Concealment methods"), _count_cols(_("Concealment")), rows, _bar(rows, _("Concealment")),
        note=note,
    )  # fmt: skip


def p_precursor(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.by_precursor(user=user, filters=f)
    value, value_title = _plotted(f)
    spec = _bar(rows, _("Precursor"), value=value, value_title=value_title)
    return Panel("precursor", _("Seizures by precursor"), _count_cols(_("Precursor")), rows, spec)


def rising_method() -> str:
    sa = seizure_analytics
    return _(
        "Method: for each country and precursor, C is the number of records of the last %(recent)s complete "
        "months and λ the mean monthly count of the %(baseline)s months before (at least %(floor)s). Under a "
        "Poisson model C should be close to %(recent)s×λ; z = (C − %(recent)sλ) / √(%(recent)sλ). A signal is "
        "raised when z ≥ %(z)s and C ≥ %(min)s."
    ) % {
        "recent": sa.RISING_RECENT_MONTHS,
        "baseline": sa.RISING_BASELINE_MONTHS,
        "floor": sa.RISING_MIN_RATE,
        "z": sa.RISING_Z,
        "min": sa.RISING_MIN_COUNT,
    }


def p_rising(user: Any, f: Filters) -> Panel:
    rows = []
    for dimension, kind in (("country", _("Country")), ("precursor", _("Precursor"))):
        for r in seizure_analytics.rising(user=user, filters=f, dimension=dimension):
            rows.append({**r, "kind": kind})
    cols = [
        ("kind", _("Series")),
        ("label", _("Name")),
        ("recent", _("Records, last 3 months")),
        ("expected", _("Expected")),
        ("z", _("z-score")),
    ]
    spec = charts.bar_chart(
        rows, category="label", value="z", category_title=_("Name"), value_title=_("z-score")
    ) if rows else None  # fmt: skip
    return Panel("rising", _("Rising signals"), cols, rows, spec, note=rising_method())


def p_records(user: Any, f: Filters) -> Panel:
    rows = seizure_analytics.detail_rows(user=user, filters=f)
    cols = [
        ("reference", _("Reference")),
        ("date", _("Date")),
        ("country_name", _("Country")),
        ("type", _("Type")),
        ("detection", _("Detection")),
        ("conveyance", _("Conveyance")),
        ("kg", _("Kilograms")),
    ]
    if has_perm(user, Perm.ANALYSIS_ALL):
        note = _("The newest 200 records that the filters select.")
    else:
        note = _("Only your country's records are listed; other countries appear in the aggregates only.")
    return Panel("records", _("Records"), cols, rows, None, note=note, wide=True)


def s_precursor(user: Any, f: Filters) -> Panel:
    rows = shipment_analytics.by_precursor(user=user, filters=f)
    cols = [("label", _("Precursor")), ("n", _("Shipments")), ("kg", _("Kilograms"))]
    return Panel("volumes", _("Licit shipment volumes by precursor"), cols, rows,
                 _bar(rows, _("Precursor"), value="kg", value_title=_("Kilograms")))  # fmt: skip


def s_month(user: Any, f: Filters) -> Panel:
    rows = shipment_analytics.by_month(user=user, filters=f)
    value, value_title = _plotted(f, _("Shipments"))
    spec = charts.time_chart(
        charts.filled_months(rows, value=value), value=value, value_title=value_title, date_title=_("Month")
    )
    cols = [("label", _("Month")), ("n", _("Shipments")), ("kg", _("Kilograms"))]
    return Panel("shipments-time", _("Shipments notified over time"), cols, rows, spec, wide=True)


def s_routes(user: Any, f: Filters) -> Panel:
    rows = shipment_analytics.by_route(user=user, filters=f)
    cols = [("label", _("Route")), ("n", _("Shipments")), ("kg", _("Kilograms"))]
    value, value_title = _plotted(f, _("Shipments"))
    return Panel("shipment-routes", _("Licit shipments by route (exporter → importer)"), cols, rows,
                 _bar(rows, _("Route"), value=value, value_title=value_title))  # fmt: skip


def s_verification(user: Any, f: Filters) -> Panel:
    rows = shipment_analytics.verification_by_country(user=user, filters=f)
    cols = [
        ("label", _("Importing country")),
        ("n", _("Requests")),
        ("answered", _("Answered")),
        ("rate", _("Response rate (%)")),
        ("on_time_rate", _("On time (%)")),
        ("delay_days", _("Mean delay (days)")),
    ]
    spec = charts.bar_chart(rows[:25], category="label", value="rate", category_title=_("Importing country"),
                            value_title=_("Response rate (%)")) if rows else None  # fmt: skip
    note = _(
        "Delay: from the request to the answer. Countries with few requests are not shown outside the secretariat."
    )
    return Panel("verification", _("Verification response rates and delays"), cols, rows, spec, note=note, wide=True)


DASHBOARDS: dict[str, dict[str, Callable[[Any, Filters], Panel]]] = {
    "seizures": {
        "over-time": p_over_time,
        "time-precursor": p_time_by(
            "precursor", gettext_lazy("Seizures over time by precursor"), gettext_lazy("Precursor")
        ),
        "time-region": p_time_by(
            "region", gettext_lazy("Seizures over time by WCO region"), gettext_lazy("WCO region")
        ),
        "time-country": p_time_by("country", gettext_lazy("Seizures over time by country"), gettext_lazy("Country")),
        "map": p_map,
        "coverage": p_coverage,
        "region": p_by_region,
        "country": p_by_country,
        "precursor": p_precursor,
        "routes": p_routes,
        "detection-method": p_field("detection_method", gettext_lazy("Detection methods"), gettext_lazy("Detection")),
        "concealment": p_concealment,
        "conveyance": p_field("conveyance", gettext_lazy("Conveyance"), gettext_lazy("Conveyance")),
        "rising": p_rising,
        "records": p_records,
    },
    "shipments": {  # the two half-width panels first, side by side
        "volumes": s_precursor,
        "shipment-routes": s_routes,
        "shipments-time": s_month,
        "verification": s_verification,
    },
}

TITLES = {"seizures": gettext_lazy("Seizures"), "shipments": gettext_lazy("Licit shipments and verification")}


def _has_data(spec: dict[str, Any]) -> bool:
    if "datasets" in spec:
        return bool(spec["datasets"].get(charts.ROWS))
    return '"values": []' not in json.dumps(spec)


def _built(build: Callable[[Any, Filters], Panel], user: Any, filters: Filters) -> Panel:
    """A panel, without a chart when every cell is suppressed or there is no data (the table says so)."""
    result = build(user, filters)
    if result.spec is not None and not _has_data(result.spec):
        result.spec = None
    return result


def dashboard(*, user: Any, name: str, filters: Filters) -> list[Panel]:
    require(user, Perm.ANALYSIS_VIEW)
    with seizure_analytics.shared_queries():
        return [_built(build, user, filters) for build in DASHBOARDS[name].values()]


def panel(*, user: Any, name: str, key: str, filters: Filters) -> Panel:
    require(user, Perm.ANALYSIS_VIEW)
    with seizure_analytics.shared_queries():
        return _built(DASHBOARDS[name][key], user, filters)


def summary(*, user: Any, filters: Filters) -> dict[str, Any]:
    return {
        "seizures": seizure_analytics.totals(user=user, filters=filters),
        "shipments": shipment_analytics.totals(user=user, filters=filters),
        "today": dt.date.today(),
    }

"""Chart specifications (Vega-Lite, built with Vega-Altair on the server) and their images.

A page embeds a specification as JSON (`{{ spec|json_script:id }}` with `class="vega-spec"`, see
`templates/analysis/dashboards/_chart.html`); `static/js/charts.js` renders it in the browser with
the vendored vega / vega-lite / vega-embed and vega's expression interpreter (the CSP forbids eval).
Documents and downloads get the same specification rendered on the server by vl-convert
(`chart_svg`, `chart_png`): no browser, nothing fetched from the network — the world geometry is
read from the vendored file and put inline.

Data always travels inside the specification (`alt.Data(values=...)`): rows are plain dicts of
numbers and strings, already aggregated (and suppressed) by the analytics selectors.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair
import vl_convert as vlc
from django.conf import settings
from django.templatetags.static import static

VL_VERSION = "6.4"  # the Vega-Lite of altair's schema and of the vendored vega-lite build
WORLD_STATIC = "vendor/world/countries-110m.json"
WORLD_FILE = Path(settings.PACKAGE_DIR) / "static" / "vendor" / "world" / "countries-110m.json"
WORLD_MARKER = "countries-110m"

PALETTE = ["#1f5f99", "#e08a1e", "#2f8f5b", "#b23a48", "#6c4f9c", "#4a90a4", "#8c6d31", "#7a7a7a"]
FONT = "DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"

Spec = dict[str, Any]
alt: Any = altair  # altair's literal-typed signatures do not take our runtime strings
Row = Mapping[str, Any]


def _config(chart: Any, *, width: int | str = "container", height: int = 260) -> Any:
    return (
        chart.properties(width=width, height=height)
        .configure(font=FONT, background="white")
        .configure_range(category=PALETTE)
        .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=180)
        .configure_legend(labelFontSize=11, titleFontSize=12, orient="bottom")
        .configure_title(fontSize=14, anchor="start")
        .configure_view(stroke=None)
    )


def to_spec(chart: Any, *, validate: bool = False) -> Spec:
    """The Vega-Lite dict of an Altair chart (schema validation only where asked: tests)."""
    spec: Spec = chart.to_dict(validate=validate)
    return spec


ROWS = "rows"  # the named dataset every template reads; `_with_rows` fills it


def _data() -> Any:
    return alt.Data(name=ROWS)


def _with_rows(template: Spec, rows: Sequence[Row]) -> Spec:
    """A copy of a cached template with the rows as its dataset (templates are built once per set of
    titles: Altair's construction costs ~15 ms a chart, putting rows in costs nothing)."""
    spec = dict(template)
    spec["datasets"] = {ROWS: [dict(r) for r in rows]}
    return spec


def _with_inline_rows(template: Spec, rows: Sequence[Row]) -> Spec:
    """The rows written where the template names them (a lookup's `from` does not read `datasets`)."""
    values = [dict(r) for r in rows]

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node == {"name": ROWS}:
                return {"values": values}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(template)  # type: ignore[no-any-return]


def bar_chart(
    rows: Sequence[Row],
    *,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    title: str = "",
    color: str | None = None,
    color_title: str = "",
    horizontal: bool = True,
    height: int | None = None,
) -> Spec:
    """Bars of `value` per `category` (largest first), optionally stacked by `color`."""
    categories = len({r.get(category) for r in rows})
    h = height or (max(120, min(22 * categories + 40, 520)) if horizontal else 260)
    template = _bar_template(category, value, category_title, value_title, title, color, color_title, horizontal, h)
    return _with_rows(template, rows)


@lru_cache(maxsize=256)
def _bar_template(
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    title: str,
    color: str | None,
    color_title: str,
    horizontal: bool,
    h: int,
) -> Spec:
    value_enc = alt.X if horizontal else alt.Y
    cat_enc = alt.Y if horizontal else alt.X
    encodings: dict[str, Any] = {
        ("x" if horizontal else "y"): value_enc(
            f"{value}:Q", title=value_title, stack="zero" if color else None, axis=alt.Axis(tickMinStep=1, format="~s")
        ),
        ("y" if horizontal else "x"): cat_enc(f"{category}:N", title=category_title, sort="-x" if horizontal else "-y"),
        "tooltip": [alt.Tooltip(f"{category}:N", title=category_title), alt.Tooltip(f"{value}:Q", title=value_title)],
    }
    if color:
        encodings["color"] = alt.Color(f"{color}:N", title=color_title)
        encodings["tooltip"].append(alt.Tooltip(f"{color}:N", title=color_title))
    chart = alt.Chart(_data(), title=title or alt.Undefined).mark_bar(color=PALETTE[0]).encode(**encodings)
    return to_spec(_config(chart, height=h))


def filled_months(rows: Sequence[Row], *, series: str | None = None, value: str = "n") -> list[dict[str, Any]]:
    """A time chart's rows (`month` as YYYY-MM-01): none when every value is None (suppressed: the
    table says so); otherwise every row — a None value is left out of its line, never drawn as
    zero — plus a zero for each month of the span that has no row at all (`time_chart`'s impute
    fills the gaps of one series in months that others have)."""
    if all(r.get(value) is None for r in rows):
        return []
    have = {str(r["month"])[:7] for r in rows}
    keys = sorted({r[series] for r in rows}) if series else [None]
    first, last = min(have), max(have)
    year, month = int(first[:4]), int(first[5:7])
    out: list[dict[str, Any]] = [dict(r) for r in rows]
    while (ym := f"{year:04d}-{month:02d}") <= last:
        if ym not in have:
            out.extend({"month": f"{ym}-01", value: 0, **({series: k} if series else {})} for k in keys)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def time_chart(
    rows: Sequence[Row],
    *,
    value: str,
    value_title: str,
    date: str = "month",
    date_title: str = "",
    series: str | None = None,
    series_title: str = "",
    title: str = "",
) -> Spec:
    """A monthly series (`date` as YYYY-MM-01) of `value`, one line per `series` if given."""
    return _with_rows(_time_template(value, value_title, date, date_title, series, series_title, title), rows)


@lru_cache(maxsize=256)
def _time_template(
    value: str, value_title: str, date: str, date_title: str, series: str | None, series_title: str, title: str
) -> Spec:
    encodings: dict[str, Any] = {
        "x": alt.X(f"{date}:T", title=date_title or None, timeUnit="yearmonth", axis=alt.Axis(format="%b %Y")),
        "y": alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(tickMinStep=1, format="~s")),
        "tooltip": [
            alt.Tooltip(f"{date}:T", title=date_title or None, timeUnit="yearmonth", format="%b %Y"),
            alt.Tooltip(f"{value}:Q", title=value_title),
        ],
    }
    if series:
        # two a row: six series fit a half-width panel, long names (WCO regions) cut at 160 px
        encodings["color"] = alt.Color(f"{series}:N", title=series_title, legend=alt.Legend(columns=2, labelLimit=160))
        encodings["tooltip"].insert(0, alt.Tooltip(f"{series}:N", title=series_title))
    chart = (
        alt.Chart(_data(), title=title or alt.Undefined)
        # a month with no record in one series is a zero on its line, not a straight line to the next month
        .transform_impute(impute=value, key=date, value=0, groupby=[series] if series else [])
        .mark_line(point=True, **({} if series else {"color": PALETTE[0]}))
        .encode(**encodings)
    )
    return to_spec(_config(chart))


def world_map(
    rows: Sequence[Row],
    *,
    value: str,
    value_title: str,
    title: str = "",
    id_field: str = "id",
    name_field: str = "name",
    scheme: str = "blues",
    categorical: bool = False,
    domain: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
) -> Spec:
    """A choropleth of the vendored Natural Earth 110m countries: `rows` carry the ISO numeric code
    as a three-digit string in `id_field` (the TopoJSON's ids). Countries without a row are grey.
    The geometry is a URL of the static file in the browser, put inline by `chart_svg`/`chart_png`."""
    template = _map_template(
        value,
        value_title,
        title,
        id_field,
        name_field,
        scheme,
        categorical,
        tuple(domain or ()),
        tuple(colours or ()),
    )
    return _with_inline_rows(template, rows)


@lru_cache(maxsize=64)
def _map_template(
    value: str,
    value_title: str,
    title: str,
    id_field: str,
    name_field: str,
    scheme: str,
    categorical: bool,
    domain: tuple[str, ...],
    colours: tuple[str, ...],
) -> Spec:
    world = alt.topo_feature(static(WORLD_STATIC), "countries")
    lookup = alt.LookupData(data=_data(), key=id_field, fields=[value, name_field])
    if categorical:
        scale = alt.Scale(domain=list(domain), range=list(colours or PALETTE))
        colour = alt.Color(f"{value}:N", title=value_title, scale=scale)
    else:
        colour = alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme=scheme))
    background = (
        alt.Chart(world)
        .mark_geoshape(fill="#e6e9ee", stroke="white", strokeWidth=0.4)
        .transform_filter("datum.id != '010'")  # Antarctica
    )
    filled = (
        alt.Chart(world)
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .transform_lookup(lookup="id", from_=lookup)
        .transform_filter(f"isValid(datum['{value}'])")
        .encode(
            color=colour,
            tooltip=[
                alt.Tooltip(f"{name_field}:N", title=" "),
                alt.Tooltip(f"{value}:{'N' if categorical else 'Q'}", title=value_title),
            ],
        )
    )
    chart = alt.layer(background, filled, title=title or alt.Undefined).project("equalEarth")
    return to_spec(_config(chart, height=340))


# --- server-side rendering ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _world() -> dict[str, Any]:
    topology: dict[str, Any] = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    return topology


def inline_geometry(spec: Spec) -> Spec:
    """The specification with the world geometry's URL replaced by the vendored TopoJSON itself."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            url = node.get("url")
            if isinstance(url, str) and WORLD_MARKER in url:
                inline = {k: walk(v) for k, v in node.items() if k != "url"}
                inline["values"] = _world()
                return inline
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(copy.deepcopy(spec)) if WORLD_MARKER in json.dumps(spec) else spec


def _fixed_width(spec: Spec, width: int) -> Spec:
    """vl-convert has no container: "container" widths become a fixed width."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (width if k == "width" and v == "container" else walk(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)  # type: ignore[no-any-return]


def _prepared(spec: Spec, width: int) -> Spec:
    return _fixed_width(inline_geometry(spec), width)


def chart_svg(spec: Spec, *, width: int = 720) -> str:
    """The chart as an SVG document (for downloads, PDF and DOCX)."""
    svg: str = vlc.vegalite_to_svg(_prepared(spec, width), vl_version=VL_VERSION, allowed_base_urls=[])
    return svg


def chart_png(spec: Spec, *, width: int = 720, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (`scale` 2: sharp in print and on high-density screens)."""
    png: bytes = vlc.vegalite_to_png(_prepared(spec, width), vl_version=VL_VERSION, scale=scale, allowed_base_urls=[])
    return png

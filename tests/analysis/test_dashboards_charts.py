"""Chart specifications: valid Vega-Lite (altair's schema), rows in the specification, and rendered
on the server by vl-convert to SVG and PNG — the world map from the vendored geometry, offline."""

from __future__ import annotations

import altair as alt

from shieldhub.analysis import charts


def _valid(spec: dict) -> None:
    alt.Chart.from_dict(spec, validate=True) if "layer" not in spec else alt.LayerChart.from_dict(spec, validate=True)


def test_bar_chart_spec_and_svg():
    rows = [{"country": "France", "n": 4}, {"country": "Kenya", "n": 7}]
    spec = charts.bar_chart(rows, category="country", value="n", category_title="Country", value_title="Records")
    _valid(spec)
    assert spec["datasets"]["rows"] == rows
    svg = charts.chart_svg(spec)
    assert svg.startswith("<svg") and "Kenya" in svg and "Records" in svg


def test_time_chart_svg_with_series():
    rows = [
        {"month": "2026-01-01", "n": 3, "p": "Ammonium nitrate"},
        {"month": "2026-02-01", "n": 5, "p": "Ammonium nitrate"},
        {"month": "2026-02-01", "n": 1, "p": "Urea"},
    ]
    spec = charts.time_chart(rows, value="n", value_title="Records", series="p", series_title="Precursor")
    _valid(spec)
    assert "Urea" in charts.chart_svg(spec)


def test_world_map_inlines_the_vendored_geometry():
    spec = charts.world_map([{"id": "250", "name": "France", "n": 4}], value="n", value_title="Seizures")
    assert "countries-110m" in spec["data"]["url"]  # the browser loads the static file
    inlined = charts.inline_geometry(spec)
    assert inlined["data"]["values"]["type"] == "Topology" and "url" not in inlined["data"]
    svg = charts.chart_svg(spec)
    assert "rgb(" in svg  # France is filled from the scale
    png = charts.chart_png(spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_templates_are_cached_and_rows_are_not_shared():
    a = charts.bar_chart([{"c": "A", "n": 1}], category="c", value="n", category_title="C", value_title="N")
    b = charts.bar_chart([{"c": "B", "n": 2}], category="c", value="n", category_title="C", value_title="N")
    assert a["datasets"]["rows"] != b["datasets"]["rows"]
    assert a["encoding"] == b["encoding"]


def test_a_month_missing_from_one_series_is_drawn_as_zero():
    from shieldhub.analysis import charts

    rows = [
        {"month": "2026-01-01", "n": 2, "s": "A"},
        {"month": "2026-03-01", "n": 1, "s": "A"},
        {"month": "2026-02-01", "n": 3, "s": "B"},
    ]
    spec = charts.time_chart(rows, value="n", value_title="N", series="s", series_title="S")
    imputes = [t for t in spec.get("transform", []) if "impute" in t]
    assert imputes == [{"impute": "n", "key": "month", "value": 0, "groupby": ["s"]}]
    assert "<svg" in charts.chart_svg(spec)


def test_table_figures_are_grouped_in_the_readers_language():
    from decimal import Decimal

    from django.utils import translation

    from shieldhub.analysis.templatetags.analysis_charts import figure

    with translation.override("en"):
        assert figure(Decimal("14000.0")) == "14,000"
        assert figure(3026.9) == "3,026.9"
        assert figure(12) == "12"
    with translation.override("fr"):
        assert figure(3026.9).replace("\u202f", " ").replace("\xa0", " ") == "3 026,9"
    assert figure("SZ-000018") == "SZ-000018"
    assert figure(True) is True


def test_table_rows_escape_text_and_group_numbers():
    from django.utils import translation

    from shieldhub.analysis.templatetags.analysis_charts import table_rows

    with translation.override("en"):
        html = table_rows([["<script>alert(1)</script>", 14000.0, None], ["Urée & co", 3, 2.5]])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<tr><td>") and "<td>14,000</td>" in html and "<td>Urée &amp; co</td>" in html
    assert html.count("<tr>") == 2 and "<td>2.5</td>" in html


def test_months_without_any_row_are_zeros_and_suppressed_cells_are_not():
    rows = [
        {"month": "2025-11-01", "n": 2, "s": "A"},
        {"month": "2025-11-01", "n": None, "s": "B"},  # suppressed: never a zero
        {"month": "2026-02-01", "n": 1, "s": "B"},
    ]
    filled = charts.filled_months(rows, series="s")
    assert filled[:3] == rows
    added = sorted((r["month"], r["s"], r["n"]) for r in filled[3:])
    assert added == [
        ("2025-12-01", "A", 0), ("2025-12-01", "B", 0), ("2026-01-01", "A", 0), ("2026-01-01", "B", 0),
    ]  # fmt: skip
    assert charts.filled_months([{"month": "2026-01-01", "n": None}]) == []  # all suppressed: no chart
    single = charts.filled_months([{"month": "2026-01-01", "n": 4}, {"month": "2026-03-01", "n": 1}])
    assert [(r["month"], r["n"]) for r in single] == [("2026-01-01", 4), ("2026-03-01", 1), ("2026-02-01", 0)]

"""`{% vega_spec spec "target-id" %}`: a chart specification as inert JSON for `static/js/charts.js`
(escaped like `json_script`; no inline script runs, so the CSP holds)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import get_format
from django.utils.html import escape, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def vega_spec(spec: dict[str, Any] | None, target: str) -> SafeString:
    if not spec:
        return mark_safe("")
    html = str(json_script(spec, None, encoder=DjangoJSONEncoder))
    opening = '<script type="application/json">'
    assert html.startswith(opening)
    tag = f'<script type="application/json" class="vega-spec" data-target="{escape(target)}">'
    return mark_safe(tag + html[len(opening) :])  # noqa: S308 - escaped by json_script and escape()


@register.filter
def figure(value: Any) -> Any:
    """A number in a table as a person reads it in their language: thousands grouped, one decimal
    at most and no trailing ".0" (14 000 rather than 14000,0); anything else unchanged. The same
    output as `floatformat:"-1g"`, with the language's separators read once (a dashboard formats
    thousands of cells)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return _number(value, *_separators(get_language() or "en"))


def _number(value: int | float | Decimal, decimal_sep: str, thousands: str) -> str:
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float) and abs(value) < 1e15 and round(value, 1) == value:  # already one decimal
        text = f"{value + 0.0:,.0f}" if value.is_integer() else f"{value:,.1f}"
    else:
        rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) + 0  # + 0: no "-0"
        text = f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,.1f}"
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousands)


@lru_cache(maxsize=16)
def _separators(language: str) -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR", language)), str(get_format("THOUSAND_SEPARATOR", language))


@register.simple_tag
def table_rows(rows: list[list[Any]]) -> SafeString:
    """A panel's table body (`<tr><td>…`): numbers as `figure` writes them, text escaped. One tag
    instead of a template loop per cell: a dashboard has thousands of cells."""
    separators = _separators(get_language() or "en")

    def cell(value: Any) -> str:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return _number(value, *separators)  # digits and separators only
        return str(escape("" if value is None else value))

    return mark_safe("".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows))  # noqa: S308 - text escaped

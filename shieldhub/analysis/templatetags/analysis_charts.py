"""`{% vega_spec spec "target-id" %}`: a chart specification as inert JSON for `static/js/charts.js`
(escaped like `json_script`; no inline script runs, so the CSP holds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.template.defaultfilters import floatformat
from django.utils.html import escape, json_script
from django.utils.safestring import SafeString, mark_safe

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
    """A number in a table as a person reads it in their language: thousands grouped, no trailing
    ".0" (14 000 rather than 14000,0); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return floatformat(value, "-1g")

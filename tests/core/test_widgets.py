"""`QuickSelect` renders the same select as Django's `Select` (name, attributes, options, selection,
option groups, escaping)."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms

from shieldhub.core.widgets import QuickSelect


def _normal(html: str) -> list[tuple[str, ...]]:
    """Tags with their attributes (sorted) and texts: the markup as a browser reads it."""

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[tuple[str, ...]] = []

        def handle_starttag(self, tag, attrs):
            self.out.append((tag, *sorted(f"{k}={v or ''}" for k, v in attrs)))

        def handle_endtag(self, tag):
            self.out.append(("/" + tag,))

        def handle_data(self, data):
            if data.strip():
                self.out.append(("text", data.strip()))

    reader = Reader()
    reader.feed(str(html))
    return reader.out


def test_quick_select_matches_django_select():
    choices = [("", "All"), ("FR", "France"), ("CI", "Côte d'Ivoire"), ("X", "<b>&</b>"),
               ("Group", [("a", "A"), ("b", "B")])]  # fmt: skip
    for value in ("", "CI", "b", None):
        attrs = {"id": "id_country", "required": True, "aria-describedby": "help"}
        fast = QuickSelect(choices=choices).render("country", value, attrs=attrs)
        slow = forms.Select(choices=choices).render("country", value, attrs=attrs)
        assert _normal(fast) == _normal(slow)
    html = QuickSelect(choices=choices).render("country", "X")
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html and '<option value="X" selected>' in html


def test_the_dashboard_filters_use_it():
    from shieldhub.analysis.dashboards import FilterForm

    assert isinstance(FilterForm.base_fields["country"].widget, QuickSelect)

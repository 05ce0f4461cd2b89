"""Shared form helpers: list and country-code parsing, choice lists with a blank first entry, the
countries by name in the active language; and the audit log's filter form.

The select widget that draws long lists quickly is `shieldhub.core.widgets.QuickSelect`."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry


def split_list(value: str) -> list[str]:
    """The parts of a typed list separated by commas, semicolons or line breaks, stripped, empty
    parts dropped: ``"a; b,\\nc,"`` gives ``["a", "b", "c"]``."""
    return [part.strip() for part in value.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


def parse_country_codes(value: str) -> list[str]:
    """ISO 3166 alpha-2 codes from a typed list (see `split_list`), upper-cased and without
    duplicates, in the order given. Raises `ValidationError` naming every unknown code."""
    codes = [c.upper() for c in split_list(value)]
    unknown = [c for c in codes if c not in country_registry]
    if unknown:
        raise forms.ValidationError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
    return list(dict.fromkeys(codes))


def with_blank(choices: Any) -> list[tuple[str, Any]]:
    """The choices after a blank entry labelled "—" (any blank entry they already had is dropped):
    for an optional choice field."""
    return [("", "—"), *[c for c in choices if c[0] != ""]]


@functools.lru_cache(maxsize=8)
def _countries_in(language: str) -> tuple[tuple[str, str], ...]:
    """Every country by name in one language, as plain strings (translated and sorted once)."""
    with translation.override(language):
        return tuple((code, str(name)) for code, name in country_registry)


def country_names() -> tuple[tuple[str, str], ...]:
    """Every country as ``(ISO code, name)`` in the active language, sorted by name; cached per
    language, so a form can list them on every request without translating 250 names each time."""
    return _countries_in(get_language() or "en")


def country_choices() -> list[tuple[str, Any]]:
    """`country_names` after a blank entry labelled "—": the choices of an optional country field."""
    return with_blank(country_names())


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, object_types: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All"))] + [(t, t) for t in sorted(object_types) if t]

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.reference.choices import CatalogueCategory, EuAnnex
from shieldhub.reference.text import hs_display, split_list

RESERVED_CODES = frozenset({"new"})  # would clash with the page addresses


class ListField(forms.CharField):
    """A list typed one entry per line or separated by ';'."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One per line, or separated by “;”."))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        return split_list(super().to_python(value) or "")


class HsListField(ListField):
    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(hs_display(str(v)) for v in value)
        return value


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, synonym (EN/FR/ES), CAS, UN or HS code")}
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *CatalogueCategory.choices]
    )


class CatalogueItemForm(forms.Form):
    """Edits a catalogue item; the service validates against the model (`full_clean`)."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower case letters, digits and hyphens, for example “ammonium-nitrate”. Cannot be changed later."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CatalogueCategory.choices)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200, required=False)
    formula = forms.CharField(label=_("Formula"), max_length=100, required=False)
    cas = forms.CharField(label=_("CAS number"), max_length=20, required=False, help_text=_("For example 6484-52-2."))
    un_numbers = ListField(label=_("UN numbers"), help_text=_("Four digits each, one per line or separated by “;”."))
    hs_codes = HsListField(
        label=_("HS 2022 codes"),
        help_text=_("Six-digit subheadings such as 2829.11, one per line or separated by “;”."),
    )
    eu_annex = forms.ChoiceField(label=_("EU 2019/1148 annex"), choices=EuAnnex.choices, required=False)
    eu_limit = forms.CharField(label=_("EU limit"), max_length=200, required=False)
    synonyms_en = ListField(label=_("Synonyms (English)"))
    synonyms_fr = ListField(label=_("Synonyms (French)"))
    synonyms_es = ListField(label=_("Synonyms (Spanish)"))
    density_kg_per_l = forms.DecimalField(
        label=_("Density (kg/L)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=4,
        help_text=_("Of the usual commercial grade, to convert litres to kilograms."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    is_active = forms.BooleanField(
        label=_("Active (offered when recording seizures and matching imports)"), required=False, initial=True
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        return code

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CountryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or ISO code")}),
    )
    region = forms.ChoiceField(label=_("WCO region"), required=False)
    wco_member = forms.ChoiceField(
        label=_("WCO membership"),
        required=False,
        choices=[("", _("All")), ("yes", _("WCO members")), ("no", _("Not members"))],
    )

    def __init__(self, *args: Any, regions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *((r.code, r.name) for r in regions)]


class ConvertForm(forms.Form):
    """Quantity → kilograms, on a catalogue item's page (its density is the default for volumes)."""

    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=20, decimal_places=6)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=_("kg, g, t, lb, L, mL, m³, gal or pieces, in any usual spelling.")
    )
    density = forms.DecimalField(
        label=_("Density (kg/L)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=4,
        help_text=_("Leave empty to use the catalogue's density."),
    )

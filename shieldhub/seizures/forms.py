"""Seizure forms: the record with its goods lines, companies and persons as formsets (plain HTML
forms that work without JavaScript), the submission's distribution, the review actions, filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, has_perm, user_country
from shieldhub.core.forms import country_choices, country_names, parse_country_codes, split_list, with_blank
from shieldhub.core.widgets import QuickSelect
from shieldhub.exchange.selectors import sendable_communities
from shieldhub.exchange.services import Distribution, distribution_from_ids, users_by_email
from shieldhub.reference.units import Unit
from shieldhub.seizures import selectors
from shieldhub.seizures.choices import (
    Conveyance,
    DetectionMethod,
    Direction,
    Gender,
    IncidentStatus,
    IncidentType,
    LocationType,
    PartyRole,
    PersonRole,
    RouteRole,
    Source,
)

UNIT_CHOICES = [("", "—"), *[(u.value, u.value) for u in Unit]]


class IncidentForm(forms.Form):
    incident_type = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    reporting_country = forms.ChoiceField(label=_("Reporting country"), choices=())
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    office_name = forms.CharField(label=_("Office"), max_length=200, required=False)
    location_type = forms.ChoiceField(
        label=_("Location type"), choices=with_blank(LocationType.choices), required=False
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=with_blank(Direction.choices), required=False)
    detection_method = forms.ChoiceField(
        label=_("Detection method"), choices=with_blank(DetectionMethod.choices), required=False
    )
    conveyance = forms.ChoiceField(label=_("Conveyance"), choices=with_blank(Conveyance.choices), required=False)
    concealment = forms.CharField(label=_("Concealment method"), max_length=300, required=False)
    departure = forms.CharField(
        label=_("Countries of departure"), required=False, help_text=_("ISO codes, e.g. FR, KE")
    )
    transit = forms.CharField(label=_("Transit countries"), required=False, help_text=_("ISO codes, e.g. FR, KE"))
    destination = forms.CharField(
        label=_("Countries of destination"), required=False, help_text=_("ISO codes, e.g. FR, KE")
    )
    ports = forms.CharField(label=_("Ports or airports"), max_length=300, required=False)
    operation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Operation"), queryset=None, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.NCP_REPORT)
    national_reference = forms.CharField(label=_("National reference number"), max_length=100, required=False)
    narrative = forms.CharField(label=_("Narrative"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    WHERE = ("incident_type", "reporting_country", "occurred_on", "office_name", "location_type", "source",
             "national_reference", "operation")  # fmt: skip
    HOW = ("direction", "detection_method", "conveyance", "concealment")
    ROUTE = ("departure", "transit", "destination", "ports")

    def __init__(self, *args: Any, user: Any, fixed_country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field: Any = self.fields["reporting_country"]
        own = user_country(user)
        if fixed_country or (own and not has_perm(user, Perm.SEIZURE_VIEW_ALL)):
            code = fixed_country or own
            field.choices = [(code, country_registry.name(code))]
            field.initial = code
        else:
            field.choices = country_choices()
        self.fields["operation"].queryset = selectors.operations(user=user)  # type: ignore[attr-defined]

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def where_fields(self) -> list[Any]:
        return self.group(self.WHERE)

    def how_fields(self) -> list[Any]:
        return self.group(self.HOW)

    def route_fields(self) -> list[Any]:
        return self.group(self.ROUTE)

    def clean_departure(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("departure") or "")

    def clean_transit(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("transit") or "")

    def clean_destination(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("destination") or "")

    def incident_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        route = [(c, RouteRole.DEPARTURE) for c in data["departure"]]
        route += [(c, RouteRole.TRANSIT) for c in data["transit"]]
        route += [(c, RouteRole.DESTINATION) for c in data["destination"]]
        keys = ("incident_type", "reporting_country", "occurred_on", "office_name", "location_type", "direction",
                "detection_method", "conveyance", "concealment", "ports", "source", "national_reference", "narrative")  # fmt: skip
        result = {k: data[k] for k in keys}
        result["operation"] = data["operation"].pk if data.get("operation") else None
        result["route"] = route
        return result

    @staticmethod
    def initial_from(incident: Any) -> dict[str, Any]:
        route = list(incident.route.all())

        def codes(role: str) -> str:
            return ", ".join(str(c.country.code) for c in route if c.role == role)

        initial = {
            k: getattr(incident, k)
            for k in ("incident_type", "occurred_on", "office_name", "location_type", "direction", "detection_method",
                      "conveyance", "concealment", "ports", "source", "national_reference", "narrative")
        }  # fmt: skip
        initial["reporting_country"] = str(incident.reporting_country)
        initial["operation"] = incident.operation_id
        initial["departure"] = codes(RouteRole.DEPARTURE)
        initial["transit"] = codes(RouteRole.TRANSIT)
        initial["destination"] = codes(RouteRole.DESTINATION)
        return initial


class GoodsQuantityForm(forms.Form):
    """A goods line's item and quantity: the part that seizure and shipment lines share (the kg are
    computed by `services.build_goods_line` for both)."""

    catalogue_item: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Catalogue item"), queryset=None, required=False
    )
    hs_code = forms.CharField(label=_("Other HS code"), max_length=10, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=3, min_value=0, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, required=False)
    concentration = forms.DecimalField(
        label=_("Concentration (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    density = forms.DecimalField(
        label=_("Density (kg/L)"), max_digits=8, decimal_places=4, min_value=0, required=False,
        help_text=_("Liquids: if it differs from the catalogue's."),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list

        self.fields["catalogue_item"].queryset = catalogue_list(user=user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_changed() or data.get("DELETE"):
            return data
        if data.get("catalogue_item") is None and not data.get("hs_code"):
            self.add_error("catalogue_item", _("Choose a catalogue item or give an HS code."))
        if data.get("quantity") is None:
            self.add_error("quantity", _("Give the quantity."))
        if not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        return data

    def line_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        item = data.get("catalogue_item")
        data["catalogue_item"] = item.pk if item else None
        return data


class GoodsLineForm(GoodsQuantityForm):
    declared_description = forms.CharField(label=_("Declared description"), max_length=500, required=False)
    declared_hs = forms.CharField(label=_("Declared HS"), max_length=10, required=False)
    actual_hs = forms.CharField(label=_("Actual HS"), max_length=10, required=False)

    field_order = ["catalogue_item", "hs_code", "declared_description", "declared_hs", "actual_hs"]


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=with_blank(PartyRole.choices), required=False)
    name = forms.CharField(label=_("Company name"), max_length=300, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False)
    registration = forms.CharField(label=_("Registration number"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_changed() and not data.get("DELETE"):
            if not data.get("name"):
                self.add_error("name", _("Give the name."))
            if not data.get("role"):
                self.add_error("role", _("Choose a role."))
        return data

    def party_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        identifiers = {"registration": data["registration"]} if data.get("registration") else {}
        return {"role": data["role"], "name": data["name"], "country": data["country"], "identifiers": identifiers}


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=with_blank(PersonRole.choices), required=False)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=(), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    year_of_birth = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100, required=False)
    name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    name_shared = forms.BooleanField(label=_("Share the name with the secretariat's analysts"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = country_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_changed() and not data.get("DELETE") and not data.get("role"):
            self.add_error("role", _("Choose a role."))
        return data


class _BaseFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[dict[str, Any]]:
        return [
            f.cleaned_data
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


GoodsFormSet = forms.formset_factory(GoodsLineForm, formset=_BaseFormSet, extra=0, can_delete=True, max_num=100)
PartyFormSet = forms.formset_factory(PartyForm, formset=_BaseFormSet, extra=0, can_delete=True, max_num=50)
PersonFormSet = forms.formset_factory(PersonForm, formset=_BaseFormSet, extra=0, can_delete=True, max_num=50)


class CorrectionNoteForm(forms.Form):
    note = forms.CharField(label=_("What was corrected"), max_length=500)


class DistributionForm(forms.Form):
    """Who the record is shared with at submission (the exchange's distribution model)."""

    to_communities: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Communities"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    to_countries = forms.CharField(
        label=_("Countries (their NCPs)"), required=False, help_text=_("ISO codes, e.g. FR, KE")
    )
    to_people = forms.CharField(label=_("People"), required=False, help_text=_("Email addresses, separated by commas"))
    releasable_interpol = forms.BooleanField(label=_("Releasable to INTERPOL"), required=False)
    releasable_unodc = forms.BooleanField(label=_("Releasable to UNODC"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_communities"].queryset = sendable_communities(user=user)  # type: ignore[attr-defined]

    def clean_to_countries(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("to_countries") or "")

    def clean_to_people(self) -> list[int]:
        ids, unknown = users_by_email(split_list(self.cleaned_data.get("to_people") or ""))
        if unknown:
            raise forms.ValidationError(_("No account for: %(emails)s.") % {"emails": ", ".join(unknown)})
        return ids

    def distribution(self) -> Distribution:
        data = self.cleaned_data
        return distribution_from_ids(
            communities=[c.pk for c in data.get("to_communities") or []],
            countries=data.get("to_countries") or [],
            users=data.get("to_people") or [],
        )

    def releasability(self) -> dict[str, bool]:
        return {k: bool(self.cleaned_data.get(k)) for k in ("releasable_interpol", "releasable_unodc")}


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason for withdrawal"), max_length=500)


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    incident_type = forms.ChoiceField(
        label=_("Type"), choices=_all(IncidentType.choices), required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_all(IncidentStatus.choices), required=False, widget=QuickSelect
    )
    country = forms.ChoiceField(label=_("Reporting country"), choices=(), required=False, widget=QuickSelect)
    precursor = forms.TypedChoiceField(
        label=_("Precursor"), choices=(), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    direction = forms.ChoiceField(
        label=_("Direction"), choices=_all(Direction.choices), required=False, widget=QuickSelect
    )
    conveyance = forms.ChoiceField(
        label=_("Conveyance"), choices=_all(Conveyance.choices), required=False, widget=QuickSelect
    )
    operation = forms.TypedChoiceField(
        label=_("Operation"), choices=(), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list

        items = catalogue_list(user=user).values_list("pk", "name_en", "name_fr")
        in_french = (get_language() or "en").startswith("fr")
        fields: Any = self.fields
        fields["country"].choices = _all(country_names())
        fields["precursor"].choices = _all([(pk, (fr if in_french and fr else en)) for pk, en, fr in items])
        operations = selectors.operations(user=user).values_list("pk", "name")
        fields["operation"].choices = _all(list(operations))

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class StatisticsFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    incident_type = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *IncidentType.choices], required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

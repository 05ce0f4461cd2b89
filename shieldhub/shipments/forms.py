"""Shipment forms: the notification with its goods lines as a formset (plain HTML that works
without JavaScript), notification, the importing country's answer, the outcome, filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, has_perm, user_country
from shieldhub.core.forms import country_choices, country_names, parse_country_codes, with_blank
from shieldhub.core.widgets import QuickSelect
from shieldhub.seizures.choices import Conveyance
from shieldhub.seizures.forms import GoodsQuantityForm
from shieldhub.shipments.choices import PARTY_ROLES, Answer, Outcome, ShipmentStatus

_DATE = {"type": "date"}


class ShipmentForm(forms.Form):
    exporting_country = forms.ChoiceField(label=_("Exporting country"), choices=())
    importing_country = forms.ChoiceField(label=_("Importing country"), choices=())
    national_reference = forms.CharField(
        label=_("National reference"), max_length=100, required=False,
        help_text=_("The exporting country's notification number."),
    )  # fmt: skip
    exporter_name = forms.CharField(label=_("Exporter"), max_length=300, required=False)
    exporter_country = forms.ChoiceField(label=_("Exporter's country"), choices=(), required=False)
    importer_name = forms.CharField(label=_("Importer"), max_length=300, required=False)
    importer_country = forms.ChoiceField(label=_("Importer's country"), choices=(), required=False)
    consignee_name = forms.CharField(label=_("Consignee"), max_length=300, required=False)
    consignee_country = forms.ChoiceField(label=_("Consignee's country"), choices=(), required=False)
    end_user_name = forms.CharField(label=_("End user"), max_length=300, required=False)
    end_user_country = forms.ChoiceField(label=_("End user's country"), choices=(), required=False)
    declared_end_use = forms.CharField(
        label=_("Declared end use"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    planned_dispatch = forms.DateField(label=_("Planned dispatch"), required=False, widget=forms.DateInput(_DATE))
    planned_arrival = forms.DateField(label=_("Planned arrival"), required=False, widget=forms.DateInput(_DATE))
    transport_mode = forms.ChoiceField(label=_("Transport"), choices=with_blank(Conveyance.choices), required=False)
    transit = forms.CharField(label=_("Transit countries"), required=False, help_text=_("ISO codes, e.g. FR, KE"))
    documents = forms.CharField(
        label=_("Documents"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=_("Export authorisation, import permit, invoice… one per line."),
    )  # fmt: skip

    WHO = ("exporting_country", "importing_country", "national_reference")
    PARTIES = tuple(f"{role}_{part}" for role in PARTY_ROLES for part in ("name", "country"))
    WHEN = ("planned_dispatch", "planned_arrival", "transport_mode", "transit")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        own = user_country(user)
        if own and not has_perm(user, Perm.SHIPMENT_VIEW_ALL):
            from django_countries import countries as country_registry

            fields["exporting_country"].choices = [(own, country_registry.name(own))]
            fields["exporting_country"].initial = own
        else:
            fields["exporting_country"].choices = country_choices()
        fields["importing_country"].choices = country_choices()
        for role in PARTY_ROLES:
            fields[f"{role}_country"].choices = country_choices()

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def who_fields(self) -> list[Any]:
        return self.group(self.WHO)

    def party_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"{role}_name"], self[f"{role}_country"]) for role in PARTY_ROLES]

    def when_fields(self) -> list[Any]:
        return self.group(self.WHEN)

    def clean_transit(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("transit") or "")

    def shipment_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("exporting_country", "importing_country", "national_reference", "declared_end_use",
                "planned_dispatch", "planned_arrival", "transport_mode", "documents")  # fmt: skip
        result: dict[str, Any] = {k: data.get(k) for k in keys}
        result["route"] = data.get("transit") or []
        for role in PARTY_ROLES:
            name = (data.get(f"{role}_name") or "").strip()
            result[role] = {"name": name, "country": data.get(f"{role}_country") or ""} if name else None
        return result

    @staticmethod
    def initial_from(shipment: Any) -> dict[str, Any]:
        initial = {
            k: getattr(shipment, k)
            for k in ("national_reference", "declared_end_use", "planned_dispatch", "planned_arrival",
                      "transport_mode", "documents")
        }  # fmt: skip
        initial["exporting_country"] = str(shipment.exporting_country)
        initial["importing_country"] = str(shipment.importing_country)
        initial["transit"] = ", ".join(str(c.country.code) for c in shipment.route.all())
        for role in PARTY_ROLES:
            entity = getattr(shipment, role)
            if entity is not None:
                initial[f"{role}_name"] = entity.name
                initial[f"{role}_country"] = str(entity.country)
        return initial


class LineForm(GoodsQuantityForm):
    """A goods line of a shipment: the seizure line's item and quantity, with a plain description."""

    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    field_order = ["catalogue_item", "hs_code", "description"]


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True, max_num=100)


class NotifyForm(forms.Form):
    deadline = forms.DateField(
        label=_("Deadline for the verification"), required=False, widget=forms.DateInput(_DATE),
        help_text=_("Leave empty for the default: 10 working days from today."),
    )  # fmt: skip


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=Answer.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000,
        help_text=_("Required for an objection or a concern."),
    )  # fmt: skip


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    seizure = forms.TypedChoiceField(
        label=_("Seizure record"), choices=(), coerce=int, required=False, empty_value=None,
        help_text=_("For a seized shipment: the seizure record, if there is one."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.shipments.selectors import seizure_choices

        rows = seizure_choices(user=user).values_list("pk", "occurred_on", "reporting_country")[:200]
        self.fields["seizure"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(pk, f"SZ-{pk:06d} · {day:%Y-%m-%d} · {country}") for pk, day, country in rows],
        ]


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason for withdrawal"), max_length=500)


def _all(choices: Any) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


class ShipmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_all(ShipmentStatus.choices), required=False, widget=QuickSelect
    )
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False, widget=QuickSelect)
    precursor = forms.TypedChoiceField(
        label=_("Precursor"), choices=(), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    entity = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list

        items = catalogue_list(user=user).values_list("pk", "name_en", "name_fr")
        in_french = (get_language() or "en").startswith("fr")
        fields: Any = self.fields
        fields["country"].choices = _all(country_names())
        fields["precursor"].choices = _all([(pk, (fr if in_french and fr else en)) for pk, en, fr in items])

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

"""Forms of the registrations pages (registrations, attendance, certificates, evaluations,
training records)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.core.forms import country_choices, country_names
from shieldhub.events.choices import Gender, Language, RegistrationStatus
from shieldhub.events.evaluations import QUESTIONS, RATING, SCALE

DATE = forms.DateInput(attrs={"type": "date"})


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = _blank(RegistrationStatus.choices)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(country_names())

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class RegistrationForm(forms.Form):
    """Registering someone by hand: a directory contact (by email) or free entry."""

    contact_email = forms.EmailField(
        label=_("Directory contact"),
        required=False,
        help_text=_("The email of a contact in the directory: the name, organisation and country are taken from it."),
    )
    title = forms.CharField(label=_("Title"), max_length=10, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=255, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial="en")
    dietary_needs = forms.CharField(label=_("Dietary needs"), max_length=255, required=False)
    accessibility_needs = forms.CharField(label=_("Accessibility needs"), max_length=255, required=False)
    arrival_on = forms.DateField(label=_("Arrival"), required=False, widget=DATE)
    departure_on = forms.DateField(label=_("Departure"), required=False, widget=DATE)
    funding_requested = forms.BooleanField(label=_("Funding requested"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("contact_email"):
            if not data.get("family_name"):
                self.add_error("family_name", _("Enter the family name, or choose a directory contact."))
            if not data.get("country"):
                self.add_error("country", _("Choose the country, or choose a directory contact."))
        return data

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "contact_email"}


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Badge code"),
        max_length=300,
        help_text=_("Scan the badge with the phone's camera, or type or paste the code (or the link) here."),
    )


class TrainingFilterForm(forms.Form):
    after = forms.DateField(label=_("From"), required=False, widget=DATE)
    before = forms.DateField(label=_("To"), required=False, widget=DATE)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_blank(Gender.choices))
    topic = forms.CharField(label=_("Topic"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(country_names())

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class TrainingRecordForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=())
    agency = forms.CharField(label=_("Agency"), max_length=255, required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", "—"), *Gender.choices])
    topic = forms.CharField(label=_("Topic"), max_length=255)
    trained_on = forms.DateField(label=_("Trained on"), widget=DATE)
    trainer = forms.CharField(label=_("Trainer"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices()


class EvaluationForm(forms.Form):
    """The questions of `evaluations.QUESTIONS`, labelled in the active language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in QUESTIONS:
            if q.kind == RATING:
                self.fields[q.key] = forms.TypedChoiceField(
                    label=q.label,
                    choices=[(v, str(v)) for v in SCALE],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "rating"}),
                )
            else:
                self.fields[q.key] = forms.CharField(
                    label=q.label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
                )

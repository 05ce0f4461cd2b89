"""Forms of the invitations pages: letter templates, the selection of addressees, one letter's
wording, and the nomination form (participants with their passport details, or a refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from shieldhub.directory import selectors as directory
from shieldhub.events import letters
from shieldhub.events.choices import Gender, Language, LetterKind
from shieldhub.events.models import Event


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LetterTemplateUploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LetterKind.choices, initial=LetterKind.INVITATION)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    event = forms.ModelChoiceField(
        label=_("For one event only"), queryset=Event.objects.none(), required=False,
        empty_label=pgettext_lazy("letter template event", "All events"),
    )  # fmt: skip
    make_default = forms.BooleanField(label=_("Use it as the default of its kind and language"), required=False)
    file = forms.FileField(
        label=_("Word file (.docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
        help_text=_("Placeholders between double braces, for example {{ name }}, {{ event }}, {{ reply_by }}."),
    )

    def __init__(self, *args: Any, events: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if events is not None:
            self.fields["event"].queryset = events  # type: ignore[attr-defined]


ROLE_CHOICES = [
    ("", _("Any NCP")),
    ("primary", pgettext_lazy("NCP role", "Primary")),
    ("alternate", pgettext_lazy("NCP role", "Alternate")),
]


class SelectionForm(forms.Form):
    """Who to invite: NCPs by country, WCO region, community and role, and/or people picked by hand."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("WCO region"), required=False)
    community = forms.ChoiceField(label=_("Community"), required=False)
    role = forms.ChoiceField(label=_("NCP role"), required=False, choices=ROLE_CHOICES)
    q = forms.CharField(label=_("Find people by name"), required=False, max_length=100)
    people = forms.MultipleChoiceField(label=_("People picked"), required=False, widget=forms.MultipleHiddenInput)
    one_per_country = forms.BooleanField(label=_("One invitation per administration"), required=False, initial=True)
    seats = forms.IntegerField(label=_("Places offered"), min_value=1, max_value=50, initial=2, required=False)
    reply_by = forms.DateField(label=_("Reply by"), required=False, widget=_date_input())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All")), *list(countries)]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", _("All")), *directory.region_choices()]  # type: ignore[attr-defined]
        self.fields["community"].choices = [("", _("All"))] + [  # type: ignore[attr-defined]
            (str(c.pk), str(c)) for c in directory.community_list(user=user)
        ]
        self.fields["people"].choices = [  # type: ignore[attr-defined]
            (v, v) for v in (self.data.getlist("people") if hasattr(self.data, "getlist") else [])
        ]

    def selection(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "country": d.get("country") or "",
            "region": d.get("region") or "",
            "community": d.get("community") or None,
            "role": d.get("role") or "",
            "people": [int(p) for p in d.get("people") or [] if str(p).isdigit()],
            "one_per_country": bool(d.get("one_per_country")),
        }

    def has_selection(self) -> bool:
        s = self.selection()
        return bool(s["country"] or s["region"] or s["community"] or s["role"] or s["people"])


class LetterEditForm(forms.Form):
    """One prepared letter: its wording (empty fields keep the default paragraph), places, date."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    intro = forms.CharField(label=_("Opening paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    programme = forms.CharField(label=_("Second paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    nomination_text = forms.CharField(
        label=_("Nomination paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closing = forms.CharField(label=_("Closing paragraph"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    seats = forms.IntegerField(label=_("Places offered"), min_value=1, max_value=50)
    reply_by = forms.DateField(label=_("Reply by"), required=False, widget=_date_input())
    language = forms.ChoiceField(label=_("Language of the letter"), choices=Language.choices)
    docx = forms.FileField(
        label=_("Or upload a corrected letter (.docx)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )
    clear_docx = forms.BooleanField(label=_("Go back to the template's letter"), required=False)

    def overrides(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in letters.WORDING_FIELDS}


class ParticipantForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=10)
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    position = forms.CharField(label=_("Position"), required=False, max_length=200)
    organisation_name = forms.CharField(label=_("Organisation"), required=False, max_length=255)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.EN)
    dietary_needs = forms.CharField(label=_("Dietary needs"), required=False, max_length=255)
    accessibility_needs = forms.CharField(label=_("Accessibility needs"), required=False, max_length=255)
    arrival_on = forms.DateField(label=_("Arrival"), required=False, widget=_date_input())
    departure_on = forms.DateField(label=_("Departure"), required=False, widget=_date_input())
    funding_requested = forms.BooleanField(label=_("Funding requested"), required=False)
    passport_name_in_passport = forms.CharField(label=_("Name as in the passport"), required=False, max_length=200)
    passport_number = forms.CharField(label=_("Passport number"), required=False, max_length=50)
    passport_nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    passport_date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_date_input())
    passport_issued_on = forms.DateField(label=_("Issued on"), required=False, widget=_date_input())
    passport_expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_date_input())
    passport_issuing_authority = forms.CharField(label=_("Issuing authority"), required=False, max_length=200)

    PERSON_FIELDS = ("title", "given_name", "family_name", "position", "organisation_name", "email", "phone", "gender")
    STAY_FIELDS = (
        "language",
        "dietary_needs",
        "accessibility_needs",
        "arrival_on",
        "departure_on",
        "funding_requested",
    )
    PASSPORT_FIELDS = tuple(f"passport_{k}" for k in ("name_in_passport", "number", "nationality", "date_of_birth",
                                                        "issued_on", "expires_on", "issuing_authority"))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["passport_nationality"].choices = [("", "—"), *list(countries)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passport_number") and not data.get("passport_nationality"):
            self.add_error("passport_nationality", _("Give the passport's nationality."))
        arrival, departure = data.get("arrival_on"), data.get("departure_on")
        if arrival and departure and departure < arrival:
            self.add_error("departure_on", _("The departure is before the arrival."))
        return data

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def person_group(self) -> list[Any]:
        return self.group(self.PERSON_FIELDS)

    def stay_group(self) -> list[Any]:
        return self.group(self.STAY_FIELDS)

    def passport_group(self) -> list[Any]:
        return self.group(self.PASSPORT_FIELDS)


class BaseParticipantFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def add_service_error(self, messages: list[str]) -> None:
        """A service's refusal shown above the participants (the entered values are kept)."""
        self._non_form_errors = self.error_class(messages)

    def participants(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.participants():
            raise forms.ValidationError(_("Nominate at least one participant, or decline the invitation."))


def participant_formset(seats: int, *args: Any, **kwargs: Any) -> BaseParticipantFormSet:
    formset_class = forms.formset_factory(
        ParticipantForm, formset=BaseParticipantFormSet, extra=seats, max_num=seats, validate_max=True
    )
    formset: BaseParticipantFormSet = formset_class(*args, **{"prefix": "p", **kwargs})  # type: ignore[assignment]
    return formset


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

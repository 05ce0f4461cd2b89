"""Directory forms: filters and edit forms. They parse input only; services validate and write."""

from __future__ import annotations

import functools
from typing import Any

import babel
import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from shieldhub.accounts.choices import Language
from shieldhub.directory import selectors, services
from shieldhub.directory.choices import (
    CommunityKind,
    MembershipRole,
    NominationRole,
    NominationStatus,
    OrganisationKind,
    Title,
)
from shieldhub.directory.models import Organisation

ROLE_FILTER_CHOICES = [
    ("", _("Any")),
    ("ncp", _("NCP (active nomination)")),
    ("primary", _("Primary NCP")),
    ("alternate", _("Alternate NCP")),
]
VERIFIED_FILTER_CHOICES = [
    ("", _("Any")),
    ("stale", _("Due for verification")),
    ("never", _("Never verified")),
    ("recent", _("Verified recently")),
]


@functools.lru_cache(maxsize=8)
def _countries_named_in(locale: str) -> tuple[tuple[str, str], ...]:
    with translation.override(locale):
        return tuple((c.code, str(c.name)) for c in countries)


def country_choices(blank: str | Any = "") -> list[tuple[str, Any]]:
    """ISO 3166 countries (and Kosovo) named and sorted in the interface language."""
    return [("", blank or _("All countries")), *_countries_named_in(get_language() or "en")]


@functools.lru_cache(maxsize=8)
def _languages_named_in(locale: str) -> tuple[tuple[str, str], ...]:
    try:
        names = babel.Locale.parse(locale).languages
    except (ValueError, babel.UnknownLocaleError):
        names = babel.Locale("en").languages
    items = [
        (lang.alpha_2, names.get(lang.alpha_2, lang.name)) for lang in pycountry.languages if hasattr(lang, "alpha_2")
    ]
    return tuple(sorted(items, key=lambda item: selectors.fold(item[1])))


def language_choices(blank: str | Any = "") -> list[tuple[str, Any]]:
    """ISO 639-1 languages named in the interface language."""
    return [("", blank or _("Any language")), *_languages_named_in(get_language() or "en")]


class FastSelect(forms.Select):
    """A <select> rendered in Python.

    Django renders each <option> through a template (about 0.3 ms each): the country (250),
    language (185) and organisation (thousands) lists would cost most of a list page's time.
    Flat choices only (no option groups). `option_source`, a callable, replaces `choices` (see
    ListChoiceField)."""

    def __init__(self, attrs: Any = None, choices: Any = (), option_source: Any = None) -> None:
        super().__init__(attrs, choices)
        self.option_source = option_source

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        options = []
        for v, label in self.option_source() if self.option_source else self.choices:  # type: ignore[misc]
            key = str(v)
            mark = " selected" if key in selected else ""
            options.append(f'<option value="{escape(key)}"{mark}>{escape(label)}</option>')
        # every value and label is escaped just above
        return format_html("<select{}>{}</select>", flatatt(final_attrs), SafeString("".join(options)))


def _countries_or_none() -> list[tuple[str, Any]]:
    return country_choices(_("—"))


class ListChoiceField(forms.CharField):
    """A choice among a long, cached list (countries, languages): validated against it and rendered
    by FastSelect, without Django normalising every choice on every form."""

    def __init__(self, *, options: Any, **kwargs: Any) -> None:
        self.options = options
        super().__init__(widget=FastSelect(option_source=options), **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value not in {str(v) for v, _label in self.options()}:
            raise ValidationError(
                _("Select a valid choice. %(value)s is not one of the available choices."),
                code="invalid_choice",
                params={"value": value},
            )


def _with_all(choices: Any, label: Any = None) -> list[tuple[str, Any]]:
    return [("", label or _("All")), *choices]


def _search_input(placeholder: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"})


class PersonFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, widget=_search_input(_("Name, email, position, organisation…"))
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    country = ListChoiceField(label=_("Country"), required=False, options=country_choices)
    region = forms.ChoiceField(label=_("WCO region"), required=False)
    role = forms.ChoiceField(label=_("NCP role"), required=False, choices=ROLE_FILTER_CHOICES)
    language = ListChoiceField(label=_("Language"), required=False, options=language_choices)
    verified = forms.ChoiceField(label=_("Verification"), required=False, choices=VERIFIED_FILTER_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Thousands of organisations make a select too heavy for every list page: people are
        # found by organisation name or acronym with `q`; the organisation filter is shown only
        # when a link set it (e.g. "see all" on an organisation's page).
        chosen = str(self.data.get("organisation") or "") if self.is_bound else ""
        orgs = selectors.organisation_choices(user=user).filter(pk=int(chosen)) if chosen.isdigit() else []
        if orgs:
            self.fields["organisation"].choices = _with_all((o.pk, str(o)) for o in orgs)  # type: ignore[attr-defined]
        else:
            del self.fields["organisation"]
        self.fields["region"].choices = _with_all(selectors.region_choices())  # type: ignore[attr-defined]
        if not selectors.can_see_private_contact_fields(user):
            del self.fields["verified"]


class _ListTextField(forms.CharField):
    """A list entered as text, one item per line or separated by commas."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value


class PersonForm(forms.Form):
    title = forms.ChoiceField(label=_("Title"), required=False, choices=Title.choices)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    country = ListChoiceField(label=_("Country"), required=False, options=_countries_or_none)
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput)
    other_emails = _ListTextField(
        label=_("Other emails"), required=False, help_text=_("One per line, or separated by commas.")
    )
    phones = _ListTextField(
        label=_("Phones"), required=False, help_text=_("International format, e.g. +33 1 23 45 67 89; one per line.")
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        help_text=_("ISO 639-1 codes separated by commas, e.g. en, fr, es."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language for emails"), choices=Language.choices, initial=Language.EN
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    last_verified_on = forms.DateField(
        label=_("Last verified"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, self_service: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self_service:
            for name in list(self.fields):
                if name not in services.PERSON_SELF_EDITABLE:
                    del self.fields[name]
        else:
            self.fields["organisation"].queryset = selectors.organisation_choices(user=user)  # type: ignore[attr-defined]

    def _field_clean(self, cleaner: Any, name: str, value: Any) -> Any:
        try:
            return cleaner(value, field=name)
        except ValidationError as exc:  # {field: [message]} from the service helper, for this field
            raise ValidationError(exc.messages) from exc

    def clean_other_emails(self) -> list[str]:
        return self._field_clean(services.clean_email_list, "other_emails", self.cleaned_data["other_emails"])

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip().lower()
        if value:
            self._field_clean(services.clean_email_list, "email", [value])
        return value

    def clean_phones(self) -> list[str]:
        return self._field_clean(services.clean_phone_list, "phones", self.cleaned_data["phones"])

    def clean_languages(self) -> list[str]:
        return self._field_clean(services.clean_language_list, "languages", self.cleaned_data["languages"])

    @staticmethod
    def initial_from(person: Any) -> dict[str, Any]:
        data = {f: getattr(person, f) for f in selectors.PERSON_FIELDS}
        data["country"] = person.country.code if person.country else ""
        data["languages"] = ", ".join(person.languages or [])
        return data


def _raise_field_errors(form: forms.Form, exc: Any) -> None:
    """Attach a service's ValidationError to the form, by field when the field is on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


add_service_errors = _raise_field_errors


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=_search_input(_("Name or acronym…")))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_with_all(OrganisationKind.choices))
    country = ListChoiceField(label=_("Country"), required=False, options=country_choices)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    acronym = forms.CharField(label=_("Acronym"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices, initial=OrganisationKind.CUSTOMS)
    country = ListChoiceField(label=_("Country"), required=False, options=_countries_or_none)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("General email"), required=False)
    phone = forms.CharField(label=_("General phone"), max_length=50, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NominationFilterForm(forms.Form):
    country = ListChoiceField(label=_("Country"), required=False, options=country_choices)
    region = forms.ChoiceField(label=_("WCO region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_with_all(NominationStatus.choices))
    role = forms.ChoiceField(label=_("NCP role"), required=False, choices=_with_all(NominationRole.choices))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _with_all(selectors.region_choices())  # type: ignore[attr-defined]


class NominationForm(forms.Form):
    country = ListChoiceField(label=_("Country"), options=_countries_or_none)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Organisation.objects.none(), required=False, widget=FastSelect
    )
    role = forms.ChoiceField(label=_("NCP role"), choices=NominationRole.choices)
    status = forms.ChoiceField(label=_("Status"), choices=NominationStatus.choices)
    nominated_on = forms.DateField(label=_("Nominated on"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = selectors.organisation_choices(user=user)  # type: ignore[attr-defined]


class CommunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=_search_input(_("Name…")))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_with_all(CommunityKind.choices))
    archived = forms.TypedChoiceField(
        label=_("Archived"),
        required=False,
        choices=[("", _("Current")), ("1", _("Archived")), ("all", _("All"))],
        coerce=str,
    )


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    slug = forms.SlugField(
        label=_("Short name"), max_length=80, required=False, help_text=_("Left empty, it is made from the name.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunityKind.choices, initial=CommunityKind.ADHOC)
    region = forms.ChoiceField(label=_("WCO region"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Operation groups: members may already prepare the operation there before this date."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this date the group is read-only, then archived; members keep its messages."),
    )
    countries = forms.CharField(
        label=_("Participating countries"), required=False, help_text=_("ISO codes, e.g. NG, GH, SN")
    )
    requires_moderation = forms.BooleanField(
        label=_("Moderated"),
        required=False,
        help_text=_("A moderator approves members' messages to this community before they are sent."),
    )
    is_archived = forms.BooleanField(label=_("Archived"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial") or {}
        if isinstance(initial.get("countries"), list):
            kwargs["initial"] = {**initial, "countries": ", ".join(initial["countries"])}
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("—")), *selectors.region_choices()]  # type: ignore[attr-defined]

    def clean_countries(self) -> list[str]:
        raw = self.cleaned_data.get("countries") or ""
        codes = [part.strip().upper() for part in raw.replace(";", ",").replace(" ", ",").split(",") if part.strip()]
        unknown = [c for c in codes if c not in countries]
        if unknown:
            raise ValidationError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return sorted(set(codes))


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("User's email"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": _("name@example.org")}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)

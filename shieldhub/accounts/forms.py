from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from shieldhub.accounts.choices import InvitationStatus, Language, PartnerOrganisation, Role, TokenScope
from shieldhub.accounts.services import MAX_TOKEN_DAYS
from shieldhub.core.access import Perm, has_perm


def _country_choices(blank_label: Any) -> list[tuple[str, Any]]:
    return [("", blank_label), *((code, name) for code, name in countries)]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        code = getattr(obj.country, "code", "") or ""
        return f"{code} · {obj}" if code else str(obj)


def add_service_errors(form: forms.Form, exc: ValidationError, *, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the named fields, else at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = (field_map or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)


class RoleBindingFields(forms.Form):
    """Roles and what they are bound to, shared by the invitation and role forms."""

    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    country = forms.ChoiceField(
        label=_("Country"), required=False, help_text=_("For National Contact Points: the country they act for.")
    )
    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=None,
        empty_label="—",
        required=False,
        help_text=_("For National Contact Points, optional: the administration they belong to."),
    )
    partner_organisation = forms.ChoiceField(
        label=_("Partner organisation"),
        required=False,
        choices=[("", "—"), *PartnerOrganisation.choices],
        help_text=_("For partner liaisons."),
    )

    def __init__(self, *args: Any, actor: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = self.fields["roles"]
        assert isinstance(roles, forms.MultipleChoiceField)
        if not has_perm(actor, Perm.ACCOUNTS_MANAGE):
            roles.choices = [(value, label) for value, label in Role.choices if value != Role.ADMIN]
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = _country_choices("—")
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = agencies


class InvitationForm(RoleBindingFields):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        initial=Language.EN,
        help_text=_("The invitation email and the account use this language."),
    )

    field_order = ["email", "full_name", "language", "roles", "country", "agency", "partner_organisation"]


class UserRolesForm(RoleBindingFields):
    pass


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password, not only digits, not close to your name."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All")), *Role.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Deactivated"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = _country_choices(_("All"))


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *InvitationStatus.choices])
    q = forms.CharField(label=_("Search"), required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “Seizure import script”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=TokenScope.choices,
        initial=[TokenScope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Write includes read."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=MAX_TOKEN_DAYS, initial=settings.API_TOKEN_DEFAULT_DAYS
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)

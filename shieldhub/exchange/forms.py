"""Exchange forms: compose (handling fields and the distribution picker), reply, correct, withdraw, filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, has_perm
from shieldhub.core.forms import parse_country_codes, split_list
from shieldhub.exchange import selectors
from shieldhub.exchange.choices import (
    CountryRole,
    HandlingCode,
    InformationCredibility,
    MessageKind,
    MessageLanguage,
    SourceReliability,
    Tlp,
)
from shieldhub.exchange.deadlines import default_working_days
from shieldhub.exchange.services import Distribution, distribution_from_ids, users_by_email


class IdListField(forms.Field):
    """Record ids posted as repeated hidden inputs (``name=attachments``), as a list of integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return list(dict.fromkeys(int(v) for v in values if str(v).strip()))
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Unknown attachment.")) from None


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MessageKind.choices, initial=MessageKind.INFORMATION)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: *emphasis*, **bold**, lists, links."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=MessageLanguage.choices)
    tlp = forms.ChoiceField(label=_("TLP"), choices=Tlp.choices, initial=Tlp.AMBER)
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices, required=False)
    handling_text = forms.CharField(label=_("Other restriction"), max_length=300, required=False)
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"), choices=SourceReliability.choices, required=False
    )
    information_credibility = forms.ChoiceField(
        label=_("Information credibility"), choices=InformationCredibility.choices, required=False
    )
    releasable_interpol = forms.BooleanField(label=_("Releasable to INTERPOL"), required=False)
    releasable_unodc = forms.BooleanField(label=_("Releasable to UNODC"), required=False)
    precursors: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Precursors concerned"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    origin = forms.CharField(label=_("Countries of origin"), required=False, help_text=_("ISO codes, e.g. FR, KE"))
    transit = forms.CharField(label=_("Transit countries"), required=False)
    destination = forms.CharField(label=_("Countries of destination"), required=False)
    reporting = forms.CharField(label=_("Reporting countries"), required=False)
    hs_codes = forms.CharField(label=_("HS codes"), required=False, help_text=_("Separated by commas"))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # the sender's uploads sent with the message (listed and added by the attachments block)
    attachments = IdListField(required=False)
    # distribution
    to_communities: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Communities"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    to_countries = forms.CharField(
        label=_("Countries (their NCPs)"), required=False, help_text=_("ISO codes, e.g. FR, KE")
    )
    to_people = forms.CharField(label=_("People"), required=False, help_text=_("Email addresses, separated by commas"))

    HANDLING = ("tlp", "handling_code", "handling_text", "source_reliability", "information_credibility",
                "releasable_interpol", "releasable_unodc")  # fmt: skip
    CONTENT = ("kind", "subject", "body", "language", "precursors", "origin", "transit", "destination", "reporting",
               "hs_codes", "tags", "deadline")  # fmt: skip
    DISTRIBUTION = ("to_communities", "to_countries", "to_people")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list

        self.user = user
        if not has_perm(user, Perm.EXCHANGE_SPECIAL_ALERT):
            kinds = [c for c in MessageKind.choices if c[0] != MessageKind.SPECIAL_ALERT]
            self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["precursors"].queryset = catalogue_list(user=user)  # type: ignore[attr-defined]
        self.fields["to_communities"].queryset = selectors.sendable_communities(user=user)  # type: ignore[attr-defined]
        self.fields["deadline"].help_text = _(
            "Requests for information only; by default %(days)s working days after sending."
        ) % {"days": default_working_days()}

    def group(self, names: tuple[str, ...]) -> list[Any]:
        return [self[name] for name in names]

    def handling_fields(self) -> list[Any]:
        return self.group(self.HANDLING)

    def content_fields(self) -> list[Any]:
        return self.group(self.CONTENT)

    def distribution_fields(self) -> list[Any]:
        return self.group(self.DISTRIBUTION)

    def clean_to_countries(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("to_countries") or "")

    def clean_origin(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("origin") or "")

    def clean_transit(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("transit") or "")

    def clean_destination(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("destination") or "")

    def clean_reporting(self) -> list[str]:
        return parse_country_codes(self.cleaned_data.get("reporting") or "")

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

    def message_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        countries = [(c, CountryRole.ORIGIN) for c in data["origin"]]
        countries += [(c, CountryRole.TRANSIT) for c in data["transit"]]
        countries += [(c, CountryRole.DESTINATION) for c in data["destination"]]
        countries += [(c, CountryRole.REPORTING) for c in data["reporting"]]
        result = {
            **{k: data[k] for k in ("kind", "subject", "body", "language", *self.HANDLING)},
            "precursors": [p.pk for p in data["precursors"]],
            "countries": countries,
            "hs_codes": split_list(data["hs_codes"]),
            "tags": split_list(data["tags"]),
        }
        if data.get("kind") == MessageKind.RFI and data.get("deadline"):
            result["deadline"] = data["deadline"]
        return result


class PreviewForm(ComposeForm):
    """The distribution part of the compose form, for the recipients preview."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in self.DISTRIBUTION and name not in ("releasable_interpol", "releasable_unodc"):
                field.required = False


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))
    narrow_to = forms.MultipleChoiceField(
        label=_("Recipients"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick people to leave them out of the reply."),
    )  # fmt: skip

    def __init__(self, *args: Any, audience: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(u.pk), f"{u.full_name or u.email} <{u.email}>") for u in audience]
        self.fields["narrow_to"].choices = choices  # type: ignore[attr-defined]
        self.fields["narrow_to"].initial = [str(u.pk) for u in audience]
        self.audience = audience

    def narrow(self) -> list[int] | None:
        chosen = {int(pk) for pk in self.cleaned_data.get("narrow_to") or []}
        return None if chosen >= {u.pk for u in self.audience} else sorted(chosen)


class CorrectForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    note = forms.CharField(label=_("What was corrected"), max_length=500)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason for withdrawal"), max_length=500)


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *MessageKind.choices], required=False)
    tlp = forms.ChoiceField(label=_("TLP"), choices=[("", _("All")), *Tlp.choices], required=False)
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Community"), queryset=None, required=False)
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    precursor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Precursor"), queryset=None, required=False)
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    needs_my_answer = forms.BooleanField(label=_("Needs my answer"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.directory.selectors import community_list
        from shieldhub.reference.selectors import catalogue_list

        # Every community the user can see, archived and ended operation groups included: their
        # messages stay in the inbox.
        for name, queryset in (("community", community_list(user=user)), ("precursor", catalogue_list(user=user))):
            field: Any = self.fields[name]
            field.queryset = queryset  # what a submitted value is checked against
            # The options read once into a list: a model choice field otherwise reads them through
            # `.iterator()`, a server-side cursor on PostgreSQL (three round trips instead of one).
            field.choices = [("", field.empty_label), *((obj.pk, field.label_from_instance(obj)) for obj in queryset)]

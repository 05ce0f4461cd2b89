from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.screening.choices import RuleKind
from shieldhub.screening.models import ScreeningRule


class RunUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Declarations file"),
        help_text=_("CSV or Excel (.xlsx). The first row names the columns, in English or French: at least "
                    "consignee and goods description; also exporter, origin, destination, route, HS code, "
                    "quantity, unit, value, date, reference."),
    )  # fmt: skip
    min_score = forms.IntegerField(
        label=_("Flag from score"), min_value=0, max_value=1000, initial=25,
        help_text=_("Declarations whose score reaches this are listed."),
    )  # fmt: skip


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    parameters_text = forms.CharField(
        label=_("Parameters (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    class Meta:
        model = ScreeningRule
        fields = ["name", "weight", "explanation_en", "explanation_fr", "is_active"]
        widgets = {
            "explanation_en": forms.Textarea(attrs={"rows": 2}),
            "explanation_fr": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameters_text"].initial = json.dumps(self.instance.parameters or {}, ensure_ascii=False)

    def clean_parameters_text(self) -> dict[str, Any]:
        text = (self.cleaned_data.get("parameters_text") or "").strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Parameters must be a JSON object."))
        return value


class WatchCountryForm(forms.Form):
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class EntityUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Entity list"),
        help_text=_("CSV or Excel: columns name, country, reason, source (English or French headers)."),
    )
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    replace = forms.BooleanField(label=_("Replace the whole list"), required=False)


def rule_filter_choices() -> list[tuple[str, Any]]:
    return [("", _("Any rule")), *RuleKind.choices]

"""Forms of the results framework and of donor reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.analysis.choices import IndicatorLevel
from shieldhub.analysis.indicators import measure_choices
from shieldhub.analysis.models import DonorReport, Indicator, ReportSection

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class IndicatorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Indicator
        fields = ["level", "parent", "code", "title_en", "title_fr", "indicator_en", "indicator_fr", "unit",
                  "baseline", "target", "period_start", "period_end", "source", "measure", "order"]  # fmt: skip
        widgets = {"period_start": DATE, "period_end": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = Indicator.objects.filter(level=IndicatorLevel.OUTCOME).order_by("order", "code")
        self.fields["measure"] = forms.ChoiceField(
            label=_("Computation"), choices=measure_choices(), required=False,
            help_text=_("For a value computed from the data."),
        )  # fmt: skip

    def _post_clean(self) -> None:  # validation is the service's (it reports field errors)
        return None


class IndicatorValueForm(forms.Form):
    period_end = forms.DateField(label=_("As of"), widget=DATE, initial=dt.date.today)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the value comes from: a document, a survey, a meeting."),
    )  # fmt: skip


class ReportForm(forms.ModelForm):  # type: ignore[type-arg]
    language = forms.ChoiceField(label=_("Language"), choices=[("en", _("English")), ("fr", _("French"))])

    class Meta:
        model = DonorReport
        fields = ["title", "period_start", "period_end", "language"]
        widgets = {"period_start": DATE, "period_end": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class SectionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ReportSection
        fields = ["heading", "body", "order"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"body": _("Markdown: *emphasis*, **bold**, lists, tables.")}

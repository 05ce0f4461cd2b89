"""Forms of the operations pages (the service `events.operations` validates again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.events.choices import OperationPhase
from shieldhub.events.models import Operation

_DATE = {"type": "date"}
_DATETIME = {"type": "datetime-local"}


class OperationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=[("", _("All")), *OperationPhase.choices])

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class OperationForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=255)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=255, required=False)
    code = forms.SlugField(
        label=_("Code name"), max_length=60, help_text=_("Letters, digits and hyphens, e.g. cobalt-shield")
    )
    goals_en = forms.CharField(label=_("Goals (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    goals_fr = forms.CharField(label=_("Goals (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    countries = forms.MultipleChoiceField(
        label=_("Participating countries"), widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several. Their active NCPs become members of the operation's closed group."),
    )  # fmt: skip
    precursors: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Precursors targeted"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    starts_on = forms.DateField(label=_("Active phase starts"), widget=forms.DateInput(attrs=_DATE))
    ends_on = forms.DateField(label=_("Active phase ends"), widget=forms.DateInput(attrs=_DATE))
    requires_moderation = forms.BooleanField(
        label=_("Moderated group (a moderator approves members' messages)"), required=False
    )
    pre_meeting_starts = forms.DateTimeField(
        label=_("Pre-operational meeting starts"), required=False, widget=forms.DateTimeInput(attrs=_DATETIME)
    )
    pre_meeting_ends = forms.DateTimeField(
        label=_("Pre-operational meeting ends"), required=False, widget=forms.DateTimeInput(attrs=_DATETIME)
    )
    post_meeting_starts = forms.DateTimeField(
        label=_("Post-operational meeting starts"), required=False, widget=forms.DateTimeInput(attrs=_DATETIME)
    )
    post_meeting_ends = forms.DateTimeField(
        label=_("Post-operational meeting ends"), required=False, widget=forms.DateTimeInput(attrs=_DATETIME)
    )
    lessons_en = forms.CharField(
        label=_("Lessons recorded (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    lessons_fr = forms.CharField(
        label=_("Lessons recorded (French)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any, operation: Operation | None = None, **kwargs: Any) -> None:
        from shieldhub.reference.selectors import catalogue_list

        if operation is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(operation)
        super().__init__(*args, **kwargs)
        self.operation = operation
        self.fields["countries"].choices = [(code, str(name)) for code, name in country_registry]  # type: ignore[attr-defined]
        self.fields["precursors"].queryset = catalogue_list(user=user)  # type: ignore[attr-defined]
        if operation is None:
            del self.fields["lessons_en"], self.fields["lessons_fr"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The active phase cannot end before it starts."))
        for prefix in ("pre_meeting", "post_meeting"):
            starts, ends = data.get(f"{prefix}_starts"), data.get(f"{prefix}_ends")
            if ends and not starts:
                self.add_error(f"{prefix}_starts", _("Give the start of the meeting."))
            if starts and ends and ends < starts:
                self.add_error(f"{prefix}_ends", _("The meeting cannot end before it starts."))
        return data

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        data: dict[str, Any] = {
            key: d[key]
            for key in ("title_en", "title_fr", "code", "goals_en", "goals_fr", "countries", "starts_on", "ends_on",
                        "requires_moderation", "lessons_en", "lessons_fr")
            if key in d
        }  # fmt: skip
        data["precursors"] = [p.pk for p in d.get("precursors") or []]
        for prefix in ("pre_meeting", "post_meeting"):
            if d.get(f"{prefix}_starts"):
                data[prefix] = {"starts_at": d[f"{prefix}_starts"], "ends_at": d.get(f"{prefix}_ends")}
        return data

    def main_fields(self) -> list[Any]:
        return [self[n] for n in ("title_en", "title_fr", "code")]

    def goal_fields(self) -> list[Any]:
        return [self[n] for n in ("goals_en", "goals_fr")]

    def meeting_fields(self) -> list[Any]:
        return [self[n] for n in ("pre_meeting_starts", "pre_meeting_ends", "post_meeting_starts", "post_meeting_ends")]

    def lesson_fields(self) -> list[Any]:
        return [self[n] for n in ("lessons_en", "lessons_fr") if n in self.fields]


def _local(value: Any) -> Any:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


def initial_for(operation: Operation) -> dict[str, Any]:
    return {
        "title_en": operation.event.title_en,
        "title_fr": operation.event.title_fr,
        "code": operation.code,
        "goals_en": operation.goals_en,
        "goals_fr": operation.goals_fr,
        "countries": list(operation.countries),
        "precursors": [p.pk for p in operation.precursors.all()],
        "starts_on": operation.starts_on,
        "ends_on": operation.ends_on,
        "requires_moderation": bool(operation.community and operation.community.requires_moderation),
        "pre_meeting_starts": _local(operation.pre_meeting.starts_at if operation.pre_meeting else None),
        "pre_meeting_ends": _local(operation.pre_meeting.ends_at if operation.pre_meeting else None),
        "post_meeting_starts": _local(operation.post_meeting.starts_at if operation.post_meeting else None),
        "post_meeting_ends": _local(operation.post_meeting.ends_at if operation.post_meeting else None),
        "lessons_en": operation.lessons_en,
        "lessons_fr": operation.lessons_fr,
    }


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Next phase"), choices=OperationPhase.choices)

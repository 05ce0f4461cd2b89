"""Forms of the events pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shieldhub.events.choices import EventKind, EventStatus


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *EventKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *EventStatus.choices])
    upcoming = forms.BooleanField(label=_("Upcoming only"), required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

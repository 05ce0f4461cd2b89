"""Exchange pages: the user's email notification preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shieldhub.core.access import Perm, require
from shieldhub.exchange import notifications
from shieldhub.exchange.choices import MessageKind, Tlp
from shieldhub.exchange.models import Message


class NotificationPreferenceForm(forms.Form):
    immediate = forms.BooleanField(
        label=gettext_lazy("Email me at once"),
        required=False,
        help_text=gettext_lazy("Alerts, special alerts and requests for information addressed to me."),
    )
    digest = forms.BooleanField(
        label=gettext_lazy("Daily digest"),
        required=False,
        help_text=gettext_lazy("Once a day, the other messages I have not read yet."),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds"),
        choices=MessageKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every kind. Special alerts are always sent."),
    )
    precursors: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Precursors"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("None chosen: every precursor. Messages that name no precursor are always sent."),
    )
    regions = forms.MultipleChoiceField(
        label=gettext_lazy("WCO regions"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Of the countries involved. None ticked: every region. Messages that involve no country are always sent."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list, region_list

        self.fields["precursors"].queryset = catalogue_list(user=user)  # type: ignore[attr-defined]
        self.fields["regions"].choices = [(r.code, r.name) for r in region_list(user=user)]  # type: ignore[attr-defined]

    def filter_fields(self) -> list[Any]:
        return [self[name] for name in ("kinds", "precursors", "regions")]


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    preference = notifications.notification_preference_get(user=request.user)
    initial = notifications.notification_preference_data(preference)
    data = request.POST if request.method == "POST" else None  # every box unticked is still a POST
    form = NotificationPreferenceForm(data, user=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            notifications.notification_preference_update(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Notification preferences saved."))
            return redirect("exchange:notification-preferences")
    labels = dict(Tlp.choices)
    body_tlps = ", ".join(str(labels[t]) for t in notifications.email_body_tlps())
    return render(request, "exchange/notification_preferences.html", {"form": form, "body_tlps": body_tlps})


urlpatterns: list[URLPattern] = [
    path("notifications/", notification_preferences, name="notification-preferences"),
]


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """Extra context for the message page (merged over the base context)."""
    return {}

"""The forward form: the compose form's distribution picker, a note, and the releasability the
forward keeps (it can be narrowed, never widened)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _

from shieldhub.exchange import forms
from shieldhub.exchange.forwarding import ForwardConstraints
from shieldhub.exchange.models import Message

RELEASABILITY_FIELDS = {"releasable_interpol": "interpol", "releasable_unodc": "unodc"}


class ForwardForm(forms.ComposeForm):
    """The compose form reduced to its distribution fields, plus the note and releasability."""

    note = django_forms.CharField(
        label=_("Your note"),
        required=False,
        max_length=5000,
        widget=django_forms.Textarea(attrs={"rows": 4}),
        help_text=_("Above the quoted message. Markdown: *emphasis*, **bold**, lists, links."),
    )

    KEPT = ("note", *forms.ComposeForm.DISTRIBUTION, *RELEASABILITY_FIELDS)

    def __init__(self, *args: Any, user: Any, message: Message, constraints: ForwardConstraints, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in list(self.fields):
            if name not in self.KEPT:
                del self.fields[name]
        self.message = message
        for name, partner in RELEASABILITY_FIELDS.items():
            field = self.fields[name]
            if partner in constraints.releasability:
                field.initial = True
                field.help_text = _("Untick to keep the forward from this partner.")
            else:
                # Never widened: a partner the original (or the rules) leave out stays out.
                field.initial = False
                field.disabled = True

    def releasability(self) -> list[str]:
        return [partner for name, partner in RELEASABILITY_FIELDS.items() if self.cleaned_data.get(name)]

    def releasability_fields(self) -> list[Any]:
        return [self[name] for name in RELEASABILITY_FIELDS]

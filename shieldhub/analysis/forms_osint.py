"""Forms of the open-source monitoring pages: a feed, an item entered by hand, an upload, the list
filters, the seizure draft's country and the message link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shieldhub.analysis.choices import ItemStatus
from shieldhub.core.forms import country_names
from shieldhub.core.widgets import QuickSelect

_DATE = {"type": "date"}
LANGUAGE_CHOICES = [("", "—"), ("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"),
                    ("pt", "Português"), ("ru", "Русский"), ("zh", "中文"), ("de", "Deutsch"), ("it", "Italiano")]  # fmt: skip


def _all(choices: Any) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.URLField(label=_("Feed address"), max_length=1000, assume_scheme="https",
                         help_text=_("The address of an RSS or Atom feed (http or https)."))  # fmt: skip
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    interval_minutes = forms.IntegerField(label=_("Fetch every (minutes)"), min_value=5, max_value=10080, initial=360)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @staticmethod
    def initial_from(source: Any) -> dict[str, Any]:
        return {f: getattr(source, f) for f in ("name", "url", "language", "interval_minutes", "is_active")}


class ItemForm(forms.Form):
    url = forms.URLField(label=_("Address"), max_length=1000, required=False, assume_scheme="https")
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=500)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    published_at = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs=_DATE))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV (UTF-8) or Excel (.xlsx) file, first row: url, title, text, date, language. At most 2 MB."),
    )


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Triage"), choices=_all(ItemStatus.choices), required=False)
    precursor = forms.TypedChoiceField(
        label=_("Precursor"), choices=(), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    country = forms.ChoiceField(label=_("Country"), choices=(), required=False, widget=QuickSelect)
    source = forms.TypedChoiceField(label=_("Feed"), choices=(), coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=_DATE))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=_DATE))

    def __init__(self, *args: Any, user: Any, sources: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from shieldhub.reference.selectors import catalogue_list

        items = catalogue_list(user=user).values_list("pk", "name_en", "name_fr")
        in_french = (get_language() or "en").startswith("fr")
        fields: Any = self.fields
        fields["country"].choices = _all(country_names())
        fields["precursor"].choices = _all([(pk, (fr if in_french and fr else en)) for pk, en, fr in items])
        fields["source"].choices = _all(sources)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class SeizureDraftForm(forms.Form):
    reporting_country = forms.ChoiceField(label=_("Reporting country"), choices=(), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["reporting_country"].choices = [("", _("The first country found in the item")), *country_names()]


class LinkMessageForm(forms.Form):
    message = forms.TypedChoiceField(label=_("Or link a message you sent about it"), choices=(), coerce=int)

    def __init__(self, *args: Any, messages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["message"].choices = messages

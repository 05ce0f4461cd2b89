"""Closed groups for operations: the operational-message form and the end of an operation.

An operation group is a community of kind ``operation`` with start and end dates, participating
countries and moderators. Its moderators (or the secretariat's community managers) choose which
fields of the catalogue `FIELDS` its short operational-report form has (`Community.operation_form`).
A report sent through the form is an ordinary exchange message to the group (kind
``operational``), with the values kept as JSON (`Message.operation_data`) and a Markdown table as
its body, so that every reader, email and API client gets the same facts.

Dates: before ``starts_on`` the group already takes messages (the operation is prepared there);
after ``ends_on`` it is read-only (`Community.is_read_only`: no message, no reply), and a daily
task archives it. Its members keep their messages: visibility follows the recipients recorded at
send time, not the membership.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry
from django_tasks import task

from shieldhub.core.access import Perm, communities_visible_q, has_perm, messages_visible_q, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.scheduling import periodic
from shieldhub.directory.choices import CommunityKind, MembershipRole
from shieldhub.directory.models import Community, Membership
from shieldhub.exchange import services
from shieldhub.exchange.choices import CountryRole, MessageKind, Tlp
from shieldhub.exchange.models import Message, MessageDistribution
from shieldhub.reference.units import Unit

DAILY = dt.timedelta(days=1)
_HS = re.compile(r"^\d{4}(\.?\d{2}){0,3}$")


class _Choices:
    """Choice lists of the operational fields (translated labels)."""

    TRANSPORT = [
        ("sea", _("Sea")),
        ("air", _("Air")),
        ("road", _("Road")),
        ("rail", _("Rail")),
        ("postal", _("Postal or express")),
        ("inland_waterway", _("Inland waterway")),
        ("fixed", _("Fixed installation (pipeline)")),
        ("other", _("Other")),
    ]
    ACTION = [
        ("seized", _("Seized")),
        ("detained", _("Detained")),
        ("released", _("Released")),
        ("controlled_delivery", _("Controlled delivery")),
    ]


@dataclass(frozen=True)
class OperationField:
    """One field of the catalogue: its key, label, type and how it becomes form fields."""

    key: str
    label: Any  # a lazily translated string
    kind: str  # precursor | quantity | hs_code | country | choice | text | long_text | date
    choices: tuple[tuple[str, Any], ...] = ()
    help_text: Any = ""


FIELDS: dict[str, OperationField] = {
    f.key: f
    for f in (
        OperationField("precursor", _("Precursor"), "precursor"),
        OperationField("quantity", _("Quantity"), "quantity"),
        OperationField("hs_code", _("HS code"), "hs_code", help_text=_("e.g. 3102.30")),
        OperationField("origin_country", _("Country of origin"), "country"),
        OperationField("transit_country", _("Transit country"), "country"),
        OperationField("destination_country", _("Country of destination"), "country"),
        OperationField("transport_mode", _("Mode of transport"), "choice", tuple(_Choices.TRANSPORT)),
        OperationField(
            "conveyance", _("Conveyance"), "text", help_text=_("Vessel name, flight number or vehicle registration")
        ),
        OperationField("container_number", _("Container or AWB number"), "text"),
        OperationField("event_date", _("Date of seizure or detection"), "date"),
        OperationField("place", _("Place"), "text", help_text=_("Port, airport or border post")),
        OperationField("consignor", _("Consignor"), "text"),
        OperationField("consignee", _("Consignee"), "text"),
        OperationField("action_taken", _("Action taken"), "choice", tuple(_Choices.ACTION)),
        OperationField("remarks", _("Remarks"), "long_text"),
    )
}
# The value keys of a field in `Message.operation_data` (a quantity comes with its unit).
VALUE_KEYS: dict[str, tuple[str, ...]] = {key: (key, "unit") if key == "quantity" else (key,) for key in FIELDS}
# What a new operation group's form offers until its moderators choose.
DEFAULT_FORM = ["precursor", "quantity", "origin_country", "destination_country", "place", "action_taken", "remarks"]
_COUNTRY_ROLES = {
    "origin_country": CountryRole.ORIGIN,
    "transit_country": CountryRole.TRANSIT,
    "destination_country": CountryRole.DESTINATION,
}


def clean_form_keys(keys: Any) -> list[str]:
    """The chosen field keys in catalogue order; unknown keys are refused."""
    chosen = [str(k) for k in keys or []]
    unknown = sorted(set(chosen) - set(FIELDS))
    if unknown:
        raise ValidationError({"fields": _("Unknown operational field: %(keys)s.") % {"keys": ", ".join(unknown)}})
    if not chosen:
        raise ValidationError({"fields": _("Choose at least one field.")})
    return [key for key in FIELDS if key in chosen]


# --- the status of an operation ----------------------------------------------------------------


def operation_status(community: Community, today: dt.date | None = None) -> str:
    """``upcoming``, ``running``, ``ended`` or ``archived`` (empty for a community without dates)."""
    today = today or timezone.localdate()
    if community.is_archived:
        return "archived"
    if community.ends_on and community.ends_on < today:
        return "ended"
    if community.starts_on and community.starts_on > today:
        return "upcoming"
    if community.starts_on or community.ends_on or community.kind == CommunityKind.OPERATION:
        return "running"
    return ""


STATUS_LABELS = {
    "upcoming": _("Upcoming"),
    "running": _("Running"),
    "ended": _("Ended (read-only)"),
    "archived": _("Archived (read-only)"),
}


# --- reads ---------------------------------------------------------------------------------------


def operation_get(*, user: Any, pk: Any) -> Community:
    """An operation group the user may see (a member, or the secretariat); 404 otherwise."""
    require(user, Perm.EXCHANGE_USE, hide=True)
    try:
        return Community.objects.filter(communities_visible_q(user), kind=CommunityKind.OPERATION).get(pk=int(pk))
    except (Community.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_group_moderator(user: Any, community: Community) -> bool:
    return Membership.objects.filter(user=user, community=community, role=MembershipRole.MODERATOR).exists()


def can_configure(user: Any, community: Community) -> bool:
    """The group's moderators and the secretariat's community managers choose the form's fields."""
    return has_perm(user, Perm.COMMUNITY_MANAGE) or (
        has_perm(user, Perm.EXCHANGE_USE) and is_group_moderator(user, community)
    )


def form_keys(community: Community) -> list[str]:
    """The fields of the group's form (the default set until its moderators choose)."""
    keys = [k for k in community.operation_form or [] if k in FIELDS]
    return keys or list(DEFAULT_FORM)


def operation_messages(*, user: Any, community: Community) -> QuerySet[Message]:
    """The group's messages this user may see (members keep them after the operation ends)."""
    from shieldhub.exchange.selectors import DELIVERED

    targets = MessageDistribution.objects.filter(community=community)
    return (
        Message.objects.filter(messages_visible_q(user), status__in=DELIVERED)
        .filter(pk__in=targets.values("message_id"))
        .select_related("sender")
        .order_by("-sent_at", "-pk")
    )


# --- the form ------------------------------------------------------------------------------------


def _country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, str(name)) for code, name in country_registry)]


def _form_fields(spec: OperationField, user: Any) -> dict[str, forms.Field]:
    from shieldhub.reference.selectors import catalogue_list

    label = spec.label
    if spec.kind == "precursor":
        return {
            spec.key: forms.ModelChoiceField(
                label=label, queryset=catalogue_list(user=user), to_field_name="code", required=False, empty_label="—"
            )
        }
    if spec.kind == "quantity":
        return {
            "quantity": forms.DecimalField(label=label, required=False, min_value=Decimal(0), max_digits=14,
                                           decimal_places=3),
            "unit": forms.ChoiceField(label=_("Unit"), required=False,
                                      choices=[("", "—"), *((u.value, u.value) for u in Unit)]),
        }  # fmt: skip
    if spec.kind == "country":
        return {spec.key: forms.ChoiceField(label=label, required=False, choices=_country_choices())}
    if spec.kind == "choice":
        return {spec.key: forms.ChoiceField(label=label, required=False, choices=[("", "—"), *spec.choices])}
    if spec.kind == "date":
        return {spec.key: forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))}
    if spec.kind == "long_text":
        return {
            spec.key: forms.CharField(
                label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )
        }
    field = forms.CharField(label=label, required=False, max_length=200, help_text=spec.help_text)
    if spec.kind == "hs_code":
        field.validators.append(_validate_hs)
    return {spec.key: field}


def _validate_hs(value: str) -> None:
    if value and not _HS.match(value.strip()):
        raise ValidationError(_("“%(value)s” is not an HS code.") % {"value": value})


def _json_value(value: Any) -> Any:
    if value in (None, ""):
        return None
    if hasattr(value, "code") and hasattr(value, "name_en"):  # a catalogue item
        return value.code
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class OperationReportForm(forms.Form):
    """The short operational-report form of one operation group: its chosen fields, then handling."""

    def __init__(self, *args: Any, community: Community, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        self.keys = form_keys(community)
        for key in self.keys:
            self.fields.update(_form_fields(FIELDS[key], user))
        self.fields["tlp"] = forms.ChoiceField(label=_("TLP"), choices=Tlp.choices, initial=Tlp.AMBER)
        self.fields["releasable_interpol"] = forms.BooleanField(label=_("Releasable to INTERPOL"), required=False)
        self.fields["releasable_unodc"] = forms.BooleanField(label=_("Releasable to UNODC"), required=False)

    def operational_fields(self) -> list[Any]:
        """The short fields (laid out side by side); `long_fields` take the full width."""
        return [self[name] for key in self.keys if FIELDS[key].kind != "long_text" for name in VALUE_KEYS[key]]

    def long_fields(self) -> list[Any]:
        return [self[key] for key in self.keys if FIELDS[key].kind == "long_text"]

    def handling_fields(self) -> list[Any]:
        return [self[name] for name in ("tlp", "releasable_interpol", "releasable_unodc")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "quantity" in self.keys:
            if data.get("quantity") is not None and not data.get("unit"):
                self.add_error("unit", _("Give the unit of the quantity."))
            if data.get("unit") and data.get("quantity") is None:
                self.add_error("quantity", _("Give the quantity in this unit."))
        values = self.values() if not self.errors else {}
        if not self.errors and not values:
            raise ValidationError(_("Fill in at least one field of the report."))
        return data

    def values(self) -> dict[str, Any]:
        """The filled-in values, JSON-safe (catalogue code, ISO codes, ISO dates, decimals as text)."""
        out: dict[str, Any] = {}
        for key in self.keys:
            for name in VALUE_KEYS[key]:
                value = _json_value(self.cleaned_data.get(name))
                if value is not None:
                    out[name] = value
        return out


def form_definition(community: Community) -> list[dict[str, Any]]:
    """The fields of the group's form, for API clients: name, label, type and allowed values."""
    out = []
    for key in form_keys(community):
        spec = FIELDS[key]
        kind = {"precursor": "catalogue_code", "country": "country_code", "long_text": "text"}.get(spec.kind, spec.kind)
        if spec.kind == "quantity":
            out.append({"name": "quantity", "field": key, "label": str(spec.label), "type": "decimal", "choices": []})
            out.append({"name": "unit", "field": key, "label": gettext("Unit"), "type": "choice",
                        "choices": [u.value for u in Unit]})  # fmt: skip
            continue
        choices = [value for value, _label in spec.choices]
        out.append({"name": key, "field": key, "label": str(spec.label), "type": kind, "choices": choices})
    return out


# --- showing a report ----------------------------------------------------------------------------


def _display(key: str, value: Any, data: dict[str, Any], precursor_names: dict[str, str]) -> str:
    spec = FIELDS[key]
    if spec.kind == "precursor":
        return precursor_names.get(str(value), str(value))
    if spec.kind == "quantity":
        return f"{value} {data.get('unit', '')}".strip()
    if spec.kind == "country":
        name = country_registry.name(str(value))
        return f"{name} ({value})" if name else str(value)
    if spec.kind == "choice":
        return str(dict(spec.choices).get(str(value), value))
    if spec.kind == "date":
        from django.utils import formats
        from django.utils.dateparse import parse_date

        try:
            day = parse_date(str(value))
        except ValueError:
            day = None
        return formats.date_format(day, "DATE_FORMAT") if day else str(value)
    return str(value)


def operation_items(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, label, value) of the filled-in fields, in catalogue order, in the active language."""
    from shieldhub.reference.models import CatalogueItem

    if not data:
        return []
    names: dict[str, str] = {}
    if data.get("precursor"):
        names = {i.code: i.name for i in CatalogueItem.objects.filter(code=str(data["precursor"]))}
    return [
        (key, str(spec.label), _display(key, data[key], data, names))
        for key, spec in FIELDS.items()
        if data.get(key) not in (None, "")
    ]


def operation_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs in catalogue order, in the active language."""
    return [(label, value) for _key, label, value in operation_items(data)]


def _md(text: str) -> str:
    """A table cell: Markdown and table syntax escaped, on one line."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_\[\]|<>#!])", r"\\\1", text)


def _subject(community: Community, values: dict[str, str]) -> str:
    parts = [values[k] for k in ("precursor", "quantity", "place") if k in values]
    if not parts and "action_taken" in values:
        parts = [values["action_taken"]]
    summary = " · ".join(parts) if parts else str(community)
    return (gettext("Operational report: %(summary)s") % {"summary": summary})[:200]


def _body(community: Community, rows: list[tuple[str, str]]) -> str:
    lines = [
        gettext("Operational report sent through the form of **%(operation)s**.") % {"operation": _md(community.name)},
        "",
        f"| {gettext('Field')} | {gettext('Value')} |",
        "| --- | --- |",
    ]
    lines += [f"| {_md(label)} | {_md(value)} |" for label, value in rows]
    return "\n".join(lines)


# --- writes --------------------------------------------------------------------------------------


def operation_report_send(
    *,
    actor: Any,
    community: Community,
    values: dict[str, Any],
    tlp: str = Tlp.AMBER,
    releasable_interpol: bool = False,
    releasable_unodc: bool = False,
) -> Message:
    """Send an operational report to the group through its form (moderated like any message)."""
    community = operation_get(user=actor, pk=community.pk)
    if community.is_read_only:
        raise services.read_only_error([community])
    form = OperationReportForm(
        data={**values, "tlp": tlp, "releasable_interpol": releasable_interpol, "releasable_unodc": releasable_unodc},
        community=community,
        user=actor,
    )
    if not form.is_valid():
        raise ValidationError({k if k != "__all__" else "values": v for k, v in form.errors.items()})
    data = form.values()
    language = actor.language if actor.language in ("en", "fr") else settings.LANGUAGE_CODE[:2]
    with translation.override(language):
        items = operation_items(data)
        subject = _subject(community, {key: value for key, _label, value in items})
        body = _body(community, [(label, value) for _key, label, value in items])
    countries = [(str(data[key]), role) for key, role in _COUNTRY_ROLES.items() if data.get(key)]
    message_data: dict[str, Any] = {
        "kind": MessageKind.OPERATIONAL,
        "subject": subject,
        "body": body,
        "language": language,
        "tlp": form.cleaned_data["tlp"],
        "releasable_interpol": form.cleaned_data["releasable_interpol"],
        "releasable_unodc": form.cleaned_data["releasable_unodc"],
        "precursors": [form.cleaned_data["precursor"].pk] if form.cleaned_data.get("precursor") else [],
        "countries": countries,
        "hs_codes": [data["hs_code"]] if data.get("hs_code") else [],
    }
    return services.message_send(
        actor=actor,
        data=message_data,
        distribution=services.Distribution(communities=[community.pk]),
        operation_data={**data, "community": community.pk},
    )


@transaction.atomic
def operation_form_update(*, actor: Any, community: Community, fields: list[str]) -> Community:
    """The group's moderators (or a community manager) choose the fields of its form."""
    community = operation_get(user=actor, pk=community.pk)
    if not can_configure(actor, community):
        raise PermissionDenied
    keys = clean_form_keys(fields)
    obj = Community.objects.select_for_update().get(pk=community.pk)
    before = snapshot(obj, ["operation_form"])
    if obj.operation_form == keys:
        return obj
    obj.operation_form = keys
    obj.save(update_fields=["operation_form"])
    audit_record(
        actor=actor,
        action="exchange.operation_form_update",
        obj=obj,
        changes=diff(before, snapshot(obj, ["operation_form"])),
    )
    return obj


def clean_countries(value: Any) -> list[str]:
    codes = [str(c).strip().upper() for c in value or [] if str(c).strip()]
    unknown = [c for c in codes if c not in country_registry]
    if unknown:
        raise ValidationError({"countries": _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return sorted(set(codes))


@transaction.atomic
def community_exchange_settings_update(
    *, actor: Any, community: Community, requires_moderation: bool, countries: list[str]
) -> Community:
    """Whether the community is moderated, and its participating countries (community managers).

    Kept here until `directory.services.community_update` accepts these two fields.
    """
    require(actor, Perm.COMMUNITY_MANAGE)
    obj = Community.objects.select_for_update().get(pk=community.pk)
    fields = ["requires_moderation", "countries"]
    before = snapshot(obj, fields)
    obj.requires_moderation = bool(requires_moderation)
    obj.countries = clean_countries(countries)
    changes = diff(before, snapshot(obj, fields))
    if not changes:
        return obj
    obj.save(update_fields=fields)
    audit_record(actor=actor, action="exchange.community_settings_update", obj=obj, changes=changes)
    return obj


# --- the end of an operation ---------------------------------------------------------------------


@periodic("exchange.operations_archive_ended", every=DAILY)
@task()
def operations_archive_ended() -> int:
    """Archive the operation groups past their end date (idempotent: archived ones are skipped).

    They were read-only from the day after their end date already; archiving takes them out of the
    current lists. Members keep their messages and find them in their inbox.
    """
    today = timezone.localdate()
    due = Community.objects.filter(kind=CommunityKind.OPERATION, is_archived=False, ends_on__lt=today)
    archived = 0
    for pk in due.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Community.objects.filter(pk=pk, is_archived=False).update(is_archived=True)
            if claimed:
                community = Community.objects.get(pk=pk)
                audit_record(
                    actor=None,
                    action="exchange.operation_archive",
                    obj=community,
                    changes={"is_archived": [False, True]},
                    extra={"ends_on": community.ends_on.isoformat() if community.ends_on else None},
                )
                archived += 1
    return archived

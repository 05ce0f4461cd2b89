"""Every write to the seizure and incident records.

Each service checks the actor's permission and that the record is visible to them (404 if not),
validates, writes inside `transaction.atomic()` and appends an audit entry in the same transaction.
A record's goods lines, route, parties and persons are written with it, replaced as a whole on each
edit. Recipients are resolved with the exchange's distribution rules at submission and recorded.
Corrections and withdrawals write a new version (a full JSON snapshot) and, once committed, email
everyone who received or opened the record.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.accounts.choices import Role
from shieldhub.core.access import (
    Perm,
    has_perm,
    incident_is_reporting_side,
    require,
    user_country,
)
from shieldhub.core.audit import audit_record, diff, jsonable, snapshot
from shieldhub.entities.services import entity_find_or_create
from shieldhub.exchange.choices import RecipientReason, TargetKind
from shieldhub.exchange.services import Distribution, message_recipients_preview
from shieldhub.reference.text import fold, hs_compact
from shieldhub.reference.units import DensityRequired, InvalidQuantity, UnknownUnit, normalise_unit, pure_kg, to_kg
from shieldhub.seizures import quality, summaries
from shieldhub.seizures.choices import (
    CORRECTABLE_STATUSES,
    CommentKind,
    IncidentStatus,
    PartyRole,
    PersonRole,
    RouteRole,
    Source,
    VersionChange,
)
from shieldhub.seizures.models import (
    GoodsLine,
    Incident,
    IncidentComment,
    IncidentCountry,
    IncidentDistribution,
    IncidentParty,
    IncidentPerson,
    IncidentRecipient,
    IncidentVersion,
    IncidentView,
)

User = get_user_model()

INCIDENT_FIELDS = (
    "incident_type",
    "reporting_country",
    "office_name",
    "location_type",
    "occurred_on",
    "direction",
    "detection_method",
    "conveyance",
    "concealment",
    "ports",
    "operation",
    "source",
    "national_reference",
    "narrative",
    "releasable_interpol",
    "releasable_unodc",
)
CHILDREN = ("route", "goods", "parties", "persons")
MAX_LINES = 100
_KG = Decimal("0.001")


# --- validation of the parts ---------------------------------------------------------------------


def _decimal_or_none(value: Any, field: str, line: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        raise ValidationError(
            {"goods": _("Line %(n)s: “%(value)s” is not a number.") % {"n": line, "value": value}}
        ) from None
    if not number.is_finite():
        raise ValidationError({"goods": _("Line %(n)s: “%(value)s” is not a number.") % {"n": line, "value": value}})
    return number


def _hs(value: Any, line: int, label: Any) -> str:
    from shieldhub.reference.models import HsCode

    code = hs_compact(str(value or ""))
    if not code:
        return ""
    if not code.isdigit() or len(code) not in (2, 4, 6) or not HsCode.objects.filter(code=code).exists():
        raise ValidationError(
            {"goods": _("Line %(n)s: %(label)s “%(value)s” is not an HS 2022 code.") % {
                "n": line, "label": label, "value": value}}
        )  # fmt: skip
    return code


def _catalogue(value: Any, line: int) -> Any:
    from shieldhub.reference.models import CatalogueItem

    if value in (None, ""):
        return None
    if isinstance(value, CatalogueItem):
        return value
    try:
        return CatalogueItem.objects.get(pk=int(value), is_active=True)
    except (CatalogueItem.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"goods": _("Line %(n)s: unknown catalogue item.") % {"n": line}}) from None


def _quantise(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_KG, rounding=ROUND_HALF_UP)


def build_goods_line(data: dict[str, Any], *, line: int = 1) -> GoodsLine:
    """A GoodsLine (unsaved) from a dict, with its kilograms computed; ValidationError on any problem.

    The unit must be known (never guessed); a volume needs the line's density or the catalogue's.
    """
    item = _catalogue(data.get("catalogue_item"), line)
    hs_code = _hs(data.get("hs_code"), line, _("HS code"))
    if item is None and not hs_code:
        raise ValidationError({"goods": _("Line %(n)s: choose a catalogue item or give an HS code.") % {"n": line}})
    quantity = _decimal_or_none(data.get("quantity"), "quantity", line)
    if quantity is None:
        raise ValidationError({"goods": _("Line %(n)s: give the quantity.") % {"n": line}})
    try:
        unit = normalise_unit(str(data.get("unit") or ""))
    except UnknownUnit as exc:
        raise ValidationError({"goods": _("Line %(n)s: %(error)s") % {"n": line, "error": exc}}) from None
    concentration = _decimal_or_none(data.get("concentration"), "concentration", line)
    density = _decimal_or_none(data.get("density"), "density", line)
    catalogue_density = item.density_kg_per_l if item is not None else None
    try:
        kg = to_kg(quantity, unit, density_kg_per_l=density if density is not None else catalogue_density)
        pure = pure_kg(kg, concentration) if kg is not None and concentration is not None else None
        if concentration is not None and kg is None:
            pure_kg(0, concentration)  # still check the concentration is within 0-100
    except (DensityRequired, InvalidQuantity) as exc:
        raise ValidationError({"goods": _("Line %(n)s: %(error)s") % {"n": line, "error": exc}}) from None
    goods = GoodsLine(
        position=line,
        catalogue_item=item,
        hs_code=hs_code,
        declared_description=str(data.get("declared_description") or "").strip()[:500],
        declared_hs=_hs(data.get("declared_hs"), line, _("declared HS code")),
        actual_hs=_hs(data.get("actual_hs"), line, _("actual HS code")),
        quantity=quantity,
        unit=unit.value,
        concentration=concentration,
        density=density,
        quantity_kg=_quantise(kg),
        pure_kg=_quantise(pure),
    )
    try:
        goods.full_clean(exclude=["incident"])
    except ValidationError as exc:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ValidationError({"goods": _("Line %(n)s: %(error)s") % {"n": line, "error": messages}}) from None
    return goods


def _route(value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in value or []:
        code, role = str(item[0]).strip().upper(), str(item[1])
        if code not in country_registry or role not in RouteRole.values:
            raise ValidationError({"route": _("Unknown country or role: %(value)s.") % {"value": f"{code} {role}"}})
        pairs.append((code, role))
    return list(dict.fromkeys(pairs))


def _parties(value: Any) -> list[dict[str, Any]]:
    parties = []
    for n, item in enumerate(value or [], start=1):
        role = str(item.get("role") or "")
        name = str(item.get("name") or "").strip()
        if not name:
            continue
        if role not in PartyRole.values:
            raise ValidationError({"parties": _("Company %(n)s: choose a role.") % {"n": n}})
        country = str(item.get("country") or "").strip().upper()
        if country and country not in country_registry:
            raise ValidationError({"parties": _("Company %(n)s: unknown country code.") % {"n": n}})
        parties.append({"role": role, "name": name[:300], "country": country,
                        "identifiers": item.get("identifiers") or {}})  # fmt: skip
    return parties


def _persons(value: Any) -> list[IncidentPerson]:
    persons = []
    for n, item in enumerate(value or [], start=1):
        role = str(item.get("role") or "")
        if not role:
            continue
        if role not in PersonRole.values:
            raise ValidationError({"persons": _("Person %(n)s: choose a role.") % {"n": n}})
        year = item.get("year_of_birth")
        person = IncidentPerson(
            position=n,
            role=role,
            nationality=str(item.get("nationality") or "").strip().upper(),
            gender=str(item.get("gender") or ""),
            year_of_birth=int(year) if year not in (None, "") else None,
            name=str(item.get("name") or "").strip()[:200],
            name_shared=bool(item.get("name_shared")),
        )
        try:
            person.full_clean(exclude=["incident"])
        except ValidationError as exc:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise ValidationError({"persons": _("Person %(n)s: %(error)s") % {"n": n, "error": messages}}) from None
        persons.append(person)
    return persons


def _operation(value: Any) -> Any:
    from shieldhub.directory.models import Community

    if value in (None, ""):
        return None
    if isinstance(value, Community):
        value = value.pk
    try:
        return Community.objects.get(pk=int(value), kind="operation")
    except (Community.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"operation": _("Unknown operation.")}) from None


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({"occurred_on": _("Enter a valid date.")})
    return parsed


def _reporting_country(actor: Any, value: Any) -> str:
    code = str(value or "").strip().upper()
    own = user_country(actor)
    if has_perm(actor, Perm.SEIZURE_VIEW_ALL):  # the analyst reports on a country's behalf
        if not code:
            raise ValidationError({"reporting_country": _("Choose the reporting country.")})
        return code
    if not own:
        raise PermissionDenied
    if code and code != own:
        raise ValidationError({"reporting_country": _("You report for your own country only.")})
    return own


def _apply(incident: Incident, actor: Any, data: dict[str, Any]) -> None:
    unknown = set(data) - set(INCIDENT_FIELDS) - set(CHILDREN)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key in INCIDENT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "reporting_country":
            if incident.pk is None or incident.status == IncidentStatus.DRAFT:
                incident.reporting_country = _reporting_country(actor, value)
            elif str(value or "").upper() not in ("", str(incident.reporting_country)):
                raise ValidationError({"reporting_country": _("The reporting country of a submitted record is fixed.")})
        elif key == "operation":
            incident.operation = _operation(value)
        elif key == "occurred_on":
            incident.occurred_on = _date(value)  # type: ignore[assignment]
        elif key in ("releasable_interpol", "releasable_unodc"):
            setattr(incident, key, bool(value))
        else:
            setattr(incident, key, "" if value is None else (value.strip() if isinstance(value, str) else value))
    if not incident.source:
        incident.source = Source.NCP_REPORT


def _validate(incident: Incident) -> None:
    if incident.occurred_on is None:
        raise ValidationError({"occurred_on": _("Give the date.")})
    if incident.occurred_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    incident.full_clean(exclude=["created_by", "submitted_by", "validated_by", "operation"])


class _Parts:
    """The validated children of a record, before they are written."""

    def __init__(self, data: dict[str, Any], *, keep_from: Incident | None = None) -> None:
        def given(key: str) -> bool:
            return key in data or keep_from is None

        goods_data = list(data.get("goods") or [])
        if len(goods_data) > MAX_LINES:
            raise ValidationError({"goods": _("At most 100 goods lines.")})
        self.route = _route(data.get("route")) if given("route") else None
        self.goods = (
            [build_goods_line(g, line=n) for n, g in enumerate(goods_data, start=1)] if given("goods") else None
        )
        self.parties = _parties(data.get("parties")) if given("parties") else None
        self.persons = _persons(data.get("persons")) if given("persons") else None


def _write_children(incident: Incident, actor: Any, parts: _Parts) -> None:
    if parts.route is not None:
        incident.route.all().delete()
        IncidentCountry.objects.bulk_create(
            [IncidentCountry(incident=incident, country=c, role=r, position=i) for i, (c, r) in enumerate(parts.route)]
        )
    if parts.goods is not None:
        incident.goods.all().delete()
        for line in parts.goods:
            line.incident = incident
        GoodsLine.objects.bulk_create(parts.goods)
    if parts.parties is not None:
        incident.parties.all().delete()
        rows = []
        for i, party in enumerate(parts.parties, start=1):
            entity, _created = entity_find_or_create(
                actor=actor, name=party["name"], country=party["country"], identifiers=party["identifiers"]
            )
            rows.append(IncidentParty(incident=incident, role=party["role"], entity=entity, position=i))
        IncidentParty.objects.bulk_create(rows)
    if parts.persons is not None:
        incident.persons.all().delete()
        for person in parts.persons:
            person.incident = incident
        IncidentPerson.objects.bulk_create(parts.persons)


def _search_text(incident: Incident) -> str:
    words = [
        incident.reference,
        incident.office_name,
        incident.national_reference,
        incident.concealment,
        incident.ports,
        incident.narrative[:4000],
    ]
    for line in incident.goods.select_related("catalogue_item"):
        words.append(line.declared_description)
        if line.catalogue_item is not None:
            words += [line.catalogue_item.name_en, line.catalogue_item.name_fr]
    words += [p.entity.name for p in incident.parties.select_related("entity")]
    return fold(" ".join(w for w in words if w))


def refresh_derived(incident: Incident) -> None:
    """Recompute and store what derives from the record: kilograms, data quality, search text."""
    goods = list(incident.goods.select_related("catalogue_item"))
    route = [(str(c.country), c.role) for c in incident.route.all()]
    parties = list(incident.parties.all())
    result = quality.assess(incident, goods=goods, parties=parties, route=route)
    kgs = [g.quantity_kg for g in goods if g.quantity_kg is not None]
    incident.total_kg = _quantise(sum(kgs, Decimal(0))) if kgs else None
    incident.data_quality = result.score
    incident.missing_fields = result.missing
    incident.search_text = _search_text(incident)
    incident.save(update_fields=["total_kg", "data_quality", "missing_fields", "search_text"])


def incident_snapshot(incident: Incident) -> dict[str, Any]:
    """The whole record as JSON: its fields, route, goods lines, parties and persons (with names;
    `selectors.version_snapshot` removes those a reader may not see)."""
    data = snapshot(
        incident,
        [*INCIDENT_FIELDS, "status", "version", "total_kg", "data_quality"],
    )
    data["route"] = [{"country": str(c.country), "role": c.role} for c in incident.route.all()]
    data["goods"] = [
        jsonable(
            {
                "catalogue_item": g.catalogue_item.code if g.catalogue_item else None,
                **{k: getattr(g, k) for k in ("hs_code", "declared_description", "declared_hs", "actual_hs",
                                               "quantity", "unit", "concentration", "density", "quantity_kg",
                                               "pure_kg")},
            }
        )
        for g in incident.goods.select_related("catalogue_item")
    ]  # fmt: skip
    data["parties"] = [
        {"role": p.role, "entity": p.entity_id, "name": p.entity.name, "country": str(p.entity.country)}
        for p in incident.parties.select_related("entity")
    ]
    data["persons"] = [
        jsonable({k: getattr(p, k) for k in ("role", "nationality", "gender", "year_of_birth", "name", "name_shared")})
        for p in incident.persons.all()
    ]
    return data


# --- access helpers -------------------------------------------------------------------------------


def _visible(actor: Any, incident: Incident) -> Incident:
    """The record, locked, if the actor may see it (404 otherwise)."""
    from shieldhub.seizures.selectors import incident_get

    incident_get(user=actor, pk=incident.pk)
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _require_reporting_side(actor: Any, incident: Incident) -> None:
    require(actor, Perm.SEIZURE_REPORT)
    if not incident_is_reporting_side(actor, incident):
        raise PermissionDenied


# --- create, edit, submit -------------------------------------------------------------------------


@transaction.atomic
def incident_create(*, actor: Any, data: dict[str, Any]) -> Incident:
    """A new draft, for the actor's country (the analyst: for the country chosen)."""
    require(actor, Perm.SEIZURE_REPORT)
    incident = Incident(created_by=actor, status=IncidentStatus.DRAFT)
    _apply(incident, actor, data)
    if not incident.reporting_country:
        incident.reporting_country = _reporting_country(actor, "")
    _validate(incident)
    parts = _Parts(data)
    incident.save()
    _write_children(incident, actor, parts)
    refresh_derived(incident)
    audit_record(
        actor=actor, action="seizures.incident_create", obj=incident, changes=diff(None, snapshot(incident)),
        extra={"goods": len(parts.goods or []), "parties": len(parts.parties or [])},
    )  # fmt: skip
    return incident


@transaction.atomic
def incident_update(*, actor: Any, incident: Incident, data: dict[str, Any]) -> Incident:
    """Edit a draft (parts not given are kept)."""
    incident = _visible(actor, incident)
    _require_reporting_side(actor, incident)
    if incident.status != IncidentStatus.DRAFT:
        raise ValidationError(_("Only a draft is edited; correct a submitted record instead."))
    before = incident_snapshot(incident)
    _apply(incident, actor, data)
    _validate(incident)
    parts = _Parts(data, keep_from=incident)
    incident.updated_at = timezone.now()
    incident.save()
    _write_children(incident, actor, parts)
    refresh_derived(incident)
    audit_record(
        actor=actor, action="seizures.incident_update", obj=incident, changes=diff(before, incident_snapshot(incident))
    )
    return incident


def _new_version(*, actor: Any, incident: Incident, change: str, note: str = "") -> IncidentVersion:
    incident.version += 1
    return IncidentVersion.objects.create(
        incident=incident,
        number=incident.version,
        change=change,
        note=note,
        snapshot=incident_snapshot(incident),
        edited_by=actor,
    )


def _resolve_recipients(*, actor: Any, incident: Incident, distribution: Distribution) -> list[Any]:
    """Who the record goes to, with the exchange's rules (communities → members, countries → NCPs,
    people; partners only if releasable to them). The reporting country's own NCPs see it anyway."""
    if distribution.is_empty():
        return []
    return list(
        message_recipients_preview(
            actor=actor,
            distribution=distribution,
            data={"releasable_interpol": incident.releasable_interpol, "releasable_unodc": incident.releasable_unodc},
        )
    )


def recipients_preview(
    *, actor: Any, incident: Incident, distribution: Distribution, data: dict[str, Any]
) -> list[Any]:
    """Exactly who would receive the record if it were submitted now to this distribution."""
    _require_reporting_side(actor, incident)
    if distribution.is_empty():
        return []
    return list(message_recipients_preview(actor=actor, distribution=distribution, data=data))


def _record_distribution(incident: Incident, distribution: Distribution, users: list[Any]) -> int:
    from shieldhub.directory.models import Community

    communities = list(Community.objects.filter(pk__in=distribution.communities).order_by("name"))
    countries = sorted({str(c).strip().upper() for c in distribution.countries if str(c).strip()})
    named = set(distribution.users)
    IncidentDistribution.objects.bulk_create(
        [IncidentDistribution(incident=incident, target_kind=TargetKind.COMMUNITY, community=c) for c in communities]
        + [IncidentDistribution(incident=incident, target_kind=TargetKind.COUNTRY, country=c) for c in countries]
        + [IncidentDistribution(incident=incident, target_kind=TargetKind.USER, user_id=u) for u in sorted(named)]
    )
    already = set(IncidentRecipient.objects.filter(incident=incident).values_list("user_id", flat=True))
    community_names = ", ".join(c.name for c in communities)[:200]
    rows = []
    for user in users:
        if user.pk in already:
            continue
        code = str(user.country.code if user.country else "")
        if user.pk in named:
            reason, detail = RecipientReason.USER, ""
        elif code in countries and Role.NCP in user.roles:
            reason, detail = RecipientReason.COUNTRY, code
        else:
            reason, detail = RecipientReason.COMMUNITY, community_names
        rows.append(IncidentRecipient(incident=incident, user_id=user.pk, reason=reason, reason_detail=detail))
    IncidentRecipient.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def incident_submit(
    *, actor: Any, incident: Incident, distribution: Distribution | None = None, data: dict[str, Any] | None = None
) -> Incident:
    """Submit a draft: version 1, recipients resolved and recorded. `data` may set the releasability.
    After commit, the recipients are told in the background (`tasks.incident_submitted`)."""
    incident = _visible(actor, incident)
    _require_reporting_side(actor, incident)
    if incident.status != IncidentStatus.DRAFT:
        raise ValidationError(_("This record has already been submitted."))
    for key in ("releasable_interpol", "releasable_unodc"):
        if data and key in data:
            setattr(incident, key, bool(data[key]))
    if not incident.goods.exists():
        raise ValidationError({"goods": _("Add at least one goods line before submitting.")})
    distribution = distribution or Distribution()
    users = _resolve_recipients(actor=actor, incident=incident, distribution=distribution)
    now = timezone.now()
    incident.status = IncidentStatus.SUBMITTED
    incident.submitted_at = now
    incident.submitted_by = actor
    incident.updated_at = now
    _new_version(actor=actor, incident=incident, change=VersionChange.SUBMISSION)
    incident.save()
    summaries.touch(incident.occurred_on)
    count = _record_distribution(incident, distribution, users)
    audit_record(
        actor=actor, action="seizures.incident_submit", obj=incident,
        changes={"status": [IncidentStatus.DRAFT, IncidentStatus.SUBMITTED]},
        extra={"recipients": count, "communities": sorted(distribution.communities),
               "countries": sorted(distribution.countries), "users": sorted(distribution.users),
               "releasability": incident.releasability},
    )  # fmt: skip
    if count:
        from shieldhub.seizures import tasks

        pk = incident.pk
        transaction.on_commit(lambda: tasks.incident_submitted.enqueue(incident_id=pk))
    return incident


@transaction.atomic
def incidents_submit_bulk(
    *,
    actor: Any,
    incidents: list[Incident],
    distribution: Distribution | None = None,
    data: dict[str, Any] | None = None,
) -> list[Incident]:
    """Submit several drafts with one distribution, all or nothing: each through `incident_submit`
    (its checks, version, recipients and audit entry); the first refusal undoes them all."""
    distribution = distribution or Distribution()
    with summaries.TABLE.batch():  # each month of the batch refreshed once, at the end
        return [
            incident_submit(actor=actor, incident=incident, distribution=distribution, data=data)
            for incident in incidents
        ]


# --- the analyst's review -------------------------------------------------------------------------


def _comment(*, actor: Any, incident: Incident, kind: str, body: str) -> IncidentComment:
    return IncidentComment.objects.create(
        incident=incident, author=actor, kind=kind, body=body, version=incident.version
    )


@transaction.atomic
def incident_validate(*, actor: Any, incident: Incident, comment: str = "") -> Incident:
    require(actor, Perm.SEIZURE_VALIDATE)
    incident = _visible(actor, incident)
    if incident.status != IncidentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be validated."))
    incident.status = IncidentStatus.VALIDATED
    incident.validated_at = timezone.now()
    incident.validated_by = actor
    incident.save(update_fields=["status", "validated_at", "validated_by"])
    # Still counted, and no figure depends on the difference: the summary is unchanged.
    if comment.strip():
        _comment(actor=actor, incident=incident, kind=CommentKind.VALIDATION, body=comment.strip())
    audit_record(
        actor=actor, action="seizures.incident_validate", obj=incident,
        changes={"status": [IncidentStatus.SUBMITTED, IncidentStatus.VALIDATED]}, extra={"version": incident.version},
    )  # fmt: skip
    return incident


@transaction.atomic
def incident_return(*, actor: Any, incident: Incident, comment: str) -> Incident:
    """The analyst sends the record back to the reporting country with comments."""
    require(actor, Perm.SEIZURE_VALIDATE)
    incident = _visible(actor, incident)
    if incident.status not in (IncidentStatus.SUBMITTED, IncidentStatus.VALIDATED):
        raise ValidationError(_("Only a submitted or validated record can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be corrected.")})
    before = incident.status
    incident.status = IncidentStatus.RETURNED
    incident.validated_at = None
    incident.validated_by = None
    incident.save(update_fields=["status", "validated_at", "validated_by"])
    summaries.touch(incident.occurred_on)  # no longer counted
    _comment(actor=actor, incident=incident, kind=CommentKind.RETURN, body=comment.strip())
    audit_record(
        actor=actor, action="seizures.incident_return", obj=incident,
        changes={"status": [before, IncidentStatus.RETURNED]}, extra={"comment": comment.strip()},
    )  # fmt: skip
    return incident


@transaction.atomic
def incident_comment(*, actor: Any, incident: Incident, body: str) -> IncidentComment:
    """A comment in the thread between the reporting country and the secretariat."""
    incident = _visible(actor, incident)
    if not (incident_is_reporting_side(actor, incident) or has_perm(actor, Perm.SEIZURE_VIEW_ALL)):
        raise PermissionDenied
    if incident.status == IncidentStatus.DRAFT:
        raise ValidationError(_("Comments start once the record is submitted."))
    if not body.strip():
        raise ValidationError({"body": _("Write a comment first.")})
    comment = _comment(actor=actor, incident=incident, kind=CommentKind.COMMENT, body=body.strip()[:5000])
    audit_record(actor=actor, action="seizures.incident_comment", obj=incident, extra={"comment": comment.pk})
    return comment


# --- corrections and withdrawals ------------------------------------------------------------------


def _notify_after_commit(incident: Incident, *, actor: Any, change: str) -> None:
    from shieldhub.seizures import tasks

    pk, version, actor_pk = incident.pk, incident.version, actor.pk
    transaction.on_commit(
        lambda: tasks.incident_changed.enqueue(incident_id=pk, version=version, change=change, actor_id=actor_pk)
    )


@transaction.atomic
def incident_correct(*, actor: Any, incident: Incident, data: dict[str, Any], note: str) -> Incident:
    """Correct a submitted, returned or validated record: a new version, back to "submitted";
    everyone who received or opened it is told (after commit)."""
    incident = _visible(actor, incident)
    _require_reporting_side(actor, incident)
    if incident.status not in CORRECTABLE_STATUSES:
        raise ValidationError(_("Only a submitted record can be corrected."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was corrected.")})
    before = incident_snapshot(incident)
    month_before = incident.occurred_on
    _apply(incident, actor, data)
    _validate(incident)
    parts = _Parts(data, keep_from=incident)
    if parts.goods is not None and not parts.goods:
        raise ValidationError({"goods": _("A submitted record keeps at least one goods line.")})
    incident.status = IncidentStatus.SUBMITTED
    incident.validated_at = None
    incident.validated_by = None
    incident.updated_at = timezone.now()
    incident.save()
    _write_children(incident, actor, parts)
    refresh_derived(incident)
    _new_version(actor=actor, incident=incident, change=VersionChange.CORRECTION, note=note.strip())
    incident.save(update_fields=["version"])
    summaries.touch(month_before, incident.occurred_on)
    audit_record(
        actor=actor, action="seizures.incident_correct", obj=incident,
        changes=diff(before, incident_snapshot(incident)), extra={"note": note.strip(), "version": incident.version},
    )  # fmt: skip
    _notify_after_commit(incident, actor=actor, change=VersionChange.CORRECTION)
    return incident


@transaction.atomic
def incident_withdraw(*, actor: Any, incident: Incident, note: str) -> Incident:
    """Withdraw a submitted record: recipients keep the entry, not the detail; they are told."""
    incident = _visible(actor, incident)
    _require_reporting_side(actor, incident)
    if incident.status not in CORRECTABLE_STATUSES:
        raise ValidationError(_("Only a submitted record can be withdrawn."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the record is withdrawn.")})
    before = incident.status
    incident.status = IncidentStatus.WITHDRAWN
    incident.updated_at = timezone.now()
    _new_version(actor=actor, incident=incident, change=VersionChange.WITHDRAWAL, note=note.strip())
    incident.save(update_fields=["status", "version", "updated_at"])
    summaries.touch(incident.occurred_on)
    audit_record(
        actor=actor, action="seizures.incident_withdraw", obj=incident,
        changes={"status": [before, IncidentStatus.WITHDRAWN]}, extra={"note": note.strip()},
    )  # fmt: skip
    _notify_after_commit(incident, actor=actor, change=VersionChange.WITHDRAWAL)
    return incident


@transaction.atomic
def incident_delete_draft(*, actor: Any, incident: Incident) -> None:
    """A draft may be thrown away by the reporting side (nobody else has seen it)."""
    incident = _visible(actor, incident)
    _require_reporting_side(actor, incident)
    if incident.status != IncidentStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; withdraw a submitted record."))
    state = incident_snapshot(incident)
    pk = incident.pk
    audit_record(actor=actor, action="seizures.incident_delete", obj=incident, changes=diff(state, None))
    incident.delete()
    incident.pk = pk


def incident_record_view(*, actor: Any, incident: Incident) -> bool:
    """Remember that the actor opened the record (first time only). True when it is the first time."""
    if incident.status == IncidentStatus.DRAFT or not getattr(actor, "pk", None):
        return False
    _view, created = IncidentView.objects.get_or_create(incident=incident, user=actor)
    return created

"""Every write to the licit shipments.

Each service checks the actor's permission and that the shipment is visible to them (404 if not),
validates, writes inside `transaction.atomic()` and appends an audit entry in the same transaction.
A shipment's lines and route are written with it, replaced as a whole on each edit of the draft;
its parties are shared `entities.Entity` rows, found or created by name and country. Notifying
creates the importing country's verification request and, once committed, emails its NCPs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.access import (
    Perm,
    has_perm,
    require,
    shipment_is_exporting_side,
    shipment_is_importing_side,
    user_country,
)
from shieldhub.core.audit import audit_record, diff, jsonable
from shieldhub.entities.services import entity_find_or_create
from shieldhub.exchange.deadlines import default_deadline
from shieldhub.reference.text import fold
from shieldhub.seizures.choices import Conveyance, RouteRole
from shieldhub.seizures.services import build_goods_line
from shieldhub.shipments import summaries
from shieldhub.shipments.choices import (
    ACTIVE_STATUSES,
    ANSWER_STATUS,
    OUTCOME_STATUSES,
    PARTY_ROLES,
    Answer,
    Outcome,
    ShipmentStatus,
    VerificationStatus,
)
from shieldhub.shipments.models import Shipment, ShipmentCountry, ShipmentLine, ShipmentVerification

SHIPMENT_FIELDS = (
    "exporting_country",
    "importing_country",
    "national_reference",
    "declared_end_use",
    "planned_dispatch",
    "planned_arrival",
    "transport_mode",
    "documents",
)
CHILDREN = ("lines", "route", *PARTY_ROLES)
MAX_LINES = 100


# --- validation of the parts ---------------------------------------------------------------------


def build_line(data: dict[str, Any], *, line: int = 1) -> ShipmentLine:
    """A ShipmentLine (unsaved) with its kilograms computed by the seizures' rules."""
    try:
        goods = build_goods_line(
            {
                "catalogue_item": data.get("catalogue_item"),
                "hs_code": data.get("hs_code"),
                "declared_description": data.get("description"),
                "quantity": data.get("quantity"),
                "unit": data.get("unit"),
                "concentration": data.get("concentration"),
                "density": data.get("density"),
            },
            line=line,
        )
    except ValidationError as exc:
        raise ValidationError({"lines": exc.message_dict.get("goods", exc.messages)}) from None
    return ShipmentLine(
        position=line,
        catalogue_item=goods.catalogue_item,
        hs_code=goods.hs_code,
        description=goods.declared_description,
        quantity=goods.quantity,
        unit=goods.unit,
        concentration=goods.concentration,
        density=goods.density,
        quantity_kg=goods.quantity_kg,
    )


def _route(value: Any) -> list[str]:
    """Transit countries, in order: ISO codes (or (code, "transit") pairs)."""
    codes: list[str] = []
    for item in value or []:
        code = str(item[0] if isinstance(item, list | tuple) else item).strip().upper()
        if not code:
            continue
        if code not in country_registry:
            raise ValidationError({"route": _("Unknown country code: %(codes)s.") % {"codes": code}})
        codes.append(code)
    return list(dict.fromkeys(codes))


def _party(value: Any, role: str) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = {"name": value}
    name = str(value.get("name") or "").strip()
    if not name:
        return None
    country = str(value.get("country") or "").strip().upper()
    if country and country not in country_registry:
        raise ValidationError({role: _("Unknown country code: %(codes)s.") % {"codes": country}})
    return {"name": name[:300], "country": country, "identifiers": value.get("identifiers") or {}}


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("Enter a valid date.")})
    return parsed


def _country(value: Any, field: str) -> str:
    code = str(value or "").strip().upper()
    if code and code not in country_registry:
        raise ValidationError({field: _("Unknown country code: %(codes)s.") % {"codes": code}})
    return code


def _exporting_country(actor: Any, value: Any) -> str:
    code = _country(value, "exporting_country")
    own = user_country(actor)
    if has_perm(actor, Perm.SHIPMENT_VIEW_ALL):  # the analyst notifies on a country's behalf
        if not code:
            raise ValidationError({"exporting_country": _("Choose the exporting country.")})
        return code
    if not own:
        raise PermissionDenied
    if code and code != own:
        raise ValidationError({"exporting_country": _("You notify shipments from your own country only.")})
    return own


def _apply(shipment: Shipment, actor: Any, data: dict[str, Any]) -> None:
    unknown = set(data) - set(SHIPMENT_FIELDS) - set(CHILDREN)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key in SHIPMENT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "exporting_country":
            shipment.exporting_country = _exporting_country(actor, value)
        elif key == "importing_country":
            shipment.importing_country = _country(value, key)
        elif key in ("planned_dispatch", "planned_arrival"):
            setattr(shipment, key, _date(value, key))
        elif key == "transport_mode":
            if value and value not in Conveyance.values:
                raise ValidationError({key: _("Unknown transport mode.")})
            shipment.transport_mode = value or ""
        else:
            setattr(shipment, key, "" if value is None else str(value).strip())


def _validate(shipment: Shipment) -> None:
    if not shipment.importing_country:
        raise ValidationError({"importing_country": _("Choose the importing country.")})
    if str(shipment.importing_country) == str(shipment.exporting_country):
        raise ValidationError({"importing_country": _("The importing country differs from the exporting country.")})
    if shipment.planned_dispatch and shipment.planned_arrival and shipment.planned_arrival < shipment.planned_dispatch:
        raise ValidationError({"planned_arrival": _("The planned arrival cannot be before the dispatch.")})
    shipment.full_clean(exclude=["created_by", "exporter", "importer", "consignee", "end_user", "seizure"])


class _Parts:
    """The validated children of a shipment, before they are written (None: keep what is there)."""

    def __init__(self, data: dict[str, Any], *, keep: bool = False) -> None:
        def given(key: str) -> bool:
            return key in data or not keep

        lines = list(data.get("lines") or [])
        if len(lines) > MAX_LINES:
            raise ValidationError({"lines": _("At most 100 goods lines.")})
        self.lines = [build_line(g, line=n) for n, g in enumerate(lines, start=1)] if given("lines") else None
        self.route = _route(data.get("route")) if given("route") else None
        self.parties = {role: _party(data.get(role), role) for role in PARTY_ROLES if given(role)}


def _write_children(shipment: Shipment, actor: Any, parts: _Parts) -> None:
    if parts.lines is not None:
        shipment.lines.all().delete()
        for line in parts.lines:
            line.shipment = shipment
        ShipmentLine.objects.bulk_create(parts.lines)
        kgs = [line.quantity_kg for line in parts.lines if line.quantity_kg is not None]
        shipment.total_kg = sum(kgs, Decimal(0)) if kgs else None
    if parts.route is not None:
        shipment.route.all().delete()
        ShipmentCountry.objects.bulk_create(
            [ShipmentCountry(shipment=shipment, country=c, role=RouteRole.TRANSIT, position=i)
             for i, c in enumerate(parts.route)]
        )  # fmt: skip
    defaults = {"exporter": shipment.exporting_country, "importer": shipment.importing_country,
                "consignee": shipment.importing_country, "end_user": shipment.importing_country}  # fmt: skip
    for role, party in parts.parties.items():
        entity = None
        if party is not None:
            entity, _created = entity_find_or_create(
                actor=actor, name=party["name"], country=party["country"] or str(defaults[role]),
                identifiers=party["identifiers"],
            )  # fmt: skip
        setattr(shipment, role, entity)


def _search_text(shipment: Shipment) -> str:
    words = [shipment.reference, shipment.national_reference, shipment.declared_end_use[:2000]]
    words += [entity.name for _role, entity in shipment.parties()]
    for line in shipment.lines.select_related("catalogue_item"):
        words.append(line.description)
        words.append(line.hs_code)
        if line.catalogue_item is not None:
            words += [line.catalogue_item.name_en, line.catalogue_item.name_fr]
    return fold(" ".join(w for w in words if w))


def shipment_snapshot(shipment: Shipment) -> dict[str, Any]:
    """The whole shipment as JSON (for the audit's changes)."""
    data: dict[str, Any] = jsonable({k: getattr(shipment, k) for k in SHIPMENT_FIELDS})
    for role in PARTY_ROLES:
        entity = getattr(shipment, role)
        data[role] = None if entity is None else {"entity": entity.pk, "name": entity.name,
                                                  "country": str(entity.country)}  # fmt: skip
    data["route"] = [str(c.country.code) for c in shipment.route.all()] if shipment.pk else []
    data["lines"] = [
        jsonable({"catalogue_item": g.catalogue_item_id, "hs_code": g.hs_code, "description": g.description,
                  "quantity": g.quantity, "unit": g.unit, "quantity_kg": g.quantity_kg})
        for g in shipment.lines.all()
    ] if shipment.pk else []  # fmt: skip
    return data


def _finish(shipment: Shipment) -> None:
    shipment.search_text = _search_text(shipment)
    shipment.save()


# --- access helpers -------------------------------------------------------------------------------


def _visible(actor: Any, shipment: Shipment) -> Shipment:
    """The shipment, locked, if the actor may see it (404 otherwise)."""
    from shieldhub.shipments.selectors import shipment_get

    shipment_get(user=actor, pk=shipment.pk)
    return Shipment.objects.select_for_update().get(pk=shipment.pk)


def _require_exporting_side(actor: Any, shipment: Shipment) -> None:
    require(actor, Perm.SHIPMENT_NOTIFY)
    if not shipment_is_exporting_side(actor, shipment):
        raise PermissionDenied


# --- create, edit, notify -------------------------------------------------------------------------


@transaction.atomic
def shipment_create(*, actor: Any, data: dict[str, Any]) -> Shipment:
    """A new draft notification, from the actor's country (the analyst: from the country chosen)."""
    require(actor, Perm.SHIPMENT_NOTIFY)
    shipment = Shipment(created_by=actor, status=ShipmentStatus.DRAFT)
    _apply(shipment, actor, {"exporting_country": "", **data})
    _validate(shipment)
    parts = _Parts(data)
    shipment.save()
    _write_children(shipment, actor, parts)
    _finish(shipment)
    audit_record(
        actor=actor, action="shipments.shipment_create", obj=shipment, changes=diff(None, shipment_snapshot(shipment)),
        extra={"lines": len(parts.lines or [])},
    )  # fmt: skip
    return shipment


@transaction.atomic
def shipment_update(*, actor: Any, shipment: Shipment, data: dict[str, Any]) -> Shipment:
    """Edit a draft (parts not given are kept)."""
    shipment = _visible(actor, shipment)
    _require_exporting_side(actor, shipment)
    if shipment.status != ShipmentStatus.DRAFT:
        raise ValidationError(_("Only a draft is edited; a notified shipment is fixed."))
    before = shipment_snapshot(shipment)
    _apply(shipment, actor, data)
    _validate(shipment)
    parts = _Parts(data, keep=True)
    shipment.updated_at = timezone.now()
    shipment.version += 1
    _write_children(shipment, actor, parts)
    _finish(shipment)
    audit_record(
        actor=actor, action="shipments.shipment_update", obj=shipment,
        changes=diff(before, shipment_snapshot(shipment)), extra={"version": shipment.version},
    )  # fmt: skip
    return shipment


def _notify_after_commit(shipment: Shipment) -> None:
    from shieldhub.shipments import tasks

    pk = shipment.pk
    transaction.on_commit(lambda: tasks.shipment_notified.enqueue(shipment_id=pk))


@transaction.atomic
def shipment_notify(*, actor: Any, shipment: Shipment, deadline: dt.date | None = None) -> Shipment:
    """Send the notification: the importing country is asked to verify it by the deadline
    (default: 10 working days), and its NCPs are emailed once the transaction commits."""
    shipment = _visible(actor, shipment)
    _require_exporting_side(actor, shipment)
    if shipment.status != ShipmentStatus.DRAFT:
        raise ValidationError(_("This shipment has already been notified."))
    _validate(shipment)
    errors: dict[str, Any] = {}
    if not shipment.lines.exists():
        errors["lines"] = _("Add at least one goods line before notifying.")
    if shipment.exporter_id is None:
        errors["exporter"] = _("Name the exporter before notifying.")
    if shipment.consignee_id is None and shipment.importer_id is None:
        errors["consignee"] = _("Name the consignee or the importer before notifying.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    deadline = _date(deadline, "deadline") if deadline else default_deadline(today)
    assert deadline is not None
    if deadline <= today:
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    now = timezone.now()
    shipment.status = ShipmentStatus.NOTIFIED
    shipment.notified_at = now
    shipment.notified_by = actor
    shipment.updated_at = now
    shipment.save(update_fields=["status", "notified_at", "notified_by", "updated_at"])
    verification = ShipmentVerification.objects.create(
        shipment=shipment, importing_country=shipment.importing_country, deadline=deadline
    )
    summaries.touch(shipment.notified_at)
    audit_record(
        actor=actor, action="shipments.shipment_notify", obj=shipment,
        changes={"status": [ShipmentStatus.DRAFT, ShipmentStatus.NOTIFIED]},
        extra={"importing_country": str(shipment.importing_country), "deadline": deadline,
               "verification": verification.pk},
    )  # fmt: skip
    _notify_after_commit(shipment)
    return shipment


# --- the importing country's answer ---------------------------------------------------------------


@transaction.atomic
def verification_answer(*, actor: Any, shipment: Shipment, answer: str, reason: str = "") -> ShipmentVerification:
    """An importing NCP confirms the consignee and end use, objects (the shipment should be stopped,
    with the reason), or confirms with concerns (with the reason). A late answer is still taken."""
    shipment = _visible(actor, shipment)
    require(actor, Perm.SHIPMENT_USE)
    if not shipment_is_importing_side(actor, shipment):
        raise PermissionDenied
    verification = ShipmentVerification.objects.select_for_update().filter(shipment=shipment).first()
    if verification is None or verification.status not in (VerificationStatus.OPEN, VerificationStatus.OVERDUE):
        raise ValidationError(_("This verification is not awaiting an answer."))
    if shipment.status not in (ShipmentStatus.NOTIFIED, ShipmentStatus.OVERDUE):
        raise ValidationError(_("This verification is not awaiting an answer."))
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Choose an answer.")})
    reason = (reason or "").strip()
    if answer != Answer.CONFIRMED and not reason:
        raise ValidationError({"reason": _("Give the reason for an objection or a concern.")})
    if len(reason) > 5000:
        raise ValidationError({"reason": _("The reason is at most 5,000 characters long.")})
    before = shipment.status
    now = timezone.now()
    verification.status = VerificationStatus.ANSWERED
    verification.answer = answer
    verification.reason = reason
    verification.answered_by = actor
    verification.answered_at = now
    verification.save()
    shipment.status = ANSWER_STATUS[Answer(answer)]
    shipment.updated_at = now
    shipment.save(update_fields=["status", "updated_at"])
    summaries.touch(shipment.notified_at)
    audit_record(
        actor=actor, action="shipments.verification_answer", obj=shipment,
        changes={"status": [before, shipment.status]},
        extra={"answer": answer, "reason": reason, "late": verification.answered_late},
    )  # fmt: skip
    return verification


# --- outcome and withdrawal -----------------------------------------------------------------------


@transaction.atomic
def shipment_outcome(*, actor: Any, shipment: Shipment, outcome: str, seizure: Any = None, note: str = "") -> Shipment:
    """Record what became of the shipment (delivered, stopped, seized), linking a seizure record the
    actor may see. The exporting side or the importing country's NCPs record it; it closes the
    shipment (and its verification, if still open). A closed shipment's outcome may be recorded again."""
    from shieldhub.seizures.selectors import incident_get

    shipment = _visible(actor, shipment)
    if not (shipment_is_exporting_side(actor, shipment) or shipment_is_importing_side(actor, shipment)):
        raise PermissionDenied
    if shipment.status not in OUTCOME_STATUSES:
        raise ValidationError(_("An outcome is recorded for a notified shipment only."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    incident = None
    if seizure not in (None, ""):
        if outcome != Outcome.SEIZED:
            raise ValidationError({"seizure": _("A seizure record is linked to a seized shipment only.")})
        try:
            incident = incident_get(user=actor, pk=getattr(seizure, "pk", seizure))
        except Exception:  # Http404: not visible, or no such record — say so, never which
            raise ValidationError({"seizure": _("No seizure record with this number that you may see.")}) from None
        if incident.status == "draft" and incident.created_by_id != actor.pk:
            raise ValidationError({"seizure": _("No seizure record with this number that you may see.")})
    before = {"status": shipment.status, "outcome": shipment.outcome, "seizure": shipment.seizure_id}
    now = timezone.now()
    shipment.outcome = outcome
    shipment.outcome_note = (note or "").strip()[:5000]
    shipment.seizure = incident
    shipment.outcome_at = now
    shipment.outcome_by = actor
    shipment.status = ShipmentStatus.CLOSED
    shipment.updated_at = now
    shipment.save()
    ShipmentVerification.objects.filter(shipment=shipment, status=VerificationStatus.OPEN).update(
        status=VerificationStatus.WITHDRAWN
    )
    summaries.touch(shipment.notified_at)
    after = {"status": shipment.status, "outcome": outcome, "seizure": shipment.seizure_id}
    audit_record(
        actor=actor, action="shipments.shipment_outcome", obj=shipment, changes=diff(before, after),
        extra={"note": shipment.outcome_note},
    )  # fmt: skip
    return shipment


@transaction.atomic
def shipment_withdraw(*, actor: Any, shipment: Shipment, note: str) -> Shipment:
    """The exporting side withdraws a notification (the shipment will not take place)."""
    shipment = _visible(actor, shipment)
    _require_exporting_side(actor, shipment)
    if shipment.status not in ACTIVE_STATUSES:
        raise ValidationError(_("Only a notified shipment can be withdrawn."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the notification is withdrawn.")})
    before = shipment.status
    shipment.status = ShipmentStatus.WITHDRAWN
    shipment.outcome_note = note[:5000]
    shipment.updated_at = timezone.now()
    shipment.save(update_fields=["status", "outcome_note", "updated_at"])
    ShipmentVerification.objects.filter(
        shipment=shipment, status__in=[VerificationStatus.OPEN, VerificationStatus.OVERDUE]
    ).update(status=VerificationStatus.WITHDRAWN)
    summaries.touch(shipment.notified_at)
    audit_record(
        actor=actor, action="shipments.shipment_withdraw", obj=shipment,
        changes={"status": [before, ShipmentStatus.WITHDRAWN]}, extra={"note": note},
    )  # fmt: skip
    return shipment


@transaction.atomic
def shipment_delete_draft(*, actor: Any, shipment: Shipment) -> None:
    """A draft may be thrown away by the exporting side (nobody else has seen it)."""
    shipment = _visible(actor, shipment)
    _require_exporting_side(actor, shipment)
    if shipment.status != ShipmentStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; withdraw a notified shipment."))
    pk = shipment.pk
    audit_record(
        actor=actor, action="shipments.shipment_delete", obj=shipment, changes=diff(shipment_snapshot(shipment), None)
    )
    shipment.delete()
    shipment.pk = pk

"""The data-quality score of a record: the share of the recommended fields that are filled in,
with a prompt for each one that is missing. Pure: it reads the record and its lines as given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shieldhub.seizures.choices import IncidentType, RouteRole

NARRATIVE_MIN = 100

# key → the prompt shown when it is missing
PROMPTS: dict[str, Promise] = {
    "office_name": _("Name the customs office or place."),
    "location_type": _("Say what kind of place it was (seaport, airport, land border…)."),
    "direction": _("Give the direction of the goods (import, export, transit, domestic)."),
    "detection_method": _("Say how the goods were detected."),
    "conveyance": _("Give the means of transport."),
    "concealment": _("Describe the concealment method (or write “none”)."),
    "route_departure": _("Add the country of departure."),
    "route_destination": _("Add the country of destination."),
    "goods": _("Add at least one goods line."),
    "goods_kg": _("Give every quantity in a unit that converts to kilograms (a density for liquids)."),
    "goods_concentration": _("Give the concentration of each chemical."),
    "goods_actual_hs": _("Give the actual HS code of each goods line."),
    "parties": _("Name at least one company involved (consignor, consignee…)."),
    "narrative": _("Write a narrative of at least 100 characters: what happened, how it was found."),
    "national_reference": _("Give the national reference number of the case."),
}
# Fields that make no sense for a type of incident are not asked for.
_NOT_APPLICABLE: dict[str, frozenset[str]] = {
    IncidentType.MANUFACTURE: frozenset(
        {"direction", "conveyance", "concealment", "route_departure", "route_destination"}
    ),
    IncidentType.THEFT: frozenset({"direction", "concealment", "route_departure", "route_destination"}),
    IncidentType.SUSPICIOUS_ORDER: frozenset({"detection_method", "concealment", "conveyance"}),
}


@dataclass(frozen=True)
class Quality:
    score: int
    missing: list[str]


def assess(incident: Any, *, goods: Sequence[Any], parties: Sequence[Any], route: Sequence[tuple[str, str]]) -> Quality:
    """`goods` are GoodsLine-like objects (catalogue_item, quantity_kg, concentration, actual_hs);
    `route` is (country, role) pairs."""
    skip = _NOT_APPLICABLE.get(incident.incident_type, frozenset())
    roles = {role for _code, role in route}
    chemicals = [g for g in goods if g.catalogue_item is not None and g.catalogue_item.category == "precursor"]
    weighable = [g for g in goods if g.unit != "pcs"]  # detonators and fuses are counted, not weighed
    checks = {
        "office_name": bool(incident.office_name.strip()),
        "location_type": bool(incident.location_type),
        "direction": bool(incident.direction),
        "detection_method": bool(incident.detection_method),
        "conveyance": bool(incident.conveyance) and incident.conveyance != "unknown",
        "concealment": bool(incident.concealment.strip()),
        "route_departure": RouteRole.DEPARTURE in roles,
        "route_destination": RouteRole.DESTINATION in roles,
        "goods": bool(goods),
        "goods_kg": bool(goods) and all(g.quantity_kg is not None for g in weighable),
        "goods_concentration": bool(goods) and all(g.concentration is not None for g in chemicals),
        "goods_actual_hs": bool(goods) and all(g.actual_hs for g in goods),
        "parties": bool(parties),
        "narrative": len(incident.narrative.strip()) >= NARRATIVE_MIN,
        "national_reference": bool(incident.national_reference.strip()),
    }
    applicable = [k for k in checks if k not in skip]
    missing = [k for k in applicable if not checks[k]]
    score = round(100 * (len(applicable) - len(missing)) / len(applicable)) if applicable else 100
    return Quality(score=score, missing=missing)


def prompts(missing: Sequence[str]) -> list[str]:
    return [str(PROMPTS[k]) for k in missing if k in PROMPTS]

"""Demo data for operations (called by `events/demo.py`).

`core.demo_data._demo_operations` already made two operation groups in the exchange (this year's
West Africa group, running, with two operational reports; last year's East Africa group, archived).
Here each gets its proper operation, adopting the group rather than creating a second one:

- the running one in its active phase, with its pre-operational meeting (held) and its
  post-operational meeting (planned), and three seizure records reported under it by Nigeria,
  France and Morocco (so the results board and the final report have figures);
- last year's one closed, with the lessons recorded at its post-operational meeting.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shieldhub.events import operations


def _group(slug: str) -> Any:
    from shieldhub.directory.models import Community

    return Community.objects.filter(kind="operation", slug=slug).first()


def load(users: dict[str, Any], events: dict[str, Any]) -> None:
    from shieldhub.reference.models import CatalogueItem

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    if "ammonium-nitrate" not in catalogue:
        return
    today = timezone.localdate()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    analyst, assistant = users["analyst@demo.example"], users["assistant@demo.example"]
    precursors = [
        catalogue[c].pk for c in ("ammonium-nitrate", "hydrogen-peroxide", "potassium-chlorate") if c in catalogue
    ]

    west = _group(f"ogs-{today.year}-west-africa")
    if west is not None:
        active = operations.operation_create(
            actor=analyst,
            group=west,
            data={
                "code": f"ogs-{today.year}-west-africa",
                "title_en": west.name,
                "title_fr": west.name_fr,
                "goals_en": "Targeted controls on ammonium nitrate, hydrogen peroxide and chlorates entering West "
                "African ports and land borders; report every seizure under the operation and every detection "
                "through the group's operational form.",
                "goals_fr": "Contrôles ciblés du nitrate d'ammonium, du peroxyde d'hydrogène et des chlorates "
                "entrant dans les ports et aux frontières terrestres d'Afrique de l'Ouest ; chaque saisie est "
                "déclarée sous l'opération, chaque détection par le formulaire opérationnel du groupe.",
                "countries": list(west.countries or ["NG", "FR", "MA"]),
                "precursors": precursors,
                "starts_on": west.starts_on,
                "ends_on": west.ends_on,
                "pre_meeting": {
                    "starts_at": now - dt.timedelta(days=14),
                    "ends_at": now - dt.timedelta(days=14) + dt.timedelta(hours=3),
                    "online_url": "https://meet.example.org/ogs-pre",
                },
                "post_meeting": {
                    "starts_at": now + dt.timedelta(days=35),
                    "ends_at": now + dt.timedelta(days=35, hours=6),
                    "venue_name": "WCO headquarters, Brussels",
                },
            },
        )
        for phase in ("pre_meeting", "active"):
            operations.operation_phase_change(actor=assistant, operation=active, phase=phase)
        _seizures(users, catalogue, active, today)

    east = _group(f"ogs-{today.year - 1}-east-africa")
    if east is not None and east.starts_on and east.ends_on:
        post = timezone.make_aware(dt.datetime.combine(east.ends_on + dt.timedelta(days=14), dt.time(9, 0)))
        closed = operations.operation_create(
            actor=assistant,
            group=east,
            data={
                "code": f"ogs-{today.year - 1}-east-africa",
                "title_en": east.name,
                "title_fr": east.name_fr,
                "goals_en": "Detonators and safety fuses diverted from mining in East Africa.",
                "goals_fr": "Détonateurs et mèches de sûreté détournés du secteur minier en Afrique de l'Est.",
                "countries": list(east.countries or ["KE"]),
                "precursors": [catalogue[c].pk for c in ("electric-detonators", "safety-fuses") if c in catalogue],
                "starts_on": east.starts_on,
                "ends_on": east.ends_on,
                "post_meeting": {"starts_at": post, "ends_at": post + dt.timedelta(hours=5)},
                "lessons_en": "Mining licences should be shared with customs before the operation: half of the "
                "detonator consignments stopped were for licensed mines. Use the operational form from day one.",
                "lessons_fr": "Les licences minières devraient être communiquées aux douanes avant l'opération : "
                "la moitié des envois de détonateurs arrêtés étaient destinés à des mines autorisées. Utiliser "
                "le formulaire opérationnel dès le premier jour.",
            },
        )
        for phase in ("active", "post_meeting", "closed"):
            operations.operation_phase_change(actor=assistant, operation=closed, phase=phase)


_REPORTS = [
    # country, office, goods code, kg, days into the active phase, national reference
    ("ng", "Tin Can Island port, Lagos", "ammonium-nitrate", "18000", 5, "NG-OGS-0001"),
    ("fr", "Le Havre port", "potassium-chlorate", "1200", 3, "FR-OGS-0007"),
    ("ma", "Tanger Med port", "hydrogen-peroxide", "850", 6, "MA-OGS-0003"),
]


def _seizures(users: dict[str, Any], catalogue: dict[str, Any], operation: Any, today: dt.date) -> None:
    """Three records reported under the running operation, through the seizure services."""
    from shieldhub.exchange.services import Distribution
    from shieldhub.seizures import services as seizures

    for country, office, code, kg, days, reference in _REPORTS:
        ncp = users.get(f"ncp.{country}@demo.example")
        if ncp is None or code not in catalogue:
            continue
        occurred = min(operation.starts_on + dt.timedelta(days=days), today)
        incident = seizures.incident_create(
            actor=ncp,
            data={
                "incident_type": "seizure",
                "occurred_on": occurred,
                "office_name": office,
                "location_type": "seaport",
                "direction": "import",
                "detection_method": "risk_profiling",
                "conveyance": "vessel",
                "national_reference": reference,
                "operation": operation.community_id,
                "narrative": f"Reported under {operation.event.title_en}: {catalogue[code].name_en.lower()} "
                "found after risk profiling of the manifest.",
                "goods": [{"catalogue_item": catalogue[code].pk, "quantity": Decimal(kg), "unit": "kg"}],
            },
        )
        seizures.incident_submit(
            actor=ncp, incident=incident, distribution=Distribution(communities=[operation.community_id])
        )

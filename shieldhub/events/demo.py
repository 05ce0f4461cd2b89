"""Demo data for events and operations, in order: events and agendas, invitations and nominations,
registrations and what follows them, operations (called by `core.demo_data`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone

from shieldhub.events import demo_invitations, demo_operations, demo_registrations, services


def _at(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))


def _speakers(actor: Any, countries: list[str]) -> list[Any]:
    """One person of the directory per country (its primary NCP when there is one)."""
    from shieldhub.directory import selectors as directory

    found = []
    for code in countries:
        person = directory.person_list(user=actor, filters={"country": code, "role": "primary"}).first()
        person = person or directory.person_list(user=actor, filters={"country": code}).first()
        if person is not None:
            found.append(person)
    return found


def _agenda(actor: Any, event: Any, rows: list[tuple[Any, ...]]) -> None:
    """rows: (day index, "HH:MM", minutes, title EN, title FR, room, speakers, moderators)."""
    zone = event.time_zone
    first = event.starts_at.astimezone(zoneinfo.ZoneInfo(zone)).date()
    for day, start, minutes, title_en, title_fr, room, speakers, moderators in rows:
        hour, minute = (int(p) for p in start.split(":"))
        begins = _at(first + dt.timedelta(days=day), hour, minute, zone)
        services.session_create(
            actor=actor, event=event,
            data={"title_en": title_en, "title_fr": title_fr, "starts_at": begins,
                  "ends_at": begins + dt.timedelta(minutes=minutes), "room": room,
                  "speakers": sorted({x.pk for x in speakers if x is not None}),
                  "moderators": sorted({x.pk for x in moderators if x is not None})},
        )  # fmt: skip


def load_events(users: dict[str, Any]) -> dict[str, Any]:
    """The demo events and their agendas, by a short key (e.g. "conference", "training")."""
    assistant = users["assistant@demo.example"]
    coordinator = users["coordinator@demo.example"]
    trainer = users["trainer@demo.example"]
    today = timezone.localdate()
    people = _speakers(coordinator, ["FR", "KE", "NG", "MA", "IN", "BR", "JO", "ID"])
    p: list[Any] = (people * 8)[:8] if people else [None] * 8  # enough names even if a country is missing

    # The global PGS conference: announced, two bilingual days in Brussels with interpretation.
    day1 = today + dt.timedelta(days=45 - today.weekday())  # a Monday, about six weeks ahead
    conference = services.event_create(
        actor=assistant,
        data={
            "kind": "conference",
            "title_en": "Programme Global Shield Conference",
            "title_fr": "Conférence du Programme Global Shield",
            "description_en": "The yearly meeting of the Programme's National Contact Points, partners and donors: "
            "results of the year, emerging precursors and the priorities for the next operations.",
            "description_fr": "La réunion annuelle des points de contact nationaux, des partenaires et des "
            "donateurs du Programme : résultats de l'année, nouveaux précurseurs et priorités des prochaines "
            "opérations.",
            "starts_at": _at(day1, 9, 0, "Europe/Brussels"),
            "ends_at": _at(day1 + dt.timedelta(days=1), 17, 30, "Europe/Brussels"),
            "time_zone": "Europe/Brussels",
            "venue_name": "World Customs Organization",
            "venue_address": "Rue du Marché 30\n1210 Brussels",
            "venue_country": "BE",
            "rooms": ["Plenary hall", "Room Spaak", "Room Monnet"],
            "languages": ["en", "fr"],
            "interpretation": True,
            "capacity": 180,
            "reply_by": day1 - dt.timedelta(days=21),
            "funding_terms_en": "The Programme covers travel and accommodation for one delegate per NCP country.",
            "funding_terms_fr": "Le Programme prend en charge le voyage et l'hébergement d'un délégué par pays.",
            "organisers": [assistant.pk, coordinator.pk],
        },
    )
    conference = services.event_set_status(actor=assistant, event=conference, status="announced")
    _agenda(assistant, conference, [
        (0, "09:00", 45, "Opening and welcome", "Ouverture et accueil", "Plenary hall", [p[0]], []),
        (0, "09:45", 75, "The year in seizures: results of the Programme", "L'année en saisies : résultats du Programme",
         "Plenary hall", [p[1], p[2]], [p[0]]),
        (0, "11:30", 90, "Emerging precursors and designer chemicals", "Précurseurs émergents et produits sur mesure",
         "Plenary hall", [p[3], p[4]], [p[1]]),
        (0, "14:00", 90, "Breakout: risk profiling of air cargo", "Atelier : profilage du risque du fret aérien",
         "Room Spaak", [p[5]], [p[2]]),
        (0, "14:00", 90, "Breakout: online marketplaces", "Atelier : places de marché en ligne", "Room Monnet",
         [p[6]], [p[3]]),
        (0, "16:00", 60, "Reports from the breakouts", "Restitution des ateliers", "Plenary hall", [p[2], p[6]], []),
        (1, "09:00", 90, "Operations: lessons from the last year", "Opérations : enseignements de l'année",
         "Plenary hall", [p[7], p[0]], [p[4]]),
        (1, "11:00", 90, "Working with industry and partners", "Travailler avec l'industrie et les partenaires",
         "Plenary hall", [p[1], p[5]], [p[6]]),
        (1, "14:00", 120, "Priorities for the coming year", "Priorités pour l'année à venir", "Plenary hall",
         [p[0]], [p[7]]),
        (1, "16:30", 60, "Conclusions and closing", "Conclusions et clôture", "Plenary hall", [p[0]], []),
    ])  # fmt: skip

    # A training in French and English, open for nominations, in Casablanca.
    start = today + dt.timedelta(days=28 - today.weekday() + 1)  # a Tuesday, about four weeks ahead
    training = services.event_create(
        actor=trainer,
        data={
            "kind": "training",
            "title_en": "Regional training on the identification of chemical precursors",
            "title_fr": "Formation régionale à l'identification des précurseurs chimiques",
            "description_en": "Three days of practice for front-line officers: field test kits, risk indicators, "
            "safe handling and sampling, and the exchange of alerts through the Global Shield Hub.",
            "description_fr": "Trois jours de pratique pour les agents de terrain : trousses de détection, "
            "indicateurs de risque, manipulation et prélèvement en sécurité, et l'échange d'alertes par le "
            "Global Shield Hub.",
            "starts_at": _at(start, 9, 0, "Africa/Casablanca"),
            "ends_at": _at(start + dt.timedelta(days=2), 16, 0, "Africa/Casablanca"),
            "time_zone": "Africa/Casablanca",
            "venue_name": "Centre de formation de l'Administration des douanes",
            "venue_address": "Avenue Annakhil, Hay Riad\nRabat",
            "venue_country": "MA",
            "rooms": ["Salle 1", "Laboratoire"],
            "languages": ["fr", "en"],
            "interpretation": True,
            "capacity": 24,
            "reply_by": start - dt.timedelta(days=10),
            "funding_terms_en": "Travel, accommodation and a daily allowance are funded for two officers per country.",
            "funding_terms_fr": "Le voyage, l'hébergement et une indemnité journalière sont pris en charge pour deux "
            "agents par pays.",
            "training_topic": "Identification of chemical precursors",
            "organisers": [trainer.pk, assistant.pk],
        },
    )
    training = services.event_set_status(actor=trainer, event=training, status="nominations_open")
    _agenda(trainer, training, [
        (0, "09:00", 60, "Welcome and objectives", "Accueil et objectifs", "Salle 1", [p[3]], []),
        (0, "10:15", 105, "Precursors under control: the essentials", "Les précurseurs sous contrôle : l'essentiel",
         "Salle 1", [p[0]], [p[3]]),
        (0, "14:00", 120, "Risk indicators in documents and cargo", "Indicateurs de risque dans les documents et le fret",
         "Salle 1", [p[1]], []),
        (1, "09:00", 180, "Field test kits: practical session", "Trousses de détection : séance pratique",
         "Laboratoire", [p[3], p[0]], []),
        (1, "14:00", 120, "Safe handling and sampling", "Manipulation et prélèvement en sécurité", "Laboratoire",
         [p[2]], []),
        (2, "09:00", 120, "Sharing alerts through the Hub", "Partager les alertes par le Hub", "Salle 1", [p[0]], []),
        (2, "11:30", 90, "Case study and evaluation", "Étude de cas et évaluation", "Salle 1", [p[1]], [p[3]]),
    ])  # fmt: skip

    # A webinar (online only).
    web_day = today + dt.timedelta(days=10)
    webinar = services.event_create(
        actor=assistant,
        data={
            "kind": "webinar",
            "title_en": "Webinar: precursors sold on online marketplaces",
            "title_fr": "Webinaire : les précurseurs vendus sur les places de marché en ligne",
            "description_en": "How precursors are offered online and what customs can do about it.",
            "description_fr": "Comment les précurseurs sont proposés en ligne et ce que les douanes peuvent faire.",
            "starts_at": _at(web_day, 13, 0, "UTC"),
            "ends_at": _at(web_day, 14, 30, "UTC"),
            "time_zone": "UTC",
            "online_url": "https://meet.example.org/global-shield-webinar",
            "languages": ["en", "fr"],
            "interpretation": True,
            "capacity": 300,
            "organisers": [assistant.pk],
        },
    )
    webinar = services.event_set_status(actor=assistant, event=webinar, status="announced")
    _agenda(assistant, webinar, [
        (0, "13:00", 40, "What is sold and where", "Ce qui est vendu et où", "", [p[6]], [p[0]]),
        (0, "13:40", 50, "Questions and answers", "Questions et réponses", "", [p[6], p[4]], [p[0]]),
    ])  # fmt: skip

    # A workshop held last month in Nairobi.
    held_day = today - dt.timedelta(days=30 + today.weekday())
    workshop = services.event_create(
        actor=trainer,
        data={
            "kind": "workshop",
            "title_en": "East Africa workshop on precursor risk profiling",
            "title_fr": "Atelier Afrique de l'Est sur le profilage du risque des précurseurs",
            "description_en": "Profiling shipments of precursors with the Programme's risk indicators.",
            "description_fr": "Profiler les envois de précurseurs avec les indicateurs de risque du Programme.",
            "starts_at": _at(held_day, 9, 0, "Africa/Nairobi"),
            "ends_at": _at(held_day + dt.timedelta(days=1), 16, 0, "Africa/Nairobi"),
            "time_zone": "Africa/Nairobi",
            "venue_name": "Kenya School of Revenue Administration",
            "venue_address": "Times Tower\nNairobi",
            "venue_country": "KE",
            "rooms": ["Training room 3"],
            "languages": ["en"],
            "capacity": 20,
            "training_topic": "Risk profiling of precursor shipments",
            "organisers": [trainer.pk],
        },
    )
    workshop = services.event_set_status(actor=trainer, event=workshop, status="announced")
    _agenda(trainer, workshop, [
        (0, "09:00", 180, "Risk indicators in practice", "Les indicateurs de risque en pratique", "Training room 3",
         [p[1]], []),
        (0, "14:00", 120, "Profiling exercise", "Exercice de profilage", "Training room 3", [p[2]], [p[1]]),
        (1, "09:00", 180, "Country presentations", "Présentations des pays", "Training room 3", [p[1], p[2]], []),
    ])  # fmt: skip
    workshop = services.event_set_status(actor=trainer, event=workshop, status="held")

    # A draft meeting of the secretariat.
    meeting_day = today + dt.timedelta(days=70)
    meeting = services.event_create(
        actor=coordinator,
        data={
            "kind": "meeting",
            "title_en": "Steering committee meeting",
            "title_fr": "Réunion du comité de pilotage",
            "description_en": "Draft: agenda to be agreed with the donors.",
            "description_fr": "Projet : ordre du jour à convenir avec les donateurs.",
            "starts_at": _at(meeting_day, 14, 0, "Europe/Brussels"),
            "ends_at": _at(meeting_day, 17, 0, "Europe/Brussels"),
            "time_zone": "Europe/Brussels",
            "venue_name": "World Customs Organization",
            "venue_country": "BE",
            "online_url": "https://meet.example.org/steering",
            "languages": ["en"],
            "organisers": [coordinator.pk],
        },
    )
    return {
        "conference": conference,
        "training": training,
        "webinar": webinar,
        "workshop_held": workshop,
        "meeting_draft": meeting,
    }


def load(users: dict[str, Any]) -> None:
    events = load_events(users)
    demo_invitations.load(users, events)
    demo_registrations.load(users, events)
    demo_operations.load(users, events)

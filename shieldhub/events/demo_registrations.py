"""Demo data for registrations (called by `events/demo.py` after the invitations' demo).

- "workshop_held" (a past workshop): approved participants checked in (per session, or for the whole
  event when it has no agenda), certificates issued (which writes the training records), several
  evaluations; plus two training records entered by hand (trainings held outside the hub).
- "training" (upcoming): the invitations' demo already nominated officers (pending registrations);
  here the secretariat registers a few more by hand, approves some and puts one on the waiting list.
Everything goes through the services (audited) and is skipped when already loaded or when the event
is missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shieldhub.events import certificates, evaluations, participants, registrations, training
from shieldhub.events.choices import RegistrationStatus
from shieldhub.events.models import Registration, TrainingRecord

WORKSHOP_PEOPLE = [
    ("Aïcha", "Bello", "NG", "female", "Nigeria Customs Service", "en"),
    ("Samuel", "Okafor", "NG", "male", "Nigeria Customs Service", "en"),
    ("Wanjiru", "Mwangi", "KE", "female", "Kenya Revenue Authority – Customs", "en"),
    ("Youssef", "El Idrissi", "MA", "male", "Administration des douanes et impôts indirects", "fr"),
    ("Camille", "Bernard", "FR", "female", "Direction générale des douanes et droits indirects", "fr"),
    ("Priya", "Nair", "IN", "female", "Central Board of Indirect Taxes and Customs", "en"),
    ("Rafael", "Souza", "BR", "male", "Receita Federal do Brasil", "en"),
    ("Dewi", "Santoso", "ID", "female", "Directorate General of Customs and Excise", "en"),
]
EVALUATIONS: list[dict[str, Any]] = [
    {"overall": 5, "content": 5, "trainers": 4, "materials": 4, "organisation": 5,
     "best": "The hands-on session with the field test kits.", "improve": "More time for the case studies."},
    {"overall": 4, "content": 4, "trainers": 5, "materials": 3, "organisation": 4,
     "best": "Exchanging with colleagues from other regions."},
    {"overall": 4, "content": 5, "trainers": 4, "materials": 4, "organisation": 3,
     "improve": "Send the materials in French before the workshop."},
    {"overall": 3, "content": 4, "trainers": 4, "materials": 3, "organisation": 4},
    {"overall": 5, "content": 4, "trainers": 5, "materials": 5, "organisation": 5,
     "best": "Risk indicators for precursor shipments."},
]  # fmt: skip
TRAINING_EXTRA = [
    ("Fatima", "Zahra", "MA", "female", "fr", RegistrationStatus.APPROVED),
    ("Omar", "Haddad", "JO", "male", "en", RegistrationStatus.APPROVED),
    ("Ana", "Lima", "BR", "female", "en", RegistrationStatus.WAITING),
    ("Rahul", "Verma", "IN", "male", "en", RegistrationStatus.PENDING),
]


def load(users: dict[str, Any], events: dict[str, Any]) -> None:
    assistant = users.get("assistant@demo.example")
    if assistant is None:
        return
    workshop = events.get("workshop_held")
    if workshop is not None and not Registration.objects.filter(event=workshop).exists():
        _workshop(assistant, workshop)
    upcoming = events.get("training")
    if upcoming is not None and not Registration.objects.filter(event=upcoming, nominated_by=None).exists():
        _training(assistant, upcoming)
    if not TrainingRecord.objects.filter(event=None).exists():
        _manual_records(assistant)


def _workshop(assistant: Any, event: Any) -> None:
    sessions = list(event.sessions.all())
    regs = []
    for i, (given, family, country, gender, org, lang) in enumerate(WORKSHOP_PEOPLE):
        reg = registrations.registration_create(
            actor=assistant,
            event=event,
            data={
                "given_name": given,
                "family_name": family,
                "country": country,
                "gender": gender,
                "organisation_name": org,
                "language": lang,
                "position": "Customs officer",
            },
        )
        registrations.registration_approve(actor=assistant, registration=reg)
        regs.append(reg)
        if i == len(WORKSHOP_PEOPLE) - 1:
            continue  # the last one did not come
        targets = sessions[: len(sessions) - (i % 2)] if sessions else [None]
        for session in targets or [None]:
            participants.attendance_record(actor=assistant, registration=reg, session=session, method="list")
    certificates.certificates_issue(actor=assistant, event=event)
    for reg, answers in zip(regs, EVALUATIONS, strict=False):
        evaluations.evaluation_submit(actor=None, registration=reg, data=answers)


def _training(assistant: Any, event: Any) -> None:
    for given, family, country, gender, lang, status in TRAINING_EXTRA:
        reg = registrations.registration_create(
            actor=assistant,
            event=event,
            data={
                "given_name": given,
                "family_name": family,
                "country": country,
                "gender": gender,
                "language": lang,
                "position": "Customs officer",
            },
        )
        if status == RegistrationStatus.APPROVED:
            registrations.registration_approve(actor=assistant, registration=reg)
        elif status == RegistrationStatus.WAITING:
            registrations.registration_wait(actor=assistant, registration=reg)


def _manual_records(assistant: Any) -> None:
    day = timezone.localdate() - dt.timedelta(days=120)
    for name, country, gender, agency in (
        ("Moussa Diop", "SN", "male", "Direction générale des douanes du Sénégal"),
        ("Grace Achieng", "KE", "female", "Kenya Revenue Authority – Customs"),
    ):
        training.training_record_create(
            actor=assistant,
            data={
                "full_name": name,
                "country": country,
                "gender": gender,
                "agency": agency,
                "topic": "Precursor identification (national training)",
                "trained_on": day,
                "trainer": "WCO regional training centre",
            },
        )

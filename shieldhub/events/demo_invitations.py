"""Demo data for invitations (called by `events/demo.py`): the default letter templates; for the
demo training, invitations to the NCPs of West and Central Africa (letters generated, sent; Nigeria
nominated two officers, one with passport details; one administration declined); for the
conference, invitations to the demo NCPs' administrations (five sent, awaiting answers; the others
prepared, to show a letter before sending)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test.utils import override_settings

from shieldhub.directory import selectors as directory
from shieldhub.events import invitations, letters, nominations

DEMO_COUNTRIES = ("fr", "ke", "ng", "ma", "in", "br", "jo", "id")
TRAINING_REGION = "WCA"
TRAINING_MAX = 5  # letters are rendered (Word and PDF) for each: keep the demo quick
CONFERENCE_SENT = ("FR", "KE", "MA", "NG", "JO")  # the others stay prepared


def _send_quietly(actor: Any, items: list[Any]) -> None:
    # The demo's emails would print their attachments to the console: keep them in memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for invitation in items:
            if invitation.recipient.email:
                invitations.invitation_send(actor=actor, invitation=invitation)


def load(users: dict[str, Any], events: dict[str, Any]) -> None:
    letters.letter_templates_ensure_defaults()
    assistant = users.get("assistant@demo.example")
    if assistant is None:
        return
    training = events.get("training")
    if training is not None and not training.invitations.exists():
        _training(users, assistant, training)
    conference = events.get("conference")
    if conference is not None and not conference.invitations.exists():
        _conference(users, assistant, conference)


def _training(users: dict[str, Any], assistant: Any, training: Any) -> None:
    candidates = invitations.invitation_candidates(user=assistant, event=training, region=TRAINING_REGION)
    ng_user = users.get("ncp.ng@demo.example")
    picked = [c for c in candidates if c.country == "NG"] + [c for c in candidates if c.country != "NG"]
    created = invitations.invitation_create_from_selection(
        actor=assistant, event=training, candidates=picked[:TRAINING_MAX], seats=2
    )
    _send_quietly(assistant, created)
    sent = [i for i in created if i.recipient.email]
    nigeria = next((i for i in sent if i.country == "NG"), None)
    if nigeria is not None and ng_user is not None:
        nigeria.refresh_from_db()
        nominations.nomination_submit(
            actor=ng_user,
            invitation=nigeria,
            participants=[
                {
                    "title": "Mr",
                    "given_name": "Chinedu",
                    "family_name": "Okafor",
                    "position": "Senior Superintendent of Customs",
                    "organisation_name": "Nigeria Customs Service",
                    "email": "c.okafor@customs.example",
                    "gender": "male",
                    "language": "en",
                    "funding_requested": True,
                    "passport_name_in_passport": "OKAFOR CHINEDU",
                    "passport_number": "A07654321",
                    "passport_nationality": "NG",
                },
                {
                    "title": "Ms",
                    "given_name": "Aisha",
                    "family_name": "Bello",
                    "position": "Deputy Comptroller, Enforcement",
                    "organisation_name": "Nigeria Customs Service",
                    "email": "a.bello@customs.example",
                    "gender": "female",
                    "language": "en",
                    "dietary_needs": "Halal",
                    "funding_requested": True,
                },
            ],
        )
    other = next((i for i in sent if i.country != "NG"), None)
    if other is not None:
        other.refresh_from_db()
        with transaction.atomic():
            nominations._decline(  # the demo answers as the link holder would
                other,
                "Our officers are committed to a national operation on these dates.",
                nominations.Answer(by_link=True),
            )


def _conference(users: dict[str, Any], assistant: Any, conference: Any) -> None:
    accounts = [users[f"ncp.{c}@demo.example"].pk for c in DEMO_COUNTRIES if f"ncp.{c}@demo.example" in users]
    people = list(directory.person_list(user=assistant).filter(user__in=accounts).values_list("pk", flat=True))
    candidates = invitations.invitation_candidates(user=assistant, event=conference, people=people)
    created = invitations.invitation_create_from_selection(
        actor=assistant, event=conference, candidates=candidates, seats=3
    )
    _send_quietly(assistant, [i for i in created if i.country in CONFERENCE_SENT])

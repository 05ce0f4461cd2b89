"""Registrations: approval by the secretariat, capacity and waiting list, promotion on withdrawal
(with the email), rejection with a note, registering by hand, audit entries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from shieldhub.core.models import AuditEntry
from shieldhub.events import registrations
from shieldhub.events.models import PassportDetails, Registration
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(assistant):
    return EventFactory(capacity=2, created_by=assistant)


def test_approving_beyond_capacity_puts_on_the_waiting_list(assistant, event):
    regs = [RegistrationFactory(event=event) for _ in range(3)]
    for r in regs:
        registrations.registration_approve(actor=assistant, registration=r)
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == ["approved", "approved", "waiting"]
    assert AuditEntry.objects.filter(action="events.registration_approve").count() == 3


def test_withdrawal_promotes_the_first_on_the_waiting_list_and_tells_them(
    assistant, event, django_capture_on_commit_callbacks
):
    a, b = RegistrationFactory(event=event), RegistrationFactory(event=event)
    first = RegistrationFactory(event=event, email="first@example.org", language="fr")
    second = RegistrationFactory(event=event, email="second@example.org")
    for r in (a, b, first, second):
        registrations.registration_approve(actor=assistant, registration=r)
    assert Registration.objects.get(pk=second.pk).status == "waiting"
    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_withdraw(actor=assistant, registration=a)
    assert Registration.objects.get(pk=a.pk).status == "withdrawn"
    assert Registration.objects.get(pk=first.pk).status == "approved"
    assert Registration.objects.get(pk=second.pk).status == "waiting"
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    assert "Formation à la détection" in mail.outbox[0].subject  # the event title in their language
    assert AuditEntry.objects.filter(action="events.registration_promote", object_id=str(first.pk)).exists()


def test_withdrawing_a_pending_registration_promotes_nobody(assistant, event):
    a = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waiting")
    registrations.registration_withdraw(actor=assistant, registration=a)
    assert Registration.objects.get(pk=waiting.pk).status == "waiting"


def test_reject_keeps_the_note_and_a_withdrawn_participant_cannot_be_approved(assistant, event):
    r = RegistrationFactory(event=event)
    registrations.registration_reject(actor=assistant, registration=r, note="No funding left")
    r.refresh_from_db()
    assert (r.status, r.decision_note, r.decided_by) == ("rejected", "No funding left", assistant)
    w = RegistrationFactory(event=event, status="withdrawn")
    with pytest.raises(ValidationError):
        registrations.registration_approve(actor=assistant, registration=w)


def test_only_managers_decide_and_ncps_withdraw_their_own_country_only(ncp_fr, ncp_ke, analyst, event):
    r = RegistrationFactory(event=event, country="FR")
    for user in (ncp_fr, analyst):
        with pytest.raises(PermissionDenied):
            registrations.registration_approve(actor=user, registration=r)
    with pytest.raises(PermissionDenied):
        registrations.registration_withdraw(actor=ncp_ke, registration=r)
    registrations.registration_withdraw(actor=ncp_fr, registration=r)
    assert Registration.objects.get(pk=r.pk).status == "withdrawn"


def test_register_by_hand_from_the_directory_and_free_entry(assistant, event, ncp_fr):
    person = ncp_fr.person if hasattr(ncp_fr, "person") else None
    from shieldhub.directory.models import Person

    person = Person.objects.get(user=ncp_fr)
    r = registrations.registration_create(actor=assistant, event=event, data={"gender": "female"}, person=person)
    assert (r.given_name, r.family_name, str(r.country), r.user) == ("Claire", "Martin", "FR", ncp_fr)
    assert r.organisation_name.startswith("Direction générale")
    free = registrations.registration_create(
        actor=assistant,
        event=event,
        data={"given_name": "Amina", "family_name": "Diallo", "country": "sn", "gender": "female"},
        passport={"name_in_passport": "DIALLO AMINA", "number": "A1234567", "nationality": "SN",
                  "delete_after": "2030-01-01"},
    )  # fmt: skip
    assert str(free.country) == "SN" and free.status == "pending"
    assert PassportDetails.objects.get(registration=free).number == "A1234567"
    assert len(free.badge_code) >= 16 and free.badge_code != r.badge_code
    with pytest.raises(ValidationError):
        registrations.registration_create(actor=assistant, event=event, data={"given_name": "X", "country": "FR"})

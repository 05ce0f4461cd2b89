"""Submitting a record tells the recipients recorded at submission: reference, type, reporting country
and a link, in each person's language, after commit, once — never the record's detail or persons."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from shieldhub.seizures import tasks
from shieldhub.seizures.models import IncidentRecipient
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ncp_fr2(db, europe):
    user = UserFactory(email="ncp2.fr@test.example", roles=["ncp"], full_name="Paul Durand", country="FR", mfa=False)
    MembershipFactory(community=europe, user=user)
    return user


def test_recipients_are_told_after_commit_without_detail(
    ncp_fr, ncp_fr2, ncp_de, ncp_ke, europe, make, django_capture_on_commit_callbacks
):
    ncp_ke.language = "fr"
    ncp_ke.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = make(ncp_fr, submit=True, communities=[europe], countries=["KE"])
    recorded = set(IncidentRecipient.objects.filter(incident=incident).values_list("user__email", flat=True))
    assert {ncp_de.email, ncp_ke.email} <= recorded
    by_address = {m.to[0]: m for m in mail.outbox}
    # not the submitter, nor the reporting country's own NCPs (a community put one on the recipients)
    assert set(by_address) == {ncp_de.email, ncp_ke.email}
    german = by_address[ncp_de.email]
    assert incident.reference in german.subject and "France" in german.subject
    assert "Seizure" in german.body and f"/seizures/{incident.pk}/" in german.body
    for message in mail.outbox:
        text = (message.subject + message.body).lower()
        for secret in ("le havre", "fr-lh-2026-0042", "karim", "benali", "urea", "gulf agro", "ammonium"):
            assert secret not in text, secret
    with translation.override("fr"):
        french_type = str(incident.get_incident_type_display())
    assert french_type in by_address[ncp_ke.email].body
    assert IncidentRecipient.objects.filter(incident=incident, notified_at__isnull=True).count() == 0


def test_the_task_is_idempotent(ncp_fr, ncp_de, europe, make):
    incident = make(ncp_fr, submit=True, communities=[europe])  # on_commit not run: nobody told yet
    mail.outbox.clear()
    assert tasks.incident_submitted.call(incident_id=incident.pk) == 1
    assert tasks.incident_submitted.call(incident_id=incident.pk) == 0
    assert [m.to for m in mail.outbox] == [[ncp_de.email]]


def test_nothing_is_sent_for_a_record_shared_with_nobody(ncp_fr, make, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = make(ncp_fr, submit=True)
    assert mail.outbox == [] and not IncidentRecipient.objects.filter(incident=incident).exists()


def test_an_inactive_recipient_is_not_told(ncp_fr, ncp_de, europe, make):
    incident = make(ncp_fr, submit=True, communities=[europe])
    ncp_de.is_active = False
    ncp_de.save()
    mail.outbox.clear()
    assert tasks.incident_submitted.call(incident_id=incident.pk) == 0
    assert mail.outbox == []

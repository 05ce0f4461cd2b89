"""The events rules of the access policy: who sees which event, invitation and registration."""

from __future__ import annotations

import pytest

from shieldhub.core.access import events_visible_q, passport_visible, registrations_visible_q
from shieldhub.events.models import Event, Registration
from tests.events.factories import EventFactory, InvitationFactory, RegistrationFactory


def _events(user) -> set[int]:
    return set(Event.objects.filter(events_visible_q(user)).values_list("pk", flat=True))


@pytest.mark.django_db
def test_ncp_sees_events_of_their_country_invitation_not_drafts_or_others(
    assistant, ncp_fr, ncp_ke, donor, outsider, partner_interpol
):
    invited = EventFactory()
    InvitationFactory(event=invited, country="FR")
    prepared_only = EventFactory()
    InvitationFactory(event=prepared_only, country="FR", status="draft")
    draft = EventFactory(status="draft")
    InvitationFactory(event=draft, country="FR")
    other = EventFactory()
    InvitationFactory(event=other, country="KE")

    assert _events(ncp_fr) == {invited.pk}
    assert _events(ncp_ke) == {other.pk}
    assert _events(assistant) == {invited.pk, prepared_only.pk, draft.pk, other.pk}
    assert _events(donor) == set()
    assert _events(outsider) == set()
    assert _events(partner_interpol) == set()


@pytest.mark.django_db
def test_registered_user_sees_the_event_and_ncp_sees_own_country_registrations(ncp_fr, ncp_ke, partner_interpol):
    event = EventFactory()
    mine = RegistrationFactory(event=event, country="DE", user=partner_interpol)
    french = RegistrationFactory(event=event, country="FR")
    RegistrationFactory(event=event, country="KE")

    assert _events(partner_interpol) == {event.pk}
    assert set(Registration.objects.filter(registrations_visible_q(partner_interpol))) == {mine}
    assert set(Registration.objects.filter(registrations_visible_q(ncp_fr))) == {french}
    assert _events(ncp_fr) == {event.pk}  # their country has a participant


@pytest.mark.django_db
def test_passport_details_only_for_coordinator_and_assistant(coordinator, assistant, analyst, trainer, ncp_fr):
    assert passport_visible(coordinator) and passport_visible(assistant)
    assert not any(passport_visible(u) for u in (analyst, trainer, ncp_fr))

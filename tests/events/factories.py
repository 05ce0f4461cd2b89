"""Factories for events tests (shared by the events test modules)."""

from __future__ import annotations

import datetime as dt
import secrets

import factory
from django.utils import timezone

from shieldhub.events.models import Event, Invitation, Registration, Session
from tests.factories import PersonFactory, UserFactory


def _start() -> dt.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=30)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    kind = "training"
    status = "nominations_open"
    title_en = factory.Sequence(lambda n: f"Precursor detection training {n}")
    title_fr = factory.Sequence(lambda n: f"Formation à la détection des précurseurs {n}")
    starts_at = factory.LazyFunction(_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(days=2, hours=8))
    time_zone = "Europe/Brussels"
    venue_name = "WCO headquarters"
    languages = ["en", "fr"]
    capacity = 20
    created_by = factory.SubFactory(UserFactory, roles=["assistant"])


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title_en = factory.Sequence(lambda n: f"Session {n}")
    title_fr = factory.Sequence(lambda n: f"Séance {n}")
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.event.starts_at + dt.timedelta(hours=2))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    country = "FR"
    recipient = factory.SubFactory(PersonFactory, country="FR")
    language = "fr"
    status = "sent"
    sent_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("event.created_by")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    country = "FR"
    gender = "female"
    status = "pending"
    badge_code = factory.LazyFunction(lambda: secrets.token_urlsafe(12))

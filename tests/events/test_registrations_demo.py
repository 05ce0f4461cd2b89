"""The registrations demo: attendance, certificates, training records and evaluations for the held
workshop; pending, approved and waiting registrations for the training; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shieldhub.events import demo_registrations
from shieldhub.events.models import Certificate, EvaluationResponse, Registration, TrainingRecord
from tests.events.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_demo_loads_once(assistant, trainer):
    start = timezone.now() - dt.timedelta(days=40)
    workshop = EventFactory(kind="workshop", status="held", starts_at=start, ends_at=start + dt.timedelta(days=1))
    workshop.organisers.add(trainer)
    SessionFactory(event=workshop)
    SessionFactory(event=workshop, starts_at=start + dt.timedelta(hours=3), ends_at=start + dt.timedelta(hours=5))
    upcoming = EventFactory(capacity=2)
    users = {"assistant@demo.example": assistant}
    events = {"workshop_held": workshop, "training": upcoming, "conference": None}
    for _ in range(2):
        demo_registrations.load(users, events)
    assert Certificate.objects.filter(registration__event=workshop).count() == 7
    assert TrainingRecord.objects.filter(event=workshop).count() == 7
    assert TrainingRecord.objects.filter(event=None).count() == 2
    assert EvaluationResponse.objects.filter(event=workshop).count() == 5
    statuses = sorted(Registration.objects.filter(event=upcoming).values_list("status", flat=True))
    assert statuses == ["approved", "approved", "pending", "waiting"]
    demo_registrations.load(users, {})  # missing events are skipped

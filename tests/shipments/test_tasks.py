"""Reminders two working days before the deadline, overdue marking, one escalation to the
coordinators (each idempotent), and the response rates per importing country."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.exchange.deadlines import add_working_days
from shieldhub.shipments import selectors, services, tasks
from shieldhub.shipments.models import ShipmentVerification

pytestmark = pytest.mark.django_db


def _set_deadline(shipment, deadline):
    ShipmentVerification.objects.filter(shipment=shipment).update(deadline=deadline)


def test_reminder_once_two_working_days_before(ncp_fr, ncp_ke, ncp_ke2, ncp_de, make):
    today = timezone.localdate()
    due = make(ncp_fr, notify=True)
    later = make(ncp_fr, notify=True)
    answered = make(ncp_fr, notify=True)
    _set_deadline(due, add_working_days(today, 2))
    _set_deadline(answered, add_working_days(today, 1))
    services.verification_answer(actor=ncp_ke, shipment=answered, answer="confirmed")
    _set_deadline(later, add_working_days(today, 5))
    mail.outbox.clear()
    assert tasks.verification_send_reminders.call() == 2  # the two Kenyan NCPs, for one shipment
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ncp_ke.email, ncp_ke2.email])
    assert all(due.reference in m.subject for m in mail.outbox)
    assert ShipmentVerification.objects.get(shipment=due).reminded_at is not None
    mail.outbox.clear()
    assert tasks.verification_send_reminders.call() == 0 and mail.outbox == []


def test_overdue_and_one_escalation(ncp_fr, ncp_ke, coordinator, analyst, make):
    today = timezone.localdate()
    late = make(ncp_fr, notify=True)
    on_time = make(ncp_fr, notify=True)
    _set_deadline(late, today - dt.timedelta(days=1))
    mail.outbox.clear()
    assert tasks.verification_mark_overdue.call() == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.status == "overdue" and late.verification.status == "overdue"
    assert late.verification.escalated_at is not None
    assert on_time.status == "notified" and on_time.verification.status == "open"
    assert [m.to for m in mail.outbox] == [[coordinator.email]]  # the coordinators only
    assert late.reference in mail.outbox[0].subject and "Nairobi" not in mail.outbox[0].body
    actions = set(AuditEntry.objects.filter(object_id=str(late.pk)).values_list("action", flat=True))
    assert {"shipments.verification_overdue", "shipments.verification_escalate"} <= actions
    mail.outbox.clear()
    assert tasks.verification_mark_overdue.call() == 0 and mail.outbox == []  # idempotent
    # a late answer is still taken, and counted as late
    services.verification_answer(actor=ncp_ke, shipment=late, answer="confirmed_with_concerns", reason="Odd route")
    late.refresh_from_db()
    assert late.status == "confirmed_with_concerns" and late.verification.answered_late


def test_response_rates(ncp_fr, ncp_ke, analyst, coordinator, ncp_de, make):
    today = timezone.localdate()
    on_time = make(ncp_fr, notify=True)
    services.verification_answer(actor=ncp_ke, shipment=on_time, answer="confirmed")
    late = make(ncp_fr, notify=True)
    _set_deadline(late, today - dt.timedelta(days=3))
    tasks.verification_mark_overdue.call()
    services.verification_answer(actor=ncp_ke, shipment=late, answer="confirmed")
    never = make(ncp_fr, notify=True)
    _set_deadline(never, today - dt.timedelta(days=3))
    make(ncp_fr, notify=True)  # pending
    withdrawn = make(ncp_fr, notify=True)
    services.shipment_withdraw(actor=ncp_fr, shipment=withdrawn, note="Cancelled")
    from tests.factories import UserFactory

    ncp_ng = UserFactory(email="ncp.ng@test.example", roles=["ncp"], country="NG")
    to_nigeria = make(ncp_fr, notify=True, importing_country="NG")
    services.verification_answer(actor=ncp_ng, shipment=to_nigeria, answer="confirmed")
    rows = {r.country: r for r in selectors.response_rates(user=analyst)}
    kenya = rows["KE"]
    assert (kenya.requests, kenya.on_time, kenya.late, kenya.never, kenya.pending) == (3, 1, 1, 1, 1)
    assert kenya.rate == 33 and rows["NG"].rate == 100
    assert [r.country for r in selectors.response_rates(user=ncp_ke)] == ["KE"]  # an NCP: own country
    assert selectors.response_rates(user=ncp_de) == []
    assert [r.country for r in selectors.response_rates(user=coordinator)] == ["KE", "NG"]


def test_response_rates_page(login, analyst, ncp_fr, ncp_ke, make):
    shipment = make(ncp_fr, notify=True)
    services.verification_answer(actor=ncp_ke, shipment=shipment, answer="confirmed")
    content = login(analyst).get("/shipments/response-rates/").content.decode()
    assert "Kenya" in content and "100 %" in content

"""The shipment services: drafts, notification (verification and emails), answers, outcomes,
withdrawal — validated, permission-checked and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shieldhub.core.models import AuditEntry
from shieldhub.entities.models import Entity
from shieldhub.exchange.deadlines import default_deadline
from shieldhub.shipments import selectors, services
from shieldhub.shipments.models import ShipmentVerification

pytestmark = pytest.mark.django_db


def _actions(shipment):
    return list(
        AuditEntry.objects.filter(object_type="shipments.shipment", object_id=str(shipment.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_create_a_draft_with_parties_lines_and_route(ncp_fr, make, catalogue):
    shipment = make(ncp_fr)
    assert shipment.status == "draft" and str(shipment.exporting_country) == "FR"
    assert shipment.exporter.name == "Chimie du Rhône SA" and str(shipment.exporter.country) == "FR"
    # the importer and the consignee are the same company: one entity, defaulting to the importing country
    assert shipment.importer_id == shipment.consignee_id
    assert str(shipment.consignee.country) == "KE" and shipment.consignee.identifiers == {"registration": "KE-PVT-4411"}
    line = shipment.lines.get()
    assert line.quantity_kg == Decimal("24000.000") and shipment.total_kg == Decimal("24000.000")
    assert selectors.shipment_route(shipment) == ["FR", "EG", "TZ", "KE"]
    assert _actions(shipment) == ["shipments.shipment_create"]
    assert "nairobi agro" in shipment.search_text


def test_validation(ncp_fr, analyst, make, catalogue):
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, importing_country="FR")
    assert "importing_country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, exporting_country="KE")
    assert "exporting_country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, lines=[{"hs_code": "3102.30", "quantity": "5", "unit": "furlongs"}])
    assert "lines" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, planned_arrival=dt.date(2026, 1, 1))
    assert "planned_arrival" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make(analyst, exporting_country="")  # the analyst chooses the country
    assert "exporting_country" in exc.value.message_dict
    assert str(make(analyst, exporting_country="IN").exporting_country) == "IN"


def test_who_may_notify(make, coordinator, donor, partner_interpol):
    for user in (coordinator, donor, partner_interpol):
        with pytest.raises(PermissionDenied):
            make(user, exporting_country="FR")


def test_update_a_draft_only(ncp_fr, ncp_ke, make):
    shipment = make(ncp_fr)
    services.shipment_update(actor=ncp_fr, shipment=shipment, data={"declared_end_use": "Mining explosives"})
    shipment.refresh_from_db()
    assert shipment.declared_end_use == "Mining explosives" and shipment.lines.count() == 1
    assert shipment.version == 2
    with pytest.raises(Http404):  # the importing country does not see a draft
        services.shipment_update(actor=ncp_ke, shipment=shipment, data={"declared_end_use": "x"})
    services.shipment_notify(actor=ncp_fr, shipment=shipment)
    with pytest.raises(ValidationError):
        services.shipment_update(actor=ncp_fr, shipment=shipment, data={"declared_end_use": "y"})


def test_notify_creates_the_verification_and_emails_the_importing_ncps(
    ncp_fr, ncp_ke, ncp_ke2, ncp_de, make, django_capture_on_commit_callbacks
):
    shipment = make(ncp_fr)
    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_notify(actor=ncp_fr, shipment=shipment)
    shipment.refresh_from_db()
    assert shipment.status == "notified" and shipment.notified_by == ncp_fr
    verification = shipment.verification
    assert verification.status == "open" and str(verification.importing_country) == "KE"
    assert verification.deadline == default_deadline(dt.date.today())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ncp_ke2.email, ncp_ke.email])  # not the German NCP
    english = next(m for m in mail.outbox if m.to == [ncp_ke.email])
    french = next(m for m in mail.outbox if m.to == [ncp_ke2.email])
    assert shipment.reference in english.subject and "please verify" in english.subject
    assert f"/shipments/{shipment.pk}/" in english.body
    assert "Nairobi" not in english.body and "Ammonium" not in english.body  # a link, never the content
    assert french.subject != english.subject
    assert _actions(shipment)[-1] == "shipments.shipment_notify"


def test_notify_needs_lines_and_parties(ncp_fr, make):
    shipment = make(ncp_fr, lines=[], consignee=None, importer=None)
    with pytest.raises(ValidationError) as exc:
        services.shipment_notify(actor=ncp_fr, shipment=shipment)
    assert {"lines", "consignee"} <= set(exc.value.message_dict)
    shipment = make(ncp_fr)
    with pytest.raises(ValidationError) as exc:
        services.shipment_notify(actor=ncp_fr, shipment=shipment, deadline=dt.date(2020, 1, 1))
    assert "deadline" in exc.value.message_dict
    services.shipment_notify(actor=ncp_fr, shipment=shipment)
    with pytest.raises(ValidationError):
        services.shipment_notify(actor=ncp_fr, shipment=shipment)


@pytest.mark.parametrize(
    ("answer", "status"),
    [("confirmed", "confirmed"), ("objected", "objected"), ("confirmed_with_concerns", "confirmed_with_concerns")],
)
def test_the_importing_ncp_answers(ncp_fr, ncp_ke, make, answer, status):
    shipment = make(ncp_fr, notify=True)
    reason = "" if answer == "confirmed" else "The end user is not registered with the ministry."
    verification = services.verification_answer(actor=ncp_ke, shipment=shipment, answer=answer, reason=reason)
    shipment.refresh_from_db()
    assert shipment.status == status and verification.status == "answered" and verification.answered_by == ncp_ke
    entry = AuditEntry.objects.filter(action="shipments.verification_answer", object_id=str(shipment.pk)).get()
    assert entry.extra["answer"] == answer and entry.extra["reason"] == reason
    with pytest.raises(ValidationError):  # answered once
        services.verification_answer(actor=ncp_ke, shipment=shipment, answer="confirmed")


def test_an_objection_or_concern_needs_a_reason(ncp_fr, ncp_ke, make):
    shipment = make(ncp_fr, notify=True)
    for answer in ("objected", "confirmed_with_concerns"):
        with pytest.raises(ValidationError) as exc:
            services.verification_answer(actor=ncp_ke, shipment=shipment, answer=answer, reason="  ")
        assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.verification_answer(actor=ncp_ke, shipment=shipment, answer="maybe")


def test_only_the_importing_country_answers(ncp_fr, ncp_ke, ncp_de, analyst, coordinator, make):
    shipment = make(ncp_fr, notify=True)
    for user in (ncp_fr, analyst, coordinator):
        with pytest.raises(PermissionDenied):
            services.verification_answer(actor=user, shipment=shipment, answer="confirmed")
    with pytest.raises(Http404):
        services.verification_answer(actor=ncp_de, shipment=shipment, answer="confirmed")
    assert ShipmentVerification.objects.get(shipment=shipment).status == "open"


def test_outcome_seized_links_a_seizure_the_actor_may_see(ncp_fr, ncp_ke, ncp_de, make):
    from tests.seizures.conftest import record_data

    shipment = make(ncp_fr, notify=True)
    services.verification_answer(actor=ncp_ke, shipment=shipment, answer="objected", reason="Unknown consignee")
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.seizures import services as seizures

    catalogue = {c.code: c for c in CatalogueItem.objects.all()}
    theirs = seizures.incident_submit(actor=ncp_de, incident=seizures.incident_create(
        actor=ncp_de, data=record_data(catalogue)))  # fmt: skip
    with pytest.raises(ValidationError) as exc:  # a German record the French NCP may not see
        services.shipment_outcome(actor=ncp_fr, shipment=shipment, outcome="seized", seizure=theirs.pk)
    assert "seizure" in exc.value.message_dict
    ours = seizures.incident_submit(actor=ncp_fr, incident=seizures.incident_create(
        actor=ncp_fr, data=record_data(catalogue)))  # fmt: skip
    with pytest.raises(ValidationError):  # a seizure belongs to a seized shipment only
        services.shipment_outcome(actor=ncp_fr, shipment=shipment, outcome="delivered", seizure=ours.pk)
    services.shipment_outcome(actor=ncp_fr, shipment=shipment, outcome="seized", seizure=ours.pk, note="Le Havre")
    shipment.refresh_from_db()
    assert shipment.status == "closed" and shipment.outcome == "seized" and shipment.seizure_id == ours.pk
    assert shipment.verification.answer == "objected"
    entry = AuditEntry.objects.filter(action="shipments.shipment_outcome", object_id=str(shipment.pk)).get()
    assert entry.changes["seizure"] == [None, ours.pk]
    assert list(ours.shipments.all()) == [shipment]


def test_outcome_and_withdrawal_permissions(ncp_fr, ncp_ke, coordinator, make):
    shipment = make(ncp_fr, notify=True)
    with pytest.raises(PermissionDenied):  # the coordinator reads, does not write
        services.shipment_outcome(actor=coordinator, shipment=shipment, outcome="delivered")
    with pytest.raises(PermissionDenied):
        services.shipment_withdraw(actor=ncp_ke, shipment=shipment, note="x")
    with pytest.raises(ValidationError):
        services.shipment_withdraw(actor=ncp_fr, shipment=shipment, note=" ")
    services.shipment_withdraw(actor=ncp_fr, shipment=shipment, note="The order was cancelled.")
    shipment.refresh_from_db()
    assert shipment.status == "withdrawn" and shipment.verification.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.verification_answer(actor=ncp_ke, shipment=shipment, answer="confirmed")
    draft = make(ncp_fr)
    with pytest.raises(ValidationError):
        services.shipment_outcome(actor=ncp_fr, shipment=draft, outcome="delivered")
    other = make(ncp_fr, notify=True)
    services.shipment_outcome(actor=ncp_ke, shipment=other, outcome="delivered")  # the importing side may record it
    other.refresh_from_db()
    assert other.status == "closed" and other.verification.status == "withdrawn"


def test_delete_a_draft(ncp_fr, make):
    shipment = make(ncp_fr)
    pk = shipment.pk
    services.shipment_delete_draft(actor=ncp_fr, shipment=shipment)
    assert AuditEntry.objects.filter(action="shipments.shipment_delete", object_id=str(pk)).exists()
    notified = make(ncp_fr, notify=True)
    with pytest.raises(ValidationError):
        services.shipment_delete_draft(actor=ncp_fr, shipment=notified)


def test_entities_are_shared_with_seizures(ncp_fr, make):
    a = make(ncp_fr)
    b = make(ncp_fr, consignee={"name": "NAIROBI  agro supplies ltd"})
    assert a.consignee_id == b.consignee_id
    assert Entity.objects.filter(normalised_name__startswith="nairobi agro").count() == 1

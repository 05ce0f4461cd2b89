"""A seizure's related records: earlier seizures and shipments naming its companies (or a confirmed
"same as"), earlier messages on its route about its goods; each through its own access rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shieldhub.entities.models import Entity, EntityLink
from shieldhub.entities.selectors import related_to_incident
from shieldhub.exchange.models import Message

pytestmark = pytest.mark.django_db


def test_earlier_seizures_sharing_a_company(record, ncp_fr, ncp_ke, analyst, login):
    earlier = record(ncp_fr, "2026-01-10", ("Gulf Agro Trading LLC", "AE"), submit=True)
    other = record(ncp_fr, "2026-01-12", ("Someone Else", "AE"), submit=True)
    kenyan = record(ncp_ke, "2026-01-15", ("GULF AGRO TRADING L.L.C.", "AE"))  # Kenya's, not shared
    later = record(ncp_fr, "2026-05-01", ("Gulf Agro Trading", "AE"), submit=True)
    current = record(ncp_fr, "2026-03-14", ("Gulf Agro Trading LLC", "AE"), submit=True)
    found = related_to_incident(user=ncp_fr, incident=current)
    assert [r.pk for r in found.seizures] == [earlier.pk]  # not later, not unrelated, not Kenya's
    assert found.seizures[0].reasons == ["Gulf Agro Trading LLC"] and found.seizures[0].score > 100
    assert other.pk not in [r.pk for r in found.items] and later.pk not in [r.pk for r in found.items]
    assert kenyan.pk not in [r.pk for r in found.seizures]
    # the card on the seizure page
    page = login(ncp_fr).get(f"/seizures/{current.pk}/").content.decode()
    assert "Related earlier records" in page and earlier.reference in page and kenyan.reference not in page
    # the analyst sees Kenya's record once it is submitted
    from shieldhub.exchange.services import Distribution
    from shieldhub.seizures import services as seizures

    seizures.incident_submit(actor=ncp_ke, incident=kenyan, distribution=Distribution())
    assert kenyan.pk in [r.pk for r in related_to_incident(user=analyst, incident=current).seizures]
    assert kenyan.pk not in [r.pk for r in related_to_incident(user=ncp_fr, incident=current).seizures]


def test_confirmed_same_as_counts_for_both(record, ncp_fr):
    earlier = record(ncp_fr, "2026-01-10", ("Golf Agro Traders", "AE"), submit=True)
    current = record(ncp_fr, "2026-03-14", ("Gulf Agro Trading LLC", "AE"), submit=True)
    assert related_to_incident(user=ncp_fr, incident=current).seizures == []
    a = Entity.objects.get(normalised_name="gulf agro trading")
    b = Entity.objects.get(normalised_name="golf agro traders")
    link = EntityLink.objects.create(entity_a=min(a, b, key=lambda e: e.pk), entity_b=max(a, b, key=lambda e: e.pk),
                                     status="suggested", score=91)  # fmt: skip
    assert related_to_incident(user=ncp_fr, incident=current).seizures == []  # suggested is not enough
    link.status = "confirmed"
    link.save()
    assert [r.pk for r in related_to_incident(user=ncp_fr, incident=current).seizures] == [earlier.pk]


def test_earlier_messages_on_the_route_about_the_goods(record, send, ncp_fr, ncp_de, ncp_ke, catalogue):
    item = catalogue["ammonium-nitrate"].pk
    seen = send(ncp_de, users=[ncp_fr], involved=[("AE", "origin")], precursors=[item])
    route_only = send(ncp_de, users=[ncp_fr], involved=[("AE", "origin")], subject="Route only")
    elsewhere = send(ncp_de, users=[ncp_fr], involved=[("CN", "origin")], precursors=[item], subject="Elsewhere")
    not_mine = send(ncp_de, users=[ncp_ke], involved=[("AE", "origin")], precursors=[item], subject="For Kenya")
    late = send(ncp_de, users=[ncp_fr], involved=[("MA", "transit")], precursors=[item], subject="Too late")
    Message.objects.exclude(pk=late.pk).update(sent_at=timezone.make_aware(dt.datetime(2026, 2, 1, 9)))
    Message.objects.filter(pk=late.pk).update(sent_at=timezone.make_aware(dt.datetime(2026, 4, 1, 9)))
    current = record(ncp_fr, "2026-03-14", ("Gulf Agro Trading LLC", "AE"), submit=True)
    found = related_to_incident(user=ncp_fr, incident=current)
    assert [m.pk for m in found.messages] == [seen.pk]
    assert "United Arab Emirates" not in found.messages[0].reasons and "AE" in found.messages[0].reasons
    ids = {m.pk for m in found.messages}
    assert not ids & {route_only.pk, elsewhere.pk, not_mine.pk, late.pk}
    assert [m.pk for m in related_to_incident(user=ncp_ke, incident=current).messages] == []  # cannot see current


def test_nothing_for_a_withdrawn_record_received(record, ncp_fr, ncp_ke):
    record(ncp_fr, "2026-01-10", ("Gulf Agro Trading LLC", "AE"), submit=True, countries=["KE"])
    current = record(ncp_fr, "2026-03-14", ("Gulf Agro Trading LLC", "AE"), submit=True, countries=["KE"])
    assert related_to_incident(user=ncp_ke, incident=current).seizures
    from shieldhub.seizures import services as seizures

    seizures.incident_withdraw(actor=ncp_fr, incident=current, note="Entered twice")
    current.refresh_from_db()
    assert not related_to_incident(user=ncp_ke, incident=current)

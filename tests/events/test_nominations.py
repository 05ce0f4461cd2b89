"""Nominations by a signed-in NCP (page and API), refusals, passport details never shown to NCPs,
and the retention pass."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from shieldhub.core.audit import AuditEntry
from shieldhub.events import nominations
from shieldhub.events.models import PassportDetails, Registration
from tests.events.factories import EventFactory, InvitationFactory

pytestmark = pytest.mark.django_db

PASSPORT_NUMBER = "P9988776"


def _form(**extra):
    data = {
        "action": "nominate", "p-TOTAL_FORMS": "2", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "0", "p-MAX_NUM_FORMS": "2",
        "p-0-given_name": "Luc", "p-0-family_name": "Bernard", "p-0-email": "luc@douane.example", "p-0-language": "fr",
        "p-0-gender": "male", "p-0-position": "Inspecteur", "p-0-dietary_needs": "Végétarien",
        "p-0-passport_number": PASSPORT_NUMBER, "p-0-passport_nationality": "FR", "p-0-passport_name_in_passport": "BERNARD LUC",
        "p-1-given_name": "Sophie", "p-1-family_name": "Leroy", "p-1-email": "sophie@douane.example", "p-1-language": "fr",
        "p-1-funding_requested": "on",
    }  # fmt: skip
    data.update(extra)
    return data


def test_ncp_nominates_two_from_the_event_page_and_never_sees_passport_data(login, ncp_fr, assistant):
    event = EventFactory()
    inv = InvitationFactory(event=event, country="FR", seats=2)
    client = login(ncp_fr)
    detail = client.get(f"/events/{event.pk}/").content.decode()
    assert f"/events/invitations/{inv.pk}/nominate/" in detail and "Nominate participants" in detail
    response = client.post(f"/events/invitations/{inv.pk}/nominate/", _form())
    assert response.status_code == 200 and "have been received" in response.content.decode()
    regs = list(Registration.objects.order_by("family_name"))
    assert [(r.full_name, r.status, r.nominated_by) for r in regs] == [
        ("Luc Bernard", "pending", ncp_fr),
        ("Sophie Leroy", "pending", ncp_fr),
    ]
    assert regs[1].funding_requested and regs[0].dietary_needs == "Végétarien"
    passport = PassportDetails.objects.get()
    assert passport.registration == regs[0] and passport.number == PASSPORT_NUMBER
    end = timezone.localtime(event.ends_at, dt.UTC).date()
    assert abs((passport.delete_after - end).days - 90) <= 1
    inv.refresh_from_db()
    assert inv.status == "nominated"
    # The NCP sees the names, never the passport: not on the pages, not in the API.
    for url in (f"/events/{event.pk}/", f"/events/invitations/{inv.pk}/", f"/api/v1/events/invitations/{inv.pk}",
                f"/api/v1/events/{event.pk}/invitations"):  # fmt: skip
        body = client.get(url).content.decode()
        assert PASSPORT_NUMBER not in body and "BERNARD LUC" not in body, url
    assert "Luc Bernard" in client.get(f"/events/invitations/{inv.pk}/").content.decode()
    audit = AuditEntry.objects.get(action="events.invitation.nominate")
    assert PASSPORT_NUMBER not in json.dumps(audit.extra) + json.dumps(audit.changes)
    # Answered: the form is gone.
    assert client.get(f"/events/invitations/{inv.pk}/nominate/").status_code == 404


def test_more_participants_than_places_is_refused_and_values_kept(login, ncp_fr):
    inv = InvitationFactory(country="FR", seats=1)
    client = login(ncp_fr)
    response = client.post(
        f"/events/invitations/{inv.pk}/nominate/", _form(**{"p-TOTAL_FORMS": "2", "p-MAX_NUM_FORMS": "1"})
    )
    assert response.status_code == 400 and 'value="Bernard"' in response.content.decode()
    assert not Registration.objects.exists()


def test_passport_number_needs_a_nationality(login, ncp_fr):
    inv = InvitationFactory(country="FR", seats=2)
    response = login(ncp_fr).post(f"/events/invitations/{inv.pk}/nominate/", _form(**{"p-0-passport_nationality": ""}))
    assert response.status_code == 400 and "nationality" in response.content.decode()
    assert not Registration.objects.exists()


def test_ncp_of_another_country_gets_404(login, ncp_ke):
    inv = InvitationFactory(country="FR")
    client = login(ncp_ke)
    for url in (f"/events/invitations/{inv.pk}/", f"/events/invitations/{inv.pk}/nominate/",
                f"/events/invitations/{inv.pk}/letter.pdf", f"/api/v1/events/invitations/{inv.pk}"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    api = client.post(
        f"/api/v1/events/invitations/{inv.pk}/nominations",
        {"participants": [{"family_name": "X"}]},
        content_type="application/json",
    )
    assert api.status_code == 404 and not Registration.objects.exists()


def test_prepared_invitation_is_invisible_to_the_ncp(login, ncp_fr):
    inv = InvitationFactory(country="FR", status="draft", sent_at=None)
    assert login(ncp_fr).get(f"/events/invitations/{inv.pk}/").status_code == 404


def test_api_nominate_and_decline(login, ncp_fr):
    client = login(ncp_fr)
    inv = InvitationFactory(country="FR", seats=2)
    payload = {
        "participants": [
            {
                "family_name": "Roux",
                "given_name": "Marc",
                "email": "m@d.example",
                "passport_number": "X1",
                "passport_nationality": "FR",
            }
        ]
    }
    response = client.post(f"/api/v1/events/invitations/{inv.pk}/nominations", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["invitation"]["status"] == "nominated" and len(data["registrations"]) == 1
    assert "X1" not in response.content.decode() and PassportDetails.objects.get().number == "X1"
    again = client.post(
        f"/api/v1/events/invitations/{inv.pk}/decline", {"reason": "no"}, content_type="application/json"
    )
    assert again.status_code in (400, 403, 422)
    other = InvitationFactory(country="FR", event=EventFactory())
    declined = client.post(
        f"/api/v1/events/invitations/{other.pk}/decline", {"reason": "Busy"}, content_type="application/json"
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


def test_retention_deletes_passports_past_their_date_once():
    reg_old = Registration.objects.create(event=EventFactory(), family_name="Old", country="FR", badge_code="b-old")
    reg_new = Registration.objects.create(event=EventFactory(), family_name="New", country="FR", badge_code="b-new")
    today = timezone.localdate()
    PassportDetails.objects.create(
        registration=reg_old,
        name_in_passport="OLD",
        number="1",
        nationality="FR",
        delete_after=today - dt.timedelta(days=1),
    )
    PassportDetails.objects.create(
        registration=reg_new, name_in_passport="NEW", number="2", nationality="FR", delete_after=today
    )
    assert nominations.passport_details_purge(today=today) == 1
    assert nominations.passport_details_purge(today=today) == 0
    assert list(PassportDetails.objects.values_list("number", flat=True)) == ["2"]
    assert Registration.objects.count() == 2  # the participants stay
    entry = AuditEntry.objects.get(action="events.passport.purge")
    assert entry.extra["count"] == 1 and "OLD" not in json.dumps(entry.extra)

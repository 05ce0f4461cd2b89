"""Who reaches registrations: the managers (coordinator, trainer, assistant) every one; an NCP their
own country's, never passport details; everyone else a 404 — pages and API. Query counts on lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shieldhub.events.models import Attendance, Certificate, PassportDetails, Registration
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PASSPORT = "ZX4471122"
MANAGERS = ["coordinator", "trainer", "assistant"]
OTHERS = ["analyst", "partner_interpol", "donor", "outsider", "admin_user"]


@pytest.fixture
def event(assistant):
    return EventFactory(created_by=assistant, capacity=10)


@pytest.fixture
def fr_reg(event):
    reg = RegistrationFactory(event=event, country="FR", family_name="Lefebvre", status="approved")
    PassportDetails.objects.create(registration=reg, name_in_passport="LEFEBVRE", number=PASSPORT, nationality="FR",
                                   delete_after=dt.date(2030, 1, 1))  # fmt: skip
    Attendance.objects.create(registration=reg)
    Certificate.objects.create(registration=reg, number="PGS-T-1")
    return reg


@pytest.fixture
def ke_reg(event):
    return RegistrationFactory(event=event, country="KE", family_name="Kamau", status="pending")


MANAGER_PAGES = [
    ("events:registration-create", "event"), ("events:participants-xlsx", "event"), ("events:participants-pdf", "event"),
    ("events:badges-pdf", "event"), ("events:attendance", "event"), ("events:certificate-list", "event"),
    ("events:certificates-pdf", "event"), ("events:evaluation-summary", "event"),
]  # fmt: skip


@pytest.mark.parametrize("persona", MANAGERS, indirect=True)
def test_managers_see_everything(login, persona, event, fr_reg, ke_reg):
    client = login(persona)
    listing = client.get(reverse("events:registration-list", args=[event.pk]))
    assert b"LEFEBVRE" in listing.content and b"KAMAU" in listing.content
    detail = client.get(reverse("events:registration-detail", args=[fr_reg.pk])).content
    assert (PASSPORT.encode() in detail) == (persona.email.split("@")[0] in ("coordinator", "assistant"))
    for name, _arg in MANAGER_PAGES:
        assert client.get(reverse(name, args=[event.pk])).status_code == 200, name
    assert client.get(reverse("events:certificate-pdf", args=[fr_reg.pk])).status_code == 200
    api = client.get(f"/api/v1/events/registrations/{fr_reg.pk}").json()
    assert (api["passport"] is not None) == (persona.email.split("@")[0] in ("coordinator", "assistant"))


def test_ncp_sees_own_country_never_passport_and_no_manager_page(login, ncp_fr, event, fr_reg, ke_reg):
    client = login(ncp_fr)
    listing = client.get(reverse("events:registration-list", args=[event.pk]))
    assert listing.status_code == 200
    assert b"LEFEBVRE" in listing.content and b"KAMAU" not in listing.content
    assert b">Approve<" not in listing.content
    detail = client.get(reverse("events:registration-detail", args=[fr_reg.pk]))
    assert detail.status_code == 200 and PASSPORT.encode() not in detail.content and b"Passport" not in detail.content
    assert client.get(reverse("events:registration-detail", args=[ke_reg.pk])).status_code == 404
    assert client.post(reverse("events:registration-approve", args=[fr_reg.pk])).status_code == 403
    assert client.post(reverse("events:registration-approve", args=[ke_reg.pk])).status_code == 404
    for name, _arg in MANAGER_PAGES:
        assert client.get(reverse(name, args=[event.pk])).status_code == 404, name
    assert client.get(reverse("events:checkin-code", args=[fr_reg.badge_code])).status_code == 404
    api = client.get(f"/api/v1/events/{event.pk}/registrations").json()
    assert [r["family_name"] for r in api["items"]] == ["Lefebvre"]
    assert client.get(f"/api/v1/events/registrations/{fr_reg.pk}").json()["passport"] is None
    assert client.get(f"/api/v1/events/registrations/{ke_reg.pk}").status_code == 404
    assert client.get(reverse("events:certificate-pdf", args=[fr_reg.pk])).status_code == 200
    assert client.get(reverse("events:training-record-list")).status_code == 404
    assert Registration.objects.get(pk=ke_reg.pk).status == "pending"


@pytest.mark.parametrize("persona", OTHERS, indirect=True)
def test_others_get_404(login, persona, event, fr_reg):
    client = login(persona)
    for url in (
        reverse("events:registration-list", args=[event.pk]),
        reverse("events:registration-detail", args=[fr_reg.pk]),
        reverse("events:certificate-pdf", args=[fr_reg.pk]),
        reverse("events:checkin-code", args=[fr_reg.badge_code]),
        *[reverse(name, args=[event.pk]) for name, _a in MANAGER_PAGES],
    ):
        assert client.get(url).status_code in (403, 404), url
    response = client.post(reverse("events:registration-approve", args=[fr_reg.pk]))
    assert response.status_code in (403, 404)
    assert client.get(f"/api/v1/events/registrations/{fr_reg.pk}").status_code in (401, 403, 404)
    assert client.get(f"/api/v1/events/{event.pk}/registrations").status_code in (401, 403, 404)
    assert client.post(f"/api/v1/events/registrations/{fr_reg.pk}/approve").status_code in (401, 403, 404)
    assert Registration.objects.get(pk=fr_reg.pk).status == "approved"


@pytest.mark.parametrize("persona", ["coordinator", "analyst", "trainer", "assistant"], indirect=True)
def test_training_records_for_the_secretariat(login, persona):
    client = login(persona)
    assert client.get(reverse("events:training-record-list")).status_code == 200
    assert client.get("/api/v1/events/training-records").status_code == 200


def test_manager_decides_through_the_pages_and_the_api(login, assistant, event, ke_reg):
    client = login(assistant)
    client.post(reverse("events:registration-reject", args=[ke_reg.pk]), {"note": "Too late"})
    ke_reg.refresh_from_db()
    assert (ke_reg.status, ke_reg.decision_note) == ("rejected", "Too late")
    response = client.post(f"/api/v1/events/registrations/{ke_reg.pk}/approve")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = client.post(f"/api/v1/events/{event.pk}/attendance", {"code": ke_reg.badge_code},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["method"] == "qr"
    response = client.post(f"/api/v1/events/{event.pk}/certificates", {}, content_type="application/json")
    assert [c["registration_id"] for c in response.json()] == [ke_reg.pk]


def test_manual_registration_form_keeps_values_on_error(login, assistant, event):
    client = login(assistant)
    response = client.post(
        reverse("events:registration-create", args=[event.pk]), {"given_name": "Zoé", "language": "fr"}
    )
    assert response.status_code == 200 and "Zoé".encode() in response.content
    assert b"Enter the family name" in response.content
    response = client.post(reverse("events:registration-create", args=[event.pk]),
                           {"given_name": "Zoé", "family_name": "Roux", "country": "FR", "language": "fr"})  # fmt: skip
    assert response.status_code == 302
    assert Registration.objects.get(family_name="Roux").status == "pending"


def test_event_page_panel_counts(login, assistant, event, fr_reg, ke_reg):
    content = login(assistant).get(reverse("events:event-detail", args=[event.pk])).content.decode()
    assert "1 approved of 10 places" in content
    assert "Pending: 1" in content and "Approved: 1" in content


@pytest.mark.parametrize("size", [3, 25])
def test_list_query_counts_do_not_grow(login, assistant, event, size, django_assert_max_num_queries):
    for i in range(size):
        RegistrationFactory(event=event, country="FR" if i % 2 else "KE")
    client = login(assistant)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("events:registration-list", args=[event.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("events:attendance", args=[event.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/events/{event.pk}/registrations").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("events:training-record-list")).status_code == 200

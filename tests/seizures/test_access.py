"""Who reaches which record: an NCP of another country never sees a record unless it was shared
with them — not in the list, the detail, the API, the search, the export or the statistics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.seizures import selectors, services

pytestmark = pytest.mark.django_db

DETAIL_PAGES = ["incident-detail", "incident-edit", "incident-correct", "incident-submit", "incident-withdraw"]
POST_ACTIONS = ["incident-validate", "incident-return", "incident-comment", "incident-delete", "recipients-preview"]
SECRET = "Zanzibar-Quokka"


@pytest.fixture
def record(ncp_fr, make):
    return make(ncp_fr, submit=True, national_reference=SECRET, office_name=f"{SECRET} office")


@pytest.fixture
def draft(ncp_fr, make):
    return make(ncp_fr, national_reference=SECRET)


def _sees_nothing(client, persona, incident):
    for name in DETAIL_PAGES:
        status = client.get(reverse(f"seizures:{name}", args=[incident.pk])).status_code
        assert status == 404, (name, status)
    for name in POST_ACTIONS:
        assert client.post(reverse(f"seizures:{name}", args=[incident.pk]), {"comment": "x"}).status_code == 404
    assert client.get(reverse("seizures:incident-version", args=[incident.pk, 1])).status_code == 404
    listing = client.get(reverse("seizures:incident-list"))
    assert SECRET.encode() not in listing.content and incident.reference.encode() not in listing.content
    searched = client.get(reverse("seizures:incident-list"), {"q": SECRET})
    assert incident.reference.encode() not in searched.content and b"No record matches" in searched.content
    for fmt in ("csv", "xlsx"):
        export = client.get(reverse("seizures:incident-export"), {"format": fmt})
        body = b"".join(export.streaming_content) if export.streaming else export.content
        assert incident.reference.encode() not in body
    for path in ("", "/goods", "/versions", "/versions/1", "/comments"):
        assert client.get(f"/api/v1/seizures/incidents/{incident.pk}{path}").status_code == 404, path
    for path in ("submit", "validate", "return", "withdraw", "comments"):
        response = client.post(
            f"/api/v1/seizures/incidents/{incident.pk}/{path}", {"note": "x", "comment": "x"},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 404, (path, response.status_code)
    api = client.get("/api/v1/seizures/incidents", {"q": SECRET})
    assert api.json()["count"] == 0
    assert list(selectors.incident_list(user=persona, filters={"q": SECRET})) == []
    stats = client.get("/api/v1/seizures/statistics").content
    assert SECRET.encode() not in stats and incident.reference.encode() not in stats


@pytest.mark.parametrize("persona", ["ncp_ke", "trainer", "assistant", "partner_interpol"], indirect=True)
def test_nobody_outside_the_reporting_side_distribution_and_secretariat_sees_it(login, persona, record):
    _sees_nothing(login(persona), persona, record)


@pytest.mark.parametrize("persona", ["ncp_ke", "analyst", "coordinator", "admin_user"], indirect=True)
def test_a_draft_is_the_reporting_countrys_alone(login, persona, draft):
    _sees_nothing(login(persona), persona, draft)


def test_donors_and_outsiders(login, donor, outsider, record):
    client = login(donor)
    assert client.get(reverse("seizures:incident-detail", args=[record.pk])).status_code == 404
    assert client.get(f"/api/v1/seizures/incidents/{record.pk}").status_code == 404
    assert client.get(reverse("seizures:statistics")).status_code == 200
    client = login(outsider)
    for name in ("incident-list", "statistics", "quality", "incident-create"):
        assert client.get(reverse(f"seizures:{name}")).status_code == 403
    assert client.get(reverse("seizures:incident-detail", args=[record.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["analyst", "coordinator", "admin_user", "ncp_fr"], indirect=True)
def test_the_secretariat_and_the_reporting_country_see_every_submitted_record(login, persona, record):
    client = login(persona)
    assert SECRET.encode() in client.get(reverse("seizures:incident-detail", args=[record.pk])).content
    assert client.get(f"/api/v1/seizures/incidents/{record.pk}").json()["detail"]["national_reference"] == SECRET


def test_another_ncp_of_the_reporting_country_sees_drafts(login, ncp_fr, make):
    from tests.factories import UserFactory

    colleague = UserFactory(email="ncp2.fr@test.example", roles=["ncp"], country="FR", mfa=False)
    draft = make(ncp_fr)
    assert login(colleague).get(reverse("seizures:incident-detail", args=[draft.pk])).status_code == 200


def test_sharing_grants_access_to_exactly_the_recipients(login, ncp_fr, ncp_ke, ncp_de, europe, make):
    shared = make(ncp_fr, submit=True, communities=[europe], national_reference=SECRET)
    assert login(ncp_de).get(reverse("seizures:incident-detail", args=[shared.pk])).status_code == 200
    _sees_nothing(login(ncp_ke), ncp_ke, shared)
    assert shared in selectors.incident_list(user=ncp_de, filters={"q": SECRET})


def test_restricted_names_only_for_the_reporting_country_and_analysts_if_shared(
    login, ncp_fr, ncp_de, analyst, coordinator, europe, make
):
    hidden = make(ncp_fr, submit=True, communities=[europe])
    shared = make(
        ncp_fr, submit=True, communities=[europe],
        persons=[{"role": "driver", "nationality": "MA", "name": "Karim Benali", "name_shared": True}],
    )  # fmt: skip
    for incident, analyst_sees in ((hidden, False), (shared, True)):
        url = reverse("seizures:incident-detail", args=[incident.pk])
        assert b"Karim Benali" in login(ncp_fr).get(url).content
        assert (b"Karim Benali" in login(analyst).get(url).content) is analyst_sees
        assert b"Karim Benali" not in login(coordinator).get(url).content
        recipient_page = login(ncp_de).get(url).content
        assert b"Karim Benali" not in recipient_page and b"Persons involved" not in recipient_page
        api = login(ncp_de).get(f"/api/v1/seizures/incidents/{incident.pk}").json()
        assert api["detail"]["persons"] is None
        version = login(ncp_de).get(f"/api/v1/seizures/incidents/{incident.pk}/versions/1").json()
        assert "persons" not in version and "Karim" not in str(version)
        analyst_version = login(analyst).get(f"/api/v1/seizures/incidents/{incident.pk}/versions/1").json()
        assert (analyst_version["persons"][0]["name"] == "Karim Benali") is analyst_sees


def test_withdrawn_records_stay_listed_with_their_detail_hidden_from_recipients(
    login, ncp_fr, ncp_de, analyst, europe, make
):
    incident = make(ncp_fr, submit=True, communities=[europe], national_reference=SECRET)
    services.incident_withdraw(actor=ncp_fr, incident=incident, note="Wrong country")
    client = login(ncp_de)
    listing = client.get(reverse("seizures:incident-list"))
    assert incident.reference.encode() in listing.content
    page = client.get(reverse("seizures:incident-detail", args=[incident.pk]))
    assert page.status_code == 200 and SECRET.encode() not in page.content and b"Gulf Agro" not in page.content
    assert client.get(reverse("seizures:incident-version", args=[incident.pk, 1])).status_code == 404
    assert client.get(f"/api/v1/seizures/incidents/{incident.pk}").json()["detail"] is None
    assert client.get(f"/api/v1/seizures/incidents/{incident.pk}/goods").json() == []
    # search does not reveal the hidden text
    assert not list(selectors.incident_list(user=ncp_de, filters={"q": SECRET}))
    export = b"".join(client.get(reverse("seizures:incident-export"), {"format": "csv"}).streaming_content)
    assert incident.reference.encode() in export and SECRET.encode() not in export and b"Gulf" not in export
    assert SECRET.encode() in login(analyst).get(reverse("seizures:incident-detail", args=[incident.pk])).content
    assert SECRET.encode() in login(ncp_fr).get(reverse("seizures:incident-detail", args=[incident.pk])).content


def test_partners_see_only_releasable_records_they_received(login, ncp_fr, partner_interpol, make):
    opened = make(ncp_fr, releasable_interpol=True, submit=True, users=[partner_interpol])
    client = login(partner_interpol)
    assert client.get(reverse("seizures:incident-detail", args=[opened.pk])).status_code == 200
    opened.releasable_interpol = False  # releasability withdrawn later: the partner loses it
    opened.save(update_fields=["releasable_interpol"])
    assert client.get(reverse("seizures:incident-detail", args=[opened.pk])).status_code == 404


def test_recipients_cannot_act_on_the_record(login, ncp_fr, ncp_de, europe, make):
    incident = make(ncp_fr, submit=True, communities=[europe])
    client = login(ncp_de)
    for name in ("incident-correct", "incident-withdraw"):
        assert client.get(reverse(f"seizures:{name}", args=[incident.pk])).status_code == 403
    assert client.post(reverse("seizures:incident-validate", args=[incident.pk])).status_code == 403
    response = client.post(
        f"/api/v1/seizures/incidents/{incident.pk}/withdraw", {"note": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "submitted"

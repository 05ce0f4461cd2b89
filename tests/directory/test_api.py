"""`/api/v1/directory`: the same selectors and services as the pages, over JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from shieldhub.accounts.models import ApiToken
from shieldhub.core.models import AuditEntry
from shieldhub.core.tokens import hash_token, new_token
from shieldhub.directory.models import Community, Membership, NcpNomination, Person
from shieldhub.directory.services import person_search_text
from tests.factories import CommunityFactory, MembershipFactory, NominationFactory, PersonFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/directory"


def _token(user, scopes=("read",)) -> dict[str, str]:
    raw = new_token()
    ApiToken.objects.create(user=user, name="test", prefix=raw[:12], token_hash=hash_token(raw), scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _person(**kwargs) -> Person:
    person = PersonFactory(**kwargs)
    person.search_text = person_search_text(person)
    person.save(update_fields=["search_text"])
    return person


@pytest.fixture
def directory(ke_customs, fr_customs, ncp_fr, ncp_ke):
    kamau = _person(family_name="Kamau", country="KE", organisation=ke_customs, notes="KE note", languages=["sw"])
    NominationFactory(person=kamau, country="KE", status="active", role="primary")
    wanjiru = _person(family_name="Wanjiru", country="KE", organisation=ke_customs)
    dubois = _person(family_name="Dubois", country="FR", organisation=fr_customs, notes="FR note")
    return {"kamau": kamau, "wanjiru": wanjiru, "dubois": dubois}


def test_people_list_filters_and_pagination(directory, coordinator):
    headers = _token(coordinator)
    client = Client()
    body = client.get(f"{BASE}/people", **headers).json()
    assert body["count"] == 5
    assert [p["family_name"] for p in body["items"]] == ["Dubois", "Kamau", "Martin", "Otieno", "Wanjiru"]
    kamau = body["items"][1]
    assert kamau["is_ncp"] is True and kamau["notes"] == "KE note" and "last_verified_on" in kamau
    assert kamau["organisation"]["acronym"] == "KRA" and kamau["country"] == "KE"

    body = client.get(f"{BASE}/people", {"q": "kra", "role": "ncp"}, **headers).json()
    assert [p["family_name"] for p in body["items"]] == ["Kamau"]
    body = client.get(f"{BASE}/people", {"language": "sw"}, **headers).json()
    assert [p["family_name"] for p in body["items"]] == ["Kamau"]
    body = client.get(f"{BASE}/people", {"page_size": 2, "page": 2}, **headers).json()
    assert body["count"] == 5 and [p["family_name"] for p in body["items"]] == ["Martin", "Otieno"]

    bad = client.get(f"{BASE}/people", {"role": "boss"}, **headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid"


def test_ncp_fr_never_sees_a_kenyan_without_active_nomination_in_the_api(directory, ncp_fr):
    headers = _token(ncp_fr)
    client = Client()
    body = client.get(f"{BASE}/people", **headers).json()
    names = [p["family_name"] for p in body["items"]]
    assert names == ["Dubois", "Kamau", "Martin"]
    assert all("notes" not in p and "last_verified_on" not in p for p in body["items"])
    assert client.get(f"{BASE}/people", {"q": "wanjiru"}, **headers).json()["count"] == 0
    response = client.get(f"{BASE}/people/{directory['wanjiru'].pk}", **headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}
    detail = client.get(f"{BASE}/people/{directory['dubois'].pk}", **headers).json()
    assert detail["family_name"] == "Dubois" and "notes" not in detail
    assert AuditEntry.objects.filter(action="directory.person.view", actor=ncp_fr).get().extra["channel"] == "api"
    nominations = client.get(f"{BASE}/nominations", **headers).json()
    assert [n["person"]["full_name"] for n in nominations["items"]] == [directory["kamau"].full_name]


def test_donors_get_403_on_lists_and_404_on_records(donor, directory):
    headers = _token(donor)
    client = Client()
    for path in ("people", "organisations", "nominations", "communities"):
        response = client.get(f"{BASE}/{path}", **headers)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "forbidden"
    assert client.get(f"{BASE}/people/{directory['kamau'].pk}", **headers).status_code == 404
    assert client.get(f"{BASE}/organisations/{directory['kamau'].organisation_id}", **headers).status_code == 404


def test_unauthenticated_and_role_less_accounts_are_401(directory, outsider):
    response = Client().get(f"{BASE}/people")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    # an account without any role may not use the API at all (core.api authentication)
    assert Client().get(f"{BASE}/people", **_token(outsider)).status_code == 401


def test_create_and_update_a_person(assistant, ke_customs):
    client = Client()
    read_only = _token(assistant)
    payload = {
        "family_name": "Njoroge",
        "given_name": "Peter",
        "organisation_id": ke_customs.pk,
        "country": "KE",
        "email": "P.Njoroge@kra.example",
        "other_emails": ["peter@example.org"],
        "languages": ["en", "sw"],
    }
    response = client.post(f"{BASE}/people", payload, content_type="application/json", **read_only)
    assert response.status_code == 403 and "write" in response.json()["error"]["message"]
    assert not Person.objects.filter(family_name="Njoroge").exists()

    headers = _token(assistant, scopes=("read", "write"))
    response = client.post(f"{BASE}/people", payload, content_type="application/json", **headers)
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "p.njoroge@kra.example" and body["organisation"]["name"].startswith("Kenya")
    person = Person.objects.get(pk=body["id"])
    assert "njoroge" in person.search_text
    assert AuditEntry.objects.filter(action="directory.person.create", object_id=str(person.pk)).exists()

    response = client.patch(
        f"{BASE}/people/{person.pk}", {"position": "Director"}, content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["position"] == "Director"
    assert response.json()["languages"] == ["en", "sw"]  # untouched fields stay
    entry = AuditEntry.objects.filter(action="directory.person.update").get()
    assert entry.changes == {"position": ["", "Director"]}

    response = client.patch(
        f"{BASE}/people/{person.pk}",
        {"other_emails": ["fine@x.org", "broken@"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert "“broken@” is not a valid email address." in response.json()["error"]["details"]["other_emails"][0]


def test_writes_refused_to_readers(ncp_fr, analyst, directory):
    client = Client()
    for user in (ncp_fr, analyst):
        headers = _token(user, scopes=("read", "write"))
        response = client.patch(
            f"{BASE}/people/{directory['dubois'].pk}", {"position": "x"}, content_type="application/json", **headers
        )
        assert response.status_code == 403
        response = client.post(f"{BASE}/people", {"family_name": "X"}, content_type="application/json", **headers)
        assert response.status_code == 403
    # not visible at all: 404 before 403
    headers = _token(ncp_fr, scopes=("read", "write"))
    response = client.patch(
        f"{BASE}/people/{directory['wanjiru'].pk}", {"position": "x"}, content_type="application/json", **headers
    )
    assert response.status_code == 404


def test_organisations_nominations_communities(coordinator, directory, ncp_fr):
    client = Client()
    headers = _token(coordinator, scopes=("read", "write"))
    response = client.post(
        f"{BASE}/organisations",
        {"name": "Uganda Revenue Authority", "acronym": "URA", "kind": "customs", "country": "UG", "notes": "n"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201 and response.json()["notes"] == "n"
    org_id = response.json()["id"]
    body = client.get(f"{BASE}/organisations", {"q": "ura"}, **headers).json()
    assert [o["acronym"] for o in body["items"]] == ["URA"]

    response = client.post(
        f"{BASE}/nominations",
        {"person_id": directory["wanjiru"].pk, "role": "alternate", "status": "active", "agency_id": org_id},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    nomination = response.json()
    assert nomination["country"] == "KE" and nomination["agency"]["acronym"] == "URA"
    response = client.patch(
        f"{BASE}/nominations/{nomination['id']}", {"status": "lapsed"}, content_type="application/json", **headers
    )
    assert response.json()["status"] == "lapsed"
    assert NcpNomination.objects.get(pk=nomination["id"]).status == "lapsed"
    body = client.get(f"{BASE}/nominations", {"country": "KE", "status": "active"}, **headers).json()
    assert [n["person"]["id"] for n in body["items"]] == [directory["kamau"].pk]

    response = client.post(
        f"{BASE}/communities",
        {"name": "Operation Nile", "kind": "operation"},
        content_type="application/json",
        **headers,
    )
    community = response.json()
    assert response.status_code == 201 and community["slug"] == "operation-nile"
    response = client.post(
        f"{BASE}/communities/{community['id']}/members",
        {"email": "ncp.fr@test.example", "role": "moderator"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201 and response.json()["role"] == "moderator"
    members = client.get(f"{BASE}/communities/{community['id']}/members", **headers).json()
    assert [m["email"] for m in members["items"]] == ["ncp.fr@test.example"]

    # the NCP now sees the community and its members, read only
    ncp_headers = _token(ncp_fr, scopes=("read", "write"))
    assert [c["name"] for c in client.get(f"{BASE}/communities", **ncp_headers).json()["items"]] == ["Operation Nile"]
    response = client.patch(
        f"{BASE}/communities/{community['id']}", {"name": "x"}, content_type="application/json", **ncp_headers
    )
    assert response.status_code == 403
    member_id = members["items"][0]["id"]
    response = client.delete(f"{BASE}/communities/{community['id']}/members/{member_id}", **ncp_headers)
    assert response.status_code == 403
    response = client.delete(f"{BASE}/communities/{community['id']}/members/{member_id}", **headers)
    assert response.status_code == 204 and not Membership.objects.exists()


def test_organisation_notes_hidden_from_non_secretariat(ncp_fr, fr_customs):
    fr_customs.notes = "internal"
    fr_customs.save()
    body = Client().get(f"{BASE}/organisations/{fr_customs.pk}", **_token(ncp_fr)).json()
    assert body["name"].startswith("Direction") and "notes" not in body


def test_community_of_others_is_404(ncp_ke):
    community = CommunityFactory()
    MembershipFactory(community=community)
    client = Client()
    headers = _token(ncp_ke)
    assert client.get(f"{BASE}/communities/{community.pk}", **headers).status_code == 404
    assert client.get(f"{BASE}/communities/{community.pk}/members", **headers).status_code == 404


def test_community_four_eyes_and_countries_through_the_api(coordinator, ncp_fr, ncp_ke):
    from shieldhub.exchange import services as exchange_services

    client = Client()
    headers = _token(coordinator, scopes=("read", "write"))
    response = client.post(
        f"{BASE}/communities",
        {"name": "Operation Sahel", "kind": "operation", "requires_moderation": True, "countries": ["ng", "GH", "NG"]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["requires_moderation"] is True and created["countries"] == ["GH", "NG"]
    community_id = created["id"]
    entry = AuditEntry.objects.get(action="exchange.community_settings_update", object_id=str(community_id))
    assert entry.actor == coordinator
    assert entry.changes == {"requires_moderation": [False, True], "countries": [[], ["GH", "NG"]]}

    # the flag is the one the exchange reads: a member's message now waits for a moderator
    community = Community.objects.get(pk=community_id)
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_ke)
    message = exchange_services.message_send(
        actor=ncp_fr,
        data={"kind": "alert", "subject": "S", "body": "B", "tlp": "amber"},
        distribution=exchange_services.Distribution(communities=[community_id]),
    )
    assert message.status == "pending"

    url = f"{BASE}/communities/{community_id}"
    response = client.patch(url, {"requires_moderation": False}, content_type="application/json", **headers)
    assert response.status_code == 200
    assert response.json()["requires_moderation"] is False and response.json()["countries"] == ["GH", "NG"]
    last = AuditEntry.objects.filter(action="exchange.community_settings_update").order_by("-seq").first()
    assert last.changes == {"requires_moderation": [True, False]}

    # other fields alone leave the exchange's settings as they are (and write no settings entry)
    response = client.patch(url, {"name": "Operation Sahel II"}, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["countries"] == ["GH", "NG"]
    assert AuditEntry.objects.filter(action="exchange.community_settings_update").count() == 2

    # an unknown country refuses the whole change, with the message the page shows
    response = client.patch(
        url, {"name": "Renamed", "countries": ["GH", "ZZ"]}, content_type="application/json", **headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"countries": ["Unknown country code: ZZ."]}
    community.refresh_from_db()
    assert community.name == "Operation Sahel II" and community.countries == ["GH", "NG"]


def test_community_four_eyes_only_for_community_managers(coordinator, ncp_fr, ncp_ke):
    community = CommunityFactory(name="Moderated", requires_moderation=False)
    MembershipFactory(community=community, user=ncp_fr, role="moderator")
    client = Client()
    url = f"{BASE}/communities/{community.pk}"
    data = {"requires_moderation": True, "countries": ["FR"]}
    response = client.patch(url, data, content_type="application/json", **_token(ncp_fr, ("read", "write")))
    assert response.status_code == 403  # even its moderator: the page is the community managers' too
    response = client.patch(url, data, content_type="application/json", **_token(ncp_ke, ("read", "write")))
    assert response.status_code == 404
    response = client.patch(url, data, content_type="application/json", **_token(coordinator, ("read",)))
    assert response.status_code == 403
    response = client.post(
        f"{BASE}/communities",
        {"name": "Sneaky", "requires_moderation": True},
        content_type="application/json",
        **_token(ncp_fr, ("read", "write")),
    )
    assert response.status_code == 403
    community.refresh_from_db()
    assert community.requires_moderation is False and community.countries == []
    assert not AuditEntry.objects.filter(action="exchange.community_settings_update").exists()
    assert not Community.objects.filter(name="Sneaky").exists()

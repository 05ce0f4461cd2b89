"""Every contacts URL × every persona → the expected status.

The rule, consistently: lists need directory access and answer 403 without it; a record the user
may not see is a 404; an edit page of a record the user may see but not edit is a 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.factories import CommunityFactory, MembershipFactory, NominationFactory, PersonFactory

pytestmark = pytest.mark.django_db

EDITORS = {"coordinator", "assistant", "admin_user"}
SECRETARIAT = {"coordinator", "analyst", "trainer", "assistant", "admin_user"}
NETWORK = SECRETARIAT | {"ncp_fr", "ncp_ke", "partner_interpol"}


@pytest.fixture
def records(fr_customs, ke_customs, ncp_fr):
    fr_contact = PersonFactory(family_name="Petit", country="FR", organisation=fr_customs)
    ke_ncp = PersonFactory(family_name="Kamau", country="KE", organisation=ke_customs)
    nomination = NominationFactory(person=ke_ncp, country="KE", status="active")
    fr_nomination = NominationFactory(person=fr_contact, country="FR", status="nominated")
    community = CommunityFactory(name="FR group")
    membership = MembershipFactory(community=community, user=ncp_fr)
    return {
        "fr_contact": fr_contact,
        "ke_ncp": ke_ncp,
        "nomination": nomination,
        "fr_nomination": fr_nomination,
        "org": fr_customs,
        "community": community,
        "membership": membership,
    }


def _expected(name: str, persona: str) -> int:
    list_page = 200 if persona in NETWORK else 403
    table = {
        "person-list": list_page,
        "organisation-list": list_page,
        "nomination-list": list_page,
        "community-list": list_page,
        "person-create": 200 if persona in EDITORS else 403,
        "organisation-create": 200 if persona in EDITORS else 403,
        "nomination-create": 200 if persona in EDITORS else 403,
        "community-create": 200 if persona in EDITORS else 403,
        "to-verify": 200 if persona in EDITORS else 403,
        # a FR contact without an active nomination: the secretariat and FR's NCP only
        "person-detail": 200 if persona in SECRETARIAT | {"ncp_fr"} else 404,
        "person-edit": 200 if persona in EDITORS else (403 if persona in SECRETARIAT | {"ncp_fr"} else 404),
        "person-merge": 200 if persona in EDITORS else (403 if persona in SECRETARIAT | {"ncp_fr"} else 404),
        # a KE NCP with an active nomination: the whole network
        "ncp-detail": 200 if persona in NETWORK else 404,
        "ncp-edit": 200 if persona in EDITORS else (403 if persona in NETWORK else 404),
        "organisation-detail": 200 if persona in NETWORK else 404,
        "organisation-edit": 200 if persona in EDITORS else (403 if persona in NETWORK else 404),
        "nomination-edit": 200 if persona in EDITORS else (403 if persona in NETWORK else 404),
        # a nomination still pending in FR: the secretariat and FR's NCP
        "fr-nomination-edit": 200 if persona in EDITORS else (403 if persona in SECRETARIAT | {"ncp_fr"} else 404),
        # a community ncp_fr belongs to
        "community-detail": 200 if persona in SECRETARIAT | {"ncp_fr"} else 404,
        "community-edit": 200 if persona in EDITORS else (403 if persona in SECRETARIAT | {"ncp_fr"} else 404),
    }
    return table[name]


def _urls(r) -> dict[str, str]:
    return {
        "person-list": reverse("directory:person-list"),
        "organisation-list": reverse("directory:organisation-list"),
        "nomination-list": reverse("directory:nomination-list"),
        "community-list": reverse("directory:community-list"),
        "person-create": reverse("directory:person-create"),
        "organisation-create": reverse("directory:organisation-create"),
        "nomination-create": reverse("directory:nomination-create"),
        "community-create": reverse("directory:community-create"),
        "to-verify": reverse("directory:to-verify"),
        "person-detail": reverse("directory:person-detail", args=[r["fr_contact"].pk]),
        "person-edit": reverse("directory:person-edit", args=[r["fr_contact"].pk]),
        "person-merge": reverse("directory:person-merge", args=[r["fr_contact"].pk]),
        "ncp-detail": reverse("directory:person-detail", args=[r["ke_ncp"].pk]),
        "ncp-edit": reverse("directory:person-edit", args=[r["ke_ncp"].pk]),
        "organisation-detail": reverse("directory:organisation-detail", args=[r["org"].pk]),
        "organisation-edit": reverse("directory:organisation-edit", args=[r["org"].pk]),
        "nomination-edit": reverse("directory:nomination-edit", args=[r["nomination"].pk]),
        "fr-nomination-edit": reverse("directory:nomination-edit", args=[r["fr_nomination"].pk]),
        "community-detail": reverse("directory:community-detail", args=[r["community"].pk]),
        "community-edit": reverse("directory:community-edit", args=[r["community"].pk]),
    }


@pytest.mark.parametrize("name", PERSONAS)
def test_url_matrix(request, login, name, records):
    client = login(request.getfixturevalue(name))
    got = {key: client.get(url).status_code for key, url in _urls(records).items()}
    expected = {key: _expected(key, name) for key in got}
    assert got == expected


def test_anonymous_is_sent_to_login_everywhere_but_the_verify_page(client, records):
    for url in _urls(records).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(reverse("directory:verify", args=["not-a-token"]))
    assert response.status_code == 404
    assert "This link is not valid any more" in response.content.decode()


@pytest.mark.parametrize("persona", ["ncp_fr", "partner_interpol", "analyst"], indirect=True)
def test_writes_are_refused_by_post_too(login, persona, records):
    client = login(persona)
    community = records["community"]
    membership = records["membership"]
    posts = [
        reverse("directory:person-create"),
        reverse("directory:person-verification-send", args=[records["ke_ncp"].pk]),
        reverse("directory:community-member-add", args=[community.pk]),
        reverse("directory:community-member-remove", args=[community.pk, membership.pk]),
        reverse("directory:community-member-role", args=[community.pk, membership.pk]),
        reverse("directory:to-verify"),
    ]
    for url in posts:
        assert client.post(url, {"email": "x@y.example", "role": "moderator", "family_name": "X"}).status_code in (
            403,
            404,
        ), url
    membership.refresh_from_db()
    assert membership.role == "member"

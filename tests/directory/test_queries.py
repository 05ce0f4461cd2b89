"""List pages and API lists run a constant number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shieldhub.accounts.models import ApiToken
from shieldhub.core.tokens import hash_token, new_token
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    NominationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "directory:person-list",
    "directory:organisation-list",
    "directory:nomination-list",
    "directory:community-list",
    "directory:to-verify",
]
API = ["people", "organisations", "nominations", "communities"]


def _grow(n: int) -> None:
    for _ in range(n):
        org = OrganisationFactory(country="KE")
        person = PersonFactory(country="KE", organisation=org)
        NominationFactory(person=person, agency=org)
        community = CommunityFactory()
        MembershipFactory(community=community, user=UserFactory(mfa=False))


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", PAGES)
def test_list_pages_query_count_is_constant(login, coordinator, url_name, django_assert_max_num_queries):
    client = login(coordinator)
    _grow(2)
    small = _count(lambda: client.get(reverse(url_name)))
    _grow(30)
    large = _count(lambda: client.get(reverse(url_name)))
    assert large == small
    with django_assert_max_num_queries(16):
        client.get(reverse(url_name))


def test_person_list_with_filters_is_constant(login, coordinator, django_assert_max_num_queries):
    client = login(coordinator)
    params = {"q": "a", "role": "ncp", "country": "KE", "language": "en", "verified": "stale"}
    _grow(2)
    small = _count(lambda: client.get(reverse("directory:person-list"), params))
    _grow(30)
    assert _count(lambda: client.get(reverse("directory:person-list"), params)) == small


@pytest.mark.parametrize("path", API)
def test_api_lists_query_count_is_constant(coordinator, client, path, django_assert_max_num_queries):
    raw = new_token()
    ApiToken.objects.create(user=coordinator, name="t", prefix=raw[:12], token_hash=hash_token(raw), scopes=["read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/directory/{path}"
    client.get(url, **headers)  # the token's first use records last_used_at
    _grow(2)
    small = _count(lambda: client.get(url, **headers))
    _grow(30)
    large = _count(lambda: client.get(url, **headers))
    assert large == small
    with django_assert_max_num_queries(8):
        client.get(url, **headers)

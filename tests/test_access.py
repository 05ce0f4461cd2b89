"""The whole-site access sweep: every page and API route × every persona.

The app-level `tests/<app>/test_access.py` files hold the detailed matrices with real records; this
sweep walks the URL resolver and the OpenAPI document, so a page or endpoint added without access
control fails here even before anyone writes its matrix:
- an anonymous visitor is sent to the login page (pages) or gets 401 (API), except on the few
  public routes listed below;
- a signed-in account with no role (the outsider) reaches no content page beyond its own profile;
- no route answers 500 to anyone.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

APP_NAMESPACES = {
    "core",
    "accounts",
    "reference",
    "directory",
    "exchange",
    "seizures",
    "entities",
    "shipments",
    "screening",
    "events",
    "analysis",
}
# Routes meant for people without an account (a one-time link proves who they are) or for switching
# the interface language; each is tested in its app.
PUBLIC = {
    "directory:verify",
    "accounts:invitation-accept",
    "accounts:set-language",
    "events:nominate-token",  # an invited administration without an account nominates through its link
    "events:calendar-feed",  # calendar apps subscribe to a personal feed by its secret address
    "events:evaluation-by-code",  # a participant answers the evaluation through the link they were sent
}
# What a signed-in account without a role may open: the home page and its own profile and tokens.
OUTSIDER_ALLOWED = {"core:home", "accounts:profile", "accounts:token-create"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and namespace in APP_NAMESPACES and p.name:
            yield f"{namespace}:{p.name}", prefix + str(p.pattern)


def _concrete(route: str) -> str:
    route = re.sub(r"<int:[^>]+>", "999999", route)
    route = re.sub(r"<(str|slug|path):[^>]+>", "does-not-exist", route)
    route = re.sub(r"<[^>]+>", "does-not-exist", route)
    return "/" + route.lstrip("^").rstrip("$")


PAGES = sorted(set(_walk(get_resolver().url_patterns)))


def test_the_sweep_sees_the_pages():
    names = {name for name, _ in PAGES}
    assert {
        "core:home",
        "core:audit-list",
        "directory:person-list",
        "reference:hs-search",
        "accounts:user-list",
        "seizures:incident-list",
        "seizures:statistics",
    } <= names


@pytest.mark.parametrize(("name", "route"), PAGES, ids=[n for n, _ in PAGES])
def test_anonymous_visitors_are_sent_to_login(client, name, route):
    response = client.get(_concrete(route))
    if name in PUBLIC:
        assert response.status_code in (404, 405)  # a made-up token finds nothing; POST-only
        return
    if response.status_code == 405:  # a POST-only action: posting to it must ask for a login
        response = client.post(_concrete(route))
    assert response.status_code == 302, name
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_no_page_fails_and_the_outsider_sees_nothing(login, persona, request):
    client = login(persona)
    is_outsider = persona.email.startswith("outsider@")
    for name, route in PAGES:
        url = _concrete(route)
        status = client.get(url).status_code
        assert status < 500, f"{name} answered {status} to {persona.email}"
        if is_outsider and name not in OUTSIDER_ALLOWED | PUBLIC:
            assert status in (302, 403, 404, 405), f"{name} answered {status} to a user without a role"


def _api_operations(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            # a number no record has: typed routes ({int:pk}) only match a number, and the others take it too
            yield method.upper(), re.sub(r"\{[^}]+\}", "987654321", path)


def test_every_api_route_refuses_anonymous_callers(client):
    operations = list(_api_operations(client))
    assert len(operations) > 20
    for method, path in operations:
        response = client.generic(method, path, data="{}", content_type="application/json")
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("persona", ["outsider", "donor", "ncp_fr"], indirect=True)
def test_api_routes_never_fail(login, persona):
    client = login(persona)
    for method, path in _api_operations(client):
        response = client.generic(method, path, data="{}", content_type="application/json")
        assert response.status_code < 500, f"{method} {path} answered {response.status_code}"
        if persona.email.startswith("outsider@") and method == "GET":
            assert response.status_code in (401, 403, 404), (
                f"{method} {path} answered {response.status_code} to no role"
            )

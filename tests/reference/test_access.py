"""Every reference page and API route × every persona → the expected status."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

EDITORS = {"coordinator", "analyst", "admin_user"}

PAGES = [
    # (url, status for readers, status for the outsider, editors only?)
    (reverse("reference:catalogue-list"), 403, False),
    (reverse("reference:catalogue-detail", args=["urea"]), 404, False),
    (reverse("reference:catalogue-detail", args=["urea"]) + "?quantity=1&unit=kg", 404, False),
    (reverse("reference:catalogue-edit", args=["urea"]), 404, True),
    (reverse("reference:catalogue-create"), 403, True),
    (reverse("reference:hs-search"), 403, False),
    (reverse("reference:hs-search") + "?q=2829", 403, False),
    (reverse("reference:hs-detail", args=["2829.11"]), 404, False),
    (reverse("reference:country-list"), 403, False),
]

API_GETS = [
    "/countries",
    "/countries/FR",
    "/regions",
    "/hs?q=2829",
    "/hs/2829",
    "/catalogue",
    "/catalogue/urea",
    "/currencies",
    "/units",
    "/units/convert?quantity=1&unit=kg",
]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize(("url", "outsider_status", "editors_only"), PAGES)
def test_pages(ref, login, persona, request, url, outsider_status, editors_only):
    name = next(p for p in PERSONAS if request.getfixturevalue(p) == persona)
    if name == "outsider":
        expected = outsider_status
    elif editors_only and name not in EDITORS:
        expected = 403
    else:
        expected = 200
    assert login(persona).get(url).status_code == expected


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("path", API_GETS)
def test_api_reads(ref, login, persona, request, path):
    name = next(p for p in PERSONAS if request.getfixturevalue(p) == persona)
    status = login(persona).get("/api/v1/reference" + path).status_code
    assert status == (401 if name == "outsider" else 200)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_api_patch(ref, login, persona, request):
    name = next(p for p in PERSONAS if request.getfixturevalue(p) == persona)
    response = login(persona).patch(
        "/api/v1/reference/catalogue/urea", data=json.dumps({"notes": "x"}), content_type="application/json"
    )
    expected = 200 if name in EDITORS else 401 if name == "outsider" else 403
    assert response.status_code == expected


def test_hs_search_page_query_count(ref, login, analyst, django_assert_max_num_queries):
    client = login(analyst)
    for q in ("28", "acid", "2829.11"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse("reference:hs-search"), {"q": q}).status_code == 200


def test_hs_detail_query_count(ref, login, analyst, django_assert_max_num_queries):
    client = login(analyst)
    client.get(reverse("reference:hs-search"))  # the first request after login also rewrites the session
    with django_assert_max_num_queries(10):
        html = client.get(reverse("reference:hs-detail", args=["28"])).content.decode()
    assert "2829" in html and html.count('href="/reference/hs/28') > 40

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_admin_login_goes_through_allauth_and_its_second_factor(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_is_for_administrators_only(login, admin_user, coordinator):
    assert login(coordinator).get("/admin/").status_code == 302
    assert login(admin_user).get("/admin/").status_code == 200


def test_self_service_email_change_is_switched_off(login, ncp_fr):
    assert login(ncp_fr).get("/accounts/email/").status_code == 404


def test_pages_carry_a_strict_content_security_policy(login, coordinator):
    response = login(coordinator).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_loads_anything_from_another_site(login, coordinator):
    body = login(coordinator).get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_api_errors_use_one_json_format(client):
    response = client.get("/api/v1/directory/people")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"status": 401, "code": "unauthenticated", "message": "Authentication required."}
    }


def test_openapi_document_and_docs_page(login, coordinator, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Global Shield Hub API"
    paths = spec["paths"]
    assert "/api/v1/directory/people" in paths and "/api/v1/me" in paths and "/api/v1/reference/hs" in paths
    docs = login(coordinator).get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()  # vendored, no CDN
    assert "cdn." not in docs.content.decode()


def test_navigation_polls_the_unread_count_for_exchange_users(login, ncp_fr, donor):
    body = login(ncp_fr).get("/").content.decode()
    assert 'hx-get="/exchange/unread-count/"' in body
    body = login(donor).get("/").content.decode()
    assert "/exchange/" not in body  # donors have no exchange

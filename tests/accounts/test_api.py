"""`/api/v1/me` and Bearer-token authentication end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shieldhub.accounts import services
from shieldhub.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _token(user, *, scopes=("read",), days=30):
    token, raw = services.api_token_create(
        actor=user, user=user, name="test", scopes=list(scopes), expires_in_days=days
    )
    return token, raw


def _auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_me_with_a_valid_token(client, ncp_fr, fr_customs):
    token, raw = _token(ncp_fr)
    response = client.get("/api/v1/me", **_auth(raw))
    assert response.status_code == 200
    assert response.json() == {
        "id": ncp_fr.pk,
        "email": "ncp.fr@test.example",
        "full_name": "Claire Martin",
        "roles": ["ncp"],
        "country": "FR",
        "agency": {"id": fr_customs.pk, "name": fr_customs.name, "acronym": "DGDDI"},
        "partner_organisation": "",
        "language": "en",
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_for_a_partner(client, partner_interpol):
    _token_obj, raw = _token(partner_interpol)
    data = client.get("/api/v1/me", **_auth(raw)).json()
    assert data["roles"] == ["partner"] and data["partner_organisation"] == "interpol"
    assert data["country"] == "" and data["agency"] is None


def test_me_with_the_browser_session(login, analyst):
    response = login(analyst).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "analyst@test.example"


def test_unknown_revoked_and_expired_tokens_are_401(client, analyst):
    _assert_error(client.get("/api/v1/me", **_auth("gsh_not-a-token")), 401, "unauthenticated")
    _assert_error(client.get("/api/v1/me"), 401, "unauthenticated")

    revoked, raw = _token(analyst)
    services.api_token_revoke(actor=analyst, token=revoked)
    _assert_error(client.get("/api/v1/me", **_auth(raw)), 401, "unauthenticated")

    expired, raw = _token(analyst)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _assert_error(client.get("/api/v1/me", **_auth(raw)), 401, "unauthenticated")


def test_a_deactivated_persons_token_stops_working(client, admin_user, ncp_ke):
    _token_obj, raw = _token(ncp_ke)
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 200
    services.user_deactivate(actor=admin_user, user=ncp_ke)
    _assert_error(client.get("/api/v1/me", **_auth(raw)), 401, "unauthenticated")


def test_token_list_is_mine_only_and_never_shows_secrets(client, analyst, trainer, django_assert_max_num_queries):
    mine = [_token(analyst)[0] for _ in range(5)]
    _token(trainer)
    _token_obj, raw = _token(analyst)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/me/tokens", **_auth(raw))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 6
    assert {item["id"] for item in data["items"]} >= {t.pk for t in mine}
    assert all("token_hash" not in item for item in data["items"])
    assert raw not in response.text
    assert data["items"][0]["prefix"] == raw[:12]
    assert data["items"][0]["active"] is True


def test_token_list_query_count_does_not_grow(client, analyst, django_assert_max_num_queries):
    _token_obj, raw = _token(analyst)
    for _ in range(40):
        _token(analyst)
    with django_assert_max_num_queries(5):
        data = client.get("/api/v1/me/tokens", **_auth(raw)).json()
    assert data["count"] == 41 and len(data["items"]) == 41


def test_delete_needs_the_write_scope(client, analyst):
    victim, _ = _token(analyst)
    _reader, read_only = _token(analyst, scopes=["read"])
    _assert_error(client.delete(f"/api/v1/me/tokens/{victim.pk}", **_auth(read_only)), 403, "forbidden")
    assert ApiToken.objects.get(pk=victim.pk).revoked_at is None

    _writer, writer = _token(analyst, scopes=["write"])
    response = client.delete(f"/api/v1/me/tokens/{victim.pk}", **_auth(writer))
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=victim.pk).revoked_at is not None


def test_delete_someone_elses_token_is_404(client, analyst, trainer):
    theirs, their_raw = _token(trainer)
    _writer, writer = _token(analyst, scopes=["write"])
    _assert_error(client.delete(f"/api/v1/me/tokens/{theirs.pk}", **_auth(writer)), 404, "not_found")
    assert client.get("/api/v1/me", **_auth(their_raw)).status_code == 200


def test_a_token_can_revoke_itself(client, analyst):
    token, raw = _token(analyst, scopes=["write"])
    assert client.delete(f"/api/v1/me/tokens/{token.pk}", **_auth(raw)).status_code == 204
    _assert_error(client.get("/api/v1/me", **_auth(raw)), 401, "unauthenticated")

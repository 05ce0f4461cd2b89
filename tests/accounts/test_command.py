"""`shieldhub token create|list|revoke`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shieldhub.accounts.models import ApiToken
from shieldhub.core.tokens import hash_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_alone(client, analyst, settings):
    out, err = _run("create", "Analyst@test.example", "--scope", "read", "--scope", "write", "--name", "ETL")
    assert out.endswith("\n") and out.count("\n") == 1
    raw = out.strip()
    assert raw.startswith("gsh_") and " " not in raw
    token = ApiToken.objects.get(user=analyst)
    assert token.token_hash == hash_token(raw)
    assert token.name == "ETL" and token.scopes == ["read", "write"]
    assert raw not in err and token.prefix in err
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["email"] == "analyst@test.example"


def test_create_defaults(analyst, settings):
    out, _err = _run("create", "analyst@test.example")
    token = ApiToken.objects.get(user=analyst)
    assert token.scopes == ["read"]
    assert (token.expires_at - token.created_at).days == settings.API_TOKEN_DEFAULT_DAYS
    assert len(out.splitlines()) == 1


def test_create_refuses_unknown_and_inactive_accounts(db):
    UserFactory(email="gone@test.example", is_active=False, roles=["analyst"])
    out = StringIO()
    with pytest.raises(CommandError, match="No account"):
        call_command("token", "create", "nobody@test.example", stdout=out)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("token", "create", "gone@test.example", stdout=out)
    UserFactory(email="ok@test.example", roles=["analyst"])
    with pytest.raises(CommandError, match="between 1 and 365"):
        call_command("token", "create", "ok@test.example", "--days", "999", stdout=out)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


def test_list_and_revoke(analyst):
    raw = _run("create", "analyst@test.example", "--name", "one")[0].strip()
    listing, _ = _run("list", "analyst@test.example")
    assert raw[:12] in listing and "active" in listing and "one" in listing
    assert raw not in listing
    _out, err = _run("revoke", raw[:12])
    assert "Revoked" in err
    assert ApiToken.objects.get().revoked_at is not None
    listing, _ = _run("list", "analyst@test.example")
    assert "revoked" in listing
    with pytest.raises(CommandError):
        _run("revoke", "gsh_zzzzzzzz")

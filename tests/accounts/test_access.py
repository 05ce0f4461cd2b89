"""Every accounts page × every persona → the expected status (404 hides what may not be seen)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

INVITERS = {"coordinator", "assistant", "admin_user"}
MANAGERS = {"admin_user"}


def _urls(target_pk: int, invitation_pk: int) -> list[tuple[str, str, str, set[str] | None]]:
    """(method, url, description, personas allowed — None means everyone signed in)."""
    return [
        ("get", reverse("accounts:profile"), "profile", None),
        ("get", reverse("accounts:user-list"), "user list", INVITERS),
        ("get", reverse("accounts:user-detail", args=[target_pk]), "user detail", INVITERS),
        ("get", reverse("accounts:user-roles", args=[target_pk]), "roles form", MANAGERS),
        ("get", reverse("accounts:invitation-list"), "invitation list", INVITERS),
        ("get", reverse("accounts:invitation-create"), "invitation form", INVITERS),
        ("post", reverse("accounts:invitation-revoke", args=[invitation_pk]), "revoke", INVITERS),
        ("post", reverse("accounts:user-deactivate", args=[target_pk]), "deactivate", MANAGERS),
    ]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_accounts_pages_by_persona(request, persona, login, coordinator, invite):
    from tests.factories import UserFactory

    target = UserFactory(email="target@test.example", roles=["trainer"])
    invitation, _token = invite(coordinator, email="someone@test.example")
    name = request.node.callspec.params["persona"]
    client = login(persona)
    for method, url, label, allowed in _urls(target.pk, invitation.pk):
        response = getattr(client, method)(url)
        ok = allowed is None or name in allowed
        if ok:
            assert response.status_code in (200, 302), (name, label, response.status_code)
        else:
            assert response.status_code == 404, (name, label, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [reverse("accounts:profile"), reverse("accounts:user-list"), reverse("accounts:invitation-list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

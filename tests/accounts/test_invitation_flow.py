"""The invitation journey in the browser: invite → email → choose a password → enrol TOTP → home."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shieldhub.accounts.models import Invitation, User
from tests.accounts.conftest import link_token

pytestmark = pytest.mark.django_db

STRONG = "Violet-Harbour-Lantern-42"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_full_invitation_journey(client, login, coordinator, fr_customs, django_capture_on_commit_callbacks):
    # 1. The coordinator fills in the invitation form.
    inviter = login(coordinator)
    page = inviter.get(reverse("accounts:invitation-create"))
    assert page.status_code == 200
    assert "Invite someone" in page.text
    assert 'value="admin"' not in page.text  # only Administrators may grant that role
    with django_capture_on_commit_callbacks(execute=True):
        response = inviter.post(
            reverse("accounts:invitation-create"),
            {
                "email": "claire.nouvelle@douane.example",
                "full_name": "Claire Nouvelle",
                "language": "fr",
                "roles": ["ncp"],
                "country": "FR",
                "agency": fr_customs.pk,
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("accounts:invitation-list")
    assert "An invitation has been sent to claire.nouvelle@douane.example." in response.text
    assert "claire.nouvelle@douane.example" in response.text

    # 2. The email, in French, carries the one-time link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire.nouvelle@douane.example"]
    assert '<html lang="fr">' in message.alternatives[0][0]
    token = link_token(message)
    inviter.logout()

    # 3. The invitee opens the link: the page speaks French (allauth's and Django's catalogues).
    url = reverse("accounts:invitation-accept", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "claire.nouvelle@douane.example" in page.text

    # 4. A weak password is refused with the validators' messages; nothing is created.
    response = client.post(url, {"full_name": "Claire Nouvelle", "password1": "azerty", "password2": "azerty"})
    assert response.status_code == 200
    assert 'class="field has-error"' in response.text
    assert "errorlist" in response.text
    assert not User.objects.filter(email="claire.nouvelle@douane.example").exists()
    response = client.post(url, {"full_name": "Claire Nouvelle", "password1": STRONG, "password2": STRONG + "x"})
    assert "errorlist" in response.text
    assert not User.objects.filter(email="claire.nouvelle@douane.example").exists()

    # 5. A good password creates the account and signs the person in; MFA enrolment comes first.
    response = client.post(url, {"full_name": "Claire Nouvelle", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    user = User.objects.get(email="claire.nouvelle@douane.example")
    assert user.roles == frozenset({"ncp"}) and user.country == "FR" and user.agency == fr_customs
    assert user.language == "fr"
    assert int(client.session["_auth_user_id"]) == user.pk
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("mfa_activate_totp")

    # 6. The TOTP page shows the QR code (a data URI) and the secret in text.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert 'src="data:image/svg+xml;base64,' in page.text
    assert secret in page.text
    assert 'class="auth-box' in page.text

    # A wrong code is refused.
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Authenticator.objects.filter(user=user).exists()

    # 7. A valid code activates TOTP; recovery codes are shown; home is reachable.
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert 'id="recovery_codes"' in response.text
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "Claire" in home.text

    # 8. The link is dead now, even for someone else.
    client.logout()
    again = client.get(url)
    assert again.status_code == 404
    assert "claire.nouvelle@douane.example" not in again.text
    response = client.post(url, {"full_name": "X", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 404
    assert User.objects.filter(email="claire.nouvelle@douane.example").count() == 1


def _invalid_page_text(client, token: str) -> str:
    response = client.get(reverse("accounts:invitation-accept", args=[token]))
    assert response.status_code == 404
    assert "This invitation link cannot be used" in response.text
    assert "new.person@test.example" not in response.text
    assert "<form" not in response.text.split("<main", 1)[1]  # nothing to fill in
    return response.text


def test_expired_revoked_reused_and_unknown_links_look_the_same(client, coordinator, invite):
    from shieldhub.accounts import services

    expired, expired_token = invite(coordinator, email="new.person@test.example")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    _invalid_page_text(client, expired_token)

    revoked, revoked_token = invite(coordinator, email="new.person@test.example")
    services.invitation_revoke(actor=coordinator, invitation=revoked)
    _invalid_page_text(client, revoked_token)

    _used, used_token = invite(coordinator, email="new.person@test.example")
    services.invitation_accept(token=used_token, password=STRONG, full_name="N")
    _invalid_page_text(client, used_token)

    _invalid_page_text(client, "not-a-real-token")


def test_a_signed_in_person_is_asked_to_sign_out_first(login, analyst, coordinator, invite):
    _invitation, token = invite(coordinator)
    client = login(analyst)
    response = client.get(reverse("accounts:invitation-accept", args=[token]))
    assert response.status_code == 409
    assert "You are already signed in" in response.text
    assert "analyst@test.example" in response.text

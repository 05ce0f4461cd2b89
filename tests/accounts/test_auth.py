"""Signing in: password + TOTP, mandatory MFA, rate limiting, idle sessions, hashing, password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from shieldhub.accounts.models import User
from tests.accounts.conftest import totp_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


def _sign_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_password_then_totp_code(client, ncp_fr):
    response = _sign_in(client, "ncp.fr@test.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert "Two-Factor Authentication" in page.text
    assert 'class="auth-box"' in page.text
    assert 'name="code"' in page.text

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "errorlist" in wrong.text
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(ncp_fr.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert int(client.session["_auth_user_id"]) == ncp_fr.pk
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "Claire" in home.text


def test_login_email_is_case_insensitive(client, analyst):
    response = _sign_in(client, "Analyst@Test.Example")
    assert response["Location"] == reverse("mfa_authenticate")


def test_wrong_password_is_refused(client, analyst):
    response = _sign_in(client, "analyst@test.example", "not the password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text


def test_inactive_account_cannot_sign_in(client):
    UserFactory(email="gone@test.example", is_active=False, roles=["analyst"])
    response = _sign_in(client, "gone@test.example")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] != reverse("mfa_authenticate")


@pytest.mark.parametrize(
    "url_name",
    ["core:home", "accounts:profile", "accounts:user-list", "accounts:invitation-list", "core:audit-list"],
)
def test_a_user_without_mfa_is_sent_to_enrolment_from_any_page(client, url_name):
    user = UserFactory(email="nomfa@test.example", roles=["coordinator"], mfa=False)
    client.force_login(user)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_enrolment_pages_and_sign_out_stay_reachable_without_mfa(client):
    user = UserFactory(email="nomfa@test.example", roles=["analyst"], mfa=False)
    client.force_login(user)
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_removing_the_last_authenticator_sends_the_user_back_to_enrolment(login, analyst):
    from allauth.mfa.models import Authenticator

    client = login(analyst)
    assert client.get(reverse("core:home")).status_code == 200
    client.get(reverse("mfa_index"))  # a visit to the two-factor pages…
    Authenticator.objects.filter(user=analyst).delete()  # …where the app is deactivated
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_login_rate_limit_refuses_even_the_right_password(client, analyst, settings):
    limit = settings.LOGIN_ATTEMPTS_LIMIT
    for _ in range(limit):
        response = _sign_in(client, "analyst@test.example", "wrong password")
        assert "not correct" in response.text
    response = _sign_in(client, "analyst@test.example")
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert reverse("mfa_authenticate") not in response.get("Location", "")
    assert "_auth_user_id" not in client.session


def test_idle_session_expires(login, ncp_fr, analyst, settings):
    client = login(ncp_fr)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    idle = settings.SESSION_IDLE_MINUTES_NCP * 60
    session["last_seen"] = int(timezone.now().timestamp()) - idle + 60  # still within the limit
    session.save()
    assert client.get(reverse("core:home")).status_code == 200

    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - idle - 1
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?expired=1"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "Your session ended after a period of inactivity" in page.text


def test_secretariat_sessions_last_longer(login, analyst, settings):
    client = login(analyst)
    client.get(reverse("core:home"))
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - settings.SESSION_IDLE_MINUTES_NCP * 60 - 60
    session.save()
    assert client.get(reverse("core:home")).status_code == 200


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_stored_with_argon2(coordinator, invite):
    from shieldhub.accounts import services

    _invitation, token = invite(coordinator)
    user = services.invitation_accept(token=token, password="Violet-Harbour-Lantern-42", full_name="N")
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$")
    assert "Violet" not in stored
    assert User.objects.get(pk=user.pk).check_password("Violet-Harbour-Lantern-42")


def test_password_reset_sends_an_email_and_the_link_works(client, analyst):
    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    assert 'class="auth-box"' in page.text
    response = client.post(reverse("account_reset_password"), {"email": "analyst@test.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["analyst@test.example"]
    assert message.subject.startswith("[Global Shield Hub]")
    link = re.search(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+/", message.body)
    assert link, message.body
    done = client.get(response["Location"])
    assert "We have sent you an email" in done.text

    path = link.group(0).split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Change Password" in form_page.text
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    new = "Another-Strong-Password-77"
    changed = client.post(action, {"password1": new, "password2": new})
    assert changed.status_code == 302
    assert User.objects.get(pk=analyst.pk).check_password(new)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, analyst):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@test.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_sign_in_sign_out_and_failed_attempts_are_audited(client, ncp_fr):
    from shieldhub.core.models import AuditEntry

    _sign_in(client, "ncp.fr@test.example", "wrong password")
    failed = AuditEntry.objects.get(action="accounts.user.login_failed")
    assert failed.extra["email"] == "ncp.fr@test.example"
    assert "wrong password" not in str(failed.extra) + str(failed.changes)

    _sign_in(client, "ncp.fr@test.example")
    assert not AuditEntry.objects.filter(action="accounts.user.login").exists()  # second factor still due
    client.post(reverse("mfa_authenticate"), {"code": totp_code(ncp_fr.totp_secret)})
    login = AuditEntry.objects.get(action="accounts.user.login")
    assert login.actor == ncp_fr and login.ip_address == "127.0.0.1"

    client.post(reverse("account_logout"))
    assert AuditEntry.objects.filter(action="accounts.user.logout", actor=ncp_fr).exists()


def test_activity_is_recorded_at_most_once_a_minute(login, ncp_fr):
    """A page's many requests write the session once; a request a minute later touches it again."""
    client = login(ncp_fr)
    client.get(reverse("core:home"))
    session = client.session
    recent = int(timezone.now().timestamp()) - 10
    session["last_seen"] = recent
    session.save()
    client.get(reverse("core:home"))
    assert client.session["last_seen"] == recent  # not rewritten within the minute
    session = client.session
    session["last_seen"] = recent - 60
    session.save()
    client.get(reverse("core:home"))
    assert client.session["last_seen"] > recent  # touched again

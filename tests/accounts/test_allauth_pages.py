"""allauth's pages wear the project's layout, speak the user's language and offer no sign-up."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

BRAND = 'class="brand"'


def _assert_project_page(text: str) -> None:
    assert BRAND in text  # base.html's top bar
    assert "/static/css/shieldhub.css" in text
    assert "/static/accounts/accounts.css" in text
    assert "<title>" in text and "Global Shield Hub</title>" in text


def test_login_page_uses_the_project_look_and_has_no_sign_up(client):
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert 'class="auth-box"' in page.text
    assert 'name="login"' in page.text and 'name="password"' in page.text
    assert reverse("account_reset_password") in page.text
    assert "/accounts/signup/" not in page.text
    assert "sign up" not in page.text.lower()
    assert "<title>Sign In" in page.text


def test_login_page_in_french(client):
    client.cookies["shieldhub_language"] = "fr"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in page.text
    assert "Se connecter" in page.text  # our catalogue translates the strings of the overridden templates


def test_signup_is_closed(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert "Accounts are created by invitation" in page.text
    assert 'name="password1"' not in page.text


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("account_reset_password", "Password Reset"),
        ("account_reset_password_done", "We have sent you an email"),
    ],
)
def test_password_reset_pages(client, url_name, expected):
    page = client.get(reverse(url_name))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert 'class="auth-box"' in page.text
    assert expected in page.text


def test_bad_reset_key_page(client):
    page = client.get("/accounts/password/reset/key/1-bad-key/", follow=True)
    assert page.status_code == 200
    assert "Bad Token" in page.text
    assert 'class="auth-box"' in page.text


def test_logout_page(login, analyst):
    page = login(analyst).get(reverse("account_logout"))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert "Are you sure you want to sign out?" in page.text


def test_mfa_index_page(login, analyst):
    page = login(analyst).get(reverse("mfa_index"))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert "Authenticator App" in page.text
    assert "Security Keys" in page.text
    assert "Recovery Codes" in page.text
    assert reverse("mfa_deactivate_totp") in page.text
    assert 'class="card"' in page.text


def test_recovery_codes_are_generated_viewed_and_downloaded(login, analyst):
    client = login(analyst)
    session = client.session
    # allauth asks to re-authenticate before generating codes; record a fresh password check.
    import time

    session["account_authentication_methods"] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session["account_authentication_methods_user"] = str(analyst.pk)
    session.save()
    page = client.get(reverse("mfa_generate_recovery_codes"))
    assert page.status_code == 200
    assert "You are about to generate a new set of recovery codes" in page.text
    response = client.post(reverse("mfa_generate_recovery_codes"), follow=True)
    assert 'id="recovery_codes"' in response.text
    codes = response.text.split('id="recovery_codes"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0].split()
    assert len(codes) == 10
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200
    assert download.content.decode().split() == codes


def test_reauthentication_page(login, analyst):
    page = login(analyst).get(reverse("mfa_generate_recovery_codes"), follow=True)
    assert page.status_code == 200
    assert "Confirm Access" in page.text
    assert 'class="auth-box"' in page.text
    _assert_project_page(page.text)


def test_security_keys_page_uses_project_elements(login, analyst):
    page = login(analyst).get(reverse("mfa_list_webauthn"))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert "No security keys have been added." in page.text
    assert 'class="btn"' in page.text


def test_password_change_page(login, analyst):
    page = login(analyst).get(reverse("account_change_password"))
    assert page.status_code == 200
    _assert_project_page(page.text)
    assert 'name="oldpassword"' in page.text and 'class="card stacked"' in page.text


def test_no_inline_scripts_on_allauth_pages(client, login, analyst):
    """The CSP forbids inline scripts: only src= scripts and JSON data blocks are allowed."""
    import re

    pages = [client.get(reverse("account_login")).text, login(analyst).get(reverse("mfa_index")).text]
    for text in pages:
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, tag

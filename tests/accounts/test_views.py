"""People, invitations and profile pages: what each page shows and does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shieldhub.accounts import services
from shieldhub.accounts.models import ApiToken, Invitation, User
from shieldhub.core.models import AuditEntry
from shieldhub.core.tokens import hash_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- people list and detail --------------------------------------------------------------------


def test_user_list_shows_people_roles_and_filters(login, coordinator, ncp_fr, ncp_ke, partner_interpol):
    UserFactory(email="former@test.example", full_name="Fiona Former", roles=["analyst"], is_active=False)
    client = login(coordinator)
    page = client.get(reverse("accounts:user-list"))
    assert page.status_code == 200
    for text in ["Claire Martin", "John Otieno", "Ian Interpol", "Fiona Former", "National Contact Point", "France"]:
        assert text in page.text
    assert "Deactivated" in page.text

    by_country = client.get(reverse("accounts:user-list"), {"country": "KE"})
    assert "John Otieno" in by_country.text and "Claire Martin" not in by_country.text

    by_role = client.get(reverse("accounts:user-list"), {"role": "partner"})
    assert "Ian Interpol" in by_role.text and "John Otieno" not in by_role.text

    inactive = client.get(reverse("accounts:user-list"), {"active": "no"})
    assert "Fiona Former" in inactive.text and "Cora Coordinator" not in inactive.text

    search = client.get(reverse("accounts:user-list"), {"q": "otieno"})
    assert "John Otieno" in search.text and "Claire Martin" not in search.text
    assert "1 account" in search.text


def test_user_list_query_count_is_constant(login, coordinator, django_assert_max_num_queries, fr_customs):
    client = login(coordinator)
    for i in range(40):
        UserFactory(email=f"p{i}@test.example", roles=["ncp", "trainer"], country="FR", agency=fr_customs, mfa=i % 2)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("accounts:user-list"))
    assert page.text.count("National Contact Point") >= 40


def test_user_detail_for_assistant_has_no_admin_actions(login, assistant, ncp_fr):
    page = login(assistant).get(reverse("accounts:user-detail", args=[ncp_fr.pk]))
    assert page.status_code == 200
    assert "Claire Martin" in page.text and "ncp.fr@test.example" in page.text
    assert "Change roles" not in page.text
    assert reverse("accounts:user-deactivate", args=[ncp_fr.pk]) not in page.text
    assert login(assistant).post(reverse("accounts:user-deactivate", args=[ncp_fr.pk])).status_code == 404
    assert login(assistant).get(reverse("accounts:user-roles", args=[ncp_fr.pk])).status_code == 404
    ncp_fr.refresh_from_db()
    assert ncp_fr.is_active


def test_admin_changes_roles_through_the_form(login, admin_user, analyst, ke_customs):
    client = login(admin_user)
    page = client.get(reverse("accounts:user-roles", args=[analyst.pk]))
    assert page.status_code == 200
    assert 'value="admin"' in page.text
    assert re.search(r'value="analyst"[^>]*checked', page.text)
    assert not re.search(r'value="trainer"[^>]*checked', page.text)

    refused = client.post(reverse("accounts:user-roles", args=[analyst.pk]), {"roles": ["ncp"], "country": ""})
    assert refused.status_code == 200
    assert "must be bound to a country" in refused.text

    response = client.post(
        reverse("accounts:user-roles", args=[analyst.pk]),
        {"roles": ["ncp"], "country": "KE", "agency": ke_customs.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:user-detail", args=[analyst.pk])
    assert "have been saved" in response.text
    assert "National Contact Point" in response.text and "Kenya" in response.text
    fresh = User.objects.get(pk=analyst.pk)
    assert fresh.roles == frozenset({"ncp"}) and fresh.country == "KE"


def test_admin_deactivates_and_reactivates(login, admin_user, ncp_fr):
    client = login(admin_user)
    response = client.post(reverse("accounts:user-deactivate", args=[ncp_fr.pk]), follow=True)
    assert "can no longer sign in" in response.text
    assert "This account is deactivated" in response.text
    assert not User.objects.get(pk=ncp_fr.pk).is_active
    response = client.post(reverse("accounts:user-reactivate", args=[ncp_fr.pk]), follow=True)
    assert "can sign in again" in response.text
    assert User.objects.get(pk=ncp_fr.pk).is_active


def test_admin_cannot_deactivate_themselves(login, admin_user):
    client = login(admin_user)
    page = client.get(reverse("accounts:user-detail", args=[admin_user.pk]))
    assert reverse("accounts:user-deactivate", args=[admin_user.pk]) not in page.text
    response = client.post(reverse("accounts:user-deactivate", args=[admin_user.pk]), follow=True)
    assert "You cannot deactivate your own account." in response.text
    assert User.objects.get(pk=admin_user.pk).is_active


def test_a_deactivated_person_is_signed_out(client, login, admin_user, ncp_fr):
    ncp_client = login(ncp_fr)
    assert ncp_client.get(reverse("core:home")).status_code == 200
    services.user_deactivate(actor=admin_user, user=ncp_fr)
    response = ncp_client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- invitations -------------------------------------------------------------------------------


def test_invitation_form_offers_the_admin_role_only_to_administrators(login, assistant, admin_user):
    assert 'value="admin"' not in login(assistant).get(reverse("accounts:invitation-create")).text
    assert 'value="admin"' in login(admin_user).get(reverse("accounts:invitation-create")).text


def test_assistant_cannot_post_the_admin_role(login, assistant):
    response = login(assistant).post(
        reverse("accounts:invitation-create"),
        {"email": "boss@test.example", "full_name": "Boss", "language": "en", "roles": ["admin"]},
    )
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invitation_form_shows_service_errors_on_fields(login, coordinator, analyst):
    client = login(coordinator)
    response = client.post(
        reverse("accounts:invitation-create"),
        {"email": "analyst@test.example", "full_name": "A", "language": "en", "roles": ["analyst"]},
    )
    assert "This address already has an account." in response.text
    response = client.post(
        reverse("accounts:invitation-create"),
        {"email": "p@test.example", "full_name": "P", "language": "en", "roles": ["partner"]},
    )
    assert "must belong to a partner organisation" in response.text
    assert not Invitation.objects.exists()


def test_invitation_list_statuses_and_actions(login, coordinator, invite, django_capture_on_commit_callbacks):
    pending, _ = invite(coordinator, email="pending@test.example")
    expired, _ = invite(coordinator, email="expired@test.example")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    accepted, token = invite(coordinator, email="accepted@test.example")
    services.invitation_accept(token=token, password="Violet-Harbour-Lantern-42", full_name="Acc")

    client = login(coordinator)
    page = client.get(reverse("accounts:invitation-list"))  # pending by default
    assert "pending@test.example" in page.text
    assert "expired@test.example" not in page.text and "accepted@test.example" not in page.text
    everything = client.get(reverse("accounts:invitation-list"), {"status": ""})
    for email in ["pending@test.example", "expired@test.example", "accepted@test.example"]:
        assert email in everything.text
    assert "View account" in everything.text
    expired_page = client.get(reverse("accounts:invitation-list"), {"status": "expired"})
    assert "expired@test.example" in expired_page.text and "pending@test.example" not in expired_page.text
    assert reverse("accounts:invitation-resend", args=[expired.pk]) in expired_page.text

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:invitation-resend", args=[expired.pk]), follow=True)
    assert "A new invitation link has been sent to expired@test.example" in response.text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["expired@test.example"]

    response = client.post(reverse("accounts:invitation-revoke", args=[pending.pk]), follow=True)
    assert "has been revoked" in response.text
    assert Invitation.objects.get(pk=pending.pk).status == "revoked"

    response = client.post(reverse("accounts:invitation-resend", args=[accepted.pk]), follow=True)
    assert "already been accepted" in response.text


def test_invitation_list_query_count(login, coordinator, invite, django_assert_max_num_queries):
    for i in range(30):
        invite(coordinator, email=f"i{i}@test.example", roles=["ncp"], country="FR")
    client = login(coordinator)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("accounts:invitation-list"))
    assert page.text.count("@test.example") >= 30


# --- profile and tokens ------------------------------------------------------------------------


def test_profile_shows_account_language_mfa_and_tokens(login, ncp_fr):
    services.api_token_create(actor=ncp_fr, user=ncp_fr, name="Nightly sync", scopes=["read"], expires_in_days=30)
    page = login(ncp_fr).get(reverse("accounts:profile"))
    assert page.status_code == 200
    for text in [
        "Claire Martin",
        "ncp.fr@test.example",
        "National Contact Point",
        "France",
        "DGDDI",
        "Nightly sync",
        "Authenticator app",
        reverse("mfa_index"),
        reverse("accounts:set-language"),
        'name="expires_in_days"',
        'value="90"',
    ]:
        assert text in page.text, text
    assert "Active" in page.text  # the authenticator app


def test_profile_language_form_saves_the_preference(login, analyst):
    client = login(analyst)
    response = client.post(
        reverse("accounts:set-language"), {"language": "fr", "next": reverse("accounts:profile")}, follow=True
    )
    assert User.objects.get(pk=analyst.pk).language == "fr"
    assert '<html lang="fr">' in response.text
    assert AuditEntry.objects.filter(action="accounts.user.set_language").exists()


def test_token_is_shown_once_and_only_its_hash_is_kept(login, analyst):
    client = login(analyst)
    response = client.post(
        reverse("accounts:token-create"), {"name": "Seizure import", "scopes": ["read", "write"], "expires_in_days": 30}
    )
    assert response.status_code == 200
    assert "it will not be shown again" in response.text
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=analyst)
    raw = response.text.split('id="new-token" value="', 1)[1].split('"', 1)[0]
    assert raw.startswith("gsh_") and hash_token(raw) == token.token_hash
    assert token.scopes == ["read", "write"]

    profile = client.get(reverse("accounts:profile"))
    assert raw not in profile.text
    assert token.prefix in profile.text
    assert "Seizure import" in profile.text


def test_token_form_errors(login, analyst):
    response = login(analyst).post(
        reverse("accounts:token-create"), {"name": "x", "scopes": [], "expires_in_days": 400}
    )
    assert response.status_code == 400
    assert "errorlist" in response.text
    assert not ApiToken.objects.exists()


def test_token_revoke_from_profile_and_others_tokens_are_404(login, analyst, trainer):
    token, _raw = services.api_token_create(actor=analyst, user=analyst, name="t", scopes=["read"], expires_in_days=3)
    assert login(trainer).post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    response = login(analyst).post(reverse("accounts:token-revoke", args=[token.pk]), follow=True)
    assert "has been revoked" in response.text
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert "Revoked" in response.text


def test_people_without_api_use_see_no_token_section(login, outsider):
    page = login(outsider).get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "Personal API tokens" not in page.text


def test_invitation_form_agency_choices_do_not_multiply_queries(login, coordinator, django_assert_max_num_queries):
    from tests.factories import OrganisationFactory

    for i in range(30):
        OrganisationFactory(name=f"Customs {i}", acronym=f"C{i}", country="KE" if i % 2 else "FR")
    client = login(coordinator)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("accounts:invitation-create"))
    assert "KE · Customs 1 (C1)" in page.text
    assert "FR · Customs 0 (C0)" in page.text


def test_unknown_user_is_404(login, coordinator):
    assert login(coordinator).get(reverse("accounts:user-detail", args=[999999])).status_code == 404

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shieldhub.accounts import services
from shieldhub.accounts.models import ApiToken, Invitation, User
from shieldhub.core.models import AuditEntry
from shieldhub.core.tokens import hash_token
from tests.accounts.conftest import link_token
from tests.factories import UserFactory

STRONG = "Violet-Harbour-Lantern-42"

pytestmark = pytest.mark.django_db


# --- invitation_create -------------------------------------------------------------------------


def test_invitation_keeps_only_the_hash_and_emails_a_one_time_link(coordinator, invite, settings):
    invitation, raw = invite(coordinator, email="  New.Person@Test.Example ", roles=["analyst", "trainer"])

    invitation.refresh_from_db()
    assert invitation.email == "new.person@test.example"
    assert invitation.token_hash == hash_token(raw)
    assert raw not in json.dumps(list(Invitation.objects.values()), default=str)
    assert invitation.roles == ["analyst", "trainer"]
    assert invitation.invited_by == coordinator
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=settings.INVITATION_VALID_DAYS)
    assert invitation.status == "pending"

    message = mail.outbox[-1]
    assert message.to == ["new.person@test.example"]
    assert message.subject.startswith("[Global Shield Hub] ")
    assert f"{settings.SITE_URL}/accounts/invitation/{raw}/" in message.body
    assert "Cora Coordinator" in message.body
    assert "Analyst" in message.body and "Trainer" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f"/accounts/invitation/{raw}/" in html
    assert '<html lang="en">' in html

    entry = AuditEntry.objects.get(action="accounts.invitation.create")
    assert entry.actor == coordinator
    assert entry.object_id == str(invitation.pk)
    assert raw not in json.dumps(entry.changes) + json.dumps(entry.extra)


def test_invitation_email_is_written_in_the_invitees_language(coordinator, invite):
    _invitation, _raw = invite(coordinator, language="fr", roles=["ncp"], country="FR")
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert '<html lang="fr">' in html
    # Django's own French catalogue formats the expiry date: the month is spelt in French.
    french_months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    assert any(month in message.body for month in french_months), message.body
    assert "France" in message.body


def test_invitation_email_is_sent_only_when_the_transaction_commits(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_create(
            actor=coordinator, email="later@test.example", full_name="", roles=["analyst"], language="en"
        )
    assert mail.outbox == []
    assert len(callbacks) == 1


INVITERS = ["coordinator", "assistant", "admin_user"]
NON_INVITERS = ["analyst", "trainer", "ncp_fr", "ncp_ke", "partner_interpol", "donor", "outsider"]


@pytest.mark.parametrize("persona", INVITERS, indirect=True)
def test_who_may_invite_allowed(persona, invite):
    invitation, _raw = invite(persona, roles=["ncp"], country="KE")
    assert invitation.pk is not None


@pytest.mark.parametrize("persona", NON_INVITERS, indirect=True)
def test_who_may_invite_refused(persona):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=persona, email="x@test.example", full_name="X", roles=["analyst"], language="en"
        )
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", ["assistant", "coordinator"], indirect=True)
def test_only_an_administrator_may_grant_the_administrator_role(persona, admin_user, invite):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=persona, email="boss@test.example", full_name="Boss", roles=["admin"], language="en"
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=persona, email="boss@test.example", full_name="Boss", roles=["analyst", "admin"], language="en"
        )
    assert not Invitation.objects.exists()
    invitation, _raw = invite(admin_user, email="boss@test.example", roles=["admin"])
    assert invitation.roles == ["admin"]


def test_ncp_needs_a_country_and_a_matching_agency(coordinator, fr_customs, ke_customs):
    base = {"actor": coordinator, "email": "ncp@test.example", "full_name": "N", "language": "en"}
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(**base, roles=["ncp"])
    assert "country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(**base, roles=["ncp"], country="FR", agency=ke_customs)
    assert "agency" in exc.value.message_dict
    invitation = services.invitation_create(**base, roles=["ncp"], country="fr", agency=fr_customs)
    assert invitation.country == "FR"
    assert invitation.agency == fr_customs
    other = services.invitation_create(
        **{**base, "email": "ncp2@test.example"}, roles=["ncp"], country="KE", agency=None
    )
    assert other.agency is None


def test_partner_needs_an_organisation_and_stale_bindings_are_dropped(coordinator, fr_customs):
    base = {"actor": coordinator, "full_name": "P", "language": "en"}
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(**base, email="p@test.example", roles=["partner"])
    assert "partner_organisation" in exc.value.message_dict
    invitation = services.invitation_create(
        **base,
        email="p@test.example",
        roles=["partner"],
        partner_organisation="unodc",
        country="FR",
        agency=fr_customs,
    )
    assert invitation.partner_organisation == "unodc"
    assert not invitation.country and invitation.agency is None
    analyst = services.invitation_create(
        **base, email="a@test.example", roles=["analyst"], partner_organisation="interpol"
    )
    assert analyst.partner_organisation == ""


def test_roles_must_be_known_and_not_empty(coordinator):
    base = {"actor": coordinator, "email": "r@test.example", "full_name": "R", "language": "en"}
    with pytest.raises(ValidationError):
        services.invitation_create(**base, roles=[])
    with pytest.raises(ValidationError):
        services.invitation_create(**base, roles=["superuser"])


def test_refuses_an_address_with_an_account_or_a_pending_invitation(coordinator, analyst, invite):
    base = {"actor": coordinator, "full_name": "X", "roles": ["analyst"], "language": "en"}
    with pytest.raises(ValidationError, match="already has an account"):
        services.invitation_create(**base, email="ANALYST@test.example")
    gone = UserFactory(email="gone@test.example", is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.invitation_create(**base, email=gone.email)
    invite(coordinator, email="twice@test.example")
    with pytest.raises(ValidationError, match="pending"):
        services.invitation_create(**base, email="Twice@test.example")


def test_an_expired_or_revoked_invitation_does_not_block_a_new_one(coordinator, invite):
    first, _ = invite(coordinator, email="again@test.example")
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    second, _ = invite(coordinator, email="again@test.example")
    services.invitation_revoke(actor=coordinator, invitation=second)
    third, _ = invite(coordinator, email="again@test.example")
    assert third.status == "pending"


# --- revoke / resend ---------------------------------------------------------------------------


def test_revoke_kills_the_link(coordinator, assistant, invite):
    invitation, raw = invite(coordinator)
    services.invitation_revoke(actor=assistant, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_accept(token=raw, password=STRONG, full_name="Nina")
    assert AuditEntry.objects.filter(action="accounts.invitation.revoke", actor=assistant).count() == 1


def test_revoke_needs_the_invite_permission(coordinator, analyst, invite):
    invitation, _raw = invite(coordinator)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=analyst, invitation=invitation)


def test_resend_issues_a_new_link_and_the_old_one_dies(coordinator, invite, django_capture_on_commit_callbacks):
    invitation, old = invite(coordinator)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    invitation.refresh_from_db()
    assert invitation.status == "expired"

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(actor=coordinator, invitation=invitation)
    new = link_token(mail.outbox[-1])
    assert new != old
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=6)
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_accept(token=old, password=STRONG, full_name="Nina")
    user = services.invitation_accept(token=new, password=STRONG, full_name="Nina")
    assert user.email == "new.person@test.example"
    with pytest.raises(ValidationError, match="already been accepted"):
        services.invitation_resend(actor=coordinator, invitation=invitation)


def test_assistant_cannot_resend_an_administrator_invitation(admin_user, assistant, invite):
    invitation, _raw = invite(admin_user, roles=["admin"])
    with pytest.raises(PermissionDenied):
        services.invitation_resend(actor=assistant, invitation=invitation)


# --- invitation_accept -------------------------------------------------------------------------


def test_accept_creates_the_account_once(coordinator, fr_customs, invite):
    invitation, raw = invite(coordinator, roles=["ncp"], country="FR", agency=fr_customs, language="fr")
    user = services.invitation_accept(token=raw, password=STRONG, full_name="  Nina Nouvelle ")

    user.refresh_from_db()
    assert user.email == "new.person@test.example"
    assert user.full_name == "Nina Nouvelle"
    assert user.roles == frozenset({"ncp"})
    assert user.country == "FR"
    assert user.agency == fr_customs
    assert user.language == "fr"
    assert user.is_active
    assert check_password(STRONG, user.password)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_user == user
    assert AuditEntry.objects.filter(action="accounts.user.create", object_id=str(user.pk)).exists()
    assert AuditEntry.objects.filter(action="accounts.invitation.accept", actor=user).exists()
    assert STRONG not in json.dumps(list(AuditEntry.objects.values("changes", "extra")))

    with pytest.raises(services.InvitationNotUsable):
        services.invitation_accept(token=raw, password=STRONG, full_name="Again")
    assert User.objects.filter(email="new.person@test.example").count() == 1


def test_accept_keeps_the_invited_name_when_none_is_given(coordinator, invite):
    _invitation, raw = invite(coordinator, full_name="Nina New")
    user = services.invitation_accept(token=raw, password=STRONG, full_name="")
    assert user.full_name == "Nina New"


@pytest.mark.parametrize("token", ["", "nope", "x" * 43])
def test_accept_refuses_unknown_tokens(token):
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_accept(token=token, password=STRONG, full_name="X")


def test_accept_refuses_an_expired_link(coordinator, invite):
    invitation, raw = invite(coordinator)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.InvitationNotUsable):
        services.invitation_accept(token=raw, password=STRONG, full_name="X")
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize("weak", ["short", "password12345", "12345678901234", "new.person@test"])
def test_accept_refuses_weak_passwords_and_keeps_the_link_usable(coordinator, invite, weak):
    invitation, raw = invite(coordinator)
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=raw, password=weak, full_name="Nina New")
    assert "password" in exc.value.message_dict
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not User.objects.filter(email=invitation.email).exists()


# --- users: roles and activation --------------------------------------------------------------


def test_admin_sets_roles_with_bindings(admin_user, analyst, fr_customs):
    services.user_set_roles(actor=admin_user, user=analyst, roles=["ncp", "trainer"], country="FR", agency=fr_customs)
    analyst.refresh_from_db()
    assert analyst.roles == frozenset({"ncp", "trainer"})
    assert analyst.country == "FR" and analyst.agency == fr_customs
    entry = AuditEntry.objects.get(action="accounts.user.set_roles")
    assert entry.changes["roles"] == [["analyst"], ["ncp", "trainer"]]
    services.user_set_roles(actor=admin_user, user=analyst, roles=["analyst"])
    analyst = User.objects.get(pk=analyst.pk)
    assert analyst.roles == frozenset({"analyst"})
    assert not analyst.country and analyst.agency is None


@pytest.mark.parametrize("persona", ["coordinator", "assistant", "analyst", "ncp_fr"], indirect=True)
def test_only_administrators_set_roles(persona, trainer):
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=persona, user=trainer, roles=["admin"])
    assert trainer.role_grants.get().role == "trainer"


def test_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(admin_user):
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=admin_user, user=admin_user, roles=["coordinator"])
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=admin_user, user=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.roles == frozenset({"admin"})


def test_deactivate_and_reactivate(admin_user, ncp_fr, assistant):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=assistant, user=ncp_fr)
    services.user_deactivate(actor=admin_user, user=ncp_fr)
    ncp_fr.refresh_from_db()
    assert not ncp_fr.is_active
    services.user_reactivate(actor=admin_user, user=ncp_fr)
    ncp_fr.refresh_from_db()
    assert ncp_fr.is_active
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["accounts.user.deactivate", "accounts.user.reactivate"]


# --- API tokens --------------------------------------------------------------------------------


def test_api_token_create_returns_the_raw_token_once(ncp_fr, settings):
    token, raw = services.api_token_create(
        actor=ncp_fr, user=ncp_fr, name="Import script", scopes=["write"], expires_in_days=30
    )
    assert raw.startswith("gsh_") and len(raw) > 40
    assert token.prefix == raw[:12]
    assert token.token_hash == hash_token(raw)
    assert token.scopes == ["read", "write"]
    assert dt.timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    entry = AuditEntry.objects.get(action="accounts.api_token.create")
    assert entry.actor == ncp_fr
    assert raw not in json.dumps(entry.changes) + entry.object_repr
    assert entry.changes["prefix"] == [None, token.prefix]


@pytest.mark.parametrize("days", [0, -1, 366, "abc"])
def test_api_token_expiry_is_bounded(analyst, days):
    with pytest.raises(ValidationError):
        services.api_token_create(actor=analyst, user=analyst, name="x", scopes=["read"], expires_in_days=days)


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "delete"]])
def test_api_token_scopes_are_checked(analyst, scopes):
    with pytest.raises(ValidationError):
        services.api_token_create(actor=analyst, user=analyst, name="x", scopes=scopes, expires_in_days=10)


def test_api_tokens_are_personal(admin_user, analyst, outsider):
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=admin_user, user=analyst, name="x", scopes=["read"], expires_in_days=10)
    with pytest.raises(ValidationError):
        services.api_token_create(actor=outsider, user=outsider, name="x", scopes=["read"], expires_in_days=10)
    token, _raw = services.api_token_create(actor=None, user=analyst, name="cli", scopes=["read"], expires_in_days=5)
    assert AuditEntry.objects.get(action="accounts.api_token.create").actor_label == "system"
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=outsider, token=token)
    services.api_token_revoke(actor=analyst, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active

"""Every write on accounts: invitations, roles, activation, personal API tokens, preferences.

Each service checks who may act, validates (`full_clean`), writes inside `transaction.atomic`
and records an audit entry in the same transaction. Secrets (invitation and API tokens) are
never stored or audited in clear: only their SHA-256 is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.accounts.choices import Role, TokenScope
from shieldhub.accounts.emails import send_invitation_email
from shieldhub.accounts.models import ApiToken, Invitation, RoleGrant, User
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.tokens import hash_token, new_invitation_token, new_token, token_prefix

logger = logging.getLogger(__name__)

MAX_TOKEN_DAYS = 365
_INVITATION_AUDIT_FIELDS = [
    "email",
    "full_name",
    "roles",
    "language",
    "country",
    "agency",
    "partner_organisation",
    "invited_by",
    "expires_at",
    "accepted_at",
    "accepted_user",
    "revoked_at",
]
_USER_AUDIT_FIELDS = [
    "email",
    "full_name",
    "language",
    "country",
    "agency",
    "partner_organisation",
    "is_active",
]


class InvitationNotUsable(Exception):
    """The link is unknown, expired, already used or revoked (deliberately not told apart)."""


# --- shared rules ------------------------------------------------------------------------------


def _clean_roles(roles: Iterable[str]) -> list[str]:
    wanted = {str(r) for r in roles}
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role.")})
    if not wanted:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return [r for r in Role.values if r in wanted]  # stable, readable order


def _check_may_grant(actor: Any, roles: list[str]) -> None:
    """Inviting needs ACCOUNTS_INVITE; only an Administrator may hand out the Administrator role."""
    require(actor, Perm.ACCOUNTS_INVITE)
    if Role.ADMIN in roles and not has_perm(actor, Perm.ACCOUNTS_MANAGE):
        raise PermissionDenied(_("Only an Administrator may grant the Administrator role."))


def _country_code(country: Any) -> str:
    if not country:
        return ""
    return str(getattr(country, "code", country)).upper()


def _check_bindings(*, roles: list[str], country: Any, agency: Any, partner_organisation: str) -> tuple[str, Any, str]:
    """NCPs act for a country (and possibly an agency); partner liaisons for an organisation.

    Bindings that do not apply to the roles are dropped, so a record never carries stale ones.
    """
    errors: dict[str, Any] = {}
    code = _country_code(country)
    if Role.NCP in roles:
        if not code:
            errors["country"] = _("A National Contact Point must be bound to a country.")
        elif agency is not None and _country_code(agency.country) not in ("", code):
            errors["agency"] = _("This agency belongs to another country.")
    else:
        code, agency = "", None
    if Role.PARTNER in roles:
        if not partner_organisation:
            errors["partner_organisation"] = _("A partner liaison must belong to a partner organisation.")
    else:
        partner_organisation = ""
    if errors:
        raise ValidationError(errors)
    return code, agency, partner_organisation or ""


def _check_email_free(email: str, *, exclude: Invitation | None = None) -> None:
    existing = User.objects.filter(email__iexact=email).only("is_active").first()
    if existing is not None:
        if existing.is_active:
            raise ValidationError({"email": _("This address already has an account.")})
        raise ValidationError(
            {"email": _("This address belongs to a deactivated account: reactivate it instead of inviting.")}
        )
    pending = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if exclude is not None:
        pending = pending.exclude(pk=exclude.pk)
    if pending.exists():
        raise ValidationError({"email": _("An invitation to this address is still pending: resend it instead.")})


def _invitation_snapshot(invitation: Invitation) -> dict[str, Any]:
    return snapshot(invitation, _INVITATION_AUDIT_FIELDS)


def _user_snapshot(user: User) -> dict[str, Any]:
    data = snapshot(user, _USER_AUDIT_FIELDS)
    data["roles"] = sorted(user.role_grants.values_list("role", flat=True)) if user.pk else []
    return data


def _send_on_commit(invitation: Invitation, raw_token: str) -> None:
    # The raw token lives only in this closure and the email: it is never stored.
    transaction.on_commit(partial(send_invitation_email, invitation=invitation, raw_token=raw_token), robust=True)


# --- invitations -------------------------------------------------------------------------------


def invitation_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    roles: Iterable[str],
    language: str,
    country: Any = None,
    agency: Any = None,
    partner_organisation: str = "",
) -> Invitation:
    """Invite someone: a one-time link valid INVITATION_VALID_DAYS days, emailed in their language."""
    role_list = _clean_roles(roles)
    _check_may_grant(actor, role_list)
    email = User.objects.normalize_email((email or "").strip()).lower()
    code, agency, partner_organisation = _check_bindings(
        roles=role_list, country=country, agency=agency, partner_organisation=partner_organisation
    )
    raw = new_invitation_token()
    now = timezone.now()
    invitation = Invitation(
        email=email,
        full_name=(full_name or "").strip(),
        roles=role_list,
        language=language,
        country=code,
        agency=agency,
        partner_organisation=partner_organisation,
        token_hash=hash_token(raw),
        invited_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    with transaction.atomic():
        _check_email_free(email)
        invitation.full_clean()
        invitation.save()
        audit_record(
            actor=actor,
            action="accounts.invitation.create",
            obj=invitation,
            changes=diff(None, _invitation_snapshot(invitation)),
        )
        _send_on_commit(invitation, raw)
    return invitation


def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    require(actor, Perm.ACCOUNTS_INVITE)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been accepted."))
        if invitation.revoked_at is not None:
            return invitation
        before = _invitation_snapshot(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.invitation.revoke",
            obj=invitation,
            changes=diff(before, _invitation_snapshot(invitation)),
        )
    return invitation


def invitation_resend(*, actor: Any, invitation: Invitation) -> Invitation:
    """A fresh link with a fresh validity period; the previous link stops working."""
    _check_may_grant(actor, list(invitation.roles))
    raw = new_invitation_token()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been accepted."))
        if invitation.revoked_at is not None:
            raise ValidationError(_("This invitation has been revoked."))
        _check_email_free(invitation.email, exclude=invitation)
        before = _invitation_snapshot(invitation)
        invitation.token_hash = hash_token(raw)
        invitation.expires_at = timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS)
        invitation.full_clean()
        invitation.save(update_fields=["token_hash", "expires_at"])
        audit_record(
            actor=actor,
            action="accounts.invitation.resend",
            obj=invitation,
            changes=diff(before, _invitation_snapshot(invitation)),
        )
        _send_on_commit(invitation, raw)
    return invitation


def invitation_accept(*, token: str, password: str, full_name: str) -> User:
    """Create the account an invitation describes. The link works once.

    Raises `InvitationNotUsable` for a link that cannot be used (without saying why) and
    `ValidationError({"password": …})` for a password the validators refuse.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=hash_token(token or "")).first() if token else None
        )
        if invitation is None or not invitation.is_usable:
            raise InvitationNotUsable
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationNotUsable
        user = User(
            email=invitation.email,
            full_name=(full_name or "").strip() or invitation.full_name,
            language=invitation.language,
            country=invitation.country,
            agency_id=invitation.agency_id,
            partner_organisation=invitation.partner_organisation,
        )
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.error_list}) from exc
        user.set_password(password)
        user.full_clean()
        user.save()
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role) for role in _clean_roles(invitation.roles)])
        user.__dict__.pop("roles", None)
        before = _invitation_snapshot(invitation)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(actor=user, action="accounts.user.create", obj=user, changes=diff(None, _user_snapshot(user)))
        audit_record(
            actor=user,
            action="accounts.invitation.accept",
            obj=invitation,
            changes=diff(before, _invitation_snapshot(invitation)),
        )
    return user


# --- users -------------------------------------------------------------------------------------


def user_set_roles(
    *,
    actor: Any,
    user: User,
    roles: Iterable[str],
    country: Any = None,
    agency: Any = None,
    partner_organisation: str = "",
) -> User:
    """Administrators change a person's roles and the country/agency/organisation they act for."""
    require(actor, Perm.ACCOUNTS_MANAGE)
    role_list = _clean_roles(roles)
    if user.pk == getattr(actor, "pk", None) and Role.ADMIN not in role_list:
        raise ValidationError({"roles": _("You cannot remove your own Administrator role.")})
    code, agency, partner_organisation = _check_bindings(
        roles=role_list, country=country, agency=agency, partner_organisation=partner_organisation
    )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _user_snapshot(user)
        user.country = code
        user.agency = agency
        user.partner_organisation = partner_organisation
        user.full_clean()
        user.save(update_fields=["country", "agency", "partner_organisation"])
        RoleGrant.objects.filter(user=user).exclude(role__in=role_list).delete()
        current = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in role_list if r not in current])
        user.__dict__.pop("roles", None)
        changes = diff(before, _user_snapshot(user))
        if changes:
            audit_record(actor=actor, action="accounts.user.set_roles", obj=user, changes=changes)
    return user


def _user_set_active(*, actor: Any, user: User, active: bool) -> User:
    require(actor, Perm.ACCOUNTS_MANAGE)
    if not active and user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        user.__dict__.pop("roles", None)
        audit_record(
            actor=actor,
            action="accounts.user.reactivate" if active else "accounts.user.deactivate",
            obj=user,
            changes={"is_active": [not active, active]},
        )
    return user


def user_deactivate(*, actor: Any, user: User) -> User:
    """The person can no longer sign in; their sessions and API tokens stop working at once."""
    return _user_set_active(actor=actor, user=user, active=False)


def user_reactivate(*, actor: Any, user: User) -> User:
    return _user_set_active(actor=actor, user=user, active=True)


def user_set_language(*, actor: Any, user: User, language: str) -> User:
    if user.language == language:
        return user
    with transaction.atomic():
        before = user.language
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["language"])
        audit_record(
            actor=actor, action="accounts.user.set_language", obj=user, changes={"language": [before, language]}
        )
    return user


# --- personal API tokens -----------------------------------------------------------------------


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    wanted = {str(s) for s in scopes}
    if not wanted or wanted - set(TokenScope.values):
        raise ValidationError({"scopes": _("Choose the read scope, the write scope or both.")})
    wanted.add(TokenScope.READ)  # writing through the API always includes reading
    return [s for s in TokenScope.values if s in wanted]


def api_token_create(
    *, actor: Any, user: User, name: str, scopes: Iterable[str], expires_in_days: int
) -> tuple[ApiToken, str]:
    """A personal token. Returns the record and the raw token, which is shown once and never kept.

    People create their own tokens; the `shieldhub token` command (actor None) acts for the operator.
    """
    if actor is not None and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied
    if not user.is_active or not has_perm(user, Perm.API_USE):
        raise ValidationError(_("This account may not use the API."))
    scope_list = _clean_scopes(scopes)
    try:
        days = int(expires_in_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError({"expires_in_days": _("Choose between 1 and %(max)d days.") % {"max": MAX_TOKEN_DAYS}})
    raw = new_token()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=token_prefix(raw),
        token_hash=hash_token(raw),
        scopes=scope_list,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
        audit_record(
            actor=actor,
            action="accounts.api_token.create",
            obj=token,
            changes=diff(None, snapshot(token, ["user", "name", "prefix", "scopes", "expires_at"])),
        )
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """The owner (or an Administrator, or the operator's command with actor None) revokes a token."""
    if actor is not None and getattr(actor, "pk", None) != token.user_id and not has_perm(actor, Perm.ACCOUNTS_MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.api_token.revoke",
            obj=token,
            changes={"revoked_at": [None, token.revoked_at]},
        )
    return token

"""Every read on accounts, scoped to the acting user.

The people list and invitations are for holders of ACCOUNTS_INVITE (the coordinator, the
project assistant and Administrators); anyone else gets a 404. Everyone sees their own profile,
MFA status and API tokens, and nobody else's tokens.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shieldhub.accounts.choices import InvitationStatus
from shieldhub.accounts.models import ApiToken, Invitation, User
from shieldhub.core.access import Perm, require
from shieldhub.core.tokens import hash_token

_MFA_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def _with_mfa(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.annotate(
        has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type__in=_MFA_TYPES)),
    )


def user_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    """People with an account. Templates read roles from `role_grants.all` (prefetched)."""
    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    f = filters or {}
    qs = _with_mfa(User.objects.select_related("agency").prefetch_related("role_grants")).order_by("email")
    if f.get("role"):
        qs = qs.filter(role_grants__role=f["role"])
    if f.get("country"):
        qs = qs.filter(country=str(f["country"]).upper())
    active = f.get("active")
    if active == "yes":
        qs = qs.filter(is_active=True)
    elif active == "no":
        qs = qs.filter(is_active=False)
    if f.get("q"):
        q = str(f["q"]).strip()
        qs = qs.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    return qs


def user_get(*, user: Any, pk: int) -> User:
    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    try:
        return _with_mfa(User.objects.select_related("agency").prefetch_related("role_grants")).get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def user_profile_get(*, user: Any) -> User:
    """The signed-in person themself."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return User.objects.select_related("agency").prefetch_related("role_grants").get(pk=user.pk)


def _invitation_status_q(status: str) -> Q:
    now = timezone.now()
    if status == InvitationStatus.PENDING:
        return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    if status == InvitationStatus.ACCEPTED:
        return Q(accepted_at__isnull=False)
    if status == InvitationStatus.EXPIRED:
        return Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    if status == InvitationStatus.REVOKED:
        return Q(accepted_at__isnull=True, revoked_at__isnull=False)
    return Q()


def invitation_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Invitation]:
    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    f = filters or {}
    qs = Invitation.objects.select_related("invited_by", "accepted_user", "agency").order_by("-created_at")
    if f.get("status"):
        qs = qs.filter(_invitation_status_q(f["status"]))
    if f.get("q"):
        q = str(f["q"]).strip()
        qs = qs.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    return qs


def invitation_get(*, user: Any, pk: int) -> Invitation:
    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    try:
        return Invitation.objects.select_related("invited_by", "accepted_user", "agency").get(pk=pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, only while it can still be used (public: no acting user)."""
    if not token:
        return None
    invitation = Invitation.objects.select_related("agency").filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def user_invitations(*, user: Any, email: str) -> QuerySet[Invitation]:
    """The invitations sent to one address (shown on a person's page)."""
    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    return Invitation.objects.select_related("invited_by").filter(email__iexact=email).order_by("-created_at")


def agency_choices(*, user: Any) -> QuerySet[Any]:
    """Organisations an NCP may belong to, for the invitation and role forms (through the directory)."""
    from shieldhub.directory.selectors import organisation_choices

    require(user, Perm.ACCOUNTS_INVITE, hide=True)
    return organisation_choices(user=user).only("id", "name", "acronym", "country").order_by("country", "name")


# --- API tokens --------------------------------------------------------------------------------


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    """The signed-in person's own tokens, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def api_token_get(*, user: Any, pk: int) -> ApiToken:
    """One of the person's own tokens; someone else's is a 404."""
    try:
        return api_token_list(user=user).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc


def operator_api_token_list(*, email: str) -> QuerySet[ApiToken]:
    """For the `shieldhub token` command run by the server operator (no acting user)."""
    return ApiToken.objects.select_related("user").filter(user__email__iexact=email).order_by("-created_at")


def operator_api_token_find(*, prefix: str) -> QuerySet[ApiToken]:
    """For `shieldhub token revoke PREFIX` (operator only)."""
    return ApiToken.objects.select_related("user").filter(prefix__startswith=prefix)


def operator_user_get(*, email: str) -> User | None:
    """For the `shieldhub token` command: the account with this address, if any."""
    return User.objects.filter(email__iexact=email.strip()).first()


# --- MFA ---------------------------------------------------------------------------------------


def mfa_status(*, user: Any) -> dict[str, Any]:
    """What protects the person's account: an authenticator app, security keys, recovery codes."""
    authenticators = list(Authenticator.objects.filter(user_id=user.pk))
    totp = any(a.type == Authenticator.Type.TOTP for a in authenticators)
    keys = sum(1 for a in authenticators if a.type == Authenticator.Type.WEBAUTHN)
    recovery = next((a for a in authenticators if a.type == Authenticator.Type.RECOVERY_CODES), None)
    unused = len(recovery.wrap().get_unused_codes()) if recovery is not None else 0
    return {
        "enabled": totp or keys > 0,
        "totp": totp,
        "webauthn_count": keys,
        "recovery_codes_unused": unused,
        "has_recovery_codes": recovery is not None,
    }

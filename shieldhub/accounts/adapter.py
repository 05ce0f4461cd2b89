from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from shieldhub.core.audit import audit_record


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (accounts come from invitations, see accounts.services); sign-ins,
    sign-outs and failed attempts go to the audit log."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        # allauth calls this once every stage (the second factor included) has passed.
        super().login(request, user)
        audit_record(actor=user, action="accounts.user.login", obj=user)

    def logout(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            audit_record(actor=user, action="accounts.user.logout", obj=user)
        super().logout(request)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        # The address typed is recorded (it may be nobody's); the password never is.
        email = str(credentials.get("email") or credentials.get("username") or "")[:254]
        audit_record(
            actor=None, action="accounts.user.login_failed", object_type="accounts.user", extra={"email": email}
        )

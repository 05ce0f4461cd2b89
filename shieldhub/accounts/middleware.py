from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from shieldhub.core.access import is_secretariat

# Paths a signed-in user without MFA may still reach: the enrolment pages themselves,
# logout, language switching and static assets.
MFA_MANAGE_PREFIX = "/accounts/2fa/"
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/language/",
    "/i18n/",
    "/static/",
    "/api/",
    "/favicon",
    "/directory/verify/",  # a contact's one-time self-service link needs no account at all
)


def user_has_mfa(user: object) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


SESSION_TOUCH_SECONDS = 60


class MfaRequiredMiddleware:
    """MFA is mandatory: a signed-in user without TOTP or a passkey is sent to enrol first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.path.startswith(MFA_MANAGE_PREFIX):
            # Authenticators may be removed on these pages: check again on the next page.
            request.session.pop("mfa_enrolled", None)
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not request.session.get("mfa_enrolled")
        ):
            if not user_has_mfa(user):
                return redirect(reverse("mfa_activate_totp"))
            request.session["mfa_enrolled"] = True
        return self.get_response(request)


class IdleSessionMiddleware:
    """Sessions end after a period of inactivity: shorter for NCPs, partners and donors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            minutes = settings.SESSION_IDLE_MINUTES_STAFF if is_secretariat(user) else settings.SESSION_IDLE_MINUTES_NCP
            now = int(timezone.now().timestamp())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > minutes * 60:
                logout(request)
                return redirect(f"{reverse('account_login')}?expired=1")
            # Touch the session at most once a minute: a page with many requests (thumbnails, htmx
            # polls) then writes the session once, not once per request.
            if last is None or now - int(last) >= SESSION_TOUCH_SECONDS:
                request.session["last_seen"] = now
                request.session.set_expiry(minutes * 60)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)

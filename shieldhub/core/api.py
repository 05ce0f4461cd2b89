"""API construction: authentication, the one JSON error format, and the apps' routers.

Errors always look like ``{"error": {"status": 404, "code": "not_found", "message": "...", "details": ...}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from shieldhub.core.access import Perm, has_perm


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer gsh_…` — a personal token, active, unexpired, of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from shieldhub.accounts.models import ApiToken
        from shieldhub.core.tokens import hash_token

        try:
            record = ApiToken.objects.select_related("user").get(token_hash=hash_token(token))
        except ApiToken.DoesNotExist:
            return None
        if not record.is_active or not record.user.is_active or not has_perm(record.user, Perm.API_USE):
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        request.api_scopes = frozenset(record.scopes)  # type: ignore[attr-defined]
        return record.user


class SessionMfaAuth(APIKeyCookie):
    """The browser session (CSRF-checked), only once the user has completed MFA enrolment."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from shieldhub.accounts.middleware import user_has_mfa

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not has_perm(user, Perm.API_USE):
            return None
        if not request.session.get("mfa_enrolled") and not user_has_mfa(user):
            return None
        request.api_scopes = frozenset({"read", "write"})  # type: ignore[attr-defined]
        return user


def require_scope(request: HttpRequest, scope: str) -> None:
    if scope not in getattr(request, "api_scopes", frozenset()):
        raise HttpError(403, _("This token does not have the “%(scope)s” scope.") % {"scope": scope})


def _error(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return api.create_response(request, {"error": body}, status=status)


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Global Shield Hub API",
        version="1",
        description="Programme Global Shield. Authenticate with `Authorization: Bearer <token>` "
        "(create a token on your profile page or with `shieldhub token create`).",
        urls_namespace="api",
        auth=[BearerTokenAuth(), SessionMfaAuth()],
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @api.exception_handler(NinjaValidationError)
    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return _error(api, request, 422, "invalid", _("The request is not valid."), exc.errors)

    @api.exception_handler(ValidationError)
    def on_model_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _error(api, request, 422, "invalid", _("The request is not valid."), details)

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, 401, "unauthenticated", _("Authentication required."))

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(api, request, 403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {
            400: "bad_request",
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            422: "invalid",
        }
        return _error(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    from shieldhub.accounts.api import router as accounts_router
    from shieldhub.analysis.api import router as analysis_router
    from shieldhub.directory.api import router as directory_router
    from shieldhub.entities.api import router as entities_router
    from shieldhub.events.api import router as events_router
    from shieldhub.exchange.api import router as exchange_router
    from shieldhub.reference.api import router as reference_router
    from shieldhub.screening.api import router as screening_router
    from shieldhub.seizures.api import router as seizures_router
    from shieldhub.shipments.api import router as shipments_router

    api.add_router("/me", accounts_router)
    api.add_router("/reference", reference_router)
    api.add_router("/directory", directory_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/seizures", seizures_router)
    api.add_router("/shipments", shipments_router)
    api.add_router("/entities", entities_router)
    api.add_router("/screening", screening_router)
    api.add_router("/events", events_router)
    api.add_router("/analysis", analysis_router)
    return api

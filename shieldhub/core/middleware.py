from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shieldhub.core.request_context import RequestInfo, reset_request_info, set_request_info


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is set by the WSGI server; behind a proxy, configure the server
    # (or the proxy) to pass the real client address there rather than trusting headers.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the client IP available to the audit log for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = set_request_info(RequestInfo(ip_address=client_ip(request), via=via))
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)


CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: every asset is vendored, nothing loads from elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(("/api/v1/docs", "/admin/")):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

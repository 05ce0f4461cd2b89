"""The current request's actor and IP, for the audit log (set by RequestContextMiddleware)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None
    via: str = "web"  # web, api, cli, task


_current: ContextVar[RequestInfo | None] = ContextVar("shieldhub_request", default=None)


def set_request_info(info: RequestInfo | None) -> object:
    return _current.set(info)


def reset_request_info(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_request_info() -> RequestInfo:
    return _current.get() or RequestInfo(via="cli")

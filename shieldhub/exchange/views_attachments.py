"""Exchange pages: attachments. (Contract stub.)"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern

from shieldhub.exchange.models import Message

urlpatterns: list[URLPattern] = []


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """Extra context for the message page (merged over the base context)."""
    return {}

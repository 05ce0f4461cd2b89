"""The invitations panel of the event page: `detail_context(request, event)` returns what
`templates/events/_detail_invitations.html` needs (called by `views.event_detail`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldhub.events.models import Event


def detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    return {}

"""The operations panel of the event page: `detail_context(request, event)` returns what
`templates/events/_detail_operations.html` needs (called by `views.event_detail`): the operation the
event belongs to (as its own event, or as its pre- or post-operational meeting), if visible."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldhub.events.choices import EventKind
from shieldhub.events.models import Event

_KINDS = (EventKind.OPERATION, EventKind.PRE_OPERATIONAL, EventKind.POST_OPERATIONAL)


def detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    if event.kind not in _KINDS:
        return {}
    from shieldhub.events.operations import operation_for_event

    operation = operation_for_event(user=request.user, event=event)
    if operation is None:
        return {}
    role = "pre" if operation.pre_meeting_id == event.pk else "post" if operation.post_meeting_id == event.pk else ""
    return {"panel_operation": operation, "panel_operation_role": role}

"""The invitations panel of the event page: `detail_context(request, event)` returns what
`templates/events/_detail_invitations.html` needs (called by `views.event_detail`).

Managers see the invitations by status with counts and the actions; an NCP (or an addressee) sees
their administration's invitation with the letter and, while it awaits an answer, "Nominate"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldhub.core.access import Perm, has_perm
from shieldhub.events import invitations
from shieldhub.events.choices import InvitationStatus
from shieldhub.events.models import Event


def detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    user = request.user
    if not has_perm(user, Perm.EVENTS_VIEW):
        return {}
    if invitations.can_manage(user):
        counts = invitations.status_counts(user=user, event=event)
        return {
            "invitations_panel": {
                "manage": True,
                "counts": [(value, label, counts.get(value, 0)) for value, label in InvitationStatus.choices],
                "total": sum(counts.values()),
            }
        }
    mine = list(invitations.invitation_list_for_event(user=user, event=event))
    if not mine:
        return {}
    rows = [(inv, invitations.may_answer(user, inv)) for inv in mine]
    return {"invitations_panel": {"manage": False, "rows": rows}}

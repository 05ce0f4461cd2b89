"""The registrations panel of the event page: `detail_context(request, event)` returns what
`templates/events/_detail_registrations.html` needs (called by `views.event_detail`): counts per
status (scoped to what the reader may see), capacity, and the links to the participant list,
badges, attendance, certificates and the evaluation summary (for the secretariat)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shieldhub.events import evaluations, registrations
from shieldhub.events.choices import RegistrationStatus
from shieldhub.events.models import Attendance, Certificate, EvaluationResponse, Event
from shieldhub.events.views_registrations import status_rows


def detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    user = request.user
    own = evaluations.registration_for_user(user=user, event=event)
    if not registrations.can_list(user):
        if own is None:
            return {}
        return {"registrations_panel": {"statuses": [], "approved": registrations.approved_count(event),
                                        "can_manage": False, "evaluation_open": evaluations.eligible(own)}}  # fmt: skip
    counts = registrations.status_counts(event, user=user)
    manage = registrations.can_manage(user)
    panel: dict[str, Any] = {
        "statuses": status_rows(counts),
        "approved": counts.get(RegistrationStatus.APPROVED, 0) if manage else registrations.approved_count(event),
        "can_manage": manage,
        "evaluation_open": own is not None and evaluations.eligible(own),
    }
    if manage:
        panel["attended"] = (
            Attendance.objects.filter(registration__event=event).values("registration_id").distinct().count()
        )
        panel["certificates"] = Certificate.objects.filter(registration__event=event).count()
        panel["evaluations"] = EvaluationResponse.objects.filter(event=event).count()
    return {"registrations_panel": panel}

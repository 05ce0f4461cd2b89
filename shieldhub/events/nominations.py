"""Nominations: the invited administration answers an invitation — an NCP of that country signed in,
or anyone holding the single-use link from the email — by nominating up to `seats` participants
(Registration rows, pending the secretariat's approval) or by declining with a reason.

Passport details go into `PassportDetails` (restricted: `access.passport_visible`), to be deleted
after the event's end plus ``EVENTS_PASSPORT_RETENTION_DAYS`` (default 90) by a daily task
(`passport_details_purge`). Whoever nominated never sees them again: the pages and the API for NCPs
show the registrations without them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shieldhub.core.audit import audit_record
from shieldhub.core.tokens import hash_token
from shieldhub.events import invitations
from shieldhub.events.choices import InvitationStatus, RegistrationStatus
from shieldhub.events.models import Event, Invitation, PassportDetails, Registration
from shieldhub.events.registrations import new_badge_code

DEFAULT_RETENTION_DAYS = 90
PARTICIPANT_FIELDS = (
    "title",
    "given_name",
    "family_name",
    "position",
    "organisation_name",
    "email",
    "phone",
    "gender",
    "language",
    "dietary_needs",
    "accessibility_needs",
    "arrival_on",
    "departure_on",
    "funding_requested",
)
PASSPORT_FIELDS = (
    "name_in_passport",
    "number",
    "nationality",
    "date_of_birth",
    "issued_on",
    "expires_on",
    "issuing_authority",
)


def retention_days() -> int:
    return int(getattr(settings, "EVENTS_PASSPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def passport_delete_after(event: Event) -> dt.date:
    end = timezone.localtime(event.ends_at, ZoneInfo(event.time_zone or "UTC")).date()
    return end + dt.timedelta(days=retention_days())


@dataclass
class Answer:
    """Who answered: a signed-in NCP (`user`) or the holder of the link (`by_link`)."""

    user: Any = None
    by_link: bool = False


def _lock(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("event", "recipient").get(pk=invitation.pk)


def _check_open(invitation: Invitation) -> None:
    if invitation.status not in invitations.ANSWERABLE:
        raise ValidationError(_("This invitation has already been answered."))


def _check_user(user: Any, invitation: Invitation) -> None:
    if not invitations.may_answer(user, invitation):
        raise PermissionDenied


def _create_participants(
    invitation: Invitation, participants: list[dict[str, Any]], nominated_by: Any
) -> list[Registration]:
    if not participants:
        raise ValidationError(_("Nominate at least one participant, or decline the invitation."))
    if len(participants) > invitation.seats:
        raise ValidationError(
            _("Your administration may nominate at most %(seats)s participants.") % {"seats": invitation.seats}
        )
    created = []
    delete_after = passport_delete_after(invitation.event)
    for data in participants:
        registration = Registration(
            event=invitation.event,
            invitation=invitation,
            country=invitation.country,
            status=RegistrationStatus.PENDING,
            nominated_by=nominated_by,
            badge_code=new_badge_code(),
            **{k: data[k] for k in PARTICIPANT_FIELDS if data.get(k) not in (None, "")},
        )
        registration.full_clean()
        registration.save()
        passport = {k: data.get(f"passport_{k}") for k in PASSPORT_FIELDS}
        if passport.get("number"):
            details = PassportDetails(
                registration=registration,
                delete_after=delete_after,
                **{k: v for k, v in passport.items() if v not in (None, "")},
            )
            if not details.name_in_passport:
                details.name_in_passport = registration.full_name
            details.full_clean()
            details.save()
        created.append(registration)
    return created


def _nominate(invitation: Invitation, participants: list[dict[str, Any]], answer: Answer) -> list[Registration]:
    created = _create_participants(invitation, participants, answer.user)
    before = invitation.status
    invitation.status = InvitationStatus.NOMINATED
    invitation.responded_at = timezone.now()
    invitation.token_used_at = timezone.now()  # the link is spent whoever answered
    invitation.save(update_fields=["status", "responded_at", "token_used_at"])
    audit_record(
        actor=answer.user,
        action="events.invitation.nominate",
        obj=invitation,
        changes={"status": [before, invitation.status]},
        # Names and counts only: passport details never enter the audit log.
        extra={
            "by_link": answer.by_link,
            "registrations": [r.pk for r in created],
            "with_passport": sum(1 for r in created if hasattr(r, "passport")),
        },
    )
    return created


def nomination_submit(*, actor: Any, invitation: Invitation, participants: list[dict[str, Any]]) -> list[Registration]:
    """A signed-in NCP of the invited country nominates participants."""
    _check_user(actor, invitation)
    with transaction.atomic():
        locked = _lock(invitation)
        _check_open(locked)
        return _nominate(locked, participants, Answer(user=actor))


def nomination_decline(*, actor: Any, invitation: Invitation, reason: str) -> Invitation:
    _check_user(actor, invitation)
    with transaction.atomic():
        locked = _lock(invitation)
        _check_open(locked)
        return _decline(locked, reason, Answer(user=actor))


def _decline(invitation: Invitation, reason: str, answer: Answer) -> Invitation:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Please give a reason for declining.")]})
    before = invitation.status
    invitation.status = InvitationStatus.DECLINED
    invitation.decline_reason = reason[:2000]
    invitation.responded_at = timezone.now()
    invitation.token_used_at = timezone.now()
    invitation.save(update_fields=["status", "decline_reason", "responded_at", "token_used_at"])
    audit_record(
        actor=answer.user,
        action="events.invitation.decline",
        obj=invitation,
        changes={"status": [before, invitation.status]},
        extra={"by_link": answer.by_link},
    )
    return invitation


def _lock_by_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=hash_token(token or "")).first() if token else None
    )
    if invitation is None:
        raise ValidationError(_("This link is not valid."))
    invitation = Invitation.objects.select_related("event", "recipient").get(pk=invitation.pk)
    state = invitations.link_state(invitation)
    if state != "ok":
        raise ValidationError(_("This link has already been used or has expired."), code=state)
    return invitation


def nomination_submit_by_token(*, token: str, participants: list[dict[str, Any]]) -> list[Registration]:
    """The holder of the single-use link nominates; the link is spent."""
    with transaction.atomic():
        invitation = _lock_by_token(token)
        return _nominate(invitation, participants, Answer(by_link=True))


def nomination_decline_by_token(*, token: str, reason: str) -> Invitation:
    with transaction.atomic():
        invitation = _lock_by_token(token)
        return _decline(invitation, reason, Answer(by_link=True))


def passport_details_purge(*, today: dt.date | None = None) -> int:
    """Delete passport details past their retention date (idempotent; an audit summary, no data)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = PassportDetails.objects.filter(delete_after__lt=today)
        rows = list(due.values_list("pk", "registration__event_id"))
        if not rows:
            return 0
        due.delete()
        audit_record(
            actor=None,
            action="events.passport.purge",
            object_type="events.passportdetails",
            extra={
                "count": len(rows),
                "events": sorted({event_id for _pk, event_id in rows}),
                "today": today.isoformat(),
            },
        )
    return len(rows)

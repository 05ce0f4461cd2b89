"""Certificates of attendance for trainings: issued to participants who attended (all or a
selection), numbered (`<prefix>-<year>-<event>-<n>`), bilingual PDF (English and French on the same
page), generated from the stored facts when downloaded. Issuing writes the participant's training
record and, after commit, emails the certificate with the link to the evaluation form."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.audit import audit_record
from shieldhub.events import training
from shieldhub.events.choices import RegistrationStatus
from shieldhub.events.models import Attendance, Certificate, Event, Registration, Session
from shieldhub.events.pdf import render_pdf


def _prefix() -> str:
    return str(getattr(settings, "EVENTS_CERTIFICATE_PREFIX", "PGS"))


def attended(event: Event) -> QuerySet[Registration]:
    """Approved participants with at least one attendance row."""
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED, attendances__isnull=False)
        .distinct()
        .order_by("country", "family_name", "given_name", "pk")
    )


def _next_number(event: Event) -> str:
    year = event.starts_at.year
    base = f"{_prefix()}-{year}-{event.pk:04d}-"
    taken = Certificate.objects.filter(number__startswith=base).count()
    n = taken + 1
    while Certificate.objects.filter(number=f"{base}{n:03d}").exists():
        n += 1
    return f"{base}{n:03d}"


def certificates_issue(*, actor: Any, event: Event, registration_ids: list[int] | None = None) -> list[Certificate]:
    """Issue certificates to the participants who attended (those in `registration_ids`, or all).
    Participants who already have one keep it. Returns the certificates newly issued."""
    require(actor, Perm.EVENTS_MANAGE)
    candidates = attended(event)
    if registration_ids is not None:
        candidates = candidates.filter(pk__in=registration_ids)
        if not registration_ids:
            raise ValidationError(_("Choose at least one participant."))
    issued: list[Certificate] = []
    trained_on = timezone.localtime(event.ends_at, _zone(event)).date()
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one numbering at a time
        for registration in candidates.filter(certificate__isnull=True).select_related("event", "person"):
            cert = Certificate.objects.create(registration=registration, number=_next_number(event), issued_by=actor)
            training.training_record_for_certificate(actor=actor, registration=registration, trained_on=trained_on)
            audit_record(
                actor=actor,
                action="events.certificate_issue",
                obj=cert,
                extra={"event": event.pk, "registration": registration.pk},
            )
            issued.append(cert)
    from shieldhub.events import tasks_registrations

    ids = [c.registration_id for c in issued]

    def _email() -> None:
        for pk in ids:
            tasks_registrations.certificate_issued.enqueue(registration_id=pk)

    transaction.on_commit(_email)
    return issued


def certificate_get(*, user: Any, registration: Registration) -> Certificate:
    """The registration's certificate (the caller has already seen the registration), else a 404."""
    from django.http import Http404

    cert = Certificate.objects.filter(registration=registration).first()
    if cert is None:
        raise Http404
    return cert


def _zone(event: Event) -> Any:
    try:
        return zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _hours(sessions: list[Session]) -> float:
    seconds = sum(max((s.ends_at - s.starts_at).total_seconds(), 0) for s in sessions)
    return round(seconds / 3600, 1)


def certificate_facts(registrations: list[Registration]) -> list[dict[str, Any]]:
    """What each certificate states: name, the training in both languages, dates, sessions and hours
    attended, the trainers (signature block)."""
    if not registrations:
        return []
    event = registrations[0].event
    sessions = list(Session.objects.filter(event=event))
    rows = Attendance.objects.filter(registration__in=[r.pk for r in registrations]).values_list(
        "registration_id", "session_id"
    )
    attended_by: dict[int, set[int | None]] = {}
    for reg_id, session_id in rows:
        attended_by.setdefault(reg_id, set()).add(session_id)
    zone = _zone(event)
    trainer, _user = training.trainers_of(event)
    facts = []
    for r in registrations:
        seen = attended_by.get(r.pk, set())
        # checked in for the whole event: every session counts
        mine = sessions if None in seen else [s for s in sessions if s.pk in seen]
        cert = getattr(r, "certificate", None)
        facts.append(
            {
                "r": r,
                "number": cert.number if cert else "",
                "issued_on": timezone.localtime(cert.issued_at, zone).date() if cert else None,
                "title_en": event.title_en,
                "title_fr": event.title_fr or event.title_en,
                "starts_on": timezone.localtime(event.starts_at, zone).date(),
                "ends_on": timezone.localtime(event.ends_at, zone).date(),
                "sessions_attended": len(mine),
                "sessions_total": len(sessions),
                "hours": _hours(mine) if sessions else None,
                "trainer": trainer,
                "venue": event.venue_name,
            }
        )
    return facts


def certificate_pdf(registrations: list[Registration]) -> bytes:
    """One bilingual page per certificate (one PDF for one participant, or the combined PDF)."""
    context = {"certificates": certificate_facts(registrations)}
    return render_pdf("events/registrations/pdf/certificate.html", context, "en")


def certificates_for_download(*, user: Any, event: Event) -> list[Registration]:
    require(user, Perm.EVENTS_MANAGE, hide=True)
    return list(
        Registration.objects.filter(event=event, certificate__isnull=False)
        .select_related("event", "certificate")
        .order_by("country", "family_name", "given_name", "pk")
    )


def can_download(user: Any, registration: Registration) -> bool:
    """The secretariat, the participant, and their country's NCP (who already sees the registration)."""
    return has_perm(user, Perm.EVENTS_VIEW)


def audit_download(user: Any, event: Event, count: int) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="events.certificate_download", obj=event, extra={"count": count})

"""Participants of an event: the participant list (XLSX, PDF), badges with a QR code, attendance.

- Exports list the approved participants by country; the passport columns only for
  `events.personal_data` holders; every export is audited.
- Badges: A6 (one per page) or four per A4 page; the QR code encodes the check-in URL holding the
  badge code (`checkin_url`), which a manager's phone opens to record attendance.
- Attendance: by the badge code (QR scanned or typed) or by ticking a list; one row per participant
  and session (or the event as a whole when no session is chosen), with the method and who.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, passport_visible, require
from shieldhub.core.audit import audit_record
from shieldhub.core.spreadsheets import write_xlsx
from shieldhub.events.choices import CheckInMethod, RegistrationStatus
from shieldhub.events.models import Attendance, Event, PassportDetails, Registration, Session
from shieldhub.events.pdf import render_pdf

BADGE_LAYOUTS = ("a6", "a4")


# --- the participant list ----------------------------------------------------------------------


def approved_participants(*, user: Any, event: Event) -> list[Registration]:
    """The approved participants by country then name (secretariat only)."""
    require(user, Perm.EVENTS_MANAGE, hide=True)
    return list(
        Registration.objects.filter(event=event, status=RegistrationStatus.APPROVED)
        .select_related("event")
        .order_by("country", "family_name", "given_name", "pk")
    )


def _passports(user: Any, registrations: list[Registration]) -> dict[int, PassportDetails]:
    if not passport_visible(user):
        return {}
    rows = PassportDetails.objects.filter(registration__in=[r.pk for r in registrations])
    return {p.registration_id: p for p in rows}


def participant_headers(with_passport: bool) -> list[str]:
    headers = [
        _("Country"), _("Family name"), _("Given name"), _("Title"), _("Position"), _("Organisation"),
        _("Email"), _("Phone"), _("Gender"), _("Language"), _("Dietary needs"), _("Accessibility needs"),
        _("Arrival"), _("Departure"), _("Funding requested"),
    ]  # fmt: skip
    if with_passport:
        headers += [
            _("Name as in the passport"), _("Passport number"), _("Nationality"), _("Date of birth"),
            _("Passport issued on"), _("Passport expires on"), _("Issuing authority"),
        ]  # fmt: skip
    return [str(h) for h in headers]


def participant_rows(user: Any, registrations: list[Registration]) -> tuple[list[str], list[list[Any]]]:
    passports = _passports(user, registrations)
    with_passport = passport_visible(user)
    rows = []
    for r in registrations:
        row: list[Any] = [
            r.country.name, r.family_name, r.given_name, r.title, r.position, r.organisation_name, r.email,
            r.phone, r.get_gender_display(), r.get_language_display(), r.dietary_needs, r.accessibility_needs,
            r.arrival_on, r.departure_on, _("yes") if r.funding_requested else _("no"),
        ]  # fmt: skip
        if with_passport:
            p = passports.get(r.pk)
            row += (
                [
                    p.name_in_passport,
                    p.number,
                    p.nationality.name,
                    p.date_of_birth,
                    p.issued_on,
                    p.expires_on,
                    p.issuing_authority,
                ]
                if p
                else [""] * 7
            )
        rows.append(row)
    return participant_headers(with_passport), rows


def _audit_export(user: Any, event: Event, fmt: str, count: int) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            action="events.participants_export",
            obj=event,
            extra={"format": fmt, "rows": count, "passport": passport_visible(user)},
        )


def participants_xlsx(*, user: Any, event: Event) -> bytes:
    registrations = approved_participants(user=user, event=event)
    headers, rows = participant_rows(user, registrations)
    data = write_xlsx(rows, headers, sheet_title=str(_("Participants")))
    _audit_export(user, event, "xlsx", len(rows))
    return data


def participants_pdf(*, user: Any, event: Event, language: str) -> bytes:
    registrations = approved_participants(user=user, event=event)
    passports = _passports(user, registrations)
    groups: dict[str, list[Any]] = {}
    for r in registrations:
        row: Any = r
        row.passport_row = passports.get(r.pk)
        groups.setdefault(str(r.country.name), []).append(row)
    context = {
        "event": event,
        "title": event.title_in(language),
        "groups": sorted(groups.items()),
        "total": len(registrations),
        "with_passport": passport_visible(user),
    }
    data = render_pdf("events/registrations/pdf/participants.html", context, language)
    _audit_export(user, event, "pdf", len(registrations))
    return data


# --- badges ----------------------------------------------------------------------------------


def checkin_url(registration: Registration) -> str:
    """What the badge's QR code encodes: the check-in page of this badge code."""
    return settings.SITE_URL + reverse("events:checkin-code", args=[registration.badge_code])


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(data: str) -> str:
    """The QR code of `data` as an SVG data URI (embedded in the badge's HTML)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data)).decode()


def badges_pdf(
    *, user: Any, event: Event, layout: str = "a6", registrations: list[Registration] | None = None
) -> bytes:
    require(user, Perm.EVENTS_MANAGE, hide=True)
    if registrations is None:
        registrations = approved_participants(user=user, event=event)
    badges = []
    for r in registrations:
        language = r.language or "en"
        badges.append({"r": r, "qr": qr_data_uri(checkin_url(r)), "title": event.title_in(language)})
    layout = layout if layout in BADGE_LAYOUTS else "a6"
    pages = [badges[i : i + 4] for i in range(0, len(badges), 4)] if layout == "a4" else [[b] for b in badges]
    context = {"event": event, "pages": pages, "layout": layout}
    data = render_pdf("events/registrations/pdf/badges.html", context, "en")
    with transaction.atomic():
        audit_record(
            actor=user, action="events.badges_print", obj=event, extra={"count": len(badges), "layout": layout}
        )
    return data


# --- attendance -------------------------------------------------------------------------------


def session_for(event: Event, session_id: Any) -> Session | None:
    """The event's session with this id, None for the whole event (a 404 for another event's)."""
    if session_id in (None, "", "0", 0, "event"):
        return None
    try:
        return Session.objects.get(event=event, pk=int(session_id))
    except (Session.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def registration_by_code(*, user: Any, code: str, event: Event | None = None) -> Registration:
    """The registration with this badge code (managers only; a 404 otherwise)."""
    require(user, Perm.EVENTS_MANAGE, hide=True)
    code = (code or "").strip()
    if "/" in code:  # a pasted check-in URL
        code = code.rstrip("/").rsplit("/", 1)[-1]
    qs = Registration.objects.select_related("event")
    if event is not None:
        qs = qs.filter(event=event)
    try:
        return qs.get(badge_code=code)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def attendance_record(
    *, actor: Any, registration: Registration, session: Session | None, method: str = CheckInMethod.LIST
) -> tuple[Attendance, bool]:
    """Record that the participant attended the session (idempotent). Returns (row, created)."""
    require(actor, Perm.EVENTS_MANAGE)
    if registration.status != RegistrationStatus.APPROVED:
        raise ValidationError(_("Only approved participants can be checked in."))
    if session is not None and session.event_id != registration.event_id:
        raise ValidationError(_("This session belongs to another event."))
    existing = Attendance.objects.filter(registration=registration, session=session).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = Attendance.objects.create(
                registration=registration, session=session, method=method, checked_in_by=actor
            )
            audit_record(
                actor=actor,
                action="events.attendance_record",
                obj=registration,
                extra={"event": registration.event_id, "session": session.pk if session else None, "method": method},
            )
    except IntegrityError:  # checked in by someone else at the same moment
        return Attendance.objects.get(registration=registration, session=session), False
    return row, True


def attendance_remove(*, actor: Any, registration: Registration, session: Session | None) -> bool:
    require(actor, Perm.EVENTS_MANAGE)
    with transaction.atomic():
        deleted, _rows = Attendance.objects.filter(registration=registration, session=session).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="events.attendance_remove",
                obj=registration,
                extra={"event": registration.event_id, "session": session.pk if session else None},
            )
    return bool(deleted)


def attendance_sheet(*, user: Any, event: Event, session: Session | None) -> list[Registration]:
    """The approved participants with `attended` (Attendance or None) for the session."""
    registrations = approved_participants(user=user, event=event)
    rows = {
        a.registration_id: a
        for a in Attendance.objects.filter(registration__event=event, session=session).select_related("checked_in_by")
    }
    sessions_attended: dict[int, int] = {}
    if session is None:
        # The whole-event sheet also says how many sessions each participant was checked in to, so that
        # an event checked in session by session does not look as if nobody came.
        sessions_attended = dict(
            Attendance.objects.filter(registration__event=event, session__isnull=False)
            .order_by()
            .values("registration")
            .annotate(n=Count("pk"))
            .values_list("registration", "n")
        )
    for r in registrations:
        row: Any = r
        row.attended = rows.get(r.pk)
        row.sessions_attended = sessions_attended.get(r.pk, 0)
    return registrations

"""Invitations: who is invited (a selection from the directory through its selectors), the letters,
sending them with a single-use nomination link, reminders and the daily status pass.

Selectors: `invitation_candidates` (the preview of a selection), `invitation_get`,
`invitation_list_for_event`, `status_counts`. Services (`invitation_<verb>(*, actor, ...)`):
`invitation_create_from_selection`, `invitation_update_letter`, `invitation_send`,
`invitation_send_all`, `invitation_remind`, `invitations_mark_no_reply`, `invitations_send_reminders`.

The raw nomination token exists only in the email sent (and its attached letter): the row keeps its
SHA-256 (`token_hash`). Emails leave in the request, after the commit (ARCHITECTURE: "Invitation emails
are sent in the request"); a failed send is logged and the invitation can be sent again (a new link
replaces the old one). A reminder also carries a fresh link, for the same reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shieldhub.core import files
from shieldhub.core.access import Perm, has_perm, invitations_visible_q, user_country, user_perms
from shieldhub.core.audit import audit_record
from shieldhub.core.tokens import hash_token, new_invitation_token
from shieldhub.directory import selectors as directory
from shieldhub.events import letters
from shieldhub.events.choices import InvitationStatus, Language
from shieldhub.events.models import Event, Invitation

logger = logging.getLogger(__name__)

ANSWERABLE = (InvitationStatus.SENT, InvitationStatus.NO_REPLY)
DEFAULT_LINK_DAYS = 60
DEFAULT_REMINDER_DAYS = 7


def link_valid_days() -> int:
    return int(getattr(settings, "EVENTS_NOMINATION_LINK_DAYS", DEFAULT_LINK_DAYS))


def reminder_days_before() -> int:
    return int(getattr(settings, "EVENTS_REMINDER_DAYS_BEFORE", DEFAULT_REMINDER_DAYS))


def can_manage(user: Any) -> bool:
    return has_perm(user, Perm.EVENTS_MANAGE)


# --- selection -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """One addressee of a selection (before the invitation exists)."""

    person: Any
    country: str
    organisation: Any = None
    role: str = ""
    language: str = Language.EN
    already_invited: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.person.pk)

    @property
    def role_label(self) -> str:
        from shieldhub.directory.models import NcpNomination

        return str(dict(NcpNomination._meta.get_field("role").choices or []).get(self.role, self.role))


def invitation_language(person: Any, event: Event) -> str:
    """The addressee's preferred language when a letter exists in it, else the event's first working
    language, else English."""
    codes = {c.value for c in Language}
    preferred = (getattr(person, "preferred_language", "") or "").lower()
    if preferred in codes:
        return preferred
    for code in event.languages or []:
        if code in codes:
            return str(code)
    return Language.EN


_ROLE_RANK = {"primary": 0, "alternate": 1}


def invitation_candidates(
    *,
    user: Any,
    event: Event,
    country: str = "",
    region: str = "",
    community: Any = None,
    role: str = "",
    people: list[Any] | tuple[Any, ...] = (),
    one_per_country: bool = True,
) -> list[Candidate]:
    """The addressees a selection gives, one per administration (the primary NCP first) unless
    `one_per_country` is off; NCPs come from active nominations, hand-picked people are kept as they
    are. Everything is read through the directory's selectors (the manager's own visibility)."""
    if not can_manage(user):
        raise PermissionDenied
    by_network = bool(country or region or community or role)
    found: list[Candidate] = []
    if by_network:
        filters: dict[str, Any] = {"status": "active"}
        if country:
            filters["country"] = country
        if region:
            filters["region"] = region
        if role in ("primary", "alternate"):
            filters["role"] = role
        nominations = directory.nomination_list(user=user, filters=filters)
        if community:
            group = directory.community_get(user=user, pk=getattr(community, "pk", community))
            member_ids = [m.user_id for m in directory.membership_list(user=user, community=group)]
            nominations = nominations.filter(Q(person__user__in=member_ids) | Q(country__in=group.countries or []))
        for nomination in nominations:
            found.append(
                Candidate(
                    person=nomination.person,
                    country=str(nomination.country),
                    organisation=nomination.agency or nomination.person.organisation,
                    role=nomination.role,
                )
            )
        found.sort(key=lambda c: (c.country, _ROLE_RANK.get(c.role, 9), c.person.family_name, c.person.pk))
        if one_per_country:
            seen: set[str] = set()
            unique = []
            for c in found:
                if c.country not in seen:
                    seen.add(c.country)
                    unique.append(c)
            found = unique
    picked_ids = [getattr(p, "pk", p) for p in people if p]
    if picked_ids:
        have = {c.person.pk for c in found}
        for person in directory.person_list(user=user).filter(pk__in=picked_ids):
            if person.pk not in have and person.country:
                found.append(Candidate(person=person, country=str(person.country), organisation=person.organisation))
    # One invitation per person and event: say who already has one.
    invited = set(
        Invitation.objects.filter(event=event, recipient__in=[c.person.pk for c in found]).values_list(
            "recipient_id", flat=True
        )
    )
    for c in found:
        c.language = invitation_language(c.person, event)
        c.already_invited = c.person.pk in invited
        if not c.person.email:
            c.reasons.append(str(_("no email address: the letter can be prepared but not sent")))
    found.sort(key=lambda c: (c.country, _ROLE_RANK.get(c.role, 9), c.person.family_name, c.person.pk))
    return found


# --- selectors -----------------------------------------------------------------------------------


def _visible(user: Any) -> QuerySet[Invitation]:
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise PermissionDenied
    return Invitation.objects.filter(invitations_visible_q(user)).select_related(
        "event", "recipient", "recipient__organisation", "organisation", "template"
    )


def invitation_list_for_event(*, user: Any, event: Event, status: str = "") -> QuerySet[Invitation]:
    qs = _visible(user).filter(event=event).defer("letter_docx")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("country", "recipient__family_name", "pk")


def invitation_get(*, user: Any, pk: Any) -> Invitation:
    """The invitation, or a 404 when this user may not see it."""
    if Perm.EVENTS_VIEW not in user_perms(user):
        raise Http404
    try:
        return _visible(user).get(pk=int(pk))
    except (Invitation.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def invitation_get_managed(*, user: Any, pk: Any) -> Invitation:
    if not can_manage(user):
        raise Http404
    return invitation_get(user=user, pk=pk)


def status_counts(*, user: Any, event: Event) -> dict[str, int]:
    rows = _visible(user).filter(event=event).values("status").annotate(n=Count("pk")).order_by()
    counts = {s.value: 0 for s in InvitationStatus}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a nomination link points to (whatever its state), or None."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("event", "recipient", "organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )


def link_state(invitation: Invitation) -> str:
    """ "ok", "used", "expired" or "closed" (the invitation is no longer awaiting an answer)."""
    if invitation.token_used_at is not None:
        return "used"
    if invitation.token_expires_at is None or invitation.token_expires_at <= timezone.now():
        return "expired"
    if invitation.status not in ANSWERABLE:
        return "closed"
    return "ok"


def may_answer(user: Any, invitation: Invitation) -> bool:
    """An NCP of the invited country (or the addressee with an account) answers for the administration."""
    if invitation.status not in ANSWERABLE or not has_perm(user, Perm.EVENTS_NOMINATE):
        return False
    country = user_country(user)
    return bool(country and country == str(invitation.country)) or invitation.recipient.user_id == user.pk


# --- services ------------------------------------------------------------------------------------


def _snapshot(inv: Invitation) -> dict[str, Any]:
    return {
        "event": inv.event_id,
        "country": str(inv.country),
        "recipient": inv.recipient_id,
        "language": inv.language,
        "status": inv.status,
        "seats": inv.seats,
        "reply_by": inv.reply_by.isoformat() if inv.reply_by else None,
    }


def invitation_create_from_selection(
    *,
    actor: Any,
    event: Event,
    candidates: list[Candidate],
    seats: int = 2,
    reply_by: dt.date | None = None,
) -> list[Invitation]:
    """Prepared (draft) invitations for the candidates not yet invited; nothing is sent."""
    if not can_manage(actor):
        raise PermissionDenied
    created = []
    with transaction.atomic():
        taken = set(Invitation.objects.filter(event=event).values_list("recipient_id", flat=True))
        for c in candidates:
            if c.person.pk in taken:
                continue
            taken.add(c.person.pk)
            inv = Invitation(
                event=event,
                country=c.country,
                recipient=c.person,
                organisation=c.organisation if getattr(c.organisation, "pk", None) else None,
                language=c.language,
                status=InvitationStatus.DRAFT,
                seats=seats,
                reply_by=reply_by or event.reply_by,
                created_by=actor,
            )
            inv.full_clean()
            inv.save()
            audit_record(actor=actor, action="events.invitation.create", obj=inv, changes=_snapshot(inv))
            created.append(inv)
    return created


def invitation_update_letter(
    *,
    actor: Any,
    invitation: Invitation,
    overrides: dict[str, str] | None = None,
    seats: int | None = None,
    reply_by: dt.date | None = None,
    language: str | None = None,
    docx_file: Any = None,
    clear_docx: bool = False,
) -> Invitation:
    """Edit one prepared letter: its wording, places, reply-by date, language, or a corrected .docx."""
    if not can_manage(actor):
        raise PermissionDenied
    if invitation.status != InvitationStatus.DRAFT:
        raise ValidationError(_("This invitation has been sent: its letter can no longer be changed."))
    data = None
    if docx_file is not None:
        name = files.clean_filename(getattr(docx_file, "name", "") or "letter.docx", content_type=files.DOCX)
        data = files.read_upload(docx_file, name, field="docx")
        letters.check_docx(data, name, field="docx")
    with transaction.atomic():
        before = _snapshot(invitation)
        if overrides is not None:
            invitation.overrides = {k: v.strip() for k, v in overrides.items() if k in letters.WORDING_FIELDS and v}
        if seats is not None:
            invitation.seats = seats
        if reply_by is not None:
            invitation.reply_by = reply_by
        if language:
            invitation.language = language
        if data is not None:
            invitation.letter_docx = data
        elif clear_docx:
            invitation.letter_docx = None
        invitation.full_clean()
        invitation.save()
        audit_record(
            actor=actor,
            action="events.invitation.update",
            obj=invitation,
            changes={"before": before, "after": _snapshot(invitation)},
            extra={"edited_wording": sorted(invitation.overrides), "corrected_docx": data is not None},
        )
    return invitation


def nomination_link(raw_token: str) -> str:
    return f"{settings.SITE_URL}{reverse('events:nominate-token', args=[raw_token])}"


def _expiry(invitation: Invitation) -> dt.datetime:
    floor = timezone.now() + dt.timedelta(days=link_valid_days())
    reply_by = invitation.reply_by or invitation.event.reply_by
    if reply_by:
        after_reply = dt.datetime.combine(reply_by + dt.timedelta(days=14), dt.time.max, tzinfo=dt.UTC)
        return max(floor, after_reply)
    return floor


@dataclass
class _Outgoing:
    invitation_id: int
    to: str
    subject: str
    text: str
    html: str
    attachments: list[tuple[str, bytes, str]]


def _compose(invitation: Invitation, raw_token: str, *, reminder: bool) -> _Outgoing:
    """The email and its letter (DOCX and PDF) in the recipient's language, with the link."""
    link = nomination_link(raw_token)
    docx = letters.letter_docx(invitation, nomination_link=link)
    pdf = letters.docx_to_pdf(docx, language=invitation.language)
    with translation.override(invitation.language or Language.EN):
        context = {
            "invitation": invitation,
            "event": invitation.event,
            "event_title": invitation.event.title_in(invitation.language),
            "person": invitation.recipient,
            "link": link,
            "reply_by": invitation.reply_by or invitation.event.reply_by,
            "expires_at": invitation.token_expires_at,
            "reminder": reminder,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("events/invitations/email/invitation_subject.txt", context).strip()
        text = render_to_string("events/invitations/email/invitation_message.txt", context)
        html = render_to_string("events/invitations/email/invitation_message.html", context)
    return _Outgoing(
        invitation_id=invitation.pk,
        to=invitation.recipient.email,
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        text=text,
        html=html,
        attachments=[
            (letters.letter_filename(invitation, "docx"), docx, files.DOCX),
            (letters.letter_filename(invitation, "pdf"), pdf, files.PDF),
        ],
    )


def _deliver(outgoing: _Outgoing) -> None:
    try:
        message = EmailMultiAlternatives(
            subject=outgoing.subject, body=outgoing.text, from_email=settings.DEFAULT_FROM_EMAIL, to=[outgoing.to]
        )
        message.attach_alternative(outgoing.html, "text/html")
        for name, content, mimetype in outgoing.attachments:
            message.attach(name, content, mimetype)
        message.send()
    except Exception:  # a failed send is logged; the invitation can be sent again
        logger.exception("events: invitation %s could not be emailed", outgoing.invitation_id)


def _issue_link(invitation: Invitation) -> str:
    raw = new_invitation_token()
    invitation.token_hash = hash_token(raw)
    invitation.token_expires_at = _expiry(invitation)
    invitation.token_used_at = None
    return raw


def invitation_send(*, actor: Any, invitation: Invitation) -> Invitation:
    """Send (or send again) one invitation: a new single-use link, the letter as DOCX and PDF."""
    if not can_manage(actor):
        raise PermissionDenied
    if invitation.status not in (InvitationStatus.DRAFT, InvitationStatus.SENT):
        raise ValidationError(_("This invitation has been answered; it cannot be sent again."))
    if not invitation.recipient.email:
        raise ValidationError(
            _("%(name)s has no email address in the directory: add one, then send.")
            % {"name": str(invitation.recipient)}
        )
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("event", "recipient").get(pk=invitation.pk)
        before = invitation.status
        raw = _issue_link(invitation)
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = timezone.now()
        outgoing = _compose(invitation, raw, reminder=False)
        invitation.save(update_fields=["token_hash", "token_expires_at", "token_used_at", "status", "sent_at"])
        audit_record(
            actor=actor,
            action="events.invitation.send",
            obj=invitation,
            changes={"status": [before, invitation.status]},
            extra={"to": invitation.recipient.email, "resent": before == InvitationStatus.SENT},
        )
        # The raw link lives only in this closure and the email.
        transaction.on_commit(partial(_deliver, outgoing), robust=True)
    return invitation


def invitation_send_all(*, actor: Any, event: Event) -> tuple[int, list[str]]:
    """Send every prepared invitation of the event; returns (sent, problems)."""
    if not can_manage(actor):
        raise PermissionDenied
    sent = 0
    problems: list[str] = []
    for invitation in invitation_list_for_event(user=actor, event=event, status=InvitationStatus.DRAFT):
        try:
            invitation_send(actor=actor, invitation=invitation)
            sent += 1
        except ValidationError as exc:
            problems.extend(f"{invitation.recipient}: {m}" for m in exc.messages)
    return sent, problems


def invitation_remind(*, actor: Any, invitation: Invitation) -> Invitation:
    """A reminder (with a fresh link: the first one's raw token is not kept) to an unanswered invitation.
    `actor` None is the daily task."""
    if actor is not None and not can_manage(actor):
        raise PermissionDenied
    if invitation.status != InvitationStatus.SENT:
        raise ValidationError(_("Only a sent invitation awaiting an answer can be reminded."))
    if not invitation.recipient.email:
        raise ValidationError(_("The addressee has no email address."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("event", "recipient").get(pk=invitation.pk)
        raw = _issue_link(invitation)
        invitation.reminded_at = timezone.now()
        outgoing = _compose(invitation, raw, reminder=True)
        invitation.save(update_fields=["token_hash", "token_expires_at", "token_used_at", "reminded_at"])
        audit_record(actor=actor, action="events.invitation.remind", obj=invitation, extra={"automatic": actor is None})
        transaction.on_commit(partial(_deliver, outgoing), robust=True)
    return invitation


def _due(today: dt.date) -> Q:
    return Q(reply_by__lt=today) | Q(reply_by=None, event__reply_by__lt=today)


def invitations_mark_no_reply(*, today: dt.date | None = None) -> int:
    """Sent invitations past their reply-by date become "no reply" (idempotent)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = Invitation.objects.filter(status=InvitationStatus.SENT).filter(_due(today))
        ids = list(due.values_list("pk", flat=True))
        if not ids:
            return 0
        Invitation.objects.filter(pk__in=ids).update(status=InvitationStatus.NO_REPLY)
        audit_record(
            actor=None,
            action="events.invitation.no_reply",
            object_type="events.invitation",
            extra={"count": len(ids), "ids": ids[:200], "today": today.isoformat()},
        )
    return len(ids)


def invitations_send_reminders(*, today: dt.date | None = None) -> int:
    """One automatic reminder per sent invitation, N days before its reply-by date (idempotent:
    `reminded_at` is set, and a manual reminder counts)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=reminder_days_before())
    window = Q(reply_by__gte=today, reply_by__lte=horizon) | Q(
        reply_by=None, event__reply_by__gte=today, event__reply_by__lte=horizon
    )
    due = Invitation.objects.filter(status=InvitationStatus.SENT, reminded_at=None).filter(window)
    sent = 0
    for invitation in due.select_related("event", "recipient"):
        try:
            invitation_remind(actor=None, invitation=invitation)
            sent += 1
        except ValidationError:
            continue
    return sent

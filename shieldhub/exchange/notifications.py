"""Email notifications of the exchange: the immediate emails, the daily digest, the notices of a
correction or a withdrawal, and each user's notification preferences.

- `message_delivered(pk)` is called by the services once a message (or a reply) is delivered,
  after the commit. It only enqueues `notify_message` (django-tasks): the fan-out runs in the
  worker, so sending to a community of 300 returns at once.
- `notify_message`: alerts, special alerts and requests for information are emailed at once to the
  recipients who want it (`NotificationPreference.immediate`, on by default) and whose filters the
  message passes. Everything else waits for the daily digest (`send_digests`, a periodic task).
- `message_changed(pk, change)`: a correction or withdrawal notice (subject and link only) to every
  recipient who was already emailed about the message; the others see the current version in the
  application and in their next digest.

What an email carries: kind, TLP, handling code, sender's country, subject, deadline (requests) and
the link. The body only for TLPs listed in `settings.EXCHANGE_EMAIL_BODY_TLPS` (default CLEAR and
GREEN), never for AMBER+STRICT or RED whatever the setting, never once withdrawn. Never an
attachment: a link to the message only. The digest carries no body at all.

Filters (kinds, precursors, WCO regions; empty means everything): a special alert passes every
filter; a message that names no precursor passes a precursor filter, and one with no country
involved (or none in a WCO region) passes a region filter, so an untagged alert is never missed.

Who is emailed: the recorded recipients who may still see the message (active, a role with the
exchange, and for partners a releasability naming their organisation: the rule of
`core.access.messages_visible_q`, applied in one query), never the sender.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks import task

from shieldhub.accounts.choices import Role
from shieldhub.accounts.models import RoleGrant
from shieldhub.core.access import PARTNER_RELEASABILITY_FIELD, ROLE_PERMISSIONS, Perm, require
from shieldhub.core.audit import audit_record, diff
from shieldhub.core.scheduling import periodic
from shieldhub.exchange.choices import MessageKind, MessageStatus, Tlp, VersionKind
from shieldhub.exchange.models import Message, MessageCountry, MessageRecipient, NotificationPreference
from shieldhub.exchange.rendering import render_markdown

logger = logging.getLogger(__name__)

# Kinds emailed at once to the recipients who want it; everything else goes to the digest.
IMMEDIATE_KINDS = frozenset({MessageKind.ALERT, MessageKind.SPECIAL_ALERT, MessageKind.RFI})
# Kinds that pass every filter.
UNFILTERED_KINDS = frozenset({MessageKind.SPECIAL_ALERT})
# The most an email may ever carry the body of: AMBER+STRICT and RED never leave the platform.
BODY_TLPS_CEILING = frozenset({Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER})
DEFAULT_BODY_TLPS = (Tlp.CLEAR, Tlp.GREEN)

DIGEST_EVERY = dt.timedelta(days=1)
# A user gets at most one digest in this span (the scheduler may run the task twice).
DIGEST_MIN_GAP = dt.timedelta(hours=20)
# Unread messages older than this are not listed any more (e.g. when the digest is switched on).
DIGEST_MAX_AGE = dt.timedelta(days=7)

CHANGES = {VersionKind.CORRECTION.value, VersionKind.WITHDRAWAL.value}


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefs:
    """A user's preference as plain values; `Prefs()` are the defaults (no row)."""

    immediate: bool = True
    digest: bool = True
    kinds: frozenset[str] = frozenset()
    precursors: frozenset[int] = frozenset()
    regions: frozenset[str] = frozenset()

    @classmethod
    def of(cls, user: Any) -> Prefs:
        """From the user's row (select_related, precursors prefetched), or the defaults."""
        try:
            row = user.exchange_notification_preference
        except ObjectDoesNotExist:
            return cls()
        if row is None:
            return cls()
        return cls(
            immediate=row.immediate,
            digest=row.digest,
            kinds=frozenset(row.kinds or []),
            precursors=frozenset(p.pk for p in row.precursors.all()),
            regions=frozenset(row.regions or []),
        )


@dataclass(frozen=True)
class Facts:
    """What the filters look at in a message."""

    kind: str
    precursors: frozenset[int] = frozenset()
    regions: frozenset[str] = frozenset()


def passes(prefs: Prefs, facts: Facts) -> bool:
    """Whether a message passes the user's filters (empty filter: everything passes)."""
    if facts.kind in UNFILTERED_KINDS:
        return True
    if prefs.kinds and facts.kind not in prefs.kinds:
        return False
    if prefs.precursors and facts.precursors and not prefs.precursors & facts.precursors:
        return False
    return not (prefs.regions and facts.regions and not prefs.regions & facts.regions)


def _regions_of(codes: Iterable[str]) -> dict[str, str]:
    """ISO code → WCO region code, for the codes that have one.

    Public reference data read without a user: the task acts for no one in particular.
    """
    from shieldhub.reference.models import Country

    wanted = sorted({str(c) for c in codes if c})
    if not wanted:
        return {}
    rows = Country.objects.filter(code__in=wanted, wco_region__isnull=False).values_list("code", "wco_region_id")
    return {code: str(region) for code, region in rows}


def _facts_for(messages: list[Message]) -> dict[int, Facts]:
    """Facts of several messages in three queries (precursors, countries, regions)."""
    ids = [m.pk for m in messages]
    precursors: dict[int, set[int]] = defaultdict(set)
    for message_id, item_id in Message.precursors.through.objects.filter(message_id__in=ids).values_list(
        "message_id", "catalogueitem_id"
    ):
        precursors[message_id].add(item_id)
    countries: dict[int, set[str]] = defaultdict(set)
    for message_id, code in MessageCountry.objects.filter(message_id__in=ids).values_list("message_id", "country"):
        countries[message_id].add(str(code))
    region = _regions_of(c for codes in countries.values() for c in codes)
    return {
        m.pk: Facts(
            kind=m.kind,
            precursors=frozenset(precursors[m.pk]),
            regions=frozenset(region[c] for c in countries[m.pk] if c in region),
        )
        for m in messages
    }


def email_body_tlps() -> list[str]:
    """The TLPs whose messages are emailed with their body, in TLP order (never beyond AMBER)."""
    configured = {str(t).strip().lower() for t in getattr(settings, "EXCHANGE_EMAIL_BODY_TLPS", DEFAULT_BODY_TLPS)}
    return [t for t in Tlp.values if t in configured and t in BODY_TLPS_CEILING]


def body_in_email(message: Message) -> bool:
    """Whether an email may carry this message's body."""
    return message.status == MessageStatus.SENT and message.tlp in email_body_tlps()


def _exchange_roles() -> list[str]:
    return [str(role) for role, perms in ROLE_PERMISSIONS.items() if Perm.EXCHANGE_USE in perms]


def _may_see_q() -> Q:
    """Recipient rows whose user may still see the message: `access.messages_visible_q`'s rule for
    received messages, over many users and messages at once."""
    grants = RoleGrant.objects.filter(user_id=OuterRef("user_id"))
    releasable = Q(pk__in=[])
    for organisation, flag in PARTNER_RELEASABILITY_FIELD.items():
        releasable |= Q(user__partner_organisation=organisation, **{f"message__{flag}": True})
    return (
        Q(user__is_active=True, message__status__in=[MessageStatus.SENT, MessageStatus.WITHDRAWN])
        & Q(Exists(grants.filter(role__in=_exchange_roles())))
        & (~Q(Exists(grants.filter(role=Role.PARTNER))) | releasable)
    )


def _receipts() -> QuerySet[MessageRecipient]:
    """Recipient rows with their user and preference (one query; precursors prefetched), never the
    message's own sender."""
    return (
        MessageRecipient.objects.filter(_may_see_q())
        .exclude(user_id=F("message__sender_id"))
        .exclude(user__email="")
        .select_related("user", "user__exchange_notification_preference")
        .prefetch_related("user__exchange_notification_preference__precursors")
    )


# --- rendering ----------------------------------------------------------------------------------


def _link(message: Message) -> str:
    return settings.SITE_URL + reverse("exchange:message-detail", args=[message.pk])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _language(user: Any) -> str:
    return user.language or settings.LANGUAGE_CODE


def _email(*, user: Any, subject: str, text: str, html: str, language: str) -> EmailMultiAlternatives:
    """Plain text with an HTML alternative; never anything attached."""
    email = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _one_line(subject),
        body=text,
        to=[user.email],
        headers={"Content-Language": language},
    )
    email.attach_alternative(html, "text/html")
    return email


def _message_context(message: Message, attachment_count: int) -> dict[str, Any]:
    with_body = body_in_email(message)
    return {
        "message": message,
        "kind": message.get_kind_display(),
        "tlp": message.get_tlp_display(),
        "handling": message.get_handling_code_display() if message.handling_code else "",
        "handling_text": message.handling_text,
        "sender_country": message.sender_country.name if message.sender_country else "",
        "subject": message.subject,
        "deadline": message.deadline if message.kind == MessageKind.RFI else None,
        "link": _link(message),
        "body": message.body if with_body else None,
        "body_html": render_markdown(message.body) if with_body else None,
        "attachment_count": attachment_count,
        "preferences_link": settings.SITE_URL + reverse("exchange:notification-preferences"),
        "site_url": settings.SITE_URL,
    }


def _message_subject(message: Message) -> str:
    return _("[%(tlp)s] %(kind)s: %(subject)s") % {
        "tlp": message.get_tlp_display(),
        "kind": message.get_kind_display(),
        "subject": message.subject,
    }


class _Rendered:
    """The same email in each language, rendered once per language for the whole fan-out."""

    def __init__(self, render: Any) -> None:
        self._render = render
        self._cache: dict[str, tuple[str, str, str]] = {}

    def email(self, user: Any) -> EmailMultiAlternatives:
        language = _language(user)
        if language not in self._cache:
            with translation.override(language):
                self._cache[language] = self._render()
        subject, text, html = self._cache[language]
        return _email(user=user, subject=subject, text=text, html=html, language=language)


# --- the immediate emails ---------------------------------------------------------------------


def message_delivered(message_pk: int) -> None:
    """Called once a message has been delivered (after commit): hand the fan-out to the worker.

    Returns at once: enqueuing is one insert with the database backend. If even that fails, the
    message is delivered all the same and the recipients hear of it in their digest.
    """
    try:
        notify_message.enqueue(message_pk)
    except Exception:
        logger.exception("Could not enqueue the notifications of message %s", message_pk)


def _send(emails: list[EmailMultiAlternatives], connection: Any = None) -> int:
    if not emails:
        return 0
    connection = connection or get_connection()
    return connection.send_messages(emails) or 0


@task()
def notify_message(message_pk: int) -> int:
    """Email the recipients of an alert, special alert or request who want it at once.

    Idempotent: recipients are claimed (`notified_at`) in the transaction that sends, so a second
    run (or a concurrent one) sends nothing twice; if sending fails, nothing is claimed and the
    recipients hear of the message in their digest.
    """
    message = Message.objects.filter(pk=message_pk).first()
    if message is None or message.status != MessageStatus.SENT or message.kind not in IMMEDIATE_KINDS:
        return 0
    facts = _facts_for([message])[message.pk]
    receipts = [
        r
        for r in _receipts().filter(message=message, notified_at__isnull=True).order_by("pk")
        if (prefs := Prefs.of(r.user)).immediate and passes(prefs, facts)
    ]
    if not receipts:
        return 0
    attachment_count = message.attachments.count()

    def render() -> tuple[str, str, str]:
        # Inside the recipient's language: labels and country names are translated here.
        context = _message_context(message, attachment_count=attachment_count)
        return (
            _message_subject(message),
            render_to_string("exchange/email/message.txt", context),
            render_to_string("exchange/email/message.html", context),
        )

    rendered = _Rendered(render)
    with transaction.atomic():
        stamp = timezone.now()
        ids = [r.pk for r in receipts]
        MessageRecipient.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=stamp)
        claimed = set(MessageRecipient.objects.filter(pk__in=ids, notified_at=stamp).values_list("pk", flat=True))
        sent = _send([rendered.email(r.user) for r in receipts if r.pk in claimed])
    logger.info("Message %s: %s immediate email(s)", message.pk, sent)
    return sent


# --- corrections and withdrawals ----------------------------------------------------------------


def message_changed(message_pk: int, change: str) -> None:
    """A correction or withdrawal was committed: notify (in the background) the recipients who were
    emailed about the message. Wire it in the services as
    ``transaction.on_commit(lambda: notifications.message_changed(pk, "correction"))``."""
    if change not in CHANGES:
        raise ValueError(f"Unknown change: {change}")
    try:
        notify_message_changed.enqueue(message_pk, change)
    except Exception:
        logger.exception("Could not enqueue the %s notice of message %s", change, message_pk)


@task()
def notify_message_changed(message_pk: int, change: str) -> int:
    """A short notice (subject and link, never the body) of a correction or withdrawal."""
    message = Message.objects.filter(pk=message_pk).first()
    if message is None or change not in CHANGES:
        return 0
    receipts = list(
        _receipts()
        .filter(message=message)
        .filter(Q(notified_at__isnull=False) | Q(digested_at__isnull=False))
        .order_by("pk")
    )
    if not receipts:
        return 0
    withdrawn = change == VersionKind.WITHDRAWAL

    def render() -> tuple[str, str, str]:
        context = {
            "message": message,
            "subject": message.subject,
            "tlp": message.get_tlp_display(),
            "kind": message.get_kind_display(),
            "version": message.version,
            "withdrawn": withdrawn,
            "link": _link(message),
            "site_url": settings.SITE_URL,
        }
        values = {"tlp": message.get_tlp_display(), "subject": message.subject}
        if withdrawn:
            subject = _("[%(tlp)s] Withdrawn: %(subject)s") % values
        else:
            subject = _("[%(tlp)s] Corrected: %(subject)s") % values
        return (
            subject,
            render_to_string("exchange/email/changed.txt", context),
            render_to_string("exchange/email/changed.html", context),
        )

    rendered = _Rendered(render)
    sent = _send([rendered.email(r.user) for r in receipts])
    logger.info("Message %s: %s %s notice(s)", message.pk, sent, change)
    return sent


# --- the daily digest ---------------------------------------------------------------------------


def _digest_candidates(now: dt.datetime) -> QuerySet[MessageRecipient]:
    """Unread messages still delivered, neither emailed at once nor yet in a digest."""
    return _receipts().filter(
        notified_at__isnull=True,
        digested_at__isnull=True,
        read_at__isnull=True,
        message__status=MessageStatus.SENT,
        message__sent_at__gte=now - DIGEST_MAX_AGE,
    )


def _digest_item(message: Message) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "kind": message.get_kind_display(),
        "tlp": message.get_tlp_display(),
        "sender_country": message.sender_country.name if message.sender_country else "",
        "sent_at": message.sent_at,
        "deadline": message.deadline if message.kind == MessageKind.RFI else None,
        "link": _link(message),
    }


def _digest_email(user: Any, messages: list[Message]) -> EmailMultiAlternatives:
    language = _language(user)
    with translation.override(language):
        count = len(messages)
        context = {
            "user": user,
            "count": count,
            "items": [_digest_item(m) for m in messages],
            "inbox_link": settings.SITE_URL + reverse("exchange:inbox"),
            "preferences_link": settings.SITE_URL + reverse("exchange:notification-preferences"),
            "site_url": settings.SITE_URL,
        }
        subject = ngettext("Daily digest: %(count)s new message", "Daily digest: %(count)s new messages", count) % {
            "count": count
        }
        text = render_to_string("exchange/email/digest.txt", context)
        html = render_to_string("exchange/email/digest.html", context)
    return _email(user=user, subject=subject, text=text, html=html, language=language)


def digest_send_all(now: dt.datetime | None = None) -> int:
    """Send each user with the digest on the list of what they have not heard of yet; at most one
    digest per user every `DIGEST_MIN_GAP`. Returns the number of digests sent."""
    now = now or timezone.now()
    rows = list(
        _digest_candidates(now).select_related("message").order_by("user_id", "-message__sent_at", "-message_id")
    )
    by_user: dict[int, list[MessageRecipient]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    if not by_user:
        return 0
    facts = _facts_for(list({r.message_id: r.message for r in rows}.values()))
    last_digest = dict(
        MessageRecipient.objects.filter(user_id__in=list(by_user), digested_at__isnull=False)
        .values("user_id")
        .annotate(last=Max("digested_at"))
        .values_list("user_id", "last")
    )
    User = get_user_model()
    connection = get_connection()
    sent = 0
    try:
        for user_id, receipts in by_user.items():
            user = receipts[0].user
            prefs = Prefs.of(user)
            if not prefs.digest:
                continue
            wanted = [r for r in receipts if passes(prefs, facts[r.message_id])]
            last = last_digest.get(user_id)
            if not wanted or (last is not None and now - last < DIGEST_MIN_GAP):
                continue
            with transaction.atomic():
                # One digest per user at a time: concurrent runs queue on the user's row.
                User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()
                last = MessageRecipient.objects.filter(user_id=user_id).aggregate(last=Max("digested_at"))["last"]
                if last is not None and now - last < DIGEST_MIN_GAP:
                    continue
                stamp = timezone.now()
                ids = [r.pk for r in wanted]
                MessageRecipient.objects.filter(pk__in=ids, digested_at__isnull=True).update(digested_at=stamp)
                claimed = set(
                    MessageRecipient.objects.filter(pk__in=ids, digested_at=stamp).values_list("pk", flat=True)
                )
                messages = [r.message for r in wanted if r.pk in claimed]
                if messages:
                    sent += _send([_digest_email(user, messages)], connection)
    finally:
        connection.close()
    logger.info("Daily digest: %s email(s)", sent)
    return sent


@periodic("exchange.send_digests", every=DIGEST_EVERY)
@task()
def send_digests() -> int:
    """The daily digest (idempotent: `digested_at` and the per-user gap)."""
    return digest_send_all()


# --- preferences --------------------------------------------------------------------------------

PREFERENCE_FIELDS = frozenset({"immediate", "digest", "kinds", "precursors", "regions"})


def notification_preference_get(*, user: Any) -> NotificationPreference:
    """The user's own preference; an unsaved one with the defaults when they never set it."""
    require(user, Perm.EXCHANGE_USE)
    found = NotificationPreference.objects.filter(user=user).prefetch_related("precursors").first()
    return found or NotificationPreference(user=user)


def notification_preference_data(preference: NotificationPreference) -> dict[str, Any]:
    """The preference as plain values (precursors as catalogue items, in catalogue order)."""
    precursors = list(preference.precursors.order_by("name_en")) if preference.pk else []
    return {
        "immediate": preference.immediate,
        "digest": preference.digest,
        "kinds": list(preference.kinds or []),
        "precursors": precursors,
        "regions": list(preference.regions or []),
    }


def _state(preference: NotificationPreference) -> dict[str, Any]:
    data = notification_preference_data(preference)
    data["precursors"] = sorted(p.pk for p in data["precursors"])
    return data


def _clean_choices(value: Any, allowed: list[str], field: str, message: Any) -> list[str]:
    chosen = [str(v) for v in value or []]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise ValidationError({field: message % {"value": ", ".join(unknown)}})
    return [v for v in allowed if v in chosen]  # the canonical order, no duplicates


UNKNOWN_KIND = gettext_lazy("Unknown kind: %(value)s.")
UNKNOWN_REGION = gettext_lazy("Unknown WCO region: %(value)s.")
UNKNOWN_PRECURSOR = gettext_lazy("Unknown precursor.")


@transaction.atomic
def notification_preference_update(*, actor: Any, data: dict[str, Any]) -> NotificationPreference:
    """Set the actor's own preference (only the keys given); audited with before/after values."""
    from shieldhub.reference.selectors import catalogue_list, region_list

    require(actor, Perm.EXCHANGE_USE)
    unknown = set(data) - PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    before = None if created else _state(preference)
    if "immediate" in data:
        preference.immediate = bool(data["immediate"])
    if "digest" in data:
        preference.digest = bool(data["digest"])
    if "kinds" in data:
        preference.kinds = _clean_choices(data["kinds"], list(MessageKind.values), "kinds", UNKNOWN_KIND)
    if "regions" in data:
        codes = list(region_list(user=actor).values_list("code", flat=True))
        preference.regions = _clean_choices(data["regions"], codes, "regions", UNKNOWN_REGION)
    precursors = None
    if "precursors" in data:
        wanted = {int(getattr(p, "pk", p)) for p in data["precursors"] or []}
        precursors = list(catalogue_list(user=actor).filter(pk__in=wanted))
        if len(precursors) != len(wanted):
            raise ValidationError({"precursors": UNKNOWN_PRECURSOR})
    preference.full_clean(exclude=["user", "precursors"])
    preference.save()
    if precursors is not None:
        preference.precursors.set(precursors)
    after = _state(preference)
    audit_record(
        actor=actor,
        action="exchange.notification_preference_update",
        obj=preference,
        changes=diff(before, after),
        extra={"created": created},
    )
    return preference

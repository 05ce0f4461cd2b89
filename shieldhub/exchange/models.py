"""Secure exchange: messages, what their senders chose (distribution), who received them
(recipients, resolved and recorded at send time) and every version of their text."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.core.attachments import StoredFileFields
from shieldhub.exchange.choices import (
    CountryRole,
    HandlingCode,
    InformationCredibility,
    MessageKind,
    MessageLanguage,
    MessageStatus,
    RecipientReason,
    SourceReliability,
    TargetKind,
    Tlp,
    VersionKind,
)


class AnswerStatus(models.TextChoices):
    """Where one addressee of a request for information stands."""

    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    OVERDUE = "overdue", _("Overdue")
    DECLINED = "declined", _("Declined")


PENDING_ANSWER = (AnswerStatus.OPEN, AnswerStatus.OVERDUE)


class Message(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices, default=MessageKind.INFORMATION)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), help_text=_("Markdown: *emphasis*, **bold**, lists, links."))
    language = models.CharField(
        _("language"), max_length=2, choices=MessageLanguage.choices, default=MessageLanguage.EN
    )
    tlp = models.CharField(_("TLP"), max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    handling_code = models.CharField(
        _("handling code"), max_length=20, choices=HandlingCode.choices, blank=True, default=HandlingCode.NONE
    )
    handling_text = models.CharField(_("handling restriction"), max_length=300, blank=True)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, blank=True
    )
    information_credibility = models.CharField(
        _("information credibility"), max_length=1, choices=InformationCredibility.choices, blank=True
    )
    releasable_interpol = models.BooleanField(_("releasable to INTERPOL"), default=False)
    releasable_unodc = models.BooleanField(_("releasable to UNODC"), default=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="messages_sent"
    )
    sender_country = CountryField(_("sender's country"), blank=True)
    thread_root = models.ForeignKey(
        "self",
        verbose_name=_("thread"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread_messages",
    )
    in_reply_to = models.ForeignKey(
        "self", verbose_name=_("in reply to"), null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    precursors = models.ManyToManyField(
        "reference.CatalogueItem", verbose_name=_("precursors"), blank=True, related_name="messages"
    )
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Requests for information only: when the answers are due, and when the coordinators were told
    # that some addressees are overdue.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True, editable=False)
    # Forwarding: the message this one forwards (the chain is followed through this link).
    forwarded_from = models.ForeignKey(
        "self", verbose_name=_("forwarded from"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="forwards",
    )  # fmt: skip
    # Operational messages sent through an operation group's short form: the values of its fields.
    operation_data = models.JSONField(_("operational data"), default=dict, blank=True)
    # Four-eyes moderation: who approved or rejected the message, when and why.
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("moderator"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderation_note = models.TextField(_("moderator's note"), blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["sender", "-sent_at"], name="exch_msg_sender_idx"),
            models.Index(fields=["-sent_at"], name="exch_msg_sent_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_withdrawn(self) -> bool:
        return self.status == MessageStatus.WITHDRAWN

    @property
    def releasability(self) -> list[str]:
        return [org for org, flag in (("interpol", self.releasable_interpol), ("unodc", self.releasable_unodc)) if flag]


class MessageCountry(models.Model):
    """A country involved in what the message reports, with its role."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="countries")
    country = CountryField(_("country"))
    role = models.CharField(_("role"), max_length=12, choices=CountryRole.choices)

    class Meta:
        verbose_name = _("country involved")
        verbose_name_plural = _("countries involved")
        constraints = [
            models.UniqueConstraint(fields=["message", "country", "role"], name="exch_msgcountry_unique"),
        ]
        indexes = [models.Index(fields=["country", "message"], name="exch_msgcountry_idx")]

    def __str__(self) -> str:
        return f"{self.country.code} ({self.get_role_display()})"


class MessageDistribution(models.Model):
    """One target the sender chose: a community, a country (its NCPs) or a person."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="distribution")
    target_kind = models.CharField(_("target"), max_length=10, choices=TargetKind.choices)
    community = models.ForeignKey(
        "directory.Community", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    country = CountryField(_("country"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("distribution target")
        verbose_name_plural = _("distribution targets")
        indexes = [models.Index(fields=["community", "message"], name="exch_dist_community_idx")]

    def __str__(self) -> str:
        if self.target_kind == TargetKind.COMMUNITY:
            return str(self.community)
        if self.target_kind == TargetKind.COUNTRY:
            return str(self.country.name)
        return str(self.user)


class MessageRecipient(models.Model):
    """A person who received the message: resolved and recorded when it was sent."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_received")
    reason = models.CharField(_("reason"), max_length=10, choices=RecipientReason.choices)
    reason_detail = models.CharField(_("through"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # Requests for information only (blank for other kinds).
    answer_status = models.CharField(
        _("answer status"), max_length=10, choices=AnswerStatus.choices, blank=True, default=""
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    # Email notifications: when the immediate email went, and when the message was in a digest.
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    digested_at = models.DateTimeField(_("in a digest"), null=True, blank=True)
    # The message's send time, copied here when the receipt is recorded (receipts are recorded at
    # send time, and a sent message's `sent_at` never changes afterwards). The inbox and the unread
    # badge walk the user's own receipts newest first through the two indexes below, and stop after
    # one page, instead of joining every message the user received and sorting them all.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    # The message's kind, copied the same way (a message's kind is chosen before it is sent and never
    # changes: corrections change the subject and body, a withdrawal the status). The inbox filtered
    # by kind, and its bounded count, walk only the user's receipts of that kind
    # (`exch_recipient_kind_idx`) instead of every receipt of the user, testing each message's kind.
    kind = models.CharField(
        _("kind"), max_length=20, choices=MessageKind.choices, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="exch_recipient_unique")]
        indexes = [
            models.Index(fields=["user", "message"], name="exch_recipient_user_idx"),
            models.Index(fields=["answer_status", "message"], name="exch_recipient_answer_idx"),
            models.Index(fields=["user", "-sent_at", "-message"], name="exch_recipient_inbox_idx"),
            models.Index(fields=["user", "kind", "-sent_at", "-message"], name="exch_recipient_kind_idx"),
            models.Index(
                fields=["user", "-sent_at", "-message"],
                condition=models.Q(read_at__isnull=True),
                name="exch_recipient_unread_sent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.message}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A receipt created one at a time (the services bulk-create theirs with the time and kind set).
        if self._state.adding and self.message_id is not None:
            if self.sent_at is None:
                self.sent_at = self.message.sent_at
            if not self.kind:
                self.kind = self.message.kind
        super().save(*args, **kwargs)


class MessageVersion(models.Model):
    """The text of a message at one version: the original, each correction, the withdrawal."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    change = models.CharField(_("change"), max_length=12, choices=VersionKind.choices)
    note = models.TextField(_("note"), blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("message version")
        verbose_name_plural = _("message versions")
        ordering = ["message", "number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="exch_version_unique")]

    def __str__(self) -> str:
        return f"{self.message} v{self.number}"


class Attachment(StoredFileFields):
    """A photo or document uploaded to the exchange, stored outside the web root.

    Uploaded first (``message`` empty, visible to its uploader only), then linked to the message
    it is sent with. Files are content-addressed (``storage_name`` derives from the SHA-256 of the
    stored bytes), so a forward shares the stored file with a new row.
    """

    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "pk"]
        indexes = [models.Index(fields=["uploaded_by", "message"], name="exch_attach_owner_idx")]


class NotificationPreference(models.Model):
    """How a user wants to hear of new messages by email. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_notification_preference"
    )
    immediate = models.BooleanField(
        _("email me at once"), default=True,
        help_text=_("Alerts, special alerts and requests for information addressed to me."),
    )  # fmt: skip
    digest = models.BooleanField(_("daily digest"), default=True, help_text=_("Everything else, once a day."))
    kinds = models.JSONField(_("kinds"), default=list, blank=True, help_text=_("Empty: every kind."))
    precursors = models.ManyToManyField(
        "reference.CatalogueItem", verbose_name=_("precursors"), blank=True, related_name="+",
        help_text=_("Empty: every precursor."),
    )  # fmt: skip
    regions = models.JSONField(_("WCO regions"), default=list, blank=True, help_text=_("Empty: every region."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

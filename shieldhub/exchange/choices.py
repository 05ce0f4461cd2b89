from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    RFI = "rfi", _("Request for information")
    INFORMATION = "information", _("Information")
    OPERATIONAL = "operational", _("Operational message")
    SPECIAL_ALERT = "special_alert", _("Special alert")


# Kinds a recipient acknowledges explicitly.
ACKNOWLEDGED_KINDS = frozenset({MessageKind.ALERT, MessageKind.SPECIAL_ALERT})


class MessageLanguage(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


TLP_ORDER: list[str] = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED]


class HandlingCode(models.TextChoices):
    NONE = "", _("No handling restriction")
    CUSTOMS_ONLY = "customs_only", _("Customs use only")
    NO_ONWARD_SHARING = "no_onward_sharing", _("No onward sharing without the originator's consent")
    NOT_FOR_COURT = "not_for_court", _("Not for use in court without consent")
    OTHER = "other", _("Other restriction")


class SourceReliability(models.TextChoices):
    NONE = "", _("Not graded")
    A = "A", _("A – Completely reliable")
    B = "B", _("B – Usually reliable")
    C = "C", _("C – Fairly reliable")
    D = "D", _("D – Not usually reliable")
    E = "E", _("E – Unreliable")
    F = "F", _("F – Reliability cannot be judged")


class InformationCredibility(models.TextChoices):
    NONE = "", _("Not graded")
    C1 = "1", _("1 – Confirmed by other sources")
    C2 = "2", _("2 – Probably true")
    C3 = "3", _("3 – Possibly true")
    C4 = "4", _("4 – Doubtful")
    C5 = "5", _("5 – Improbable")
    C6 = "6", _("6 – Truth cannot be judged")


class MessageStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    REJECTED = "rejected", _("Not approved")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CountryRole(models.TextChoices):
    ORIGIN = "origin", _("Origin")
    TRANSIT = "transit", _("Transit")
    DESTINATION = "destination", _("Destination")
    REPORTING = "reporting", _("Reporting")


class TargetKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    COUNTRY = "country", _("Country")
    USER = "user", _("Person")


class RecipientReason(models.TextChoices):
    COMMUNITY = "community", _("Member of a community")
    COUNTRY = "country", _("NCP of a country")
    USER = "user", _("Named person")
    THREAD = "thread", _("Reply in a thread")


class VersionKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    CORRECTION = "correction", _("Correction")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    DOCUMENT = "document", _("Document")

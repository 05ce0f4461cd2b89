from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShipmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTIFIED = "notified", _("Notified, awaiting verification")
    CONFIRMED = "confirmed", _("Confirmed")
    OBJECTED = "objected", _("Objected")
    CONFIRMED_WITH_CONCERNS = "confirmed_with_concerns", _("Confirmed with concerns")
    OVERDUE = "overdue", _("Verification overdue")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A notification that has gone out and is not yet closed: it may be answered, given an outcome or withdrawn.
ACTIVE_STATUSES = (
    ShipmentStatus.NOTIFIED,
    ShipmentStatus.CONFIRMED,
    ShipmentStatus.OBJECTED,
    ShipmentStatus.CONFIRMED_WITH_CONCERNS,
    ShipmentStatus.OVERDUE,
)
# Statuses in which an outcome may be recorded (a closed one may be given another: e.g. the seizure linked later).
OUTCOME_STATUSES = (*ACTIVE_STATUSES, ShipmentStatus.CLOSED)


class Outcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    STOPPED = "stopped", _("Stopped")
    SEIZED = "seized", _("Seized")


class VerificationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    OVERDUE = "overdue", _("Overdue")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Answer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: consignee and end use legitimate")
    OBJECTED = "objected", _("Objected: the shipment should be stopped")
    CONFIRMED_WITH_CONCERNS = "confirmed_with_concerns", _("Confirmed with concerns")


# The shipment status that each answer leads to.
ANSWER_STATUS = {
    Answer.CONFIRMED: ShipmentStatus.CONFIRMED,
    Answer.OBJECTED: ShipmentStatus.OBJECTED,
    Answer.CONFIRMED_WITH_CONCERNS: ShipmentStatus.CONFIRMED_WITH_CONCERNS,
}


class PartyRole(models.TextChoices):
    EXPORTER = "exporter", _("Exporter")
    IMPORTER = "importer", _("Importer")
    CONSIGNEE = "consignee", _("Consignee")
    END_USER = "end_user", _("End user")


PARTY_ROLES = tuple(PartyRole.values)


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    SAFETY_DATA_SHEET = "sds", _("Safety data sheet")
    END_USER_CERTIFICATE = "end_user_cert", _("End-user certificate")
    LICENCE = "licence", _("Licence or authorisation")
    OTHER = "other", pgettext_lazy("document type", "Other")

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    TRAINING = "training", _("Training")
    WEBINAR = "webinar", _("Webinar")
    WORKSHOP = "workshop", _("Workshop")
    MEETING = "meeting", _("Meeting")
    PRE_OPERATIONAL = "pre_operational", _("Pre-operational meeting")
    POST_OPERATIONAL = "post_operational", _("Post-operational meeting")
    OPERATION = "operation", _("Operation")


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    ANNOUNCED = "announced", pgettext_lazy("event status", "Announced")
    NOMINATIONS_OPEN = "nominations_open", _("Open for nominations")
    CLOSED = "closed", pgettext_lazy("event status", "Closed")
    HELD = "held", pgettext_lazy("event status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class SessionRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")


class LetterKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation letter")
    REMINDER = "reminder", _("Reminder")


class InvitationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("invitation status", "Prepared")
    SENT = "sent", pgettext_lazy("invitation status", "Sent")
    NOMINATED = "nominated", pgettext_lazy("invitation status", "Nominated")
    DECLINED = "declined", pgettext_lazy("invitation status", "Declined")
    NO_REPLY = "no_reply", _("No reply")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("registration status", "Pending")
    APPROVED = "approved", pgettext_lazy("registration status", "Approved")
    WAITING = "waiting", _("Waiting list")
    REJECTED = "rejected", pgettext_lazy("registration status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("registration status", "Withdrawn")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", pgettext_lazy("gender", "Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    LIST = "list", _("Attendance list")


class OperationPhase(models.TextChoices):
    PLANNING = "planning", _("Planning")
    PRE_MEETING = "pre_meeting", _("Pre-operational meeting")
    ACTIVE = "active", _("Active phase")
    POST_MEETING = "post_meeting", _("Post-operational meeting")
    CLOSED = "closed", pgettext_lazy("operation phase", "Closed")

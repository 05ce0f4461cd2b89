from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SourceKind(models.TextChoices):
    FEED = "feed", _("RSS or Atom feed")
    MANUAL = "manual", _("Entered by hand")
    UPLOAD = "upload", _("Uploaded")


class ItemStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("open-source item", "New")
    RELEVANT = "relevant", _("Relevant")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


class IndicatorLevel(models.TextChoices):
    OUTCOME = "outcome", pgettext_lazy("results framework", "Outcome")
    OUTPUT = "output", pgettext_lazy("results framework", "Output")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from the data")
    MANUAL = "manual", _("Entered by hand")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")

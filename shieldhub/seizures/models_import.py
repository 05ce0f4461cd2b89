"""A bulk import of seizure records: the uploaded file's rows (kept on disk, outside the web root),
the validation report, the importer's choices for possible duplicates, and the progress of the
background commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    INVALID = "invalid", _("Has errors")
    READY = "ready", _("Ready to import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    file_name = models.CharField(_("file"), max_length=255)
    kind = models.CharField(max_length=8)
    payload = models.CharField(max_length=64, help_text="Name of the rows file under MEDIA_ROOT/imports/seizures/.")
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.READY)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    record_count = models.PositiveIntegerField(_("records"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [[row, column, code, params], ...] (the first ones): rendered in the reader's language
    errors = models.JSONField(default=list, blank=True)
    # [{"key": record key, "rows": [...], "reason": ..., "existing": [pk, reference] | None, "other_rows": [...]}]
    duplicates = models.JSONField(default=list, blank=True)
    choices = models.JSONField(default=dict, blank=True)  # record key -> "import" | "skip"
    ignored_columns = models.JSONField(default=list, blank=True)
    progress = models.PositiveIntegerField(_("progress"), default=0)  # records written (at the end)
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    skipped_count = models.PositiveIntegerField(_("records skipped"), default=0)
    created_ids = models.JSONField(default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("seizure import")
        verbose_name_plural = _("seizure imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="seiz_import_user_idx")]

    def __str__(self) -> str:
        return self.file_name

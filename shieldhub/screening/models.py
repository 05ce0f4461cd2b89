"""Risk screening: the rules analysts configure, the watch lists, the runs over declaration files
and their hits (only flagged declarations are stored), and the consignee history learnt from the
files screened (per country: one country's declarations never inform another's screening)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.screening.choices import RuleKind, RunStatus


class ScreeningRule(models.Model):
    code = models.CharField(_("rule"), max_length=32, choices=RuleKind.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    explanation_en = models.CharField(_("explanation (English)"), max_length=500)
    explanation_fr = models.CharField(_("explanation (French)"), max_length=500, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)

    class Meta:
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def explanation(self, language: str = "en") -> str:
        return (self.explanation_fr if language.startswith("fr") else "") or self.explanation_en


class WatchListCountry(models.Model):
    country = CountryField(_("country"), unique=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("watch-list country")
        verbose_name_plural = _("watch-list countries")
        ordering = ["country"]

    def __str__(self) -> str:
        return str(self.country)


class WatchListEntity(models.Model):
    name = models.CharField(_("name"), max_length=300)
    normalised_name = models.CharField(_("normalised name"), max_length=300, db_index=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("watch-list entity")
        verbose_name_plural = _("watch-list entities")
        ordering = ["normalised_name", "pk"]

    def __str__(self) -> str:
        return self.name


class ScreeningRun(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    country = models.CharField(_("country"), max_length=2, blank=True)  # the uploader's (NCP), '' otherwise
    file_name = models.CharField(_("file"), max_length=255)
    file_kind = models.CharField(_("file type"), max_length=8)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    file_path = models.CharField(max_length=500, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    min_score = models.PositiveSmallIntegerField(_("flag from score"), default=25)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows screened"), default=0)
    flagged_count = models.PositiveIntegerField(_("declarations flagged"), default=0)
    error_count = models.PositiveIntegerField(_("rows skipped"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # shared with the secretariat (holders of screening.configure) by the uploader or an NCP of the
    # run's country; withdrawn by setting both back to null
    shared_at = models.DateTimeField(_("shared with the secretariat"), null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shared by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "created_at"], name="scr_run_author_idx"),
            models.Index(fields=["country", "created_at"], name="scr_run_country_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class ScreeningHit(models.Model):
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="hits")
    line = models.PositiveIntegerField(_("row"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    declared_on = models.DateField(_("date"), null=True, blank=True)
    consignor = models.CharField(_("exporter"), max_length=300, blank=True)
    consignee = models.CharField(_("consignee"), max_length=300, blank=True)
    origin = models.CharField(_("origin"), max_length=2, blank=True)
    destination = models.CharField(_("destination"), max_length=2, blank=True)
    route = models.CharField(_("route"), max_length=100, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    description = models.CharField(_("goods description"), max_length=500, blank=True)
    kg = models.FloatField(_("kg"), null=True, blank=True)
    items = models.CharField(_("catalogue items"), max_length=300, blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    rules = models.CharField(_("rules"), max_length=300)  # "|code|code|" for the rule filter
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        ordering = ["-score", "line"]
        indexes = [models.Index(fields=["run", "score", "line"], name="scr_hit_run_score_idx")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.score})"


class ConsigneeHistory(models.Model):
    """What earlier screened files said about a consignee, per country and catalogue item ("" = any goods)."""

    country = models.CharField(max_length=2, blank=True)
    consignee = models.CharField(max_length=300)  # normalised name
    item = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField(default=0)
    total_kg = models.FloatField(default=0)
    max_kg = models.FloatField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "consignee", "item"], name="scr_history_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consignee} {self.item}"

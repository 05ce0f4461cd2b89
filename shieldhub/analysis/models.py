"""Analysis and reporting: open-source monitoring (sources and items), the project's results framework
(outcomes, outputs, indicators and their values) and donor reports. Dashboards and country profiles
are computed from the other apps' selectors and have no tables of their own.

Ownership inside the app: dashboards and country profiles (`dashboards.py`, `charts.py`,
`profiles.py`), open-source monitoring (`osint.py`, `feeds.py`), indicators and donor reports
(`indicators.py`, `reports.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shieldhub.analysis.choices import IndicatorLevel, IndicatorSource, ItemStatus, ReportStatus, SourceKind
from shieldhub.core.i18n import in_language


class OsintSource(models.Model):
    """An RSS/Atom feed the analyst follows (fetched on a schedule by the worker)."""

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=1000, unique=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    interval_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=360)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    etag = models.CharField(max_length=255, blank=True)
    modified = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("open-source feed")
        verbose_name_plural = _("open-source feeds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OsintItem(models.Model):
    """An article or report: from a feed, entered by hand or uploaded; tagged by the goods matcher,
    grouped with its near-duplicates (`group`: the first item of the group), triaged by the analyst."""

    source = models.ForeignKey(
        OsintSource, verbose_name=_("feed"), null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    kind = models.CharField(_("origin"), max_length=8, choices=SourceKind.choices, default=SourceKind.FEED)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    guid = models.CharField(max_length=500, blank=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    fetched_at = models.DateTimeField(_("collected"), default=timezone.now)
    status = models.CharField(_("triage"), max_length=14, choices=ItemStatus.choices, default=ItemStatus.NEW)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("triaged by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    catalogue_items = models.ManyToManyField(
        "reference.CatalogueItem", verbose_name=_("precursors"), blank=True, related_name="osint_items"
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    group = models.ForeignKey(
        "self", verbose_name=_("same story as"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="duplicates",
    )  # fmt: skip
    seizure = models.ForeignKey(
        "seizures.Incident", verbose_name=_("seizure record"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="osint_items",
    )  # fmt: skip
    message = models.ForeignKey(
        "exchange.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="osint_items",
    )  # fmt: skip
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("open-source item")
        verbose_name_plural = _("open-source items")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], condition=~models.Q(guid=""), name="osint_item_source_guid_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="osint_status_idx")]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """One line of the project's results framework: an outcome or an output (`level`, `parent` for an
    output's outcome) and, on measurable lines, the indicator with baseline, target, period and unit.
    `measure` names a computation in `indicators.MEASURES` when the value comes from the data."""

    level = models.CharField(_("level"), max_length=8, choices=IndicatorLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("outcome"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_fr = models.CharField(_("title (French)"), max_length=500, blank=True)
    indicator_en = models.CharField(_("indicator (English)"), max_length=500, blank=True)
    indicator_fr = models.CharField(_("indicator (French)"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    source = models.CharField(
        _("source of the value"), max_length=10, choices=IndicatorSource.choices, default=IndicatorSource.MANUAL
    )
    measure = models.CharField(_("computation"), max_length=40, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return in_language(self.title_en, self.title_fr)

    @property
    def indicator(self) -> str:
        return in_language(self.indicator_en, self.indicator_fr)


class IndicatorValue(models.Model):
    """A value entered by hand for a period, with its evidence."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    period_end = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    evidence = models.TextField(_("evidence"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_end}: {self.value}"


class ReportSection(models.Model):
    """A narrative section the coordinator writes for a donor report (Markdown), reused across reports."""

    report = models.ForeignKey(
        "DonorReport", verbose_name=_("report"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.heading


class DonorReport(models.Model):
    """A donor report for a period, generated in the background as DOCX and PDF; kept with its parameters."""

    title = models.CharField(pgettext_lazy("document", "title"), max_length=255)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=2, default="en")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    docx = models.BinaryField(_("Word file"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF file"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)

    class Meta:
        verbose_name = _("donor report")
        verbose_name_plural = _("donor reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

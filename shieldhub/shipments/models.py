"""Licit shipments (pre-export notifications): the exporting country tells the importing country of
a shipment of precursors before it leaves; the importing country verifies the consignee and the
declared end use (confirm, object, or confirm with concerns) by a deadline; the outcome is recorded
(delivered, stopped, seized — linking the seizure record)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.core.attachments import RecordFileFields
from shieldhub.reference.units import Unit
from shieldhub.seizures.choices import Conveyance, RouteRole
from shieldhub.shipments.choices import Answer, DocumentType, Outcome, ShipmentStatus, VerificationStatus

UNIT_CHOICES = [(u.value, u.value) for u in Unit]


def _party(label: Any) -> Any:
    return models.ForeignKey(
        "entities.Entity", verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class Shipment(models.Model):
    status = models.CharField(_("status"), max_length=24, choices=ShipmentStatus.choices, default=ShipmentStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    exporting_country = CountryField(_("exporting country"))
    importing_country = CountryField(_("importing country"))
    national_reference = models.CharField(
        _("national reference"), max_length=100, blank=True, help_text=_("The exporting country's notification number.")
    )
    exporter = _party(_("exporter"))
    importer = _party(_("importer"))
    consignee = _party(_("consignee"))
    end_user = _party(_("end user"))
    declared_end_use = models.TextField(_("declared end use"), blank=True)
    planned_dispatch = models.DateField(_("planned dispatch"), null=True, blank=True)
    planned_arrival = models.DateField(_("planned arrival"), null=True, blank=True)
    transport_mode = models.CharField(_("transport"), max_length=10, choices=Conveyance.choices, blank=True)
    documents = models.TextField(
        _("documents"), blank=True, help_text=_("Export authorisation, import permit, invoice… one per line.")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    seizure = models.ForeignKey(
        "seizures.Incident", verbose_name=_("seizure record"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="shipments",
    )  # fmt: skip
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("outcome recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    total_kg = models.DecimalField(_("total kg"), max_digits=18, decimal_places=3, null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("notified by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["exporting_country", "status"], name="ship_exporting_idx"),
            models.Index(fields=["importing_country", "status"], name="ship_importing_idx"),
            models.Index(fields=["-created_at", "-id"], name="ship_created_idx"),
            # The analysis dashboards' grouped queries: index-only scans instead of the wide rows.
            models.Index(
                fields=["notified_at"],
                include=["id", "status", "exporting_country", "importing_country", "total_kg"],
                name="ship_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"SH-{self.pk:06d}" if self.pk else "SH-new"

    def parties(self) -> list[tuple[str, Any]]:
        """(role, entity) for each named party, in the order exporter, importer, consignee, end user."""
        return [
            (role, entity)
            for role, entity in (
                ("exporter", self.exporter), ("importer", self.importer),
                ("consignee", self.consignee), ("end_user", self.end_user),
            )
            if entity is not None
        ]  # fmt: skip


class ShipmentCountry(models.Model):
    """A country on the route between the exporting and the importing country (transit)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="route")
    country = CountryField(_("country"))
    role = models.CharField(_("role"), max_length=12, choices=RouteRole.choices, default=RouteRole.TRANSIT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("route country")
        verbose_name_plural = _("route countries")
        ordering = ["shipment", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "country", "role"], name="ship_route_unique")]
        indexes = [models.Index(fields=["country", "shipment"], name="ship_route_country_idx")]

    def __str__(self) -> str:
        return f"{self.country.code} ({self.get_role_display()})"


class ShipmentLine(models.Model):
    """One line of goods: a catalogue item or an HS code, the quantity, and its mass in kilograms
    (computed with the seizures' rules: `seizures.services.build_goods_line`)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    catalogue_item = models.ForeignKey(
        "reference.CatalogueItem", verbose_name=_("catalogue item"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    hs_code = models.CharField(_("HS code"), max_length=6, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=4, choices=UNIT_CHOICES)
    concentration = models.DecimalField(_("concentration (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    density = models.DecimalField(_("density (kg/L)"), max_digits=8, decimal_places=4, null=True, blank=True)
    quantity_kg = models.DecimalField(_("kg"), max_digits=18, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "position", "pk"]
        indexes = [models.Index(fields=["catalogue_item", "shipment"], name="ship_line_item_idx")]

    def __str__(self) -> str:
        return f"{self.shipment} #{self.position}"


class ShipmentVerification(models.Model):
    """The importing country's verification of a notified shipment, with its deadline."""

    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="verification")
    importing_country = CountryField(_("importing country"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.OPEN
    )
    answer = models.CharField(_("answer"), max_length=24, choices=Answer.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        indexes = [
            models.Index(fields=["status", "deadline"], name="ship_verif_due_idx"),
            models.Index(fields=["importing_country", "status"], name="ship_verif_country_idx"),
            models.Index(
                fields=["importing_country"],
                include=["status", "answered_at", "created_at", "deadline", "shipment"],
                name="ship_verif_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} → {self.importing_country}"

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and timezone.localdate(self.answered_at) > self.deadline


class ShipmentDocument(RecordFileFields):
    """A document of the shipment (invoice, safety data sheet, end-user certificate, licence…),
    checked and cleaned by `core.files`, stored by SHA-256 under ``SHIPMENT_DOCUMENTS_DIR``; seen by
    whoever may see the shipment, added by its exporting side (`shipments.documents`)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="document_files")
    document_type = models.CharField(_("document"), max_length=16, choices=DocumentType.choices)

    class Meta:
        verbose_name = _("shipment document")
        verbose_name_plural = _("shipment documents")
        ordering = ["shipment", "pk"]


class ShipmentSummary(models.Model):
    """The dashboards' monthly summary of notified shipments (`shipments.summaries`): one row per
    month of notification, facet and grouped keys (`k1`, `k2`: exporting and importing country, a
    catalogue item, the importing country of a verification request), with additive measures.
    Derived data: rebuilt from the shipments at any time; never edited by hand."""

    facet = models.CharField(max_length=16)
    month = models.DateField()
    k1 = models.CharField(max_length=16, blank=True)
    k2 = models.CharField(max_length=16, blank=True)
    n = models.PositiveIntegerField(default=0)
    kg = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    answered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    delay_seconds = models.FloatField(null=True, blank=True)  # summed over the answered requests

    class Meta:
        verbose_name = _("shipment summary row")
        verbose_name_plural = _("shipment summary rows")
        indexes = [
            models.Index(fields=["facet", "month"], include=["k1", "k2", "n", "kg"], name="ship_summary_idx"),
            models.Index(fields=["facet", "k1", "month"], name="ship_summary_k1_idx"),
            models.Index(fields=["facet", "k2", "month"], name="ship_summary_k2_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.facet} {self.month:%Y-%m} {self.k1} {self.k2}: {self.n}"

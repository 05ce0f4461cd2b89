"""Seizure and incident records: what was found, where, how, with which goods and parties; who the
reporting country shared it with (recipients resolved and recorded at submission); every version;
the thread between the analyst and the reporter; the data-quality score."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from shieldhub.core.attachments import RecordFileFields
from shieldhub.exchange.choices import RecipientReason, TargetKind
from shieldhub.reference.units import Unit
from shieldhub.seizures.choices import (
    CommentKind,
    Conveyance,
    DetectionMethod,
    Direction,
    Gender,
    IncidentStatus,
    IncidentType,
    LocationType,
    PartyRole,
    PersonRole,
    RouteRole,
    Source,
    VersionChange,
)

UNIT_CHOICES = [(u.value, u.value) for u in Unit]


class Incident(models.Model):
    incident_type = models.CharField(_("type"), max_length=20, choices=IncidentType.choices)
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    reporting_country = CountryField(_("reporting country"))
    office_name = models.CharField(_("office"), max_length=200, blank=True)
    location_type = models.CharField(_("location type"), max_length=12, choices=LocationType.choices, blank=True)
    occurred_on = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, blank=True)
    detection_method = models.CharField(
        _("detection method"), max_length=16, choices=DetectionMethod.choices, blank=True
    )
    conveyance = models.CharField(_("conveyance"), max_length=10, choices=Conveyance.choices, blank=True)
    concealment = models.CharField(_("concealment method"), max_length=300, blank=True)
    ports = models.CharField(_("ports or airports"), max_length=300, blank=True)
    operation = models.ForeignKey(
        "directory.Community", verbose_name=_("operation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="incidents", limit_choices_to={"kind": "operation"},
    )  # fmt: skip
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.NCP_REPORT)
    national_reference = models.CharField(_("national reference number"), max_length=100, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    releasable_interpol = models.BooleanField(_("releasable to INTERPOL"), default=False)
    releasable_unodc = models.BooleanField(_("releasable to UNODC"), default=False)
    # Derived by the services: total mass of the goods, completeness score and what is missing,
    # folded text for the free-text filter.
    total_kg = models.DecimalField(_("total kg"), max_digits=18, decimal_places=3, null=True, blank=True)
    data_quality = models.PositiveSmallIntegerField(_("data quality"), default=0, validators=[MaxValueValidator(100)])
    missing_fields = models.JSONField(_("missing recommended fields"), default=list, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    validated_at = models.DateTimeField(_("validated"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("validated by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # The list's order, covering the columns that the access rule and the filters test, so that
            # PostgreSQL walks it newest first without reading the records it skips (index-only scan).
            models.Index(
                fields=["-occurred_on", "-id"],
                include=[
                    "reporting_country",
                    "status",
                    "created_by",
                    "incident_type",
                    "direction",
                    "conveyance",
                    "operation",
                ],
                name="seiz_inc_date_idx",
            ),
            models.Index(
                fields=["reporting_country", "-occurred_on", "-id"],
                include=["status", "created_by", "incident_type", "direction", "conveyance", "operation"],
                name="seiz_inc_country_idx",
            ),
            models.Index(fields=["created_by", "status"], name="seiz_inc_author_idx"),
            # The analysis dashboards' grouped queries (status and period, then the grouped columns):
            # index-only scans instead of reading the wide records.
            models.Index(
                fields=["status", "occurred_on"],
                include=[
                    "id",
                    "reporting_country",
                    "incident_type",
                    "detection_method",
                    "conveyance",
                    "operation",
                    "total_kg",
                ],
                name="seiz_inc_stats_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"SZ-{self.pk:06d}" if self.pk else "SZ-new"

    @property
    def releasability(self) -> list[str]:
        return [org for org, flag in (("interpol", self.releasable_interpol), ("unodc", self.releasable_unodc)) if flag]


class IncidentCountry(models.Model):
    """A country on the route: departure, transit or destination."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="route")
    country = CountryField(_("country"))
    role = models.CharField(_("role"), max_length=12, choices=RouteRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("route country")
        verbose_name_plural = _("route countries")
        ordering = ["incident", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "country", "role"], name="seiz_route_unique"),
        ]
        indexes = [models.Index(fields=["country", "incident"], name="seiz_route_country_idx")]

    def __str__(self) -> str:
        return f"{self.country.code} ({self.get_role_display()})"


class GoodsLine(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="goods")
    position = models.PositiveSmallIntegerField(default=0)
    catalogue_item = models.ForeignKey(
        "reference.CatalogueItem", verbose_name=_("catalogue item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    hs_code = models.CharField(_("other HS code"), max_length=6, blank=True)
    declared_description = models.CharField(_("declared description"), max_length=500, blank=True)
    declared_hs = models.CharField(_("declared HS code"), max_length=6, blank=True)
    actual_hs = models.CharField(_("actual HS code"), max_length=6, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=4, choices=UNIT_CHOICES)
    concentration = models.DecimalField(
        _("concentration (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    density = models.DecimalField(
        _("density (kg/L)"), max_digits=8, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text=_("For liquids, if it differs from the catalogue's."),
    )  # fmt: skip
    quantity_kg = models.DecimalField(_("kg"), max_digits=18, decimal_places=3, null=True, blank=True)
    pure_kg = models.DecimalField(_("kg of pure substance"), max_digits=18, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("goods line")
        verbose_name_plural = _("goods lines")
        ordering = ["incident", "position", "pk"]
        indexes = [models.Index(fields=["catalogue_item", "incident"], name="seiz_goods_item_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.catalogue_item or self.hs_code}"


class IncidentParty(models.Model):
    """A company involved: consignor, consignee, broker, carrier, manufacturer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    entity = models.ForeignKey(
        "entities.Entity", verbose_name=_("company"), on_delete=models.PROTECT, related_name="incident_parties"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["incident", "position", "pk"]
        indexes = [models.Index(fields=["entity", "incident"], name="seiz_party_entity_idx")]

    def __str__(self) -> str:
        return f"{self.entity} ({self.get_role_display()})"


class IncidentPerson(models.Model):
    """A person involved: restricted. The name is kept only if the reporting country gives it, and
    shown only to that country's NCPs and, when it chose to share it, the secretariat's analysts."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=16, choices=PersonRole.choices)
    nationality = CountryField(_("nationality"), blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    year_of_birth = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_shared = models.BooleanField(_("share the name with the secretariat's analysts"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("persons involved")
        ordering = ["incident", "position", "pk"]

    def __str__(self) -> str:
        return self.get_role_display()


class IncidentDistribution(models.Model):
    """One target the reporting country chose at submission: a community, a country or a person."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="distribution")
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

    def __str__(self) -> str:
        if self.target_kind == TargetKind.COMMUNITY:
            return str(self.community)
        if self.target_kind == TargetKind.COUNTRY:
            return str(self.country.name)
        return str(self.user)


class IncidentRecipient(models.Model):
    """A person the record was shared with: resolved and recorded at submission."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_received")
    reason = models.CharField(_("reason"), max_length=10, choices=RecipientReason.choices)
    reason_detail = models.CharField(_("through"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("shared"), default=timezone.now)
    # When the submission email went (or was found unnecessary): the task claims each row once.
    notified_at = models.DateTimeField(_("told"), null=True, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="seiz_recipient_unique")]
        indexes = [models.Index(fields=["user", "incident"], name="seiz_recipient_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.incident}"


class IncidentVersion(models.Model):
    """The whole record at one version (fields, route, goods, parties, persons) as JSON."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    change = models.CharField(_("change"), max_length=12, choices=VersionChange.choices)
    note = models.TextField(_("note"), blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("incident version")
        verbose_name_plural = _("incident versions")
        ordering = ["incident", "number"]
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="seiz_version_unique")]

    def __str__(self) -> str:
        return f"{self.incident} v{self.number}"


class IncidentComment(models.Model):
    """The thread between the secretariat's analysts and the reporting country."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CommentKind.choices, default=CommentKind.COMMENT)
    body = models.TextField(_("comment"))
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["incident", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident}: {self.get_kind_display()}"


class IncidentView(models.Model):
    """Who opened the record, and when first: told of its corrections and withdrawal."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)

    class Meta:
        verbose_name = _("view of an incident")
        verbose_name_plural = _("views of incidents")
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="seiz_view_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.incident}"


class IncidentAttachment(RecordFileFields):
    """A photo or document of the record, checked and cleaned by `core.files` (photos without their
    metadata), stored by SHA-256 under ``SEIZURE_ATTACHMENTS_DIR``; seen by whoever may see the
    record's detail (`seizures.attachments`). The file's fields: `core.attachments.RecordFileFields`."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = _("photo or document")
        verbose_name_plural = _("photos and documents")
        ordering = ["incident", "pk"]


class SeizureSummary(models.Model):
    """The dashboards' monthly summary of counted records (`seizures.summaries`): one row per month,
    facet, incident type and grouped keys (`k1`, `k2`: a country, a catalogue item, a route's two
    countries, a detection method and a conveyance, a concealment text; `k3`: the catalogue item of
    the per-item facets), with the records and kilograms. Derived data: rebuilt from the records at any time; never edited by hand."""

    facet = models.CharField(max_length=16)
    month = models.DateField()
    incident_type = models.CharField(max_length=32, blank=True)
    k1 = models.CharField(max_length=300, blank=True)
    k2 = models.CharField(max_length=32, blank=True)
    k3 = models.CharField(max_length=16, blank=True)  # the catalogue item of the per-item facets
    n = models.PositiveIntegerField(default=0)
    kg = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("seizure summary row")
        verbose_name_plural = _("seizure summary rows")
        indexes = [
            models.Index(fields=["facet", "month"], include=["incident_type", "k1", "k2", "n", "kg"],
                         name="seiz_summary_idx"),
            models.Index(fields=["facet", "k1", "month"], name="seiz_summary_k1_idx"),
            models.Index(fields=["facet", "k2", "month"], name="seiz_summary_k2_idx"),
            models.Index(fields=["facet", "k3", "month"], name="seiz_summary_k3_idx"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.facet} {self.month:%Y-%m} {self.k1} {self.k2}: {self.n}"


from shieldhub.seizures.models_import import ImportBatch, ImportStatus  # noqa: E402, F401

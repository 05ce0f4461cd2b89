"""Shared entities: the companies (and, later, persons, vehicles and vessels) that records name.

A seizure's consignor, a shipment's consignee and a watch-list entry point to the same row when
they are the same company, so that links between records can be followed. An entity is found or
created by its normalised name (`core.names.normalise_name`: case, accents, punctuation and legal
forms), kind and country. Names that are close but not equal are suggested as "same as" links
(`EntityLink`), which a person confirms or rejects; confirmed links join entities into clusters.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class EntityKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")
    VESSEL = "vessel", _("Vessel")


class Entity(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=EntityKind.choices, default=EntityKind.COMPANY)
    name = models.CharField(_("name"), max_length=300)
    normalised_name = models.CharField(_("normalised name"), max_length=300, editable=False)
    country = CountryField(_("country"), blank=True)
    identifiers = models.JSONField(
        _("identifiers"), default=dict, blank=True, help_text=_("Registration number, IMO number, plate…")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["normalised_name", "country"], name="ent_entity_norm_idx")]

    def __str__(self) -> str:
        return self.name


class LinkStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class EntityLink(models.Model):
    """A "same as" link between two entities of one kind: suggested by the name matcher (or by a
    person), then confirmed or rejected by someone with `entities.link`. `entity_a` has the lower
    primary key, so a pair has one row whatever the order it was found in."""

    entity_a = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_as_a")
    entity_b = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="links_as_b")
    status = models.CharField(_("status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.SUGGESTED)
    score = models.FloatField(_("score"), default=0, help_text=_("Name similarity, 0–100."))
    suggested_at = models.DateTimeField(_("suggested"), default=timezone.now)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("suggested by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("“same as” link")
        verbose_name_plural = _("“same as” links")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entity_a", "entity_b"], name="ent_link_pair_unique"),
            models.CheckConstraint(condition=models.Q(entity_a__lt=models.F("entity_b")), name="ent_link_ordered"),
        ]
        indexes = [
            models.Index(fields=["status", "entity_a"], name="ent_link_status_a_idx"),
            models.Index(fields=["status", "entity_b"], name="ent_link_status_b_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_a_id} = {self.entity_b_id} ({self.status})"

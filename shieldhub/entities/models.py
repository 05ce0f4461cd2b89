"""Shared entities: the companies (and, later, persons, vehicles and vessels) that records name.

A seizure's consignor, a shipment's consignee and a watch-list entry point to the same row when
they are the same company, so that links between records can be followed. For now an entity is
found or created by its normalised name and country; fuzzy "same as" links come later.
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

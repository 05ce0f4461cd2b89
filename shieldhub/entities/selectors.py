"""Reads of the shared entities. Entities carry no access rule of their own yet: a user reaches
them through the records they may see (a seizure's parties), never through a list of all."""

from __future__ import annotations

from django.db.models import QuerySet

from shieldhub.entities.models import Entity
from shieldhub.entities.services import normalise_name


def entities_by_name(*, name: str, country: str = "") -> QuerySet[Entity]:
    """Entities whose normalised name equals this one's (for the services' find-or-create)."""
    qs = Entity.objects.filter(normalised_name=normalise_name(name))
    return qs.filter(country=country.upper()) if country else qs

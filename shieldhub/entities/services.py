"""Every write to the shared entities."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_registry

from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.entities.models import Entity, EntityKind

_SPACES = re.compile(r"\s+")
MAX_IDENTIFIER = 100


def _normalise(name: str) -> str:
    """Case-folded, accents removed, spaces collapsed.

    Seam: at merge this becomes `shieldhub.core.names.normalise_name(name)` (legal suffixes too).
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalise_name(name: str) -> str:
    return _normalise(name)


def _clean_identifiers(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"identifiers": _("Identifiers are pairs of a label and a value.")})
    cleaned: dict[str, str] = {}
    for key, item in value.items():
        key, text = str(key).strip()[:40], str(item or "").strip()
        if not key or not text:
            continue
        if len(text) > MAX_IDENTIFIER:
            raise ValidationError({"identifiers": _("An identifier is at most 100 characters long.")})
        cleaned[key] = text
    return cleaned


@transaction.atomic
def entity_find_or_create(
    *, actor: Any, name: str, country: str = "", kind: str = EntityKind.COMPANY, identifiers: Any = None
) -> tuple[Entity, bool]:
    """The entity with this normalised name, kind and country, created if there is none.

    Permission is the caller's concern: entities are created as part of a record the actor may
    write (a seizure's parties). New identifiers are added to an existing entity, never replaced.
    """
    name = _SPACES.sub(" ", (name or "").strip())
    if not name:
        raise ValidationError({"name": _("Give the name.")})
    if len(name) > 300:
        raise ValidationError({"name": _("A name is at most 300 characters long.")})
    code = (country or "").strip().upper()
    if code and code not in country_registry:
        raise ValidationError({"country": _("Unknown country code: %(codes)s.") % {"codes": code}})
    if kind not in EntityKind.values:
        raise ValidationError({"kind": _("Unknown kind of entity.")})
    normalised = _normalise(name)
    found_ids = _clean_identifiers(identifiers)
    entity = (
        Entity.objects.select_for_update()
        .filter(kind=kind, normalised_name=normalised, country=code)
        .order_by("pk")
        .first()
    )
    if entity is not None:
        added = {k: v for k, v in found_ids.items() if k not in entity.identifiers}
        if added:
            before = snapshot(entity, ["identifiers"])
            entity.identifiers = {**entity.identifiers, **added}
            entity.save(update_fields=["identifiers"])
            audit_record(
                actor=actor, action="entities.entity_update", obj=entity,
                changes=diff(before, snapshot(entity, ["identifiers"])),
            )  # fmt: skip
        return entity, False
    entity = Entity(
        kind=kind, name=name, normalised_name=normalised, country=code, identifiers=found_ids,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    entity.full_clean(exclude=["created_by"])
    entity.save()
    audit_record(actor=actor, action="entities.entity_create", obj=entity, changes=diff(None, snapshot(entity)))
    return entity, True

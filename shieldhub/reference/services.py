"""Every write to the reference tables made in the application: the PGS catalogue.

(The other tables are written only by `loader.load_reference` from the shipped files.)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.reference.models import CatalogueItem
from shieldhub.reference.text import hs_compact

# Fields a person may set; `code` only when creating (records elsewhere may refer to it).
EDITABLE_FIELDS = (
    "category",
    "name_en",
    "name_fr",
    "formula",
    "cas",
    "un_numbers",
    "hs_codes",
    "eu_annex",
    "eu_limit",
    "synonyms_en",
    "synonyms_fr",
    "synonyms_es",
    "density_kg_per_l",
    "notes",
    "is_active",
)
LIST_FIELDS = ("un_numbers", "hs_codes", "synonyms_en", "synonyms_fr", "synonyms_es")
AUDITED_FIELDS = ["code", *EDITABLE_FIELDS]


def _clean_list(field: str, value: Any) -> Any:
    """Trim entries, drop blanks and repeats; HS codes lose their dots, UN numbers their 'UN'."""
    if not isinstance(value, list | tuple):
        return value  # the model's validator reports it
    items: list[Any] = []
    for raw in value:
        item = raw.strip() if isinstance(raw, str) else raw
        if field == "hs_codes" and isinstance(item, str):
            item = hs_compact(item)
        if field == "un_numbers" and isinstance(item, str) and item.upper().startswith("UN"):
            item = item[2:].strip()
        if item in ("", None) or item in items:
            continue
        items.append(item)
    return items


def _clean_density(value: Any) -> Any:
    """Stored with four decimals, so that 1.41 and 1.4100 are the same value (no false change)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"density_kg_per_l": _("Enter a number.")}) from None


def _apply(item: CatalogueItem, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in unknown},
        )
    for name, value in data.items():
        if name in LIST_FIELDS:
            value = _clean_list(name, value)
        elif name == "density_kg_per_l":
            value = _clean_density(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(item, name, value)
    item.search_text = item.build_search_text()
    item.updated_at = timezone.now()


def catalogue_item_create(*, actor: Any, data: dict[str, Any]) -> CatalogueItem:
    require(actor, Perm.CATALOGUE_EDIT)
    item = CatalogueItem()
    _apply(item, dict(data), ("code", *EDITABLE_FIELDS))
    item.created_at = item.updated_at
    with transaction.atomic():
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            action="reference.catalogue_item.create",
            obj=item,
            changes=diff(None, snapshot(item, AUDITED_FIELDS)),
        )
    return item


def catalogue_item_update(*, actor: Any, item: CatalogueItem, data: dict[str, Any]) -> CatalogueItem:
    """Change the given fields (a partial update). Audited with before and after."""
    require(actor, Perm.CATALOGUE_EDIT)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item, AUDITED_FIELDS)
        _apply(item, dict(data), EDITABLE_FIELDS)
        after = snapshot(item, AUDITED_FIELDS)
        changes = diff(before, after)
        if not changes:
            return item
        item.full_clean()
        item.save()
        audit_record(actor=actor, action="reference.catalogue_item.update", obj=item, changes=changes)
    return item

"""Load the reference files in `settings.REFERENCE_DIR` into the reference tables.

`load_reference()` is idempotent: rows are compared with what is stored and only new or
changed rows are written (bulk operations, a few hundred milliseconds for HS 2022's ~6,900
codes). Catalogue items that already exist are never overwritten — analysts edit them in the
application — only missing ones are created. One audit entry summarises each load.
"""

from __future__ import annotations

import csv
import gettext
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
from babel.numbers import get_currency_precision
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from shieldhub.core.audit import audit_record
from shieldhub.reference.models import CatalogueItem, Country, Currency, HsCode, HsSection, WcoRegion
from shieldhub.reference.text import fold

# French names of the six WCO regions (the CSV gives the English ones).
REGION_NAMES_FR = {
    "AMS": "Amérique du Sud, Amérique du Nord, Amérique centrale et Caraïbes",
    "AP": "Extrême-Orient, Asie du Sud et du Sud-Est, Australasie et îles du Pacifique",
    "ESA": "Afrique orientale et australe",
    "EUR": "Europe",
    "MENA": "Afrique du Nord, Proche et Moyen-Orient",
    "WCA": "Afrique occidentale et centrale",
}

# Members that ISO 3166-1 (and so pycountry) does not list.
EXTRA_COUNTRIES = {
    "XK": {"iso3": "XKX", "numeric": None, "name_en": "Kosovo", "name_fr": "Kosovo"},
    "EU": {"iso3": "EUE", "numeric": None, "name_en": "European Union", "name_fr": "Union européenne"},
}

ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(text: str) -> int:
    total = 0
    values = [ROMAN[ch] for ch in text]
    for i, value in enumerate(values):
        total += -value if i + 1 < len(values) and values[i + 1] > value else value
    return total


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


# --- reading the files: plain dicts keyed by primary key ---------------------------------------


def read_regions_and_members(base: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    regions: dict[str, dict[str, Any]] = {}
    members: dict[str, dict[str, Any]] = {}
    for row in _read_csv(base / "wco_members.csv"):
        code = row["wco_region_code"]
        regions.setdefault(
            code, {"name_en": row["wco_region"], "name_fr": REGION_NAMES_FR.get(code, row["wco_region"])}
        )
        members[row["iso2"].upper()] = {
            "iso3": row["iso3"].upper(),
            "name_en": row["name_en"],
            "region": code,
            "status": row["member_status"],
        }
    return regions, members


def read_countries(members: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows: dict[str, dict[str, Any]] = {}
    for country in pycountry.countries:
        rows[country.alpha_2] = {
            "iso3": country.alpha_3,
            "numeric": int(country.numeric),
            "name_en": country.name,
            "name_fr": french.gettext(country.name),
        }
    for code, extra in EXTRA_COUNTRIES.items():
        rows[code] = dict(extra)
    for code, row in rows.items():
        row["sort_en"] = fold(row["name_en"])
        row["sort_fr"] = fold(row["name_fr"])
        member = members.get(code)
        row["wco_member"] = bool(member and member["status"] == "member")
        row["wco_region_id"] = member["region"] if member else None
        row["member_status"] = member["status"] if member else ""
    unknown = set(members) - set(rows)
    if unknown:
        raise ValueError(f"wco_members.csv has codes that are not ISO 3166-1 countries: {sorted(unknown)}")
    return rows


def read_sections(base: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for row in _read_csv(base / "hs2022" / "sections.csv"):
        name = row["name"]
        rows[row["section"]] = {"number": _roman(row["section"]), "name": name[:1].upper() + name[1:]}
    return rows


def read_hs_codes(base: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for row in _read_csv(base / "hs2022" / "harmonized-system.csv"):
        if row["section"] == "TOTAL":
            continue  # UN Comtrade's own total and chapter 99 ("not specified according to kind")
        rows[row["hscode"]] = {
            "description": row["description"],
            "parent_id": None if row["parent"] == "TOTAL" else row["parent"],
            "level": int(row["level"]),
            "section_id": row["section"],
        }
    return rows


def read_catalogue(base: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for row in _read_csv(base / "precursors.csv"):
        rows[row["code"]] = {
            "category": row["category"],
            "name_en": row["name_en"],
            "name_fr": row["name_fr"],
            "formula": row["formula"],
            "cas": row["cas"],
            "un_numbers": _split(row["un_numbers"]),
            "hs_codes": _split(row["hs2022"]),
            "eu_annex": row["eu_2019_1148"],
            "eu_limit": row["eu_limit"],
            "synonyms_en": _split(row["synonyms_en"]),
            "synonyms_fr": _split(row["synonyms_fr"]),
            "synonyms_es": _split(row["synonyms_es"]),
            "density_kg_per_l": Decimal(row["density_kg_per_l"]) if row["density_kg_per_l"] else None,
            "notes": row["notes"],
        }
    return rows


def read_currencies() -> dict[str, dict[str, Any]]:
    french = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["fr"])
    return {
        c.alpha_3: {
            "name": c.name,
            "name_fr": french.gettext(c.name),
            "numeric": c.numeric,
            "minor_unit": get_currency_precision(c.alpha_3),
        }
        for c in pycountry.currencies
    }


# --- writing ----------------------------------------------------------------------------------


def _sync(model: type[models.Model], rows: dict[str, dict[str, Any]], *, batch_size: int = 1000) -> dict[str, int]:
    """Insert missing rows and update changed ones; never delete. Returns created/updated counts."""
    fields = sorted({f for row in rows.values() for f in row})
    existing = {obj.pk: obj for obj in model.objects.all().only("pk", *fields)}  # type: ignore[attr-defined]
    to_create, to_update = [], []
    for pk, values in rows.items():
        obj = existing.get(pk)
        if obj is None:
            to_create.append(model(pk=pk, **values))
            continue
        if any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            to_update.append(obj)
    manager = model._default_manager
    if to_create:
        manager.bulk_create(to_create, batch_size=batch_size)
    if to_update:
        manager.bulk_update(to_update, fields, batch_size=batch_size)
    return {"created": len(to_create), "updated": len(to_update)}


def _hs_in_level_order(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return dict(sorted(rows.items(), key=lambda kv: (kv[1]["level"], kv[0])))


def _create_missing_catalogue(rows: dict[str, dict[str, Any]]) -> dict[str, int]:
    existing = set(CatalogueItem.objects.filter(code__in=list(rows)).values_list("code", flat=True))
    now = timezone.now()
    new_items = []
    for code, values in rows.items():
        if code in existing:
            continue
        item = CatalogueItem(code=code, created_at=now, updated_at=now, **values)
        item.search_text = item.build_search_text()
        new_items.append(item)
    CatalogueItem.objects.bulk_create(new_items)
    return {"created": len(new_items), "kept": len(existing)}


def check_catalogue_hs(catalogue: dict[str, dict[str, Any]], hs_codes: Iterable[str]) -> None:
    known = set(hs_codes)
    for code, row in catalogue.items():
        missing = [c for c in row["hs_codes"] if c not in known]
        if missing:
            raise ValueError(f"precursors.csv: {code} has HS codes not in HS 2022: {missing}")


def sync_reference(base: Path | None = None) -> dict[str, int]:
    """Write the reference tables from the files, without the audit entry. Returns counts."""
    base = Path(base or settings.REFERENCE_DIR)
    regions, members = read_regions_and_members(base)
    countries = read_countries(members)
    sections = read_sections(base)
    hs = _hs_in_level_order(read_hs_codes(base))
    catalogue = read_catalogue(base)
    check_catalogue_hs(catalogue, hs)
    currencies = read_currencies()

    counts: dict[str, int] = {}
    with transaction.atomic():
        for key, model, rows in (
            ("regions", WcoRegion, regions),
            ("countries", Country, countries),
            ("hs_sections", HsSection, sections),
            ("hs_codes", HsCode, hs),
            ("currencies", Currency, currencies),
        ):
            result = _sync(model, rows)
            counts[key] = len(rows)
            counts[f"{key}_created"] = result["created"]
            counts[f"{key}_updated"] = result["updated"]
        result = _create_missing_catalogue(catalogue)
        counts["catalogue"] = len(catalogue)
        counts["catalogue_created"] = result["created"]
        counts["catalogue_kept"] = result["kept"]
    return counts


def load_reference(*, actor: Any = None, base: Path | None = None) -> dict[str, int]:
    """Load every reference file; one audit entry records the counts."""
    with transaction.atomic():
        counts = sync_reference(base)
        audit_record(
            actor=actor,
            action="reference.load",
            object_type="reference",
            object_repr="Reference data",
            extra={"counts": counts, "source": str(Path(base or settings.REFERENCE_DIR).name)},
        )
    return counts

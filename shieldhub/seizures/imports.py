"""Bulk import of seizure records from a CSV or XLSX file: upload, validate every row, preview,
then an all-or-nothing commit in the background.

One row is one goods line. Rows that share a *record reference* (and reporting country) form one
record; rows without one are grouped when they agree on the reporting country, date, type, office
and national reference (so a file with one line per record needs no reference column at all).
The record's own fields (date, office, route, companies, narrative...) are read from the group's
first row; a later row of the group that gives a different value is an error.

Tolerant where a person would be: dates in the usual day-first formats (28/11/2026, 2026-11-28,
28.11.26, 28 Nov 2026, 28 novembre 2026), decimal commas and thousands separators (1.234,5 and
1,234.5), unit spellings (`reference.units`), countries by ISO code or English or French name,
catalogue items by name or synonym in English, French or Spanish (`GoodsMatcher`), HS codes with
or without dots, choices by code or English or French label. Strict where a guess would corrupt
the data: an unknown unit, country or item, an item that matches more than one catalogue entry,
a date that is not day-first, "1,234" (a thousand or one point two?) are errors, never guesses.

Possible duplicates (same reporting country, date, item and quantity within 2 %, or the same
national reference) of records the importer can see, or of another record in the file, are
flagged; the importer decides for each: import anyway, or skip.

Records are created as drafts (version 0, no recipients): the reporting country reviews them and
submits them with a distribution, as for a record typed in. The commit writes incidents, goods
lines, route countries and parties with bulk inserts in one transaction, and one audit entry for
the batch (file, counts, every record id created).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat, LPad
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, has_perm, incidents_visible_q, require, user_country
from shieldhub.core.audit import audit_record
from shieldhub.core.imports import (
    ColumnSpec,
    ImportFileError,
    ParsedFile,
    country_index,
    fold,
    header_index,
    parse_table,
    read_upload,
)
from shieldhub.reference.text import fold as text_fold
from shieldhub.reference.text import hs_compact
from shieldhub.reference.units import Dimension, Unit, UnknownUnit, normalise_unit
from shieldhub.seizures import quality
from shieldhub.seizures.choices import (
    Conveyance,
    DetectionMethod,
    Direction,
    IncidentStatus,
    IncidentType,
    LocationType,
    PartyRole,
    RouteRole,
    Source,
)
from shieldhub.seizures.models import GoodsLine, Incident, IncidentCountry, IncidentParty
from shieldhub.seizures.models_import import ImportBatch, ImportStatus

__all__ = ["ImportFileError"]

MAX_ROWS = 200_000
MAX_STORED_ERRORS = 5000
QUANTITY_TOLERANCE = Decimal("0.02")  # two quantities within 2 % of the larger are "the same"
ITEM_MIN_CONFIDENCE = 0.8  # a name or synonym, not an HS code or a lone acronym
CHOICE_IMPORT = "import"
CHOICE_SKIP = "skip"
DUPLICATE_CHOICES = [(CHOICE_IMPORT, _("Import anyway")), (CHOICE_SKIP, _("Skip this record"))]
_KG = Decimal("0.001")

# --- columns ----------------------------------------------------------------------------------

COLUMNS: dict[str, ColumnSpec] = {
    "record_reference": (_("Record reference"), "Record reference", "Référence de l'enregistrement",
                         ("record", "record ref", "record id", "reference enregistrement", "ref enregistrement")),
    "reporting_country": (_("Reporting country"), "Reporting country", "Pays déclarant",
                          ("reporting", "pays declarant", "pays")),
    "incident_type": (_("Type"), "Type", "Type d'incident", ("incident type", "type of incident")),
    "occurred_on": (_("Date"), "Date", "Date de l'incident", ("date of seizure", "date de saisie", "occurred on")),
    "office_name": (_("Office"), "Office", "Bureau", ("customs office", "bureau de douane", "place", "lieu")),
    "location_type": (_("Location type"), "Location type", "Type de lieu", ()),
    "direction": (_("Direction"), "Direction", "Sens", ("flux",)),
    "detection_method": (_("Detection method"), "Detection method", "Méthode de détection", ("detection",)),
    "conveyance": (_("Conveyance"), "Conveyance", "Moyen de transport", ("transport", "means of transport")),
    "concealment": (_("Concealment"), "Concealment", "Dissimulation",
                    ("concealment method", "methode de dissimulation")),
    "ports": (_("Ports or airports"), "Ports or airports", "Ports ou aéroports", ("ports",)),
    "national_reference": (_("National reference"), "National reference", "Référence nationale",
                           ("national reference number", "case number", "numero de dossier")),
    "narrative": (_("Narrative"), "Narrative", "Récit", ("summary", "resume", "description of events")),
    "departure_country": (_("Country of departure"), "Country of departure", "Pays de départ",
                          ("departure", "depart")),
    "transit_countries": (_("Transit countries"), "Transit countries", "Pays de transit", ("transit",)),
    "destination_country": (_("Country of destination"), "Country of destination", "Pays de destination",
                            ("destination",)),
    "consignor": (_("Consignor"), "Consignor", "Expéditeur", ("shipper", "exporter", "exportateur")),
    "consignor_country": (_("Consignor country"), "Consignor country", "Pays de l'expéditeur", ()),
    "consignee": (_("Consignee"), "Consignee", "Destinataire", ("importer", "importateur")),
    "consignee_country": (_("Consignee country"), "Consignee country", "Pays du destinataire", ()),
    "item": (_("Precursor"), "Precursor", "Précurseur",
             ("item", "catalogue item", "substance", "produit", "precursor name", "chemical", "precursor or item")),
    "hs_code": (_("HS code"), "HS code", "Code SH", ("hs", "sh", "tariff code", "code tarifaire")),
    "declared_description": (_("Declared description"), "Declared description", "Description déclarée",
                             ("description", "goods description", "designation")),
    "declared_hs": (_("Declared HS code"), "Declared HS code", "Code SH déclaré", ()),
    "actual_hs": (_("Actual HS code"), "Actual HS code", "Code SH réel", ()),
    "quantity": (_("Quantity"), "Quantity", "Quantité", ("qty", "qte", "amount")),
    "unit": (_("Unit"), "Unit", "Unité", ("units", "unite de mesure", "uom")),
    "concentration": (_("Concentration (%)"), "Concentration (%)", "Concentration (%)", ("concentration",)),
    "density": (_("Density (kg/L)"), "Density (kg/L)", "Densité (kg/L)", ("density", "densite")),
}  # fmt: skip
REQUIRED_COLUMNS = ("incident_type", "occurred_on", "quantity", "unit")
# The record's own fields: read from a group's first row, must agree on the others.
RECORD_FIELDS = (
    "reporting_country", "incident_type", "occurred_on", "office_name", "location_type", "direction",
    "detection_method", "conveyance", "concealment", "ports", "national_reference", "narrative",
    "departure_country", "transit_countries", "destination_country", "consignor", "consignor_country",
    "consignee", "consignee_country",
)  # fmt: skip
LINE_FIELDS = ("item", "hs_code", "declared_description", "declared_hs", "actual_hs", "quantity", "unit",
               "concentration", "density")  # fmt: skip
_HEADERS = header_index(COLUMNS)

GUIDANCE: dict[str, tuple[str, str]] = {
    "record_reference": (
        "Your own key: rows with the same reference form one record (one row per goods line). "
        "Without it, rows with the same reporting country, date, type, office and national reference form one record.",
        "Votre propre clé : les lignes de même référence forment un enregistrement (une ligne par marchandise). "
        "Sans elle, les lignes de même pays déclarant, date, type, bureau et référence nationale forment un enregistrement.",
    ),
    "reporting_country": (
        "Required for analysts; NCPs: your country (blank = your country)",
        "Obligatoire pour les analystes ; PCN : votre pays (vide = votre pays)",
    ),
    "incident_type": (
        "Required: seizure, stopped, diversion, theft, manufacture, suspicious_order (or the label)",
        "Obligatoire : saisie, expédition arrêtée, détournement, vol, fabrication, commande suspecte",
    ),
    "occurred_on": (
        "Required. Day first: 28/11/2026, 28.11.26, 28 Nov 2026, or 2026-11-28",
        "Obligatoire. Jour d'abord : 28/11/2026, 28.11.26, 28 nov. 2026, ou 2026-11-28",
    ),
    "location_type": (
        "seaport, airport, land border, inland, postal hub",
        "port maritime, aéroport, frontière terrestre, intérieur, centre postal",
    ),
    "direction": ("import, export, transit, domestic", "importation, exportation, transit, intérieur"),
    "conveyance": (
        "air, vessel, vehicle, rail, pedestrian, postal, express, unknown",
        "aérien, navire, véhicule, rail, piéton, postal, express, inconnu",
    ),
    "departure_country": (
        "ISO code (FR, FRA) or English or French name",
        "Code ISO (FR, FRA) ou nom anglais ou français",
    ),
    "transit_countries": ("Countries separated by ;", "Pays séparés par ;"),
    "destination_country": ("ISO code or name", "Code ISO ou nom"),
    "item": (
        "Catalogue name, synonym or code in English, French or Spanish (or give an HS code)",
        "Nom, synonyme ou code du catalogue en anglais, français ou espagnol (ou un code SH)",
    ),
    "hs_code": ("HS 2022 code, with or without dots (3102.30 or 310230)", "Code SH 2022, avec ou sans points"),
    "quantity": ("Required. 1234.5, 1,234.5, 1234,5 or 1.234,5", "Obligatoire. 1234,5, 1 234,5, 1.234,5 ou 1234.5"),
    "unit": (
        "Required: kg, kgs, kilo, g, t, MT, tonnes, lb, L, l, litres, mL, m3, gal, pcs",
        "Obligatoire : kg, kilo, g, t, tonnes, lb, L, litres, mL, m3, gal, pièces",
    ),
    "concentration": ("Percent, 0 to 100", "Pourcentage, de 0 à 100"),
    "density": ("kg/L, for liquids when the catalogue has none", "kg/L, pour les liquides"),
}


def column_label(name: str) -> str:
    spec = COLUMNS.get(name)
    return str(spec[0]) if spec else name


# --- error messages: stored as codes, rendered in the reader's language -------------------------

MESSAGES: dict[str, Promise] = {
    "required": _("This value is required."),
    "date": _("“%(value)s” is not a date: write it day first (28/11/2026, 28.11.26, 28 Nov 2026) or 2026-11-28."),
    "date_future": _("The date %(value)s is in the future."),
    "number": _("“%(value)s” is not a number."),
    "number_ambiguous": _("“%(value)s” is ambiguous: write 1234 or 1.234 (or 1234,0 for a decimal comma)."),
    "negative": _("A quantity cannot be negative."),
    "percent": _("A concentration must be between 0 and 100 %."),
    "unit": _("Unknown unit “%(value)s”. Use kg, g, t, lb, L, mL, m³, gal or pieces."),
    "density": _("A density (kg/L) is needed to convert %(unit)s of this item to kilograms."),
    "country": _("“%(value)s” is not a known country: use an ISO code (FR, FRA) or the English or French name."),
    "own_country": _("You import records for your own country (%(country)s) only."),
    "choice": _("“%(value)s” is not one of: %(choices)s."),
    "item_unknown": _("“%(value)s” is not in the catalogue: use a name or synonym, or give an HS code instead."),
    "item_ambiguous": _("“%(value)s” matches several catalogue items (%(items)s): name one."),
    "item_or_hs": _("Give a precursor (catalogue item) or an HS code."),
    "hs": _("“%(value)s” is not an HS 2022 code."),
    "conflict": _("“%(value)s” differs from row %(row)s of the same record (“%(first)s”)."),
    "too_long": _("At most %(limit)s characters."),
    "too_many_lines": _("A record has at most %(limit)s goods lines."),
}


def render_error(error: list[Any]) -> dict[str, Any]:
    """[row, column, code, params] -> {"row", "column", "label", "message"} in the active language."""
    row, column, code, params = error
    message = MESSAGES.get(code, code)
    return {"row": row, "column": column, "label": column_label(column), "message": str(message) % params}


# --- tolerant readers ---------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "janv": 1, "janvier": 1, "ene": 1, "enero": 1,
    "feb": 2, "february": 2, "fev": 2, "fevr": 2, "fevrier": 2, "febrero": 2,
    "mar": 3, "march": 3, "mars": 3, "marzo": 3,
    "apr": 4, "april": 4, "avr": 4, "avril": 4, "abr": 4, "abril": 4,
    "may": 5, "mai": 5, "mayo": 5,
    "jun": 6, "june": 6, "juin": 6, "junio": 6,
    "jul": 7, "july": 7, "juil": 7, "juillet": 7, "julio": 7,
    "aug": 8, "august": 8, "aou": 8, "aout": 8, "ago": 8, "agosto": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "septiembre": 9,
    "oct": 10, "october": 10, "octobre": 10, "octubre": 10,
    "nov": 11, "november": 11, "novembre": 11, "noviembre": 11,
    "dec": 12, "december": 12, "decembre": 12, "dic": 12, "diciembre": 12,
}  # fmt: skip
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})(?:er)?[\s\-/]+([a-z]+)\.?[\s\-/]+(\d{2}|\d{4})$")
_MONTH_D_Y = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def parse_date(text: str) -> dt.date | None:
    """Day-first dates in the usual spellings, or ISO; None when it is not one."""
    value = text.strip()
    try:
        m = _ISO_DATE.match(value)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(value)
        if m:
            return dt.date(_year(m[3]), int(m[2]), int(m[1]))
        folded = text_fold(value)
        m = _D_MONTH_Y.match(folded)
        if m and m[2] in _MONTHS:
            return dt.date(_year(m[3]), _MONTHS[m[2]], int(m[1]))
        m = _MONTH_D_Y.match(folded)
        if m and m[1] in _MONTHS:
            return dt.date(int(m[3]), _MONTHS[m[1]], int(m[2]))
    except ValueError:
        return None
    return None


class NumberError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_SPACES_IN_NUMBER = re.compile(r"[\s\u00a0\u202f']")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3}){2,}(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3}){2,}(,\d+)?$")
_ONE_GROUP_COMMA = re.compile(r"^\d{1,3},\d{3}$")


def parse_number(text: str) -> Decimal:
    """'1.234,5', '1,234.5', '1 234,5', '1234.5' -> Decimal('1234.5'). NumberError otherwise;
    '1,234' (a thousand, or one point two?) is refused."""
    value = _SPACES_IN_NUMBER.sub("", text.strip())
    if value.startswith("-"):
        raise NumberError("negative")
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):  # 1.234,5
            value = value.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            value = value.replace(",", "")
    elif "," in value:
        if _THOUSANDS_COMMA.match(value):
            value = value.replace(",", "")
        elif _ONE_GROUP_COMMA.match(value):
            raise NumberError("number_ambiguous")
        else:
            value = value.replace(",", ".")
    elif _THOUSANDS_DOT.match(value):
        value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise NumberError("number") from None
    if not number.is_finite():
        raise NumberError("number")
    return number


# French and common spellings, whatever the state of the translation catalogue.
CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "incident_type": {"saisie": "seizure", "expedition arretee": "stopped", "expedition suspendue": "stopped",
                      "detournement": "diversion", "tentative de detournement": "diversion", "vol": "theft",
                      "perte": "theft", "vol ou perte": "theft", "fabrication": "manufacture",
                      "site de fabrication illicite": "manufacture", "commande suspecte": "suspicious_order"},
    "location_type": {"port": "seaport", "port maritime": "seaport", "aeroport": "airport",
                      "frontiere terrestre": "land_border", "border": "land_border", "interieur": "inland",
                      "centre postal": "postal_hub", "postal hub": "postal_hub"},
    "direction": {"importation": "import", "exportation": "export", "interieur": "domestic", "national": "domestic"},
    "detection_method": {"controle de routine": "routine", "ciblage": "risk_profiling",
                         "analyse de risque": "risk_profiling", "renseignement": "intelligence",
                         "enquete": "investigation", "selection aleatoire": "random", "aleatoire": "random",
                         "scanner": "device", "chien": "canine", "cynophile": "canine", "autre": "other"},
    "conveyance": {"aerien": "air", "avion": "air", "navire": "vessel", "maritime": "vessel", "ship": "vessel",
                   "vehicule": "vehicle", "camion": "vehicle", "truck": "vehicle", "road": "vehicle",
                   "route": "vehicle", "ferroviaire": "rail", "train": "rail", "pieton": "pedestrian",
                   "poste": "postal", "fret express": "express", "courrier express": "express",
                   "inconnu": "unknown"},
}  # fmt: skip


def _choice_index(choices: Any, aliases: dict[str, str] | None = None) -> dict[str, str]:
    index: dict[str, str] = {fold(k): v for k, v in (aliases or {}).items()}
    for value, _label in choices.choices:
        if not value:
            continue
        index[fold(value)] = value
        index[fold(value.replace("_", " "))] = value
        for language in ("en", "fr"):
            with translation.override(language):
                index.setdefault(fold(str(choices(value).label)), value)
    return index


# Usual English names that the reference tables and ISO do not carry.
COUNTRY_ALIASES = {
    "ivory coast": "CI", "cote divoire": "CI", "cote d ivoire": "CI", "cape verde": "CV", "swaziland": "SZ",
    "burma": "MM", "czech republic": "CZ", "turkey": "TR", "uk": "GB", "great britain": "GB", "england": "GB",
    "usa": "US", "united states of america": "US", "u s a": "US", "russia": "RU", "south korea": "KR",
    "north korea": "KP", "iran": "IR", "syria": "SY", "laos": "LA", "vietnam": "VN", "tanzania": "TZ",
    "bolivia": "BO", "venezuela": "VE", "moldova": "MD", "holland": "NL", "drc": "CD", "dr congo": "CD",
    "congo brazzaville": "CG", "congo kinshasa": "CD", "macedonia": "MK", "east timor": "TL",
}  # fmt: skip


# --- lookups built once per validation --------------------------------------------------------


@dataclass
class _Lookups:
    countries: dict[str, str]
    choices: dict[str, dict[str, str]]
    hs_codes: frozenset[str]
    items: dict[int, Any]  # pk -> CatalogueItem
    item_by_code: dict[str, int]
    matcher: Any
    item_cache: dict[str, tuple[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: Any) -> _Lookups:
        from shieldhub.reference.matching import GoodsMatcher
        from shieldhub.reference.models import CatalogueItem, HsCode

        items = list(CatalogueItem.objects.filter(is_active=True).order_by("pk"))
        countries = country_index(user=actor)
        for alias, code in COUNTRY_ALIASES.items():
            countries.setdefault(fold(alias), code)
        return cls(
            countries=countries,
            choices={
                "incident_type": _choice_index(IncidentType, CHOICE_ALIASES["incident_type"]),
                "location_type": _choice_index(LocationType, CHOICE_ALIASES["location_type"]),
                "direction": _choice_index(Direction, CHOICE_ALIASES["direction"]),
                "detection_method": _choice_index(DetectionMethod, CHOICE_ALIASES["detection_method"]),
                "conveyance": _choice_index(Conveyance, CHOICE_ALIASES["conveyance"]),
            },
            hs_codes=frozenset(HsCode.objects.values_list("code", flat=True)),
            items={i.pk: i for i in items},
            item_by_code={i.code: i.pk for i in items},
            matcher=GoodsMatcher.from_catalogue(items),
        )

    def country(self, text: str) -> str | None:
        return self.countries.get(fold(text))

    def item(self, text: str) -> tuple[str, Any]:
        """("ok", pk) | ("item_unknown", {}) | ("item_ambiguous", {"items": ...}); cached per text."""
        found = self.item_cache.get(text)
        if found is None:
            code = text.strip().lower()
            if code in self.item_by_code:
                found = ("ok", self.item_by_code[code])
            else:
                scores = self.matcher.item_scores(text)
                codes = sorted(c for c, s in scores.items() if s >= ITEM_MIN_CONFIDENCE)
                if len(codes) == 1:
                    found = ("ok", self.item_by_code[codes[0]])
                elif codes:
                    names = ", ".join(self.items[self.item_by_code[c]].name_en for c in codes)
                    found = ("item_ambiguous", {"items": names})
                else:
                    found = ("item_unknown", {})
            self.item_cache[text] = found
        return found


# --- validation ---------------------------------------------------------------------------------


@dataclass
class Line:
    row: int
    item_id: int | None
    hs_code: str
    declared_description: str
    declared_hs: str
    actual_hs: str
    quantity: Decimal
    unit: str
    concentration: Decimal | None
    density: Decimal | None
    kg: Decimal | None
    pure: Decimal | None


@dataclass
class Record:
    key: str
    rows: list[int]
    fields: dict[str, Any]
    route: list[tuple[str, str]]
    parties: list[tuple[str, str, str]]  # (role, name, country)
    lines: list[Line] = field(default_factory=list)
    first_values: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class Validation:
    total_rows: int
    records: list[Record]
    errors: list[list[Any]]  # [row, column, code, params]
    duplicates: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return not self.errors


def _quantise(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_KG, rounding=ROUND_HALF_UP)


_MAX_LENGTHS = {
    "office_name": 200, "concealment": 300, "ports": 300, "national_reference": 100, "declared_description": 500,
    "consignor": 300, "consignee": 300, "record_reference": 200,
}  # fmt: skip


def validate_rows(*, actor: Any, rows: list[dict[str, Any]], lookups: _Lookups | None = None) -> Validation:
    """Check every row and group them into records; nothing is written."""
    require(actor, Perm.SEIZURE_IMPORT)
    lk = lookups or _Lookups.load(actor)
    own = user_country(actor)
    any_country = has_perm(actor, Perm.SEIZURE_VIEW_ALL) and has_perm(actor, Perm.SEIZURE_REPORT)
    if not own and not any_country:
        raise PermissionDenied
    today = timezone.localdate()
    errors: list[list[Any]] = []
    records: dict[str, Record] = {}
    date_cache: dict[str, dt.date | None] = {}
    unit_cache: dict[str, Unit | None] = {}

    for raw in rows:
        n = int(raw["row"])
        row_errors: list[list[Any]] = []

        def err(column: str, code: str, params: dict[str, Any] | None = None, n: int = n,
                row_errors: list[list[Any]] = row_errors) -> None:  # fmt: skip
            row_errors.append([n, column, code, params or {}])

        def text(name: str, get: Callable[[str], Any] = raw.get) -> str:
            return get(name) or ""  # parse_table strips every cell

        for name, limit in _MAX_LENGTHS.items():
            if len(text(name)) > limit:
                err(name, "too_long", {"limit": limit})

        # the reporting country: the NCP's own, the analyst's choice
        country_text = text("reporting_country")
        country = lk.country(country_text) if country_text else (own or None)
        if country_text and country is None:
            err("reporting_country", "country", {"value": country_text})
        elif country is None:
            err("reporting_country", "required")
        elif not any_country and country != own:
            err("reporting_country", "own_country", {"country": own})

        # a later row of a record (same record reference) may leave the record's fields blank
        reference = text("record_reference")
        ref_key = _record_key(country, reference) if reference and country else ""
        earlier = records.get(ref_key) if ref_key else None

        occurred_text = text("occurred_on")
        occurred: dt.date | None = None
        if not occurred_text and earlier is not None:
            occurred = earlier.fields["occurred_on"]
        elif not occurred_text:
            err("occurred_on", "required")
        else:
            if occurred_text not in date_cache:
                date_cache[occurred_text] = parse_date(occurred_text)
            occurred = date_cache[occurred_text]
            if occurred is None:
                err("occurred_on", "date", {"value": occurred_text})
            elif occurred > today + dt.timedelta(days=1):
                err("occurred_on", "date_future", {"value": occurred.isoformat()})

        values: dict[str, Any] = {}
        for name, index in lk.choices.items():
            value_text = text(name)
            if not value_text:
                if earlier is not None:
                    values[name] = earlier.fields[name]
                    continue
                if name == "incident_type":
                    err(name, "required")
                values[name] = ""
                continue
            value = index.get(fold(value_text))
            if value is None:
                labels = ", ".join(sorted({str(k) for k in index.values()}))
                err(name, "choice", {"value": value_text, "choices": labels})
            values[name] = value or ""

        route: list[tuple[str, str]] = []
        for name, role in (("departure_country", RouteRole.DEPARTURE), ("transit_countries", RouteRole.TRANSIT),
                           ("destination_country", RouteRole.DESTINATION)):  # fmt: skip
            for part in re.split(r"[;,/]+", text(name)) if name == "transit_countries" else [text(name)]:
                part = part.strip()
                if not part:
                    continue
                code = lk.country(part)
                if code is None:
                    err(name, "country", {"value": part})
                else:
                    route.append((code, role.value))
        parties: list[tuple[str, str, str]] = []
        for party_role in (PartyRole.CONSIGNOR, PartyRole.CONSIGNEE):
            name = text(party_role.value)
            party_country = text(f"{party_role.value}_country")
            code = ""
            if party_country:
                code = lk.country(party_country) or ""
                if not code:
                    err(f"{party_role.value}_country", "country", {"value": party_country})
            if name:
                parties.append((party_role.value, " ".join(name.split())[:300], code))

        # the goods line
        item_text = text("item")
        item_id: int | None = None
        if item_text:
            status, found = lk.item(item_text)
            if status == "ok":
                item_id = found
            else:
                err("item", status, {"value": item_text, **found})
        hs: dict[str, str] = {}
        for name in ("hs_code", "declared_hs", "actual_hs"):
            value_text = text(name)
            code = hs_compact(value_text)
            hs[name] = ""
            if code:
                if not code.isdigit() or len(code) not in (2, 4, 6) or code not in lk.hs_codes:
                    err(name, "hs", {"value": value_text})
                else:
                    hs[name] = code
        if not item_text and not text("hs_code"):
            err("item", "item_or_hs")

        numbers: dict[str, Decimal | None] = {}
        for name in ("quantity", "concentration", "density"):
            value_text = text(name)
            numbers[name] = None
            if not value_text:
                if name == "quantity":
                    err(name, "required")
                continue
            try:
                numbers[name] = parse_number(value_text)
            except NumberError as exc:
                err(name, exc.code, {"value": value_text})
        concentration = numbers["concentration"]
        if concentration is not None and concentration > 100:
            err("concentration", "percent")
        unit_text = text("unit")
        unit: Unit | None = None
        if not unit_text:
            err("unit", "required")
        else:
            if unit_text not in unit_cache:
                try:
                    unit_cache[unit_text] = normalise_unit(unit_text)
                except UnknownUnit:
                    unit_cache[unit_text] = None
            unit = unit_cache[unit_text]
            if unit is None:
                err("unit", "unit", {"value": unit_text})

        kg: Decimal | None = None
        pure: Decimal | None = None
        quantity = numbers["quantity"]
        if unit is not None and quantity is not None:
            if unit.dimension == Dimension.MASS:
                kg = quantity * unit.factor
            elif unit.dimension == Dimension.VOLUME:
                density = numbers["density"]
                if density is None and item_id is not None:
                    density = lk.items[item_id].density_kg_per_l
                if density is None or density == 0:
                    err("density", "density", {"unit": unit.value})
                else:
                    kg = quantity * unit.factor * density
            if kg is not None and concentration is not None and concentration <= 100:
                pure = kg * concentration / 100

        if row_errors:
            errors.extend(row_errors)
            if country is None or occurred is None:
                continue

        # the record this row belongs to
        if ref_key:
            key = ref_key
        else:
            key = _record_key(
                str(country), "|".join([str(occurred), values["incident_type"], fold(text("office_name")),
                                        fold(text("national_reference"))]), grouped=True,
            )  # fmt: skip
        record = records.get(key)
        fields = {
            "reporting_country": country or "",
            "occurred_on": occurred,
            **values,
            **{name: text(name) for name in ("office_name", "concealment", "ports", "national_reference", "narrative")},
        }
        if record is None:
            record = Record(key=key, rows=[n], fields=fields, route=route, parties=parties)
            record.first_values = {name: (n, text(name)) for name in RECORD_FIELDS}
            records[key] = record
        else:
            record.rows.append(n)
            flagged = {e[1] for e in row_errors}
            for name in RECORD_FIELDS:
                value_text = text(name)
                first_row, first = record.first_values[name]
                if not value_text or name in flagged:
                    continue
                if not first:
                    record.first_values[name] = (n, value_text)
                    continue
                if fold(value_text) != fold(first):
                    errors.append([n, name, "conflict", {"value": value_text, "row": first_row, "first": first}])
            # blanks of the first row are filled by later rows
            for name in ("office_name", "concealment", "ports", "national_reference", "narrative",
                         "location_type", "direction", "detection_method", "conveyance"):  # fmt: skip
                if not record.fields.get(name) and fields.get(name):
                    record.fields[name] = fields[name]
            record.route = list(dict.fromkeys([*record.route, *route]))
            record.parties = list(dict.fromkeys([*record.parties, *parties]))
        if row_errors or quantity is None or unit is None:
            continue
        if len(record.lines) >= 100:
            errors.append([n, "item", "too_many_lines", {"limit": 100}])
            continue
        record.lines.append(
            Line(
                row=n, item_id=item_id, hs_code=hs["hs_code"] if item_id is None else "",
                declared_description=text("declared_description"), declared_hs=hs["declared_hs"],
                actual_hs=hs["actual_hs"], quantity=quantity, unit=unit.value, concentration=concentration,
                density=numbers["density"], kg=_quantise(kg), pure=_quantise(pure),
            )
        )  # fmt: skip

    errors.sort(key=lambda e: (e[0], _COLUMN_ORDER.get(e[1], 99)))
    result = Validation(total_rows=len(rows), records=list(records.values()), errors=errors, duplicates=[])
    if not errors:
        result.duplicates = find_duplicates(actor=actor, records=result.records)
    return result


_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}


def _record_key(country: str, reference: str, *, grouped: bool = False) -> str:
    """A short stable key for a record of the file (the preview's choices refer to it)."""
    raw = f"{country}|{'row' if grouped else 'ref'}|{reference if grouped else fold(reference)}"
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


# --- duplicates ---------------------------------------------------------------------------------


def _same_quantity(a: Decimal, b: Decimal) -> bool:
    larger = max(abs(a), abs(b))
    return abs(a - b) <= larger * QUANTITY_TOLERANCE


def _line_keys(line: Line) -> tuple[str, Decimal]:
    item = f"i{line.item_id}" if line.item_id else f"h{line.hs_code}"
    if line.kg is not None:
        return item, line.kg
    return f"{item}|{line.unit}", line.quantity


def find_duplicates(*, actor: Any, records: list[Record]) -> list[dict[str, Any]]:
    """Records of the file that may already exist (visible to the importer) or appear twice in the file."""
    if not records:
        return []
    countries = {r.fields["reporting_country"] for r in records}
    dates = [r.fields["occurred_on"] for r in records]
    references = {r.fields["national_reference"] for r in records if r.fields["national_reference"]}
    visible = Incident.objects.filter(incidents_visible_q(actor)).exclude(status=IncidentStatus.WITHDRAWN)
    # existing records: by (country, date, item) -> [(quantity, pk)], and by (country, reference)
    by_goods: dict[tuple[str, dt.date, str], list[tuple[Decimal, int]]] = defaultdict(list)
    goods = GoodsLine.objects.filter(
        incident__in=visible.filter(
            reporting_country__in=countries, occurred_on__gte=min(dates), occurred_on__lte=max(dates)
        )
    ).values_list(
        "incident_id", "incident__reporting_country", "incident__occurred_on", "catalogue_item_id", "hs_code",
        "unit", "quantity", "quantity_kg",
    )  # fmt: skip
    for pk, country, occurred, item_id, hs_code, unit, quantity, kg in goods.iterator(chunk_size=5000):
        item = f"i{item_id}" if item_id else f"h{hs_code}"
        key, amount = (item, kg) if kg is not None else (f"{item}|{unit}", quantity)
        by_goods[(str(country), occurred, key)].append((amount, pk))
    by_reference: dict[tuple[str, str], int] = {}
    if references:
        for pk, country, reference in visible.filter(
            reporting_country__in=countries, national_reference__in=references
        ).values_list("pk", "reporting_country", "national_reference"):
            by_reference.setdefault((str(country), fold(reference)), pk)

    duplicates: list[dict[str, Any]] = []
    seen_goods: dict[tuple[str, dt.date, str], list[tuple[Decimal, Record]]] = defaultdict(list)
    seen_reference: dict[tuple[str, str], Record] = {}
    for record in records:
        country = record.fields["reporting_country"]
        reference = fold(record.fields["national_reference"])
        found: dict[str, Any] | None = None
        if reference:
            existing_pk = by_reference.get((country, reference))
            if existing_pk is not None:
                found = {"reason": "reference", "existing": existing_pk}
            elif (country, reference) in seen_reference:
                found = {"reason": "reference", "other_rows": seen_reference[(country, reference)].rows[:5]}
            else:
                seen_reference[(country, reference)] = record
        for line in record.lines:
            item, amount = _line_keys(line)
            goods_key = (country, record.fields["occurred_on"], item)
            if found is None:
                for other, pk in by_goods.get(goods_key, ()):
                    if _same_quantity(other, amount):
                        found = {"reason": "goods", "existing": pk}
                        break
            if found is None:
                for other, other_record in seen_goods.get(goods_key, ()):
                    if other_record is not record and _same_quantity(other, amount):
                        found = {"reason": "goods", "other_rows": other_record.rows[:5]}
                        break
            seen_goods[goods_key].append((amount, record))
        if found is not None:
            existing = found.get("existing")
            duplicates.append(
                {
                    "key": record.key,
                    "rows": record.rows[:20],
                    "reason": found["reason"],
                    "existing": existing,
                    "existing_reference": f"SZ-{existing:06d}" if existing else "",
                    "other_rows": found.get("other_rows", []),
                    "date": record.fields["occurred_on"].isoformat(),
                    "country": country,
                    "national_reference": record.fields["national_reference"],
                }
            )
    return duplicates


# --- the batch: upload, report, commit ----------------------------------------------------------


def _payload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / "seizures"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _payload_path(name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", name):
        raise Http404
    return _payload_dir() / f"{name}.json"


def parse_upload(file_name: str, data: bytes) -> ParsedFile:
    kind, table = read_upload(data)
    return parse_table(
        file_name, kind, table, columns=COLUMNS, headers=_HEADERS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS
    )


def _store_report(batch: ImportBatch, result: Validation) -> None:
    batch.total_rows = result.total_rows
    batch.record_count = len(result.records)
    batch.error_count = len(result.errors)
    batch.errors = result.errors[:MAX_STORED_ERRORS]
    batch.duplicates = result.duplicates
    batch.status = ImportStatus.INVALID if result.errors else ImportStatus.READY


def _validated_path(name: str) -> Path:
    return _payload_path(name).with_suffix(".validated.json")


def validation_context(actor: Any) -> str:
    """A hash of everything besides the rows that a validation depends on: who validates (their
    country and whether they report for any country) and the reference data (active catalogue items,
    HS codes, countries), and the day (dates in the future are refused). Cheap: a few thousand rows."""
    from shieldhub.reference.models import CatalogueItem, HsCode
    from shieldhub.reference.selectors import country_list

    digest = hashlib.sha256()
    digest.update(
        repr((actor.pk, user_country(actor), has_perm(actor, Perm.SEIZURE_VIEW_ALL),
              has_perm(actor, Perm.SEIZURE_REPORT), str(timezone.localdate()))).encode()
    )  # fmt: skip
    for part in (
        CatalogueItem.objects.filter(is_active=True).order_by("pk").values_list(),
        HsCode.objects.order_by("code").values_list("code", flat=True),
        country_list(user=actor).order_by("code").values_list("code", "iso3", "name_en", "name_fr"),
    ):
        digest.update(repr(list(part)).encode())
    return digest.hexdigest()


def _rows_hash(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def _dump_records(records: list[Record]) -> list[Any]:
    def number(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return [
        [r.key, r.rows, {**r.fields, "occurred_on": r.fields["occurred_on"].isoformat()}, r.route, r.parties,
         [[ln.row, ln.item_id, ln.hs_code, ln.declared_description, ln.declared_hs, ln.actual_hs, str(ln.quantity),
           ln.unit, number(ln.concentration), number(ln.density), number(ln.kg), number(ln.pure)] for ln in r.lines]]
        for r in records
    ]  # fmt: skip


def _load_records(data: list[Any]) -> list[Record]:
    def number(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    records = []
    for key, rows, fields, route, parties, lines in data:
        fields["occurred_on"] = dt.date.fromisoformat(fields["occurred_on"])
        records.append(
            Record(
                key=key, rows=rows, fields=fields, route=[tuple(x) for x in route],  # type: ignore[misc]
                parties=[tuple(x) for x in parties],  # type: ignore[misc]
                lines=[Line(row=n, item_id=item, hs_code=hs, declared_description=desc, declared_hs=dhs,
                            actual_hs=ahs, quantity=Decimal(qty), unit=unit, concentration=number(conc),
                            density=number(dens), kg=number(kg), pure=number(pure))
                       for n, item, hs, desc, dhs, ahs, qty, unit, conc, dens, kg, pure in lines],
            )
        )  # fmt: skip
    return records


def _keep_validated(name: str, *, rows_hash: str, context: str, result: Validation) -> None:
    """Keep what the preview validated, with the hashes of the rows and of the context it was validated in."""
    path = _validated_path(name)
    payload = {"rows_hash": rows_hash, "context": context, "total_rows": result.total_rows,
               "records": _dump_records(result.records)}  # fmt: skip
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    path.chmod(0o600)


def _reuse_validated(batch: ImportBatch, actor: Any) -> Validation | None:
    """The preview's validated records when neither the stored rows nor the context (the importer,
    the reference data, the day) changed since; None otherwise (the caller validates again)."""
    path = _validated_path(batch.payload)
    rows_path = _payload_path(batch.payload)
    if not path.exists() or not rows_path.exists():
        return None
    kept = json.loads(path.read_text(encoding="utf-8"))
    if kept.get("rows_hash") != _rows_hash(rows_path.read_bytes()) or kept.get("context") != validation_context(actor):
        return None
    records = _load_records(kept["records"])
    # only the duplicates are looked for again: records created since the preview may now match
    return Validation(
        total_rows=kept["total_rows"], records=records, errors=[],
        duplicates=find_duplicates(actor=actor, records=records),
    )  # fmt: skip


def import_upload(*, actor: Any, file_name: str, data: bytes) -> ImportBatch:
    """Read and validate the file; keep its rows and the report. Nothing is imported yet.
    ImportFileError when the file cannot be read at all."""
    require(actor, Perm.SEIZURE_IMPORT)
    parsed = parse_upload(file_name, data)
    context = validation_context(actor)
    result = validate_rows(actor=actor, rows=parsed.rows)
    name = secrets.token_hex(16)
    path = _payload_path(name)
    text = json.dumps({"file_name": file_name, "rows": parsed.rows}, ensure_ascii=False).encode("utf-8")
    path.write_bytes(text)
    path.chmod(0o600)
    if result.ok:
        _keep_validated(name, rows_hash=_rows_hash(text), context=context, result=result)
    batch = ImportBatch(
        created_by=actor, file_name=file_name[:255], kind=parsed.kind, payload=name,
        ignored_columns=parsed.ignored_columns,
    )  # fmt: skip
    _store_report(batch, result)
    batch.save()
    audit_record(
        actor=actor, action="seizures.import_upload", obj=batch,
        extra={"file": file_name, "rows": result.total_rows, "records": len(result.records),
               "errors": len(result.errors), "duplicates": len(result.duplicates)},
    )  # fmt: skip
    return batch


def batch_get(*, user: Any, pk: Any) -> ImportBatch:
    """The importer's own batch; 404 for anyone else."""
    if not has_perm(user, Perm.SEIZURE_IMPORT):
        raise Http404
    try:
        return ImportBatch.objects.get(pk=int(pk), created_by=user)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def batch_list(*, user: Any) -> Any:
    require(user, Perm.SEIZURE_IMPORT)
    return ImportBatch.objects.filter(created_by=user)


def _load_rows(batch: ImportBatch) -> list[dict[str, Any]]:
    path = _payload_path(batch.payload)
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    return rows


def import_commit_request(*, actor: Any, batch: ImportBatch, choices: dict[str, str] | None = None) -> ImportBatch:
    """Queue the commit of a batch without errors; `choices` maps a duplicate's record key to import/skip
    (a duplicate without a choice is skipped: nothing is imported twice unless the importer says so)."""
    require(actor, Perm.SEIZURE_IMPORT)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_get(user=actor, pk=batch.pk).pk)
        if batch.status != ImportStatus.READY:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("This import cannot be committed (it has errors, or is already under way)."))
        keys = {d["key"] for d in batch.duplicates}
        batch.choices = {k: v for k, v in (choices or {}).items() if k in keys and v in (CHOICE_IMPORT, CHOICE_SKIP)}
        batch.status = ImportStatus.QUEUED
        batch.progress = 0
        batch.save(update_fields=["choices", "status", "progress"])
        pk = batch.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return batch


def _enqueue(pk: int) -> None:
    from shieldhub.seizures import tasks

    tasks.seizure_import_commit.enqueue(batch_id=pk)


def _progress_key(pk: int) -> str:
    return f"seizures:import-progress:{pk}"


def progress_of(batch: ImportBatch) -> int:
    """Records written so far: from the cache while the commit runs (its transaction is not visible yet)."""
    if batch.status in (ImportStatus.RUNNING, ImportStatus.QUEUED):
        value = cache.get(_progress_key(batch.pk))
        return int(value) if value is not None else batch.progress
    return batch.progress


def progress_percent(batch: ImportBatch) -> int:
    if batch.status == ImportStatus.DONE:
        return 100
    total = batch.record_count or 1
    return min(99, round(100 * progress_of(batch) / total))


def import_commit(*, batch_id: int, chunk: int = 2000) -> ImportBatch:
    """Run in the background: validate again, then write every record or none."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    actor = batch.created_by
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch
    batch.status = ImportStatus.RUNNING
    batch.started_at = timezone.now()
    batch.save(update_fields=["status", "started_at"])
    cache.set(_progress_key(batch.pk), 0, 3600)
    try:
        # the importer may still import (permissions are checked again in any case), then: the
        # preview's result when the rows and the context are unchanged, else a full validation
        require(actor, Perm.SEIZURE_IMPORT)
        result = _reuse_validated(batch, actor) or validate_rows(actor=actor, rows=_load_rows(batch))
        if not result.ok:
            _store_report(batch, result)
            batch.status = ImportStatus.FAILED
            batch.failure = "errors"
            batch.finished_at = timezone.now()
            batch.save()
            return batch
        batch.duplicates = result.duplicates
        skip = {d["key"] for d in result.duplicates if batch.choices.get(d["key"]) != CHOICE_IMPORT}
        records = [r for r in result.records if r.key not in skip and r.lines]

        def report(done: int) -> None:
            cache.set(_progress_key(batch.pk), done, 3600)

        with transaction.atomic():
            created = write_records(actor=actor, records=records, chunk=chunk, progress=report)
            batch.status = ImportStatus.DONE
            batch.created_count = len(created)
            batch.skipped_count = len(result.records) - len(records)
            batch.created_ids = created
            batch.progress = len(created)
            batch.finished_at = timezone.now()
            batch.save()
            audit_record(
                actor=actor, action="seizures.import", obj=batch,
                extra={"file": batch.file_name, "rows": result.total_rows, "created": len(created),
                       "skipped": batch.skipped_count, "created_ids": created},
            )  # fmt: skip
    except Exception as exc:  # all or nothing: the transaction is rolled back; say so
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, failure=str(exc)[:2000] or exc.__class__.__name__, finished_at=timezone.now()
        )
        cache.delete(_progress_key(batch.pk))
        raise
    cache.delete(_progress_key(batch.pk))
    _payload_path(batch.payload).unlink(missing_ok=True)
    _validated_path(batch.payload).unlink(missing_ok=True)
    return batch


def _search_text(record: Record, items: dict[int, Any]) -> str:
    words = [record.fields[k] for k in ("office_name", "national_reference", "concealment", "ports")]
    words.append(record.fields["narrative"][:4000])
    for line in record.lines:
        words.append(line.declared_description)
        if line.item_id:
            words += [items[line.item_id].name_en, items[line.item_id].name_fr]
    words += [name for _role, name, _country in record.parties]
    return text_fold(" ".join(w for w in words if w))


class _GoodsView:
    """What `quality.assess` reads of a goods line, without building a GoodsLine."""

    __slots__ = ("actual_hs", "catalogue_item", "concentration", "quantity_kg", "unit")

    def __init__(self, line: Line, item: Any) -> None:
        self.catalogue_item = item
        self.unit = line.unit
        self.quantity_kg = line.kg
        self.concentration = line.concentration
        self.actual_hs = line.actual_hs


class _IncidentView:
    """What `quality.assess` reads of an incident: the record's fields as attributes."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)


def write_records(
    *, actor: Any, records: list[Record], chunk: int = 2000, progress: Callable[[int], None] | None = None
) -> list[int]:
    """Insert the records as drafts with their goods lines, route and parties (bulk, in chunks; the
    caller holds the transaction). The rows are built directly from the validated records (no model
    instances); on PostgreSQL the ids are drawn first so the reference goes into the search text
    before the COPY. Returns the ids created."""
    from shieldhub.entities.services import normalise_name
    from shieldhub.reference.models import CatalogueItem

    items = {i.pk: i for i in CatalogueItem.objects.all()}
    norm = lru_cache(maxsize=None)(normalise_name)
    entities = _entities(actor=actor, parties={(name, country) for r in records for _role, name, country in r.parties})
    postgres = connection.vendor == "postgresql"
    created: list[int] = []
    now = timezone.now()
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        ids: list[int] = _next_ids(Incident, len(part)) if postgres else []
        incidents: list[dict[str, Any]] = []
        for i, record in enumerate(part):
            f = record.fields
            goods = [_GoodsView(line, items.get(line.item_id) if line.item_id else None) for line in record.lines]
            assessed = quality.assess(_IncidentView(f), goods=goods, parties=record.parties, route=record.route)
            kgs = [line.kg for line in record.lines if line.kg is not None]
            search = _search_text(record, items)
            if postgres:
                search = f"sz-{ids[i]:06d} {search}"
            incidents.append(
                {
                    "incident_type": f["incident_type"], "status": IncidentStatus.DRAFT.value,
                    "reporting_country": f["reporting_country"], "office_name": f["office_name"],
                    "location_type": f["location_type"], "occurred_on": f["occurred_on"], "direction": f["direction"],
                    "detection_method": f["detection_method"], "conveyance": f["conveyance"],
                    "concealment": f["concealment"], "ports": f["ports"], "source": Source.NCP_REPORT.value,
                    "national_reference": f["national_reference"], "narrative": f["narrative"],
                    "created_by_id": actor.pk, "created_at": now, "updated_at": now,
                    "total_kg": _quantise(sum(kgs, Decimal(0))) if kgs else None,
                    "data_quality": assessed.score, "missing_fields": assessed.missing, "search_text": search,
                }
            )  # fmt: skip
        if postgres:
            _copy(Incident, ids, incidents)
        else:
            ids = _bulk(Incident, incidents)
        lines: list[dict[str, Any]] = []
        route: list[dict[str, Any]] = []
        parties: list[dict[str, Any]] = []
        for pk, record in zip(ids, part, strict=True):
            for position, line in enumerate(record.lines, start=1):
                lines.append(
                    {
                        "incident_id": pk, "position": position, "catalogue_item_id": line.item_id,
                        "hs_code": line.hs_code, "declared_description": line.declared_description[:500],
                        "declared_hs": line.declared_hs, "actual_hs": line.actual_hs, "quantity": line.quantity,
                        "unit": line.unit, "concentration": line.concentration, "density": line.density,
                        "quantity_kg": line.kg, "pure_kg": line.pure,
                    }
                )  # fmt: skip
            route += [
                {"incident_id": pk, "country": c, "role": r, "position": position}
                for position, (c, r) in enumerate(record.route)
            ]
            parties += [
                {"incident_id": pk, "role": role, "entity_id": entities[(norm(name), country)], "position": position}
                for position, (role, name, country) in enumerate(record.parties, start=1)
            ]
        for model, rows in ((GoodsLine, lines), (IncidentCountry, route), (IncidentParty, parties)):
            if postgres:
                _copy(model, _next_ids(model, len(rows)), rows)
            else:
                _bulk(model, rows)
        if not postgres:
            # the reference (SZ-000123) is known once the row exists: prefix it to the search text
            Incident.objects.filter(pk__in=ids).update(
                search_text=Concat(
                    Value("sz-"), LPad(Cast("id", CharField()), 6, Value("0")), Value(" "), F("search_text"),
                    output_field=CharField(),
                )
            )  # fmt: skip
        created += ids
        if progress is not None:
            progress(len(created))
    return created


def _bulk(model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Other databases: bulk_create from the row values; returns the ids."""
    objects = [model(**row) for row in rows]
    model.objects.bulk_create(objects, batch_size=1000)
    return [o.pk for o in objects]


def _next_ids(model: Any, count: int) -> list[int]:
    """PostgreSQL: `count` ids drawn from the table's sequence."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


@lru_cache(maxsize=None)  # noqa: UP033 (`cache` is the Django cache here)
def _copy_plan(model: Any) -> tuple[list[Any], dict[str, Any]]:
    """The columns of a COPY into `model`'s table and the prepared value of each for a new row."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    blank = model()
    return fields, {f.attname: f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields}


def _copy(model: Any, ids: list[int], rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: send the rows with COPY (several times faster than INSERT for thousands of rows).
    Values given are plain Python values psycopg adapts (str, int, Decimal, date, datetime, None);
    JSON values are prepared per row; the other columns take the model's default."""
    if not rows:
        return
    fields, defaults = _copy_plan(model)
    json_fields = {f.attname: f for f in fields if f.get_internal_type() == "JSONField"}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [model._meta.pk.column, *(f.column for f in fields)])
    attnames = [f.attname for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for pk, row in zip(ids, rows, strict=True):
            values = [pk]
            for name in attnames:
                if name in row:
                    value = row[name]
                    if name in json_fields:
                        value = json_fields[name].get_db_prep_save(value, connection)
                    values.append(value)
                else:
                    values.append(defaults[name])
            copy.write_row(values)


def _entities(*, actor: Any, parties: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(normalised name, country) -> entity id for the companies named in the file: the existing
    entities (same rule as `entity_find_or_create`: kind, normalised name, country), the others
    created in bulk with one audit entry listing them (one entry per company would dominate a large
    import's time in the hash-chained log). Link suggestions for them come from the daily pass."""
    from shieldhub.entities.models import Entity, EntityKind
    from shieldhub.entities.services import normalise_name

    wanted: dict[tuple[str, str], str] = {}
    for name, country in parties:
        wanted.setdefault((normalise_name(name), country), name)
    found: dict[tuple[str, str], int] = {}
    names = sorted({n for n, _c in wanted})
    for start in range(0, len(names), 5000):
        for pk, normalised, country in (
            Entity.objects.filter(kind=EntityKind.COMPANY, normalised_name__in=names[start : start + 5000])
            .order_by("-pk")
            .values_list("pk", "normalised_name", "country")
        ):
            found[(normalised, str(country))] = pk  # the oldest wins, as in entity_find_or_create
    new = [
        Entity(kind=EntityKind.COMPANY, name=name, normalised_name=key[0], country=key[1], identifiers={},
               created_by=actor)
        for key, name in wanted.items() if key not in found
    ]  # fmt: skip
    if new:
        Entity.objects.bulk_create(new, batch_size=2000)
        for entity in new:
            found[(entity.normalised_name, str(entity.country))] = entity.pk
        audit_record(
            actor=actor, action="entities.entity_import_create", object_type="entities.entity",
            object_repr=f"{len(new)} entities", extra={"created_ids": [e.pk for e in new]},
        )  # fmt: skip
    return found


def imported_drafts(*, actor: Any, batch: ImportBatch) -> QuerySet[Incident]:
    """The batch's records still in draft, as the importer sees them."""
    from shieldhub.seizures.selectors import incident_list

    return incident_list(user=actor).filter(pk__in=batch.created_ids, status=IncidentStatus.DRAFT)


def import_submit(
    *, actor: Any, batch: ImportBatch, distribution: Any, data: dict[str, Any] | None = None
) -> list[int]:
    """Submit the batch's records still in draft (and visible to the importer) with one distribution:
    one transaction, every record through the single submit's service (checks, version, recipients,
    audit entry), then one audit entry for the batch. Returns the ids submitted."""
    from django.core.exceptions import ValidationError

    from shieldhub.seizures.services import incidents_submit_bulk

    require(actor, Perm.SEIZURE_REPORT)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_get(user=actor, pk=batch.pk).pk)
        if batch.status != ImportStatus.DONE:
            raise ValidationError(_("This import has not been committed yet."))
        drafts = list(imported_drafts(actor=actor, batch=batch).order_by("pk"))
        if not drafts:
            raise ValidationError(_("No record of this import is still a draft."))
        submitted = incidents_submit_bulk(actor=actor, incidents=drafts, distribution=distribution, data=data)
        ids = [incident.pk for incident in submitted]
        audit_record(
            actor=actor, action="seizures.import_submit", obj=batch,
            extra={"file": batch.file_name, "submitted": len(ids), "submitted_ids": ids,
                   "communities": sorted(distribution.communities), "countries": sorted(distribution.countries),
                   "users": sorted(distribution.users), "releasability": dict(data or {})},
        )  # fmt: skip
    return ids


# --- the template ---------------------------------------------------------------------------------


def import_template(*, french: bool = False) -> bytes:
    """An empty workbook with the headers (English or French), an example row and a sheet of guidance."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Saisies" if french else "Seizures"
    bold = Font(bold=True)
    headers = [spec[2] if french else spec[1] for spec in COLUMNS.values()]
    ws.append(headers)
    for i, h in enumerate(headers, start=1):
        ws.cell(row=1, column=i).font = bold
        ws.column_dimensions[get_column_letter(i)].width = max(len(h) + 4, 14)
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("Instructions")
    intro_en = [
        "One row per goods line. Rows with the same record reference form one record (a seizure of several goods).",
        "Without a record reference, rows with the same reporting country, date, type, office and national "
        "reference form one record.",
        "The record's fields (date, office, route, companies, narrative) are read from its first row; other "
        "rows of the record may leave them blank, and must not contradict them.",
        "Every row is checked before anything is written; the whole file is imported, or nothing. Records are "
        "created as drafts, which you then review and submit.",
        "Required: Type, Date, Quantity, Unit, and a Precursor or an HS code (and the Reporting country for analysts).",
    ]
    intro_fr = [
        "Une ligne par marchandise. Les lignes de même référence d'enregistrement forment un enregistrement.",
        "Sans référence d'enregistrement, les lignes de même pays déclarant, date, type, bureau et référence "
        "nationale forment un enregistrement.",
        "Les champs de l'enregistrement (date, bureau, itinéraire, sociétés, récit) sont lus sur sa première "
        "ligne ; les autres lignes peuvent les laisser vides et ne doivent pas les contredire.",
        "Chaque ligne est vérifiée avant toute écriture ; tout le fichier est importé, ou rien. Les "
        "enregistrements sont créés en brouillon, que vous relisez puis soumettez.",
        "Obligatoires : Type, Date, Quantité, Unité, et un Précurseur ou un code SH (et le Pays déclarant pour "
        "les analystes).",
    ]
    for line in intro_fr if french else intro_en:
        help_ws.append([line])
    help_ws.append([])
    help_ws.append(["Colonne" if french else "Column", "Valeurs" if french else "Values"])
    help_ws.cell(row=help_ws.max_row, column=1).font = bold
    help_ws.cell(row=help_ws.max_row, column=2).font = bold
    for name, spec in COLUMNS.items():
        guidance = GUIDANCE.get(name, ("", ""))
        help_ws.append([spec[2] if french else spec[1], guidance[1] if french else guidance[0]])
    help_ws.column_dimensions["A"].width = 30
    help_ws.column_dimensions["B"].width = 110
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

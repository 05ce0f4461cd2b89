"""Reading a declarations file (CSV or XLSX, e.g. an export of a national customs system) as a
stream of `Declaration`s.

Headers are matched in English or French, ignoring case, accents and punctuation ("Consignee",
"Destinataire", "HS code", "Code SH", "Qté"...). The file is checked by content
(`core.spreadsheets.detect_kind`), never by its name. Rows are read one at a time (the csv module
over the file, python-calamine's row iterator for a workbook), so a file of a million rows never
sits in memory as a table. A row that cannot be read (no consignee and no description, a quantity
that is not a number, a date that is not a date) is reported with its row number (the header is
row 1) and skipped; the others are screened.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shieldhub.core.spreadsheets import CSV, XLSX, SpreadsheetError, detect_kind, restore_cell
from shieldhub.screening.engine import Declaration

# field -> (label, English header, French header, other spellings)
COLUMNS: dict[str, tuple[Promise, str, str, tuple[str, ...]]] = {
    "ref": (_("Reference"), "Reference", "Référence", ("id", "declaration", "declaration number", "declaration no",
            "numero de declaration", "n declaration", "dau", "sad", "entry number", "no")),
    "date": (_("Date"), "Date", "Date", ("declaration date", "date de declaration", "date declaration")),
    "consignor": (_("Exporter"), "Exporter", "Expéditeur", ("consignor", "shipper", "exportateur", "supplier",
                  "fournisseur", "seller", "vendeur")),
    "consignee": (_("Consignee"), "Consignee", "Destinataire", ("importer", "importateur", "buyer", "acheteur",
                  "receiver", "consignataire")),
    "origin": (_("Origin"), "Origin", "Origine", ("country of origin", "pays d origine", "origin country",
               "country of export", "pays d expedition", "dispatch country", "provenance")),
    "destination": (_("Destination"), "Destination", "Destination", ("country of destination",
                    "pays de destination", "destination country")),
    "route": (_("Route"), "Route", "Itinéraire", ("transit", "transit countries", "pays de transit", "via",
              "route countries", "itineraire")),
    "hs_code": (_("HS code"), "HS code", "Code SH", ("hs", "commodity code", "tariff code", "code tarifaire",
                "nomenclature", "nc", "code nc", "position tarifaire", "sh", "hs6", "taric")),
    "description": (_("Goods description"), "Goods description", "Désignation des marchandises", ("description",
                    "goods", "marchandises", "designation", "description des marchandises", "commodity",
                    "description of goods", "libelle")),
    "quantity": (_("Quantity"), "Quantity", "Quantité", ("qty", "qte", "net mass", "net weight", "masse nette",
                 "poids net", "weight", "poids")),
    "unit": (_("Unit"), "Unit", "Unité", ("uom", "unit of measure", "unite de mesure", "units")),
    "value": (_("Value"), "Value", "Valeur", ("customs value", "valeur en douane", "statistical value",
              "valeur statistique", "invoice value", "valeur facture")),
}  # fmt: skip
REQUIRED = ("consignee", "description")
MAX_ERRORS = 200  # kept and shown; the count goes on


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _headers() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, (_label, en, fr, others) in COLUMNS.items():
        for spelling in (name, en, fr, *others):
            index.setdefault(_fold(spelling), name)
    return index


_HEADERS = _headers()


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class FileProblems:
    errors: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, message: Any) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(message)))


def map_headers(cells: list[str]) -> dict[str, int]:
    """field -> column position, from the header row (the first spelling found wins)."""
    mapping: dict[str, int] = {}
    for position, title in enumerate(cells):
        name = _HEADERS.get(_fold(title))
        if name and name not in mapping:
            mapping[name] = position
    return mapping


def missing_columns(mapping: dict[str, int]) -> list[str]:
    return [str(COLUMNS[name][1]) for name in REQUIRED if name not in mapping]


def template_headers() -> list[str]:
    return [COLUMNS[name][1] for name in COLUMNS]


# --- values -----------------------------------------------------------------------------------

_COUNTRY_SPLIT = re.compile(r"[\s,;/|>→-]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%Y%m%d")


def parse_number(text: str) -> float | None:
    """'1 234,5' / '1,234.5' / '1234.5' → 1234.5; '' → None; anything else → ValueError."""
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    number = float(text)
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise ValueError(text)
    return number


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _country(text: str) -> str:
    text = text.strip().upper()
    return text if len(text) == 2 and text.isalpha() else text[:2] if len(text) == 3 and text.isalpha() else text


def parse_countries(text: str) -> tuple[str, ...]:
    return tuple(c for c in (_country(p) for p in _COUNTRY_SPLIT.split(text.strip())) if c)


class DeclarationReader:
    """Rows of a header-mapped table as declarations, with the problems of the rows skipped."""

    def __init__(self, mapping: dict[str, int]) -> None:
        self.mapping = mapping
        self.problems = FileProblems()
        self._countries: dict[str, str] = {}
        self._routes: dict[str, tuple[str, ...]] = {}
        self._dates: dict[str, dt.date | None] = {}
        # positions, with -1 (the "" appended to every row) for a column the file does not have
        self._width = max(mapping.values(), default=0) + 1
        self._pos = {name: mapping.get(name, -1) for name in COLUMNS}

    def _cell(self, cells: list[str], name: str) -> str:
        position = self.mapping.get(name)
        if position is None or position >= len(cells):
            return ""
        return cells[position]

    def _country_of(self, text: str) -> str:
        found = self._countries.get(text)
        if found is None:
            found = self._countries[text] = _country(text) if text else ""
        return found

    def declaration(self, cells: list[str], row: int) -> Declaration | None:
        if len(cells) < self._width:
            cells = cells + [""] * (self._width - len(cells))
        cells.append("")
        pos = self._pos

        def cell(_: list[str], name: str) -> str:
            return cells[pos[name]]

        consignee = cells[pos["consignee"]].strip()
        description = cells[pos["description"]].strip()
        if not consignee and not description:
            if any(c.strip() for c in cells):
                self.problems.add(row, str(COLUMNS["consignee"][0]), _("A row needs a consignee or a description."))
            return None
        try:
            quantity = parse_number(cell(cells, "quantity"))
        except ValueError:
            self.problems.add(row, str(COLUMNS["quantity"][0]), _("This quantity is not a number."))
            return None
        try:
            value = parse_number(cell(cells, "value"))
        except ValueError:
            value = None
        date_text = cell(cells, "date")
        if date_text in self._dates:
            date = self._dates[date_text]
        else:
            try:
                date = parse_date(date_text)
            except ValueError:
                self.problems.add(row, str(COLUMNS["date"][0]), _("This date is not a date (use YYYY-MM-DD)."))
                return None
            if len(self._dates) < 10_000:
                self._dates[date_text] = date
        route_text = cell(cells, "route")
        route = self._routes.get(route_text)
        if route is None:
            route = self._routes[route_text] = parse_countries(route_text) if route_text else ()
        return Declaration(
            ref=cell(cells, "ref").strip() or str(row),
            line=row,
            date=date,
            consignor=cell(cells, "consignor").strip(),
            consignee=consignee,
            origin=self._country_of(cell(cells, "origin").strip()),
            destination=self._country_of(cell(cells, "destination").strip()),
            route=route,
            hs_code=cell(cells, "hs_code").strip(),
            description=description,
            quantity=quantity,
            unit=cell(cells, "unit").strip(),
            value=value,
        )


# --- files ------------------------------------------------------------------------------------


def _text_encoding(path: Path) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else cp1252 (checked in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    encoding = _text_encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(16384)
        fh.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
        except csv.Error:
            first = sample.splitlines()[0] if sample else ""
            delimiter = ";" if first.count(";") > first.count(",") else ","
        yield from csv.reader(fh, delimiter=delimiter)


def _cell_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("The workbook could not be read: it may be damaged or protected.")) from exc
    for row in rows:
        yield [_cell_text(v) for v in row]


def file_kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"PK\x03\x04"):
        data = path.read_bytes()
        kind = detect_kind(data)
    else:
        kind = detect_kind(head)
    if kind not in (CSV, XLSX):
        raise SpreadsheetError(_("This file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    return kind


def file_rows(path: Path) -> Iterator[list[str]]:
    """The rows of the file as text, the header first (a cell exported formula-safe is restored)."""
    kind = file_kind(path)
    rows = _xlsx_rows(path) if kind == XLSX else _csv_rows(path)
    for row in rows:
        yield [restore_cell(c) if c[:1] == "'" else c for c in row]


def count_rows(path: Path) -> int:
    """The data rows, counted cheaply (lines of a CSV; the sheet's height for a workbook)."""
    if file_kind(path) == XLSX:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        return max(int(sheet.total_height) - 1, 0)
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


def check_header(path: Path) -> dict[str, int]:
    """The header mapping, or SpreadsheetError naming the columns missing (checked at upload)."""
    rows = file_rows(path)
    header = next(rows, None)
    if header is None:
        raise SpreadsheetError(_("The file is empty."))
    mapping = map_headers(header)
    missing = missing_columns(mapping)
    if missing:
        raise SpreadsheetError(
            _("Columns missing: %(columns)s. The first row must name the columns (English or French).")
            % {"columns": ", ".join(missing)}
        )
    return mapping


def read_declarations(path: Path, reader: DeclarationReader | None = None) -> Iterator[Declaration]:
    rows = file_rows(path)
    header = next(rows, None) or []
    reader = reader or DeclarationReader(map_headers(header))
    declaration = reader.declaration
    for number, cells in enumerate(rows, start=2):
        found = declaration(cells, number)
        if found is not None:
            yield found


def declarations_from_bytes(data: bytes) -> tuple[list[Declaration], FileProblems]:
    """A small file held in memory (tests, API calls): all its declarations and problems."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp:
        tmp.write(data)
        tmp.flush()
        path = Path(tmp.name)
        mapping = check_header(path)
        reader = DeclarationReader(mapping)
        return list(read_declarations(path, reader)), reader.problems

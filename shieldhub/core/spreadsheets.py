"""Safe spreadsheet reading and writing, shared by every import and export.

Writing: `safe_cell` neutralises formula injection (a cell text starting with = + - @ tab or
carriage return is prefixed with an apostrophe, so Excel and LibreOffice show it as text),
`write_xlsx` uses openpyxl's write-only mode (bounded memory), `iter_csv`/`write_csv` produce
UTF-8 with a BOM so Excel opens accents correctly.

Reading: `detect_kind` decides by content, never by file name (an XLSX is a zip holding
`[Content_Types].xml` and `xl/workbook.xml`; anything else must decode as text), `read_table`
returns the rows as lists of strings (python-calamine for XLSX, the csv module with a sniffed
`;` or `,` delimiter for CSV).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX = "xlsx"
CSV = "csv"
_MAX_COLUMN_WIDTH = 60
_WIDTH_SAMPLE_ROWS = 200


# --- writing ----------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may hold it, with text that a spreadsheet would run as a formula
    made inert. Numbers, dates and booleans pass through; None becomes ''; lists are joined."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value if v not in (None, ""))
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _width(value: Any) -> int:
    return min(len(str(value)) + 2, _MAX_COLUMN_WIDTH)


def write_xlsx_to(
    target: IO[bytes] | str, rows: Iterable[Sequence[Any]], headers: Sequence[Any], sheet_title: str = "Sheet1"
) -> int:
    """Write one sheet (bold header row, column widths from the header and the first rows) to a
    file object or path, in write-only mode. Returns the number of data rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    widths = [_width(h) for h in headers]
    iterator = iter(rows)
    # Column widths must be set before the first row is written: size them on a sample.
    sample: list[list[Any]] = []
    for row in iterator:
        cells = [safe_cell(v) for v in row]
        sample.append(cells)
        for i, v in enumerate(cells[: len(widths)]):
            widths[i] = max(widths[i], _width(v))
        if len(sample) >= _WIDTH_SAMPLE_ROWS:
            break
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(w, 8)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(str(h)))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    count = 0
    for cells in sample:
        ws.append(cells)
        count += 1
    for row in iterator:
        ws.append([safe_cell(v) for v in row])
        count += 1
    wb.save(target)
    return count


def write_xlsx(rows: Iterable[Sequence[Any]], headers: Sequence[Any], sheet_title: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    write_xlsx_to(buffer, rows, headers, sheet_title)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(c for c in str(title) if c not in "[]:*?/\\").strip()
    return (cleaned or "Sheet1")[:31]


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(rows: Iterable[Sequence[Any]], headers: Sequence[Any], *, delimiter: str = ",") -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, one encoded line at a time (for a StreamingHttpResponse)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield codecs.BOM_UTF8 + writer.writerow([safe_cell(str(h)) for h in headers]).encode()
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row]).encode()


def write_csv(rows: Iterable[Sequence[Any]], headers: Sequence[Any], *, delimiter: str = ",") -> bytes:
    return b"".join(iter_csv(rows, headers, delimiter=delimiter))


# --- reading ----------------------------------------------------------------------------------


class SpreadsheetError(ValueError):
    """The file is not a spreadsheet this project reads. The message is for the user."""


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else cp1252, else latin-1 — or None for binary content."""
    if b"\x00" in data[:8192]:
        return None  # UTF-16 or a binary file: not a CSV we read
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    # Control characters other than tab/newlines mean this is not text.
    sample = text[:8192]
    if any(ord(c) < 32 and c not in "\t\r\n" for c in sample):
        return None
    return text


def detect_kind(data: bytes) -> str | None:
    """'xlsx', 'csv' or None, from the bytes alone."""
    if is_xlsx(data):
        return XLSX
    if data.startswith(b"PK\x03\x04"):
        return None  # another zip (docx, odt, a plain archive)
    return CSV if decode_text(data) is not None else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text (python-calamine: fast, no formulas run)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("The workbook could not be read: it may be damaged or protected.")) from exc
    return [[_cell_text(v) for v in row] for row in raw]


def read_csv(text: str) -> list[list[str]]:
    sample = text[:16384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[c.strip() for c in row] for row in reader]


def restore_cell(text: str) -> str:
    """Undo `safe_cell` on text read back: "'+33 1 23" -> "+33 1 23" (files exported here re-import)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def read_table(data: bytes) -> tuple[str, list[list[str]]]:
    """(kind, rows) for an uploaded spreadsheet, checked by content."""
    kind = detect_kind(data)
    if kind == XLSX:
        rows = read_xlsx(data)
    elif kind == CSV:
        text = decode_text(data)
        assert text is not None
        rows = read_csv(text)
    else:
        raise SpreadsheetError(_("This file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    return kind, [[restore_cell(c) for c in row] for row in rows]

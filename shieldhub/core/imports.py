"""The generic half of every spreadsheet import (people, seizure records...): folding text for
lookups, mapping English/French headers, reading the rows of an upload, messages formatted in the
reader's language, and the country lookup by ISO code or English/French name.

An app describes its columns as {field: (label, English header, French header, other spellings)}
and calls `parse_upload`; the rows come back as {"row": number in the file, field: text}.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry
from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from shieldhub.core.spreadsheets import SpreadsheetError, read_table

# field -> (label shown to the user, English template header, French template header, other spellings)
ColumnSpec = tuple[Promise, str, str, tuple[str, ...]]

_NOT_WORD = re.compile(r"[^\w@.]+")


def fold(value: str) -> str:
    """Lower case, accents removed, punctuation as spaces, spaces collapsed."""
    if value.isascii():  # most names and addresses: skip the Unicode decomposition
        text = value.casefold()
    else:
        text = unicodedata.normalize("NFKD", value)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def fold_header(value: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(value).replace(".", " ")).split())


def header_index(columns: Mapping[str, ColumnSpec]) -> dict[str, str]:
    """Folded spelling (field name, English, French, label, others) -> field."""
    index: dict[str, str] = {}
    for name, (label, en, fr, others) in columns.items():
        for spelling in (name.replace("_", " "), en, fr, str(label), *others):
            index.setdefault(fold_header(spelling), name)
    return index


def lazy_format(message: Any, params: dict[str, Any]) -> Any:
    """A message formatted when it is displayed, so it comes out in the reader's language."""
    return lazy(lambda: str(message) % params, str)()


class ImportFileError(ValueError):
    """The file cannot be imported at all (type, size, missing columns). The message is for the user."""


@dataclass
class ParsedFile:
    file_name: str
    kind: str
    columns: list[str]  # the fields recognised, in file order
    ignored_columns: list[str]
    rows: list[dict[str, Any]]  # {"row": number in the file, field: text, ...}


def read_upload(data: bytes) -> tuple[str, list[list[str]]]:
    """(kind, table) of an uploaded file, checked by size and content."""
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB.") % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise ImportFileError(_("The file is empty."))
    try:
        return read_table(data)
    except SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc


def parse_table(
    file_name: str,
    kind: str,
    table: list[list[str]],
    *,
    columns: Mapping[str, ColumnSpec],
    headers: Mapping[str, str],
    required: Sequence[str],
    max_rows: int,
) -> ParsedFile:
    """Map the header row (the first non-empty row) to fields and return the data rows."""

    def label(name: str) -> str:
        spec = columns.get(name)
        return str(spec[0]) if spec else name

    start = 0
    while start < len(table) and not any(c.strip() for c in table[start]):
        start += 1
    if start >= len(table):
        raise ImportFileError(_("The file has no header row."))
    header = table[start]
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(header):
        title = raw.strip()
        if not title:
            continue
        name = headers.get(fold_header(title))
        if name is None:
            ignored.append(title)
            continue
        if name in seen:
            raise ImportFileError(
                _("The columns “%(first)s” and “%(second)s” both hold %(column)s.")
                % {"first": seen[name], "second": title, "column": label(name)}
            )
        seen[name] = title
        mapping[i] = name
    missing = [label(n) for n in required if n not in seen]
    if missing:
        raise ImportFileError(
            _("The file has no “%(column)s” column. Download the template to see the expected columns.")
            % {"column": ", ".join(missing)}
        )
    rows: list[dict[str, Any]] = []
    for offset, cells in enumerate(table[start + 1 :], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        row: dict[str, Any] = {"row": offset}
        for i, name in mapping.items():
            row[name] = cells[i].strip() if i < len(cells) else ""
        rows.append(row)
        if len(rows) > max_rows:
            raise ImportFileError(_("The file has more than %(max)s rows; split it.") % {"max": max_rows})
    if not rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return ParsedFile(
        file_name=file_name, kind=kind, columns=list(mapping.values()), ignored_columns=ignored, rows=rows
    )


def country_index(*, user: Any) -> dict[str, str]:
    """Folded ISO2, ISO3, English and French names -> ISO2 code, from the reference countries
    (plus the ISO official and common names of those same countries, e.g. "Viet Nam")."""
    from shieldhub.reference.selectors import country_list

    index: dict[str, str] = {}
    codes: list[str] = []
    for code, iso3, name_en, name_fr in country_list(user=user).values_list("code", "iso3", "name_en", "name_fr"):
        codes.append(code)
        for key in (code, iso3, name_en, name_fr):
            if key:
                index.setdefault(fold(str(key)), code)
    for code in codes:
        iso = pycountry.countries.get(alpha_2=code)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(iso, attr, None) if iso is not None else None
            if name:
                index.setdefault(fold(name), code)
    return index

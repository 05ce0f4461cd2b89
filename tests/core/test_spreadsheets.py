from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from shieldhub.core.spreadsheets import (
    SpreadsheetError,
    decode_text,
    detect_kind,
    read_csv,
    read_table,
    safe_cell,
    write_csv,
    write_xlsx,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (3, 3),
        (2.5, 2.5),
        (dt.date(2024, 1, 2), dt.date(2024, 1, 2)),
        (["a@x.org", "=b"], "a@x.org; =b"),
        (["=b"], "'=b"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_write_xlsx_neutralises_formulas_and_bolds_the_header():
    data = write_xlsx(
        [['=HYPERLINK("http://evil")', 1, dt.date(2024, 5, 1)], ["Ok", 2, None]],
        ["Name", "=Count", "Date"],
        sheet_title="People: [all]",
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws.title == "People all"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Name", "'=Count", "Date")
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert rows[1][1] == 1
    assert rows[1][2].date() == dt.date(2024, 5, 1)
    assert rows[2] == ("Ok", 2, None)
    assert ws["A1"].font.bold and not ws["A2"].font.bold
    # no cell holds a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.column_dimensions["A"].width >= len('=HYPERLINK("http://evil")')


def test_write_csv_has_a_bom_and_neutralised_cells():
    data = write_csv([["=cmd|' /C calc'!A0", "Élodie"]], ["Name", "Given"])
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Given"], ["'=cmd|' /C calc'!A0", "Élodie"]]


def _zip(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buffer.getvalue()


def test_detect_kind_by_content():
    xlsx = write_xlsx([["a"]], ["h"])
    assert detect_kind(xlsx) == "xlsx"
    assert detect_kind(PNG) is None
    assert detect_kind(_zip(["[Content_Types].xml", "word/document.xml"])) is None  # a .docx
    assert detect_kind(b"PK\x03\x04 not really a zip") is None
    assert detect_kind("Nom;Prénom\nDupont;Élodie\n".encode("cp1252")) == "csv"
    assert detect_kind(b"\x00\x01\x02binary") is None


def test_decode_text_encodings():
    assert decode_text(codecs.BOM_UTF8 + "Prénom".encode()) == "Prénom"
    assert decode_text("Prénom".encode()) == "Prénom"
    assert decode_text("Prénom – Œuvre".encode("cp1252")) == "Prénom – Œuvre"
    assert decode_text(bytes([0x50, 0x81, 0x8D])) == "P\x81\x8d"  # undefined in cp1252: latin-1


def test_read_csv_sniffs_the_delimiter():
    assert read_csv("a;b;c\n1;2,5;3\n") == [["a", "b", "c"], ["1", "2,5", "3"]]
    assert read_csv("a,b\n1,2\n") == [["a", "b"], ["1", "2"]]
    assert read_csv('a;b\n"x;y";2\n') == [["a", "b"], ["x;y", "2"]]


def test_read_table_xlsx_and_refusals():
    kind, rows = read_table(write_xlsx([["Dupont", 12, 3.5]], ["Nom", "Age", "Taille"]))
    assert kind == "xlsx"
    assert rows == [["Nom", "Age", "Taille"], ["Dupont", "12", "3.5"]]
    with pytest.raises(SpreadsheetError):
        read_table(PNG)

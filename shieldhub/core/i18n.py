"""Compile the .po catalogues to .mo with Babel, so no system gettext is needed."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings


def compile_translations(*, force: bool = False) -> list[Path]:
    written: list[Path] = []
    for locale_dir in settings.LOCALE_PATHS:
        for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            written.append(mo_path)
    return written


def in_language(en: str, fr: str) -> str:
    """A text stored in English and French, in the reader's language: the French when the active
    language is French and there is one, else the English (or the French when only it exists)."""
    from django.utils.translation import get_language

    if fr and (get_language() or "").startswith("fr"):
        return fr
    return en or fr

"""Every string a person reads exists in French: the catalogue is complete and up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="fr")


def _untranslated(catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_the_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    missing = _untranslated(_catalog(PO))
    assert not missing, f"{len(missing)} untranslated French strings, e.g. {missing[:10]}"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is needed to extract strings")
def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path, monkeypatch):
    """Extract the strings afresh from a copy of the sources (makemessages writes into the `locale`
    folder of the directory it runs in) and compare them with the committed catalogue."""
    base = Path(settings.BASE_DIR)
    for folder in ("shieldhub", "config", "locale"):
        shutil.copytree(base / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
    fresh = _catalog(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    committed = _catalog(PO)
    new_ids = sorted(str(m.id) for m in fresh if m.id and committed.get(m.id, context=m.context) is None)
    assert not new_ids, f"strings missing from locale/fr (run makemessages and translate): {new_ids[:10]}"
    assert not _untranslated(fresh)


def test_french_pages_read_as_french(client, login, coordinator):
    login(coordinator)
    with translation.override("fr"):
        response = client.post("/accounts/language/", {"language": "fr", "next": "/"}, follow=True)
    body = response.content.decode()
    assert 'lang="fr"' in body
    assert "Annuaire" in body  # the Directory tile and menu entry
    assert "Directory" not in body

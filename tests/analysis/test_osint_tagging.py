"""Tagging of open-source items: precursors (EN/FR names, HS codes written in the text) and
countries (EN/FR names, usual forms, demonyms; first names and ordinary words are not countries)."""

from __future__ import annotations

import pytest

from shieldhub.analysis import osint
from tests.analysis.test_osint_support import catalogue, ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db


def test_precursors_and_hs_codes_in_english_and_french(catalogue):  # noqa: F811
    en = osint.tag_text("Police seized 5 tonnes of ammonium nitrate in Mombasa")
    fr = osint.tag_text("Saisie de 2 tonnes de nitrate d'ammonium au port de Dakar")
    hs = osint.tag_text("Containers declared under HS 3102.30 were stopped")
    assert "ammonium-nitrate" in en.catalogue_codes
    assert "ammonium-nitrate" in fr.catalogue_codes
    assert hs.hs_codes == ["310230"]
    assert "ammonium-nitrate" in hs.catalogue_codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customs in Kenya stopped a truck from Tanzania", ["KE", "TZ"]),
        ("La douane du Sénégal et celle de la Côte d'Ivoire", ["SN", "CI"]),
        ("A shipment bound for the DRC via Uganda", ["CD", "UG"]),
        ("Kenyan officers and Nigerian police", ["KE", "NG"]),
        ("Seizure in Chad near the border with Niger", ["TD", "NE"]),
        ("Analyst Chad Smith said guinea pigs were found", []),
        ("The record was broken by Michael Jordan in 1998", []),
        ("Exports to Papua New Guinea and Equatorial Guinea rose", ["PG", "GQ"]),
        ("Authorities in Guinea seized detonators", ["GN"]),
        ("roast turkey and china plates", []),
        ("a great deal of chad", []),
    ],
)
def test_countries_found_in_text(catalogue, text, expected):  # noqa: F811
    assert osint.find_countries(text) == expected

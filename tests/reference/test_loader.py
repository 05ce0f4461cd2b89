"""load_reference on the real files: counts, names, idempotence, analysts' edits kept."""

from __future__ import annotations

import shutil
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from shieldhub.core.audit import audit_verify
from shieldhub.core.models import AuditEntry
from shieldhub.reference.loader import load_reference, read_catalogue
from shieldhub.reference.models import CatalogueItem, Country, Currency, HsCode, HsSection, WcoRegion
from shieldhub.reference.validators import cas_is_valid

pytestmark = pytest.mark.django_db

TABLES = (WcoRegion, Country, HsSection, HsCode, CatalogueItem, Currency)


def _row_counts():
    return {m.__name__: m.objects.count() for m in TABLES}


def test_first_load_counts_and_audit_entry(admin_user):
    started = time.monotonic()
    counts = load_reference(actor=admin_user)
    assert time.monotonic() - started < 5
    assert counts["regions"] == counts["regions_created"] == 6
    assert counts["countries"] == counts["countries_created"] == 251  # 249 ISO + Kosovo + EU
    assert counts["hs_sections_created"] == 21
    assert counts["hs_codes_created"] == 6936
    assert counts["catalogue_created"] == 22
    assert counts["catalogue_kept"] == 0
    assert counts["currencies_created"] == Currency.objects.count() > 150
    assert _row_counts() == {
        "WcoRegion": 6,
        "Country": 251,
        "HsSection": 21,
        "HsCode": 6936,
        "CatalogueItem": 22,
        "Currency": counts["currencies"],
    }
    entries = list(AuditEntry.objects.filter(action="reference.load"))
    assert len(entries) == 1
    assert entries[0].actor == admin_user
    assert entries[0].extra["counts"]["hs_codes_created"] == 6936
    assert audit_verify().ok


def test_second_load_changes_nothing_and_creates_no_duplicates():
    load_reference()
    before = _row_counts()
    started = time.monotonic()
    counts = load_reference()
    assert time.monotonic() - started < 5
    assert _row_counts() == before
    assert all(counts[k] == 0 for k in counts if k.endswith(("_created", "_updated")))
    assert counts["catalogue_kept"] == 22
    assert AuditEntry.objects.filter(action="reference.load").count() == 2  # one summary per load


def test_countries_regions_and_membership():
    load_reference()
    assert set(WcoRegion.objects.values_list("code", flat=True)) == {"AMS", "AP", "ESA", "EUR", "MENA", "WCA"}
    esa = WcoRegion.objects.get(code="ESA")
    assert esa.name_en == "East and Southern Africa"
    assert esa.name_fr == "Afrique orientale et australe"
    assert WcoRegion.objects.get(code="WCA").name_fr == "Afrique occidentale et centrale"
    assert WcoRegion.objects.get(code="MENA").name_fr == "Afrique du Nord, Proche et Moyen-Orient"

    fr, de, ke = (Country.objects.get(code=c) for c in ("FR", "DE", "KE"))
    assert (fr.name_en, fr.name_fr, fr.iso3, fr.numeric_code) == ("France", "France", "FRA", "250")
    assert (de.name_en, de.name_fr) == ("Germany", "Allemagne")
    assert ke.wco_region_id == "ESA" and ke.wco_member and ke.member_status == "member"

    kosovo = Country.objects.get(code="XK")
    assert (kosovo.name_en, kosovo.name_fr, kosovo.iso3, kosovo.numeric) == ("Kosovo", "Kosovo", "XKX", None)
    assert kosovo.wco_member and kosovo.wco_region_id == "EUR"

    eu = Country.objects.get(code="EU")
    assert eu.member_status == "special-status" and not eu.wco_member

    assert Country.objects.filter(wco_member=True).count() == 187
    assert Country.objects.get(code="AQ").wco_member is False  # Antarctica: a country row, not a member
    assert Country.objects.get(code="VC").wco_member  # the 187th member (2025)

    with translation.override("fr"):
        assert de.name == "Allemagne"
        assert esa.name == "Afrique orientale et australe"
    with translation.override("en"):
        assert de.name == "Germany"


def test_hs_tree():
    load_reference()
    assert HsCode.objects.filter(level=2).count() == 96
    assert HsCode.objects.filter(level=4).count() == 1228
    assert HsCode.objects.filter(level=6).count() == 5612
    sub = HsCode.objects.select_related("parent__parent", "section").get(code="282911")
    assert sub.description == "Chlorates; of sodium"
    assert sub.parent.code == "2829" and sub.parent.parent.code == "28" and sub.parent.parent.parent is None
    assert sub.section.code == "VI" and sub.section.number == 6
    assert HsSection.objects.get(code="I").name == "Live animals; animal products"
    assert not HsCode.objects.filter(code__in=["99", "9999", "999999"]).exists()


def test_catalogue_content():
    load_reference()
    an = CatalogueItem.objects.get(code="ammonium-nitrate")
    assert an.category == "precursor"
    assert an.hs_codes == ["310230"]
    assert an.un_numbers == ["1942", "2067", "2426", "0222"]
    assert "nitrato de amonio" in an.synonyms_es
    assert an.eu_annex == "annex-I"
    assert "nitrate d'ammonium" in an.search_text
    assert CatalogueItem.objects.get(code="nitric-acid").density_kg_per_l == Decimal("1.41")
    assert set(CatalogueItem.objects.values_list("category", flat=True)) == {"precursor", "ied-component", "other"}
    assert CatalogueItem.objects.filter(category="ied-component").count() == 7


def test_every_catalogue_hs_code_is_in_hs_2022_and_every_cas_is_valid():
    load_reference()
    known = set(HsCode.objects.filter(level=6).values_list("code", flat=True))
    for item in CatalogueItem.objects.all():
        assert set(item.hs_codes) <= known, item.code
        assert not item.cas or cas_is_valid(item.cas), item.code
    for row in read_catalogue(settings.REFERENCE_DIR).values():
        for un in row["un_numbers"]:
            assert len(un) == 4 and un.isdigit()


def test_reload_keeps_analysts_edits_and_recreates_only_missing_items():
    load_reference()
    CatalogueItem.objects.filter(code="urea").update(name_en="Urea (edited)", synonyms_en=["carbamide"])
    CatalogueItem.objects.filter(code="drones").delete()
    counts = load_reference()
    assert counts["catalogue_created"] == 1 and counts["catalogue_kept"] == 21
    urea = CatalogueItem.objects.get(code="urea")
    assert urea.name_en == "Urea (edited)" and urea.synonyms_en == ["carbamide"]
    assert CatalogueItem.objects.filter(code="drones").count() == 1


def test_a_changed_file_updates_only_the_changed_rows(tmp_path):
    load_reference()
    base = tmp_path / "ref"
    shutil.copytree(settings.REFERENCE_DIR, base)
    (base / "hs2022").chmod(0o755)
    hs_file = base / "hs2022" / "harmonized-system.csv"
    hs_file.chmod(0o644)
    text = hs_file.read_text(encoding="utf-8-sig")
    hs_file.write_text(text.replace("Chlorates; of sodium", "Chlorates; of sodium (revised)"), encoding="utf-8")
    counts = load_reference(base=base)
    assert counts["hs_codes_updated"] == 1 and counts["hs_codes_created"] == 0
    assert HsCode.objects.get(code="282911").description == "Chlorates; of sodium (revised)"


def test_management_command_prints_counts():
    out = StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert "HS codes: 6936 (6936 new, 0 updated)" in text
    assert "countries: 251" in text
    assert "22 new" in text
    out = StringIO()
    call_command("load_reference", stdout=out)
    assert "HS codes: 6936 (0 new, 0 updated)" in out.getvalue()
    assert "22 already present and kept as edited" in out.getvalue()

"""Selectors: HS search, catalogue search and matching, countries, access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from shieldhub.reference import selectors as s
from shieldhub.reference.models import CatalogueItem


def codes(qs):
    return [x.code for x in qs]


# --- HS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["2829.11", "282911", "2829 11", " 2829.11 ", "2829-11"])
def test_hs_search_by_code_ignores_dots_and_spaces(ref, analyst, q):
    assert codes(s.hs_search(user=analyst, q=q)) == ["282911"]


def test_hs_search_by_prefix_lists_the_heading_and_its_subheadings(ref, ncp_fr):
    assert codes(s.hs_search(user=ncp_fr, q="2829")) == ["2829", "282911", "282919", "282990"]
    chapter = codes(s.hs_search(user=ncp_fr, q="28", limit=None))
    assert chapter[0] == "28" and all(c.startswith("28") for c in chapter) and len(chapter) > 100
    assert len(codes(s.hs_search(user=ncp_fr, q="28"))) == s.HS_SEARCH_LIMIT


def test_hs_search_by_words_needs_every_word_case_insensitive(ref, analyst):
    assert codes(s.hs_search(user=analyst, q="chlorates SODIUM")) == ["282911", "282919"]
    assert codes(s.hs_search(user=analyst, q="Chlorates OF sodium")) == ["282911"]
    found = codes(s.hs_search(user=analyst, q="ammonium nitrate", limit=None))
    assert "310230" in found
    for hs in s.hs_search(user=analyst, q="ammonium nitrate", limit=None):
        assert "ammonium" in hs.description.lower() and "nitrate" in hs.description.lower()
    assert codes(s.hs_search(user=analyst, q="chlorates zebra")) == []


def test_hs_search_without_query_lists_in_code_order(ref, analyst):
    assert codes(s.hs_search(user=analyst, q="", limit=3)) == ["01", "0101", "010121"]


def test_hs_get_gives_the_parent_chain_children_and_catalogue_items(ref, analyst):
    detail = s.hs_get(user=analyst, code="2829.11")
    assert detail.code.code == "282911"
    assert codes(detail.ancestors) == ["28", "2829"]
    assert detail.children == []
    assert [i.code for i in detail.catalogue_items] == ["sodium-chlorate"]

    heading = s.hs_get(user=analyst, code="2829")
    assert codes(heading.ancestors) == ["28"]
    assert codes(heading.children) == ["282911", "282919", "282990"]
    assert {i.code for i in heading.catalogue_items} == {
        "sodium-chlorate",
        "potassium-chlorate",
        "potassium-perchlorate",
        "ammonium-perchlorate",
    }
    with pytest.raises(Http404):
        s.hs_get(user=analyst, code="999999")


# --- catalogue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("eau oxygénée", "hydrogen-peroxide"),  # French synonym
        ("EAU OXYGENEE", "hydrogen-peroxide"),  # case and accents ignored
        ("agua oxigenada", "hydrogen-peroxide"),  # Spanish synonym
        ("salitre de Chile", "sodium-nitrate"),
        ("clorato de potasio", "potassium-chlorate"),
        ("Urée", "urea"),  # French name
        ("7722-84-1", "hydrogen-peroxide"),  # CAS
        ("2829.11", "sodium-chlorate"),  # HS with a dot
        ("282911", "sodium-chlorate"),
        ("UN1942", "ammonium-nitrate"),
        ("quadcopter", "drones"),
    ],
)
def test_catalogue_search(ref, ncp_ke, q, expected):
    assert expected in codes(s.catalogue_list(user=ncp_ke, q=q))


def test_catalogue_search_needs_every_word(ref, analyst):
    assert codes(s.catalogue_list(user=analyst, q="nitrato amónico")) == [
        "ammonium-nitrate",
        "calcium-ammonium-nitrate",
    ]
    assert codes(s.catalogue_list(user=analyst, q="nitrato amónico cálcico")) == ["calcium-ammonium-nitrate"]


def test_catalogue_lists_precursors_first_then_ied_components(ref, analyst):
    items = list(s.catalogue_list(user=analyst))
    categories = [i.category for i in items]
    assert categories == sorted(categories, key=["precursor", "ied-component", "other"].index)
    assert items[0].code == "acetone" and items[-1].code == "drones"


def test_catalogue_filter_by_category(ref, analyst):
    ied = codes(s.catalogue_list(user=analyst, category="ied-component"))
    assert "detonating-cords" in ied and "urea" not in ied
    assert codes(s.catalogue_list(user=analyst, category="other")) == ["drones"]


def test_inactive_items_are_listed_for_editors_only_but_open_to_everyone(ref, analyst, ncp_fr):
    CatalogueItem.objects.filter(code="urea").update(is_active=False)
    assert "urea" in codes(s.catalogue_list(user=analyst))
    assert "urea" not in codes(s.catalogue_list(user=ncp_fr))
    assert s.catalogue_get(user=ncp_fr, code="urea").is_active is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ammonium nitrate", "ammonium-nitrate"),
        ("AMMONIUM NITRATE", "ammonium-nitrate"),
        ("ammonium-nitrate", "ammonium-nitrate"),  # the code
        ("nitrate d’ammonium", "ammonium-nitrate"),  # typographic apostrophe
        ("Nitrato amonico", "ammonium-nitrate"),  # accent left out
        ("peroxyde d'hydrogene", "hydrogen-peroxide"),
        ("  eau  oxygénée ", "hydrogen-peroxide"),
        ("nitrometano", "nitromethane"),
        ("Electric detonator", "electric-detonators"),
    ],
)
def test_catalogue_match_name_exact_case_and_accent_insensitive(ref, text, expected):
    item = s.catalogue_match_name(text)
    assert item is not None and item.code == expected


@pytest.mark.parametrize("text", ["", "ammonium", "nitrate", "ammonium nitrate fertiliser 34%", "sugar"])
def test_catalogue_match_name_does_not_guess(ref, text):
    assert s.catalogue_match_name(text) is None


def test_catalogue_match_name_with_an_index_is_one_query(ref, django_assert_num_queries):
    with django_assert_num_queries(1):
        index = s.catalogue_name_index()
    with django_assert_num_queries(0):
        assert s.catalogue_match_name("acetona", index=index).code == "acetone"
        assert s.catalogue_match_name("KClO3", index=index).code == "potassium-chlorate"


def test_catalogue_match_name_ambiguous_or_inactive_gives_none(ref):
    assert s.catalogue_match_name("urea prills").code == "urea"
    CatalogueItem.objects.filter(code="urea").update(synonyms_en=["AN"])  # now shared with ammonium nitrate
    assert s.catalogue_match_name("AN") is None
    assert s.catalogue_match_name("urea prills") is None  # urea's English synonyms were replaced
    CatalogueItem.objects.filter(code="acetone").update(is_active=False)
    assert s.catalogue_match_name("acetone") is None


# --- countries --------------------------------------------------------------------------------


def test_country_list_filters(ref, analyst):
    esa = s.country_list(user=analyst, region="ESA")
    assert "KE" in codes(esa) and "FR" not in codes(esa) and len(esa) == 24
    assert s.country_list(user=analyst, wco_member=True).count() == 187
    non_members = codes(s.country_list(user=analyst, wco_member=False))
    assert "AQ" in non_members and "EU" in non_members and "FR" not in non_members
    assert codes(s.country_list(user=analyst, q="germ")) == ["DE"]
    assert codes(s.country_list(user=analyst, q="allemagne")) == ["DE"]
    assert codes(s.country_list(user=analyst, q="deu")) == ["DE"]
    assert codes(s.country_list(user=analyst, q="kosovo")) == ["XK"]
    assert "US" in codes(s.country_list(user=analyst, q="etats-unis"))  # accent-insensitive
    assert "CI" in codes(s.country_list(user=analyst, q="cote d’ivoire"))


def test_country_list_sorts_by_name_in_the_active_language(ref, analyst):
    with translation.override("fr"):
        names = [c.name for c in s.country_list(user=analyst, region="EUR")]
        assert names.index("Allemagne") < names.index("Espagne") < names.index("Estonie") < names.index("France")
    with translation.override("en"):
        names = [c.name for c in s.country_list(user=analyst, region="EUR")]
        assert names.index("Estonia") < names.index("France") < names.index("Germany") < names.index("Spain")


def test_country_get(ref, donor):
    assert s.country_get(user=donor, code="fr").name_fr == "France"
    with pytest.raises(Http404):
        s.country_get(user=donor, code="ZZ")


def test_wco_member_countries_by_region_then_name(ref, donor):
    members = list(s.wco_member_countries(user=donor))
    assert len(members) == 187
    keys = [(c.wco_region.code, c.sort_en) for c in members]
    assert keys == sorted(keys)
    assert "EU" not in codes(members)


def test_region_and_currency_lists(ref, partner_interpol):
    assert codes(s.region_list(user=partner_interpol)) == ["AMS", "AP", "ESA", "EUR", "MENA", "WCA"]
    eur = next(c for c in s.currency_list(user=partner_interpol, q="eur") if c.code == "EUR")
    assert eur.name == "Euro" and eur.numeric == "978" and eur.minor_unit == 2
    assert "USD" in codes(s.currency_list(user=partner_interpol, q="dollar"))
    assert "USD" in codes(s.currency_list(user=partner_interpol, q="Dollar américain"))
    assert s.currency_list(user=partner_interpol, q="JPY").get().minor_unit == 0
    assert s.currency_list(user=partner_interpol, q="KWD").get().minor_unit == 3


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda u: s.country_list(user=u),
        lambda u: s.wco_member_countries(user=u),
        lambda u: s.region_list(user=u),
        lambda u: s.hs_search(user=u, q="28"),
        lambda u: s.catalogue_list(user=u),
        lambda u: s.currency_list(user=u),
        lambda u: s.catalogue_name_index(user=u),
    ],
)
def test_outsiders_are_refused_lists(ref, outsider, call):
    with pytest.raises(PermissionDenied):
        call(outsider)


@pytest.mark.parametrize(
    "call",
    [
        lambda u: s.country_get(user=u, code="FR"),
        lambda u: s.hs_get(user=u, code="2829"),
        lambda u: s.catalogue_get(user=u, code="urea"),
    ],
)
def test_outsiders_get_404_for_records(ref, outsider, call):
    with pytest.raises(Http404):
        call(outsider)


def test_anonymous_is_refused(ref):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        s.catalogue_list(user=AnonymousUser())

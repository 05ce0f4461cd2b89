"""Company names: normalisation, legal forms, and the fuzzy NameIndex behind "same as" suggestions."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz

from shieldhub.core.names import LEGAL_FORM_PENALTY, NameIndex, legal_form, normalise_name, parse_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nitro Chemicals Ltd", "NITRO-CHEMICALS LIMITED"),
        ("Nitro Chemicals Ltd.", "nitro chemicals"),
        ("Société Générale des Engrais SARL", "Ste Generale des Engrais"),
        ("Société Générale des Engrais S.A.R.L.", "STE GENERALE DES ENGRAIS"),
        ("Química del Sur, S.A. de C.V.", "Quimica del Sur SA de CV"),
        ("Smith & Sons Pty Ltd", "Smith and Sons (Pty) Limited"),
        ("The Nitro Company", "Nitro Co."),
        ("Acme GmbH & Co. KG", "ACME GMBH"),
        ("PT Maju Kimia Tbk", "Maju Kimia"),
        ("OOO Romashka", "Romashka LLC"),
        ("Dansk Kemi A/S", "Dansk Kemi AS"),
        ("Polska Chemia Sp. z o.o.", "Polska Chemia"),
        ("Kimya Sanayi ve Ticaret Ltd. Şti.", "Kimya Sanayi ve Ticaret"),
        ("Maju Sdn. Bhd.", "MAJU SDN BHD"),
        ("Nitrochem S.p.A.", "NITROCHEM SPA"),
        ("McDonald's Fertilisers", "McDonalds Fertilisers"),
        ("Cie Générale d'Explosifs", "Compagnie Generale d'Explosifs"),
        ("Nitro Intl. Trading", "Nitro International Trading"),
    ],
)
def test_same_company_same_normalised_name(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Nitro Chemicals Ltd", "nitro chemicals"),
        ("  Société   Générale des Engrais, SARL ", "societe generale des engrais"),
        ("Industrial.Coga.GmbH", "industrial coga"),  # dots between words separate them
        ("Limited", "limited"),  # a legal form alone is the name: never empty
        ("SA", "sa"),
        ("Co-operative Bank", "co operative bank"),  # "Co" is removed at the end only
        ("Álvarez y Hermanos", "alvarez hermanos"),
        ("", ""),
    ],
)
def test_normalise_name(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Nitro Chemicals Limited", "Ltd"),
        ("Nitro Chemicals LTD.", "Ltd"),
        ("Nitro Co., Ltd.", "Co. Ltd"),
        ("Nitro LLC", "LLC"),
        ("Nitro L.L.C.", "LLC"),
        ("Nitro Inc.", "Inc"),
        ("Nitro Corporation", "Corp"),
        ("Nitro PLC", "PLC"),
        ("Nitro GmbH", "GmbH"),
        ("Nitro AG", "AG"),
        ("Nitro GmbH & Co. KG", "GmbH & Co. KG"),
        ("Nitro SARL", "SARL"),
        ("Nitro S.A.", "SA"),
        ("Nitro SAS", "SAS"),
        ("Nitro S.p.A.", "SpA"),
        ("Nitro S.r.l.", "Srl"),
        ("Nitro B.V.", "BV"),
        ("Nitro N.V.", "NV"),
        ("Nitro Pty Ltd", "Pty Ltd"),
        ("Nitro Pvt. Ltd.", "Pvt Ltd"),
        ("Nitro Private Limited", "Pvt Ltd"),
        ("Nitro LLP", "LLP"),
        ("Nitro JSC", "JSC"),
        ("JSC Nitro", "JSC"),
        ("OOO Nitro", "OOO"),
        ("Nitro Sdn Bhd", "Sdn Bhd"),
        ("PT Nitro Tbk", "Tbk"),  # outermost first: the suffix, then the prefix
        ("Nitro S.L.", "SL"),
        ("Nitro Ltda.", "Ltda"),
        ("Nitro & Co", "Co"),
        ("Nitro Company", "Co"),
        ("Nitro Trading", ""),
        ("Limited", ""),
    ],
)
def test_legal_form_is_reported(name: str, form: str) -> None:
    assert legal_form(name) == form


def test_parse_name_reports_every_form_removed() -> None:
    parsed = parse_name("PT Maju Kimia Tbk")
    assert parsed.normalised == "maju kimia"
    assert parsed.legal_forms == ("Tbk", "PT")
    assert parsed.legal_form == "Tbk"


NAMES = [
    (1, "Nitro Chemicals Ltd"),
    (2, "Société Générale des Engrais SARL"),
    (3, "Nitra Logistics GmbH"),
    (4, "Chemicals Nitro Limited"),  # the same words in another order
    (5, "NitroChemicals Inc"),
    (6, "Nitro Chemicals GmbH"),
    (7, "Acme Fertilisers Trading Co"),
    (8, "Shandong Haihua Chemical"),
    (9, "Kenya Explosives Ltd"),
]


@pytest.fixture
def index() -> NameIndex:
    return NameIndex(NAMES)


def test_lookup_finds_the_same_company_written_otherwise(index: NameIndex) -> None:
    results = index.lookup("NITRO-CHEMICALS LIMITED")
    assert results[0] == (1, 100.0, "nitro chemicals")
    assert results[1] == (4, 100.0, "chemicals nitro")  # word order does not count
    found = {ident: score for ident, score, _ in results}
    assert found[5] == 100 - LEGAL_FORM_PENALTY  # the same without spaces, another legal form
    assert found[6] == 100 - LEGAL_FORM_PENALTY
    assert 3 not in found  # Nitra Logistics: not the same company
    assert index.lookup("Ste Generale des Engrais")[0][:2] == (2, 100.0)


def test_lookup_tolerates_typos_and_respects_cutoff_and_limit(index: NameIndex) -> None:
    assert index.lookup("Nitro Chemcals Ltd")[0][0] == 1  # a letter missing
    assert index.lookup("Nitro Chemcials Ltd")[0][0] == 1  # two letters swapped
    assert index.lookup("Nirto Chemicals")[0][0] == 1
    assert index.lookup("Acme Fertilizers Trading")[0][0] == 7
    assert index.lookup("Shandong Haihua Chemical Group")[0][0] == 8  # a short extra word (88.9)
    assert len(index.lookup("Nitro Chemicals", limit=2)) == 2
    assert all(score >= 99 for _, score, _ in index.lookup("Nitro Chemicals", cutoff=99))
    assert index.lookup("Kenya Fertilisers") == []
    assert index.lookup("Generale des Engrais") == []  # a word fewer is another company
    assert index.lookup("") == []
    assert index.lookup("Ltd") == []


def test_lookup_prefers_the_same_legal_form(index: NameIndex) -> None:
    results = index.lookup("Nitro Chemicals GmbH")
    assert results[0][:2] == (6, 100.0)
    assert {ident for ident, _, _ in results[1:3]} == {1, 4}


def test_pairs_suggests_each_likely_duplicate_once(index: NameIndex) -> None:
    pairs = list(index.pairs(cutoff=92))
    # 4 and 5 are not a pair: "chemicals nitro" and "nitrochemicals" differ once spaces are removed
    assert [(a, b) for a, b, _ in pairs] == [(1, 4), (1, 5), (1, 6), (4, 6), (5, 6)]
    assert dict(((a, b), s) for a, b, s in pairs)[(1, 4)] == 100.0
    assert all(s >= 92 for _, _, s in pairs)


def test_names_added_later_are_found(index: NameIndex) -> None:
    for _ in range(3):
        index.lookup("Nitro Chemicals")  # fills the cache of common words
    index.add(10, "Nitro Chemicals Kenya")
    index.add(11, "NITRO CHEMICALS (PTY) LTD")
    assert len(index) == 11
    found = [ident for ident, _, _ in index.lookup("Nitro Chemicals", limit=10)]
    assert 11 in found and 10 not in found


def test_one_word_names(index: NameIndex) -> None:
    index.add(20, "Romashka OOO")
    index.add(21, "Romashkin")
    assert [r[0] for r in index.lookup("ROMASHKA LLC")] == [20]
    assert [r[0] for r in index.lookup("Romaska")] == [20]  # a letter missing
    assert [r[0] for r in index.lookup("Romashkaa")] == [20]  # a letter added
    assert index.lookup("Roma") == []


def _word(rnd: random.Random) -> str:
    return "".join(rnd.choice("bcdfgklmnprstvz") + rnd.choice("aeiou") for _ in range(rnd.randint(2, 5)))


def _typo(word: str, rnd: random.Random) -> str:
    at = rnd.randrange(len(word))
    kind = rnd.choice(["delete", "insert", "replace", "swap"])
    if kind == "delete":
        return word[:at] + word[at + 1 :]
    if kind == "insert":
        return word[:at] + rnd.choice("aeiou") + word[at:]
    if kind == "replace":
        return word[:at] + rnd.choice("xyw") + word[at + 1 :]
    at = min(at, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def test_blocking_finds_what_a_full_scan_finds_for_one_typo() -> None:
    """Every name a full scan scores at 88 or more is found when each of its words is one edit or
    less from the query's (the misspelt original always is). Names that reach 88 only through shared
    generic words ("Tuso Mining Fertilisers" for "Usle Mining Fertilisers") are deliberately not."""
    rnd = random.Random(7)
    industry = ["chemicals", "trading", "industries", "fertilisers", "group", "agro", "mining"]
    names = [
        " ".join([*(_word(rnd) for _ in range(rnd.randint(1, 3))), *rnd.sample(industry, rnd.randint(0, 2))])
        for _ in range(3000)
    ]
    index = NameIndex(enumerate(names))
    originals = scanned = found_total = 0
    for _ in range(400):
        target = rnd.randrange(len(names))
        words = names[target].split()
        at = rnd.randrange(len(words))
        words[at] = _typo(words[at], rnd)
        query = " ".join(words)
        query_sorted = " ".join(sorted(normalise_name(query).split()))
        full_scan = {
            i
            for i, name in enumerate(index.normalised)
            if fuzz.ratio(query_sorted, " ".join(sorted(name.split()))) >= 88
        }
        found = {ident for ident, _, _ in index.lookup(query, limit=len(names), cutoff=88)}
        assert found <= full_scan
        if target in full_scan:
            assert target in found, query
            originals += 1
        scanned += len(full_scan)
        found_total += len(found)
    assert originals > 200  # most one-typo variants stay within the cutoff, and every one was found
    assert found_total / scanned > 0.95

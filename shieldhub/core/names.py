"""Company names: normalisation, legal forms and a fast fuzzy index for "same as" suggestions.

`normalise_name("NITRO-CHEMICALS LIMITED")` and `normalise_name("Nitro Chemicals Ltd.")` are both
"nitro chemicals": case folded, accents removed, dots inside abbreviations dropped ("S.A." → "sa"),
other punctuation turned into spaces, "&"/"and"/"et"/"y"/"und" and a leading "the" dropped, a few
abbreviations expanded ("Ste"/"Sté" → "societe", "Cie" → "compagnie", "Intl" → "international"),
and legal forms removed at the end (Ltd, LLC, GmbH & Co. KG, SARL, S.A. de C.V., Sdn Bhd...) or at
the start (PT, OOO, JSC...). `parse_name` also says which legal forms it removed.

`NameIndex` holds (id, name) pairs and answers `lookup(name)` with rapidfuzz's `ratio` on the
normalised words in sorted order (word order does not count), over candidates found by blocking
(`NameIndex._candidates`): every word of the query must share a key with a word of the candidate,
and the keys are chosen so that a word one edit away always shares one (first and last four letters
of a long word, one-letter deletions of a short one). Unlike a full scan, it does not suggest names
that reach the cutoff only through shared generic words ("Tuso Mining Fertilisers" for "Usle
Mining Fertilisers"). Names that are equal once spaces are removed ("Nitrochem" and "Nitro Chem")
score 100; a different legal form costs 3 points. `pairs()` suggests likely duplicates within the
index; a person confirms them.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from shieldhub.reference.text import fold

# Label → spellings (folded, dots removed). Multi-word spellings are matched as word sequences.
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "GmbH & Co. KG": ("gmbh co kg", "gmbh co kgaa", "ag co kg"),
    "Co. Ltd": ("co ltd", "company limited", "co limited", "company ltd"),
    "Pty Ltd": ("pty ltd", "pty limited", "proprietary limited", "pty"),
    "Pvt Ltd": ("pvt ltd", "private limited", "pvt limited", "private ltd", "pvt"),
    "Pte Ltd": ("pte ltd", "pte limited", "pte"),
    "Ltd": ("ltd", "limited"),
    "PLC": ("plc", "public limited company", "public limited"),
    "LLC": ("llc", "limited liability company", "l l c"),
    "LLP": ("llp", "limited liability partnership"),
    "LP": ("lp", "limited partnership"),
    "Inc": ("inc", "incorporated"),
    "Corp": ("corp", "corporation"),
    "Co": ("co", "company", "cie", "compagnie", "cia", "compania"),
    "GmbH": ("gmbh", "gesellschaft mit beschrankter haftung"),
    "AG": ("ag", "aktiengesellschaft"),
    "KG": ("kg", "kommanditgesellschaft"),
    "KGaA": ("kgaa",),
    "OHG": ("ohg",),
    "UG": ("ug haftungsbeschrankt", "ug"),
    "SARL": ("sarl", "s a r l", "sarl au", "sarlu", "societe a responsabilite limitee"),
    "EURL": ("eurl",),
    "SAS": ("sas", "s a s", "sasu", "societe par actions simplifiee"),
    "S.A. de C.V.": ("sa de cv", "s a de c v", "sapi de cv", "s de rl de cv", "s de r l de c v"),
    "S. de R.L.": ("s de rl", "s de r l"),
    "SA": ("sa", "s a", "societe anonyme", "sociedad anonima", "sociedade anonima"),
    "SNC": ("snc",),
    "SCA": ("sca",),
    "GIE": ("gie",),
    "SpA": ("spa", "s p a", "societa per azioni"),
    "Srl": ("srl", "s r l", "societa a responsabilita limitata"),
    "SL": ("sl", "s l", "slu", "sociedad limitada"),
    "Ltda": ("ltda", "limitada"),
    "Lda": ("lda",),
    "EIRELI": ("eireli",),
    "BV": ("bv", "b v", "besloten vennootschap"),
    "NV": ("nv", "n v", "naamloze vennootschap"),
    "VOF": ("vof",),
    "AB": ("ab", "aktiebolag"),
    "AS": ("as", "a s", "asa", "aksjeselskap"),
    "ApS": ("aps",),
    "Oy": ("oy", "oyj"),
    "Sp. z o.o.": ("sp z oo", "sp z o o", "spzoo"),
    "s.r.o.": ("sro", "s r o"),
    "Kft": ("kft",),
    "Zrt": ("zrt", "nyrt"),
    "d.o.o.": ("doo", "d o o"),
    "d.d.": ("dd",),
    "Ltd Şti": ("ltd sti", "ltd sirketi", "sti"),
    "Sdn Bhd": ("sdn bhd", "sendirian berhad", "bhd", "berhad"),
    "Tbk": ("tbk",),
    "KK": ("kk", "kabushiki kaisha"),
    "GK": ("gk", "godo kaisha"),
    "FZE": ("fze", "fzco", "fzc", "fz llc"),
    "WLL": ("wll",),
    "SAE": ("sae",),
    "SAL": ("sal",),
    "SAOG": ("saog", "saoc"),
    "Ltée": ("ltee",),
    "JSC": ("pjsc", "ojsc", "cjsc", "jsc", "joint stock company", "public joint stock company"),
    "OOO": ("ooo",),
    "ZAO": ("zao",),
    "OAO": ("oao",),
    "PAO": ("pao",),
    "AO": ("ao",),
    "TOV": ("tov",),
    "TOO": ("too",),
    "PT": ("pt",),
    "CV": ("cv",),
}
# Forms written before the name: "PT Maju Kimia", "OOO Romashka", "JSC Azot".
PREFIX_FORMS = frozenset({"PT", "CV", "OOO", "ZAO", "OAO", "PAO", "AO", "TOV", "TOO", "JSC"})
ABBREVIATIONS = {
    "ste": "societe",
    "soc": "societe",
    "cie": "compagnie",
    "intl": "international",
    "ets": "etablissements",
    "mfg": "manufacturing",
    "mfrs": "manufacturers",
    "bros": "brothers",
    "natl": "national",
    "dept": "department",
}
CONNECTORS = frozenset({"and", "et", "y", "und"})
LEGAL_FORM_PENALTY = 3  # both names have a legal form, and not the same one
CACHE_LIMIT = 1_000_000  # ids kept in the sets of names with a common word (about 30 MB)

ARTICLES = frozenset({"the", "la", "le", "el", "les", "los", "las"})

# Apostrophes inside words go ("McDonald's"), and dots between single letters ("S.p.A.", "L.L.C.").
_INNER_DOTS = re.compile(r"(?<=\w)['`](?=\w)|(?<=\b\w)\.(?=\w\b)")


class _SeparatorTable(dict[int, str]):
    """`str.translate` table turning everything but letters and digits into spaces."""

    def __missing__(self, key: int) -> str:
        ch = chr(key)
        value = ch if ch.isalnum() else " "
        self[key] = value
        return value


_SEPARATORS = _SeparatorTable()
_ASCII_SEPARATORS = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + b" " * 128


def _spaced(text: str) -> str:
    """Everything but letters and digits turned into spaces (bytes.translate for ASCII: faster)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    return text.translate(_SEPARATORS)


def _sequences() -> tuple[dict[tuple[str, ...], str], dict[str, list[int]], dict[str, list[int]]]:
    """The legal forms as word sequences, and the lengths worth trying by last (first) word."""
    table: dict[tuple[str, ...], str] = {}
    for label, spellings in LEGAL_FORMS.items():
        for spelling in spellings:
            table.setdefault(tuple(spelling.split()), label)
    by_last: dict[str, list[int]] = {}
    by_first: dict[str, list[int]] = {}
    for sequence, label in table.items():
        by_last.setdefault(sequence[-1], []).append(len(sequence))
        if label in PREFIX_FORMS:
            by_first.setdefault(sequence[0], []).append(len(sequence))
    for sizes in (*by_last.values(), *by_first.values()):
        sizes.sort(reverse=True)
    return table, by_last, by_first


_FORMS, _SIZES_BY_LAST, _SIZES_BY_FIRST = _sequences()


class ParsedName(NamedTuple):
    normalised: str
    legal_forms: tuple[str, ...]  # outermost first

    @property
    def legal_form(self) -> str:
        return self.legal_forms[0] if self.legal_forms else ""


def _words(name: str) -> list[str]:
    text = name.lower() if name.isascii() else fold(name)
    if "&" in text or "+" in text:
        text = text.replace("&", " and ").replace("+", " and ")
    if "." in text or "'" in text or "`" in text:
        text = _INNER_DOTS.sub("", text)
    words = [ABBREVIATIONS.get(w, w) for w in _spaced(text).split() if w not in CONNECTORS]
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return words


def parse_name(name: str) -> ParsedName:
    """The normalised name and the legal forms removed from it (outermost first)."""
    words = _words(name or "")
    forms: list[str] = []
    while len(words) > 1 and words[-1] in _SIZES_BY_LAST:
        for size in _SIZES_BY_LAST[words[-1]]:
            label = _FORMS.get(tuple(words[-size:])) if size < len(words) else None
            if label is not None:
                forms.append(label)
                del words[-size:]
                break
        else:
            break
    while len(words) > 1 and words[0] in _SIZES_BY_FIRST:
        for size in _SIZES_BY_FIRST[words[0]]:
            sequence = tuple(words[:size])
            label = _FORMS.get(sequence) if size < len(words) else None
            if label is not None and label in PREFIX_FORMS:
                forms.append(label)
                del words[:size]
                break
        else:
            break
    return ParsedName(" ".join(words), tuple(forms))


def normalise_name(name: str) -> str:
    """'Société Générale des Engrais S.A.R.L.' → 'societe generale des engrais'."""
    return parse_name(name).normalised


def legal_form(name: str) -> str:
    """The (outermost) legal form of a company name: 'Nitro Chemicals Limited' → 'Ltd'; '' if none."""
    return parse_name(name).legal_form


def _sorted_words(normalised: str) -> str:
    return " ".join(sorted(normalised.split()))


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> tuple[str, ...]:
    """Blocking keys of a word such that a word one edit away shares at least one: the first and
    the last four letters of a word of seven letters or more (one edit changes only one of them;
    for eight letters also the first and last three, which two letters swapped across the middle
    leave alone), the word and its one-letter deletions for a word of seven letters or less (both
    for seven, so that a word of eight with a letter missing still meets it)."""
    size = len(word)
    if size <= 3:
        return ("~" + word,)
    keys = ["<" + word[:4], ">" + word[-4:]] if size >= 7 else []
    if size == 8:
        keys.append("^" + word[:3] + word[-3:])  # two letters swapped in the middle change both halves
    if size <= 7:
        keys.append("~" + word)
        keys.extend({"~" + word[:i] + word[i + 1 :] for i in range(size)})
    return tuple(keys)


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _index_keys(normalised: str) -> set[str]:
    """A one-word name is keyed apart, by its length and its one-letter deletions: it can only be
    close to a one-word query of about the same length. Other names by the keys of their words."""
    words = normalised.split()
    if len(words) == 1:
        return {f"{len(words[0])}:{d}" for d in _deletions(words[0])}
    return {key for word in words for key in _word_keys(word)}


@lru_cache(maxsize=16384)
def _one_word_query_keys(word: str) -> frozenset[str]:
    """Keys of the one-word names at most one edit away: same length with a letter changed or the
    same (shared deletion), one letter more (their deletion is the word), one less (they are a
    deletion of the word)."""
    deletions = _deletions(word)
    size = len(word)
    keys = {f"{size}:{d}" for d in deletions} | {f"{size - 1}:{d}" for d in deletions}
    keys.add(f"{size + 1}:{word}")
    return frozenset(keys)


class NameIndex:
    """Fuzzy lookup of names among many (50,000 in a few tens of microseconds a query).

    Build it with (id, name) pairs; ids are anything hashable (primary keys, uuids)."""

    def __init__(self, pairs: Iterable[tuple[Hashable, str]] = (), *, max_candidates: int = 5000) -> None:
        self.ids: list[Hashable] = []
        self.normalised: list[str] = []
        self.legal_forms: list[str] = []
        self._sorted: list[str] = []
        self._compact: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        self._sets: dict[str, frozenset[int]] = {}  # names with a common word, kept on first use
        self._cached = 0  # how many ids `_sets` holds
        self.max_candidates = max_candidates
        for ident, name in pairs:
            self.add(ident, name)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ident: Hashable, name: str) -> None:
        parsed = parse_name(name)
        index = len(self.ids)
        self.ids.append(ident)
        self.normalised.append(parsed.normalised)
        self.legal_forms.append(parsed.legal_form)
        self._sorted.append(_sorted_words(parsed.normalised))
        self._compact.setdefault(parsed.normalised.replace(" ", ""), []).append(index)
        for key in _index_keys(parsed.normalised):
            self._postings.setdefault(key, []).append(index)
        if self._sets:
            self._sets.clear()
            self._cached = 0

    def _candidates(self, normalised: str) -> set[int]:
        """Names that may score above a high cutoff: those sharing a blocking key with every word
        of the query. A name within the cutoff differs by a few letters, so each of its words is
        at most one edit from the query's and shares a key with it (names that reach the cutoff
        only through shared generic words, "Tuso Mining Fertilisers" for "Usle Mining Fertilisers",
        are left out on purpose). One word of a query of three words or more may be missing from
        the name when it is short next to the rest ("Shandong Haihua Chemical Group" scores 88.9
        against "Shandong Haihua Chemical"): a word no name has, or else the most common one.
        Words of three letters or less are not required. Worked from the rarest word, with set
        intersections. A one-word query looks among one-word names only (`_index_keys`)."""
        postings = self._postings
        words = set(normalised.split())
        if len(words) == 1:
            found: set[int] = set(self._compact.get(normalised, ()))
            for key in _one_word_query_keys(normalised):
                posting = postings.get(key)
                if posting:
                    found.update(posting)
            return found
        required = [w for w in words if len(w) > 3] or list(words)
        groups = [(len(found), len(word), found) for word in required for found in (self._word_postings(word),)]
        groups.sort(key=lambda g: (g[0], g[1]))
        if len(groups) >= 3:
            at = 0 if not groups[0][0] else len(groups) - 1
            if groups[at][1] * 10 <= 3 * (sum(g[1] for g in groups) - groups[at][1]):
                del groups[at]
        candidates: set[int] = set()
        if groups and groups[0][0]:
            candidates = set(groups[0][2])
            for group in groups[1:]:
                if not candidates:
                    break
                candidates &= group[2]
            if len(candidates) > self.max_candidates:
                candidates = set(sorted(candidates)[: self.max_candidates])
        candidates.update(self._compact.get(normalised.replace(" ", ""), ()))
        return candidates

    def _word_postings(self, word: str) -> set[int] | frozenset[int]:
        """The names with a word at most one edit from `word`. Kept for common words, least
        recently used dropped first once they hold `CACHE_LIMIT` ids in all."""
        sets = self._sets
        cached = sets.pop(word, None)
        if cached is not None:
            sets[word] = cached  # now the most recently used
            return cached
        postings = self._postings
        found: set[int] = set()
        for key in _word_keys(word):
            posting = postings.get(key)
            if posting:
                found.update(posting)
        if len(found) >= 64:
            sets[word] = frozenset(found)
            self._cached += len(found)
            while self._cached > CACHE_LIMIT:
                self._cached -= len(sets.pop(next(iter(sets))))
        return found

    def _score(
        self, parsed: ParsedName, candidates: Iterable[int], cutoff: float, exclude_below: int = -1
    ) -> list[tuple[int, float]]:
        indexes = [i for i in candidates if i > exclude_below]
        if not indexes:
            return []
        query = _sorted_words(parsed.normalised)
        if len(indexes) <= 8:  # a few candidates (the usual case): cheaper than process.extract
            ratio, names = fuzz.ratio, self._sorted
            scores = {i: score for i in indexes if (score := ratio(query, names[i], score_cutoff=cutoff))}
        else:
            choices = [self._sorted[i] for i in indexes]
            scores = {
                indexes[position]: score
                for _, score, position in process.extract(
                    query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                )
            }
        for i in self._compact.get(parsed.normalised.replace(" ", ""), ()):
            if i > exclude_below:
                scores[i] = 100.0
        form = parsed.legal_form
        results = []
        for i, score in scores.items():
            other = self.legal_forms[i]
            if form and other and other != form:
                score -= LEGAL_FORM_PENALTY
            if score >= cutoff:
                results.append((i, round(score, 1)))
        return results

    def lookup(self, name: str, limit: int = 5, cutoff: float = 88) -> list[tuple[Hashable, float, str]]:
        """The most similar names: (id, score 0–100, normalised name), best first."""
        parsed = parse_name(name)
        if not parsed.normalised:
            return []
        results = self._score(parsed, self._candidates(parsed.normalised), cutoff)
        results.sort(key=lambda r: (-r[1], r[0]))
        return [(self.ids[i], score, self.normalised[i]) for i, score in results[:limit]]

    def pairs(self, cutoff: float = 92) -> Iterator[tuple[Hashable, Hashable, float]]:
        """Likely duplicates within the index: (id, id, score), each pair once, in index order."""
        for i, normalised in enumerate(self.normalised):
            if not normalised:
                continue
            parsed = ParsedName(normalised, (self.legal_forms[i],) if self.legal_forms[i] else ())
            for j, score in sorted(self._score(parsed, self._candidates(normalised), cutoff, exclude_below=i)):
                yield self.ids[i], self.ids[j], score

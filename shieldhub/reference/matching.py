"""Find catalogue items in free-text goods descriptions (English, French, Spanish).

`GoodsMatcher` is built once from the catalogue (`from_catalogue()` reads the active items;
the constructor takes plain dicts, so a worker can build or unpickle it without a query) and
then answers `match(text)` with the evidence it found:

* **names and synonyms** in any of the three languages, compared token by token on folded text
  (lower case, no accents, punctuation as separators, French elisions and a few articles and
  prepositions ignored: "nitrate d'ammonium" = "nitrate de ammonium"). Tokens are canonicalised
  the same way on both sides: a plural `-s`/`-x` is dropped and, in words of six letters or more,
  a final vowel, so that EN/FR/ES cognates and plurals meet ("nitrate", "nitrato", "nitrates";
  "detonador", "detonadores"). An unknown word of six letters or more that is one edit away from
  exactly one catalogue word is read as a misspelling ("amonium"), except for chemical words that
  differ by design ("nitrite" is not "nitrate", "chlorite" is not "chlorate").
* **formulas** with digits, with or without subscripts or spaces between ions ("NH4NO3",
  "NH₄NO₃", "NH4 NO3"); a bare element symbol ("Al") is not evidence.
* **CAS numbers** with hyphens anywhere, and without hyphens after the word "CAS"; the check
  digit must be right.
* **UN numbers** after "UN" ("UN1942", "UN No. 2014").
* **HS codes** after a tariff keyword (HS, SH, NC, HTS, tariff, partida arancelaria, position
  tarifaire, code...) or written with a dot ("3102.30"), at 6 to 10 digits (the first six must be
  an item's HS code) or at 4 digits (weak: every item of the heading, unless the heading has no
  subheadings, like 2847.00).

The scan is one pass over the tokens through a trie of token ids (leftmost-longest, so
"calcium ammonium nitrate" is calcium ammonium nitrate and not ammonium nitrate), plus one
regular expression for the numbers: no per-item loop. Two-letter acronyms and acronyms that are
common words ("AN", "HP", "NM", "CAN") count only in upper case and followed by a grade
("AN 34.4% N", "HP 50%"). Decoy phrases (`DECOY_PHRASES`: "benzoyl peroxide", "urea
formaldehyde", "Norway saltpetre", "piezo igniter"...) win over the catalogue term they contain.
A term directly preceded by "without"/"sans"/"sin" or followed by "free" ("acetone-free") is not
reported; other negations are out of scope.

Each `Match` has a confidence; `item_scores()` combines the evidence per item and
`item_codes(text, min_confidence=0.5)` is what screening uses. `evaluate()` computes precision
and recall over a labelled set (see `tests/reference/data/goods_descriptions.csv` and the
`matcher_eval` command).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz.distance import OSA

from shieldhub.reference.validators import cas_is_valid

NAME = "name"
SYNONYM = "synonym"
FORMULA = "formula"
CAS = "cas"
HS = "hs"
UN = "un"
KINDS = (NAME, SYNONYM, FORMULA, CAS, HS, UN)

# Confidence of each kind of evidence (one occurrence). Screening counts an item from 0.5.
DEFAULT_MIN_CONFIDENCE = 0.5
CONF_NAME = 1.0
CONF_SYNONYM = 0.95  # a synonym of two words or more
CONF_SYNONYM_WORD = 0.85  # a one-word synonym ("peroxide", "detonator", "saltpetre")
CONF_FORMULA = 0.9
CONF_CAS = 1.0
CONF_UN = 0.7
CONF_UN_SHARED = 0.4  # a UN number that several items share (2067: AN and CAN fertilisers)
CONF_HS = 0.6  # 6+ digits after a tariff keyword, one item
CONF_HS_DOTTED = 0.5  # "3102.30" without a keyword
CONF_HS_SHARED = 0.4  # an ex-code that several items share (2829.90)
CONF_HS_HEADING = 0.2  # 4 digits: any item of the heading
CONF_ACRONYM = 0.6  # "AN 34.4% N"
FUZZY_FACTOR = 0.8  # a term read through a misspelling

# Phrases that contain a catalogue term but name other goods; they win over the term they contain
# (leftmost-longest). Folded like the descriptions, so accents and case do not matter.
DECOY_PHRASES: tuple[str, ...] = (
    # organic and metal peroxides are not hydrogen peroxide
    "benzoyl peroxide",
    "dibenzoyl peroxide",
    "methyl ethyl ketone peroxide",
    "mek peroxide",
    "dicumyl peroxide",
    "lauroyl peroxide",
    "cumene hydroperoxide",
    "sodium peroxide",
    "calcium peroxide",
    "magnesium peroxide",
    "barium peroxide",
    "zinc peroxide",
    "strontium peroxide",
    "lithium peroxide",
    "carbamide peroxide",
    "urea peroxide",
    "urea hydrogen peroxide",
    "peroxyde de benzoyle",
    "peroxyde de sodium",
    "peroxyde de calcium",
    "peroxyde de baryum",
    "peroxyde d'urée",
    "peróxido de benzoilo",
    "peróxido de sodio",
    "peróxido de calcio",
    "peróxido de urea",
    # urea resins
    "urea formaldehyde",
    "urea-formaldehyde resin",
    "urea resin",
    "urée-formol",
    "urée formaldéhyde",
    "résine urée",
    "urea formaldehído",
    "resina de urea",
    # acetone derivatives
    "acetone cyanohydrin",
    "cyanhydrine d'acétone",
    "acetona cianhidrina",
    # calcium nitrate's old names
    "Norway saltpetre",
    "Norway saltpeter",
    "Norwegian saltpetre",
    "Norwegian saltpeter",
    "lime saltpetre",
    "lime saltpeter",
    "salpêtre de Norvège",
    "salitre de Noruega",
    # gas and cigarette lighters, paint and DNA primers
    "gas igniter",
    "piezo igniter",
    "piezoelectric igniter",
    "stove igniter",
    "BBQ igniter",
    "barbecue igniter",
    "oven igniter",
    "boiler igniter",
    "encendedor desechable",
    "encendedor de gas",
    "encendedor de cigarrillos",
    "encendedor para cigarrillos",
    "encendedor piezoeléctrico",
    "encendedor de cocina",
    "allumeur de gaz",
    "allumeur piézo",
    "allumeur piézoélectrique",
    "paint primer",
    "primer paint",
    "wall primer",
    "wood primer",
    "metal primer",
    "primer coat",
    "primer sealer",
    "PCR primer",
    "DNA primer",
    # detection equipment
    "explosives detector",
    "explosive detector",
    "explosives trace detector",
    "explosive trace detector",
    "explosives detection",
    "explosive detection",
)

# Words one edit away from a catalogue word that name a different chemical: never "corrected".
CONTRAST_WORDS = frozenset(
    {
        "nitrite",
        "nitrites",
        "nitrito",
        "nitritos",
        "nitride",
        "nitrides",
        "chlorite",
        "chlorites",
        "clorito",
        "cloritos",
        "chloride",
        "chlorides",
        "chlorure",
        "chlorures",
        "perchlorite",
        "hypochlorite",
        "nitrato",
        "sulfate",
        "sulphate",
        "sulfite",
        "nitrous",
        "nitroethane",
        "nitroetano",
        "nitroéthane",
        "nitropropane",
        "nitrate",
        "chlorate",
        "ammonia",
        "ammoniac",
        "amoniaco",
        "acetate",
        "acetato",
        "detonation",
        "explosion",
        "primer",
    }
)

# Old trivial names read as the element they stand for: "nitrate of soda" is "nitrate de sodium".
WORD_EQUIVALENTS = {
    "soda": "sodium",
    "soude": "sodium",
    "potash": "potassium",
    "potasse": "potassium",
    "potasa": "potassium",
}

# Ignored on both sides: French elisions, articles, prepositions.
STOP_WORDS = frozenset({"of", "the", "a", "de", "d", "du", "des", "la", "le", "les", "l", "del", "el", "en"})
# A term right after one of these is not reported ("sans acétone", "without peroxide").
NEGATORS = frozenset({"without", "sans", "sin"})
# A term right after one of these is a purpose, not the goods ("pour explosifs"): its confidence is halved.
PURPOSE_WORDS = frozenset({"for", "pour", "para"})
PURPOSE_FACTOR = 0.5
# A term that qualifies other goods is halved the same way: before "grade" or a head noun in English
# ("explosive grade", "drone batteries"), after "grado"/"qualité"/"calidad" ("grado explosivo").
QUALIFIED_BEFORE = frozenset({"grado", "qualite", "calidad"})
QUALIFIED_AFTER = frozenset(
    {"grade", "quality", "part", "parts", "spares", "accessory", "accessories", "battery", "batteries"}
    | {"charger", "chargers", "propeller", "propellers", "detector", "detectors", "detection", "tester", "testers"}
    | {"sensor", "sensors"}
)
# Three-letter acronyms that are also common words: treated like two-letter ones.
COMMON_SHORT_WORDS = frozenset(
    {"can", "car", "cat", "con", "par", "per", "pot", "sin", "sol", "sal", "set", "gas", "ion", "ram", "pan", "tan"}
)

_UN_GLUED = re.compile(r"\bun\d")
_DIGIT = re.compile(r"\d")
_SPLIT_FORMULA = re.compile(r"(?<=\d)(?=[a-z])")
_PLAIN_FORMULA = re.compile(r"^[A-Za-z0-9]+$")
# What may follow a short acronym for it to count: a grade or concentration ("AN 34.4% N", "HP 50%").
_ACRONYM_GRADE = re.compile(r"[\s\-:)]*\d{1,2}(?:[.,]\d{1,2})?\s*(?:[%+),;(]|n\b|$)", re.IGNORECASE)

_HS_KEYWORDS = (
    r"hs|h\.s|hscode|sh|nc|cn|hts|htsus|ncm|taric|tariff|tarif|tarifaire|arancelaria|partida|"
    r"heading|subheading|code|codigo|commodity"
)
_NUMBERS = re.compile(
    r"(?P<cas>(?<![\d\-.,/])\d{2,7}-\d\d-\d(?![\d\-]))"
    r"|(?:\bcas\b[^\d\n]{0,12}?(?P<casnum>\d{5,10})(?![\d\-]))"
    r"|(?:\bun[\s\-#:.]*(?:no\b\.?|nr\b\.?|n°|nº|number\b)?[\s\-#:.]*(?P<un>\d{4})(?![\d.,]\d|\d))"
    rf"|(?:\b(?:{_HS_KEYWORDS})\b[^\d\n]{{0,24}}?(?P<hs>\d{{4}}(?:[. ]?\d\d){{0,3}})(?!\d))"
    r"|(?P<hsdot>(?<![\d.,])\d{4}\.\d\d(?:\.\d\d){0,2}(?![\d,]|\.\d))"
)
_NON_DIGIT = re.compile(r"\D")
# Words after which a number may be a CAS, UN or HS number (otherwise only "6484-52-2" and "3102.30" are read).
_CODE_WORDS = frozenset(
    {"cas", "un", "hs", "hscode", "sh", "nc", "cn", "hts", "htsus", "ncm", "taric", "tariff", "tarif", "tarifaire"}
    | {"arancelaria", "partida", "heading", "subheading", "code", "codigo", "commodity"}
)
_CODES = re.compile(
    r"(?P<cas>(?<![\d\-.,/])\d{2,7}-\d\d-\d(?![\d\-]))|(?P<hsdot>(?<![\d.,])\d{4}\.\d\d(?:\.\d\d){0,2}(?![\d,]|\.\d))"
)

_CONCENTRATION = re.compile(
    r"(?<![\d.,])(?P<value>\d{1,3}(?:[.,]\d{1,3})?)\s*"
    r"(?:(?P<pct>%|percent\b|per\s?cent\b|pct\b|pour\s?cent\b|por\s?ciento\b)\s*"
    r"(?P<basis>w/w|wt\.?|m/m|p/p|v/v|w/v|p/v|by\s+weight|by\s+volume|en\s+poids|en\s+masse|en\s+peso|"
    r"en\s+volumen|en\s+volume|n\b)?"
    r"|(?P<vol>vol\b\.?|vols\b|volumes?\b|volumenes\b))"
)
_BASIS = {
    "w/w": "w/w",
    "wt": "w/w",
    "wt.": "w/w",
    "m/m": "w/w",
    "p/p": "w/w",
    "by weight": "w/w",
    "en poids": "w/w",
    "en masse": "w/w",
    "en peso": "w/w",
    "v/v": "v/v",
    "by volume": "v/v",
    "en volumen": "v/v",
    "en volume": "v/v",
    "w/v": "w/v",
    "p/v": "w/v",
    "n": "N",
}
_CONC_STOP = re.compile(r"[;|\n]")

# Token ids: >= 0 a catalogue word, then these markers.
_NO_WORD = -1
_STOP = -2
_UNSEEN = -3
_END = "$"  # key of a trie node's terminal entries (word ids are ints)
_TOKEN_CACHE_LIMIT = 200_000


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class _FoldTable(dict[int, str]):
    """`str.translate` table folding one character at a time, filled on first use."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


def fold_with_offsets(text: str, table: _FoldTable | None = None) -> tuple[str, list[int] | None]:
    """The text folded (lower case, accents and subscripts decomposed) and, when its length changed
    ("ß" → "ss"), the offset in `text` of each folded character (None when offsets are the same)."""
    if text.isascii():
        return text.lower(), None
    table = _SHARED_FOLD if table is None else table
    folded = text.translate(table)
    if len(folded) == len(text):
        return folded, None
    offsets: list[int] = []
    parts: list[str] = []
    for index, ch in enumerate(text):
        piece = table[ord(ch)]
        parts.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(parts), offsets


_SHARED_FOLD = _FoldTable()


class _SeparatorTable(dict[int, str]):
    """`str.translate` table turning everything but letters and digits into spaces."""

    def __missing__(self, key: int) -> str:
        ch = chr(key)
        value = ch if ch.isalnum() else " "
        self[key] = value
        return value


_SEPARATORS = _SeparatorTable()
_ASCII_SEPARATORS = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + b" " * 128


def _spaced(folded: str) -> str:
    """Everything but letters and digits turned into spaces (bytes.translate for ASCII: faster)."""
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    return folded.translate(_SEPARATORS)


def tokenise(folded: str) -> list[str]:
    """The words and numbers of a folded text: "nh4no3", "6484", "52", "2"."""
    return _spaced(folded).split()


def _token_spans(folded: str, tokens: list[str]) -> list[tuple[int, int]]:
    spaced = _spaced(folded)
    spans = []
    pos = 0
    for token in tokens:
        start = spaced.index(token, pos)
        pos = start + len(token)
        spans.append((start, pos))
    return spans


def canonical_word(token: str) -> str:
    """The form both sides are compared in, so that EN/FR/ES cognates and plurals meet: "ph" → "f",
    "th" → "t", "y" → "i", a plural -s/-x dropped, then the final vowel of a word of six letters or
    more (nitrate/nitrato/nitrates, hydrogen/hydrogène/hidrógeno, peroxide/peroxyde/peróxido)."""
    if not token.isalpha():
        return token
    token = token.replace("ph", "f").replace("th", "t").replace("y", "i")
    if len(token) >= 4 and token[-1] in "sx" and token[-2] not in "su" and not token.endswith("is"):
        token = token[:-1]
    if len(token) >= 6 and token[-1] in "aeo":
        token = token[:-1]
    return token


@dataclass(frozen=True, slots=True)
class Concentration:
    value: Decimal
    basis: str  # "" (unspecified %), "w/w", "v/v", "w/v", "N" (nitrogen content), "vol" (H2O2 volumes)
    text: str

    @property
    def is_percent(self) -> bool:
        return self.basis != "vol"


def extract_concentration(text: str) -> Concentration | None:
    """The first concentration written in `text`: "50%", "33,5 % N", "35 % w/w", "10 volumes"."""
    folded, offsets = fold_with_offsets(text or "")
    return _first_concentration(text or "", folded, offsets, 0, len(folded))


def _first_concentration(
    text: str, folded: str, offsets: list[int] | None, pos: int, endpos: int
) -> Concentration | None:
    for m in _CONCENTRATION.finditer(folded, pos, endpos):
        value = Decimal(m.group("value").replace(",", "."))
        start, end = _original_span(offsets, m.start(), m.end())
        written = text[start:end].strip()
        if m.group("vol"):
            if value <= 200:
                return Concentration(value=value, basis="vol", text=written)
            continue
        if value > 100:
            continue
        basis = _BASIS.get(re.sub(r"\s+", " ", (m.group("basis") or "").strip()), "")
        return Concentration(value=value, basis=basis, text=written)
    return None


def _original_span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A span of the folded text as a span of the original one."""
    if offsets is None:
        return start, end
    return offsets[start], offsets[end] if end < len(offsets) else offsets[-1]


class Match(NamedTuple):
    code: str
    kind: str  # name, synonym, formula, cas, hs, un
    term: str  # as written in the description
    start: int
    end: int
    confidence: float
    fuzzy: bool = False
    concentration: Concentration | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    kind: str
    confidence: float
    acronym: bool = False  # a short acronym: only in upper case and followed by a grade


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


_ITEM_FIELDS: tuple[str, ...] = ("code", "name_en", "name_fr", "formula", "cas", "un_numbers", "hs_codes")
_ITEM_FIELDS += ("synonyms_en", "synonyms_fr", "synonyms_es", "is_active")


def _item_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, Mapping):
        return dict(item)
    return {f: getattr(item, f) for f in _ITEM_FIELDS}


@dataclass
class LanguageFigures:
    descriptions: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    overall: LanguageFigures = field(default_factory=LanguageFigures)
    by_language: dict[str, LanguageFigures] = field(default_factory=dict)
    # (description, language, expected, found) for every description with an error
    errors: list[tuple[str, str, frozenset[str], frozenset[str]]] = field(default_factory=list)


class GoodsMatcher:
    """Finds catalogue items in goods descriptions. Build once, share: it holds plain data only."""

    def __init__(self, items: Iterable[Mapping[str, Any]], *, decoys: Iterable[str] = DECOY_PHRASES) -> None:
        self._fold = _FoldTable()
        self._equivalents = {canonical_word(k): canonical_word(v) for k, v in WORD_EQUIVALENTS.items()}
        self._contrast = frozenset(canonical_word(w) for w in CONTRAST_WORDS)
        self._vocab: dict[str, int] = {}  # canonical word -> id
        self._root: dict[Any, Any] = {}
        self._starts: set[int] = set()
        self._cas: dict[str, list[str]] = {}
        self._un: dict[str, list[str]] = {}
        self._hs6: dict[str, list[str]] = {}
        self._hs4: dict[str, list[str]] = {}
        self._hs4_exact: dict[str, list[str]] = {}  # headings without subheadings (dddd00)
        self.codes: list[str] = []
        terms: list[tuple[str, _Entry]] = []
        for raw in items:
            item = _item_dict(raw)
            if not item.get("is_active", True):
                continue
            code = str(item["code"])
            self.codes.append(code)
            terms.extend(self._item_terms(code, item))
            cas = str(item.get("cas") or "").strip()
            if cas:
                self._cas.setdefault(cas, []).append(code)
            for un in _as_list(item.get("un_numbers")):
                self._un.setdefault(un.zfill(4), []).append(code)
            for hs in _as_list(item.get("hs_codes")):
                hs = _NON_DIGIT.sub("", hs)
                if len(hs) < 6:
                    continue
                self._add_unique(self._hs6, hs[:6], code)
                self._add_unique(self._hs4, hs[:4], code)
                if hs[4:6] == "00":
                    self._add_unique(self._hs4_exact, hs[:4], code)
        for phrase, entry in terms:
            self._add_phrase(phrase, entry)
        for decoy in decoys:
            self._add_phrase(decoy, None)
        # Fuzzy lookup: every catalogue word of six letters or more, under itself and each one-letter deletion.
        self._deletes: dict[str, set[str]] = {}
        for word in self._vocab:
            if len(word) >= 5 and word.isalpha():
                for key in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}:
                    self._deletes.setdefault(key, set()).add(word)
        self._base_tokens: dict[str, int] = {w: _STOP for w in STOP_WORDS}
        self._tokens: dict[str, int] = dict(self._base_tokens)
        self._fuzzy_tokens: set[str] = set()

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_catalogue(cls, items: Iterable[Any] | None = None, **kwargs: Any) -> GoodsMatcher:
        """From catalogue items (default: the active items in the database)."""
        if items is None:
            from shieldhub.reference.models import CatalogueItem

            items = CatalogueItem.objects.filter(is_active=True).order_by("pk")
        return cls([_item_dict(item) for item in items], **kwargs)

    @classmethod
    def from_reference_file(cls, base: Path | None = None, **kwargs: Any) -> GoodsMatcher:
        """From `precursors.csv` in the reference folder, without the database."""
        from django.conf import settings

        from shieldhub.reference.loader import read_catalogue

        rows = read_catalogue(Path(base or settings.REFERENCE_DIR))
        return cls([{"code": code, **row} for code, row in rows.items()], **kwargs)

    @staticmethod
    def _add_unique(index: dict[str, list[str]], key: str, code: str) -> None:
        codes = index.setdefault(key, [])
        if code not in codes:
            codes.append(code)

    def _item_terms(self, code: str, item: Mapping[str, Any]) -> list[tuple[str, _Entry]]:
        terms: list[tuple[str, _Entry]] = []
        formula = str(item.get("formula") or "").strip()
        formula_key = tokenise(fold_with_offsets(formula)[0]) if formula else []
        for name in (item.get("name_en"), item.get("name_fr")):
            if name and str(name).strip():
                terms.append((str(name), _Entry(code, NAME, CONF_NAME)))
        for key in ("synonyms_en", "synonyms_fr", "synonyms_es"):
            for synonym in _as_list(item.get(key)):
                tokens = tokenise(fold_with_offsets(synonym)[0])
                if formula_key and tokens == formula_key:
                    continue  # the formula, added below
                if _DIGIT.search(synonym) and _PLAIN_FORMULA.match(synonym) and not synonym.isdigit():
                    terms.extend(
                        (variant, _Entry(code, FORMULA, CONF_FORMULA)) for variant in _formula_variants(synonym)
                    )
                    continue
                word = len(tokens) == 1
                acronym = word and synonym.isalpha() and (len(synonym) <= 2 or synonym.casefold() in COMMON_SHORT_WORDS)
                if acronym:
                    terms.append((synonym, _Entry(code, SYNONYM, CONF_ACRONYM, acronym=True)))
                else:
                    terms.append((synonym, _Entry(code, SYNONYM, CONF_SYNONYM_WORD if word else CONF_SYNONYM)))
        if formula and _DIGIT.search(formula):  # "Al" alone is not evidence
            terms.extend((variant, _Entry(code, FORMULA, CONF_FORMULA)) for variant in _formula_variants(formula))
        return terms

    def _key(self, word: str) -> str:
        key = canonical_word(word)
        return self._equivalents.get(key, key)

    def _word_id(self, word: str) -> int:
        key = self._key(word)
        if key not in self._vocab:
            self._vocab[key] = len(self._vocab)
        return self._vocab[key]

    def _add_phrase(self, phrase: str, entry: _Entry | None) -> None:
        tokens = [t for t in tokenise(fold_with_offsets(phrase)[0]) if t not in STOP_WORDS]
        if not tokens:
            return
        ids = [self._word_id(t) for t in tokens]
        node = self._root
        for word_id in ids:
            node = node.setdefault(word_id, {})
        entries: list[_Entry | None] = node.setdefault(_END, [])
        if entry is None:
            entries.insert(0, None)  # a decoy: wins over anything stored on the same phrase
        elif not any(e is not None and e.code == entry.code and e.confidence >= entry.confidence for e in entries):
            entries[:] = [e for e in entries if e is None or e.code != entry.code]
            entries.append(entry)
        if entry is not None:
            self._starts.add(ids[0])

    # --- token resolution -------------------------------------------------------------------

    def _resolve(self, token: str) -> int:
        """The catalogue word a description token stands for, or _NO_WORD. Cached."""
        result = _NO_WORD
        key = self._key(token)
        found = self._vocab.get(key)
        if found is not None:
            result = found
        elif len(key) >= 6 and key.isalpha() and key not in self._contrast:
            word = self._fuzzy(key)
            if word is not None:
                result = self._vocab[word]
                self._fuzzy_tokens.add(token)
        if len(self._tokens) >= _TOKEN_CACHE_LIMIT:
            self._tokens = dict(self._base_tokens)
        self._tokens[token] = result
        return result

    def _fuzzy(self, key: str) -> str | None:
        candidates: set[str] = set()
        for variant in {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}:
            candidates.update(self._deletes.get(variant, ()))
        hits = {w for w in candidates if w[0] == key[0] and len(w) >= 5 and OSA.distance(key, w, score_cutoff=1) <= 1}
        return hits.pop() if len(hits) == 1 else None

    # --- matching ---------------------------------------------------------------------------

    def match(self, text: str) -> list[Match]:
        """Every piece of evidence found in `text`, in reading order."""
        if not text:
            return []
        folded, offsets = fold_with_offsets(text, self._fold)
        tokens = _spaced(folded).split()
        cache = self._tokens
        ids = [cache.get(t, _UNSEEN) for t in tokens]
        if _UNSEEN in ids:
            ids = [self._resolve(t) if v == _UNSEEN else v for t, v in zip(tokens, ids, strict=True)]
        found: list[Match] = []
        if not self._starts.isdisjoint(ids):
            self._scan_words(text, folded, offsets, tokens, ids, found)
        if not _CODE_WORDS.isdisjoint(tokens) or ("un" in folded and _UN_GLUED.search(folded)):
            self._scan_numbers(_NUMBERS, text, folded, offsets, found)
        elif _code_like(tokens):
            self._scan_numbers(_CODES, text, folded, offsets, found)
        if len(found) > 1:
            found.sort(key=lambda m: (m.start, -m.confidence))
        return found

    def match_many(self, texts: Iterable[str]) -> Iterator[list[Match]]:
        """`match` over many descriptions, in order."""
        match = self.match
        for text in texts:
            yield match(text)

    def item_scores(self, text: str) -> dict[str, float]:
        """The confidence per item: the best evidence of each kind, combined (1 − ∏(1 − c))."""
        best: dict[str, dict[str, float]] = {}
        for m in self.match(text):
            kinds = best.setdefault(m.code, {})
            if m.confidence > kinds.get(m.kind, 0.0):
                kinds[m.kind] = m.confidence
        scores: dict[str, float] = {}
        for code, kinds in best.items():
            remaining = 1.0
            for confidence in kinds.values():
                remaining *= 1.0 - confidence
            scores[code] = round(1.0 - remaining, 4)
        return scores

    def item_codes(self, text: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> set[str]:
        """The items found in `text` with at least `min_confidence`."""
        return {code for code, score in self.item_scores(text).items() if score >= min_confidence}

    def _scan_words(
        self,
        text: str,
        folded: str,
        offsets: list[int] | None,
        tokens: list[str],
        ids: list[int],
        found: list[Match],
    ) -> None:
        # Positions of the tokens that count (stop words skipped): phrases run across them.
        positions = [k for k, v in enumerate(ids) if v != _STOP]
        seq = [ids[k] for k in positions]
        root = self._root
        spans: list[tuple[int, int]] | None = None
        n = len(seq)
        i = 0
        while i < n:
            node = root.get(seq[i])
            if node is None:
                i += 1
                continue
            best: tuple[int, list[_Entry | None]] | None = None
            j = i
            while True:
                entries = node.get(_END)
                if entries is not None:
                    best = (j, entries)
                j += 1
                if j >= n:
                    break
                node = node.get(seq[j])
                if node is None:
                    break
            if best is None:
                i += 1
                continue
            last, entries = best
            first_token, last_token = positions[i], positions[last]
            i = last + 1
            if entries[0] is None:
                continue  # a decoy phrase
            before = self._word_before(tokens, ids, first_token)
            if before in NEGATORS:
                continue
            if last_token + 1 < len(tokens) and tokens[last_token + 1] == "free":
                continue  # "acetone-free"
            after = tokens[last_token + 1] if last_token + 1 < len(tokens) else ""
            qualifies = before in QUALIFIED_BEFORE or after in QUALIFIED_AFTER
            factor = PURPOSE_FACTOR if before in PURPOSE_WORDS or qualifies else 1.0
            if spans is None:
                spans = _token_spans(folded, tokens)
            start, end = spans[first_token][0], spans[last_token][1]
            ostart, oend = _original_span(offsets, start, end)
            term = text[ostart:oend]
            fuzzy = any(tokens[k] in self._fuzzy_tokens for k in range(first_token, last_token + 1))
            if fuzzy:
                factor *= FUZZY_FACTOR
            concentration: Concentration | None = None
            for entry in entries:
                if entry is None:
                    continue
                if entry.acronym and not (term.isupper() and _ACRONYM_GRADE.match(text, oend)):
                    continue
                if concentration is None:
                    concentration = self._concentration_near(text, folded, offsets, start, end)
                confidence = round(entry.confidence * factor, 4)
                found.append(Match(entry.code, entry.kind, term, ostart, oend, confidence, fuzzy, concentration))

    @staticmethod
    def _word_before(tokens: list[str], ids: list[int], first: int) -> str:
        k = first - 1
        while k >= 0 and ids[k] == _STOP:
            k -= 1
        return tokens[k] if k >= 0 else ""

    @staticmethod
    def _concentration_near(
        text: str, folded: str, offsets: list[int] | None, start: int, end: int
    ) -> Concentration | None:
        """The concentration written just after the term ("H2O2 35%"), or just before ("50% H2O2")."""
        endpos = min(len(folded), end + 48)
        stop = _CONC_STOP.search(folded, end, endpos)
        found = _first_concentration(text, folded, offsets, end, stop.start() if stop else endpos)
        if found is not None:
            return found
        pos = max(0, start - 16)
        for stop in _CONC_STOP.finditer(folded, pos, start):
            pos = stop.end()
        return _first_concentration(text, folded, offsets, pos, start)

    def _scan_numbers(
        self, pattern: re.Pattern[str], text: str, folded: str, offsets: list[int] | None, found: list[Match]
    ) -> None:
        for m in pattern.finditer(folded):
            group = m.lastgroup
            if group == "cas" or group == "casnum":
                value = m.group(group)
                if group == "casnum":
                    value = f"{value[:-3]}-{value[-3:-1]}-{value[-1]}"
                if not cas_is_valid(value):
                    continue
                for code in self._cas.get(value, ()):
                    self._add_number(text, offsets, m.span(group), code, CAS, CONF_CAS, found)
            elif group == "un":
                codes = self._un.get(m.group("un"), [])
                confidence = CONF_UN if len(codes) == 1 else CONF_UN_SHARED
                for code in codes:
                    self._add_number(text, offsets, m.span(), code, UN, confidence, found)
            elif group == "hs" or group == "hsdot":
                digits = _NON_DIGIT.sub("", m.group(group))
                if len(digits) % 2:
                    continue
                if len(digits) >= 6:
                    codes = self._hs6.get(digits[:6], [])
                    confidence = CONF_HS if group == "hs" else CONF_HS_DOTTED
                    if len(codes) > 1:
                        confidence = CONF_HS_SHARED
                elif group == "hs":
                    codes = self._hs4_exact.get(digits, [])
                    if len(codes) == 1:
                        confidence = CONF_HS
                    else:
                        codes = self._hs4.get(digits, [])
                        confidence = CONF_HS_HEADING
                else:
                    continue
                for code in codes:
                    self._add_number(text, offsets, m.span(group), code, HS, confidence, found)

    def _add_number(
        self,
        text: str,
        offsets: list[int] | None,
        span: tuple[int, int],
        code: str,
        kind: str,
        confidence: float,
        found: list[Match],
    ) -> None:
        start, end = _original_span(offsets, *span)
        found.append(Match(code, kind, text[start:end], start, end, confidence))

    # --- evaluation -------------------------------------------------------------------------

    def evaluate(
        self, rows: Iterable[tuple[str, str, Iterable[str]]], *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
    ) -> Evaluation:
        """Precision and recall over (description, language, expected codes) rows, per language."""
        result = Evaluation()
        for description, language, expected_codes in rows:
            expected = frozenset(expected_codes)
            got = frozenset(self.item_codes(description, min_confidence=min_confidence))
            figures = result.by_language.setdefault(language, LanguageFigures())
            for target in (figures, result.overall):
                target.descriptions += 1
                target.tp += len(expected & got)
                target.fp += len(got - expected)
                target.fn += len(expected - got)
            if expected != got:
                result.errors.append((description, language, expected, got))
        return result


def _code_like(tokens: list[str]) -> bool:
    """Whether two numbers follow each other as in a CAS number or a dotted HS code (6484-52-2, 3102.30)."""
    previous = ""
    for token in tokens:
        if len(token) == 2 and token.isdigit() and 2 <= len(previous) <= 7 and previous.isdigit():
            return True
        previous = token
    return False


def _formula_variants(formula: str) -> list[str]:
    """'NH4NO3' → ['NH4NO3', 'nh4 no3']: also split between a digit and the next ion."""
    folded = fold_with_offsets(formula)[0]
    variants = [folded]
    if _PLAIN_FORMULA.match(formula):
        spaced = _SPLIT_FORMULA.sub(" ", folded)
        if spaced != folded:
            variants.append(spaced)
    return variants


def read_labelled(path: Path) -> list[tuple[str, str, list[str]]]:
    """Rows of a labelled CSV (description, language, expected codes separated by ';')."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["description"], row["language"], [c.strip() for c in row["expected"].split(";") if c.strip()])
            for row in csv.DictReader(handle)
        ]


__all__: Sequence[str] = (
    "DECOY_PHRASES",
    "Concentration",
    "Evaluation",
    "GoodsMatcher",
    "LanguageFigures",
    "Match",
    "canonical_word",
    "extract_concentration",
    "read_labelled",
)

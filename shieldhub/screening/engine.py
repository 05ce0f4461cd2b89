"""The screening engine: plain data in, scores with reasons out, no database access.

`Declaration` is the neutral form of one declared consignment (a line of a customs declarations
file, a shipment of the shipments app, an ad-hoc JSON declaration). `Context` holds what the rules
compare with, built once (`shieldhub.screening.context.build_context` reads it from the database):
the active rules, the `GoodsMatcher`, the entity watch list as a `NameIndex`, the country watch
list, the consignee history and the earlier objections per consignee.

`Screener` works on a stream: `feed(declarations)` scores each declaration on the row-level
rules and returns the results that reach a score; it also remembers, per consignee, which
catalogue items it receives, so that `finish()` can add the precursor-combination reason (a
combination is judged per consignee over the whole file) to every declaration concerned. Costly
look-ups are cached per distinct value: files repeat the same descriptions and company names, so
the matcher and the name index run once per distinct text. `screen()` is the simple form for a
few declarations.

Rule kinds are code (`RULE_KINDS`); their weight, explanation and parameters are data
(`ScreeningRule` rows, given to the engine as `Rule`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shieldhub.core.names import NameIndex, normalise_name
from shieldhub.reference.matching import GoodsMatcher
from shieldhub.reference.units import Dimension, UnknownUnit, normalise_unit

FIRST_SHIPMENT = "first_shipment"
WATCH_COUNTRY = "watch_country"
QUANTITY_ABOVE_HISTORY = "quantity_above_history"
HS_MISMATCH = "hs_mismatch"
ENTITY_WATCH = "entity_watch"
PRECURSOR_COMBINATION = "precursor_combination"
EARLIER_OBJECTIONS = "earlier_objections"
RULE_KINDS = (
    FIRST_SHIPMENT,
    WATCH_COUNTRY,
    QUANTITY_ABOVE_HISTORY,
    HS_MISMATCH,
    ENTITY_WATCH,
    PRECURSOR_COMBINATION,
    EARLIER_OBJECTIONS,
)

# Parameters of each kind and their defaults (a rule's JSON overrides them).
DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {
    FIRST_SHIPMENT: {"catalogue_goods_only": True},
    WATCH_COUNTRY: {},
    QUANTITY_ABOVE_HISTORY: {"ratio": 3.0, "min_kg": 100.0},
    HS_MISMATCH: {},
    ENTITY_WATCH: {"cutoff": 90.0, "parties": ["consignee", "consignor"]},
    PRECURSOR_COMBINATION: {},
    EARLIER_OBJECTIONS: {"min_count": 1},
}

# Oxidiser + fuel combinations typical of improvised explosives, in catalogue codes. A consignee
# receiving at least one item of each group of a combination (in one file) is flagged. Sugar and
# glycerine are not in the catalogue: the combinations use what it holds.
COMBINATIONS: tuple[tuple[str, str, tuple[frozenset[str], ...]], ...] = (
    (
        "an-al",
        "ammonium nitrate + aluminium powder",
        (frozenset({"ammonium-nitrate", "calcium-ammonium-nitrate"}), frozenset({"aluminium-powder"})),
    ),
    (
        "an-nm",
        "ammonium nitrate + nitromethane",
        (frozenset({"ammonium-nitrate", "calcium-ammonium-nitrate"}), frozenset({"nitromethane"})),
    ),
    (
        "chlorate-al",
        "chlorate or perchlorate + aluminium powder",
        (
            frozenset({"sodium-chlorate", "potassium-chlorate", "potassium-perchlorate", "ammonium-perchlorate"}),
            frozenset({"aluminium-powder"}),
        ),
    ),
    ("tatp", "hydrogen peroxide + acetone (TATP)", (frozenset({"hydrogen-peroxide"}), frozenset({"acetone"}))),
    ("nitric-urea", "nitric acid + urea (urea nitrate)", (frozenset({"nitric-acid"}), frozenset({"urea"}))),
    (
        "nitrate-detonator",
        "nitrate oxidiser + detonators",
        (
            frozenset({"ammonium-nitrate", "calcium-ammonium-nitrate", "potassium-nitrate", "sodium-nitrate"}),
            frozenset({"electric-detonators", "detonating-caps", "detonating-cords", "safety-fuses"}),
        ),
    ),
)

_NAME_CACHE_LIMIT = 400_000
_TEXT_CACHE_LIMIT = 400_000


@dataclass(slots=True)
class Declaration:
    """One declared consignment, whatever its source. Countries are ISO alpha-2, `kg` is filled
    from quantity and unit by `with_kg` (None for pieces or an unknown unit)."""

    ref: str = ""
    line: int = 0
    date: dt.date | None = None
    consignor: str = ""
    consignee: str = ""
    origin: str = ""
    destination: str = ""
    route: tuple[str, ...] = ()
    hs_code: str = ""
    description: str = ""
    quantity: float | None = None
    unit: str = ""
    kg: float | None = None
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # the rule's kind
    weight: int
    explanation: str
    evidence: str


@dataclass(slots=True)
class Result:
    declaration: Declaration
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)
    items: frozenset[str] = frozenset()

    def add(self, reason: Reason) -> None:
        self.reasons.append(reason)
        self.score += reason.weight

    @property
    def rule_codes(self) -> list[str]:
        return [r.rule for r in self.reasons]


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    weight: int
    explanation: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def param(self, name: str) -> Any:
        return self.parameters.get(name, DEFAULT_PARAMETERS.get(self.kind, {}).get(name))


@dataclass(slots=True)
class ItemHistory:
    count: int
    max_kg: float
    mean_kg: float


@dataclass
class Context:
    rules: Sequence[Rule]
    matcher: GoodsMatcher
    item_hs: Mapping[str, frozenset[str]] = field(default_factory=dict)  # catalogue code -> HS6 codes
    item_names: Mapping[str, str] = field(default_factory=dict)
    item_density: Mapping[str, float] = field(default_factory=dict)
    entities: NameIndex | None = None
    entity_info: Mapping[Any, tuple[str, str, str]] = field(default_factory=dict)  # id -> (name, country, reason)
    watch_countries: Mapping[str, str] = field(default_factory=dict)  # ISO2 -> reason
    known_consignees: frozenset[str] | set[str] = frozenset()  # normalised names with an earlier shipment
    history: Mapping[tuple[str, str], ItemHistory] = field(default_factory=dict)  # (consignee, item)
    objections: Mapping[str, int] = field(default_factory=dict)  # normalised consignee -> count
    min_score: int = 1

    def rule(self, kind: str) -> Rule | None:
        for rule in self.rules:
            if rule.kind == kind:
                return rule
        return None


def unit_kg_factor(unit: str) -> tuple[float | None, bool]:
    """(kg per unit, is_volume) — for a volume, litres per unit; (None, False) for pieces or an unknown unit."""
    try:
        parsed = normalise_unit(unit or "kg")
    except UnknownUnit:
        return None, False
    if parsed.dimension == Dimension.COUNT:
        return None, False
    return float(parsed.factor), parsed.dimension == Dimension.VOLUME


class Screener:
    """Scores declarations one stream at a time (see the module's docstring)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.rules = {rule.kind: rule for rule in context.rules}
        # the parameters, read once (not per declaration)
        self._param: dict[str, Any] = {}
        casts: tuple[tuple[str, str, Any, Any], ...] = (
            (FIRST_SHIPMENT, "catalogue_goods_only", bool, True),
            (QUANTITY_ABOVE_HISTORY, "min_kg", float, 0.0),
            (QUANTITY_ABOVE_HISTORY, "ratio", float, 3.0),
            (ENTITY_WATCH, "cutoff", float, 90.0),
            (ENTITY_WATCH, "parties", list, ["consignee", "consignor"]),
            (EARLIER_OBJECTIONS, "min_count", int, 1),
        )
        for kind, name, cast, default in casts:
            rule = self.rules.get(kind)
            value = rule.param(name) if rule else None
            try:
                self._param[name] = cast(value) if value not in (None, "") else default
            except (TypeError, ValueError):
                self._param[name] = default
        self._items: dict[str, frozenset[str]] = {}
        self._names: dict[str, str] = {}
        self._entity_hits: dict[str, list[tuple[Any, float]]] = {}
        self._units: dict[str, tuple[float | None, bool]] = {}
        self._country_sets: dict[tuple[str, ...], list[str]] = {}
        # per consignee: the catalogue items received and the declarations that carry them
        self._received: dict[str, set[str]] = {}
        self._carriers: dict[str, list[Result]] = {}
        self.seen = 0
        # (consignee, item or "") -> [count, total kg, max kg], when asked for (`tally=True`)
        self.tally: dict[tuple[str, str], list[float]] | None = None

    # --- cached look-ups ------------------------------------------------------------------

    def items_of(self, description: str) -> frozenset[str]:
        cache = self._items
        found = cache.get(description)
        if found is None:
            if len(cache) >= _TEXT_CACHE_LIMIT:
                cache.clear()
            found = frozenset(self.context.matcher.item_codes(description)) if description else frozenset()
            cache[description] = found
        return found

    def normalised(self, name: str) -> str:
        cache = self._names
        found = cache.get(name)
        if found is None:
            if len(cache) >= _NAME_CACHE_LIMIT:
                cache.clear()
            found = normalise_name(name) if name else ""
            cache[name] = found
        return found

    def entity_hits(self, name: str, cutoff: float) -> list[tuple[Any, float]]:
        index = self.context.entities
        if index is None or not len(index) or not name:
            return []
        cache = self._entity_hits
        found = cache.get(name)
        if found is None:
            if len(cache) >= _NAME_CACHE_LIMIT:
                cache.clear()
            found = [(ident, score) for ident, score, _ in index.lookup(name, limit=3, cutoff=cutoff)]
            cache[name] = found
        return found

    def kg_of(self, declaration: Declaration, items: frozenset[str]) -> float | None:
        if declaration.kg is not None:
            return declaration.kg
        if declaration.quantity is None:
            return None
        unit = self._units.get(declaration.unit)
        if unit is None:
            unit = self._units[declaration.unit] = unit_kg_factor(declaration.unit)
        factor, is_volume = unit
        if factor is None:
            return None
        if not is_volume:
            return declaration.quantity * factor
        densities = [self.context.item_density[c] for c in items if c in self.context.item_density]
        return declaration.quantity * factor * densities[0] if densities else None

    # --- scoring --------------------------------------------------------------------------

    def score(self, d: Declaration) -> Result:
        ctx = self.context
        rules = self.rules
        items = self.items_of(d.description)
        kg = self.kg_of(d, items)
        d.kg = kg
        result = Result(d, items=items)
        consignee = self.normalised(d.consignee)

        rule = rules.get(FIRST_SHIPMENT)
        if (
            rule
            and consignee
            and consignee not in ctx.known_consignees
            and (items or not self._param["catalogue_goods_only"])
        ):
            result.add(Reason(rule.kind, rule.weight, rule.explanation, "no earlier shipment to this consignee"))

        rule = rules.get(WATCH_COUNTRY)
        if rule and ctx.watch_countries:
            key = (d.origin, d.destination, *d.route)
            listed = self._country_sets.get(key)
            if listed is None:
                listed = sorted({c for c in key if c and c in ctx.watch_countries})
                self._country_sets[key] = listed
            if listed:
                evidence = "; ".join(f"{c}: {ctx.watch_countries[c]}" if ctx.watch_countries[c] else c for c in listed)
                result.add(Reason(rule.kind, rule.weight, rule.explanation, evidence))

        rule = rules.get(QUANTITY_ABOVE_HISTORY)
        if rule and items and kg is not None and consignee and kg >= self._param["min_kg"]:
            ratio = self._param["ratio"]
            for code in sorted(items):
                past = ctx.history.get((consignee, code))
                if past and past.mean_kg > 0 and kg > ratio * past.mean_kg:
                    evidence = (
                        f"{code}: {kg:,.0f} kg against {past.mean_kg:,.0f} kg on average "
                        f"(max {past.max_kg:,.0f} kg, {past.count} earlier)"
                    )
                    result.add(Reason(rule.kind, rule.weight, rule.explanation, evidence))
                    break

        rule = rules.get(HS_MISMATCH)
        if rule and items and d.hs_code:
            hs6 = "".join(ch for ch in d.hs_code if ch.isdigit())[:6]
            if len(hs6) == 6:
                expected = set().union(*(ctx.item_hs.get(code, frozenset()) for code in items))
                if expected and hs6 not in expected:
                    evidence = (
                        f"HS {hs6} declared; the description reads as {', '.join(sorted(items))} "
                        f"(HS {', '.join(sorted(expected))})"
                    )
                    result.add(Reason(rule.kind, rule.weight, rule.explanation, evidence))

        rule = rules.get(ENTITY_WATCH)
        if rule and ctx.entities is not None:
            cutoff = self._param["cutoff"]
            parties = self._param["parties"]
            found: list[str] = []
            for role in parties:
                name = d.consignee if role == "consignee" else d.consignor if role == "consignor" else ""
                for ident, score in self.entity_hits(name, cutoff):
                    listed_name, country, why = ctx.entity_info.get(ident, (str(ident), "", ""))
                    text = f"{role} “{name}” ~ “{listed_name}”{f' ({country})' if country else ''} {score:.0f}%"
                    found.append(f"{text}: {why}" if why else text)
            if found:
                result.add(Reason(rule.kind, rule.weight, rule.explanation, "; ".join(found)))

        rule = rules.get(EARLIER_OBJECTIONS)
        if rule and consignee:
            count = ctx.objections.get(consignee, 0)
            if count >= self._param["min_count"]:
                result.add(Reason(rule.kind, rule.weight, rule.explanation, f"{count} earlier objection(s)"))

        tally = self.tally
        if tally is not None and consignee:
            for key in ((consignee, ""), *((consignee, code) for code in items)):
                counted = tally.get(key)
                if counted is None:
                    counted = tally[key] = [0, 0.0, 0.0]
                counted[0] += 1
                if kg:
                    counted[1] += kg
                    if kg > counted[2]:
                        counted[2] = kg

        if items and consignee and PRECURSOR_COMBINATION in rules:
            self._received.setdefault(consignee, set()).update(items)
            self._carriers.setdefault(consignee, []).append(result)
        return result

    def feed(self, declarations: Iterable[Declaration]) -> list[Result]:
        """Score each declaration; the results at or above the context's minimum score."""
        flagged = []
        min_score = max(self.context.min_score, 1)
        score = self.score
        for declaration in declarations:
            self.seen += 1
            result = score(declaration)
            if result.score >= min_score:
                flagged.append(result)
        return flagged

    def carriers(self) -> list[Result]:
        """The results of the declarations with catalogue goods (kept for `finish`)."""
        return [r for results in self._carriers.values() for r in results]

    def adopt(self, results: Iterable[Result]) -> None:
        """Take over another screener's carriers (a worker's), for `finish` to judge combinations
        across all of them."""
        for result in results:
            consignee = self.normalised(result.declaration.consignee)
            if result.items and consignee:
                self._received.setdefault(consignee, set()).update(result.items)
                self._carriers.setdefault(consignee, []).append(result)

    def finish(self) -> list[Result]:
        """The combination reasons, added to the declarations concerned; returns those results
        (each once; a result already returned by `feed` is returned again with the new reason)."""
        rule = self.rules.get(PRECURSOR_COMBINATION)
        if rule is None:
            return []
        changed: dict[int, Result] = {}
        for consignee, received in self._received.items():
            for _code, label, groups in COMBINATIONS:
                if not all(received & group for group in groups):
                    continue
                members = frozenset().union(*groups)
                present = sorted(received & members)
                evidence = f"{label}: {', '.join(present)} to the same consignee"
                for result in self._carriers[consignee]:
                    if result.items & members and not any(
                        r.rule == rule.kind and r.evidence == evidence for r in result.reasons
                    ):
                        result.add(Reason(rule.kind, rule.weight, rule.explanation, evidence))
                        changed[id(result)] = result
        self._received.clear()
        self._carriers.clear()
        return list(changed.values())


def screen(declarations: Iterable[Declaration], context: Context) -> Iterator[Result]:
    """Every declaration's result (score 0 included), in order, the combinations included. Holds
    the results in memory: for a few declarations (a shipment, an API call). Files go through
    `Screener.feed`/`finish`, which keep only the flagged ones."""
    screener = Screener(context)
    results = [screener.score(d) for d in declarations]
    screener.finish()
    yield from results

"""Matcher benchmark: goods descriptions against the catalogue, company names against a 50,000-name index.

    uv run python bench/bench_matching.py [--descriptions 1000000] [--names 50000] [--lookups 1000000]

No database: the catalogue is read from `precursors.csv` (what `load-reference` loads). Single process.

* **goods** — generates customs-style descriptions (EN/FR/ES: ordinary goods with quantities,
  packaging, marks and sometimes an HS code; `--hit-rate` of them, 10% by default, are taken from
  the labelled set in `tests/reference/data/goods_descriptions.csv` with noise added) and streams
  them through `GoodsMatcher.match_many`: total seconds, descriptions per second, µs each, and how
  many had an item with confidence >= 0.5.
* **names** — builds a `NameIndex` of generated company names (many countries' legal forms, shared
  industry words), then looks up names: 30% are existing names rewritten (case, punctuation, legal
  form spelled differently, a typo, words swapped), 70% are new names. Reports µs per lookup, the
  share of rewritten names whose original comes first, and `pairs()` over the whole index.

Peak memory is the process's maximum resident set size (`ru_maxrss`), measured after each part;
`tracemalloc` gives the size of the built matcher and index. Times are given as wall-clock and as
this process's CPU time (less sensitive to other work on the machine), with the load average and a
calibration loop to compare machines. Prints one JSON object. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

LABELLED = ROOT / "tests" / "reference" / "data" / "goods_descriptions.csv"

GOODS = {
    "en": [
        "cotton t-shirts",
        "men's leather shoes",
        "frozen shrimp",
        "mobile phones",
        "used tyres",
        "rice long grain",
        "stainless steel pipes",
        "solar panels 450 w",
        "tractor spare parts",
        "ceramic floor tiles",
        "refined sugar",
        "portland cement",
        "printing paper a4",
        "detergent powder",
        "laptop computers",
        "led lamps",
        "plastic buckets",
        "wooden furniture",
        "canned tomatoes",
        "palm oil",
        "sodium chloride",
        "potassium chloride",
        "calcium nitrate",
        "ammonium sulphate",
        "npk fertilizer 15-15-15",
        "aluminium foil",
        "electrical fuses",
        "gas lighters",
        "paint primer",
        "baseball caps",
        "hair dye",
        "nail polish remover",
        "car batteries",
        "office chairs",
        "medical gloves",
        "bicycle parts",
        "motor oil",
        "glass bottles",
        "polyethylene granules",
        "copper wire",
    ],
    "fr": [
        "vêtements en coton",
        "chaussures en cuir",
        "crevettes congelées",
        "téléphones portables",
        "pneus d'occasion",
        "riz long",
        "tubes en acier inoxydable",
        "panneaux solaires",
        "pièces détachées pour tracteurs",
        "carreaux de céramique",
        "sucre raffiné",
        "ciment gris",
        "papier d'impression",
        "lessive en poudre",
        "ordinateurs portables",
        "chlorure de sodium",
        "nitrate de calcium",
        "sulfate d'ammonium",
        "engrais npk",
        "papier aluminium",
        "fusibles électriques",
        "briquets jetables",
        "peinture primaire",
        "huile de palme",
        "meubles en bois",
    ],
    "es": [
        "camisetas de algodón",
        "zapatos de cuero",
        "camarones congelados",
        "teléfonos móviles",
        "neumáticos usados",
        "arroz blanco",
        "tubos de acero inoxidable",
        "paneles solares",
        "repuestos para tractores",
        "baldosas de cerámica",
        "azúcar refinada",
        "cemento portland",
        "papel de impresión",
        "detergente en polvo",
        "computadoras portátiles",
        "cloruro de sodio",
        "nitrato de calcio",
        "sulfato de amonio",
        "fertilizante npk",
        "papel de aluminio",
        "fusibles eléctricos",
        "encendedores desechables",
        "aceite de palma",
        "muebles de madera",
        "guantes médicos",
    ],
}
PACKING = ["in cartons", "25 kg bags", "on pallets", "en cartons", "en sacs de 50 kg", "en cajas", "in bulk", "x 20 ft"]
SYLLABLES = ["ka", "ri", "to", "na", "me", "lo", "sa", "vi", "ro", "de", "mi", "ta", "bo", "ne", "su", "la", "ga"]
SYLLABLES += ["pe", "zo", "fu", "ki", "ma", "ho", "ru", "ze", "ni", "co", "ba"]
INDUSTRY = ["chemicals", "chemical", "trading", "industries", "industrial", "fertilizers", "fertilisers", "agro"]
INDUSTRY += ["logistics", "import", "export", "international", "global", "general", "mining", "explosives", "group"]
INDUSTRY += ["holdings", "engineering", "pharma", "plastics", "metals", "minerals", "petroleum", "energy"]
INDUSTRY += ["supplies", "solutions", "enterprises", "distribution", "kimya", "quimica", "chimie", "engrais"]
INDUSTRY += ["abonos", "minera", "societe", "generale", "compagnie"]
LEGAL = [
    "Ltd",
    "Limited",
    "LLC",
    "Inc",
    "Corp",
    "Co., Ltd.",
    "PLC",
    "GmbH",
    "AG",
    "GmbH & Co. KG",
    "SARL",
    "S.A.",
    "SA",
    "SAS",
    "S.p.A.",
    "S.r.l.",
    "B.V.",
    "N.V.",
    "Pty Ltd",
    "Pvt. Ltd.",
    "Sdn. Bhd.",
    "S.A. de C.V.",
    "Ltda.",
    "JSC",
    "A/S",
    "AB",
    "Oy",
    "Sp. z o.o.",
    "s.r.o.",
    "FZE",
    "",
]
PREFIX = ["PT", "OOO", "JSC", ""]


def calibration_ms() -> float:
    """CPU milliseconds of `sum(range(1_000_000))`, best of five: to compare runs and machines."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        sum(range(1_000_000))
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def labelled_descriptions() -> list[str]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [row["description"] for row in csv.DictReader(handle) if row["expected"]]


def descriptions(count: int, hit_rate: float, seed: int) -> Iterator[str]:
    rnd = random.Random(seed)
    hits = labelled_descriptions()
    languages = list(GOODS)
    for n in range(count):
        quantity = f"{rnd.randint(1, 5000)} {rnd.choice(['KG', 'PCS', 'CTNS', 'L', 'MT', 'kg', 'unités', 'unidades'])}"
        if rnd.random() < hit_rate:
            core = rnd.choice(hits)
        else:
            goods = GOODS[rnd.choice(languages)]
            core = rnd.choice(goods)
            if rnd.random() < 0.3:
                core = f"{core}, {rnd.choice(goods)}"
            if rnd.random() < 0.5:
                core = core.upper()
        extra = rnd.random()
        if extra < 0.1:
            tail = f" HS {rnd.randint(1000, 9999)}.{rnd.randint(10, 99)}"
        elif extra < 0.2:
            tail = f" INV-{rnd.randint(10000, 99999)}"
        elif extra < 0.3:
            tail = f" MARKS: {rnd.choice(SYLLABLES).upper()}{n % 997}"
        else:
            tail = ""
        yield f"{core} {quantity} {rnd.choice(PACKING)}{tail}"


def company_name(rnd: random.Random) -> str:
    words = []
    for _ in range(rnd.choice([1, 1, 2, 2, 3])):
        words.append("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).capitalize())
    for _ in range(rnd.choice([0, 1, 1, 2])):
        words.append(rnd.choice(INDUSTRY).capitalize())
    name = " ".join(words)
    prefix = rnd.choice(PREFIX) if rnd.random() < 0.1 else ""
    legal = rnd.choice(LEGAL)
    return " ".join(p for p in (prefix, name, legal) if p)


SPELLINGS = {"Ltd": "Limited", "Limited": "LTD.", "S.A.": "SA", "SA": "S.A.", "GmbH": "G.m.b.H.", "Inc": "Incorporated"}


def rewrite(name: str, rnd: random.Random) -> str:
    """The same company written differently: case, punctuation, legal form spelling, a typo, word order."""
    words = name.split()
    change = rnd.random()
    if change < 0.25:
        return name.upper().replace(" ", "-", 1)
    if change < 0.45:
        return " ".join(SPELLINGS.get(w, w) for w in words) + ("" if words[-1] in SPELLINGS else " Ltd")
    if change < 0.75:
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        if len(word) > 4:
            at = rnd.randint(1, len(word) - 2)
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # swap two letters
        words[longest] = word
        return " ".join(words)
    if len(words) > 2:
        words[0], words[1] = words[1], words[0]
    return ".".join(words) if rnd.random() < 0.2 else " ".join(words)


def timed(function: Callable[[], Any]) -> tuple[Any, float, float]:
    """The result, the wall-clock seconds and the CPU seconds of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def traced_kb(build: Callable[[], Any]) -> float:
    """What `build()` keeps allocated, in KiB (tracemalloc slows it down: timed separately)."""
    gc.collect()
    tracemalloc.start()
    built = build()
    size = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()
    del built
    gc.collect()
    return size


def bench_goods(count: int, hit_rate: float, seed: int) -> dict[str, Any]:
    from shieldhub.reference.matching import GoodsMatcher

    matcher_kb = traced_kb(GoodsMatcher.from_reference_file)
    matcher, build_s, _ = timed(GoodsMatcher.from_reference_file)
    # Generating the text costs time too: measure it alone, then generation + matching.
    _, generate_s, generate_cpu = timed(lambda: sum(1 for _ in descriptions(count, hit_rate, seed)))
    matched = 0

    def run() -> None:
        nonlocal matched
        for found in matcher.match_many(descriptions(count, hit_rate, seed)):
            if any(m.confidence >= 0.5 for m in found):
                matched += 1

    _, total_s, total_cpu = timed(run)
    match_s, match_cpu = total_s - generate_s, total_cpu - generate_cpu
    return {
        "descriptions": count,
        "hit_rate": hit_rate,
        "build_ms": round(build_s * 1000, 1),
        "matcher_kb": round(matcher_kb),
        "generate_s": round(generate_s, 2),
        "match_s": round(match_s, 2),
        "match_cpu_s": round(match_cpu, 2),
        "per_second": round(count / match_s),
        "us_each": round(match_s / count * 1e6, 2),
        "cpu_us_each": round(match_cpu / count * 1e6, 2),
        "with_item": matched,
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_names(size: int, lookups: int, seed: int) -> dict[str, Any]:
    from shieldhub.core.names import NameIndex

    rnd = random.Random(seed)
    names = [company_name(rnd) for _ in range(size)]
    index_mb = traced_kb(lambda: NameIndex(enumerate(names))) / 1024
    index, build_s, _ = timed(lambda: NameIndex(enumerate(names)))
    queries: list[tuple[int | None, str]] = []
    for _ in range(min(lookups, 200_000)):
        if rnd.random() < 0.3:
            target = rnd.randrange(size)
            queries.append((target, rewrite(names[target], rnd)))
        else:
            queries.append((None, company_name(rnd)))
    found_first = rewritten = found_any = suggested = 0

    def run() -> None:
        nonlocal found_first, rewritten, found_any, suggested
        lookup = index.lookup
        for n in range(lookups):
            target, query = queries[n % len(queries)]
            results = lookup(query, limit=5, cutoff=88)
            if target is None:
                suggested += bool(results)
                continue
            rewritten += 1
            ids = [r[0] for r in results]
            if target in ids:
                found_any += 1
                found_first += results[ids.index(target)][1] == results[0][1]  # first, or tied for first

    _, lookup_s, lookup_cpu = timed(run)
    pairs, pairs_s, pairs_cpu = timed(lambda: sum(1 for _ in index.pairs(cutoff=92)))
    return {
        "names": size,
        "build_s": round(build_s, 2),
        "index_mb": round(index_mb, 1),
        "lookups": lookups,
        "lookup_s": round(lookup_s, 2),
        "lookup_cpu_s": round(lookup_cpu, 2),
        "us_per_lookup": round(lookup_s / lookups * 1e6, 2),
        "cpu_us_per_lookup": round(lookup_cpu / lookups * 1e6, 2),
        "rewritten_found_in_top5": round(found_any / rewritten, 4) if rewritten else None,
        "rewritten_found_first": round(found_first / rewritten, 4) if rewritten else None,
        "new_names_with_a_suggestion": round(suggested / (lookups - rewritten), 4) if lookups > rewritten else None,
        "pairs_s": round(pairs_s, 2),
        "pairs_cpu_s": round(pairs_cpu, 2),
        "pairs_at_92": pairs,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--descriptions", type=int, default=1_000_000)
    parser.add_argument("--hit-rate", type=float, default=0.1)
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", choices=["goods", "names"], default=None)
    args = parser.parse_args()

    import django

    django.setup()
    gc.freeze()
    result: dict[str, Any] = {
        "python": sys.version.split()[0],
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "calibration_ms": calibration_ms(),
        "rss_at_start_mb": peak_rss_mb(),
    }
    if args.skip != "goods":
        result["goods"] = bench_goods(args.descriptions, args.hit_rate, args.seed)
    if args.skip != "names":
        result["names"] = bench_names(args.names, args.lookups, args.seed)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

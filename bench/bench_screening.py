"""Screening benchmark: a 1,000,000-row declarations file against the catalogue and a 50,000-entity
watch list, end to end (file → hits in the database), as the background task runs it.

    uv run python bench/bench_screening.py [--rows 1000000] [--entities 50000] [--keep DIR]

Sets Django up on a fresh SQLite database in a temporary data directory (or DATABASE_URL if set),
migrates, loads the reference catalogue, writes the watch list (bulk), generates a realistic CSV
(companies and descriptions repeat with a long tail: ~30,000 consignees drawn with a Zipf-like
law, a few hundred common descriptions in EN/FR/ES, ~10 % catalogue goods, ~8 % one-off
descriptions carrying an invoice number, routes through ~40 countries), then times
`services.run_create` + `services.run_process`. Prints one JSON object with the wall time of each
step, rows per second, hits, the peak RSS (resource.getrusage, self and children, each on its own)
and the *combined* peak of the whole process tree (this process and its forked workers), sampled
every 0.1 s from /proc: the sum of RSS (counts pages shared after the fork twice, an upper bound)
and the sum of PSS (/proc/<pid>/smaps_rollup: shared pages split between the processes sharing
them, the memory the tree really holds).
Not a test: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PRECURSOR_DESCRIPTIONS = [
    ("Ammonium nitrate 34.4% N prilled", "310230"),
    ("Nitrate d'ammonium 33,5 % N en big bags", "310230"),
    ("Nitrato de amonio grado fertilizante", "310230"),
    ("Urea 46% N granular", "310210"),
    ("Urée agricole 46 %", "310210"),
    ("Calcium ammonium nitrate 27% N", "310240"),
    ("Hydrogen peroxide 35% technical", "284700"),
    ("Peroxyde d'hydrogène 50 %", "284700"),
    ("Acetone 99.5% industrial", "291411"),
    ("Aluminium powder 325 mesh", "760310"),
    ("Potassium nitrate fertiliser grade", "283421"),
    ("Nitric acid 68%", "280800"),
    ("Sodium chlorate crystals", "282911"),
    ("Potassium chlorate", "282919"),
    ("Electric detonators", "360300"),
    ("Safety fuse", "360300"),
    ("Nitromethane 99%", "290420"),
    ("Fertiliser NPK 15-15-15", "310520"),  # declared under an AN code below sometimes
]
GENERAL = [
    ("Cotton T-shirts", "610910"), ("Men's leather shoes", "640399"), ("Frozen fish fillets", "030489"),
    ("Mobile phones", "851713"), ("Laptop computers", "847130"), ("Spare parts for trucks", "870899"),
    ("Tyres for cars", "401110"), ("Rice, long grain", "100630"), ("Wheat flour", "110100"),
    ("Cement Portland", "252329"), ("Steel bars", "721420"), ("Plastic buckets", "392490"),
    ("Medicaments in packs", "300490"), ("Paint, acrylic", "320910"), ("Sugar, refined", "170199"),
    ("Palm oil refined", "151190"), ("Solar panels", "854143"), ("Used clothing", "630900"),
    ("Toys, plastic", "950300"), ("Furniture, wooden", "940360"), ("Detergent powder", "340220"),
    ("Tomato paste", "200290"), ("Cooking pots aluminium", "761510"), ("Bicycles", "871200"),
    ("Chaussures de sport", "640411"), ("Riz blanchi", "100630"), ("Pièces détachées automobiles", "870899"),
    ("Tejidos de algodón", "520811"), ("Aceite de girasol", "151219"), ("Motos", "871120"),
]  # fmt: skip
COUNTRIES = ["FR", "DE", "IN", "CN", "AE", "TR", "KE", "UG", "TZ", "NG", "GH", "SN", "ML", "NE", "BF", "CI",
             "MA", "DZ", "TN", "EG", "SA", "PK", "AF", "IR", "IQ", "SY", "LB", "JO", "BE", "NL", "ES", "IT",
             "GB", "US", "BR", "MX", "CO", "PH", "ID", "TH"]  # fmt: skip
SUFFIXES = ["Ltd", "LLC", "SARL", "SA", "GmbH", "Trading Co", "Pvt Ltd", "FZE", "Inc", "Sdn Bhd"]
WORDS = ["Green", "Star", "Global", "Sahel", "Atlas", "Nile", "Delta", "Sun", "Royal", "United", "Golden",
         "Blue", "Prime", "Alpha", "Omega", "Horizon", "Ocean", "Eagle", "Lion", "Cedar", "Falcon", "Summit",
         "Agro", "Chem", "Farm", "Tech", "Logistics", "Import", "Export", "Supplies", "Industries", "Mining"]  # fmt: skip


SYLLABLES = ["ka", "ri", "to", "ma", "ne", "lu", "sa", "bo", "di", "ge", "fa", "mi", "ro", "ta", "vi", "zu",
             "an", "el", "or", "ku", "pe", "sh", "da", "ny", "ol", "ba", "te", "yo", "ha", "ji"]  # fmt: skip


def _word(r: random.Random) -> str:
    return "".join(r.choice(SYLLABLES) for _ in range(r.randint(3, 4))).capitalize()


@functools.lru_cache(maxsize=200_000)
def company(rng: random.Random, n: int, kind: str = "trade") -> str:
    """A made-up company name, the same for the same (n, kind): a coined word or two, a common word, a form."""
    r = random.Random(f"{kind}-{n}")
    words = [_word(r), _word(r)] + ([_word(r)] if r.random() < 0.3 else []) + [r.choice(WORDS)]
    return f"{' '.join(words)} {r.choice(SUFFIXES)}"


def variant(rng: random.Random, name: str) -> str:
    """How a declarant might write a listed name: case, punctuation, a legal form spelt out, a typo."""
    roll = rng.random()
    if roll < 0.3:
        return name.upper().replace(" LTD", " LIMITED")
    if roll < 0.6:
        i = rng.randrange(1, max(len(name) - 1, 2))
        return name[:i] + name[i + 1 :]
    return name.replace(" ", "-", 1)


def generate(path: Path, rows: int, entities: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    consignees = 30_000
    consignors = 8_000
    # a Zipf-like draw: a few companies import a lot, most rarely
    weights = [1 / (i + 1) ** 0.9 for i in range(consignees)]
    cons_pool = rng.choices(range(consignees), weights=weights, k=200_000)
    routes = ["", "", "", "AE", "TR", "AE TR", "SA", "MA", "SY", "EG", "PK", "NL", "BE"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["Declaration number", "Date", "Exporter", "Consignee", "Country of origin",
                         "Destination", "Transit", "HS code", "Description of goods", "Net mass", "Unit",
                         "Customs value"])  # fmt: skip
        for i in range(rows):
            roll = rng.random()
            if roll < 0.10:
                description, hs = rng.choice(PRECURSOR_DESCRIPTIONS)
                if rng.random() < 0.1:
                    hs = "310230" if hs != "310230" else "310210"
            else:
                description, hs = rng.choice(GENERAL)
            if rng.random() < 0.08:
                description = f"{description} invoice {rng.randrange(10**7)}"
            consignee = company(rng, cons_pool[i % len(cons_pool)])
            consignor = company(rng, rng.randrange(consignors), "exporter")
            if rng.random() < 0.002:  # a listed entity, as a declarant might write it
                consignee = variant(rng, company(rng, rng.randrange(entities), "listed"))
            origin = rng.choice(COUNTRIES)
            qty = round(rng.lognormvariate(6, 1.5), 1)
            unit = rng.choice(["kg", "kg", "kg", "t", "KGS"])
            writer.writerow([f"D{i:08d}", f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", consignor, consignee, origin,
                             "FR", rng.choice(routes), hs, description, qty, unit,
                             round(qty * rng.uniform(0.5, 5), 2)])  # fmt: skip


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "children_mb": round(children, 1)}


def _tree_pids(root: int) -> list[int]:
    """root and its descendants, from /proc/<pid>/task/<tid>/children."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return pids


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemorySampler:
    """Samples the combined RSS and PSS of this process and its children in a thread."""

    def __init__(self, interval: float = 0.1) -> None:
        import threading

        self.interval = interval
        self.peak_rss_kb = self.peak_pss_kb = self.max_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        root = os.getpid()
        while not self._stop.is_set():
            pids = _tree_pids(root)
            rss = sum(_kb(f"/proc/{pid}/status", "VmRSS:") for pid in pids)
            pss = sum(_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in pids)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.max_processes = max(self.max_processes, len(pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, float]:
        return {
            "combined_rss_mb": round(self.peak_rss_kb / 1024, 1),
            "combined_pss_mb": round(self.peak_pss_kb / 1024, 1),
            "max_processes": self.max_processes,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=50_000)
    parser.add_argument("--keep", help="data directory to use (default: a temporary one)")
    args = parser.parse_args()

    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="bench-screening-"))
    os.environ.setdefault("SHIELDHUB_ENV", "dev")
    os.environ["SHIELDHUB_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    figures: dict[str, object] = {"rows": args.rows, "entities": args.entities, "cpus": os.cpu_count(),
                                  "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from shieldhub.reference.loader import sync_reference

    sync_reference()
    figures["setup_s"] = round(time.perf_counter() - t, 1)

    from shieldhub.accounts.models import RoleGrant, User
    from shieldhub.core.names import normalise_name
    from shieldhub.screening import services
    from shieldhub.screening.models import ScreeningHit, WatchListCountry, WatchListEntity

    user, _ = User.objects.get_or_create(email="bench.ncp@bench.example", defaults={"country": "FR"})
    RoleGrant.objects.get_or_create(user=user, role="ncp")
    user.__dict__.pop("roles", None)

    t = time.perf_counter()
    rng = random.Random(11)
    rows = [["Name", "Country", "Reason", "Source"]]
    for n in range(args.entities):
        rows.append([company(rng, n, "listed"), rng.choice(COUNTRIES), "bench", "bench"])
    data = "\n".join(";".join(r) for r in rows).encode()
    WatchListEntity.objects.all().delete()
    analyst, _ = User.objects.get_or_create(email="bench.analyst@bench.example")
    RoleGrant.objects.get_or_create(user=analyst, role="analyst")
    analyst.__dict__.pop("roles", None)
    services.watch_entities_upload(actor=analyst, file_name="entities.csv", data=data, replace=True)
    WatchListCountry.objects.get_or_create(country="SY", defaults={"reason": "bench"})
    figures["watch_list_load_s"] = round(time.perf_counter() - t, 2)
    assert normalise_name  # imported for symmetry with the services

    csv_path = data_dir / "declarations.csv"
    t = time.perf_counter()
    if not csv_path.exists() or not args.keep:
        generate(csv_path, args.rows, args.entities)
    figures["generate_s"] = round(time.perf_counter() - t, 1)
    figures["file_mb"] = round(csv_path.stat().st_size / 1e6, 1)

    def chunks():
        with csv_path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk

    rss_before = peak_rss_mb()
    t = time.perf_counter()
    run = services.run_create(actor=user, file_name="declarations.csv", chunks=chunks(), min_score=25, enqueue=False)
    figures["upload_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    cpu_before = cpu_seconds()
    with TreeMemorySampler() as sampler:
        services.run_process(run_id=run.pk)
    elapsed = time.perf_counter() - t
    figures["screen_cpu_s"] = round(cpu_seconds() - cpu_before, 1)  # self + workers: compare with the wall time
    from shieldhub.core.models import AuditEntry

    finish = AuditEntry.objects.filter(action="screening.run_finish", object_id=str(run.pk)).first()
    figures["phases_s"] = (finish.extra or {}).get("seconds") if finish else None
    figures["workers"] = (finish.extra or {}).get("workers") if finish else None
    run.refresh_from_db()
    figures["screen_s"] = round(elapsed, 1)
    figures["end_to_end_s"] = round(elapsed + figures["upload_s"], 1)  # type: ignore[operator]
    figures["rows_per_s"] = round(run.processed_rows / elapsed)
    figures["status"] = run.status
    figures["flagged"] = run.flagged_count
    figures["hits_in_db"] = ScreeningHit.objects.filter(run=run).count()
    figures["peak_rss_before_run"] = rss_before
    figures["peak_rss"] = peak_rss_mb()
    figures["peak_combined_during_run"] = sampler.figures()  # target: <= 2 GB
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

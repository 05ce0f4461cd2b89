"""Exchange benchmark: inbox and search server times, and sending to the global community, at
300 users, 40 communities and 200,000 messages.

    createdb -h 127.0.0.1 -U postgres gsh_bench_exchange
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gsh_bench_exchange uv run python bench/bench_exchange.py

Sets Django up itself (SHIELDHUB_ENV=dev unless set), migrates, loads the reference data if
missing and seeds with `seed_exchange` until there are --messages bench messages, then times,
through Django's test client (middleware, view, queries and template: the server's whole work for
a request), each case --requests times as a user drawn at random among the generated ones:

* inbox: first page; unread only; one community of the user's; a later page;
* search (the inbox with `q`): one to three common words (a precursor, a port, a company, in English
  or French); a rare term (a container number); words found together in up to 20% of all
  messages (the worst case); common words with a kind filter; the API's `/search` by relevance;
* send: `services.message_send` of an alert to the global community (~300 recipients), as a
  coordinator; the email fan-out is only enqueued (django-tasks database backend). These messages
  are kept (--send-requests of them).

Prints one JSON object: p50/p95/max/mean in ms per case, with the share of time spent in SQL and
the slowest requests. --explain also prints PostgreSQL's plans for a few queries. --cold drops the
operating system's cache of the database's files before each page case (PostgreSQL on this machine,
run as root): the first requests of each case then read from disk, as after a restart or when other
work has pushed the exchange's tables out of memory. Not a test:
nothing here is collected by pytest, and CI does not run it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentiles, prepare_database

os.environ.setdefault("SHIELDHUB_ENV", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# What people search for: a precursor, a port, a company, a word of the trade, in either language,
# alone or combined (one to three words).
COMMON = [
    "nitrate",
    "peroxyde",
    "acétone",
    "seizure",
    "saisie",
    "Mombasa",
    "Dakar",
    "nitromethane Lagos",
    "ammonium nitrate Tema",
    "chlorate de potassium",
    "fertiliser",
    "urée engrais",
    "detonators",
    "hydrogen peroxide Antwerp",
    "Sahel Agro",
]
# The worst case: words that occur together in a large share of all messages (up to 20%), so that
# PostgreSQL underestimates them and every match must be fetched to count and sort them.
VERY_FREQUENT = [
    "ammonium nitrate",
    "nitrate d'ammonium",
    "container examined",
    '"controlled delivery"',
    "risk indicators cash",
    "chlorate OR perchlorate",
]


class SqlTimer:
    """Sums the time spent in SQL (connection.execute_wrapper) during a request."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def backend_cpu_ns() -> int | None:
    """CPU time used so far by this connection's PostgreSQL backend (from /proc when the server
    runs on this machine), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuTimer:
    """Server CPU time of one request: this process (Django) plus the PostgreSQL backend. Less
    sensitive than wall time to other work on a shared machine."""

    ms: float | None = None

    def __enter__(self) -> CpuTimer:
        self.process = time.process_time_ns()
        self.backend = backend_cpu_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        backend = backend_cpu_ns()
        if self.backend is not None and backend is not None:
            self.ms = (time.process_time_ns() - self.process + backend - self.backend) / 1e6


_HANDLER: list[Any] = []


def signed_in_client(user: Any) -> Any:
    """A test client signed in as `user`. All clients share one request handler: a new handler
    loads the middleware on its first request (WhiteNoise scans the static files: 100 ms in
    development), which is the test client's cost, not the server's."""
    from django.test import Client

    client = Client()
    if _HANDLER:
        client.handler = _HANDLER[0]
    else:
        _HANDLER.append(client.handler)
    client.force_login(user)
    session = client.session
    session["mfa_enrolled"] = True
    session.save()
    return client


def add_cpu(figures: dict[str, Any], cpu_samples: list[float]) -> None:
    if cpu_samples:
        cpu = percentiles(cpu_samples)
        figures["cpu_p50_ms"], figures["cpu_p95_ms"] = cpu["p50_ms"], cpu["p95_ms"]


def drop_os_cache() -> int | None:
    """--cold: drop the operating system's page cache of this database's files (and only those), so
    that the case starts from disk. Needs the server on this machine, a superuser connection (to
    read `data_directory`) and read access to its files; PostgreSQL's own shared buffers are left
    as they are (other databases and the previous case use them too). The number of files, or None
    when it cannot be done."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql" or not hasattr(os, "posix_fadvise"):
        return None
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                "SELECT current_setting('data_directory'), oid FROM pg_database WHERE datname = current_database()"
            )
        except DatabaseError:  # not a superuser
            return None
        data_directory, oid = cursor.fetchone()
    base = Path(data_directory) / "base" / str(oid)
    dropped = 0
    try:
        for path in base.iterdir():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                dropped += 1
            finally:
                os.close(fd)
    except OSError:
        return None
    return dropped


def run_case(
    name: str, make: Callable[[int], tuple[Any, str, dict[str, Any]]], requests: int, *, cold: bool = False
) -> dict[str, Any]:
    """`make(i)` returns (client, url, params); each request is timed on its own. `cold`: the
    operating system's cache of the database's files is dropped first (`drop_os_cache`)."""
    from django.db import connection

    dropped = drop_os_cache() if cold else None

    samples: list[float] = []
    cpu_samples: list[float] = []
    sql_share: list[float] = []
    queries: list[int] = []
    timed: list[tuple[float, dict[str, Any]]] = []
    for i in range(requests):
        client, url, params = make(i)
        timer = SqlTimer()
        with CpuTimer() as cpu, connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (name, response.status_code, params)
        samples.append(elapsed)
        if cpu.ms is not None:
            cpu_samples.append(cpu.ms)
        sql_share.append(timer.seconds * 1000 / elapsed)
        queries.append(timer.queries)
        timed.append((elapsed, params))
    figures = percentiles(samples)
    add_cpu(figures, cpu_samples)
    figures["sql_share_median"] = round(statistics.median(sql_share), 2)
    figures["queries_median"] = statistics.median(queries)
    figures["slowest"] = [{"ms": round(ms, 1), "params": p} for ms, p in sorted(timed, key=lambda t: -t[0])[:3]]
    if cold:
        figures["cold_files_dropped"] = dropped
    return figures


def bench_users(tag: str) -> list[Any]:
    from shieldhub.accounts.models import User

    return list(User.objects.filter(email__endswith=f".{tag}@bench.example", role_grants__role="ncp").order_by("pk"))


def time_pages(
    tag: str, requests: int, rng: random.Random, only: frozenset[str] = frozenset(), *, cold: bool = False
) -> dict[str, Any]:
    from django.urls import reverse

    from shieldhub.directory.models import Membership
    from shieldhub.exchange.models import Message, MessageRecipient

    users = bench_users(tag)
    clients: dict[int, Any] = {}

    def client_for(user: Any) -> Any:
        if user.pk not in clients:
            clients[user.pk] = signed_in_client(user)
        return clients[user.pk]

    memberships: dict[int, list[int]] = {}
    for user_id, community_id in Membership.objects.filter(user__in=users).values_list("user_id", "community_id"):
        memberships.setdefault(user_id, []).append(community_id)
    # rare terms: a container number and a company name from messages a user received
    rare: list[tuple[Any, str]] = []
    for user in rng.sample(users, min(len(users), 40)):
        ids = list(MessageRecipient.objects.filter(user=user).values_list("message_id", flat=True)[:200])
        message = Message.objects.filter(pk=rng.choice(ids), status="sent").only("body").first() if ids else None
        if message is None:
            continue
        words = message.body.split()
        containers = [
            w.strip(".,;") for w in words if len(w.strip(".,;")) == 11 and w[:3].isupper() and w[4:10].isdigit()
        ]
        if containers:
            rare.append((user, containers[0]))
    url = reverse("exchange:inbox")
    client_for(users[0]).get(url)  # warm up: connection, templates, caches

    def pick() -> Any:
        return rng.choice(users)

    def inbox(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {}

    def unread(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {"unread": "on"}

    def community(i: int) -> tuple[Any, str, dict[str, Any]]:
        user = pick()
        return client_for(user), url, {"community": rng.choice(memberships[user.pk])}

    def later_page(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {"page": rng.randint(2, 20)}

    def search_common(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {"q": COMMON[i % len(COMMON)]}

    def search_very_frequent(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {"q": VERY_FREQUENT[i % len(VERY_FREQUENT)]}

    def search_rare(i: int) -> tuple[Any, str, dict[str, Any]]:
        user, term = rare[i % len(rare)]
        return client_for(user), url, {"q": term}

    def search_filtered(i: int) -> tuple[Any, str, dict[str, Any]]:
        return client_for(pick()), url, {"q": COMMON[i % len(COMMON)], "kind": rng.choice(["alert", "rfi"])}

    def api_relevance(i: int) -> tuple[Any, str, dict[str, Any]]:
        params = {"q": COMMON[i % len(COMMON)], "order": "relevance"}
        return client_for(pick()), "/api/v1/exchange/search", params

    cases = {
        "inbox_first_page": inbox,
        "inbox_unread": unread,
        "inbox_community": community,
        "inbox_later_page": later_page,
        "search_common_words": search_common,
        "search_rare_term": search_rare,
        "search_very_frequent_words": search_very_frequent,
        "search_with_kind_filter": search_filtered,
        "api_search_by_relevance": api_relevance,
    }
    return {name: run_case(name, make, requests, cold=cold) for name, make in cases.items() if not only or name in only}


def time_send(tag: str, requests: int) -> dict[str, Any]:
    from shieldhub.accounts.models import User
    from shieldhub.directory.models import Community
    from shieldhub.exchange import services
    from shieldhub.exchange.models import Message, MessageRecipient
    from shieldhub.exchange.services import Distribution

    actor = User.objects.get(email__endswith=f".0.{tag}@bench.example")  # the first coordinator
    community = Community.objects.get(slug=f"bench-{tag}-global")
    samples: list[float] = []
    cpu_samples: list[float] = []
    recipients = 0
    sent: list[int] = []
    for i in range(requests):
        data = {
            "kind": "alert",
            "subject": f"Bench alert {i}: ammonium nitrate misdeclared as fertiliser",
            "body": "Container BNCU1234567 examined at Mombasa. Please check your records.",
            "tlp": "amber",
        }
        with CpuTimer() as cpu:
            started = time.perf_counter()
            message = services.message_send(
                actor=actor, data=data, distribution=Distribution(communities=[community.pk])
            )
            samples.append((time.perf_counter() - started) * 1000)
        if cpu.ms is not None:
            cpu_samples.append(cpu.ms)
        recipients = MessageRecipient.objects.filter(message=message).count()
        sent.append(message.pk)
    # Removed once timed: else every run would put 50 more alerts at the top of every inbox, and
    # the next run would time pages (and the search probes, which look at the newest messages) on
    # other data.
    Message.objects.filter(pk__in=sent).delete()
    figures = percentiles(samples)
    add_cpu(figures, cpu_samples)
    figures["recipients"] = recipients
    return figures


def explain(tag: str) -> dict[str, str]:
    """PostgreSQL's plans (EXPLAIN ANALYZE) of the inbox page's two big queries (the page and the
    paginator's bounded count) for one user, as Django runs them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shieldhub.exchange import selectors

    users = bench_users(tag)
    user = users[len(users) // 2]
    plans = {}
    cases: dict[str, dict[str, Any]] = {
        "inbox": {},
        "unread": {"unread": True},
        "search_frequent": {"q": "nitrate d'ammonium"},
        "search_rare": {"q": "BNCU1234567"},
        "search_kind": {"q": "nitrate", "kind": "alert"},
        "search_common_kind": {"q": "chlorate de potassium", "kind": "rfi"},
    }
    for name, filters in cases.items():
        qs: Any = selectors.inbox_pages(user=user, filters=filters)  # what the inbox page reads
        for label, run in (
            ("page", lambda qs=qs: list(qs[:50])),
            ("count", lambda qs=qs: qs.order_by()[:1001].count()),
        ):
            with CaptureQueriesContext(connection) as captured:
                run()
            sql = captured.captured_queries[-1]["sql"]
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plans[f"{name}/{label}"] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--requests", type=int, default=100, help="requests per page case")
    parser.add_argument("--send-requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated page cases to time (default: all)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="drop the OS page cache of the database's files before each page case (server on this machine, root)",
    )
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL plans to stderr")
    parser.add_argument("--explain-only", action="store_true", help="print the plans, time nothing")
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args()

    prepare_database(allow_sqlite=args.allow_sqlite)
    from django.db import connection
    from django.db.models import Count

    from shieldhub.exchange.management.commands.seed_exchange import seed_exchange
    from shieldhub.exchange.models import Message, MessageRecipient

    tag = f"x{args.seed}"
    figures: dict[str, Any] = {"database": connection.vendor}
    have = Message.objects.filter(sender__email__endswith=f".{tag}@bench.example").count()
    if have < args.messages:
        figures["seed"] = seed_exchange(
            users=args.users, communities=args.communities, messages=args.messages - have, seed=args.seed
        )
    figures["messages"] = Message.objects.count()
    figures["recipient_rows"] = MessageRecipient.objects.count()
    users = bench_users(tag)
    per_user = MessageRecipient.objects.filter(user__in=users[::10]).values("user_id").annotate(n=Count("pk"))
    received = sorted(row["n"] for row in per_user)
    figures["received_per_user_sample"] = {
        "min": received[0],
        "median": received[len(received) // 2],
        "max": received[-1],
    }

    rng = random.Random(args.seed)
    if (args.explain or args.explain_only) and connection.vendor == "postgresql":
        for name, plan in explain(tag).items():
            print(f"--- {name}\n{plan}\n", file=sys.stderr)
        if args.explain_only:
            return
    only = frozenset(name for name in args.only.split(",") if name)
    figures["pages"] = time_pages(tag, args.requests, rng, only, cold=args.cold)
    if not only:
        figures["send_to_global_community"] = time_send(tag, args.send_requests)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

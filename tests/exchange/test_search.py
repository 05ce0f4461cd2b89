"""Full-text search of the exchange (`exchange.search`): what it finds, and what it must never find.

Runs on SQLite (FTS5) and on PostgreSQL (tsvector + GIN) alike: run the file with DATABASE_URL set
to a PostgreSQL database for the second.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from shieldhub.exchange import search, selectors, services
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def inbox_subjects(user, q, **filters):
    return [m.subject for m in selectors.inbox_list(user=user, filters={"q": q, **filters})]


def search_subjects(user, q, **kwargs):
    return [m.subject for m in selectors.message_search(user=user, query=q, **kwargs)]


@pytest.fixture
def corpus(ncp_fr, ncp_ke, send):
    """Four messages from the French NCP to the Kenyan one, in English and French."""
    return {
        "nitrate": send(
            ncp_fr,
            users=[ncp_ke],
            subject="Ammonium nitrate diverted at Mombasa",
            body="Two containers declared as fertiliser; consignee Sahel Agro Trading.",
            tags=["fertiliser"],
            hs_codes=["3102.30"],
        ),
        "nitrate_fr": send(
            ncp_fr,
            users=[ncp_ke],
            subject="Saisie au port de Dakar",
            body="Saisie de 2 t de nitrate d'ammonium. Les précurseurs étaient déclarés comme engrais.",
            language="fr",
        ),
        "peroxide": send(
            ncp_fr,
            users=[ncp_ke],
            subject="Peroxide question",
            body="Any seizures of hydrogen peroxide above 12%? The precurseur list is attached.",
            kind="rfi",
        ),
        "apart": send(
            ncp_fr,
            users=[ncp_ke],
            subject="Report",
            body="The nitrate was mixed with fuel oil; ammonium sulfate was found apart.",
            kind="information",
        ),
    }


def test_matches_subject_and_body(ncp_ke, corpus):
    assert inbox_subjects(ncp_ke, "Mombasa") == ["Ammonium nitrate diverted at Mombasa"]  # subject
    assert inbox_subjects(ncp_ke, "consignee") == ["Ammonium nitrate diverted at Mombasa"]  # body
    assert inbox_subjects(ncp_ke, "fertiliser mombasa") == ["Ammonium nitrate diverted at Mombasa"]
    assert inbox_subjects(ncp_ke, "3102.30") == ["Ammonium nitrate diverted at Mombasa"]  # HS code
    assert inbox_subjects(ncp_ke, "nothing-like-this") == []


def test_every_word_must_match_in_any_order(ncp_ke, corpus):
    assert set(inbox_subjects(ncp_ke, "nitrate ammonium")) == {
        "Ammonium nitrate diverted at Mombasa",
        "Saisie au port de Dakar",
        "Report",
    }
    assert inbox_subjects(ncp_ke, "nitrate mombasa fuel") == []


def test_french_and_accents(ncp_ke, corpus):
    french = "Saisie au port de Dakar"
    assert french in inbox_subjects(ncp_ke, "nitrate d'ammonium")
    assert inbox_subjects(ncp_ke, "d'ammonium") == [french]  # the phrase "d ammonium"
    assert inbox_subjects(ncp_ke, "précurseurs engrais") == [french]
    assert inbox_subjects(ncp_ke, "PRECURSEURS ENGRAIS") == [french]  # accents and case ignored
    # the other way round: an accented query finds the unaccented text
    assert inbox_subjects(ncp_ke, "précurseur list") == ["Peroxide question"]


def test_phrase_prefix_plural_exclusion_and_or(ncp_ke, corpus):
    assert set(inbox_subjects(ncp_ke, '"ammonium nitrate"')) == {"Ammonium nitrate diverted at Mombasa"}
    assert inbox_subjects(ncp_ke, '"nitrate ammonium"') == []  # a phrase keeps its order
    assert inbox_subjects(ncp_ke, "hydro perox") == ["Peroxide question"]  # prefixes
    assert inbox_subjects(ncp_ke, "seizure") == ["Peroxide question"]  # "seizures"
    assert inbox_subjects(ncp_ke, "containers") == ["Ammonium nitrate diverted at Mombasa"]  # plural dropped
    assert set(inbox_subjects(ncp_ke, "nitrate -fuel")) == {
        "Ammonium nitrate diverted at Mombasa",
        "Saisie au port de Dakar",
    }
    assert inbox_subjects(ncp_ke, 'nitrate -"fuel oil" -fertiliser') == ["Saisie au port de Dakar"]
    assert set(inbox_subjects(ncp_ke, "Mombasa OR Dakar")) == {
        "Ammonium nitrate diverted at Mombasa",
        "Saisie au port de Dakar",
    }
    # only exclusions: everything else
    assert set(inbox_subjects(ncp_ke, "-nitrate")) == {"Peroxide question"}


def test_search_combines_with_filters(ncp_ke, corpus):
    assert inbox_subjects(ncp_ke, "precurseur", kind="rfi") == ["Peroxide question"]
    assert inbox_subjects(ncp_ke, "précurseurs", kind="alert") == ["Saisie au port de Dakar"]
    services.message_mark_read(actor=ncp_ke, message=corpus["nitrate_fr"])
    assert inbox_subjects(ncp_ke, "precurseur", unread=True) == ["Peroxide question"]


def test_parse_builds_safe_expressions():
    parsed = search.parse('Nitrate d\'ammonium "fuel oil" -urée OR 2814.10 précurseurs')
    assert search.to_tsquery_text(parsed) == (
        "('nitrate':* & ('d' <-> 'ammonium':*) & ('fuel' <-> 'oil') & !'urée':*) | ('2814.10':* & 'précurseur':*)"
    )
    assert search.parse("'; DROP TABLE exchange_message; --") == search.ParsedQuery(
        ((search.Term(("drop",), prefix=True), search.Term(("table",), prefix=True),
          search.Term(("exchange_message",), prefix=True)),)
    )  # fmt: skip
    assert not search.parse('  " " -- * ( ) OR :* & | ! ')
    assert len(search.parse("word " * 500).groups[0]) == search.MAX_TERMS


# --- what must never be found -------------------------------------------------------------------


def test_nobody_outside_the_distribution_finds_it(
    login, ncp_fr, ncp_de, ncp_ke, europe, partner_interpol, outsider, coordinator, send
):
    MembershipFactory(community=europe, user=partner_interpol)
    send(ncp_fr, communities=[europe], subject="Europe only", body="Confidential TATP ring in Lyon")
    send(ncp_fr, communities=[europe], subject="Releasable", body="TATP precursors seen", releasable_interpol=True)
    assert set(inbox_subjects(ncp_de, "TATP")) == {"Europe only", "Releasable"}
    assert set(search_subjects(ncp_fr, "TATP")) == {"Europe only", "Releasable"}  # the sender
    for user in (ncp_ke, coordinator):  # an NCP outside the community; the secretariat
        assert inbox_subjects(user, "TATP") == [] and search_subjects(user, "TATP") == []
    assert inbox_subjects(partner_interpol, "TATP") == ["Releasable"]
    assert search_subjects(partner_interpol, "TATP ring") == []  # not releasable to INTERPOL
    assert search_subjects(outsider, "TATP") == []
    client = login(ncp_ke)
    assert client.get("/api/v1/exchange/search", {"q": "TATP"}).json()["count"] == 0
    assert b"Europe only" not in client.get(reverse("exchange:inbox"), {"q": "TATP"}).content
    assert login(outsider).get("/api/v1/exchange/search", {"q": "TATP"}).status_code == 401


def test_withdrawn_body_is_not_searchable_by_recipients(login, ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke], subject="Nitromethane shipment", body="Vessel Kestrel Star", tags=["rail"])
    assert inbox_subjects(ncp_ke, "kestrel") == ["Nitromethane shipment"]
    services.message_withdraw(actor=ncp_fr, message=message, note="Wrong vessel")
    assert inbox_subjects(ncp_ke, "kestrel") == []
    assert inbox_subjects(ncp_ke, "kestrel OR star") == []
    assert search_subjects(ncp_ke, "kestrel", order="relevance") == []
    assert inbox_subjects(ncp_ke, "nitromethane") == ["Nitromethane shipment"]  # the subject stays
    assert inbox_subjects(ncp_ke, "rail") == ["Nitromethane shipment"]  # and its tags
    # an exclusion cannot probe the hidden body either
    assert inbox_subjects(ncp_ke, "nitromethane -kestrel") == ["Nitromethane shipment"]
    client = login(ncp_ke)
    assert client.get("/api/v1/exchange/search", {"q": "kestrel"}).json()["count"] == 0
    assert client.get("/api/v1/exchange/inbox", {"q": "kestrel"}).json()["count"] == 0
    # the sender still finds it by its body
    assert search_subjects(ncp_fr, "kestrel") == ["Nitromethane shipment"]
    items = login(ncp_fr).get("/api/v1/exchange/search", {"q": "kestrel"}).json()["items"]
    assert [(m["id"], m["status"]) for m in items] == [(message.pk, "withdrawn")]


def test_correction_is_reindexed(ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke], subject="Acetone in Lagos", body="Consignee Blue Lagoon Ltd")
    services.message_correct(
        actor=ncp_fr, message=message, subject="Acetone in Abidjan", body="Consignee Red Harbour SA", note="Port"
    )
    assert inbox_subjects(ncp_ke, "lagos") == [] and inbox_subjects(ncp_ke, "lagoon") == []
    assert inbox_subjects(ncp_ke, "abidjan harbour") == ["Acetone in Abidjan"]


def test_index_is_in_place():
    """A later migration that rebuilds exchange_message on SQLite drops the FTS triggers: see 0004."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'exchange_message'")
            names = {row[0] for row in cursor.fetchall()}
            assert {f"{search.FTS_TABLE}_{s}" for s in ("ai", "ad", "au")} <= names
        else:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = 'exchange_message' AND indexdef LIKE %s",
                [f"%gin ({search.PG_COLUMN})%"],
            )
            assert cursor.fetchone() is not None


WEIRD = [
    '"',
    '"""',
    "nitrate\"'",
    "'; DROP TABLE exchange_message; --",
    "1' OR '1'='1",
    "*",
    "nitr*",
    "-",
    "--",
    "- -",
    "OR",
    "OR OR nitrate OR",
    "NOT nitrate",
    "NEAR(nitrate ammonium)",
    "subject:nitrate",
    "{subject} : nitrate",
    "a & b | !c <-> d:*",
    "( ) [ ] { } ^ $ \\ /",
    "%_%",
    "\x00nitrate",
    "\u200bnitrate\ufeff",
    "nitrate" * 200,
    " ".join(["nitrate"] * 300),
    "日本語 العربية кириллица",
    "😀 nitrate",
    "___",
    "a.b-c'd’e",
]


@pytest.mark.parametrize("query", WEIRD)
def test_weird_input_never_errors(login, ncp_ke, corpus, query):
    list(selectors.inbox_list(user=ncp_ke, filters={"q": query}))
    list(selectors.message_search(user=ncp_ke, query=query, order="relevance"))
    client = login(ncp_ke)
    assert client.get(reverse("exchange:inbox"), {"q": query[:500]}).status_code == 200
    assert client.get("/api/v1/exchange/inbox", {"q": query[:500]}).status_code == 200
    assert client.get("/api/v1/exchange/search", {"q": query[:500]}).status_code == 200


# --- API and page -------------------------------------------------------------------------------


def test_api_search_same_results_as_the_selector(login, ncp_ke, ncp_fr, corpus):
    client = login(ncp_ke)
    for q in ("nitrate", "nitrate d'ammonium", "precurseur", "seizure OR mombasa"):
        expected = [m.pk for m in selectors.message_search(user=ncp_ke, query=q)]
        found = client.get("/api/v1/exchange/search", {"q": q}).json()
        assert [m["id"] for m in found["items"]] == expected and found["count"] == len(expected)
        inbox = client.get("/api/v1/exchange/inbox", {"q": q}).json()
        assert [m["id"] for m in inbox["items"]] == [m.pk for m in selectors.inbox_list(user=ncp_ke, filters={"q": q})]
    # filters apply to the search too
    rfi = client.get("/api/v1/exchange/search", {"q": "precurseur", "kind": "rfi"}).json()
    assert [m["id"] for m in rfi["items"]] == [corpus["peroxide"].pk]
    # the sender finds their own sent messages; the inbox lists received ones only
    sender = login(ncp_fr)
    assert sender.get("/api/v1/exchange/search", {"q": "mombasa"}).json()["count"] == 1
    assert sender.get("/api/v1/exchange/inbox", {"q": "mombasa"}).json()["count"] == 0
    assert sender.get("/api/v1/exchange/search").status_code == 422  # q is required


def test_relevance_puts_subject_matches_first(login, ncp_ke, corpus):
    ranked = search_subjects(ncp_ke, "nitrate", order="relevance")
    assert ranked[0] == "Ammonium nitrate diverted at Mombasa"  # in the subject
    client = login(ncp_ke)
    items = client.get("/api/v1/exchange/search", {"q": "nitrate", "order": "relevance"}).json()["items"]
    assert items[0]["id"] == corpus["nitrate"].pk
    by_date = [m["id"] for m in client.get("/api/v1/exchange/search", {"q": "nitrate"}).json()["items"]]
    assert by_date == sorted(by_date, reverse=True)


def test_relevance_ranks_the_newest_matches_only(monkeypatch, ncp_ke, corpus):
    everything = search_subjects(ncp_ke, "nitrate", order="relevance")
    assert len(everything) > 2
    newest = [m.pk for m in selectors.message_search(user=ncp_ke, query="nitrate")][:2]
    monkeypatch.setattr(selectors, "RELEVANCE_CANDIDATES", 2)
    capped = list(selectors.message_search(user=ncp_ke, query="nitrate", order="relevance"))
    assert sorted(m.pk for m in capped) == sorted(newest)
    assert capped[0].rank >= capped[1].rank


def test_api_counts_stop_past_the_cap(login, monkeypatch, ncp_ke, corpus):
    from shieldhub.exchange import api

    client = login(ncp_ke)
    assert client.get("/api/v1/exchange/search", {"q": "nitrate"}).json()["count"] > 2
    monkeypatch.setattr(api, "COUNT_CAP", 1)
    assert client.get("/api/v1/exchange/search", {"q": "nitrate"}).json()["count"] == 2
    assert client.get("/api/v1/exchange/inbox").json()["count"] == 2


@pytest.mark.parametrize("walk_count", [False, True])
def test_a_dense_search_pages_through_the_receipts_with_the_same_results(
    login, monkeypatch, ncp_ke, corpus, walk_count
):
    from django.db import connection

    monkeypatch.setattr(selectors, "DENSE_MATCHES", 1)
    monkeypatch.setattr(selectors, "WALK_COUNT_MATCHES", 1 if walk_count else 100)
    if connection.vendor != "postgresql":  # the probe is PostgreSQL's; the rest runs everywhere
        monkeypatch.setattr(selectors, "_density", lambda user, filters: 1)
    client = login(ncp_ke)
    for q in ("nitrate", "nitrate d'ammonium", "seizure OR mombasa", "nitromethane -kestrel", "précurseur"):
        expected = [m.pk for m in selectors.inbox_list(user=ncp_ke, filters={"q": q})]
        pages = selectors.inbox_pages(user=ncp_ke, filters={"q": q})
        if connection.vendor == "postgresql":  # the probe finds a match among the newest messages
            assert isinstance(pages, selectors.InboxRows) == bool(expected), q
        assert [m.pk for m in pages] == expected and pages.count() == len(expected), q
        assert pages.order_by()[:1001].count() == len(expected), q
        found = client.get("/api/v1/exchange/inbox", {"q": q}).json()
        assert [m["id"] for m in found["items"]] == expected and found["count"] == len(expected), q
    newest, *older = selectors.inbox_list(user=ncp_ke, filters={"q": "nitrate"})
    page = client.get(reverse("exchange:inbox"), {"q": "nitrate", "per_page": 1}).content.decode()
    assert newest.subject in page and all(m.subject not in page for m in older)


def test_inbox_page_searches_and_refreshes_itself(login, ncp_ke, corpus):
    page = login(ncp_ke).get(reverse("exchange:inbox"), {"q": "précurseur", "kind": "alert"}).content.decode()
    assert "Saisie au port de Dakar" in page and "Peroxide question" not in page
    assert 'id="inbox-rows"' in page and "hx-get" in page and "hx-select" in page
    assert "q=pr%C3%A9curseur" in page and "kind=alert" in page  # the refresh keeps the filters

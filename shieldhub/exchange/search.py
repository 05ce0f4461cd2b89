"""Full-text search of exchange messages, on PostgreSQL and SQLite.

`search_messages(qs, query, user=...)` narrows a queryset the caller has already scoped to what the
user may see (`access.messages_visible_q`); it never widens it. The indexes are created by migration
`exchange/0004_full_text_search` and are unknown to the models:

* PostgreSQL: the generated column `exchange_message.search_vector` (subject weight A, body B,
  tags and HS codes C) under the `shieldhub_search` configuration (`simple` + `unaccent`), with a
  GIN index; queried with `to_tsquery` on a string built here from parsed words, never from the
  raw input.
* SQLite: the FTS5 table `exchange_message_fts` (`unicode61 remove_diacritics 2`), queried with
  `MATCH` on an expression built the same way.

The query language, the same on both: words (all must match), "quoted phrases", -exclusion
(a word or a phrase) and OR between alternatives. Case and accents are ignored. There is no
stemming (messages are in English and French): each word of three letters or more matches as a
prefix, and a final "s" is dropped first (so "precursors" finds "precursor" and "nitrates",
"saisies" finds "saisie"). Words inside quotes match exactly. "nitrate d'ammonium" finds the
French text; "d'ammonium" is the phrase "d ammonium".

A withdrawn message keeps its body for its sender only (`access.message_body_visible`): for the
other people who see it, only its subject, tags and HS codes are searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Expression, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from shieldhub.exchange.choices import MessageStatus

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MAX_WORD_CHARS = 60
PREFIX_MIN_CHARS = 3

# PostgreSQL: names created by migration 0004.
PG_CONFIG = "shieldhub_search"
PG_COLUMN = "search_vector"
# Weights searched in a withdrawn message by someone who is not its sender: subject (A), tags and
# HS codes (C); not the body (B).
PG_PUBLIC_WEIGHTS = "{a,c}"
# SQLite: the FTS5 table of migration 0004.
FTS_TABLE = "exchange_message_fts"
FTS_PUBLIC_COLUMNS = "{subject tags hs_codes}"

# A word: letters and digits, with inner dots and hyphens kept ("2814.10", "nitrate-based") and
# apostrophes splitting it into a phrase ("d'ammonium").
_PART = r"\w+(?:[.\-]\w+)*"
_WORD = re.compile(rf"{_PART}(?:['’]{_PART})*")
_APOSTROPHE = re.compile(r"['’]")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word or phrase: its words (lower case), whether the last one is a prefix, negated."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Alternatives (OR) of terms that must all match (AND)."""

    groups: tuple[tuple[Term, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def positive(self) -> ParsedQuery:
        """The query without its exclusions, or an empty query when an alternative has no
        positive term (then nothing narrows the search before the exclusions)."""
        groups = tuple(tuple(t for t in g if not t.negated) for g in self.groups)
        return ParsedQuery(groups) if all(groups) else ParsedQuery()


def _clean_word(raw: str) -> str:
    word = raw.lower()[:MAX_WORD_CHARS]
    return word if any(c.isalnum() for c in word) else ""


def _term(text: str, *, quoted: bool, negated: bool) -> Term | None:
    """The term for a bare token or a quoted phrase (None when it holds no word)."""
    words: list[str] = []
    for match in _WORD.finditer(text):
        words.extend(w for w in (_clean_word(p) for p in _APOSTROPHE.split(match.group())) if w)
    if not words:
        return None
    if quoted:
        return Term(tuple(words), prefix=False, negated=negated)
    last = words[-1]
    if len(last) > PREFIX_MIN_CHARS and last.endswith("s") and not last.endswith("ss") and not last.isdigit():
        last = last[:-1]  # a plural, English or French
    words[-1] = last
    return Term(tuple(words), prefix=len(last) >= PREFIX_MIN_CHARS, negated=negated)


def parse(query: str) -> ParsedQuery:
    """Parse what a user typed. Never fails: anything that is not a word is ignored."""
    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer((query or "")[:MAX_QUERY_CHARS]):
        sign, phrase, bare = match.groups()
        if bare == "OR":
            if groups[-1]:
                groups.append([])
            continue
        if phrase is not None:
            found = [_term(phrase, quoted=True, negated=bool(sign))]
        else:
            negated = bare.startswith("-")
            # "a,b" or "a/b" are two words; "d'ammonium" is one phrase.
            found = [_term(w.group(), quoted=False, negated=negated) for w in _WORD.finditer(bare)]
        for term in found:
            if term is not None and count < MAX_TERMS:
                groups[-1].append(term)
                count += 1
    return ParsedQuery(tuple(tuple(g) for g in groups if g))


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_operand(word: str, prefix: bool) -> str:
    # `word` only holds letters, digits, "_", "." and "-" (see _WORD); quote it all the same.
    escaped = word.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'" + (":*" if prefix else "")


def _pg_term(term: Term) -> str:
    operands = [_pg_operand(w, term.prefix and i == len(term.words) - 1) for i, w in enumerate(term.words)]
    text = operands[0] if len(operands) == 1 else "(" + " <-> ".join(operands) + ")"
    return ("!" + text) if term.negated else text


def to_tsquery_text(parsed: ParsedQuery) -> str:
    """The `to_tsquery` input for a parsed query."""
    return " | ".join("(" + " & ".join(_pg_term(t) for t in group) + ")" for group in parsed.groups)


class _PgMatch(Expression):
    """`<table>.search_vector @@ to_tsquery('shieldhub_search', %s)` (optionally on some weights
    only). Qualified by the alias of the queryset's own table, so it survives subqueries."""

    output_field: Any = BooleanField()

    def __init__(self, tsquery: str, *, weights: str = "", pk: Any = None, indexed: bool = True) -> None:
        super().__init__()
        self.tsquery = tsquery
        self.weights = weights
        self.pk = F("pk") if pk is None else pk
        self.indexed = indexed

    def get_source_expressions(self) -> list[Any]:
        return [self.pk]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.pk,) = exprs

    def vector_sql(self, compiler: Any) -> str:
        alias = getattr(self.pk, "alias", None)  # a Col once resolved
        if alias is None:
            raise ValueError("resolve the expression against a Message queryset first")
        vector = f"{compiler.quote_name_unless_alias(alias)}.{PG_COLUMN}"
        if self.weights:
            vector = f"ts_filter({vector}, '{self.weights}'::\"char\"[])"
        return vector

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if not self.indexed:
            # `ts_match_vq` is what `@@` calls. As a function call the GIN index does not serve it,
            # and PostgreSQL assumes a third of the rows match instead of estimating (see
            # `search_messages`).
            return f"ts_match_vq({self.vector_sql(compiler)}, to_tsquery('{PG_CONFIG}'::regconfig, %s))", [self.tsquery]
        return f"{self.vector_sql(compiler)} @@ to_tsquery('{PG_CONFIG}'::regconfig, %s)", [self.tsquery]


class _PgRank(_PgMatch):
    output_field: Any = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return f"ts_rank({self.vector_sql(compiler)}, to_tsquery('{PG_CONFIG}'::regconfig, %s))", [self.tsquery]


# --- SQLite --------------------------------------------------------------------------------------


def _fts_term(term: Term) -> str:
    text = " ".join(term.words).replace('"', '""')
    return f'"{text}"' + ("*" if term.prefix else "")


def _fts_any(terms: list[Term], columns: str) -> str:
    expression = " OR ".join(_fts_term(t) for t in terms)
    return f"{columns} : ({expression})" if columns else expression


def _fts_group(group: tuple[Term, ...], columns: str) -> tuple[str, str]:
    """(expression that must match, expression that must not match) for one alternative."""
    positive = [t for t in group if not t.negated]
    negative = [t for t in group if t.negated]
    if not positive:
        return "", _fts_any(negative, columns)
    expression = " AND ".join(_fts_term(t) for t in positive)
    expression += "".join(f" NOT {_fts_term(t)}" for t in negative)
    return (f"{columns} : ({expression})" if columns else expression), ""


def _fts_in(expression: str) -> Q:
    # A constant statement; the expression (built from parsed words) is a parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, [expression]))  # noqa: S611


def _fts_match(parsed: ParsedQuery, columns: str = "") -> Q:
    result = Q(pk__in=[])
    for group in parsed.groups:
        must, must_not = _fts_group(group, columns)
        result |= _fts_in(must) if must else ~_fts_in(must_not)
    return result


# --- vendor-neutral ------------------------------------------------------------------------------


def _match(parsed: ParsedQuery, *, public_only: bool, indexed: bool = True) -> Q:
    if connection.vendor == "postgresql":
        weights = PG_PUBLIC_WEIGHTS if public_only else ""
        return Q(_PgMatch(to_tsquery_text(parsed), weights=weights, indexed=indexed))
    if connection.vendor == "sqlite":
        return _fts_match(parsed, FTS_PUBLIC_COLUMNS if public_only else "")
    raise NotImplementedError(f"Full-text search is not available on {connection.vendor}.")


def _body_visible(user: Any) -> Q:
    """Mirrors `access.message_body_visible` in SQL."""
    visible = ~Q(status=MessageStatus.WITHDRAWN)
    return visible | Q(sender_id=user.pk) if getattr(user, "pk", None) else visible


def search_messages(qs: QuerySet[Any], query: str, *, user: Any, indexed: bool = True) -> QuerySet[Any]:
    """The messages of `qs` that match `query`: the body is searched only where `user` may read it.

    An empty query (or one without any word) leaves `qs` as it is. `indexed=False` (PostgreSQL):
    the same condition in a form the full-text index cannot serve, so that PostgreSQL tests it on
    the rows another index yields in order (a user's newest receipts) and stops after a page; for
    words found in a large share of the messages, which it would otherwise fetch and sort all.
    """
    parsed = parse(query)
    if not parsed:
        return qs
    if not indexed and connection.vendor == "postgresql":
        text = to_tsquery_text(parsed)
        whole = Q(_PgMatch(text, indexed=False))
        public = Q(_PgMatch(text, weights=PG_PUBLIC_WEIGHTS))
        if not any(t.negated for group in parsed.groups for t in group):
            return qs.filter(whole & (_body_visible(user) | public))
        return qs.filter((_body_visible(user) & whole) | (~_body_visible(user) & public))
    body_visible = _body_visible(user)
    if not any(t.negated for group in parsed.groups for t in group):
        # Without exclusions, a match on the subject, tags and HS codes is also a match on the
        # whole text (the terms only require words to be present), so "the whole text matches,
        # and the body is visible or the rest matches" is the same rule, with the full-text
        # condition alone first (it drives the index) and evaluated once per row; the second
        # match is only evaluated for the rare withdrawn message of someone else.
        return qs.filter(_match(parsed, public_only=False) & (body_visible | _match(parsed, public_only=True)))
    # With exclusions a word found only in a hidden body must not exclude the message (that would
    # tell the searcher what the hidden body says): the two cases stay apart.
    condition = (body_visible & _match(parsed, public_only=False)) | (~body_visible & _match(parsed, public_only=True))
    positive = parsed.positive
    if positive:
        # Implied by the condition; stated on its own so that the full-text index drives the query.
        condition = _match(positive, public_only=False) & condition
    return qs.filter(condition)


def rank_expression(query: str, *, user: Any) -> Any:
    """How well a message matches, for ordering by relevance (higher first).

    PostgreSQL: `ts_rank` (a subject match weighs most), on the searchable weights only. SQLite:
    1 when the subject, tags or HS codes match, else 0 (cheap; the date breaks ties).
    """
    parsed = parse(query)
    if not parsed:
        return Value(0.0, output_field=FloatField())
    if connection.vendor == "postgresql":
        text = to_tsquery_text(parsed)
        return Case(
            When(_body_visible(user), then=_PgRank(text)),
            default=_PgRank(text, weights=PG_PUBLIC_WEIGHTS),
            output_field=FloatField(),
        )
    return Case(When(_match(parsed, public_only=True), then=Value(1.0)), default=Value(0.0), output_field=FloatField())

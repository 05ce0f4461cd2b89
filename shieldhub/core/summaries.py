"""Monthly summary tables: the analysis dashboards' grouped figures, kept per calendar month.

At 200,000 seizures and 1,000,000 shipments the bare grouped queries take seconds; the dashboards
must answer in well under a second. Each app that owns counted records keeps a summary table (one
row per month × facet × grouped keys, with additive measures: counts and sums) and says, per
facet, how to compute a month's rows from its records (`Facet.live`). This module holds what is
the same for every such table:

- `split_period` cuts a filter's period into whole months (read from the summary) and at most two
  partial months at its ends (computed live over those days only, through the same `live`
  function, so both paths give rows of the same shape);
- `SummaryTable.refresh(months)` recomputes the given months of every facet inside the caller's
  transaction. The write services call it for the months a write touches, so the summary commits
  or rolls back with the records. A per-month lock (PostgreSQL advisory transaction lock)
  serialises two writers refreshing the same month, so neither deletes rows the other inserted;
- `SummaryTable.rebuild()` recomputes everything (the nightly task, `shieldhub rebuild_summaries`,
  bulk loads that bypass the services);
- `SummaryTable.verify()` compares every month of the summary with the live computation (the
  tests use it after whole workflows; the nightly task reports drift before rebuilding).

Measures must be additive across months (distinct counts are only summed where each record has a
single month and a single value of the grouped keys, e.g. one record counted once per catalogue
item it contains).
"""

from __future__ import annotations

import calendar
import datetime as dt
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Sum
from django.db.models.functions import TruncYear

Row = dict[str, Any]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class Period:
    """A filter's period cut for the summaries: `months` is the range of whole months to read from
    the summary (first, last; None = open), or None when no whole month is in the period; `edges`
    are the partial months' day ranges (inclusive) to compute live."""

    months: tuple[dt.date | None, dt.date | None] | None
    edges: tuple[tuple[dt.date, dt.date], ...] = ()


def split_period(date_from: dt.date | None, date_to: dt.date | None) -> Period:
    if date_from and date_to and date_from > date_to:
        return Period(None)
    first: dt.date | None = None
    last: dt.date | None = None
    edges: list[tuple[dt.date, dt.date]] = []
    if date_from:
        first = month_start(date_from)
        if date_from.day != 1:
            end = month_end(date_from)
            edges.append((date_from, min(end, date_to) if date_to else end))
            first = next_month(first)
    if date_to:
        last = month_start(date_to)
        if date_to != month_end(date_to):
            start = month_start(date_to)
            if not edges or edges[0][1] < start:  # not the same partial month as the start's
                edges.append((max(start, date_from) if date_from else start, date_to))
            last = month_start(last - dt.timedelta(days=1))
    if first and last and first > last:
        return Period(None, tuple(edges))
    return Period((first, last), tuple(edges))


@dataclass(frozen=True)
class Facet:
    """One grouping of a summary table. `live(date_from, date_to, filters)` returns the grouped
    rows (dicts with "month" and the table's key and measure columns) of the records in the days
    given, with `filters` (the caller's other filters, or None for a refresh)."""

    name: str
    live: Callable[[dt.date | None, dt.date | None, Any], Iterable[Row]]


@dataclass
class SummaryTable:
    model: type[models.Model]
    facets: dict[str, Facet]
    keys: tuple[str, ...]  # grouped columns besides month and facet
    measures: tuple[str, ...]  # additive columns
    label: str = ""
    # Facets also kept per calendar year (facet name + YEARLY, `month` = 1 January): the ones with
    # many key combinations, read over long periods without "month" in the grouping.
    yearly: tuple[str, ...] = ()
    # Facets also kept over all time with only these keys (the others collapsed to ""; facet name +
    # ALL_TIME, `month` = ALL_TIME_MONTH): the default page, no period and no other filter, of a
    # facet whose key combinations do not shrink by year.
    all_time: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _lock_prefix: int = field(default=0, init=False)
    _pending: ContextVar[set[dt.date] | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lock_prefix = zlib.crc32(self.model._meta.db_table.encode()) & 0x7FFF
        self._pending = ContextVar(f"summary_pending_{self.model._meta.db_table}", default=None)

    def touch(self, *dates: dt.date | dt.datetime | None) -> None:
        """A write changed the records of these dates' months: refresh them now, or at the end of
        the enclosing `batch()`."""
        months = {month_start(d.date() if isinstance(d, dt.datetime) else d) for d in dates if d}
        pending = self._pending.get()
        if pending is not None:
            pending.update(months)
        else:
            self.refresh(months)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within the block, `touch` collects months; they are refreshed once when it ends (a bulk
        import touches each month once, not once per record). Nothing is refreshed on an error:
        the caller's transaction rolls back."""
        if self._pending.get() is not None:
            yield
            return
        token = self._pending.set(set())
        try:
            yield
            months = self._pending.get() or set()
        finally:
            self._pending.reset(token)
        self.refresh(months)

    # --- writes -----------------------------------------------------------------------------

    def _lock(self, month: dt.date) -> None:
        """Per year: a month's refresh also changes its year's rows."""
        if connection.vendor == "postgresql":
            key = (self._lock_prefix << 32) | month.year
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])

    def _instance(self, facet: str, row: Row) -> models.Model:
        values = _clean(row, self.keys, self.measures)
        return self.model(facet=facet, **{k: v for k, v in values.items() if v is not None})

    def _key(self, row: Row) -> tuple[str, ...]:
        return tuple("" if row.get(k) is None else str(row[k]) for k in self.keys)

    def refresh(self, months: Iterable[dt.date | None]) -> None:
        """Recompute these months (dates anywhere in the month; None is ignored) in the caller's
        transaction: only the rows whose figures changed are rewritten, and their differences are
        added to the yearly rows."""
        wanted = sorted({month_start(m) for m in months if m})
        if not wanted:
            return
        with transaction.atomic():
            for month in wanted:
                self._lock(month)
                for name, facet in self.facets.items():
                    deltas = self._refresh_facet(name, month, facet.live(month, month_end(month), None))
                    if name in self.yearly and deltas:
                        self._add_to(name + YEARLY, month.replace(month=1), deltas)
                    if name in self.all_time and deltas:
                        self._add_to(name + ALL_TIME, ALL_TIME_MONTH, self._collapse(name, deltas))

    def _refresh_facet(self, name: str, month: dt.date, live: Iterable[Row]) -> dict[tuple[str, ...], Row]:
        manager: Any = self.model._default_manager
        old = {
            self._key(r): r for r in manager.filter(facet=name, month=month).values("pk", *self.keys, *self.measures)
        }
        new = {self._key(c): c for c in (_clean(r, self.keys, self.measures) for r in live)}
        deltas: dict[tuple[str, ...], Row] = {}
        drop: list[int] = []
        add: list[models.Model] = []
        for key in old.keys() | new.keys():
            before, after = old.get(key), new.get(key)
            if before and after and all(_comparable(before[m]) == _comparable(after[m]) for m in self.measures):
                continue
            if before:
                drop.append(before["pk"])
            if after:
                add.append(self._instance(name, after))
            deltas[key] = {m: _number(after and after[m]) - _number(before and before[m]) for m in self.measures}
        if drop:
            manager.filter(pk__in=drop).delete()
        manager.bulk_create(add, batch_size=2000)
        return deltas

    def _collapse(self, name: str, deltas: dict[tuple[str, ...], Row]) -> dict[tuple[str, ...], Row]:
        kept = self.all_time[name]
        out: dict[tuple[str, ...], Row] = {}
        for key, delta in deltas.items():
            short = tuple(v if k in kept else "" for k, v in zip(self.keys, key, strict=True))
            entry = out.setdefault(short, dict.fromkeys(self.measures, 0))
            for m in self.measures:
                entry[m] += delta[m]
        return out

    def _add_to(self, facet: str, year: dt.date, deltas: dict[tuple[str, ...], Row]) -> None:
        """Add a month's differences to the yearly (or all-time) rows dated `year`."""
        manager: Any = self.model._default_manager
        rows = {
            self._key(r): r for r in manager.filter(facet=facet, month=year).values("pk", *self.keys, *self.measures)
        }
        changed, drop, add = [], [], []
        for key, delta in deltas.items():
            row = rows.get(key)
            values = {m: _number(row and row[m]) + delta[m] for m in self.measures}
            if row and not values["n"]:
                drop.append(row["pk"])
            elif row:
                changed.append(self.model(pk=row["pk"], **values))
            elif values["n"]:
                add.append(self.model(facet=facet, month=year, **dict(zip(self.keys, key, strict=True)), **values))
        if drop:
            manager.filter(pk__in=drop).delete()
        manager.bulk_update(changed, list(self.measures), batch_size=2000)
        manager.bulk_create(add, batch_size=2000)

    def rebuild(self) -> int:
        """Recompute every month (one grouped query per facet over all the records), then the
        yearly rows from the monthly ones."""
        manager: Any = self.model._default_manager
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # no refresh may interleave with the full rebuild
                    cursor.execute(f"LOCK TABLE {self.model._meta.db_table} IN EXCLUSIVE MODE")
            manager.all().delete()
            written = 0
            for name, facet in self.facets.items():
                batch = [self._instance(name, r) for r in facet.live(None, None, None)]
                manager.bulk_create(batch, batch_size=5000)
                written += len(batch)
            for name in self.yearly:
                years = (
                    manager.filter(facet=name).annotate(year=TruncYear("month")).values("year", *self.keys)
                    .annotate(**{m: Sum(m) for m in self.measures}).order_by()
                )  # fmt: skip
                batch = [self._instance(name + YEARLY, {**r, "month": r["year"]}) for r in years]
                manager.bulk_create(batch, batch_size=5000)
                written += len(batch)
            for name in self.all_time:
                sums = self._all_time_sums(name)
                batch = [self._instance(name + ALL_TIME, {**r, "month": ALL_TIME_MONTH}) for r in sums]
                manager.bulk_create(batch, batch_size=5000)
                written += len(batch)
        return written

    def _all_time_sums(self, name: str) -> Any:
        kept = self.all_time[name]
        return (
            self.model._default_manager.filter(facet=name).values(*kept)
            .annotate(**{m: Sum(m) for m in self.measures}).order_by()
        )  # fmt: skip

    def verify(self) -> list[str]:
        """The differences between the summary and the records (empty when they agree)."""
        problems: list[str] = []
        for name, facet in self.facets.items():
            live = _index(facet.live(None, None, None), self.keys, self.measures)
            stored = _index(
                self.model._default_manager.filter(facet=name).values("month", *self.keys, *self.measures),
                self.keys,
                self.measures,
            )
            problems += self._differences(name, live, stored)
        manager: Any = self.model._default_manager
        for name in self.yearly:
            by_year = (
                manager.filter(facet=name).annotate(year=TruncYear("month")).values("year", *self.keys)
                .annotate(**{m: Sum(m) for m in self.measures}).order_by()
            )  # fmt: skip
            months = _index(({**r, "month": r["year"]} for r in by_year), self.keys, self.measures)
            years = _index(
                manager.filter(facet=name + YEARLY).values("month", *self.keys, *self.measures),
                self.keys,
                self.measures,
            )
            problems += self._differences(name + YEARLY, months, years)
        for name in self.all_time:
            expected = _index(
                ({**r, "month": ALL_TIME_MONTH} for r in self._all_time_sums(name)), self.keys, self.measures
            )
            stored = _index(
                manager.filter(facet=name + ALL_TIME).values("month", *self.keys, *self.measures),
                self.keys,
                self.measures,
            )
            problems += self._differences(name + ALL_TIME, expected, stored)
        return problems

    def _differences(self, name: str, expected: dict[Any, Any], stored: dict[Any, Any]) -> list[str]:
        return [
            f"{self.label or self.model.__name__}.{name} {key}: records {expected.get(key)} != summary {stored.get(key)}"
            for key in sorted(set(expected) | set(stored), key=str)
            if expected.get(key) != stored.get(key)
        ]

    # --- reads ------------------------------------------------------------------------------

    def rows(
        self, facet: str, group: tuple[str, ...], *, date_from: dt.date | None, date_to: dt.date | None,
        where: models.Q | None = None, filters: Any = None, largest: int | None = None,
        keep: Callable[[Row], bool] | None = None,
    ) -> list[Row]:  # fmt: skip
        """The facet's measures summed by `group` (columns among "month" and the keys) over the
        period: whole months from the summary (`where` is the other filters as a condition on its
        key columns), partial months live (`filters`: the same filters for the records).
        `largest`: only that many groups, the largest `n` first (all of them when the period has
        partial months, whose rows could change the order). `keep`: which live rows count (the
        same condition as `where`, on the live rows' key columns, when the filters alone do not
        select them)."""
        if _records_only.get():
            base = facet.removesuffix(ALL_TIME)
            return self.live(base, group, date_from=date_from, date_to=date_to, filters=filters, keep=keep)
        period = split_period(date_from, date_to)
        out: list[Row] = []
        if period.months is not None:
            first, last = period.months
            if facet in self.yearly and "month" not in group:
                qs = self.model._default_manager.filter(_months_and_years(facet, first, last))
            else:
                qs = self.model._default_manager.filter(facet=facet)
                if first:
                    qs = qs.filter(month__gte=first)
                if last:
                    qs = qs.filter(month__lte=last)
            if where is not None:
                qs = qs.filter(where)
            sums = {m: Sum(m) for m in self.measures}
            if not group:  # one total
                total = qs.aggregate(**sums)
                out.extend([total] if total["n"] is not None else [])
            else:
                grouped = qs.values(*group).annotate(**sums).order_by()
                if largest is not None and not period.edges:
                    grouped = grouped.order_by("-n", *group)[:largest]
                out.extend(grouped)
        for start, end in period.edges:
            live = self.facets[facet.removesuffix(ALL_TIME)].live(start, end, filters)
            edge = (_clean(r, self.keys, self.measures) for r in live)
            out.extend(r for r in edge if keep is None or keep(r))
        return sum_rows(out, group, self.measures) if period.edges else out

    def live(self, facet: str, group: tuple[str, ...], *, date_from: dt.date | None, date_to: dt.date | None,
             filters: Any, keep: Callable[[Row], bool] | None = None) -> list[Row]:  # fmt: skip
        """The same rows computed from the records alone (filters the summary cannot express)."""
        rows = (_clean(r, self.keys, self.measures) for r in self.facets[facet].live(date_from, date_to, filters))
        return sum_rows((r for r in rows if keep is None or keep(r)), group, self.measures)


YEARLY = ":y"
ALL_TIME = ":all"
ALL_TIME_MONTH = dt.date(1900, 1, 1)
_records_only: ContextVar[bool] = ContextVar("summaries_records_only", default=False)


@contextmanager
def records_only() -> Iterator[None]:
    """Within the block, every read computes from the records (the benchmark's comparison of what
    the summaries save)."""
    token = _records_only.set(True)
    try:
        yield
    finally:
        _records_only.reset(token)


def _months_and_years(facet: str, first: dt.date | None, last: dt.date | None) -> models.Q:
    """Whole months first..last (None: open) as yearly rows for the whole years in them and
    monthly rows for the months before and after those years."""
    first_year = None if first is None else (first.year if first.month == 1 else first.year + 1)
    last_year = None if last is None else (last.year if last.month == 12 else last.year - 1)
    if first_year is not None and last_year is not None and first_year > last_year:  # no whole year
        q = models.Q(facet=facet)
        if first:
            q &= models.Q(month__gte=first)
        if last:
            q &= models.Q(month__lte=last)
        return q
    q = models.Q(facet=facet + YEARLY)
    if first_year is not None:
        q &= models.Q(month__gte=dt.date(first_year, 1, 1))
    if last_year is not None:
        q &= models.Q(month__lte=dt.date(last_year, 1, 1))
    if first is not None and first.month != 1:
        q |= models.Q(facet=facet, month__gte=first, month__lt=dt.date(first.year + 1, 1, 1))
    if last is not None and last.month != 12:
        q |= models.Q(facet=facet, month__gte=dt.date(last.year, 1, 1), month__lte=last)
    return q


def _number(value: Any) -> Any:
    return 0 if value is None else value


def _clean(row: Row, keys: tuple[str, ...], measures: tuple[str, ...]) -> Row:
    month = row["month"]
    out: Row = {"month": month.date() if isinstance(month, dt.datetime) else month}
    for k in keys:
        value = row.get(k)
        out[k] = "" if value is None else str(value)
    for m in measures:
        out[m] = row.get(m)
    return out


def _index(rows: Iterable[Row], keys: tuple[str, ...], measures: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    out: dict[tuple[Any, ...], Any] = {}
    for r in rows:
        c = _clean(r, keys, measures)
        ident = (c["month"], *(c[k] for k in keys))
        out[ident] = tuple(_comparable(c[m]) for m in measures)
    return out


def _comparable(value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, (Decimal, float)):
        return round(float(value), 3)
    return value


def sum_rows(rows: Iterable[Row], keys: tuple[str, ...], measures: tuple[str, ...]) -> list[Row]:
    """Rows summed over everything but `keys` (None measures stay None unless a value is added)."""
    merged: dict[tuple[Any, ...], Row] = {}
    for r in rows:
        ident = tuple(r[k] for k in keys)
        entry = merged.get(ident)
        if entry is None:
            entry = merged[ident] = {**{k: r[k] for k in keys}, **{m: None for m in measures}}
        for m in measures:
            if r.get(m) is not None:
                entry[m] = r[m] if entry[m] is None else entry[m] + r[m]
    return list(merged.values())

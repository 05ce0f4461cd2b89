"""Bounded pagination for list pages: a page size cap and no unbounded COUNT on huge tables."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Lists over tables that grow without bound (people, the audit log) count at most this many rows.
COUNT_CAP = 1000


class BoundedPaginator(Paginator):
    """Counts at most `cap` rows: on a large table a broad search costs a bounded count, not a full
    one. Past the cap the list says "more than N" and asks for a narrower search."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        # ordering is irrelevant to a count, and without it PostgreSQL need not sort every match
        items: Any = self.object_list
        bounded: Any = (items.order_by() if hasattr(items, "order_by") else items)[
            : self.cap + 1
        ]  # a QuerySet: COUNT over a LIMITed subquery
        found = bounded.count()
        self.capped = found > self.cap
        return min(found, self.cap)


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = DEFAULT_PAGE_SIZE, count_cap: int | None = None
) -> Page:
    try:
        size = min(int(request.GET.get("per_page", per_page)), MAX_PAGE_SIZE)
    except ValueError:
        size = per_page
    size = max(size, 1)
    paginator = Paginator(queryset, size) if count_cap is None else BoundedPaginator(queryset, size, cap=count_cap)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def query_without_page(request: HttpRequest) -> str:
    """The current query string minus `page`, for pagination links that keep the filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()

"""Bounded pagination for list pages: a page size cap and no unbounded COUNT on huge tables."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def paginate(request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = DEFAULT_PAGE_SIZE) -> Page:
    try:
        size = min(int(request.GET.get("per_page", per_page)), MAX_PAGE_SIZE)
    except ValueError:
        size = per_page
    paginator = Paginator(queryset, max(size, 1))
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

"""Entity pages: the list (search by normalised name with fuzzy "did you mean", kind and country
filters), an entity with its aliases, linked records and network graph, the "same as"
suggestions to confirm or reject, and "same as" links made by hand from an entity's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.entities import graph as graph_layout
from shieldhub.entities import selectors, services
from shieldhub.entities.models import EntityKind, LinkStatus

COUNT_CAP = 1000


@login_required
def entity_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ENTITY_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "country")}
    qs = selectors.entity_list(user=request.user, filters=filters)
    page = paginate(request, qs, count_cap=COUNT_CAP)
    suggestions = []
    if filters["q"] and len(page.object_list) < 3:
        shown = {e.pk for e in page.object_list}
        suggestions = [
            (e, s) for e, s in selectors.did_you_mean(user=request.user, q=filters["q"]) if e.pk not in shown
        ]
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "kinds": EntityKind.choices,
        "countries": list(country_registry),
        "did_you_mean": suggestions,
        "query": query_without_page(request),
        "can_link": has_perm(request.user, Perm.ENTITY_LINK),
    }
    return render(request, "entities/entity_list.html", context)


@login_required
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = selectors.entity_get(user=request.user, pk=pk)
    graph = selectors.entity_graph(user=request.user, entity=entity)
    context: dict[str, Any] = {
        "entity": entity,
        "aliases": selectors.entity_aliases(user=request.user, entity=entity),
        "records": selectors.entity_records(user=request.user, entity=entity),
        "suggested": selectors.entity_suggested_links(user=request.user, entity=entity),
        "graph": graph,
        "edges": graph_layout.svg_edges(graph),
        "graph_rows": graph_layout.table_rows(graph),
        "width": graph_layout.WIDTH,
        "height": graph_layout.HEIGHT,
        "can_link": has_perm(request.user, Perm.ENTITY_LINK),
        "decided": selectors.entity_decided_links(user=request.user, entity=entity),
    }
    return render(request, "entities/entity_detail.html", context)


@login_required
def entity_link_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Find another entity of the same kind to mark as the same (or not): the results alone for
    htmx, the whole page without JavaScript."""
    entity = selectors.entity_get(user=request.user, pk=pk)
    require(request.user, Perm.ENTITY_LINK)
    q = request.GET.get("q", "").strip()[:200]
    candidates = selectors.link_candidates(user=request.user, entity=entity, q=q) if q else []
    context = {"entity": entity, "q": q, "candidates": candidates, "statuses": dict(LinkStatus.choices)}
    if request.headers.get("HX-Request"):
        return render(request, "entities/_link_candidates.html", context)
    return render(request, "entities/entity_link_search.html", context)


@login_required
@require_POST
def entity_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    entity = selectors.entity_get(user=request.user, pk=pk)
    require(request.user, Perm.ENTITY_LINK)
    other = selectors.entity_get(user=request.user, pk=request.POST.get("other", ""))
    decision = request.POST.get("decision", "")
    try:
        services.link_set(actor=request.user, entity=entity, other=other, decision=decision,
                          note=request.POST.get("note", ""))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        search = reverse("entities:entity-link-search", args=[entity.pk])
        return redirect(f"{search}?{urlencode({'q': request.POST.get('q', '')})}")
    if decision == "same":
        messages.success(request, _("“%(a)s” and “%(b)s” are now the same entity.") % {
            "a": entity.name, "b": other.name})  # fmt: skip
    else:
        messages.success(request, _("“%(a)s” and “%(b)s” are marked as not the same; they will not be suggested.")
                         % {"a": entity.name, "b": other.name})  # fmt: skip
    return redirect("entities:entity-detail", pk=entity.pk)


@login_required
def link_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", LinkStatus.SUGGESTED)
    if status not in LinkStatus.values:
        status = LinkStatus.SUGGESTED
    page = paginate(request, selectors.link_list(user=request.user, status=status), count_cap=COUNT_CAP)
    links = list(page.object_list)
    counts = selectors.link_records_count(user=request.user, links=links)
    for link in links:
        link.records_a = counts.get(link.entity_a_id, 0)  # type: ignore[attr-defined]
        link.records_b = counts.get(link.entity_b_id, 0)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "links": links,
        "status": status,
        "statuses": LinkStatus.choices,
        "query": query_without_page(request),
    }
    return render(request, "entities/link_list.html", context)


@login_required
@require_POST
def link_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    link = selectors.link_get(user=request.user, pk=pk)
    status = {"confirm": LinkStatus.CONFIRMED, "reject": LinkStatus.REJECTED}.get(decision, "")
    try:
        services.link_decide(actor=request.user, link=link, status=status, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if status == LinkStatus.CONFIRMED:
            messages.success(request, _("“%(a)s” and “%(b)s” are now the same entity.") % {
                "a": link.entity_a.name, "b": link.entity_b.name})  # fmt: skip
        else:
            messages.success(request, _("The suggestion was rejected; it will not be made again."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("entities:link-list")

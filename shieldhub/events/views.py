"""Pages of events: list, detail (agenda and calendar pages live in their own modules)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shieldhub.core.access import Perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.events import forms, panels_invitations, panels_operations, panels_registrations, selectors


def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EVENTS_VIEW)
    form = forms.EventFilterForm(request.GET or None)
    page = paginate(request, selectors.event_list(user=request.user, filters=form.filters()))
    return render(request, "events/event_list.html", {"form": form, "page": page, "query": query_without_page(request)})


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    context: dict[str, Any] = {"event": event}
    for panel in (panels_invitations, panels_registrations, panels_operations):
        context.update(panel.detail_context(request, event))
    return render(request, "events/event_detail.html", context)

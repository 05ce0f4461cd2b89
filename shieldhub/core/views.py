from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shieldhub.core import selectors
from shieldhub.core.access import user_perms
from shieldhub.core.forms import AuditFilterForm
from shieldhub.core.pagination import COUNT_CAP, paginate, query_without_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"perms": user_perms(request.user)})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_list(user=request.user, filters=filters)
    page = paginate(request, entries, count_cap=COUNT_CAP)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query_without_page(request)})


@login_required
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    entry = selectors.audit_get(user=request.user, seq=seq)
    return render(request, "core/audit_detail.html", {"entry": entry})


def not_found(request: HttpRequest) -> HttpResponse:
    """For routes a bundled app provides that this project switches off."""
    raise Http404

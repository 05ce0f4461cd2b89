"""The analysis home page: what the reader may open (dashboards, country profiles, open sources,
indicators, donor reports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shieldhub.core.access import Perm, require


@login_required
def analysis_home(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ANALYSIS_VIEW)
    return render(request, "analysis/home.html")

"""Country profiles: the index (map and list), a country's page, its PDF fact sheet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from shieldhub.analysis import profiles
from shieldhub.core.access import Perm, require
from shieldhub.seizures.selectors import min_cell


@login_required
def country_index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ANALYSIS_VIEW)
    return render(request, "analysis/profiles/index.html", profiles.country_index(user=request.user))


@login_required
def country_profile(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Perm.ANALYSIS_VIEW)
    profile = profiles.country_profile(user=request.user, code=code)
    return render(request, "analysis/profiles/profile.html", {"p": profile, "threshold": min_cell()})


@login_required
def country_pdf(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, Perm.ANALYSIS_VIEW)
    language = (translation.get_language() or "en")[:2]
    pdf = profiles.fact_sheet_pdf(user=request.user, code=code, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="fact-sheet-{code.upper()}.pdf"'
    return response

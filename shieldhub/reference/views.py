from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shieldhub.core.access import Perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.reference import selectors, services
from shieldhub.reference.forms import CatalogueFilterForm, CatalogueItemForm, ConvertForm, CountryFilterForm
from shieldhub.reference.models import CatalogueItem
from shieldhub.reference.text import tidy_decimal
from shieldhub.reference.units import UnknownUnit, normalise_unit, to_kg


def _errors_to_form(form: CatalogueItemForm, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, messages_ in errors.items():
        form.add_error(name if name in form.fields else None, messages_)


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    items = selectors.catalogue_list(user=request.user, q=f.get("q", ""), category=f.get("category", ""))
    page = paginate(request, items)
    return render(
        request,
        "reference/catalogue_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "searching": bool(f.get("q"))},
    )


def _convert(form: ConvertForm, item: CatalogueItem) -> dict[str, object] | None:
    """The converter's answer, or None with the reason added to the form."""
    if not form.is_valid():
        return None
    density = form.cleaned_data["density"]
    if density is None:
        density = item.density_kg_per_l
    try:
        unit = normalise_unit(form.cleaned_data["unit"])
        kg = to_kg(form.cleaned_data["quantity"], unit, density_kg_per_l=density)
    except ValueError as exc:
        form.add_error("unit" if isinstance(exc, UnknownUnit) else None, str(exc))
        return None
    return {
        "quantity": tidy_decimal(form.cleaned_data["quantity"], 6),
        "unit": unit,
        "kg": None if kg is None else tidy_decimal(kg, 3),
        "density": None if density is None else tidy_decimal(density, 4),
    }


@login_required
def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The item; `?quantity=&unit=` also converts a quantity to kg (an htmx request gets only that)."""
    item = selectors.catalogue_get(user=request.user, code=code)
    converting = "quantity" in request.GET
    form = ConvertForm(request.GET if converting else None)
    result = _convert(form, item) if converting else None
    context = {"item": item, "convert_form": form, "result": result, "converting": converting}
    htmx = getattr(request, "htmx", None)
    if converting and htmx and not htmx.history_restore_request:
        response = render(request, "reference/_convert_result.html", context)
    else:
        response = render(request, "reference/catalogue_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CATALOGUE_EDIT)
    form = CatalogueItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.catalogue_item_create(actor=request.user, data=form.service_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The catalogue item was created."))
            return redirect("reference:catalogue-detail", code=item.code)
    return render(request, "reference/catalogue_form.html", {"form": form, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_edit(request: HttpRequest, code: str) -> HttpResponse:
    item: CatalogueItem = selectors.catalogue_get(user=request.user, code=code)
    require(request.user, Perm.CATALOGUE_EDIT)
    initial = {name: getattr(item, name) for name in services.EDITABLE_FIELDS}
    form = CatalogueItemForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.catalogue_item_update(actor=request.user, item=item, data=form.service_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The catalogue item was saved."))
            return redirect("reference:catalogue-detail", code=item.code)
    return render(request, "reference/catalogue_form.html", {"form": form, "item": item})


@login_required
def hs_search(request: HttpRequest) -> HttpResponse:
    """A normal GET form; with htmx, each keystroke (debounced) fetches only the results."""
    q = request.GET.get("q", "").strip()
    limit = selectors.HS_SEARCH_LIMIT
    found = selectors.hs_search(user=request.user, q=q, limit=limit + 1)  # checks access even without q
    results = list(found) if q else []
    context = {"q": q, "results": results[:limit], "more": len(results) > limit, "limit": limit}
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "reference/_hs_results.html" if partial else "reference/hs_search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def hs_detail(request: HttpRequest, code: str) -> HttpResponse:
    detail = selectors.hs_get(user=request.user, code=code)
    return render(request, "reference/hs_detail.html", {"detail": detail, "hs": detail.code})


@login_required
def country_list(request: HttpRequest) -> HttpResponse:
    regions = list(selectors.region_list(user=request.user))
    form = CountryFilterForm(request.GET or None, regions=regions)
    f = form.cleaned_data if form.is_valid() else {}
    countries = selectors.country_list(
        user=request.user,
        region=f.get("region", ""),
        wco_member={"yes": True, "no": False}.get(f.get("wco_member", "")),
        q=f.get("q", ""),
    )
    page = paginate(request, countries, per_page=100)
    return render(
        request,
        "reference/country_list.html",
        {"form": form, "page": page, "query": query_without_page(request), "regions": regions},
    )

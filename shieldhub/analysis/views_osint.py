"""Open-source monitoring pages (`/analysis/open-sources/`): the triage list (one row per story,
htmx filters, works without JavaScript), an item with its tags and story, entering and uploading
items, triage buttons (htmx), turning an item into a seizure record draft or a message, and the
feeds with their fetch status and "Fetch now"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.analysis import forms_osint as forms
from shieldhub.analysis import osint
from shieldhub.analysis.choices import ItemStatus
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.reference.text import hs_display

_STATUS_BADGE = {
    ItemStatus.NEW: "badge",
    ItemStatus.RELEVANT: "badge badge-ok",
    ItemStatus.NOT_RELEVANT: "badge badge-muted",
}


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _country_names(codes: list[str]) -> list[str]:
    from django_countries import countries as registry

    return [str(registry.name(code)) or code for code in codes]


def _decorate(item: Any) -> Any:
    item.status_class = _STATUS_BADGE.get(item.status, "badge")
    item.country_names = _country_names(list(item.countries or []))
    item.hs_display = [hs_display(code) for code in item.hs_codes or []]
    return item


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.OSINT_USE)
    sources = list(osint.source_list(user=request.user).values_list("pk", "name"))
    form = forms.ItemFilterForm(request.GET or None, user=request.user, sources=sources)
    page = paginate(request, osint.item_list(user=request.user, filters=form.filters()))
    for item in page.object_list:
        _decorate(item)
    context = {"form": form, "page": page, "query": query_without_page(request), "statuses": ItemStatus}
    results = _is_htmx(request) and request.htmx.target == "results"  # type: ignore[attr-defined]
    return render(request, "analysis/osint/_item_table.html" if results else "analysis/osint/item_list.html", context)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _decorate(osint.item_get(user=request.user, pk=pk))
    story = [_decorate(other) for other in osint.item_group(user=request.user, item=item)]
    context: dict[str, Any] = {
        "item": item, "story": story, "statuses": ItemStatus,
        "seizure_form": forms.SeizureDraftForm(initial={"reporting_country": (item.countries or [""])[0]}),
        "can_report": has_perm(request.user, Perm.SEIZURE_REPORT),
        "can_message": has_perm(request.user, Perm.EXCHANGE_USE),
    }  # fmt: skip
    if context["can_message"] and not item.message_id:
        context["link_form"] = forms.LinkMessageForm(messages=_my_messages(request.user))
    return render(request, "analysis/osint/item_detail.html", context)


def _my_messages(user: Any) -> list[tuple[int, str]]:
    from shieldhub.exchange.selectors import sent_list

    return [(m.pk, m.subject) for m in sent_list(user=user).only("pk", "subject")[:20]]


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.OSINT_USE)
    form = forms.ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = osint.item_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Item added and tagged."))
            return redirect("analysis:osint-item-detail", pk=item.pk)
    return render(request, "analysis/osint/item_form.html", {"form": form})


@login_required
def item_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.OSINT_USE)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > osint.MAX_UPLOAD_BYTES:
            errors = [_("The file is larger than 2 MB.")]
        else:
            try:
                created = osint.items_upload(actor=request.user, name=upload.name, content=upload.read())
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(request, _("%(n)s items added.") % {"n": len(created)})
                return redirect("analysis:osint-item-list")
    return render(request, "analysis/osint/item_upload.html", {"form": form, "errors": errors})


@require_POST
@login_required
def item_triage(request: HttpRequest, pk: int) -> HttpResponse:
    item = osint.item_get(user=request.user, pk=pk)
    try:
        osint.item_triage(actor=request.user, item=item, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if _is_htmx(request):
        context = {"item": _decorate(item), "statuses": ItemStatus, "compact": bool(request.POST.get("compact"))}
        return render(request, "analysis/osint/_triage.html", {**context, "next": request.POST.get("next", "")})
    next_url = str(request.POST.get("next", ""))
    if next_url.startswith("/analysis/open-sources/"):  # back to the filtered list (same site only)
        return redirect(next_url)
    return redirect("analysis:osint-item-detail", pk=pk)


@require_POST
@login_required
def item_seizure(request: HttpRequest, pk: int) -> HttpResponse:
    item = osint.item_get(user=request.user, pk=pk)
    form = forms.SeizureDraftForm(request.POST)
    form.is_valid()
    try:
        incident = osint.item_to_seizure(
            actor=request.user, item=item, reporting_country=form.cleaned_data.get("reporting_country", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("analysis:osint-item-detail", pk=pk)
    messages.success(request, _("Seizure record draft created: check it, complete it and submit it."))
    return redirect("seizures:incident-edit", pk=incident.pk)


@login_required
def item_message(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the exchange's compose page, prefilled; POST: link a message already sent."""
    item = osint.item_get(user=request.user, pk=pk)
    require(request.user, Perm.EXCHANGE_USE)
    if request.method != "POST":
        return redirect(osint.message_compose_url(item))
    form = forms.LinkMessageForm(request.POST, messages=_my_messages(request.user))
    if form.is_valid():
        try:
            osint.item_link_message(actor=request.user, item=item, message_id=form.cleaned_data["message"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Message linked to the item."))
    else:
        messages.error(request, _("Choose one of your messages."))
    return redirect("analysis:osint-item-detail", pk=pk)


# --- feeds ------------------------------------------------------------------------------------


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    sources = list(osint.source_list(user=request.user))
    return render(request, "analysis/osint/source_list.html", {"sources": sources})


@login_required
def source_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, Perm.OSINT_USE, hide=pk is not None)
    source = osint.source_get(user=request.user, pk=pk) if pk is not None else None
    initial = forms.SourceForm.initial_from(source) if source else None
    form = forms.SourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if source is None:
                osint.source_create(actor=request.user, data=form.cleaned_data)
                messages.success(request, _("Feed added: it will be fetched within a few minutes."))
            else:
                osint.source_update(actor=request.user, source=source, data=form.cleaned_data)
                messages.success(request, _("Feed saved."))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("analysis:osint-source-list")
    return render(request, "analysis/osint/source_form.html", {"form": form, "source": source})


@require_POST
@login_required
def source_fetch(request: HttpRequest, pk: int) -> HttpResponse:
    source = osint.source_get(user=request.user, pk=pk)
    osint.source_fetch_now(actor=request.user, source=source)
    messages.success(request, _("The feed is being fetched: reload the page in a moment to see the result."))
    return redirect("analysis:osint-source-list")

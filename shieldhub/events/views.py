"""Pages of events: the list, the event page (facts in the reader's language, the agenda, and the
sub-domains' panels), the event form, status changes, the agenda's sessions, the printable agenda,
calendar files, the month calendar and the personal calendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.events import (
    agenda,
    forms,
    panels_invitations,
    panels_operations,
    panels_registrations,
    selectors,
    services,
)
from shieldhub.events import calendar as cal
from shieldhub.events.choices import EventStatus
from shieldhub.events.models import Event

STATUS_BADGE: dict[str, str] = {
    EventStatus.DRAFT: "badge badge-muted", EventStatus.ANNOUNCED: "badge",
    EventStatus.NOMINATIONS_OPEN: "badge badge-ok", EventStatus.CLOSED: "badge badge-warn",
    EventStatus.HELD: "badge badge-muted", EventStatus.CANCELLED: "badge badge-err",
}  # fmt: skip


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _language(request: HttpRequest) -> str:
    """The language of a document: `?lang=en|fr`, else the reader's."""
    asked = request.GET.get("lang", "")
    if asked in ("en", "fr"):
        return asked
    return "fr" if (translation.get_language() or "").startswith("fr") else "en"


def _decorate(events: list[Event]) -> None:
    for event in events:
        event.status_class = STATUS_BADGE.get(event.status, "badge")  # type: ignore[attr-defined]
        event.local = agenda.event_local_times(event)  # type: ignore[attr-defined]


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EVENTS_VIEW)
    form = forms.EventFilterForm(request.GET or None)
    page = paginate(request, selectors.event_list(user=request.user, filters=form.filters()))
    _decorate(list(page.object_list))
    context = {
        "form": form, "page": page, "query": query_without_page(request),
        "can_manage": has_perm(request.user, Perm.EVENTS_MANAGE),
    }  # fmt: skip
    is_results = bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]
    return render(request, "events/_event_table.html" if is_results else "events/event_list.html", context)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    sessions = list(selectors.session_list(user=request.user, event=event))
    can_manage = has_perm(request.user, Perm.EVENTS_MANAGE)
    allowed = services.allowed_statuses(event) if can_manage else ()
    context: dict[str, Any] = {
        "event": event,
        "times": agenda.event_local_times(event),
        "agenda_days": agenda.agenda_days(event, sessions),
        "session_count": len(sessions),
        "organisers": list(event.organisers.all()),
        "status_class": STATUS_BADGE.get(event.status, "badge"),
        "can_manage": can_manage,
        "can_edit_agenda": can_manage and event.status != EventStatus.CANCELLED,
        "status_form": forms.StatusForm(allowed=allowed) if allowed else None,
    }
    for panel in (panels_invitations, panels_registrations, panels_operations):
        context.update(panel.detail_context(request, event))
    return render(request, "events/event_detail.html", context)


def _event_form_page(request: HttpRequest, form: forms.EventForm, event: Event | None) -> HttpResponse:
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE)
    if request.method == "POST":
        form = forms.EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(actor=request.user, data=form.event_data())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The event was created as a draft."))
                return redirect("events:event-detail", pk=event.pk)
    else:
        form = forms.EventForm(initial={"organisers": [str(request.user.pk)]})
    return _event_form_page(request, form, None)


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = forms.EventForm(request.POST)
        if form.is_valid():
            try:
                services.event_update(actor=request.user, event=event, data=form.event_data())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The event was saved."))
                return redirect("events:event-detail", pk=event.pk)
    else:
        form = forms.EventForm(initial=forms.EventForm.initial_from(event))
    return _event_form_page(request, form, event)


@login_required
@require_POST
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    form = forms.StatusForm(request.POST, allowed=services.allowed_statuses(event))
    if form.is_valid():
        try:
            services.event_set_status(
                actor=request.user, event=event, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The event's status was changed."))
    else:
        messages.error(request, _("Choose one of the statuses offered."))
    return redirect("events:event-detail", pk=event.pk)


# --- agenda --------------------------------------------------------------------------------------


def _session_form_page(request: HttpRequest, form: forms.SessionForm, event: Event, session: Any) -> HttpResponse:
    context = {"form": form, "event": event, "session": session, "times": agenda.event_local_times(event)}
    return render(request, "events/session_form.html", context)


def _save_session(request: HttpRequest, event: Event, session: Any) -> HttpResponse:
    initial = forms.SessionForm.initial_from(session) if session is not None else {}
    if request.method != "POST":
        return _session_form_page(
            request, forms.SessionForm(initial=initial, event=event, user=request.user), event, session
        )
    form = forms.SessionForm(request.POST, event=event, user=request.user)
    if "find" in request.POST:  # the people search without JavaScript: show the form again with the matches
        return _session_form_page(request, form, event, session)
    if form.is_valid():
        try:
            if session is None:
                services.session_create(actor=request.user, event=event, data=form.session_data())
            else:
                services.session_update(actor=request.user, session=session, data=form.session_data())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The agenda was saved."))
            return redirect(reverse("events:event-detail", args=[event.pk]) + "#agenda")
    return _session_form_page(request, form, event, session)


@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    return _save_session(request, selectors.event_get(user=request.user, pk=pk), None)


@login_required
def session_edit(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    return _save_session(request, event, selectors.session_get(user=request.user, event=event, pk=session_pk))


@login_required
@require_POST
def session_delete(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    session = selectors.session_get(user=request.user, event=event, pk=session_pk)
    try:
        services.session_delete(actor=request.user, session=session)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The session was removed from the agenda."))
    return redirect(reverse("events:event-detail", args=[event.pk]) + "#agenda")


@login_required
@require_GET
def session_people(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the rows of people matching the search box of the session form (those not yet chosen)."""
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    form = forms.SessionForm(request.GET, event=event, user=request.user)
    rows = [row for row in form.people_rows() if not row["chosen"]]
    return render(request, "events/_session_people_rows.html", {"rows": rows, "searched": form._people_q()})


@login_required
def agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    language = _language(request)
    pdf = agenda.agenda_pdf(event, list(selectors.session_list(user=request.user, event=event)), language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(event.title_in(language))[:60] or "event"
    response["Content-Disposition"] = f'inline; filename="agenda-{name}-{language}.pdf"'
    return response


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    events = selectors.events_with_agenda(selectors.event_list(user=request.user).filter(pk=event.pk))
    language = _language(request)
    name = slugify(event.title_in(language))[:60] or "event"
    return _ics_response(cal.build_ics(events, language=language), f"{name}.ics")


# --- the calendar --------------------------------------------------------------------------------


def _month(request: HttpRequest) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
        if not 1900 < year < 2200:
            raise ValueError
    except ValueError:
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@login_required
def event_calendar(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EVENTS_VIEW)
    year, month = _month(request)
    zone = timezone.get_current_timezone()
    start, end = cal.month_bounds(year, month, zone)
    events = list(selectors.event_calendar(user=request.user, start=start, end=end))
    _decorate(events)
    weeks = cal.month_grid(year, month, events, zone)
    first = dt.datetime.combine(dt.date(year, month, 1), dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(_first_of(year, month, 1), dt.time.min, tzinfo=zone)
    month_events = [e for e in events if e.starts_at < after and e.ends_at >= first]
    context = {
        "weeks": weeks,
        "month_start": dt.date(year, month, 1),
        "prev_month": _shift(year, month, -1),
        "next_month": _shift(year, month, 1),
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "month_events": month_events,
        "zone_name": str(zone),
        "has_feed": selectors.has_calendar_feed(user=request.user),
    }
    return render(request, "events/event_calendar.html", context)


def _first_of(year: int, month: int, delta: int) -> dt.date:
    index = year * 12 + (month - 1) + delta
    return dt.date(index // 12, index % 12 + 1, 1)


@login_required
@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    """A new secret link for the person's calendar feed, shown once on the page."""
    raw = services.calendar_feed_regenerate(actor=request.user)
    url = settings.SITE_URL + reverse("events:calendar-feed", args=[raw])
    return render(request, "events/calendar_feed.html", {"feed_url": url})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed: a calendar application fetches it without a session, with the secret link."""
    user = services.calendar_feed_user(token)
    if user is None or not has_perm(user, Perm.EVENTS_VIEW):
        raise Http404
    language = user.language if user.language in ("en", "fr") else "en"
    with translation.override(language):
        name = _("Global Shield events")
    body = cal.build_ics(selectors.event_feed(user=user), language=language, name=name)
    response = _ics_response(body, "global-shield-events.ics")
    response["Cache-Control"] = "private, max-age=900"
    return response

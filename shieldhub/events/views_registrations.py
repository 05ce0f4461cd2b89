"""Pages of registrations: an event's registrations (approve, reject, waiting list, withdraw,
register by hand), a registration (passport details for `events.personal_data` holders only), the
participant list (XLSX, PDF), badges, attendance (by badge code or by ticking a list), certificates,
the evaluation form and its summary, and the training records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shieldhub.core.access import Perm, passport_visible, require
from shieldhub.core.pagination import paginate, query_without_page
from shieldhub.directory.selectors import person_list
from shieldhub.events import (
    certificates,
    evaluations,
    participants,
    registrations,
    selectors,
    training,
)
from shieldhub.events import forms_registrations as forms
from shieldhub.events.choices import CheckInMethod, EventKind, RegistrationStatus
from shieldhub.events.models import Event, Registration

STATUS_CLASS = {
    "approved": "badge badge-ok", "pending": "badge badge-warn", "waiting": "badge", "rejected": "badge badge-err",
    "withdrawn": "badge badge-muted",
}  # fmt: skip


def status_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    """One row per status (in order) with its label, count and badge class."""
    return [
        {"value": value, "label": label, "count": counts.get(value, 0), "class": STATUS_CLASS.get(value, "badge")}
        for value, label in RegistrationStatus.choices
    ]


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _file(data: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _slug(event: Event) -> str:
    return slugify(event.title_en)[:40] or f"event-{event.pk}"


def _managed_event(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_get(user=request.user, pk=pk)
    if not registrations.can_manage(request.user):
        raise Http404
    return event


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- registrations -----------------------------------------------------------------------------


@login_required
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    form = forms.RegistrationFilterForm(request.GET or None)
    qs = registrations.registration_list_for_event(user=request.user, event=event, filters=form.filters())
    page = paginate(request, qs)
    for r in page.object_list:
        r.status_class = STATUS_CLASS.get(r.status, "badge")  # type: ignore[attr-defined]
    context = {
        "event": event,
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_manage": registrations.can_manage(request.user),
        "statuses": status_rows(registrations.status_counts(event, user=request.user)),
        "approved": registrations.approved_count(event),
        "reject_form": forms.DecisionNoteForm(),
    }
    return render(request, "events/registrations/registration_list.html", context)


@login_required
def registration_create(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = None
        email = form.cleaned_data.get("contact_email")
        if email:
            person = person_list(user=request.user).filter(email__iexact=email).first()
            if person is None:
                form.add_error("contact_email", _("No contact in the directory has this email."))
        if not form.errors:
            try:
                reg = registrations.registration_create(
                    actor=request.user, event=event, data=form.data_for_service(), person=person
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(request, _("%(name)s is registered (pending approval).") % {"name": reg.full_name})
                return redirect("events:registration-list", pk=event.pk)
    return render(request, "events/registrations/registration_form.html", {"event": event, "form": form})


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reg = registrations.registration_get(user=request.user, pk=pk)
    if not (registrations.can_list(request.user) or reg.user_id == request.user.pk):
        raise Http404
    context = {
        "r": reg,
        "event": reg.event,
        "status_class": STATUS_CLASS.get(reg.status, "badge"),
        "passport": registrations.passport_get(user=request.user, registration=reg),
        "passport_visible": passport_visible(request.user),
        "can_manage": registrations.can_manage(request.user),
        "attendances": reg.attendances.select_related("session", "checked_in_by").order_by("checked_in_at"),
        "certificate": getattr(reg, "certificate", None) if hasattr(reg, "certificate") else None,
        "reject_form": forms.DecisionNoteForm(),
    }
    return render(request, "events/registrations/registration_detail.html", context)


ACTIONS: dict[str, tuple[Callable[..., Registration], bool]] = {
    "approve": (registrations.registration_approve, False),
    "reject": (registrations.registration_reject, True),
    "wait": (registrations.registration_wait, False),
    "withdraw": (registrations.registration_withdraw, True),
}


@login_required
@require_POST
def registration_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    reg = registrations.registration_get(user=request.user, pk=pk)
    service, takes_note = ACTIONS[action]
    kwargs: dict[str, Any] = {"actor": request.user, "registration": reg}
    if takes_note:
        kwargs["note"] = request.POST.get("note", "")[:2000]
    try:
        service(**kwargs)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s.") % {"name": reg.full_name, "status": reg.get_status_display()},
        )
    target = request.POST.get("next") or ""
    if target == "detail":
        return redirect("events:registration-detail", pk=reg.pk)
    return redirect(
        reverse("events:registration-list", args=[reg.event_id])
        + (f"?{query}" if (query := request.POST.get("query", "")) else "")
    )


# --- exports and badges ------------------------------------------------------------------------


@login_required
def participants_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    data = participants.participants_xlsx(user=request.user, event=event)
    return _file(
        data,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"participants-{_slug(event)}.xlsx",
    )


@login_required
def participants_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    data = participants.participants_pdf(user=request.user, event=event, language=get_language() or "en")
    return _file(data, "application/pdf", f"participants-{_slug(event)}.pdf")


@login_required
def badges_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    layout = request.GET.get("layout", "a6")
    subset = None
    if request.GET.get("registration"):
        reg = registrations.registration_get_managed(user=request.user, pk=request.GET["registration"])
        if reg.event_id != event.pk:
            raise Http404
        subset = [reg]
    data = participants.badges_pdf(user=request.user, event=event, layout=layout, registrations=subset)
    return _file(data, "application/pdf", f"badges-{_slug(event)}.pdf")


# --- attendance --------------------------------------------------------------------------------


def _session_key(event: Event) -> str:
    return f"events.checkin_session.{event.pk}"


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    chosen = request.POST.get("session") if request.method == "POST" else request.GET.get("session")
    if chosen is None:
        chosen = request.session.get(_session_key(event), "")
    session = participants.session_for(event, chosen)
    request.session[_session_key(event)] = str(session.pk) if session else ""
    code_form = forms.CheckInCodeForm(request.POST or None)
    if request.method == "POST" and code_form.is_valid():
        try:
            reg = participants.registration_by_code(user=request.user, code=code_form.cleaned_data["code"], event=event)
            _row, created = participants.attendance_record(
                actor=request.user, registration=reg, session=session, method=CheckInMethod.QR
            )
        except Http404:
            code_form.add_error("code", _("No participant of this event has this badge code."))
        except ValidationError as exc:
            code_form.add_error("code", _errors(exc))
        else:
            if created:
                messages.success(request, _("%(name)s is checked in.") % {"name": reg.full_name})
            else:
                messages.info(request, _("%(name)s was already checked in.") % {"name": reg.full_name})
            return redirect(reverse("events:attendance", args=[event.pk]) + f"?session={session.pk if session else ''}")
    sheet = participants.attendance_sheet(user=request.user, event=event, session=session)
    context = {
        "event": event,
        "session": session,
        "sessions": list(event.sessions.all()),
        "sheet": sheet,
        "present": sum(1 for r in sheet if getattr(r, "attended", None)),
        "code_form": code_form,
    }
    return render(request, "events/registrations/attendance.html", context)


@login_required
@require_POST
def attendance_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick or untick one participant for the session (htmx: the row; without JavaScript: the page)."""
    reg = registrations.registration_get_managed(user=request.user, pk=pk)
    event = reg.event
    session = participants.session_for(event, request.POST.get("session"))
    present = request.POST.get("present") == "1"
    error = ""
    try:
        if present:
            participants.attendance_record(actor=request.user, registration=reg, session=session)
        else:
            participants.attendance_remove(actor=request.user, registration=reg, session=session)
    except ValidationError as exc:
        error = _errors(exc)
    if _is_htmx(request):
        row: Any = reg
        row.attended = reg.attendances.filter(session=session).select_related("checked_in_by").first()
        return render(
            request,
            "events/registrations/_attendance_row.html",
            {"r": row, "session": session, "event": event, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("events:attendance", args=[event.pk]) + f"?session={session.pk if session else ''}")


@login_required
def checkin_code(request: HttpRequest, code: str) -> HttpResponse:
    """The page a badge's QR code opens: confirm to record attendance for the chosen session."""
    reg = participants.registration_by_code(user=request.user, code=code)
    event = reg.event
    selectors.event_get(user=request.user, pk=event.pk)
    chosen = request.POST.get("session") if request.method == "POST" else request.GET.get("session")
    if chosen is None:
        chosen = request.session.get(_session_key(event), "")
    session = participants.session_for(event, chosen)
    if request.method == "POST":
        request.session[_session_key(event)] = str(session.pk) if session else ""
        try:
            _row, created = participants.attendance_record(
                actor=request.user, registration=reg, session=session, method=CheckInMethod.QR
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            if created:
                messages.success(request, _("%(name)s is checked in.") % {"name": reg.full_name})
            else:
                messages.info(request, _("%(name)s was already checked in.") % {"name": reg.full_name})
        return redirect(reverse("events:checkin-code", args=[code]) + f"?session={session.pk if session else ''}")
    context = {
        "r": reg,
        "event": event,
        "session": session,
        "sessions": list(event.sessions.all()),
        "already": reg.attendances.filter(session=session).first(),
        "status_class": STATUS_CLASS.get(reg.status, "badge"),
    }
    return render(request, "events/registrations/checkin.html", context)


# --- certificates ------------------------------------------------------------------------------


@login_required
def certificate_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    if request.method == "POST":
        ids = None
        if request.POST.get("scope") != "all":
            ids = [int(v) for v in request.POST.getlist("registration") if v.isdigit()]
        try:
            issued = certificates.certificates_issue(actor=request.user, event=event, registration_ids=ids)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("%(count)d certificate(s) issued.") % {"count": len(issued)})
        return redirect("events:certificate-list", pk=event.pk)
    rows = list(certificates.attended(event).select_related("certificate"))
    context = {
        "event": event,
        "rows": rows,
        "issued": sum(1 for r in rows if hasattr(r, "certificate")),
        "is_training": event.kind == EventKind.TRAINING,
    }
    return render(request, "events/registrations/certificates.html", context)


@login_required
def certificates_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    regs = certificates.certificates_for_download(user=request.user, event=event)
    if not regs:
        raise Http404
    data = certificates.certificate_pdf(regs)
    certificates.audit_download(request.user, event, len(regs))
    return _file(data, "application/pdf", f"certificates-{_slug(event)}.pdf")


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    reg = registrations.registration_get(user=request.user, pk=pk)
    if not (registrations.can_list(request.user) or reg.user_id == request.user.pk):
        raise Http404
    cert = certificates.certificate_get(user=request.user, registration=reg)
    data = certificates.certificate_pdf([reg])
    certificates.audit_download(request.user, reg.event, 1)
    return _file(data, "application/pdf", f"certificate-{cert.number}.pdf")


# --- evaluation --------------------------------------------------------------------------------


def _evaluation_page(request: HttpRequest, reg: Registration, *, actor: Any, action: str) -> HttpResponse:
    answered = hasattr(reg, "evaluation") and reg.evaluation is not None
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            evaluations.evaluation_submit(actor=actor, registration=reg, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return render(request, "events/registrations/evaluation_thanks.html", {"event": reg.event})
    context = {
        "event": reg.event,
        "form": form,
        "answered": answered,
        "open": not answered and evaluations.eligible(reg),
        "action": action,
    }
    return render(request, "events/registrations/evaluation_form.html", context)


@login_required
def evaluation_form(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    reg = evaluations.registration_for_user(user=request.user, event=event)
    if reg is None:
        raise Http404
    return _evaluation_page(request, reg, actor=request.user, action=reverse("events:evaluation-form", args=[pk]))


def evaluation_by_code(request: HttpRequest, code: str) -> HttpResponse:
    """The evaluation form through the link sent with the certificate (no account needed)."""
    reg = evaluations.registration_for_code(code)
    actor = request.user if getattr(request.user, "is_authenticated", False) else None
    return _evaluation_page(request, reg, actor=actor, action=reverse("events:evaluation-by-code", args=[code]))


@login_required
def evaluation_summary(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    summary = evaluations.evaluation_summary(user=request.user, event=event)
    return render(request, "events/registrations/evaluation_summary.html", {"event": event, **summary})


# --- training records --------------------------------------------------------------------------


@login_required
def training_record_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRAINING_RECORDS, hide=True)
    form = forms.TrainingFilterForm(request.GET or None)
    qs = training.training_record_list(user=request.user, filters=form.filters())
    if request.GET.get("format") == "xlsx":
        return _file(
            training.training_records_xlsx(user=request.user, filters=form.filters()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "training-records.xlsx",
        )
    page = paginate(request, qs)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "totals": training.training_totals(qs),
    }
    return render(request, "events/registrations/training_records.html", context)


@login_required
def training_record_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.TRAINING_RECORDS, hide=True)
    form = forms.TrainingRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training.training_record_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The training record is saved."))
            return redirect("events:training-record-list")
    return render(request, "events/registrations/training_record_form.html", {"form": form})

"""Pages of invitations: letter templates, the invitations of an event (selection, preview, letters,
sending, reminders) and nominations (an NCP signed in, or the single-use link without an account)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shieldhub.accounts.forms import add_service_errors
from shieldhub.core import files
from shieldhub.core.access import Perm, require
from shieldhub.events import forms_invitations as forms
from shieldhub.events import invitations, letters, nominations, selectors
from shieldhub.events.choices import InvitationStatus


def _download(data: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- letter templates ----------------------------------------------------------------------------


@login_required
def letter_template_list(request: HttpRequest) -> HttpResponse:
    templates = list(letters.letter_template_list(user=request.user))
    if not templates:
        letters.letter_templates_ensure_defaults()
        templates = list(letters.letter_template_list(user=request.user))
    events = selectors.event_list(user=request.user)
    form = forms.LetterTemplateUploadForm(request.POST or None, request.FILES or None, events=events)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letters.letter_template_upload(
                actor=request.user,
                file=d["file"],
                name=d["name"],
                kind=d["kind"],
                language=d["language"],
                event=d["event"],
                make_default=d["make_default"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Template uploaded. A test letter was filled without errors."))
            return redirect("events:letter-template-list")
    context = {"templates": templates, "form": form, "placeholders": letters.PLACEHOLDERS}
    return render(request, "events/invitations/letter_templates.html", context, status=400 if form.errors else 200)


@login_required
def letter_template_download(request: HttpRequest, pk: int) -> HttpResponse:
    template = letters.letter_template_get(user=request.user, pk=pk)
    return _download(bytes(template.content), template.filename, files.DOCX)


@login_required
@require_POST
def letter_template_default(request: HttpRequest, pk: int) -> HttpResponse:
    template = letters.letter_template_get(user=request.user, pk=pk)
    letters.letter_template_set_default(actor=request.user, template=template)
    messages.success(request, _("“%(name)s” is now the default.") % {"name": template.name})
    return redirect("events:letter-template-list")


@login_required
@require_POST
def letter_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = letters.letter_template_get(user=request.user, pk=pk)
    try:
        letters.letter_template_delete(actor=request.user, template=template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Template deleted."))
    return redirect("events:letter-template-list")


# --- the invitations of an event -----------------------------------------------------------------


@login_required
def invitation_list(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    if status not in InvitationStatus.values:
        status = ""
    items = invitations.invitation_list_for_event(user=request.user, event=event, status=status)
    context = {
        "event": event,
        "invitations": items,
        "status": status,
        "counts": invitations.status_counts(user=request.user, event=event),
        "statuses": InvitationStatus.choices,
        "can_manage": invitations.can_manage(request.user),
    }
    return render(request, "events/invitations/invitation_list.html", context)


@login_required
def invitation_select(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    data = (request.POST if request.method == "POST" else request.GET).copy() or None
    if data is not None:  # a preview shows the defaults of the fields it does not carry yet
        data.setdefault("seats", "2")
        if event.reply_by:
            data.setdefault("reply_by", event.reply_by.isoformat())
    form = forms.SelectionForm(data, user=request.user, initial={"reply_by": event.reply_by})
    candidates: list[invitations.Candidate] = []
    found_people: list[Any] = []
    if form.is_bound and form.is_valid():
        selection = form.selection()
        if form.has_selection():
            candidates = invitations.invitation_candidates(user=request.user, event=event, **selection)
        q = form.cleaned_data.get("q") or ""
        if len(q.strip()) >= 2:
            from shieldhub.directory import selectors as directory

            found_people = list(directory.person_list(user=request.user, filters={"q": q})[:20])
        if request.method == "POST" and request.POST.get("create"):
            chosen = set(request.POST.getlist("chosen"))
            picked = [c for c in candidates if c.key in chosen and not c.already_invited]
            if not picked:
                form.add_error(None, _("Tick at least one addressee not yet invited."))
            else:
                created = invitations.invitation_create_from_selection(
                    actor=request.user,
                    event=event,
                    candidates=picked,
                    seats=form.cleaned_data.get("seats") or 2,
                    reply_by=form.cleaned_data.get("reply_by"),
                )
                messages.success(
                    request,
                    ngettext(
                        "%(n)s invitation prepared. Check the letter, then send it.",
                        "%(n)s invitations prepared. Check the letters, then send them.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect("events:invitation-list", pk=event.pk)
    context = {
        "event": event,
        "form": form,
        "candidates": candidates,
        "found_people": found_people,
        "picked": form.selection()["people"] if form.is_bound and form.is_valid() else [],
    }
    return render(request, "events/invitations/invitation_select.html", context)


@login_required
@require_POST
def invitation_send_all(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.EVENTS_MANAGE, hide=True)
    event = selectors.event_get(user=request.user, pk=pk)
    sent, problems = invitations.invitation_send_all(actor=request.user, event=event)
    messages.success(request, ngettext("%(n)s invitation sent.", "%(n)s invitations sent.", sent) % {"n": sent})
    for problem in problems:
        messages.error(request, problem)
    return redirect("events:invitation-list", pk=event.pk)


# --- one invitation ------------------------------------------------------------------------------


def _edit_initial(invitation: Any) -> dict[str, Any]:
    wording = letters.default_wording(invitation.event, invitation.language)
    wording.update({k: v for k, v in (invitation.overrides or {}).items() if v})
    return {
        **wording,
        "seats": invitation.seats,
        "reply_by": invitation.reply_by,
        "language": invitation.language,
    }


@login_required
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitations.invitation_get(user=request.user, pk=pk)
    can_manage = invitations.can_manage(request.user)
    form = None
    if can_manage and invitation.status == InvitationStatus.DRAFT:
        form = forms.LetterEditForm(request.POST or None, request.FILES or None, initial=_edit_initial(invitation))
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            defaults = letters.default_wording(invitation.event, d["language"])
            overrides = {k: v for k, v in form.overrides().items() if v and v.strip() != defaults.get(k, "").strip()}
            try:
                invitations.invitation_update_letter(
                    actor=request.user,
                    invitation=invitation,
                    overrides=overrides,
                    seats=d["seats"],
                    reply_by=d.get("reply_by"),
                    language=d["language"],
                    docx_file=d.get("docx"),
                    clear_docx=d.get("clear_docx", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Letter saved."))
                return redirect("events:invitation-detail", pk=invitation.pk)
    elif request.method == "POST":
        raise Http404
    context = {
        "invitation": invitation,
        "event": invitation.event,
        "form": form,
        "can_manage": can_manage,
        "may_answer": invitations.may_answer(request.user, invitation),
        "registrations": invitation.registrations.order_by("family_name", "given_name", "pk"),
    }
    return render(
        request, "events/invitations/invitation_detail.html", context, status=400 if form and form.errors else 200
    )


@login_required
def invitation_letter(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    invitation = invitations.invitation_get(user=request.user, pk=pk)
    if fmt == "docx":
        return _download(letters.letter_docx(invitation), letters.letter_filename(invitation, "docx"), files.DOCX)
    if fmt == "pdf":
        data = letters.letter_pdf(invitation)
        inline = request.GET.get("inline") == "1"
        return _download(data, letters.letter_filename(invitation, "pdf"), files.PDF, inline=inline)
    raise Http404


@login_required
@require_POST
def invitation_send(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitations.invitation_get_managed(user=request.user, pk=pk)
    try:
        invitations.invitation_send(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.recipient.email})
    return redirect("events:invitation-detail", pk=invitation.pk)


@login_required
@require_POST
def invitation_remind(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitations.invitation_get_managed(user=request.user, pk=pk)
    try:
        invitations.invitation_remind(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reminder sent."))
    return redirect("events:invitation-detail", pk=invitation.pk)


# --- nominations ---------------------------------------------------------------------------------


def _nomination_page(
    request: HttpRequest, invitation: Any, *, submit: Any, decline: Any, template_context: dict[str, Any]
) -> HttpResponse:
    """The nomination form (participants or a refusal), shared by the signed-in and link pages."""
    action = request.POST.get("action") if request.method == "POST" else None
    formset = forms.participant_formset(invitation.seats, request.POST if action == "nominate" else None)
    decline_form = forms.DeclineForm(request.POST if action == "decline" else None)
    if action == "nominate" and formset.is_valid():
        try:
            submit(formset.participants())
        except ValidationError as exc:
            formset.add_service_error(exc.messages)
        else:
            return render(request, "events/invitations/nominate_done.html", {**template_context, "declined": False})
    elif action == "decline" and decline_form.is_valid():
        try:
            decline(decline_form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(decline_form, exc)
        else:
            return render(request, "events/invitations/nominate_done.html", {**template_context, "declined": True})
    context = {**template_context, "invitation": invitation, "formset": formset, "decline_form": decline_form}
    status = 400 if (action and ((formset.is_bound and formset.errors) or decline_form.errors)) else 200
    return render(request, "events/invitations/nominate.html", context, status=status)


@login_required
def invitation_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """An NCP of the invited country nominates participants, or declines."""
    invitation = invitations.invitation_get(user=request.user, pk=pk)
    if not invitations.may_answer(request.user, invitation):
        raise Http404
    return _nomination_page(
        request,
        invitation,
        submit=lambda participants: nominations.nomination_submit(
            actor=request.user, invitation=invitation, participants=participants
        ),
        decline=lambda reason: nominations.nomination_decline(actor=request.user, invitation=invitation, reason=reason),
        template_context={"event": invitation.event, "by_link": False},
    )


@never_cache
def nominate_token(request: HttpRequest, token: str) -> HttpResponse:
    """The page the single-use link opens, without an account. Used or expired links get a clear page."""
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        response = render(request, "events/invitations/nominate_invalid.html", {"state": "unknown"}, status=404)
    else:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or invitation.language
        with translation.override(language):
            state = invitations.link_state(invitation)
            if state != "ok":
                response = render(
                    request,
                    "events/invitations/nominate_invalid.html",
                    {"state": state, "event": invitation.event},
                    status=410,
                )
            else:
                response = _nomination_page(
                    request,
                    invitation,
                    submit=lambda participants: nominations.nomination_submit_by_token(
                        token=token, participants=participants
                    ),
                    decline=lambda reason: nominations.nomination_decline_by_token(token=token, reason=reason),
                    template_context={"event": invitation.event, "by_link": True},
                )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response

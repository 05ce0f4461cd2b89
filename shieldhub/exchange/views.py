"""Exchange pages: inbox, compose (with a recipients preview), message detail, sent messages."""

from __future__ import annotations

import logging
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, require
from shieldhub.core.pagination import COUNT_CAP, paginate, query_without_page
from shieldhub.exchange import (
    forms,
    selectors,
    services,
    signals,
    views_attachments,
    views_forwarding,
    views_moderation,
)
from shieldhub.exchange.choices import ACKNOWLEDGED_KINDS, MessageKind, MessageStatus, RecipientReason
from shieldhub.exchange.models import PENDING_ANSWER, AnswerStatus
from shieldhub.exchange.rendering import render_markdown

logger = logging.getLogger(__name__)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _filters(form: forms.InboxFilterForm) -> dict[str, Any]:
    if not form.is_bound or not form.is_valid():
        return {}
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    for key in ("community", "precursor"):
        if key in data:
            data[key] = data[key].pk
    return data


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    form = forms.InboxFilterForm(request.GET or None, user=request.user)
    # a bounded count: past 1,000 matches the page says "more than 1,000" (most users see tens of thousands)
    # a QuerySet, InboxRows or SearchCandidates (the plan `inbox_pages` chose)
    rows: Any = selectors.inbox_pages(user=request.user, filters=_filters(form))
    page = paginate(request, rows, count_cap=COUNT_CAP)
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, "exchange/inbox.html", context)


@never_cache
@login_required
def unread_count(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    return render(request, "exchange/_unread_count.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    q = request.GET.get("q", "")[:200]
    page = paginate(request, selectors.sent_list(user=request.user, query=q))
    return render(request, "exchange/sent.html", {"page": page, "q": q, "query": query_without_page(request)})


class DeclineForm(django_forms.Form):
    reason = django_forms.CharField(
        label=gettext_lazy("Why you decline"), max_length=1000, widget=django_forms.Textarea(attrs={"rows": 3})
    )


_PREFILL = ("subject", "body", "kind", "hs_codes", "tags", "origin", "transit", "destination", "reporting")


def _compose_initial(request: HttpRequest) -> dict[str, Any]:
    """Fields prefilled from the query string (links from other pages, e.g. an open-source item)."""
    initial: dict[str, Any] = {k: request.GET[k][:5000] for k in _PREFILL if request.GET.get(k)}
    precursors = [v for v in request.GET.getlist("precursors") if v.isdigit()]
    if precursors:
        initial["precursors"] = precursors
    return initial


@login_required
def compose(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    initial = _compose_initial(request) if request.method == "GET" else None
    form = forms.ComposeForm(request.POST or None, user=request.user, initial=initial)
    # where the message is written from (a link's `source`, e.g. "osint:12"): told to other apps once sent
    source = str(request.POST.get("source") or request.GET.get("source") or "")[:100]
    # Uploads are kept whatever happens to the rest of the form: a failed send lists them again.
    uploads, upload_errors, removed = views_attachments.compose_uploads(request)
    preview: dict[str, Any] | None = None
    if request.method == "POST" and "preview" in request.POST:
        # "Preview recipients" without JavaScript: the same page again, with who would receive it
        preview = _preview(request)
        form._errors = ErrorDict()  # type: ignore[attr-defined]  # nothing is sent: no "required" on a draft
    elif request.method == "POST" and not upload_errors and not removed and form.is_valid():
        try:
            message = services.message_send(
                actor=request.user,
                data=form.message_data(),
                distribution=form.distribution(),
                attachments=[a.pk for a in uploads],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if source:
                for receiver, result in signals.message_composed.send_robust(
                    sender=type(message), message=message, actor=request.user, source=source
                ):
                    if isinstance(result, Exception):
                        logger.error("message_composed receiver %r failed: %s", receiver, result)
            if message.status == MessageStatus.PENDING:
                messages.success(request, _("Message submitted: a moderator will approve it before it is sent."))
            else:
                messages.success(request, _("Message sent."))
            return redirect("exchange:message-detail", pk=message.pk)
    context = {
        "form": form, "source": source, "preview": preview, **views_attachments.widget_context(uploads, upload_errors),
    }  # fmt: skip
    return render(request, "exchange/compose.html", context)


def _preview(request: HttpRequest) -> dict[str, Any]:
    """Who would receive the message of the posted compose form, and which moderators must approve it."""
    form = forms.PreviewForm(request.POST, user=request.user)
    recipients: list[Any] = []
    held: list[Any] = []
    error = ""
    if form.is_valid():
        try:
            recipients, held = services.message_distribution_preview(
                actor=request.user, distribution=form.distribution(), data=form.cleaned_data
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return {"recipients": recipients, "held": held, "error": error}


@require_POST
@login_required
def recipients_preview(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    return render(request, "exchange/_recipients_preview.html", _preview(request))


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    if services.message_mark_read(actor=request.user, message=message):
        message = selectors.message_get(user=request.user, pk=pk)
    is_sender = message.sender_id == request.user.pk
    thread = list(selectors.message_thread(user=request.user, message=message))
    for item in thread:
        body = selectors.message_body(user=request.user, message=item)
        item.body_html = render_markdown(body) if body is not None else None  # type: ignore[attr-defined]
    body = selectors.message_body(user=request.user, message=message)
    context = {
        "message": message,
        "body_html": render_markdown(body) if body is not None else None,
        "thread": thread,
        "is_sender": is_sender,
        "versions": selectors.message_versions(user=request.user, message=message),
        "receipts": selectors.message_receipts(user=request.user, message=message) if is_sender else None,
        "can_acknowledge": not is_sender
        and message.kind in ACKNOWLEDGED_KINDS
        and message.status == MessageStatus.SENT
        and getattr(message, "my_acknowledged_at", None) is None,
        "can_reply": message.status == MessageStatus.SENT,
        "reply_form": forms.ReplyForm(audience=selectors.message_reply_audience(user=request.user, message=message)),
        "precursors": message.precursors.all(),
        "countries": message.countries.all(),
        "can_decline": message.kind == MessageKind.RFI
        and message.status == MessageStatus.SENT
        and getattr(message, "my_answer_status", None) in PENDING_ANSWER,
        "decline_form": DeclineForm(),
    }
    # Each feature adds what its part of the page needs (see the views_* modules).
    for feature in (views_attachments, views_forwarding, views_moderation):
        context.update(feature.detail_context(request, message))
    return render(request, "exchange/message_detail.html", context)


@require_POST
@login_required
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = selectors.message_get(user=request.user, pk=pk)
    form = forms.ReplyForm(request.POST, audience=selectors.message_reply_audience(user=request.user, message=parent))
    if form.is_valid():
        try:
            reply = services.message_reply(
                actor=request.user, parent=parent, data={"body": form.cleaned_data["body"]}, narrow_to=form.narrow()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Reply sent."))
            return redirect("exchange:message-detail", pk=reply.pk)
    else:
        messages.error(request, _("Write a reply first."))
    return redirect("exchange:message-detail", pk=parent.pk)


@require_POST
@login_required
def message_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    try:
        services.message_acknowledge(actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Receipt acknowledged."))
    return redirect("exchange:message-detail", pk=message.pk)


@require_POST
@login_required
def message_decline(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.rfi_decline(actor=request.user, message=message, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You declined the request."))
    else:
        messages.error(request, _("Say why you decline the request."))
    return redirect("exchange:message-detail", pk=message.pk)


@login_required
def response_rates(request: HttpRequest) -> HttpResponse:
    rows = selectors.response_rates(user=request.user)
    return render(request, "exchange/response_rates.html", {"rows": rows})


class OverdueFilterForm(django_forms.Form):
    status = django_forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Open and overdue")), *((s.value, s.label) for s in PENDING_ANSWER)],
        required=False,
    )
    request = django_forms.IntegerField(label=gettext_lazy("Request no."), min_value=1, required=False)


def _overdue_row(row: dict[str, Any], today: Any) -> dict[str, Any]:
    deadline = row["message__deadline"]
    return {
        **row,
        "days_overdue": max((today - deadline).days, 0) if deadline else 0,
        "sender_country_name": country_registry.name(row["message__sender_country"] or ""),
        "user_country_name": country_registry.name(row["user__country"] or ""),
        "reason_label": RecipientReason(row["reason"]).label if row["reason"] else "",
        "status_label": AnswerStatus(row["answer_status"]).label,
    }


@login_required
def rfi_overdue(request: HttpRequest) -> HttpResponse:
    """The addressees of requests for information who have not answered, programme-wide (where the
    escalation email sends the coordinators): metadata only, never the subject or the body."""
    require(request.user, Perm.DIRECTORY_VIEW_ALL)
    form = OverdueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.rfi_addressees_pending(
        user=request.user, status=filters.get("status") or None, message_id=filters.get("request")
    )
    page = paginate(request, rows)
    today = timezone.localdate()
    page.object_list = [_overdue_row(row, today) for row in page.object_list]
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, "exchange/rfi_overdue.html", context)


@login_required
def message_correct(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    initial = {"subject": message.subject, "body": message.body}
    form = forms.CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_correct(actor=request.user, message=message, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Correction sent to every recipient."))
            return redirect("exchange:message-detail", pk=message.pk)
    elif request.method != "POST" and message.sender_id != request.user.pk:
        raise_denied()
    return render(request, "exchange/message_correct.html", {"message": message, "form": form})


@login_required
def message_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_withdraw(actor=request.user, message=message, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Message withdrawn."))
            return redirect("exchange:message-detail", pk=message.pk)
    elif request.method != "POST" and message.sender_id != request.user.pk:
        raise_denied()
    return render(request, "exchange/message_withdraw.html", {"message": message, "form": form})


def raise_denied() -> None:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied

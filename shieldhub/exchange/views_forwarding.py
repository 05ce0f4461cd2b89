"""Exchange pages: forwarding (with the recipients preview under the forwarding rules), quoting in
a reply, the forward chain on the message page, and the partner exports (STIX 2.1, MISP)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shieldhub.core.access import Perm, message_body_visible, require
from shieldhub.exchange import forms, forwarding, partner_export, selectors
from shieldhub.exchange.choices import MessageStatus
from shieldhub.exchange.forms_forwarding import ForwardForm
from shieldhub.exchange.models import Message
from shieldhub.exchange.rendering import render_markdown


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def message_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (distribution, note, releasability) and the rule that applies; POST: forward."""
    require(request.user, Perm.EXCHANGE_USE)
    message = selectors.message_get(user=request.user, pk=pk)
    decision = forwarding.forward_rules(message, request.user)
    form = ForwardForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        message=message,
        constraints=decision.constraints,
    )
    if request.method == "POST" and decision.allowed and form.is_valid():
        try:
            forward = forwarding.message_forward(
                actor=request.user,
                message=message,
                distribution=form.distribution(),
                note=form.cleaned_data["note"],
                releasability=form.releasability(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not forward this message."))
        else:
            if forward.status == MessageStatus.SENT:
                messages.success(request, _("Message forwarded."))
            else:
                messages.info(request, _("Your forward awaits approval."))
            return redirect("exchange:message-detail", pk=forward.pk)
    context = {
        "message": message,
        "decision": decision,
        "form": form,
        "forward_subject": forwarding.forward_subject(message.subject),
        "quote_html": render_markdown(forwarding.quote_markdown(message)) if decision.allowed else None,
    }
    return render(request, "exchange/message_forward.html", context, status=200 if decision.allowed else 403)


@require_POST
@login_required
def forward_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Who would receive the forward (htmx): the compose preview, with the forwarding rules applied."""
    require(request.user, Perm.EXCHANGE_USE)
    message = selectors.message_get(user=request.user, pk=pk)
    decision = forwarding.forward_rules(message, request.user)
    form = ForwardForm(request.POST, user=request.user, message=message, constraints=decision.constraints)
    recipients: list[Any] = []
    error = ""
    if not decision.allowed:
        error = decision.reason
    elif form.is_valid():
        try:
            recipients = forwarding.forward_recipients_preview(
                actor=request.user,
                message=message,
                distribution=form.distribution(),
                releasability=form.releasability(),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "exchange/_recipients_preview.html", {"recipients": recipients, "error": error})


@require_GET
@login_required
def message_export(request: HttpRequest, pk: int, partner: str, fmt: str) -> HttpResponse:
    """Download the message as a STIX 2.1 bundle or a MISP event for a partner (audited)."""
    message = selectors.message_get(user=request.user, pk=pk)
    if partner not in partner_export.PARTNERS or fmt not in partner_export.FORMATS:
        raise Http404
    try:
        data = partner_export.export_message(actor=request.user, message=message, partner=partner, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exchange:message-detail", pk=message.pk)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    filename = partner_export.export_filename(message, partner, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("messages/<int:pk>/forward/", message_forward, name="message-forward"),
    path("messages/<int:pk>/forward/preview/", forward_preview, name="forward-preview"),
    path("messages/<int:pk>/export/<str:partner>/<str:fmt>/", message_export, name="message-export"),
]


def _quote_form(request: HttpRequest, message: Message) -> dict[str, Any]:
    """`?quote=<pk>`: the reply form starting with the quote of a message of the same thread."""
    quote_id = request.GET.get("quote")
    if not quote_id or message.status != MessageStatus.SENT:
        return {}
    try:
        quote = forwarding.quote_for_reply(user=request.user, message=message, quote_id=quote_id)
    except (Http404, ValidationError):
        return {}
    audience = selectors.message_reply_audience(user=request.user, message=message)
    return {"reply_form": forms.ReplyForm(audience=audience, initial={"body": quote + "\n\n"}), "quoting": True}


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """Extra context for the message page (merged over the base context): forwarding (allowed or
    why not), the forward chain, the partner exports the reader may download, and quoting."""
    context: dict[str, Any] = {
        "forward_decision": forwarding.forward_rules(message, request.user),
        "forward_chain": forwarding.forward_chain(user=request.user, message=message),
        "export_options": partner_export.export_options(actor=request.user, message=message),
        "can_quote": message.status == MessageStatus.SENT and message_body_visible(request.user, message),
    }
    context.update(_quote_form(request, message))
    return context

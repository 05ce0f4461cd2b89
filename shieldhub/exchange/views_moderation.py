"""Exchange pages: four-eyes moderation (the queue, approve and reject) and operation groups
(the operational-report form and the choice of its fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shieldhub.core.access import Perm, require
from shieldhub.exchange import moderation, operations, selectors, services
from shieldhub.exchange.choices import MessageStatus
from shieldhub.exchange.models import Message


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the sender (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why the message is not approved"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The sender reads this note."),
    )


class OperationFormSettingsForm(forms.Form):
    field_keys = forms.MultipleChoiceField(
        label=gettext_lazy("Fields of the operational-report form"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(key, spec.label) for key, spec in operations.FIELDS.items()],
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- moderation ----------------------------------------------------------------------------------


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.EXCHANGE_USE)
    context = {
        "queue": list(moderation.moderation_queue(user=request.user)),
        "communities": list(moderation.moderated_communities(user=request.user)),
        "mine": list(moderation.awaiting_mine(user=request.user)[:20]),
    }
    return render(request, "exchange/moderation_queue.html", context)


@never_cache
@login_required
def moderation_nav(request: HttpRequest) -> HttpResponse:
    """htmx: the "To approve" link of the exchange navigation, for moderators only (empty otherwise)."""
    require(request.user, Perm.EXCHANGE_USE)
    if not moderation.is_moderator(user=request.user):
        return HttpResponse("")
    context = {"count": moderation.moderation_count(user=request.user), "section": request.GET.get("section", "")}
    return render(request, "exchange/moderation_nav.html", context)


@require_POST
@login_required
def message_approve(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        moderation.message_approve(actor=request.user, message=message, note=note)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Message approved and sent."))
        return redirect("exchange:moderation-queue")
    return redirect("exchange:message-detail", pk=message.pk)


@require_POST
@login_required
def message_reject(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the message is not approved."))
        return redirect("exchange:message-detail", pk=message.pk)
    try:
        moderation.message_reject(actor=request.user, message=message, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Message not approved; the sender will see your note."))
        return redirect("exchange:moderation-queue")
    return redirect("exchange:message-detail", pk=message.pk)


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """Extra context for the message page (merged over the base context)."""
    user = request.user
    context: dict[str, Any] = {}
    if message.status == MessageStatus.PENDING:
        context["moderation_communities"] = moderation.message_moderating_communities(message)
        if moderation.can_moderate(user=user, message=message):
            context["can_moderate"] = True
            context["approve_form"] = ApproveForm()
            context["reject_form"] = RejectForm()
    if message.status in (MessageStatus.SENT, MessageStatus.WITHDRAWN):
        closed = services.closed_communities(message)
        if closed:
            context["read_only_communities"] = closed
            context["can_reply"] = False
    if message.operation_data:
        context["operation_rows"] = operations.operation_rows(message.operation_data)
    return context


# --- operation groups ----------------------------------------------------------------------------


@login_required
def operation_report(request: HttpRequest, pk: int) -> HttpResponse:
    community = operations.operation_get(user=request.user, pk=pk)
    form = operations.OperationReportForm(request.POST or None, community=community, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            message = operations.operation_report_send(
                actor=request.user,
                community=community,
                values=form.values(),
                tlp=form.cleaned_data["tlp"],
                releasable_interpol=form.cleaned_data["releasable_interpol"],
                releasable_unodc=form.cleaned_data["releasable_unodc"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if message.status == MessageStatus.PENDING:
                messages.success(request, _("Report submitted: a moderator of the operation will approve it."))
            else:
                messages.success(request, _("Report sent to the operation group."))
            return redirect("exchange:message-detail", pk=message.pk)
    context = {
        "community": community,
        "form": form,
        "status": operations.operation_status(community),
        "status_label": operations.STATUS_LABELS.get(operations.operation_status(community), ""),
        "can_configure": operations.can_configure(request.user, community),
        "recent": list(operations.operation_messages(user=request.user, community=community)[:10]),
        "held": bool(services.held_for_moderation(request.user, [community])),
    }
    return render(request, "exchange/operation_report.html", context)


@login_required
def operation_form_settings(request: HttpRequest, pk: int) -> HttpResponse:
    community = operations.operation_get(user=request.user, pk=pk)
    if not operations.can_configure(request.user, community):
        raise PermissionDenied
    form = OperationFormSettingsForm(request.POST or None, initial={"field_keys": operations.form_keys(community)})
    if request.method == "POST" and form.is_valid():
        try:
            operations.operation_form_update(
                actor=request.user, community=community, fields=form.cleaned_data["field_keys"]
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The fields of the operational-report form were saved."))
            return redirect("exchange:operation-report", pk=community.pk)
    context = {"community": community, "form": form, "chosen": bool(community.operation_form)}
    return render(request, "exchange/operation_form_settings.html", context)


urlpatterns: list[URLPattern] = [
    path("moderation/", moderation_queue, name="moderation-queue"),
    path("moderation/nav/", moderation_nav, name="moderation-nav"),
    path("messages/<int:pk>/approve/", message_approve, name="message-approve"),
    path("messages/<int:pk>/reject/", message_reject, name="message-reject"),
    path("operations/<int:pk>/report/", operation_report, name="operation-report"),
    path("operations/<int:pk>/form/", operation_form_settings, name="operation-form"),
]

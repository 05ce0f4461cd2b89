from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shieldhub.accounts import selectors, services
from shieldhub.accounts.choices import InvitationStatus
from shieldhub.accounts.forms import (
    ApiTokenForm,
    InvitationAcceptForm,
    InvitationFilterForm,
    InvitationForm,
    LanguageForm,
    UserFilterForm,
    UserRolesForm,
    add_service_errors,
)
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.pagination import paginate, query_without_page


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user's choice is saved to their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(actor=request.user, user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- profile and personal API tokens -----------------------------------------------------------


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    me = selectors.user_profile_get(user=request.user)
    return {
        "me": me,
        "mfa": selectors.mfa_status(user=me),
        "tokens": selectors.api_token_list(user=me),
        "may_use_api": has_perm(me, Perm.API_USE),
        "language_form": LanguageForm(initial={"language": me.language}),
        "token_form": ApiTokenForm(),
        **extra,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show it once, in this response only (nothing stores the raw value)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user,
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "raw_token": raw})
    return render(request, "accounts/profile.html", _profile_context(request, token_form=form), status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:profile")


# --- people ------------------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.user_list(user=request.user, filters=filters))
    return render(
        request, "accounts/user_list.html", {"form": form, "page": page, "query": query_without_page(request)}
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.user_get(user=request.user, pk=pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "invitations": selectors.user_invitations(user=request.user, email=person.email),
            "may_manage": has_perm(request.user, Perm.ACCOUNTS_MANAGE),
        },
    )


@login_required
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Perm.ACCOUNTS_MANAGE, hide=True)
    person = selectors.user_get(user=request.user, pk=pk)
    agencies = selectors.agency_choices(user=request.user)
    initial = {
        "roles": [g.role for g in person.role_grants.all()],
        "country": person.country.code if person.country else "",
        "agency": person.agency_id,
        "partner_organisation": person.partner_organisation,
    }
    form = UserRolesForm(request.POST or None, initial=initial, actor=request.user, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(actor=request.user, user=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The roles of %(name)s have been saved.") % {"name": person})
            return redirect("accounts:user-detail", pk=person.pk)
    return render(request, "accounts/user_roles.html", {"person": person, "form": form})


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    require(request.user, Perm.ACCOUNTS_MANAGE, hide=True)
    person = selectors.user_get(user=request.user, pk=pk)
    try:
        if active:
            services.user_reactivate(actor=request.user, user=person)
            messages.success(request, _("%(name)s can sign in again.") % {"name": person})
        else:
            services.user_deactivate(actor=request.user, user=person)
            messages.success(request, _("%(name)s can no longer sign in.") % {"name": person})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("accounts:user-detail", pk=person.pk)


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


# --- invitations -------------------------------------------------------------------------------


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", InvitationStatus.PENDING)
    form = InvitationFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.invitation_list(user=request.user, filters=filters))
    return render(
        request,
        "accounts/invitation_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "may_grant_admin": has_perm(request.user, Perm.ACCOUNTS_MANAGE),
        },
    )


@login_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ACCOUNTS_INVITE, hide=True)
    agencies = selectors.agency_choices(user=request.user)
    form = InvitationForm(request.POST or None, actor=request.user, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invitation-list")
    return render(
        request, "accounts/invitation_form.html", {"form": form, "valid_days": settings.INVITATION_VALID_DAYS}
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation to %(email)s has been revoked.") % {"email": invitation.email})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("accounts:invitation-list")


@login_required
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
        messages.success(
            request,
            _("A new invitation link has been sent to %(email)s; the previous one no longer works.")
            % {"email": invitation.email},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("accounts:invitation-list")


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: choose a password, then sign in and go on to set up two-factor authentication."""
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_signed_in.html", status=409)
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    # Until the person picks a language, speak the one the invitation was written in.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if language not in dict(settings.LANGUAGES):
        language = invitation.language
    with translation.override(language):
        form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
        if request.method == "POST" and form.is_valid():
            try:
                user = services.invitation_accept(
                    token=token, password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
                )
            except services.InvitationNotUsable:
                return render(request, "accounts/invitation_invalid.html", status=404)
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"password": "password1"})
            else:
                # Sign in through allauth. The person has just set their password, which counts
                # as a fresh (re)authentication: enrolling an authenticator right away does not
                # ask for it again.
                record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
                response = perform_login(request, user, redirect_url=reverse("core:home"))
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600, samesite="Lax"
                )
                return response
        response = render(request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form})
    return response

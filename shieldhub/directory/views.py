"""Directory pages: people, organisations, NCP nominations, communities and verification.

Access, consistently: list pages need the directory permission and answer 403 without it (a
list's existence is no secret); a record the user may not see is a 404 (the selectors); edit
pages of a visible record are 403 for those who may see but not edit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shieldhub.core.access import Perm, can_see_private_contact_fields, has_perm, require
from shieldhub.core.pagination import COUNT_CAP, paginate, query_without_page
from shieldhub.directory import forms, selectors, services
from shieldhub.directory.choices import MembershipRole


def _filters(form: Any) -> dict[str, Any]:
    """The valid filter values (an invalid one is ignored, the others still apply)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def _is_results_request(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and request.htmx.target == "results"  # type: ignore[attr-defined]


def _list_page(request: HttpRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("query", query_without_page(request))
    return render(request, partial if _is_results_request(request) else template, context)


def _flags(user: Any) -> dict[str, bool]:
    return {
        "can_edit": has_perm(user, Perm.DIRECTORY_EDIT),
        "can_nominate": has_perm(user, Perm.NOMINATION_MANAGE),
        "can_manage_communities": has_perm(user, Perm.COMMUNITY_MANAGE),
        "can_verify": has_perm(user, Perm.DIRECTORY_VERIFY),
        "show_private": can_see_private_contact_fields(user),
    }


# --- people --------------------------------------------------------------------------------------


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_VIEW_NETWORK)
    form = forms.PersonFilterForm(request.GET or None, user=request.user)
    page = paginate(request, selectors.person_list(user=request.user, filters=_filters(form)), count_cap=COUNT_CAP)
    context = {"form": form, "page": page, **_flags(request.user)}
    return _list_page(request, "directory/person_list.html", "directory/_person_table.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    services.person_view_record(actor=request.user, person=person, via="web")
    context = {
        "person": person,
        "nominations": selectors.person_nominations(user=request.user, person=person),
        "memberships": selectors.person_communities(user=request.user, person=person),
        "verifications": selectors.person_verification_requests(user=request.user, person=person)[:5],
        "language_names": _language_names(person.languages),
        "stale_before": selectors.stale_before(),
        **_flags(request.user),
    }
    return render(request, "directory/person_detail.html", context)


def _language_names(codes: list[str]) -> list[tuple[str, str]]:
    names = dict(forms.language_choices())
    return [(code, names.get(code, code)) for code in codes or []]


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_EDIT)
    initial = {}
    if request.GET.get("organisation"):
        try:
            org = selectors.organisation_get(user=request.user, pk=request.GET["organisation"])
            initial = {"organisation": org, "country": org.country.code if org.country else ""}
        except Http404:
            pass
    form = forms.PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added to the directory.") % {"name": person.full_name})
            return redirect("directory:person-detail", pk=person.pk)
    return render(request, "directory/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, Perm.DIRECTORY_EDIT)
    form = forms.PersonForm(request.POST or None, user=request.user, initial=forms.PersonForm.initial_from(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, data=form.cleaned_data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("directory:person-detail", pk=person.pk)
    return render(request, "directory/person_form.html", {"form": form, "person": person})


@login_required
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a duplicate by search, compare both records side by side, choose which one to keep."""
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, Perm.DIRECTORY_EDIT)
    other = None
    other_pk = request.POST.get("other") or request.GET.get("other")
    if other_pk:
        other = selectors.person_get(user=request.user, pk=other_pk)
        if other.pk == person.pk:
            raise Http404
    if request.method == "POST" and other is not None:
        keep, merge = (other, person) if request.POST.get("keep") == "other" else (person, other)
        try:
            kept = services.person_merge(actor=request.user, keep=keep, merge=merge)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(merged)s was merged into %(kept)s.") % {"merged": merge.full_name, "kept": kept.full_name},
            )
            return redirect("directory:person-detail", pk=kept.pk)
    q = request.GET.get("q", "").strip()
    candidates = [] if other else selectors.person_duplicate_candidates(user=request.user, person=person, q=q)
    context = {
        "person": person,
        "other": other,
        "q": q,
        "candidates": candidates,
        "nominations": selectors.person_nominations(user=request.user, person=person) if other else None,
        "other_nominations": selectors.person_nominations(user=request.user, person=other) if other else None,
        "compare_fields": _compare_rows(person, other) if other else [],
    }
    return render(request, "directory/person_merge.html", context)


def _compare_rows(a: Any, b: Any) -> list[dict[str, Any]]:
    from shieldhub.directory.models import Person

    rows = []
    for name in selectors.PERSON_FIELDS:
        field = Person._meta.get_field(name)
        va, vb = _display(a, name), _display(b, name)
        rows.append({"label": getattr(field, "verbose_name", name), "a": va, "b": vb, "differs": va != vb})
    rows.append({"label": _("user account"), "a": str(a.user or ""), "b": str(b.user or ""), "differs": False})
    return rows


def _display(person: Any, name: str) -> str:
    value = getattr(person, name)
    if isinstance(value, list):
        return ", ".join(value)
    if name == "country":
        return str(value.name) if value else ""
    if name in ("title", "preferred_language"):
        return str(getattr(person, f"get_{name}_display")()) if value else ""
    return "" if value is None else str(value)


@login_required
@require_POST
def person_verification_send(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    require(request.user, Perm.DIRECTORY_VERIFY)
    try:
        services.verification_request_send(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A verification email was sent to %(email)s.") % {"email": person.email})
    return redirect("directory:person-detail", pk=person.pk)


@login_required
def person_to_verify(request: HttpRequest) -> HttpResponse:
    """People not verified for a year or never: tick several and send them the verification email."""
    require(request.user, Perm.DIRECTORY_VERIFY)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("people") if i.isdigit()]
        if not ids:
            messages.error(request, _("Select at least one person."))
        else:
            _send_many(request, selectors.person_to_verify_list(user=request.user).filter(pk__in=ids))
        return redirect(f"{request.path}?{request.POST.get('query', '')}")
    form = forms.PersonFilterForm(request.GET or None, user=request.user)
    del form.fields["verified"]
    page = paginate(request, selectors.person_to_verify_list(user=request.user, filters=_filters(form)))
    context = {"form": form, "page": page, "stale_before": selectors.stale_before()}
    return _list_page(request, "directory/to_verify.html", "directory/_to_verify_table.html", context)


def _send_many(request: HttpRequest, people: Any) -> None:
    sent, skipped = 0, []
    for person in people:
        try:
            services.verification_request_send(actor=request.user, person=person)
            sent += 1
        except ValidationError:
            skipped.append(person.full_name)
    if sent:
        messages.success(
            request,
            ngettext("%(count)d verification email was sent.", "%(count)d verification emails were sent.", sent)
            % {"count": sent},
        )
    if skipped:
        messages.warning(
            request, _("No email address, nothing sent: %(names)s.") % {"names": ", ".join(sorted(skipped))}
        )


# --- organisations -------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_VIEW_NETWORK)
    form = forms.OrganisationFilterForm(request.GET or None)
    page = paginate(request, selectors.organisation_list(user=request.user, filters=_filters(form)))
    context = {"form": form, "page": page, **_flags(request.user)}
    return _list_page(request, "directory/organisation_list.html", "directory/_organisation_table.html", context)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, pk=pk)
    people = selectors.person_list(user=request.user, filters={"organisation": org.pk})
    context = {
        "organisation": org,
        "people": people[:100],
        "people_count": people.count(),
        "nominations": selectors.nomination_list(user=request.user, filters={"agency": org.pk})[:100],
        **_flags(request.user),
    }
    return render(request, "directory/organisation_detail.html", context)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_EDIT)
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added to the directory.") % {"name": org})
            return redirect("directory:organisation-detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisation_get(user=request.user, pk=pk)
    require(request.user, Perm.DIRECTORY_EDIT)
    initial = {f: getattr(org, f) for f in selectors.ORGANISATION_FIELDS}
    initial["country"] = org.country.code if org.country else ""
    form = forms.OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=org, data=form.cleaned_data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("directory:organisation-detail", pk=org.pk)
    return render(request, "directory/organisation_form.html", {"form": form, "organisation": org})


# --- nominations ---------------------------------------------------------------------------------


@login_required
def nomination_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_VIEW_NETWORK)
    form = forms.NominationFilterForm(request.GET or None)
    page = paginate(request, selectors.nomination_list(user=request.user, filters=_filters(form)))
    context = {"form": form, "page": page, **_flags(request.user)}
    return _list_page(request, "directory/nomination_list.html", "directory/_nomination_table.html", context)


@login_required
def nomination_create(request: HttpRequest) -> HttpResponse:
    """Nominate a person: chosen by search first (`?q=`), then `?person=<id>` shows the form."""
    require(request.user, Perm.NOMINATION_MANAGE)
    person_pk = request.POST.get("person") or request.GET.get("person")
    if not person_pk:
        q = request.GET.get("q", "").strip()
        people = selectors.person_list(user=request.user, filters={"q": q})[:20] if q else []
        return render(request, "directory/nomination_pick_person.html", {"q": q, "people": people})
    person = selectors.person_get(user=request.user, pk=person_pk)
    initial = {
        "country": person.country.code if person.country else "",
        "agency": person.organisation_id,
        "nominated_on": timezone.localdate(),
    }
    form = forms.NominationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_create(actor=request.user, data={**form.cleaned_data, "person": person})
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The nomination of %(name)s was recorded.") % {"name": person.full_name})
            return redirect("directory:person-detail", pk=person.pk)
    return render(request, "directory/nomination_form.html", {"form": form, "person": person, "nomination": None})


@login_required
def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    require(request.user, Perm.NOMINATION_MANAGE)
    initial = {
        "country": nomination.country.code,
        "agency": nomination.agency_id,
        "role": nomination.role,
        "status": nomination.status,
        "nominated_on": nomination.nominated_on,
        "valid_until": nomination.valid_until,
    }
    form = forms.NominationForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_update(actor=request.user, nomination=nomination, data=form.cleaned_data)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("directory:person-detail", pk=nomination.person_id)
    context = {"form": form, "person": nomination.person, "nomination": nomination}
    return render(request, "directory/nomination_form.html", context)


# --- communities ---------------------------------------------------------------------------------


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DIRECTORY_VIEW_NETWORK)
    form = forms.CommunityFilterForm(request.GET or None)
    filters = _filters(form)
    archived = filters.pop("archived", "")
    if archived != "all":
        filters["archived"] = archived == "1"
    qs = selectors.community_list(user=request.user, filters=filters)
    page = paginate(request, qs.prefetch_related(selectors.community_prefetch_members()))
    context = {"form": form, "page": page, **_flags(request.user)}
    return _list_page(request, "directory/community_list.html", "directory/_community_table.html", context)


# Community fields the exchange uses (four-eyes moderation, an operation's countries). Until
# `services.COMMUNITY_WRITABLE` accepts them, the exchange's service writes them (same transaction).
_EXCHANGE_COMMUNITY_FIELDS = ("requires_moderation", "countries")


def _community_data(cleaned: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = {k: v for k, v in cleaned.items() if k in services.COMMUNITY_WRITABLE}
    extra = {k: cleaned[k] for k in _EXCHANGE_COMMUNITY_FIELDS if k in cleaned and k not in data}
    return data, extra


def _community_exchange_settings(actor: Any, community: Any, extra: dict[str, Any]) -> None:
    if extra:
        from shieldhub.exchange.operations import community_exchange_settings_update

        values = {"requires_moderation": community.requires_moderation, "countries": community.countries, **extra}
        community_exchange_settings_update(actor=actor, community=community, **values)


def _operation_context(user: Any, community: Any, members: list[Any]) -> dict[str, Any]:
    """What the page shows of an operation group: status, participating countries, its form."""
    from django_countries import countries as country_registry

    from shieldhub.exchange import operations

    status = operations.operation_status(community)
    is_operation = community.kind == "operation"
    return {
        "operation_status": status,
        "operation_status_label": operations.STATUS_LABELS.get(status, ""),
        "participating": [(code, country_registry.name(code)) for code in community.countries or []],
        "moderators": [m for m in members if m.role == MembershipRole.MODERATOR],
        "is_operation": is_operation,
        "can_report": is_operation and has_perm(user, Perm.EXCHANGE_USE),
        "can_configure_form": is_operation and operations.can_configure(user, community),
    }


@login_required
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.community_get(user=request.user, pk=pk)
    members = list(selectors.membership_list(user=request.user, community=community))
    context = {
        "community": community,
        "members": members,
        "add_form": forms.MemberAddForm(),
        "moderator": MembershipRole.MODERATOR,
        "member": MembershipRole.MEMBER,
        **_operation_context(request.user, community, members),
        **_flags(request.user),
    }
    return render(request, "directory/community_detail.html", context)


@login_required
def community_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.COMMUNITY_MANAGE)
    form = forms.CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, extra = _community_data(form.cleaned_data)
        try:
            with transaction.atomic():
                community = services.community_create(actor=request.user, data=data)
                _community_exchange_settings(request.user, community, extra)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The community %(name)s was created.") % {"name": community.name})
            return redirect("directory:community-detail", pk=community.pk)
    return render(request, "directory/community_form.html", {"form": form, "community": None})


@login_required
def community_edit(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.community_get(user=request.user, pk=pk)
    require(request.user, Perm.COMMUNITY_MANAGE)
    fields = {*services.COMMUNITY_WRITABLE, *_EXCHANGE_COMMUNITY_FIELDS}
    initial = {f: getattr(community, f) for f in fields}
    form = forms.CommunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, extra = _community_data(form.cleaned_data)
        try:
            with transaction.atomic():
                community = services.community_update(actor=request.user, community=community, data=data)
                _community_exchange_settings(request.user, community, extra)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("directory:community-detail", pk=community.pk)
    return render(request, "directory/community_form.html", {"form": form, "community": community})


@login_required
def community_member_search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: accounts matching what was typed in the "add a member" box."""
    community = selectors.community_get(user=request.user, pk=pk)
    require(request.user, Perm.COMMUNITY_MANAGE)
    q = request.GET.get("email", "")
    users = selectors.membership_candidates(user=request.user, community=community, q=q)
    return render(request, "directory/_member_candidates.html", {"community": community, "users": users, "q": q})


@login_required
@require_POST
def community_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.community_get(user=request.user, pk=pk)
    require(request.user, Perm.COMMUNITY_MANAGE)
    form = forms.MemberAddForm(request.POST)
    if form.is_valid():
        found = selectors.membership_candidates(user=request.user, community=community, q=form.cleaned_data["email"])
        user = next((u for u in found if u.email.lower() == form.cleaned_data["email"].lower()), None)
        if user is None:
            messages.error(
                request,
                _("No active account that is not already a member has the address %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
        else:
            try:
                services.membership_add(
                    actor=request.user, community=community, user=user, role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(user)s was added.") % {"user": user})
    else:
        messages.error(request, _("Enter the email address of a user account."))
    return redirect("directory:community-detail", pk=community.pk)


@login_required
@require_POST
def community_member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    community = selectors.community_get(user=request.user, pk=pk)
    require(request.user, Perm.COMMUNITY_MANAGE)
    membership = selectors.membership_get(user=request.user, community=community, pk=membership_pk)
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("%(user)s was removed.") % {"user": membership.user})
    return redirect("directory:community-detail", pk=community.pk)


@login_required
@require_POST
def community_member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    community = selectors.community_get(user=request.user, pk=pk)
    require(request.user, Perm.COMMUNITY_MANAGE)
    membership = selectors.membership_get(user=request.user, community=community, pk=membership_pk)
    form = forms.MemberRoleForm(request.POST)
    if form.is_valid():
        services.membership_set_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        messages.success(request, _("The role of %(user)s was changed.") % {"user": membership.user})
    return redirect("directory:community-detail", pk=community.pk)


# --- public self-service verification ------------------------------------------------------------


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The page a contact reaches from the verification email, without an account."""
    vr = selectors.verification_request_by_token(token=token)
    if vr is None:
        response = render(request, "directory/verify_invalid.html", status=404)
    else:
        person = vr.person
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or person.preferred_language
        with translation.override(language):
            response = _verify_page(request, token, person)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _verify_page(request: HttpRequest, token: str, person: Any) -> HttpResponse:
    correcting = request.method == "POST" and request.POST.get("action") == "correct"
    form = forms.PersonForm(
        request.POST if correcting else None,
        user=None,
        self_service=True,
        initial=forms.PersonForm.initial_from(person),
    )
    if request.method == "POST":
        data = None
        if correcting:
            data = form.cleaned_data if form.is_valid() else None
        if not correcting or data is not None:
            try:
                services.verification_confirm(token=token, data=data)
            except ValidationError as exc:
                if not correcting:
                    return render(request, "directory/verify_invalid.html", status=404)
                forms.add_service_errors(form, exc)
            else:
                return render(request, "directory/verify_done.html", {"corrected": data is not None})
    context = {
        "person": person,
        "form": form,
        "show_form": correcting,
        "language_names": _language_names(person.languages),
    }
    return render(request, "directory/verify.html", context)

"""Every write to the directory.

Each service checks the actor's permission, validates (`full_clean` plus the list fields), writes
inside `transaction.atomic()` and appends an audit entry with the before/after difference in the
same transaction. `search_text` and `updated_at` are kept current here and nowhere else.

`actor` is a user, or for writes that no signed-in person makes, a label: `SELF_SERVICE` (a
contact correcting their own details through a verification link) or None ("system", e.g. a
command-line import). Permission checks apply to users only.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from typing import Any

import pycountry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record, diff, snapshot
from shieldhub.core.tokens import hash_token
from shieldhub.directory.choices import CommunityKind, MembershipRole
from shieldhub.directory.models import (
    Community,
    Membership,
    NcpNomination,
    Organisation,
    Person,
    VerificationRequest,
)
from shieldhub.directory.selectors import fold

SELF_SERVICE = "contact self-service"

PERSON_WRITABLE = frozenset(
    {
        "title",
        "given_name",
        "family_name",
        "position",
        "organisation",
        "organisation_id",
        "country",
        "email",
        "other_emails",
        "phones",
        "languages",
        "preferred_language",
        "notes",
        "last_verified_on",
        "user",
        "user_id",
    }
)
# What a contact may change about themselves through a verification link.
PERSON_SELF_EDITABLE = frozenset(
    {
        "title",
        "given_name",
        "family_name",
        "position",
        "email",
        "other_emails",
        "phones",
        "languages",
        "preferred_language",
    }
)
ORGANISATION_WRITABLE = frozenset(
    {"name", "acronym", "kind", "country", "address", "website", "email", "phone", "notes"}
)
NOMINATION_WRITABLE = frozenset(
    {"person", "person_id", "country", "agency", "agency_id", "role", "nominated_on", "valid_until", "status"}
)
COMMUNITY_WRITABLE = frozenset(
    {"name", "name_fr", "slug", "kind", "region", "description", "starts_on", "ends_on", "is_archived"}
)

_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./\-]{3,30}(\s*(ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)


_NOISE = ("search_text", "updated_at")


def _snap(obj: Any) -> dict[str, Any]:
    """The audited state of a record: its fields minus derived ones (search text, timestamps)."""
    data = snapshot(obj)
    for key in _NOISE:
        data.pop(key, None)
    return data


def _is_user(actor: Any) -> bool:
    return getattr(actor, "pk", None) is not None and hasattr(actor, "is_active")


def _check(actor: Any, perm: Perm) -> None:
    if actor is not None and not isinstance(actor, str):  # users (anonymous ones are refused)
        require(actor, perm)


def _unknown_keys(data: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")


# --- list fields ---------------------------------------------------------------------------------


def split_list(value: Any) -> list[str]:
    """A list from a list, or from text separated by commas, semicolons or new lines."""
    if value is None:
        return []
    items = re.split(r"[,;\n\r]+", value) if isinstance(value, str) else [str(v) for v in value]
    return [i.strip() for i in items if i and i.strip()]


def _dedupe(items: list[str], *, key: Any = str.casefold) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def clean_email_list(value: Any, *, field: str = "other_emails") -> list[str]:
    emails = [e.lower() for e in split_list(value)]
    for email in emails:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                {field: _("“%(email)s” is not a valid email address.") % {"email": email}}, code="invalid_email"
            ) from exc
    return _dedupe(emails)


def clean_phone_list(value: Any, *, field: str = "phones") -> list[str]:
    phones = [re.sub(r"\s+", " ", p) for p in split_list(value)]
    for phone in phones:
        if not _PHONE_RE.match(phone):
            raise ValidationError(
                {field: _("“%(phone)s” is not a valid phone number.") % {"phone": phone}}, code="invalid_phone"
            )
    return _dedupe(phones, key=lambda p: re.sub(r"[^0-9+]", "", p))


def clean_language_list(value: Any, *, field: str = "languages") -> list[str]:
    codes = [c.lower() for c in split_list(value)]
    for code in codes:
        if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
            raise ValidationError(
                {field: _("“%(code)s” is not an ISO 639-1 language code (such as en, fr, es).") % {"code": code}},
                code="invalid_language",
            )
    return _dedupe(codes)


# --- search text ---------------------------------------------------------------------------------


def person_search_text(person: Person) -> str:
    org = person.organisation if person.organisation_id else None
    parts = [
        person.given_name,
        person.family_name,
        person.email,
        *(person.other_emails or []),
        person.position,
        org.name if org else "",
        org.acronym if org else "",
    ]
    return fold(" ".join(p for p in parts if p))


def organisation_search_text(org: Organisation) -> str:
    return fold(" ".join(p for p in (org.name, org.acronym, org.email) if p))


# --- people --------------------------------------------------------------------------------------


def _apply_person_data(person: Person, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key in ("other_emails",):
            value = clean_email_list(value)
        elif key == "phones":
            value = clean_phone_list(value)
        elif key == "languages":
            value = clean_language_list(value)
        elif key == "email":
            value = (value or "").strip().lower()
            if value:
                clean_email_list([value], field="email")
        elif key == "country":
            value = str(getattr(value, "code", value) or "").upper()
        elif key in ("given_name", "family_name", "position") and isinstance(value, str):
            value = value.strip()
        elif key == "notes" and value is None:
            value = ""
        setattr(person, key, value)
    if person.email:
        person.other_emails = [e for e in person.other_emails if e != person.email]


def _save_person(person: Person) -> None:
    person.full_clean(exclude=["search_text"])
    person.search_text = person_search_text(person)
    person.updated_at = timezone.now()
    person.save()


def person_create(*, actor: Any, data: dict[str, Any]) -> Person:
    _check(actor, Perm.DIRECTORY_EDIT)
    _unknown_keys(data, PERSON_WRITABLE)
    person = Person()
    _apply_person_data(person, data)
    with transaction.atomic():
        _save_person(person)
        audit_record(actor=actor, action="directory.person.create", obj=person, changes=diff(None, _snap(person)))
    return person


def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    if actor == SELF_SERVICE:
        _unknown_keys(data, PERSON_SELF_EDITABLE)
    else:
        _check(actor, Perm.DIRECTORY_EDIT)
        _unknown_keys(data, PERSON_WRITABLE)
    if getattr(person, "_private_scrubbed", False):
        raise ValueError("This instance had its private fields blanked; load it with an editor's rights.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = _snap(person)
        _apply_person_data(person, data)
        changes = diff(before, _snap(person))
        if not changes:
            return person
        _save_person(person)
        changes = diff(before, _snap(person))
        audit_record(actor=actor, action="directory.person.update", obj=person, changes=changes)
    return person


def person_view_record(*, actor: Any, person: Person, via: str = "") -> None:
    """A person's details are sensitive: every display of them is logged."""
    audit_record(actor=actor, action="directory.person.view", obj=person, extra={"channel": via} if via else None)


_MERGE_FILL = ("title", "given_name", "position", "organisation_id", "country", "email")


def person_merge(*, actor: Any, keep: Person, merge: Person) -> Person:
    """Fold `merge` into `keep` and delete `merge`.

    `keep` keeps its non-empty fields and fills its blanks from `merge`; emails, phones and
    languages are united; notes are appended; nominations and verification requests move to
    `keep`; the user account moves if only `merge` has one. Both records are audited.
    """
    _check(actor, Perm.DIRECTORY_EDIT)
    if keep.pk == merge.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    with transaction.atomic():
        keep = Person.objects.select_for_update().get(pk=keep.pk)
        merge = Person.objects.select_for_update().get(pk=merge.pk)
        if keep.user_id and merge.user_id:
            raise ValidationError(
                _("Both people have a user account; deactivate one of the accounts before merging them.")
            )
        before_keep = _snap(keep)
        before_merge = _snap(merge)
        for field in _MERGE_FILL:
            if not getattr(keep, field) and getattr(merge, field):
                setattr(keep, field, getattr(merge, field))
        emails = [*keep.other_emails, merge.email, *merge.other_emails]
        keep.other_emails = _dedupe([e.lower() for e in emails if e and e.lower() != keep.email])
        keep.phones = _dedupe([*keep.phones, *merge.phones], key=lambda p: re.sub(r"[^0-9+]", "", p))
        keep.languages = _dedupe([*keep.languages, *merge.languages])
        if merge.notes and merge.notes not in keep.notes:
            keep.notes = f"{keep.notes}\n\n{merge.notes}".strip()
        if merge.last_verified_on and (not keep.last_verified_on or merge.last_verified_on > keep.last_verified_on):
            keep.last_verified_on = merge.last_verified_on
        moved_nominations = list(merge.nominations.values_list("pk", flat=True))
        merge.nominations.update(person=keep)
        merge.verification_requests.update(person=keep)
        user_id = merge.user_id
        if user_id and not keep.user_id:
            merge.user = None
            merge.save(update_fields=["user"])
            keep.user_id = user_id
        merged_pk, merged_repr = merge.pk, str(merge)
        merge.delete()
        _save_person(keep)
        changes = diff(before_keep, _snap(keep))
        audit_record(
            actor=actor,
            action="directory.person.merge",
            obj=keep,
            changes=changes,
            extra={"merged_id": merged_pk, "merged_repr": merged_repr, "nominations_moved": moved_nominations},
        )
        audit_record(
            actor=actor,
            action="directory.person.merged_away",
            object_type=keep._meta.label_lower,
            object_id=merged_pk,
            object_repr=merged_repr,
            changes=diff(before_merge, None),
            extra={"merged_into": keep.pk},
        )
    return keep


def _refresh_people_search_text(organisation: Organisation) -> None:
    people = list(organisation.people.select_related("organisation"))
    for person in people:
        person.organisation = organisation
        person.search_text = person_search_text(person)
    Person.objects.bulk_update(people, ["search_text"], batch_size=500)


# --- organisations -------------------------------------------------------------------------------


def _apply(obj: Any, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "country":
            value = str(getattr(value, "code", value) or "").upper()
        elif isinstance(value, str) and key not in ("address", "description", "notes"):
            value = value.strip()
        elif value is None and key in ("notes", "address", "description", "acronym", "website", "email", "phone"):
            value = ""
        setattr(obj, key, value)


def organisation_create(*, actor: Any, data: dict[str, Any]) -> Organisation:
    _check(actor, Perm.DIRECTORY_EDIT)
    _unknown_keys(data, ORGANISATION_WRITABLE)
    org = Organisation()
    _apply(org, data)
    org.email = (org.email or "").lower()
    with transaction.atomic():
        org.full_clean(exclude=["search_text"])
        org.search_text = organisation_search_text(org)
        org.save()
        audit_record(actor=actor, action="directory.organisation.create", obj=org, changes=diff(None, _snap(org)))
    return org


def organisation_update(*, actor: Any, organisation: Organisation, data: dict[str, Any]) -> Organisation:
    _check(actor, Perm.DIRECTORY_EDIT)
    _unknown_keys(data, ORGANISATION_WRITABLE)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = _snap(org)
        _apply(org, data)
        org.email = (org.email or "").lower()
        if not diff(before, _snap(org)):
            return org
        org.full_clean(exclude=["search_text"])
        org.search_text = organisation_search_text(org)
        org.updated_at = timezone.now()
        org.save()
        if before["name"] != org.name or before["acronym"] != org.acronym:
            _refresh_people_search_text(org)
        changes = diff(before, _snap(org))
        audit_record(actor=actor, action="directory.organisation.update", obj=org, changes=changes)
    return org


# --- nominations ---------------------------------------------------------------------------------


def _validate_nomination(nomination: NcpNomination) -> None:
    nomination.full_clean()
    if nomination.valid_until and nomination.nominated_on and nomination.valid_until < nomination.nominated_on:
        raise ValidationError({"valid_until": _("The end of validity cannot be before the nomination date.")})


def nomination_create(*, actor: Any, data: dict[str, Any]) -> NcpNomination:
    _check(actor, Perm.NOMINATION_MANAGE)
    _unknown_keys(data, NOMINATION_WRITABLE)
    nomination = NcpNomination()
    _apply(nomination, data)
    if not nomination.country and nomination.person_id:
        nomination.country = nomination.person.country
    with transaction.atomic():
        _validate_nomination(nomination)
        nomination.save()
        audit_record(
            actor=actor,
            action="directory.nomination.create",
            obj=nomination,
            changes=diff(None, _snap(nomination)),
        )
        _touch_person(nomination.person_id)
    return nomination


def nomination_update(*, actor: Any, nomination: NcpNomination, data: dict[str, Any]) -> NcpNomination:
    _check(actor, Perm.NOMINATION_MANAGE)
    _unknown_keys(data, NOMINATION_WRITABLE)
    with transaction.atomic():
        obj = NcpNomination.objects.select_for_update().get(pk=nomination.pk)
        before = _snap(obj)
        _apply(obj, data)
        changes = diff(before, _snap(obj))
        if not changes:
            return obj
        _validate_nomination(obj)
        obj.save()
        audit_record(actor=actor, action="directory.nomination.update", obj=obj, changes=changes)
        _touch_person(obj.person_id, before.get("person"))
    return obj


def _touch_person(*person_ids: Any) -> None:
    """A nomination change changes what the person's record says: bump updated_at."""
    ids = [p for p in person_ids if p]
    if ids:
        Person.objects.filter(pk__in=ids).update(updated_at=timezone.now())


# --- communities ---------------------------------------------------------------------------------


def _unique_slug(name: str, exclude_pk: Any = None) -> str:
    base = slugify(name)[:70] or "community"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def community_create(*, actor: Any, data: dict[str, Any]) -> Community:
    _check(actor, Perm.COMMUNITY_MANAGE)
    _unknown_keys(data, COMMUNITY_WRITABLE)
    community = Community()
    _apply(community, data)
    with transaction.atomic():
        if not community.slug:
            community.slug = _unique_slug(community.name)
        if community.starts_on and community.ends_on and community.ends_on < community.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        community.full_clean()
        community.save()
        audit_record(
            actor=actor, action="directory.community.create", obj=community, changes=diff(None, _snap(community))
        )
    return community


def community_update(*, actor: Any, community: Community, data: dict[str, Any]) -> Community:
    _check(actor, Perm.COMMUNITY_MANAGE)
    _unknown_keys(data, COMMUNITY_WRITABLE)
    with transaction.atomic():
        obj = Community.objects.select_for_update().get(pk=community.pk)
        before = _snap(obj)
        _apply(obj, data)
        if not obj.slug:
            obj.slug = _unique_slug(obj.name, exclude_pk=obj.pk)
        changes = diff(before, _snap(obj))
        if not changes:
            return obj
        if obj.starts_on and obj.ends_on and obj.ends_on < obj.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        obj.full_clean()
        obj.save()
        audit_record(actor=actor, action="directory.community.update", obj=obj, changes=changes)
    return obj


def membership_add(*, actor: Any, community: Community, user: Any, role: str = MembershipRole.MEMBER) -> Membership:
    _check(actor, Perm.COMMUNITY_MANAGE)
    if not getattr(user, "is_active", False):
        raise ValidationError(_("Only active user accounts can join a community."))
    with transaction.atomic():
        if Membership.objects.filter(community=community, user=user).exists():
            raise ValidationError(_("%(user)s is already a member of this community.") % {"user": user.email})
        membership = Membership(community=community, user=user, role=role)
        membership.full_clean()
        membership.save()
        audit_record(
            actor=actor,
            action="directory.membership.add",
            obj=community,
            changes={"members": [None, user.email], "role": [None, role]},
            extra={"user_id": user.pk},
        )
    return membership


def membership_remove(*, actor: Any, membership: Membership) -> None:
    _check(actor, Perm.COMMUNITY_MANAGE)
    with transaction.atomic():
        community, email, user_id = membership.community, membership.user.email, membership.user_id
        membership.delete()
        audit_record(
            actor=actor,
            action="directory.membership.remove",
            obj=community,
            changes={"members": [email, None]},
            extra={"user_id": user_id},
        )


def membership_set_role(*, actor: Any, membership: Membership, role: str) -> Membership:
    _check(actor, Perm.COMMUNITY_MANAGE)
    with transaction.atomic():
        obj = Membership.objects.select_for_update().select_related("community", "user").get(pk=membership.pk)
        before = obj.role
        if before == role:
            return obj
        obj.role = role
        obj.full_clean()
        obj.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="directory.membership.set_role",
            obj=obj.community,
            changes={"role": [before, role]},
            extra={"user_id": obj.user_id, "user": obj.user.email},
        )
    return obj


# --- operation groups (for events.operations) --------------------------------------------------
# Planning an operation (`events.operations_manage`: coordinator, analyst, assistant) creates and
# keeps in step its closed group, without `directory.community_manage` (which the analyst lacks).
# Narrow on purpose: only communities of kind `operation`, only their dates, names, countries and
# moderation, and only memberships of such groups. Audited under the same actions as above.

OPERATION_GROUP_WRITABLE = frozenset(
    {"name", "name_fr", "slug", "description", "starts_on", "ends_on", "countries", "requires_moderation"}
)


def operation_group_save(*, actor: Any, data: dict[str, Any], community: Community | None = None) -> Community:
    """Create (community=None) or update an operation's closed group (kind `operation`)."""
    require(actor, Perm.OPERATIONS_MANAGE)
    _unknown_keys(data, OPERATION_GROUP_WRITABLE)
    with transaction.atomic():
        if community is None:
            obj, before = Community(kind=CommunityKind.OPERATION), None
        else:
            obj = Community.objects.select_for_update().get(pk=community.pk, kind=CommunityKind.OPERATION)
            before = _snap(obj)
        _apply(obj, data)
        if not obj.slug:
            obj.slug = _unique_slug(obj.name, exclude_pk=obj.pk)
        if obj.starts_on and obj.ends_on and obj.ends_on < obj.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        changes = diff(before, _snap(obj))
        if before is not None and not changes:
            return obj
        obj.full_clean()
        obj.save()
        action = "directory.community.create" if before is None else "directory.community.update"
        audit_record(actor=actor, action=action, obj=obj, changes=changes, extra={"for": "events.operation"})
    return obj


def operation_group_members_update(
    *, actor: Any, community: Community, add: Sequence[tuple[Any, str]], remove: Sequence[Any]
) -> None:
    """Add (user, role) pairs not yet members and remove the given users from an operation group.
    Removed members keep the messages they received (visibility follows the recipients)."""
    _check(actor, Perm.OPERATIONS_MANAGE)  # a user; the daily sync of events passes None (system)
    if community.kind != CommunityKind.OPERATION:
        raise PermissionDenied
    with transaction.atomic():
        present = set(Membership.objects.filter(community=community).values_list("user_id", flat=True))
        for user, role in add:
            if user.pk in present or not user.is_active:
                continue
            Membership.objects.create(community=community, user=user, role=role)
            present.add(user.pk)
            audit_record(
                actor=actor, action="directory.membership.add", obj=community,
                changes={"members": [None, user.email], "role": [None, role]}, extra={"user_id": user.pk},
            )  # fmt: skip
        for membership in Membership.objects.filter(
            community=community, user__in=[u.pk for u in remove]
        ).select_related("user"):
            email, user_id = membership.user.email, membership.user_id
            membership.delete()
            audit_record(
                actor=actor, action="directory.membership.remove", obj=community,
                changes={"members": [email, None]}, extra={"user_id": user_id},
            )  # fmt: skip


# --- self-service verification -------------------------------------------------------------------


def verification_link(raw_token: str) -> str:
    return settings.SITE_URL + reverse("directory:verify", args=[raw_token])


def _send_verification_email(person_pk: int, email: str, language: str, raw_token: str, expires: dt.datetime) -> None:
    person = Person.objects.get(pk=person_pk)
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"person": person, "link": verification_link(raw_token), "expires": expires}
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(_("Please check your contact details"))
        text = render_to_string("directory/email/verification.txt", context)
        html = render_to_string("directory/email/verification.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[email], headers={"Content-Language": language or settings.LANGUAGE_CODE}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def verification_request_send(*, actor: Any, person: Person) -> VerificationRequest:
    """Email the person a one-time link, valid VERIFICATION_LINK_VALID_DAYS, to confirm or correct
    their details. The raw token is only in the email (and on the returned object as `raw_token`)."""
    _check(actor, Perm.DIRECTORY_VERIFY)
    if not person.email:
        raise ValidationError(_("%(name)s has no email address.") % {"name": person.full_name})
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        request = VerificationRequest(
            person=person,
            token_hash=hash_token(raw),
            sent_by=actor if _is_user(actor) else None,
            sent_at=now,
            expires_at=now + dt.timedelta(days=settings.VERIFICATION_LINK_VALID_DAYS),
        )
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            action="directory.person.verification_sent",
            obj=person,
            extra={"email": person.email, "expires_at": request.expires_at, "request_id": request.pk},
        )
        args = (person.pk, person.email, person.preferred_language, raw, request.expires_at)
        transaction.on_commit(lambda: _send_verification_email(*args))
    request.raw_token = raw  # type: ignore[attr-defined]
    return request


def verification_confirm(*, token: str, data: dict[str, Any] | None = None) -> Person:
    """Use a verification link: optionally correct the details, then mark them verified today.

    The link works once; an unknown, used or expired token is a ValidationError."""
    invalid = ValidationError(_("This link is not valid any more. Ask the Global Shield team for a new one."))
    if not token:
        raise invalid
    with transaction.atomic():
        request = (
            VerificationRequest.objects.select_for_update()
            .filter(token_hash=hash_token(token))
            .select_related("person")
            .first()
        )
        if request is None or request.used_at is not None or request.expires_at <= timezone.now():
            raise invalid
        person = request.person
        if data:
            person = person_update(actor=SELF_SERVICE, person=person, data=data)
        before = person.last_verified_on
        person.last_verified_on = timezone.localdate()
        person.updated_at = timezone.now()
        person.save(update_fields=["last_verified_on", "updated_at"])
        request.used_at = timezone.now()
        request.save(update_fields=["used_at"])
        audit_record(
            actor=SELF_SERVICE,
            action="directory.person.verify",
            obj=person,
            changes={"last_verified_on": [before, person.last_verified_on]},
            extra={"request_id": request.pk, "corrected": bool(data)},
        )
    return person

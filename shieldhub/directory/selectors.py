"""Every read of the directory: scoped to the acting user by `shieldhub.core.access`.

Lists return lazy querysets in a deterministic order; `*_get` raise Http404 for anything the
user may not see. Private contact fields (notes, verification dates) are listed in
`PERSON_PRIVATE_FIELDS`; use `person_public_fields(user)` / `can_see_private_contact_fields(user)`
to decide what to show, export or serialise.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from shieldhub.core.access import (
    Perm,
    can_see_private_contact_fields,
    communities_visible_q,
    has_perm,
    nominations_visible_q,
    organisations_visible_q,
    people_visible_q,
    require,
)
from shieldhub.core.tokens import hash_token
from shieldhub.directory.choices import NominationStatus
from shieldhub.directory.models import (
    Community,
    Membership,
    NcpNomination,
    Organisation,
    Person,
    VerificationRequest,
)

PERSON_PRIVATE_FIELDS: tuple[str, ...] = ("notes", "last_verified_on")
PERSON_FIELDS: tuple[str, ...] = (
    "title",
    "given_name",
    "family_name",
    "position",
    "organisation",
    "country",
    "email",
    "other_emails",
    "phones",
    "languages",
    "preferred_language",
    "notes",
    "last_verified_on",
)
ORGANISATION_PRIVATE_FIELDS: tuple[str, ...] = ("notes",)
ORGANISATION_FIELDS: tuple[str, ...] = (
    "name",
    "acronym",
    "kind",
    "country",
    "address",
    "website",
    "email",
    "phone",
    "notes",
)


# --- search text -------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-cased, accent-free text: 'Élodie MÜLLER' -> 'elodie muller'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def contact_names_in(text: str) -> list[str]:
    """The full names ("Given Family") of directory contacts whose family name is a word of `text`:
    the candidates for removing personal data from what leaves the hub (partner exports). A system
    check with no reader: it returns only names already written in the text it is given."""
    from django.db.models.functions import Lower

    words = {w.casefold() for w in re.findall(r"\w{3,}", text or "")}
    if not words:
        return []
    rows = (
        Person.objects.annotate(family=Lower("family_name"))
        .filter(family__in=words)
        .exclude(given_name="")
        .values_list("given_name", "family_name")
    )
    return sorted({f"{given} {family}" for given, family in rows})


def search_words(q: str | None) -> list[str]:
    return [w for w in fold(q or "").split() if w]


def _filter_words(qs: QuerySet[Any], q: str | None) -> QuerySet[Any]:
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    return qs


# --- private fields ----------------------------------------------------------------------------


def person_public_fields(user: Any) -> tuple[str, ...]:
    """The Person fields this user may read (private ones only for the secretariat)."""
    if can_see_private_contact_fields(user):
        return PERSON_FIELDS
    return tuple(f for f in PERSON_FIELDS if f not in PERSON_PRIVATE_FIELDS)


def organisation_public_fields(user: Any) -> tuple[str, ...]:
    if can_see_private_contact_fields(user):
        return ORGANISATION_FIELDS
    return tuple(f for f in ORGANISATION_FIELDS if f not in ORGANISATION_PRIVATE_FIELDS)


def _scrub_person(person: Person) -> Person:
    """Blank the private fields on an instance handed to someone who may not read them."""
    person.notes = ""
    person.last_verified_on = None
    person._private_scrubbed = True  # type: ignore[attr-defined]
    return person


def _scrub_organisation(org: Organisation) -> Organisation:
    org.notes = ""
    org._private_scrubbed = True  # type: ignore[attr-defined]
    return org


# --- reference data (WCO regions) ---------------------------------------------------------------


def region_country_codes(region: str) -> list[str]:
    """The ISO2 codes of the countries in a WCO region.

    A list rather than a subquery: with the codes spelled out, PostgreSQL estimates the rows of a
    region well and walks the name index instead of sorting a whole region (4x faster at 50,000 people).
    """
    try:
        country = apps.get_model("reference", "Country")
    except LookupError:  # reference data not installed: no country belongs to any region
        return []
    return list(country.objects.filter(wco_region_id=region).values_list("code", flat=True))


def region_choices() -> list[tuple[str, str]]:
    try:
        region = apps.get_model("reference", "WcoRegion")
    except LookupError:
        return []
    return [(r.pk, str(r)) for r in region.objects.order_by("pk")]


# --- people ------------------------------------------------------------------------------------


def _active_nominations(**extra: Any) -> QuerySet[NcpNomination]:
    return NcpNomination.objects.filter(person_id=OuterRef("pk"), status=NominationStatus.ACTIVE, **extra)


def _speaks(code: str) -> Q:
    """Person.languages (a JSON list of codes) holds `code`. PostgreSQL: JSON containment, served
    by a GIN index (migration 0002); SQLite has no containment: match the quoted code in the text."""
    if connection.vendor == "postgresql":
        return Q(languages__contains=[code])
    return Q(languages__icontains=f'"{code}"')


def stale_before() -> dt.date:
    """People last verified before this date (or never) are due for verification."""
    return timezone.localdate() - dt.timedelta(days=settings.CONTACT_VERIFY_AFTER_DAYS)


def person_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """The people this user may see, filtered.

    filters: q (words over names, emails, position, organisation name/acronym), organisation (id),
    country (ISO2), region (WCO region code), role ("ncp", "primary", "alternate"), language
    (ISO 639-1), verified ("stale": not verified for CONTACT_VERIFY_AFTER_DAYS or never;
    "never"; "recent"). Each object has `is_ncp` annotated.
    """
    f = filters or {}
    qs = (
        Person.objects.filter(people_visible_q(user))
        .select_related("organisation")
        .annotate(is_ncp=Exists(_active_nominations()))
    )
    qs = _filter_words(qs, f.get("q"))
    organisation = f.get("organisation")
    if organisation:
        qs = qs.filter(organisation_id=getattr(organisation, "pk", organisation))
    country = f.get("country")
    if country:
        qs = qs.filter(country=str(getattr(country, "code", country)).upper())
    region = f.get("region")
    if region:
        qs = qs.filter(country__in=region_country_codes(str(getattr(region, "pk", region))))
    role = f.get("role")
    if role == "ncp":
        qs = qs.filter(Exists(_active_nominations()))
    elif role in ("primary", "alternate"):
        qs = qs.filter(Exists(_active_nominations(role=role)))
    language = (f.get("language") or "").strip().lower()
    if language:
        qs = qs.filter(Q(preferred_language=language) | _speaks(language))
    verified = f.get("verified")
    if verified == "stale":
        qs = qs.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=stale_before()))
    elif verified == "never":
        qs = qs.filter(last_verified_on__isnull=True)
    elif verified == "recent":
        qs = qs.filter(last_verified_on__gte=stale_before())
    if not can_see_private_contact_fields(user):
        qs = qs.defer(*PERSON_PRIVATE_FIELDS)
    if (f.get("q") or "").strip():
        # Same alphabetical order, spelled so that PostgreSQL cannot walk the name index and filter
        # row by row (slow for a name in the middle of the alphabet): it takes the trigram matches
        # and sorts those few instead.
        return qs.order_by(Lower("family_name"), Lower("given_name"), "id")
    return qs.order_by("family_name", "given_name", "id")


def person_get(*, user: Any, pk: Any) -> Person:
    """One person, or 404. Private fields are blanked for those who may not read them."""
    try:
        person = (
            Person.objects.filter(people_visible_q(user))
            .select_related("organisation", "user")
            .annotate(is_ncp=Exists(_active_nominations()))
            .get(pk=pk)
        )
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_see_private_contact_fields(user):
        _scrub_person(person)
    return person


def person_nominations(*, user: Any, person: Person) -> QuerySet[NcpNomination]:
    return (
        NcpNomination.objects.filter(nominations_visible_q(user), person=person)
        .select_related("agency")
        .order_by("-nominated_on", "id")
    )


def person_communities(*, user: Any, person: Person) -> QuerySet[Membership]:
    """The communities of the person's user account that this user may see."""
    if not person.user_id:
        return Membership.objects.none()
    visible = Community.objects.filter(communities_visible_q(user)).values("pk")
    return (
        Membership.objects.filter(user_id=person.user_id, community__in=visible)
        .select_related("community")
        .order_by("community__kind", "community__name")
    )


def person_to_verify_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """People not verified for CONTACT_VERIFY_AFTER_DAYS or never, with `last_sent_at` annotated."""
    require(user, Perm.DIRECTORY_VERIFY, hide=True)
    qs = person_list(user=user, filters={**(filters or {}), "verified": "stale"})
    last_sent = VerificationRequest.objects.filter(person_id=OuterRef("pk")).values("person_id")
    return qs.annotate(last_sent_at=last_sent.annotate(m=Max("sent_at")).values("m")[:1])


def person_verification_requests(*, user: Any, person: Person) -> QuerySet[VerificationRequest]:
    if not can_see_private_contact_fields(user):
        return VerificationRequest.objects.none()
    return VerificationRequest.objects.filter(person=person).select_related("sent_by").order_by("-sent_at")


def person_duplicate_candidates(*, user: Any, person: Person, q: str = "", limit: int = 20) -> QuerySet[Person]:
    """People to merge into `person`: by search words, or else same family name or email."""
    qs = person_list(user=user, filters={"q": q} if q else None).exclude(pk=person.pk)
    if not q:
        same = Q(family_name__iexact=person.family_name)
        if person.email:
            same |= Q(email__iexact=person.email)
        qs = qs.filter(same)
    return qs[:limit]


# --- organisations -----------------------------------------------------------------------------


def organisation_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Organisation]:
    """filters: q (name, acronym), kind, country (ISO2)."""
    f = filters or {}
    qs = Organisation.objects.filter(organisations_visible_q(user))
    qs = _filter_words(qs, f.get("q"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    country = f.get("country")
    if country:
        qs = qs.filter(country=str(getattr(country, "code", country)).upper())
    if not can_see_private_contact_fields(user):
        qs = qs.defer(*ORGANISATION_PRIVATE_FIELDS)
    return qs.order_by("name", "id")


def organisation_get(*, user: Any, pk: Any) -> Organisation:
    try:
        org = Organisation.objects.filter(organisations_visible_q(user)).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_see_private_contact_fields(user):
        _scrub_organisation(org)
    return org


def organisation_choices(*, user: Any) -> QuerySet[Organisation]:
    """A light queryset for select boxes."""
    return Organisation.objects.filter(organisations_visible_q(user)).only("id", "name", "acronym").order_by("name")


# --- nominations -------------------------------------------------------------------------------


def nomination_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[NcpNomination]:
    """filters: person (id), agency (id), country (ISO2), region (WCO code), status, role. The nominated person
    must also be visible to the user."""
    f = filters or {}
    qs = NcpNomination.objects.filter(nominations_visible_q(user)).filter(
        person__in=Person.objects.filter(people_visible_q(user)).values("pk")
    )
    if f.get("person"):
        qs = qs.filter(person_id=getattr(f["person"], "pk", f["person"]))
    if f.get("agency"):
        qs = qs.filter(agency_id=getattr(f["agency"], "pk", f["agency"]))
    country = f.get("country")
    if country:
        qs = qs.filter(country=str(getattr(country, "code", country)).upper())
    region = f.get("region")
    if region:
        qs = qs.filter(country__in=region_country_codes(str(getattr(region, "pk", region))))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("role"):
        qs = qs.filter(role=f["role"])
    return qs.select_related("person", "person__organisation", "agency").order_by(
        "country", "role", "-nominated_on", "id"
    )


def nomination_get(*, user: Any, pk: Any) -> NcpNomination:
    try:
        return (
            nomination_list(user=user).get(pk=pk)  # same visibility as the list
        )
    except (NcpNomination.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- communities -------------------------------------------------------------------------------


def community_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Community]:
    """filters: q (name), kind, archived (bool; default: only current communities)."""
    f = filters or {}
    qs = Community.objects.filter(communities_visible_q(user))
    for word in (f.get("q") or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(name_fr__icontains=word) | Q(slug__icontains=word))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("archived") is not None and f.get("archived") != "":
        qs = qs.filter(is_archived=bool(f["archived"]))
    return qs.order_by("kind", "name", "id")


def community_get(*, user: Any, pk: Any) -> Community:
    try:
        return Community.objects.filter(communities_visible_q(user)).get(pk=pk)
    except (Community.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def membership_list(*, user: Any, community: Community) -> QuerySet[Membership]:
    """The members of a community the user may see (checked again here)."""
    community_get(user=user, pk=community.pk)
    return (
        Membership.objects.filter(community=community)
        .select_related("user")
        .order_by("-role", "user__full_name", "user__email", "id")
    )


def membership_get(*, user: Any, community: Community, pk: Any) -> Membership:
    try:
        return membership_list(user=user, community=community).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def membership_candidates(*, user: Any, community: Community, q: str, limit: int = 20) -> QuerySet[Any]:
    """Active user accounts matching an email or name fragment, not yet members."""
    require(user, Perm.COMMUNITY_MANAGE, hide=True)
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    q = (q or "").strip()
    if len(q) < 2:
        return user_model.objects.none()
    return (
        user_model.objects.filter(is_active=True)
        .filter(Q(email__icontains=q) | Q(full_name__icontains=q))
        .exclude(memberships__community=community)
        .order_by("email")[:limit]
    )


def community_prefetch_members() -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.select_related("user"))


# --- self-service verification ------------------------------------------------------------------


def verification_request_by_token(*, token: str) -> VerificationRequest | None:
    """The usable request for a raw token, or None (unknown, used or expired). No user: the token
    is the credential."""

    if not token:
        return None
    request = (
        VerificationRequest.objects.select_related("person", "person__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if request is None or request.used_at is not None or request.expires_at <= timezone.now():
        return None
    return request


def can_edit_directory(user: Any) -> bool:
    return has_perm(user, Perm.DIRECTORY_EDIT)

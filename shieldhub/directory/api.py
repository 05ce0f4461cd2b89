"""`/api/v1/directory`: organisations, people, NCP nominations and communities.

The same selectors and services as the pages. Private contact fields (`notes`,
`last_verified_on`) are present in responses only for the secretariat; for everyone else the keys
are absent. Lists are paginated (50 a page) and answer 403 to users without directory access;
a record the user may not see is a 404.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ValidationInfo, model_serializer, model_validator

from shieldhub.core.access import Perm, can_see_private_contact_fields, require
from shieldhub.core.api import require_scope
from shieldhub.directory import selectors, services
from shieldhub.directory.choices import (
    CommunityKind,
    MembershipRole,
    NominationRole,
    NominationStatus,
    OrganisationKind,
    Title,
)
from shieldhub.directory.models import Community, Membership, NcpNomination, Organisation, Person

router = Router(tags=["directory"])


def _show_private(info: ValidationInfo | None) -> bool:
    request = (info.context or {}).get("request") if info is not None else None
    return request is not None and can_see_private_contact_fields(getattr(request, "user", None))


class _PrivateFieldsSchema(Schema):
    """Drops `_private_fields` from the output unless the requesting user is secretariat."""

    _private_fields: tuple[str, ...] = ()
    _private_visible: bool = False

    @model_validator(mode="after")
    def _mark_private(self, info: ValidationInfo) -> Any:
        self._private_visible = _show_private(info)
        return self

    @model_serializer(mode="wrap")
    def _drop_private(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if not self._private_visible:
            for name in self._private_fields:
                data.pop(name, None)
        return data


def _country(obj: Any) -> str:
    return obj.country.code if obj.country else ""


# --- schemas -------------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str
    acronym: str


class PersonRef(Schema):
    id: int
    full_name: str


class OrganisationOut(_PrivateFieldsSchema):
    _private_fields = ("notes",)

    id: int
    name: str
    acronym: str
    kind: str
    country: str
    address: str
    website: str
    email: str
    phone: str
    notes: str | None = Field(None, description="Secretariat only: absent for everyone else.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_country(obj: Organisation) -> str:
        return _country(obj)

    @staticmethod
    def resolve_notes(obj: Organisation, context: dict[str, Any]) -> str | None:
        user = getattr(context.get("request"), "user", None)
        return obj.notes if can_see_private_contact_fields(user) else None


class PersonOut(_PrivateFieldsSchema):
    _private_fields = ("notes", "last_verified_on")

    id: int
    title: str
    given_name: str
    family_name: str
    full_name: str
    position: str
    organisation: OrganisationRef | None
    country: str
    email: str
    other_emails: list[str]
    phones: list[str]
    languages: list[str]
    preferred_language: str
    is_ncp: bool = Field(description="Holds an active NCP nomination.")
    has_account: bool
    notes: str | None = Field(None, description="Secretariat only: absent for everyone else.")
    last_verified_on: dt.date | None = Field(None, description="Secretariat only: absent for everyone else.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_country(obj: Person) -> str:
        return _country(obj)

    @staticmethod
    def resolve_is_ncp(obj: Person) -> bool:
        return bool(getattr(obj, "is_ncp", False))

    @staticmethod
    def resolve_has_account(obj: Person) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_notes(obj: Person, context: dict[str, Any]) -> str | None:
        user = getattr(context.get("request"), "user", None)
        return obj.notes if can_see_private_contact_fields(user) else None

    @staticmethod
    def resolve_last_verified_on(obj: Person, context: dict[str, Any]) -> dt.date | None:
        user = getattr(context.get("request"), "user", None)
        return obj.last_verified_on if can_see_private_contact_fields(user) else None


class NominationOut(Schema):
    id: int
    person: PersonRef
    country: str
    agency: OrganisationRef | None
    role: str
    status: str
    nominated_on: dt.date
    valid_until: dt.date | None

    @staticmethod
    def resolve_country(obj: NcpNomination) -> str:
        return _country(obj)


class CommunityOut(Schema):
    id: int
    name: str
    name_fr: str
    slug: str
    kind: str
    region: str
    description: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_archived: bool
    requires_moderation: bool = Field(description="Four-eyes: a moderator approves members' messages.")
    countries: list[str] = Field(description="Operation groups: the participating countries (ISO codes).")


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: str
    joined_at: dt.datetime

    @staticmethod
    def resolve_email(obj: Membership) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.full_name


# --- inputs --------------------------------------------------------------------------------------


class OrganisationIn(Schema):
    name: str
    acronym: str = ""
    kind: OrganisationKind = OrganisationKind.OTHER
    country: str = ""
    address: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""


class OrganisationPatch(Schema):
    name: str | None = None
    acronym: str | None = None
    kind: OrganisationKind | None = None
    country: str | None = None
    address: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None


class PersonIn(Schema):
    family_name: str
    given_name: str = ""
    title: Title = Title.NONE
    position: str = ""
    organisation_id: int | None = None
    country: str = ""
    email: str = ""
    other_emails: list[str] = []
    phones: list[str] = []
    languages: list[str] = []
    preferred_language: str = "en"
    notes: str = ""
    last_verified_on: dt.date | None = None


class PersonPatch(Schema):
    family_name: str | None = None
    given_name: str | None = None
    title: Title | None = None
    position: str | None = None
    organisation_id: int | None = None
    country: str | None = None
    email: str | None = None
    other_emails: list[str] | None = None
    phones: list[str] | None = None
    languages: list[str] | None = None
    preferred_language: str | None = None
    notes: str | None = None
    last_verified_on: dt.date | None = None


class NominationIn(Schema):
    person_id: int
    country: str = Field("", description="ISO2; defaults to the person's country.")
    agency_id: int | None = None
    role: NominationRole = NominationRole.PRIMARY
    status: NominationStatus = NominationStatus.NOMINATED
    nominated_on: dt.date | None = None
    valid_until: dt.date | None = None


class NominationPatch(Schema):
    country: str | None = None
    agency_id: int | None = None
    role: NominationRole | None = None
    status: NominationStatus | None = None
    nominated_on: dt.date | None = None
    valid_until: dt.date | None = None


class CommunityIn(Schema):
    name: str
    name_fr: str = ""
    slug: str = ""
    kind: CommunityKind = CommunityKind.ADHOC
    region: str = ""
    description: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    is_archived: bool = False
    requires_moderation: bool = Field(False, description="Four-eyes: a moderator approves members' messages.")
    countries: list[str] = Field(default_factory=list, description="Participating countries (ISO codes).")


class CommunityPatch(Schema):
    name: str | None = None
    name_fr: str | None = None
    slug: str | None = None
    kind: CommunityKind | None = None
    region: str | None = None
    description: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    is_archived: bool | None = None
    requires_moderation: bool | None = None
    countries: list[str] | None = None


class MemberIn(Schema):
    email: str
    role: MembershipRole = MembershipRole.MEMBER


# --- filters -------------------------------------------------------------------------------------


class PersonFilters(Schema):
    q: str | None = Field(None, description="Words over names, emails, position and organisation.")
    organisation: int | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2")
    region: str | None = Field(None, description="WCO region code")
    role: str | None = Field(None, pattern="^(ncp|primary|alternate)$")
    language: str | None = Field(None, description="ISO 639-1")
    verified: str | None = Field(None, pattern="^(stale|never|recent)$", description="Secretariat only.")


class OrganisationFilters(Schema):
    q: str | None = None
    kind: OrganisationKind | None = None
    country: str | None = None


class NominationFilters(Schema):
    person: int | None = None
    country: str | None = None
    region: str | None = None
    status: NominationStatus | None = None
    role: NominationRole | None = None


class CommunityFilters(Schema):
    q: str | None = None
    kind: CommunityKind | None = None
    archived: bool | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v not in (None, "")}


def _list_access(request: HttpRequest) -> None:
    require(request.user, Perm.DIRECTORY_VIEW_NETWORK)


def _patch(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


# --- organisations -------------------------------------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations")
@paginate(PageNumberPagination, page_size=50)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    _list_access(request)
    return selectors.organisation_list(user=request.user, filters=_clean(filters))


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation")
def organisation_get(request: HttpRequest, organisation_id: int) -> Organisation:
    return selectors.organisation_get(user=request.user, pk=organisation_id)


@router.post("/organisations", response={201: OrganisationOut}, summary="Add an organisation")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    require_scope(request, "write")
    org = services.organisation_create(actor=request.user, data=payload.dict())
    return Status(201, selectors.organisation_get(user=request.user, pk=org.pk))


@router.patch("/organisations/{organisation_id}", response=OrganisationOut, summary="Change an organisation")
def organisation_update(request: HttpRequest, organisation_id: int, payload: OrganisationPatch) -> Organisation:
    require_scope(request, "write")
    org = selectors.organisation_get(user=request.user, pk=organisation_id)
    require(request.user, Perm.DIRECTORY_EDIT)
    services.organisation_update(actor=request.user, organisation=org, data=_patch(payload))
    return selectors.organisation_get(user=request.user, pk=organisation_id)


# --- people --------------------------------------------------------------------------------------


def _person_data(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("organisation_id") is not None:
        selectors.organisation_get(user=request.user, pk=data["organisation_id"])  # 404 if not visible
    return data


@router.get("/people", response=list[PersonOut], summary="People")
@paginate(PageNumberPagination, page_size=50)
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    _list_access(request)
    data = _clean(filters)
    if not can_see_private_contact_fields(request.user):
        data.pop("verified", None)
    return selectors.person_list(user=request.user, filters=data)


@router.get("/people/{person_id}", response=PersonOut, summary="One person (each read is audited)")
def person_get(request: HttpRequest, person_id: int) -> Person:
    person = selectors.person_get(user=request.user, pk=person_id)
    services.person_view_record(actor=request.user, person=person, via="api")
    return person


@router.post("/people", response={201: PersonOut}, summary="Add a person")
def person_create(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    require_scope(request, "write")
    require(request.user, Perm.DIRECTORY_EDIT)
    person = services.person_create(actor=request.user, data=_person_data(request, payload.dict()))
    return Status(201, selectors.person_get(user=request.user, pk=person.pk))


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    require_scope(request, "write")
    person = selectors.person_get(user=request.user, pk=person_id)
    require(request.user, Perm.DIRECTORY_EDIT)
    services.person_update(actor=request.user, person=person, data=_person_data(request, _patch(payload)))
    return selectors.person_get(user=request.user, pk=person_id)


# --- nominations ---------------------------------------------------------------------------------


@router.get("/nominations", response=list[NominationOut], summary="NCP nominations")
@paginate(PageNumberPagination, page_size=50)
def nomination_list(request: HttpRequest, filters: Query[NominationFilters]) -> Any:
    _list_access(request)
    return selectors.nomination_list(user=request.user, filters=_clean(filters))


@router.get("/nominations/{nomination_id}", response=NominationOut, summary="One NCP nomination")
def nomination_get(request: HttpRequest, nomination_id: int) -> NcpNomination:
    return selectors.nomination_get(user=request.user, pk=nomination_id)


def _nomination_data(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "person_id" in data:
        data["person"] = selectors.person_get(user=request.user, pk=data.pop("person_id"))
    if data.get("agency_id") is not None:
        selectors.organisation_get(user=request.user, pk=data["agency_id"])
    if data.get("nominated_on") is None:
        data.pop("nominated_on", None)
    return data


@router.post("/nominations", response={201: NominationOut}, summary="Record an NCP nomination")
def nomination_create(request: HttpRequest, payload: NominationIn) -> Status[NcpNomination]:
    require_scope(request, "write")
    require(request.user, Perm.NOMINATION_MANAGE)
    nomination = services.nomination_create(actor=request.user, data=_nomination_data(request, payload.dict()))
    return Status(201, selectors.nomination_get(user=request.user, pk=nomination.pk))


@router.patch("/nominations/{nomination_id}", response=NominationOut, summary="Change an NCP nomination")
def nomination_update(request: HttpRequest, nomination_id: int, payload: NominationPatch) -> NcpNomination:
    require_scope(request, "write")
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    require(request.user, Perm.NOMINATION_MANAGE)
    services.nomination_update(
        actor=request.user, nomination=nomination, data=_nomination_data(request, _patch(payload))
    )
    return selectors.nomination_get(user=request.user, pk=nomination_id)


# --- communities ---------------------------------------------------------------------------------


@router.get("/communities", response=list[CommunityOut], summary="Communities")
@paginate(PageNumberPagination, page_size=50)
def community_list(request: HttpRequest, filters: Query[CommunityFilters]) -> Any:
    _list_access(request)
    return selectors.community_list(user=request.user, filters=_clean(filters))


@router.get("/communities/{community_id}", response=CommunityOut, summary="One community")
def community_get(request: HttpRequest, community_id: int) -> Community:
    return selectors.community_get(user=request.user, pk=community_id)


# The community fields the exchange uses (four-eyes moderation, an operation's countries) are
# written by its service, in the same transaction, as the community pages do.
_EXCHANGE_COMMUNITY_FIELDS = ("requires_moderation", "countries")


def _community_data(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The directory's fields, and the exchange's ones that were given (None: left as they are)."""
    given = {k: data.pop(k, None) for k in _EXCHANGE_COMMUNITY_FIELDS}
    return data, {k: v for k, v in given.items() if v is not None}


def _community_exchange_settings(actor: Any, community: Community, extra: dict[str, Any]) -> None:
    if extra:
        from shieldhub.exchange.operations import community_exchange_settings_update

        values = {"requires_moderation": community.requires_moderation, "countries": community.countries, **extra}
        community_exchange_settings_update(actor=actor, community=community, **values)


@router.post("/communities", response={201: CommunityOut}, summary="Create a community")
def community_create(request: HttpRequest, payload: CommunityIn) -> Status[Community]:
    require_scope(request, "write")
    data, extra = _community_data(payload.dict())
    with transaction.atomic():
        community = services.community_create(actor=request.user, data=data)
        _community_exchange_settings(request.user, community, extra)
    return Status(201, selectors.community_get(user=request.user, pk=community.pk))


@router.patch("/communities/{community_id}", response=CommunityOut, summary="Change a community")
def community_update(request: HttpRequest, community_id: int, payload: CommunityPatch) -> Community:
    require_scope(request, "write")
    community = selectors.community_get(user=request.user, pk=community_id)
    require(request.user, Perm.COMMUNITY_MANAGE)
    data, extra = _community_data(_patch(payload))
    with transaction.atomic():
        community = services.community_update(actor=request.user, community=community, data=data)
        _community_exchange_settings(request.user, community, extra)
    return selectors.community_get(user=request.user, pk=community_id)


@router.get("/communities/{community_id}/members", response=list[MemberOut], summary="Members of a community")
@paginate(PageNumberPagination, page_size=50)
def member_list(request: HttpRequest, community_id: int) -> Any:
    community = selectors.community_get(user=request.user, pk=community_id)
    return selectors.membership_list(user=request.user, community=community)


@router.post("/communities/{community_id}/members", response={201: MemberOut}, summary="Add a member")
def member_add(request: HttpRequest, community_id: int, payload: MemberIn) -> Status[Membership]:
    require_scope(request, "write")
    community = selectors.community_get(user=request.user, pk=community_id)
    require(request.user, Perm.COMMUNITY_MANAGE)
    found = selectors.membership_candidates(user=request.user, community=community, q=payload.email)
    user = next((u for u in found if u.email.lower() == payload.email.strip().lower()), None)
    if user is None:
        raise Http404
    membership = services.membership_add(actor=request.user, community=community, user=user, role=payload.role)
    return Status(201, selectors.membership_get(user=request.user, community=community, pk=membership.pk))


@router.delete("/communities/{community_id}/members/{member_id}", response={204: None}, summary="Remove a member")
def member_remove(request: HttpRequest, community_id: int, member_id: int) -> Status[None]:
    require_scope(request, "write")
    community = selectors.community_get(user=request.user, pk=community_id)
    require(request.user, Perm.COMMUNITY_MANAGE)
    membership = selectors.membership_get(user=request.user, community=community, pk=member_id)
    services.membership_remove(actor=request.user, membership=membership)
    return Status(204, None)

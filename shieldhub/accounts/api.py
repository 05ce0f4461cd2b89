"""`/api/v1/me`: the signed-in person and their personal API tokens."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.accounts import selectors, services
from shieldhub.accounts.models import ApiToken, User
from shieldhub.core.api import require_scope

router = Router(tags=["accounts"])


class AgencyOut(Schema):
    id: int
    name: str
    acronym: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    roles: list[str]
    country: str
    agency: AgencyOut | None
    partner_organisation: str
    language: str

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return sorted(grant.role for grant in obj.role_grants.all())

    @staticmethod
    def resolve_country(obj: User) -> str:
        return obj.country.code if obj.country else ""


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: ApiToken) -> bool:
        return obj.is_active


@router.get("", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> User:
    return selectors.user_profile_get(user=request.user)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
@paginate(PageNumberPagination, page_size=50)
def token_list(request: HttpRequest) -> object:
    return selectors.api_token_list(user=request.user)


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my API tokens")
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    require_scope(request, "write")
    token = selectors.api_token_get(user=request.user, pk=token_id)
    services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)

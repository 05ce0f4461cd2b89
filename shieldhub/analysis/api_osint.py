"""`/api/v1/analysis/osint` routes (mounted by `analysis/api.py`): feeds (list, get, create, update,
fetch now), items (list of stories or every item, get, create), triage, and a seizure record draft
from an item. Holders of `analysis.osint` only (403 on lists, 404 on a record); writes need the
`write` scope. The same selectors and services as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.analysis import osint
from shieldhub.analysis.models import OsintItem, OsintSource
from shieldhub.core.api import require_scope

router = Router(tags=["analysis"])


class SourceOut(Schema):
    id: int
    name: str
    url: str
    language: str
    is_active: bool
    interval_minutes: int
    last_fetched_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str


class SourceIn(Schema):
    name: str
    url: str = Field(description="An http or https RSS/Atom address.")
    language: str = ""
    is_active: bool = True
    interval_minutes: int = Field(360, description="Minutes between two fetches (5 or more).")


class SourcePatch(Schema):
    name: str | None = None
    url: str | None = None
    language: str | None = None
    is_active: bool | None = None
    interval_minutes: int | None = None


class ItemSummary(Schema):
    id: int
    title: str
    url: str
    published_at: dt.datetime | None
    fetched_at: dt.datetime
    language: str
    kind: str
    source: int | None = Field(None, alias="source_id")
    status: str
    precursors: list[str] = Field(description="Catalogue item codes.")
    hs_codes: list[str]
    countries: list[str]
    group: int | None = Field(None, alias="group_id", description="The first item of the story, if not this one.")
    seizure: int | None = Field(None, alias="seizure_id")
    message: int | None = Field(None, alias="message_id")

    @staticmethod
    def resolve_precursors(obj: OsintItem) -> list[str]:
        return [c.code for c in obj.catalogue_items.all()]


class ItemListOut(ItemSummary):
    n_similar: int = Field(0, description="Other items of the same story (when listed by story).")

    @staticmethod
    def resolve_n_similar(obj: Any) -> int:
        return int(getattr(obj, "n_similar", 0) or 0)


class ItemOut(ItemSummary):
    text: str


class ItemIn(Schema):
    title: str
    url: str = ""
    text: str = ""
    published_at: dt.datetime | None = None
    language: str = ""


class ItemFilters(Schema):
    q: str | None = None
    status: str | None = Field(None, description="new, relevant or not_relevant")
    precursor: int | None = Field(None, description="A catalogue item id.")
    country: str | None = Field(None, description="ISO code.")
    source: int | None = Field(None, description="A feed id.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grouped: bool = Field(True, description="One item per story (true) or every item (false).")


class TriageIn(Schema):
    status: str = Field(description="relevant, not_relevant or new")


class SeizureIn(Schema):
    reporting_country: str = Field("", description="ISO code; default: the first country found in the item.")


class SeizureOut(Schema):
    item: int
    seizure: int


@router.get("/osint/sources", response=list[SourceOut])
def source_list(request: HttpRequest) -> Any:
    return list(osint.source_list(user=request.user))


@router.post("/osint/sources", response={201: SourceOut})
def source_create(request: HttpRequest, payload: SourceIn) -> Any:
    require_scope(request, "write")
    return Status(201, osint.source_create(actor=request.user, data=payload.dict()))


@router.get("/osint/sources/{source_id}", response=SourceOut)
def source_get(request: HttpRequest, source_id: int) -> Any:
    return osint.source_get(user=request.user, pk=source_id)


@router.patch("/osint/sources/{source_id}", response=SourceOut)
def source_update(request: HttpRequest, source_id: int, payload: SourcePatch) -> Any:
    source: OsintSource = osint.source_get(user=request.user, pk=source_id)
    require_scope(request, "write")
    return osint.source_update(actor=request.user, source=source, data=payload.dict(exclude_none=True))


@router.post("/osint/sources/{source_id}/fetch", response={202: SourceOut})
def source_fetch(request: HttpRequest, source_id: int) -> Any:
    source = osint.source_get(user=request.user, pk=source_id)
    require_scope(request, "write")
    osint.source_fetch_now(actor=request.user, source=source)
    return Status(202, osint.source_get(user=request.user, pk=source_id))


class _Pagination(PageNumberPagination):
    pass


@router.get("/osint/items", response=list[ItemListOut])
@paginate(_Pagination, page_size=50)
def item_list(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    data = filters.dict(exclude_none=True)
    grouped = bool(data.pop("grouped", True))
    return osint.item_list(user=request.user, filters=data, grouped=grouped)


@router.post("/osint/items", response={201: ItemOut})
def item_create(request: HttpRequest, payload: ItemIn) -> Any:
    require_scope(request, "write")
    item = osint.item_create(actor=request.user, data=payload.dict())
    return Status(201, osint.item_get(user=request.user, pk=item.pk))


@router.get("/osint/items/{item_id}", response=ItemOut)
def item_get(request: HttpRequest, item_id: int) -> Any:
    return osint.item_get(user=request.user, pk=item_id)


@router.post("/osint/items/{item_id}/triage", response=ItemOut)
def item_triage(request: HttpRequest, item_id: int, payload: TriageIn) -> Any:
    item = osint.item_get(user=request.user, pk=item_id)
    require_scope(request, "write")
    osint.item_triage(actor=request.user, item=item, status=payload.status)
    return osint.item_get(user=request.user, pk=item_id)


@router.post("/osint/items/{item_id}/seizure", response={201: SeizureOut})
def item_seizure(request: HttpRequest, item_id: int, payload: SeizureIn) -> Any:
    item = osint.item_get(user=request.user, pk=item_id)
    require_scope(request, "write")
    incident = osint.item_to_seizure(actor=request.user, item=item, reporting_country=payload.reporting_country)
    return Status(201, {"item": item.pk, "seizure": incident.pk})

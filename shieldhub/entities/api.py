"""`/api/v1/entities`: entities (list and search, get with the linked records the caller may see,
the network graph as nodes and edges) and "same as" links (suggestions, confirm, reject; made by hand:
candidates for an entity and POST `/{id}/links` with "same" or "not_same").

The same selectors and services as the pages: an entity the caller may not see is a 404; the
links need `entities.link`; writes need the `write` scope.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.core.api import require_scope
from shieldhub.entities import selectors, services
from shieldhub.entities.models import Entity, EntityLink, LinkStatus

router = Router(tags=["entities"])


class EntityOut(Schema):
    id: int
    kind: str
    name: str
    normalised_name: str
    country: str
    identifiers: dict[str, str]

    @staticmethod
    def resolve_country(obj: Entity) -> str:
        return str(obj.country.code) if obj.country else ""


class RecordOut(Schema):
    kind: str = Field(description="seizure or shipment")
    id: int
    reference: str
    title: str
    date: dt.date | None
    country: str
    roles: list[dict[str, Any]] = Field(description="The role of each entity of the cluster named by the record.")


class EntityDetailOut(EntityOut):
    same_as: list[EntityOut] = Field(description='Confirmed "same as" entities the caller may see.')
    records: list[RecordOut]


class NodeOut(Schema):
    id: str
    kind: str
    label: str
    hop: int
    url: str
    x: float
    y: float


class EdgeOut(Schema):
    source: str
    target: str
    label: str
    same_as: bool


class GraphOut(Schema):
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    truncated: bool


class LinkOut(Schema):
    id: int
    entity_a: EntityOut
    entity_b: EntityOut
    status: str
    score: float
    suggested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_decided_by(obj: EntityLink) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class DecisionIn(Schema):
    note: str = ""


class ManualLinkIn(Schema):
    other: int = Field(description="The other entity (same kind).")
    decision: str = Field(description='"same" (a confirmed link) or "not_same" (a rejected link).')
    note: str = ""


class CandidateOut(Schema):
    entity: EntityOut
    score: float | None = Field(description="Name similarity (0–100) when found by the fuzzy search.")
    status: str = Field(description='The pair\'s link: "", suggested, confirmed or rejected.')


class EntityFilters(Schema):
    q: str | None = Field(None, description="Words of the name (normalised: case, accents, legal forms).")
    kind: str | None = Field(None, description="company, person, vehicle or vessel")
    country: str | None = None


class LinkFilters(Schema):
    status: str = Field(LinkStatus.SUGGESTED, description="suggested, confirmed or rejected")


def _record(record: selectors.LinkedRecord) -> dict[str, Any]:
    return {
        "kind": record.kind, "id": record.pk, "reference": record.reference, "title": record.title,
        "date": record.date, "country": record.country,
        "roles": [{"entity": pk, "role": label} for pk, label in record.roles],
    }  # fmt: skip


@router.get("/", response=list[EntityOut])
@paginate(PageNumberPagination, page_size=50)
def entity_list(request: HttpRequest, filters: Query[EntityFilters]) -> Any:
    return selectors.entity_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/links", response=list[LinkOut])
@paginate(PageNumberPagination, page_size=50)
def link_list(request: HttpRequest, filters: Query[LinkFilters]) -> Any:
    return selectors.link_list(user=request.user, status=filters.status)


@router.post("/links/{link_id}/confirm", response=LinkOut)
def link_confirm(request: HttpRequest, link_id: int, payload: DecisionIn) -> Any:
    require_scope(request, "write")
    link = selectors.link_get(user=request.user, pk=link_id)
    services.link_decide(actor=request.user, link=link, status=LinkStatus.CONFIRMED, note=payload.note)
    return selectors.link_get(user=request.user, pk=link_id)


@router.post("/links/{link_id}/reject", response=LinkOut)
def link_reject(request: HttpRequest, link_id: int, payload: DecisionIn) -> Any:
    require_scope(request, "write")
    link = selectors.link_get(user=request.user, pk=link_id)
    services.link_decide(actor=request.user, link=link, status=LinkStatus.REJECTED, note=payload.note)
    return selectors.link_get(user=request.user, pk=link_id)


@router.get("/{entity_id}", response=EntityDetailOut)
def entity_get(request: HttpRequest, entity_id: int) -> Any:
    entity = selectors.entity_get(user=request.user, pk=entity_id)
    entity.same_as = selectors.entity_aliases(user=request.user, entity=entity)  # type: ignore[attr-defined]
    entity.records = [_record(r) for r in selectors.entity_records(user=request.user, entity=entity)]  # type: ignore[attr-defined]
    return entity


@router.get("/{entity_id}/link-candidates", response=list[CandidateOut])
def entity_link_candidates(request: HttpRequest, entity_id: int, q: str = "") -> Any:
    """Entities of the same kind whose names match `q`, to mark as the same or not (`entities.link`)."""
    entity = selectors.entity_get(user=request.user, pk=entity_id)
    return selectors.link_candidates(user=request.user, entity=entity, q=q)


@router.post("/{entity_id}/links", response=LinkOut)
def entity_link_create(request: HttpRequest, entity_id: int, payload: ManualLinkIn) -> Any:
    """Mark another entity as the same (confirmed) or not the same (rejected) directly; the
    opposite decision undoes it. Needs `entities.link` and the `write` scope."""
    require_scope(request, "write")
    entity = selectors.entity_get(user=request.user, pk=entity_id)
    other = selectors.entity_get(user=request.user, pk=payload.other)
    link = services.link_set(actor=request.user, entity=entity, other=other, decision=payload.decision,
                             note=payload.note)  # fmt: skip
    return selectors.link_get(user=request.user, pk=link.pk)


@router.get("/{entity_id}/graph", response=GraphOut)
def entity_graph(request: HttpRequest, entity_id: int) -> Any:
    entity = selectors.entity_get(user=request.user, pk=entity_id)
    return selectors.entity_graph(user=request.user, entity=entity)

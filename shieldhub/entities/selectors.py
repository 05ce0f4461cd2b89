"""Every read of the shared entities, scoped by `access.entities_visible_q`: an entity is seen
through the records that name it, and what an entity page lists is what the reader may see of
those records. "Same as" clusters (confirmed links) count for each of their members.

Records come from the seizures (`IncidentParty`), the shipments (through the shipments app's
`shipment_list(user=…, filters={"entity": id})`, when it is installed) and, for a seizure's related
records, the exchange messages (route countries and precursors; messages have no entity links).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.access import (
    Perm,
    entities_visible_q,
    has_perm,
    incident_detail_visible,
    incidents_detail_visible_q,
    messages_visible_q,
    require,
    user_perms,
)
from shieldhub.core.names import NameIndex
from shieldhub.entities.clusters import cluster_of, confirmed_clusters
from shieldhub.entities.models import Entity, EntityKind, EntityLink, LinkStatus
from shieldhub.entities.services import normalise_name

MAX_RECORDS = 200  # records listed on an entity page
MAX_GRAPH_NODES = 60
MAX_RELATED = 10  # of each kind on a seizure's related-records card
MAX_DID_YOU_MEAN = 5


def entities_by_name(*, name: str, country: str = "") -> QuerySet[Entity]:
    """Entities whose normalised name equals this one's (for the services' find-or-create)."""
    qs = Entity.objects.filter(normalised_name=normalise_name(name))
    return qs.filter(country=country.upper()) if country else qs


def _visible(user: Any) -> QuerySet[Entity]:
    require(user, Perm.ENTITY_VIEW)
    return Entity.objects.filter(entities_visible_q(user))


def entity_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Entity]:
    """The entities this user may open, by name, filtered by name words, kind and country."""
    filters = filters or {}
    qs = _visible(user)
    if filters.get("q"):
        for word in normalise_name(str(filters["q"])).split()[:8]:
            qs = qs.filter(normalised_name__contains=word)
    if filters.get("kind") in EntityKind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("country"):
        qs = qs.filter(country=str(filters["country"]).upper()[:2])
    return qs.order_by("normalised_name", "pk")


def did_you_mean(*, user: Any, q: str, limit: int = MAX_DID_YOU_MEAN) -> list[tuple[Entity, float]]:
    """Visible entities whose names are close to `q` (fuzzy, `NameIndex`), for a search that found
    little. The pool is the visible names sharing three letters with a word of the query."""
    words = [w for w in normalise_name(q).split() if len(w) >= 3][:6]
    if not words:
        return []
    pool = Q(pk__in=[])
    for word in words:
        pool |= Q(normalised_name__contains=word[:3]) | Q(normalised_name__contains=word[-3:])
    rows = list(_visible(user).filter(pool).values_list("pk", "name")[:5000])
    found = NameIndex(rows).lookup(q, limit=limit, cutoff=75)
    entities = Entity.objects.in_bulk([pk for pk, _s, _n in found])
    return [(entities[pk], score) for pk, score, _n in found if pk in entities]  # type: ignore[index]


def entity_get(*, user: Any, pk: Any) -> Entity:
    """The entity, if the user may open it; 404 otherwise (also without `entities.view`)."""
    require(user, Perm.ENTITY_VIEW, hide=True)
    try:
        return Entity.objects.filter(entities_visible_q(user)).get(pk=int(pk))
    except (Entity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def entity_aliases(*, user: Any, entity: Entity) -> list[Entity]:
    """The other members of the entity's "same as" cluster that this user may open."""
    others = cluster_of(entity.pk) - {entity.pk}
    if not others:
        return []
    return list(Entity.objects.filter(entities_visible_q(user), pk__in=others).order_by("name", "pk"))


def entity_suggested_links(*, user: Any, entity: Entity) -> list[EntityLink]:
    """Pending suggestions involving this entity, for those who decide them."""
    if not has_perm(user, Perm.ENTITY_LINK):
        return []
    links = EntityLink.objects.filter(status=LinkStatus.SUGGESTED).filter(Q(entity_a=entity) | Q(entity_b=entity))
    return list(links.select_related("entity_a", "entity_b").order_by("-score", "pk")[:20])


def entity_decided_links(*, user: Any, entity: Entity) -> list[EntityLink]:
    """Confirmed and rejected links of this entity whose other side the user may open, newest
    decision first, for those who decide them (each can be undone by the opposite decision)."""
    if not has_perm(user, Perm.ENTITY_LINK):
        return []
    visible = Entity.objects.filter(entities_visible_q(user)).values("pk")
    links = (
        EntityLink.objects.filter(status__in=[LinkStatus.CONFIRMED, LinkStatus.REJECTED])
        .filter(Q(entity_a=entity, entity_b__in=visible) | Q(entity_b=entity, entity_a__in=visible))
        .select_related("entity_a", "entity_b", "decided_by")
    )
    return list(links.order_by("-decided_at", "-pk")[:50])


@dataclass
class LinkCandidate:
    entity: Entity
    score: float | None  # name similarity when found by the fuzzy search
    status: str  # the pair's link status, "" when there is none


MAX_CANDIDATES = 15


def link_candidates(*, user: Any, entity: Entity, q: str, limit: int = MAX_CANDIDATES) -> list[LinkCandidate]:
    """Entities of the same kind as `entity` that the user may open and that match `q` (name words,
    then close names), to link to it by hand; each with the status of the pair's link, if any.
    Needs `entities.link`."""
    require(user, Perm.ENTITY_LINK)
    q = (q or "").strip()[:200]
    if not normalise_name(q):
        return []
    qs = entity_list(user=user, filters={"q": q, "kind": entity.kind}).exclude(pk=entity.pk)
    found: dict[int, LinkCandidate] = {e.pk: LinkCandidate(e, None, "") for e in qs[:limit]}
    if len(found) < limit:
        for other, score in did_you_mean(user=user, q=q, limit=limit):
            if other.pk != entity.pk and other.kind == entity.kind and other.pk not in found:
                found[other.pk] = LinkCandidate(other, round(score), "")
    candidates = list(found.values())[:limit]
    ids = [c.entity.pk for c in candidates]
    statuses: dict[int, str] = {}
    for a, b, status in EntityLink.objects.filter(
        Q(entity_a=entity, entity_b__in=ids) | Q(entity_b=entity, entity_a__in=ids)
    ).values_list("entity_a_id", "entity_b_id", "status"):
        statuses[b if a == entity.pk else a] = status
    same = cluster_of(entity.pk)
    for candidate in candidates:
        candidate.status = statuses.get(candidate.entity.pk, "")
        if not candidate.status and candidate.entity.pk in same:
            candidate.status = LinkStatus.CONFIRMED  # the same through another member of the cluster
    return candidates


# --- records linked to an entity ------------------------------------------------------------------


@dataclass
class LinkedRecord:
    kind: str  # "seizure", "shipment" or "message"
    pk: int
    reference: str
    title: str
    date: dt.date | None
    url: str
    country: str = ""
    roles: list[tuple[int, str]] = field(default_factory=list)  # (entity id, role label)
    reasons: list[str] = field(default_factory=list)
    score: int = 0

    @property
    def role_labels(self) -> list[str]:
        return sorted({label for _pk, label in self.roles})


def _shipment_selectors() -> Any:
    """The shipments app's selectors, or None while it is not there (guarded integration)."""
    try:
        from shieldhub.shipments import selectors
    except ImportError:
        return None
    return selectors if hasattr(selectors, "shipment_list") else None


def _shipment_date(shipment: Any) -> dt.date | None:
    for name in ("planned_dispatch", "notified_at", "created_at"):
        value = getattr(shipment, name, None)
        if isinstance(value, dt.datetime):
            return timezone.localdate(value) if timezone.is_aware(value) else value.date()
        if isinstance(value, dt.date):
            return value
    return None


SHIPMENT_ROLE_FIELDS = ("exporter", "importer", "consignee", "end_user")


def _shipment_records(user: Any, ids: set[int], *, before: dt.date | None = None) -> list[LinkedRecord]:
    selectors = _shipment_selectors()
    if selectors is None or not has_perm(user, Perm.SHIPMENT_USE):
        return []
    found: dict[int, LinkedRecord] = {}
    for entity_id in sorted(ids):
        try:
            rows = list(selectors.shipment_list(user=user, filters={"entity": entity_id})[:MAX_RECORDS])
        except (PermissionDenied, Http404):
            return []
        for shipment in rows:
            date = _shipment_date(shipment)
            if before is not None and (date is None or date >= before):
                continue
            record = found.get(shipment.pk)
            if record is None:
                try:
                    url = reverse("shipments:shipment-detail", args=[shipment.pk])
                except Exception:  # the page may not exist yet
                    url = ""
                record = found[shipment.pk] = LinkedRecord(
                    kind="shipment", pk=shipment.pk, reference=str(getattr(shipment, "reference", shipment.pk)),
                    title=f"{getattr(shipment, 'exporting_country', '')} → {getattr(shipment, 'importing_country', '')}",
                    date=date, url=url,
                )  # fmt: skip
            for name in SHIPMENT_ROLE_FIELDS:
                if getattr(shipment, f"{name}_id", None) == entity_id:
                    label = str(shipment._meta.get_field(name).verbose_name)
                    record.roles.append((entity_id, label))
    return list(found.values())


def _seizure_records(user: Any, ids: set[int], *, before: Any = None, limit: int = MAX_RECORDS) -> list[LinkedRecord]:
    """The seizure records naming these entities whose detail the user may see, newest first."""
    from shieldhub.seizures.models import Incident, IncidentParty

    incidents = Incident.objects.filter(incidents_detail_visible_q(user))
    incidents = incidents.filter(pk__in=IncidentParty.objects.filter(entity__in=ids).values("incident_id"))
    if before is not None:
        incidents = incidents.filter(Q(occurred_on__lt=before.occurred_on) | Q(occurred_on=before.occurred_on,
                                                                                pk__lt=before.pk)).exclude(pk=before.pk)  # fmt: skip
    rows = list(
        incidents.only("pk", "incident_type", "occurred_on", "reporting_country", "status").order_by(
            "-occurred_on", "-pk"
        )[:limit]
    )
    if not rows:
        return []
    records = {
        i.pk: LinkedRecord(
            kind="seizure", pk=i.pk, reference=i.reference, title=str(i.get_incident_type_display()),
            date=i.occurred_on, url=reverse("seizures:incident-detail", args=[i.pk]),
            country=str(i.reporting_country.code if i.reporting_country else ""),
        )
        for i in rows
    }  # fmt: skip
    parties = IncidentParty.objects.filter(incident__in=list(records), entity__in=ids).order_by("position", "pk")
    for party in parties:
        records[party.incident_id].roles.append((party.entity_id, str(party.get_role_display())))
    return list(records.values())


def entity_records(*, user: Any, entity: Entity) -> list[LinkedRecord]:
    """The records naming the entity or a confirmed "same as" of it that this user may see."""
    ids = set(cluster_of(entity.pk))
    records = _seizure_records(user, ids) + _shipment_records(user, ids)
    records.sort(key=lambda r: (r.date or dt.date.min, r.kind, r.pk), reverse=True)
    return records[:MAX_RECORDS]


# --- the network graph ------------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    kind: str  # entity kinds, or "seizure", "shipment"
    label: str
    url: str
    hop: int
    detail: str = ""
    x: float = 0.0
    y: float = 0.0
    short: str = ""  # the label as drawn
    anchor: str = "middle"  # SVG text-anchor of the label

    @property
    def is_record(self) -> bool:
        return self.kind in ("seizure", "shipment")


@dataclass
class Edge:
    source: str
    target: str
    label: str
    same_as: bool = False


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def _entity_node(entity: Entity, hop: int) -> Node:
    return Node(
        id=f"e{entity.pk}", kind=entity.kind, label=entity.name, hop=hop,
        url=reverse("entities:entity-detail", args=[entity.pk]),
        detail=str(entity.country.name) if entity.country else "",
    )  # fmt: skip


def entity_graph(*, user: Any, entity: Entity, hops: int = 2, max_nodes: int = MAX_GRAPH_NODES) -> Graph:
    """The entity (and its visible "same as" cluster) at the centre, the records naming them (hop 1),
    and the other entities those records name (hop 2), each only if the user may see it."""
    from shieldhub.seizures.models import IncidentParty

    cluster = set(cluster_of(entity.pk))
    centre = list(Entity.objects.filter(entities_visible_q(user), pk__in=cluster).order_by("pk"))
    if entity.pk not in {e.pk for e in centre}:
        centre.insert(0, entity)
    ids = {e.pk for e in centre}
    nodes = [_entity_node(e, 0) for e in centre]
    edges = [
        Edge(source=f"e{a}", target=f"e{b}", label="=", same_as=True)
        for a, b in EntityLink.objects.filter(status=LinkStatus.CONFIRMED, entity_a__in=ids, entity_b__in=ids)
        .order_by("pk")
        .values_list("entity_a_id", "entity_b_id")
    ]
    records = _seizure_records(user, ids) + _shipment_records(user, ids)
    records.sort(key=lambda r: (r.date or dt.date.min, r.kind, r.pk), reverse=True)
    room = max_nodes - len(nodes)
    truncated = len(records) > room
    records = records[: max(room, 0)]
    for record in records:
        node_id = f"{record.kind[:2]}{record.pk}"
        nodes.append(Node(id=node_id, kind=record.kind, label=record.reference, url=record.url, hop=1,
                          detail=f"{record.title} · {record.date or ''}"))  # fmt: skip
        for entity_id, label in record.roles:
            edges.append(Edge(source=f"e{entity_id}", target=node_id, label=label))
    if hops >= 2 and records:
        seizure_ids = [r.pk for r in records if r.kind == "seizure"]
        others = (
            IncidentParty.objects.filter(incident__in=seizure_ids)
            .exclude(entity__in=ids)
            .filter(entity__in=Entity.objects.filter(entities_visible_q(user)).values("pk"))
            .select_related("entity")
            .order_by("incident_id", "position", "pk")
        )
        added: dict[int, Node] = {}
        for party in others:
            if party.entity_id not in added:
                if len(nodes) >= max_nodes:
                    truncated = True
                    continue
                added[party.entity_id] = _entity_node(party.entity, 2)
                nodes.append(added[party.entity_id])
            edges.append(Edge(source=f"se{party.incident_id}", target=f"e{party.entity_id}",
                              label=str(party.get_role_display())))  # fmt: skip
    graph = Graph(nodes=nodes, edges=edges, truncated=truncated)
    from shieldhub.entities.graph import radial_layout

    radial_layout(graph)
    return graph


# --- "same as" suggestions ---------------------------------------------------------------------------


def link_list(*, user: Any, status: str = LinkStatus.SUGGESTED) -> QuerySet[EntityLink]:
    """The links to decide (or decided), for those with `entities.link`; best score first."""
    require(user, Perm.ENTITY_LINK)
    qs = EntityLink.objects.select_related("entity_a", "entity_b", "decided_by")
    if status in LinkStatus.values:
        qs = qs.filter(status=status)
    order = ["-score", "pk"] if status == LinkStatus.SUGGESTED else ["-decided_at", "-pk"]
    return qs.order_by(*order)


def link_get(*, user: Any, pk: Any) -> EntityLink:
    require(user, Perm.ENTITY_LINK, hide=True)
    try:
        return EntityLink.objects.select_related("entity_a", "entity_b").get(pk=int(pk))
    except (EntityLink.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def link_records_count(*, user: Any, links: list[EntityLink]) -> dict[int, int]:
    """How many seizure records this user may see name each entity of these links (helps decide)."""
    from django.db.models import Count

    from shieldhub.seizures.models import IncidentParty

    ids = {i for link in links for i in (link.entity_a_id, link.entity_b_id)}
    from shieldhub.seizures.models import Incident

    seen = Incident.objects.filter(incidents_detail_visible_q(user)).values("pk")
    counts = (
        IncidentParty.objects.filter(entity__in=ids, incident__in=seen)
        .values("entity_id")
        .annotate(n=Count("incident", distinct=True))
    )
    return {row["entity_id"]: row["n"] for row in counts}


# --- related records of a seizure --------------------------------------------------------------------


@dataclass
class RelatedRecords:
    seizures: list[LinkedRecord]
    shipments: list[LinkedRecord]
    messages: list[LinkedRecord]

    @property
    def items(self) -> list[LinkedRecord]:
        """All of them by relevance: a shared company first, then shared goods and route."""
        every = self.seizures + self.shipments + self.messages
        return sorted(every, key=lambda r: (-r.score, -(r.date or dt.date.min).toordinal(), r.kind, -r.pk))

    def __bool__(self) -> bool:
        return bool(self.seizures or self.shipments or self.messages)


def related_to_incident(*, user: Any, incident: Any) -> RelatedRecords:
    """Earlier records that share something with this seizure, each through its own access rule:
    seizures and shipments naming one of its companies (or a confirmed "same as"), and exchange
    messages sharing both a route country and a precursor. Nothing when the reader may not see the
    record's detail."""
    from shieldhub.seizures.models import GoodsLine, Incident, IncidentCountry, IncidentParty

    empty = RelatedRecords([], [], [])
    if not user_perms(user) or not incident_detail_visible(user, incident):
        return empty
    if not Incident.objects.filter(incidents_detail_visible_q(user), pk=incident.pk).exists():
        return empty  # never through a record the reader may not see
    party_ids = set(IncidentParty.objects.filter(incident=incident).values_list("entity_id", flat=True))
    clusters = confirmed_clusters(party_ids)
    ids = {i for members in clusters.values() for i in members}
    names = dict(Entity.objects.filter(pk__in=ids).values_list("pk", "name"))

    def company_reasons(record: LinkedRecord) -> None:
        shared = sorted({names.get(pk, "") for pk, _label in record.roles})
        record.reasons = shared
        record.score = 100 + 10 * len(shared)

    seizures = _seizure_records(user, ids, before=incident, limit=50) if ids else []
    shipments = _shipment_records(user, ids, before=incident.occurred_on) if ids else []
    for record in seizures + shipments:
        company_reasons(record)
    seizures.sort(key=lambda r: (-r.score, -(r.date or dt.date.min).toordinal()))
    shipments.sort(key=lambda r: (-r.score, -(r.date or dt.date.min).toordinal()))
    messages = _related_messages(
        user,
        countries=set(IncidentCountry.objects.filter(incident=incident).values_list("country", flat=True)),
        items=set(
            GoodsLine.objects.filter(incident=incident, catalogue_item__isnull=False).values_list(
                "catalogue_item_id", flat=True
            )
        ),
        before=incident.occurred_on,
    )
    return RelatedRecords(seizures[:MAX_RELATED], shipments[:MAX_RELATED], messages[:MAX_RELATED])


def _related_messages(user: Any, *, countries: set[str], items: set[int], before: dt.date) -> list[LinkedRecord]:
    if not countries or not items or not has_perm(user, Perm.EXCHANGE_USE):
        return []
    from shieldhub.exchange.models import Message, MessageCountry
    from shieldhub.reference.models import CatalogueItem

    end = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    in_route = MessageCountry.objects.filter(country__in=countries).exclude(role="reporting")
    through = Message.precursors.through
    candidates = list(
        Message.objects.filter(messages_visible_q(user), status="sent", sent_at__lt=end)
        .filter(pk__in=in_route.values("message_id"))
        .filter(pk__in=through.objects.filter(catalogueitem_id__in=items).values("message_id"))
        .only("pk", "subject", "sent_at", "kind")
        .order_by("-sent_at", "-pk")[:50]
    )
    if not candidates:
        return []
    ids = [m.pk for m in candidates]
    shared_countries: dict[int, set[str]] = defaultdict(set)
    for message_id, code in in_route.filter(message__in=ids).values_list("message_id", "country"):
        shared_countries[message_id].add(str(code))
    shared_items: dict[int, set[int]] = defaultdict(set)
    for message_id, item in through.objects.filter(message__in=ids, catalogueitem_id__in=items).values_list(
        "message_id", "catalogueitem_id"
    ):
        shared_items[message_id].add(item)
    item_names = {c.pk: c.name for c in CatalogueItem.objects.filter(pk__in=items)}
    records = []
    for message in candidates:
        codes, goods = shared_countries[message.pk], shared_items[message.pk]
        records.append(
            LinkedRecord(
                kind="message", pk=message.pk, reference=str(message.get_kind_display()), title=message.subject,
                date=timezone.localdate(message.sent_at) if message.sent_at else None,
                url=reverse("exchange:message-detail", args=[message.pk]),
                reasons=sorted(item_names.get(i, "") for i in goods) + sorted(codes),
                score=len(codes) + len(goods),
            )
        )  # fmt: skip
    records.sort(key=lambda r: (-r.score, -(r.date or dt.date.min).toordinal(), -r.pk))
    return records

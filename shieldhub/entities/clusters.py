"""Clusters of entities joined by confirmed "same as" links (union-find).

"Same as" is transitive: if A = B and B = C are confirmed, A, B and C form one cluster, and a record
naming any of them counts for all three. Clusters are small (a few spellings of one company), so a
cluster is found by walking the confirmed links outward from the entities asked about, a few
queries at most, and joined with a union-find.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from shieldhub.entities.models import EntityLink, LinkStatus

MAX_CLUSTER = 200  # a runaway chain of confirmations stops growing here
MAX_ROUNDS = 10


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the lowest id is the root: deterministic

    def groups(self) -> dict[int, frozenset[int]]:
        members: dict[int, set[int]] = {}
        for item in self.parent:
            members.setdefault(self.find(item), set()).add(item)
        return {item: frozenset(members[self.find(item)]) for item in self.parent}


def confirmed_clusters(ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """Each of these entity ids → its cluster (itself alone when it has no confirmed link)."""
    start = {int(i) for i in ids}
    uf = UnionFind()
    for item in start:
        uf.find(item)
    seen: set[int] = set()
    frontier = set(start)
    for _round in range(MAX_ROUNDS):
        if not frontier or len(uf.parent) > MAX_CLUSTER * max(len(start), 1):
            break
        seen |= frontier
        links = EntityLink.objects.filter(status=LinkStatus.CONFIRMED).filter(
            Q(entity_a__in=frontier) | Q(entity_b__in=frontier)
        )
        found: set[int] = set()
        for a, b in links.values_list("entity_a_id", "entity_b_id"):
            uf.union(a, b)
            found |= {a, b}
        frontier = found - seen
    groups = uf.groups()
    return {item: groups[item] for item in start}


def cluster_of(entity_id: int) -> frozenset[int]:
    return confirmed_clusters([entity_id])[entity_id]

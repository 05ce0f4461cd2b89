"""A deterministic radial layout for the entity network graph, drawn as server-side SVG.

The entity (and its "same as" cluster) sits in the centre, the records naming it on an inner ring
(newest first, clockwise from the top; with a cluster, grouped on the side of the member they name), and the other entities those records name on an outer ring,
each placed in the order of the first record that names it so that edges stay short. No physics,
no randomness: the same data always gives the same picture, and no JavaScript is needed.
"""

from __future__ import annotations

import math
from typing import Any

WIDTH = 820
HEIGHT = 640
CX, CY = WIDTH / 2, HEIGHT / 2
INNER = 170.0  # ring of the records
OUTER = 285.0  # ring of the entities at two hops
SQUASH = 0.78  # rings are ellipses, the canvas being wider than high
LABEL_CHARS = 26


def _place(nodes: list[Any], radius: float, offset: float = 0.0) -> None:
    count = len(nodes)
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + offset + 2 * math.pi * i / max(count, 1)
        node.x = round(CX + radius * math.cos(angle), 1)
        node.y = round(CY + radius * SQUASH * math.sin(angle), 1)


def radial_layout(graph: Any) -> None:
    """Set x and y on each node of a `selectors.Graph`."""
    centre = [n for n in graph.nodes if n.hop == 0]
    records = [n for n in graph.nodes if n.hop == 1]
    outer = [n for n in graph.nodes if n.hop == 2]
    offset = 0.0
    if len(centre) == 1:
        centre[0].x, centre[0].y = CX, CY
    else:
        _place(centre, 55.0)
        # a cluster in the centre: each record on the side of the member that it names, so that no
        # edge crosses another member (records of member i around member i's angle)
        member = {n.id: i for i, n in enumerate(centre)}
        side: dict[str, int] = {}
        for edge in graph.edges:
            if edge.source in member and not edge.same_as:
                side[edge.target] = min(side.get(edge.target, len(centre)), member[edge.source])
        order = {n.id: i for i, n in enumerate(records)}
        records.sort(key=lambda n: (side.get(n.id, len(centre)), order[n.id]))
        if records:
            first_group = sum(1 for n in records if side.get(n.id, len(centre)) == side.get(records[0].id))
            angle_of_first = 2 * math.pi * side.get(records[0].id, 0) / len(centre)
            offset = angle_of_first - math.pi * (first_group - 1) / len(records)
    _place(records, INNER, offset)
    # outer entities in the order of their first record on the inner ring
    position = {n.id: i for i, n in enumerate(records)}
    first: dict[str, int] = {}
    for edge in graph.edges:
        if edge.target in {n.id for n in outer} and edge.source in position:
            first.setdefault(edge.target, position[edge.source])
    outer.sort(key=lambda n: (first.get(n.id, len(records)), n.label.lower(), n.id))
    _place(outer, OUTER)
    for node in graph.nodes:
        node.short = node.label if len(node.label) <= LABEL_CHARS else node.label[: LABEL_CHARS - 1] + "…"
        node.anchor = "middle" if abs(node.x - CX) < 40 else ("start" if node.x > CX else "end")


def svg_edges(graph: Any) -> list[dict[str, Any]]:
    """Edges with their end coordinates, for the template."""
    where = {n.id: n for n in graph.nodes}
    lines = []
    for edge in graph.edges:
        a, b = where.get(edge.source), where.get(edge.target)
        if a is None or b is None:
            continue
        lines.append({"x1": a.x, "y1": a.y, "x2": b.x, "y2": b.y, "label": edge.label, "same_as": edge.same_as,
                      "mx": round((a.x + b.x) / 2, 1), "my": round((a.y + b.y) / 2, 1)})  # fmt: skip
    return lines


def table_rows(graph: Any) -> list[dict[str, Any]]:
    """The graph's edges as rows (the accessible fallback of the drawing)."""
    where = {n.id: n for n in graph.nodes}
    rows = []
    for edge in graph.edges:
        a, b = where.get(edge.source), where.get(edge.target)
        if a is not None and b is not None:
            rows.append({"a": a, "b": b, "label": edge.label})
    return rows

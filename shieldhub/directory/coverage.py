"""NCP coverage: which WCO members have at least one active NCP nomination, by WCO region, and a
world map of it rendered on the server as inline SVG (light on slow links, no JavaScript).

`coverage_summary(user=)` is the selector for the page. Counts are aggregates every holder of
Perm.COVERAGE_VIEW may see (donors included); the names of primary NCPs come through
`nomination_list`, so only those who may see the NCP network get them.

The map: `countries-110m.json` (Natural Earth 1:110m via the npm package world-atlas, vendored in
shieldhub/static/vendor/world/) is a TopoJSON topology; `decode_topology` turns its delta-encoded,
quantised arcs into rings of longitude/latitude, `natural_earth` projects them (the Natural Earth I
projection, Šavrič et al. 2015, as in d3-geo), and `country_shapes()` caches the SVG path of every
country by ISO2 code for the life of the process.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings
from django.db.models import Count
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from shieldhub.core.access import Perm, has_perm, require
from shieldhub.directory.choices import NominationRole, NominationStatus
from shieldhub.directory.models import NcpNomination
from shieldhub.directory.selectors import nomination_list
from shieldhub.reference.selectors import country_list, wco_member_countries

WORLD_FILE = Path(settings.PACKAGE_DIR) / "static" / "vendor" / "world" / "countries-110m.json"
MAP_WIDTH = 960.0
MIN_STEP = 1.0  # pixels
# Geometries without an ISO numeric id in Natural Earth 110m, shown with the country they belong
# to in ISO 3166 (or, for Kosovo, the WCO's own code).
_UNNUMBERED = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}
_SKIP = {"010"}  # Antarctica: no customs administration, and it takes a fifth of the map

COLOUR_ACTIVE = "#1e7a3c"
COLOUR_NO_NCP = "#f0b43c"
COLOUR_NOT_MEMBER = "#c9d1db"


# --- geometry ---------------------------------------------------------------------------------

Ring = list[tuple[float, float]]


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Absolute lon/lat arcs from a quantised, delta-encoded TopoJSON topology."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        points: Ring = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_rest in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    ring: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def decode_topology(topology: dict[str, Any], object_name: str) -> list[dict[str, Any]]:
    """The geometries of one object as {"id", "name", "polygons": [[ring, hole, ...], ...]}."""
    arcs = decode_arcs(topology)
    out = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [[_ring(arcs, r) for r in geometry["arcs"]]]
        elif kind == "MultiPolygon":
            polygons = [[_ring(arcs, r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        out.append(
            {"id": geometry.get("id"), "name": (geometry.get("properties") or {}).get("name", ""), "polygons": polygons}
        )
    return out


def _clip(ring: Ring, limit: float, keep_below: bool) -> Ring:
    """Sutherland–Hodgman: the part of a ring on one side of the meridian `limit`."""

    def inside(point: tuple[float, float]) -> bool:
        return point[0] <= limit if keep_below else point[0] >= limit

    out: Ring = []
    for index, current in enumerate(ring):
        previous = ring[index - 1]
        if inside(current):
            if not inside(previous):
                out.append(_crossing(previous, current, limit))
            out.append(current)
        elif inside(previous):
            out.append(_crossing(previous, current, limit))
    return out


def _crossing(a: tuple[float, float], b: tuple[float, float], limit: float) -> tuple[float, float]:
    t = (limit - a[0]) / (b[0] - a[0])
    return (limit, a[1] + t * (b[1] - a[1]))


def split_antimeridian(ring: Ring) -> list[Ring]:
    """A ring that jumps across the ±180° meridian (Fiji, Chukotka), made continuous and clipped to
    each side of the map; other rings unchanged."""
    if not any(abs(a[0] - b[0]) > 180 for a, b in itertools.pairwise(ring)):
        return [ring]
    unwrapped: Ring = [ring[0]]
    offset = 0.0
    for (lon0, _lat0), (lon1, lat1) in itertools.pairwise(ring):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon0 - lon1 > 180:
            offset += 360
        unwrapped.append((lon1 + offset, lat1))
    out = []
    for shift in (-360.0, 0.0, 360.0):
        shifted = [(lon + shift, lat) for lon, lat in unwrapped]
        part = _clip(_clip(shifted, 180.0, keep_below=True), -180.0, keep_below=False)
        if len(part) >= 3 and max(lon for lon, _lat in part) - min(lon for lon, _lat in part) > 1e-9:
            out.append(part)
    return out


def natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth I projection (radians out, unscaled)."""
    lam, phi = math.radians(lon), math.radians(lat)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)))
    y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)))
    return x, y


def _iso2(geometry: dict[str, Any]) -> str:
    if geometry["id"] is None:
        return _UNNUMBERED.get(geometry["name"], "")
    found = pycountry.countries.get(numeric=str(geometry["id"]).zfill(3))
    return found.alpha_2 if found is not None else ""


def _tenths(value: int) -> str:
    """An integer number of tenths as the shortest decimal: 25 -> '2.5', -3 -> '-.3', 40 -> '4'."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


@dataclass(frozen=True)
class Shape:
    code: str  # ISO2 ('' when unknown)
    name: str  # the name in the geometry file, used when the reference has none
    d: str  # the SVG path


@dataclass(frozen=True)
class WorldShapes:
    width: float
    height: float
    shapes: tuple[Shape, ...]


@lru_cache(maxsize=1)
def country_shapes() -> WorldShapes:
    """Every country's SVG path, projected and scaled to MAP_WIDTH; computed once per process."""
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    geometries = [g for g in decode_topology(topology, "countries") if str(g["id"]) not in _SKIP]
    projected = []
    min_x = min_y = math.inf
    max_x = max_y = -math.inf
    for g in geometries:
        polygons = []
        for polygon in g["polygons"]:
            rings = []
            for ring in (part for whole in polygon for part in split_antimeridian(whole)):
                pts = [natural_earth(lon, lat) for lon, lat in ring]
                for x, y in pts:
                    min_x, max_x = min(min_x, x), max(max_x, x)
                    min_y, max_y = min(min_y, y), max(max_y, y)
                rings.append(pts)
            polygons.append(rings)
        projected.append((g, polygons))
    scale = MAP_WIDTH / (max_x - min_x)
    height = round((max_y - min_y) * scale, 1)
    shapes = []
    for g, polygons in projected:
        parts = []
        for polygon in polygons:
            for ring in polygon:
                # Integer tenths of a pixel; relative moves ("l") keep the path short.
                points: list[tuple[int, int]] = []
                for x, y in ring:
                    point = (round((x - min_x) * scale * 10), round((max_y - y) * scale * 10))
                    # Drop points closer than MIN_STEP to the last one kept: invisible, and bytes.
                    if points and abs(point[0] - points[-1][0]) + abs(point[1] - points[-1][1]) < MIN_STEP * 10:
                        continue
                    points.append(point)
                if len(points) < 3:
                    continue
                moves = [f"M{_tenths(points[0][0])},{_tenths(points[0][1])}l"]
                moves.extend(f"{_tenths(b[0] - a[0])},{_tenths(b[1] - a[1])}" for a, b in itertools.pairwise(points))
                parts.append(" ".join(moves).replace("l ", "l") + "z")
        if parts:
            shapes.append(Shape(code=_iso2(g), name=g["name"], d="".join(parts)))
    return WorldShapes(width=MAP_WIDTH, height=height, shapes=tuple(shapes))


# --- coverage ---------------------------------------------------------------------------------


@dataclass
class CountryCoverage:
    code: str
    name: str
    active: int = 0
    primary_names: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.active > 0


@dataclass
class RegionCoverage:
    code: str
    name: str
    countries: list[CountryCoverage] = field(default_factory=list)

    @property
    def members(self) -> int:
        return len(self.countries)

    @property
    def covered(self) -> int:
        return sum(1 for c in self.countries if c.covered)

    @property
    def ncps(self) -> int:
        return sum(c.active for c in self.countries)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.members) if self.members else 0


@dataclass
class Coverage:
    regions: list[RegionCoverage]
    show_names: bool
    active_by_country: dict[str, int]
    names: dict[str, str]  # ISO2 -> country name in the active language

    @property
    def members(self) -> int:
        return sum(r.members for r in self.regions)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.regions)

    @property
    def ncps(self) -> int:
        return sum(r.ncps for r in self.regions)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.members) if self.members else 0

    @property
    def member_codes(self) -> set[str]:
        return {c.code for r in self.regions for c in r.countries}


def active_ncps_by_country(*, user: Any) -> dict[str, int]:
    """Active NCP nominations per country (ISO2). An aggregate over every active nomination: the
    counts are what coverage is for, and they reveal no person."""
    require(user, Perm.COVERAGE_VIEW)
    return dict(
        NcpNomination.objects.filter(status=NominationStatus.ACTIVE)
        .order_by()
        .values_list("country")
        .annotate(n=Count("id"))
        .values_list("country", "n")
    )


def coverage_summary(*, user: Any) -> Coverage:
    """WCO members by region with their number of active NCPs (and primary NCP names for those who
    may see the NCP network). Names go through nomination_list, which applies the access policy."""
    require(user, Perm.COVERAGE_VIEW)
    active = active_ncps_by_country(user=user)
    show_names = has_perm(user, Perm.DIRECTORY_VIEW_NETWORK)
    primaries: dict[str, list[str]] = {}
    if show_names:
        for nomination in nomination_list(
            user=user, filters={"status": NominationStatus.ACTIVE, "role": NominationRole.PRIMARY}
        ):
            primaries.setdefault(str(nomination.country.code), []).append(nomination.person.full_name)
    regions: dict[str, RegionCoverage] = {}
    for country in wco_member_countries(user=user):
        region_code = country.wco_region_id or ""
        region = regions.get(region_code)
        if region is None:
            region_name = country.wco_region.name if country.wco_region else _("No WCO region")
            region = regions[region_code] = RegionCoverage(code=region_code, name=region_name)
        region.countries.append(
            CountryCoverage(
                code=country.code,
                name=country.name,
                active=active.get(country.code, 0),
                primary_names=sorted(primaries.get(country.code, [])),
            )
        )
    for region in regions.values():
        region.countries.sort(key=lambda c: c.name.casefold())
    names = {code: name for code, name in _country_names(user)}
    return Coverage(
        regions=[regions[k] for k in sorted(regions)],
        show_names=show_names,
        active_by_country=active,
        names=names,
    )


def _country_names(user: Any) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in country_list(user=user)]


def coverage_map_svg(coverage: Coverage) -> SafeString:
    """The coverage map as an inline, accessible SVG: a <title> on every country, role="img"."""
    world = country_shapes()
    members = coverage.member_codes
    active_label = _("active NCP")
    no_ncp_label = _("WCO member without an active NCP")
    not_member_label = _("not a WCO member")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {world.width:g} {world.height:g}" role="img" fill-rule="evenodd" '
        f'aria-label="{escape(map_caption(coverage))}" focusable="false">'
    ]
    for shape in world.shapes:
        if coverage.active_by_country.get(shape.code):
            fill, status = COLOUR_ACTIVE, active_label
        elif shape.code in members:
            fill, status = COLOUR_NO_NCP, no_ncp_label
        else:
            fill, status = COLOUR_NOT_MEMBER, not_member_label
        name = coverage.names.get(shape.code) or shape.name
        out.append(
            f'<path d="{shape.d}" fill="{fill}" data-code="{escape(shape.code)}">'
            f"<title>{escape(name)} — {escape(status)}</title></path>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every dynamic part above is escaped


def map_caption(coverage: Coverage) -> str:
    return _("World map: %(covered)s of %(members)s WCO members have an active NCP.") % {
        "covered": coverage.covered,
        "members": coverage.members,
    }


def legend() -> list[tuple[str, str]]:
    return [
        (COLOUR_ACTIVE, _("Active NCP")),
        (COLOUR_NO_NCP, _("WCO member without an active NCP")),
        (COLOUR_NOT_MEMBER, _("Not a WCO member")),
    ]

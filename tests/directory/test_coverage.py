"""NCP coverage: numbers per WCO region for a known data set, the server-side map, who sees names."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shieldhub.directory import coverage
from shieldhub.reference.models import Country, WcoRegion
from tests.factories import NominationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    eur = WcoRegion.objects.create(code="EUR", name_en="Europe", name_fr="Europe")
    esa = WcoRegion.objects.create(
        code="ESA", name_en="East and Southern Africa", name_fr="Afrique orientale et australe"
    )
    for code, iso3, numeric, en, fr, region, member in [
        ("FR", "FRA", 250, "France", "France", eur, True),
        ("DE", "DEU", 276, "Germany", "Allemagne", eur, True),
        ("GB", "GBR", 826, "United Kingdom", "Royaume-Uni", eur, True),
        ("KE", "KEN", 404, "Kenya", "Kenya", esa, True),
        ("TZ", "TZA", 834, "Tanzania", "Tanzanie", esa, True),
        ("AQ", "ATA", 10, "Antarctica", "Antarctique", None, False),
        ("TW", "TWN", 158, "Taiwan", "Taïwan", None, False),
    ]:
        Country.objects.create(
            code=code, iso3=iso3, numeric=numeric, name_en=en, name_fr=fr, wco_region=region, wco_member=member
        )
    # FR: a primary and an alternate, both active; DE: only a lapsed one; KE: nominated, not active;
    # TZ: one active alternate. So Europe 1 of 3, ESA 1 of 2, 3 active NCPs in all.
    NominationFactory(person=PersonFactory(given_name="Claire", family_name="Martin", country="FR"), role="primary")
    NominationFactory(person=PersonFactory(given_name="Paul", family_name="Durand", country="FR"), role="alternate")
    NominationFactory(person=PersonFactory(given_name="Hans", family_name="Weber", country="DE"), status="lapsed")
    NominationFactory(
        person=PersonFactory(given_name="Amina", family_name="Odhiambo", country="KE"), status="nominated"
    )
    NominationFactory(person=PersonFactory(given_name="Baraka", family_name="Mushi", country="TZ"), role="alternate")


def test_summary_numbers(coordinator, world):
    summary = coverage.coverage_summary(user=coordinator)
    assert [(r.code, r.members, r.covered, r.percent, r.ncps) for r in summary.regions] == [
        ("ESA", 2, 1, 50, 1),
        ("EUR", 3, 1, 33, 2),
    ]
    assert (summary.members, summary.covered, summary.percent, summary.ncps) == (5, 2, 40, 3)
    eur = summary.regions[1]
    assert [(c.code, c.active, c.primary_names) for c in eur.countries] == [
        ("FR", 2, ["Claire Martin"]),
        ("DE", 0, []),
        ("GB", 0, []),
    ]
    assert "TW" not in summary.member_codes


def test_page_for_the_secretariat_shows_tables_names_and_the_map(login, coordinator, world):
    response = login(coordinator).get(reverse("directory:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 of 5 WCO members (40%)" in html
    assert "1 of 3 (33%)" in html and "1 of 2 (50%)" in html
    assert "Claire Martin" in html
    assert "Paul Durand" not in html  # alternates are counted, the primary is named
    # the map: inline SVG, accessible, a title per country with its status
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="World map: 2 of 5 WCO members have an active NCP."' in svg
    assert "<title>France — active NCP</title>" in svg
    assert "<title>Germany — WCO member without an active NCP</title>" in svg
    assert "<title>Taiwan — not a WCO member</title>" in svg
    assert "Antarctica" not in svg
    assert svg.count("<path") == svg.count("<title>") > 150
    assert "<script" not in html.split("</head>", 1)[1]
    assert f'fill="{coverage.COLOUR_ACTIVE}" data-code="FR"' in svg
    assert f'fill="{coverage.COLOUR_NO_NCP}" data-code="KE"' in svg
    assert f'fill="{coverage.COLOUR_ACTIVE}" data-code="TZ"' in svg
    assert f'fill="{coverage.COLOUR_NOT_MEMBER}" data-code="BR"' in svg


def test_donor_sees_counts_but_no_names(login, donor, world):
    response = login(donor).get(reverse("directory:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 of 5 WCO members (40%)" in html
    assert "Claire Martin" not in html and "Baraka" not in html
    assert "Primary NCP" not in html


@pytest.mark.parametrize("persona", ["ncp_ke", "partner_interpol", "analyst"], indirect=True)
def test_the_network_sees_names(login, persona, world):
    html = login(persona).get(reverse("directory:coverage")).content.decode()
    assert "Claire Martin" in html


def test_outsider_is_refused(login, outsider, world):
    assert login(outsider).get(reverse("directory:coverage")).status_code == 403


def test_french_page_uses_french_country_names(login, coordinator, world):
    coordinator.language = "fr"
    coordinator.save()
    html = login(coordinator).get(reverse("directory:coverage"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Allemagne" in html and "<title>Allemagne" in html


def test_query_count_is_constant(login, coordinator, world, django_assert_max_num_queries):
    client = login(coordinator)
    with django_assert_max_num_queries(14):
        client.get(reverse("directory:coverage"))
    for code in ("DE", "GB", "KE"):
        NominationFactory(person=PersonFactory(country=code), country=code)
    with django_assert_max_num_queries(14):
        client.get(reverse("directory:coverage"))


# --- the TopoJSON decoder and projection ---------------------------------------------------------


def test_decode_topology_with_transform_and_reversed_arcs():
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [-10, 20]},
        "arcs": [[[0, 0], [2, 0], [0, 4]], [[2, 4], [-2, 0], [0, -4]]],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "250", "properties": {"name": "A"}},
                    {"type": "MultiPolygon", "arcs": [[[~1]]], "id": "276", "properties": {"name": "B"}},
                    {"type": "Point", "coordinates": [0, 0]},
                ],
            }
        },
    }
    shapes = coverage.decode_topology(topology, "shapes")
    assert [s["id"] for s in shapes] == ["250", "276"]
    assert shapes[0]["polygons"] == [[[(-10, 20), (-9, 20), (-9, 21), (-10, 21), (-10, 20)]]]
    assert shapes[1]["polygons"] == [[[(-10, 20), (-10, 21), (-9, 21)]]]


def test_projection_and_antimeridian():
    assert coverage.natural_earth(0, 0) == (0, 0)
    x, _y = coverage.natural_earth(180, 0)
    assert x == pytest.approx(0.8707 * 3.141592653589793)
    assert coverage.natural_earth(10, 50)[1] > 0 > coverage.natural_earth(10, -50)[1]
    ring = [(179.0, -16.0), (-179.5, -16.2), (-179.5, -17.0), (179.0, -17.0), (179.0, -16.0)]
    parts = coverage.split_antimeridian(ring)
    assert len(parts) == 2
    assert all(-180 <= lon <= 180 for part in parts for lon, _lat in part)
    assert coverage.split_antimeridian([(0, 0), (1, 0), (1, 1)]) == [[(0, 0), (1, 0), (1, 1)]]


def test_world_shapes_are_cached_and_cover_the_world():
    world = coverage.country_shapes()
    assert world is coverage.country_shapes()
    codes = {s.code for s in world.shapes}
    assert {"FR", "KE", "BR", "US", "RU", "FJ", "XK", "CN", "AU"} <= codes
    assert "" not in codes
    assert world.width == 960 and 380 < world.height < 520
    # no shape runs across the whole map (the antimeridian split works)
    for shape in world.shapes:
        steps = [
            float(n)
            for sub in shape.d.split("M")
            if "l" in sub
            for n in re.split(r"[ ,]", sub.split("l", 1)[1].rstrip("z"))
        ]
        assert max(abs(n) for n in steps) < 400, shape.code

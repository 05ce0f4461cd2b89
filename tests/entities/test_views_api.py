"""Entity pages and `/api/v1/entities`: list with search and "did you mean", the entity page with its
graph (SVG with links, table fallback), the suggestions page with confirm/reject, the API, and
bounded query counts."""

from __future__ import annotations

import pytest

from shieldhub.core.models import AuditEntry
from shieldhub.entities import services
from shieldhub.entities.models import Entity, EntityLink

pytestmark = pytest.mark.django_db


def _gulf():
    return Entity.objects.get(normalised_name="gulf agro trading")


def test_list_search_filters_and_did_you_mean(login, record, ncp_fr):
    record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), ("Société Nouvelle d'Import", "FR"), submit=True)
    client = login(ncp_fr)
    page = client.get("/entities/", {"q": "gulf agro trading l.l.c."}).content.decode()
    assert "Gulf Agro Trading LLC" in page and "Société Nouvelle d&#x27;Import" not in page
    assert "Société Nouvelle d&#x27;Import" in client.get("/entities/", {"country": "FR"}).content.decode()
    assert "Gulf Agro" not in client.get("/entities/", {"kind": "vessel"}).content.decode()
    fuzzy = client.get("/entities/", {"q": "Gulf Agro Tradng"}).content.decode()
    assert "Did you mean" in fuzzy and f"/entities/{_gulf().pk}/" in fuzzy


def test_entity_page_with_graph(login, record, ncp_fr, django_assert_max_num_queries):
    first = record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), ("Société Nouvelle d'Import", "FR"),
                   submit=True)  # fmt: skip
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        record(ncp_fr, day, ("Gulf Agro Trading LLC", "AE"), submit=True)
    gulf = _gulf()
    client = login(ncp_fr)
    with django_assert_max_num_queries(30):
        response = client.get(f"/entities/{gulf.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and 'class="entity-graph"' in page
    assert f'href="/seizures/{first.pk}/"' in page  # record nodes link to the records
    consignee = Entity.objects.get(normalised_name="societe nouvelle dimport")
    assert f'href="/entities/{consignee.pk}/"' in page  # entities at two hops
    assert "The network as a table" in page and "Consignor" in page
    # query count does not grow with the records
    for day in ("2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05"):
        record(ncp_fr, day, ("Gulf Agro Trading LLC", "AE"), submit=True)
    with django_assert_max_num_queries(30):
        assert client.get(f"/entities/{gulf.pk}/").status_code == 200


def test_graph_layout_is_deterministic(record, ncp_fr):
    from shieldhub.entities.selectors import entity_graph

    record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), submit=True)
    record(ncp_fr, "2026-03-02", ("Gulf Agro Trading LLC", "AE"), ("Other Co", "AE"), submit=True)
    one, two = entity_graph(user=ncp_fr, entity=_gulf()), entity_graph(user=ncp_fr, entity=_gulf())
    assert [(n.id, n.x, n.y) for n in one.nodes] == [(n.id, n.x, n.y) for n in two.nodes]
    centre = one.nodes[0]
    assert centre.hop == 0 and (centre.x, centre.y) == (410, 320)
    assert {n.hop for n in one.nodes} == {0, 1, 2}
    assert len({(n.x, n.y) for n in one.nodes}) == len(one.nodes)  # no two nodes on the same spot


def test_suggestions_page_confirm_and_reject(login, record, ncp_fr, analyst):
    record(ncp_fr, "2026-03-01", ("Nitro Chemicals Ltd", "IN"), submit=True)
    record(ncp_fr, "2026-03-02", ("NITRO-CHEMICAL LIMITED", "IN"), submit=True)
    services.suggest_links()
    link = EntityLink.objects.get()
    assert login(ncp_fr).get("/entities/same-as/").status_code == 403
    assert login(ncp_fr).post(f"/entities/same-as/{link.pk}/confirm/").status_code == 404
    client = login(analyst)
    page = client.get("/entities/same-as/").content.decode()
    assert "Nitro Chemicals Ltd" in page and "NITRO-CHEMICAL LIMITED" in page and "1 record" in page
    response = client.post(f"/entities/same-as/{link.pk}/confirm/", {"note": "Same IEC code"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "confirmed" and link.note == "Same IEC code"
    assert AuditEntry.objects.filter(action="entities.link_confirm", actor=analyst).exists()
    entity_page = client.get(f"/entities/{link.entity_a_id}/").content.decode()
    assert "NITRO-CHEMICAL LIMITED" in entity_page  # the alias, and its record
    assert "No suggestion to decide" in client.get("/entities/same-as/").content.decode()
    client.post(f"/entities/same-as/{link.pk}/reject/")
    link.refresh_from_db()
    assert link.status == "rejected"


def test_api(login, record, ncp_fr, ncp_ke, analyst):
    incident = record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), submit=True)
    record(ncp_fr, "2026-03-02", ("Gulf Agro Tradin", "AE"), submit=True)
    gulf = _gulf()
    client = login(ncp_fr)
    listed = client.get("/api/v1/entities/", {"q": "gulf"}).json()
    assert {e["name"] for e in listed["items"]} == {"Gulf Agro Trading LLC", "Gulf Agro Tradin"}
    detail = client.get(f"/api/v1/entities/{gulf.pk}").json()
    assert detail["country"] == "AE" and detail["records"][0]["id"] == incident.pk
    assert detail["records"][0]["roles"] == [{"entity": gulf.pk, "role": "Consignor"}]
    graph = client.get(f"/api/v1/entities/{gulf.pk}/graph").json()
    assert {n["kind"] for n in graph["nodes"]} == {"company", "seizure"}
    assert {"source": f"e{gulf.pk}", "target": f"se{incident.pk}", "label": "Consignor", "same_as": False} in graph[
        "edges"
    ]
    assert login(ncp_ke).get(f"/api/v1/entities/{gulf.pk}/graph").status_code == 404
    assert client.get("/api/v1/entities/links").status_code == 403
    services.suggest_links()
    client = login(analyst)
    links = client.get("/api/v1/entities/links").json()["items"]
    assert len(links) == 1 and links[0]["status"] == "suggested"
    confirmed = client.post(f"/api/v1/entities/links/{links[0]['id']}/confirm", {"note": "ok"},
                            content_type="application/json")  # fmt: skip
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["decided_by"]
    again = client.post(f"/api/v1/entities/links/{links[0]['id']}/confirm", {}, content_type="application/json")
    assert again.status_code == 422
    alias = client.get(f"/api/v1/entities/{gulf.pk}").json()
    assert [e["name"] for e in alias["same_as"]] == ["Gulf Agro Tradin"] and len(alias["records"]) == 2
    assert (
        client.post(f"/api/v1/entities/links/{links[0]['id']}/reject", {}, content_type="application/json").json()[
            "status"
        ]
        == "rejected"
    )

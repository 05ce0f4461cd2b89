"""Linking by hand: on an entity page a holder of `entities.link` searches another entity of the same
kind (htmx results, or the whole page without JavaScript) and marks it as the same (a confirmed link:
the cluster, and so the records, include it) or as not the same (a rejected link, never suggested);
the opposite decision undoes it. NCPs and roles without `entities.link` cannot; a link to itself or
to another kind is refused with a clear message. The same through `/api/v1/entities/{id}/links`."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shieldhub.core.models import AuditEntry
from shieldhub.entities import selectors, services
from shieldhub.entities.clusters import cluster_of
from shieldhub.entities.models import Entity, EntityLink, LinkStatus
from shieldhub.entities.services import entity_find_or_create

pytestmark = pytest.mark.django_db


def _by_name(normalised):
    return Entity.objects.get(normalised_name=normalised)


@pytest.fixture
def pair(record, ncp_fr):
    """Two spellings of one company that the matcher would not pair (too different), each named by
    a submitted French record."""
    first = record(ncp_fr, "2026-03-01", ("Sahel Intrants SARL", "ML"), submit=True)
    second = record(ncp_fr, "2026-03-05", ("SIA Bamako", "ML"), submit=True)
    return _by_name("sahel intrants"), _by_name("sia bamako"), first, second


def test_service_confirms_directly_and_the_cluster_grows(pair, analyst, ncp_fr):
    sahel, sia, first, second = pair
    assert cluster_of(sahel.pk) == {sahel.pk}
    link = services.link_set(actor=analyst, entity=sahel, other=sia, decision="same", note="Same address")
    assert (link.entity_a_id, link.entity_b_id) == (min(sahel.pk, sia.pk), max(sahel.pk, sia.pk))
    assert link.status == LinkStatus.CONFIRMED and link.decided_by == analyst and link.note == "Same address"
    assert cluster_of(sahel.pk) == {sahel.pk, sia.pk}
    assert {r.pk for r in selectors.entity_records(user=ncp_fr, entity=sahel)} == {first.pk, second.pk}
    entry = AuditEntry.objects.get(action="entities.link_confirm", actor=analyst)
    assert entry.extra["manual"] is True and {entry.extra["entity_a"], entry.extra["entity_b"]} == {sahel.pk, sia.pk}
    # the same again: refused; the opposite decision undoes it (and the pair is never suggested)
    with pytest.raises(ValidationError, match="already marked"):
        services.link_set(actor=analyst, entity=sia, other=sahel, decision="same")
    undone = services.link_set(actor=analyst, entity=sia, other=sahel, decision="not_same")
    assert undone.pk == link.pk and undone.status == LinkStatus.REJECTED
    assert cluster_of(sahel.pk) == {sahel.pk}
    assert {r.pk for r in selectors.entity_records(user=ncp_fr, entity=sahel)} == {first.pk}
    assert AuditEntry.objects.filter(action="entities.link_reject", actor=analyst).exists()
    services.suggest_links(cutoff=0)  # the daily pass leaves a decided pair alone
    assert EntityLink.objects.get(pk=link.pk).status == LinkStatus.REJECTED


def test_a_suggested_link_is_decided_in_place(pair, coordinator):
    sahel, sia, *_ = pair
    suggested = services.link_propose(actor=coordinator, entity_a=sahel, entity_b=sia)
    link = services.link_set(actor=coordinator, entity=sahel, other=sia, decision="not_same")
    assert link.pk == suggested.pk and link.status == LinkStatus.REJECTED and EntityLink.objects.count() == 1


def test_refused_with_a_clear_message(pair, analyst, ncp_fr):
    sahel, sia, *_ = pair
    with pytest.raises(ValidationError, match="cannot be linked to itself"):
        services.link_set(actor=analyst, entity=sahel, other=sahel, decision="same")
    vessel, _ = entity_find_or_create(actor=ncp_fr, name="Sahel Intrants", country="ML", kind="vessel")
    with pytest.raises(ValidationError, match=r"same kind.*company.*vessel"):
        services.link_set(actor=analyst, entity=sahel, other=vessel, decision="same")
    with pytest.raises(ValidationError, match="same or not"):
        services.link_set(actor=analyst, entity=sahel, other=sia, decision="maybe")
    with pytest.raises(PermissionDenied):
        services.link_set(actor=ncp_fr, entity=sahel, other=sia, decision="same")
    assert not EntityLink.objects.exists()


def test_candidates_same_kind_visible_with_status(pair, record, analyst, ncp_fr, ncp_ke):
    sahel, sia, *_ = pair
    entity_find_or_create(actor=ncp_fr, name="Sahel Intrants Mali", country="ML", kind="person")
    record(ncp_fr, "2026-03-08", ("Sahel Intrant SA", "ML"), submit=True)
    found = selectors.link_candidates(user=analyst, entity=sia, q="sahel")
    names = [c.entity.name for c in found]
    assert "Sahel Intrants SARL" in names and "Sahel Intrant SA" in names
    assert "Sahel Intrants Mali" not in names  # a person
    assert "SIA Bamako" not in names  # itself
    fuzzy = selectors.link_candidates(user=analyst, entity=sia, q="Sahell Intrents")
    assert {c.entity.name for c in fuzzy} >= {"Sahel Intrants SARL"} and all(c.score for c in fuzzy)
    services.link_set(actor=analyst, entity=sia, other=sahel, decision="same")
    status = {c.entity.name: c.status for c in selectors.link_candidates(user=analyst, entity=sia, q="sahel")}
    assert status["Sahel Intrants SARL"] == "confirmed" and status["Sahel Intrant SA"] == ""
    with pytest.raises(PermissionDenied):
        selectors.link_candidates(user=ncp_fr, entity=sia, q="sahel")


def test_pages_htmx_and_without_javascript(pair, login, analyst, django_assert_max_num_queries):
    sahel, sia, first, _second = pair
    client = login(analyst)
    page = client.get(f"/entities/{sia.pk}/").content.decode()
    assert "Link to another entity" in page and f'action="/entities/{sia.pk}/same-as/"' in page
    assert 'hx-target="#link-candidates"' in page
    with django_assert_max_num_queries(15):
        partial = client.get(f"/entities/{sia.pk}/same-as/", {"q": "sahel"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Sahel Intrants SARL" in partial.content.decode()
    full = client.get(f"/entities/{sia.pk}/same-as/", {"q": "sahel"}).content.decode()
    assert "<html" in full and "Sahel Intrants SARL" in full and f'name="other" value="{sahel.pk}"' in full
    response = client.post(f"/entities/{sia.pk}/same-as/new/", {"other": sahel.pk, "decision": "same", "q": "sahel"})
    assert response.status_code == 302 and response["Location"] == f"/entities/{sia.pk}/"
    page = client.get(f"/entities/{sia.pk}/").content.decode()
    assert "are now the same entity" in page
    assert "Decided links" in page and "Undo: not the same" in page and first.reference in page  # alias's record
    link = EntityLink.objects.get()
    client.post(f"/entities/same-as/{link.pk}/reject/", {"next": f"/entities/{sia.pk}/"})
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED
    page = client.get(f"/entities/{sia.pk}/").content.decode()
    assert "Undo: the same" in page and first.reference not in page
    # refused: to itself; the message is shown and the search is kept
    response = client.post(f"/entities/{sia.pk}/same-as/new/", {"other": sia.pk, "decision": "same", "q": "sia"},
                           follow=True)  # fmt: skip
    assert "cannot be linked to itself" in response.content.decode()
    assert response.redirect_chain[-1][0] == f"/entities/{sia.pk}/same-as/?q=sia"


@pytest.mark.parametrize("who", ["ncp_fr", "trainer", "assistant", "donor", "outsider"])
def test_others_cannot_link(pair, login, who, request):
    sahel, sia, *_ = pair
    user = request.getfixturevalue(who)
    client = login(user)
    page = client.get(f"/entities/{sia.pk}/")
    assert "Link to another entity" not in page.content.decode()
    assert client.get(f"/entities/{sia.pk}/same-as/", {"q": "sahel"}).status_code in (403, 404)
    response = client.post(f"/entities/{sia.pk}/same-as/new/", {"other": sahel.pk, "decision": "same"})
    assert response.status_code in (403, 404)
    api = client.post(f"/api/v1/entities/{sia.pk}/links", {"other": sahel.pk, "decision": "same"},
                      content_type="application/json")  # fmt: skip
    assert api.status_code in (401, 403, 404)
    assert not EntityLink.objects.exists()


def test_api(pair, login, analyst, ncp_fr):
    sahel, sia, first, second = pair
    client = login(analyst)
    found = client.get(f"/api/v1/entities/{sia.pk}/link-candidates", {"q": "sahel"}).json()
    assert [c["entity"]["id"] for c in found] == [sahel.pk] and found[0]["status"] == ""
    created = client.post(f"/api/v1/entities/{sia.pk}/links", {"other": sahel.pk, "decision": "same"},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 200 and created.json()["status"] == "confirmed"
    detail = client.get(f"/api/v1/entities/{sia.pk}").json()
    assert [e["id"] for e in detail["same_as"]] == [sahel.pk]
    assert {r["id"] for r in detail["records"]} == {first.pk, second.pk}
    refused = client.post(f"/api/v1/entities/{sia.pk}/links", {"other": sia.pk, "decision": "same"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and "itself" in refused.content.decode()
    undone = client.post(f"/api/v1/entities/{sia.pk}/links", {"other": sahel.pk, "decision": "not_same"},
                         content_type="application/json")  # fmt: skip
    assert undone.json()["status"] == "rejected" and undone.json()["id"] == created.json()["id"]
    assert login(ncp_fr).get(f"/api/v1/entities/{sia.pk}/link-candidates", {"q": "sahel"}).status_code == 403


def test_graph_puts_each_record_on_the_side_of_the_member_it_names(record, ncp_fr, analyst):
    from shieldhub.entities.selectors import entity_graph

    for day in ("2026-03-01", "2026-03-02"):
        record(ncp_fr, day, ("Sahel Intrants SARL", "ML"), submit=True)
    for day in ("2026-03-03", "2026-03-04", "2026-03-05"):
        record(ncp_fr, day, ("SIA Bamako", "ML"), submit=True)
    sahel, sia = _by_name("sahel intrants"), _by_name("sia bamako")
    services.link_set(actor=analyst, entity=sahel, other=sia, decision="same")
    graph = entity_graph(user=ncp_fr, entity=sahel)
    where = {n.id: (n.x, n.y) for n in graph.nodes}
    members = {f"e{sahel.pk}", f"e{sia.pk}"}

    def distance(a, b):
        return ((where[a][0] - where[b][0]) ** 2 + (where[a][1] - where[b][1]) ** 2) ** 0.5

    record_edges = [(e.source, e.target) for e in graph.edges if e.source in members and not e.same_as]
    assert len(record_edges) == 5
    for member, node in record_edges:
        (other,) = members - {member}
        assert distance(node, member) < distance(node, other), (member, node)

"""Who sees an entity: through the records they may see (a record of another country that was not
shared never shows its companies), the secretariat every company; persons, vehicles and vessels
only for the secretariat and the reporting country; what is not visible is a 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from shieldhub.entities import selectors
from shieldhub.entities.models import Entity
from shieldhub.entities.services import entity_find_or_create
from shieldhub.seizures import services as seizures
from shieldhub.seizures.models import IncidentParty

pytestmark = pytest.mark.django_db


def _gulf():
    return Entity.objects.get(normalised_name="gulf agro trading")


def test_an_ncp_sees_a_company_only_through_a_visible_record(record, ncp_fr, ncp_ke, analyst, login):
    draft = record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"))
    gulf = _gulf()
    assert selectors.entity_get(user=ncp_fr, pk=gulf.pk) == gulf
    for user in (ncp_ke,):
        with pytest.raises(Http404):
            selectors.entity_get(user=user, pk=gulf.pk)
        assert gulf not in selectors.entity_list(user=user)
    assert login(ncp_ke).get(f"/entities/{gulf.pk}/").status_code == 404
    assert login(ncp_ke).get(f"/api/v1/entities/{gulf.pk}").status_code == 404
    # shared with Kenya: now visible, with the record
    from shieldhub.exchange.services import Distribution

    seizures.incident_submit(actor=ncp_fr, incident=draft, distribution=Distribution(countries=["KE"]))
    assert selectors.entity_get(user=ncp_ke, pk=gulf.pk) == gulf
    assert [r.pk for r in selectors.entity_records(user=ncp_ke, entity=gulf)] == [draft.pk]
    # withdrawn: the recipient no longer sees its detail, nor its companies
    seizures.incident_withdraw(actor=ncp_fr, incident=draft, note="Entered twice")
    with pytest.raises(Http404):
        selectors.entity_get(user=ncp_ke, pk=gulf.pk)
    assert selectors.entity_get(user=ncp_fr, pk=gulf.pk) == gulf
    assert selectors.entity_get(user=analyst, pk=gulf.pk) == gulf  # every company


@pytest.mark.parametrize("who", ["donor", "partner_interpol", "outsider", "trainer"])
def test_roles_without_entity_pages(record, ncp_fr, who, request, login):
    record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), submit=True)
    user = request.getfixturevalue(who)
    client = login(user)
    assert client.get(f"/entities/{_gulf().pk}/").status_code == 404
    assert client.get("/entities/").status_code in (403, 302)
    with pytest.raises(PermissionDenied):
        selectors.entity_list(user=user)


def test_restricted_kinds(record, ncp_fr, ncp_ke, analyst, coordinator, admin_user):
    incident = record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), submit=True, countries=["KE"])
    vessel, _ = entity_find_or_create(actor=ncp_fr, name="MV Ocean Star", kind="vessel", identifiers={"imo": "9123456"})
    IncidentParty.objects.create(incident=incident, role="carrier", entity=vessel, position=5)
    assert selectors.entity_get(user=ncp_fr, pk=vessel.pk) == vessel  # reporting country
    assert selectors.entity_get(user=analyst, pk=vessel.pk) == vessel  # the secretariat
    assert selectors.entity_get(user=coordinator, pk=vessel.pk) == vessel
    with pytest.raises(Http404):
        selectors.entity_get(user=ncp_ke, pk=vessel.pk)  # a recipient: the company, never the vessel
    assert selectors.entity_get(user=ncp_ke, pk=_gulf().pk)
    graph = selectors.entity_graph(user=ncp_ke, entity=_gulf())
    assert f"e{vessel.pk}" not in {n.id for n in graph.nodes}
    graph = selectors.entity_graph(user=ncp_fr, entity=_gulf())
    assert f"e{vessel.pk}" in {n.id for n in graph.nodes}
    with pytest.raises(Http404):
        selectors.entity_get(user=admin_user, pk=vessel.pk)  # not the secretariat


def test_aliases_only_when_visible(record, ncp_fr, ncp_ke, analyst):
    from shieldhub.entities.models import EntityLink

    record(ncp_fr, "2026-03-01", ("Gulf Agro Trading LLC", "AE"), submit=True, countries=["KE"])
    record(ncp_fr, "2026-03-02", ("Gulf Agro Tradng", "AE"))  # a draft of France
    a, b = _gulf(), Entity.objects.get(normalised_name="gulf agro tradng")
    EntityLink.objects.create(entity_a=a, entity_b=b, status="confirmed", score=95)
    assert selectors.entity_aliases(user=ncp_fr, entity=a) == [b]
    assert selectors.entity_aliases(user=ncp_ke, entity=a) == []
    # the draft's record is France's: Kenya never sees it through the cluster
    assert [r.pk for r in selectors.entity_records(user=ncp_ke, entity=a)] != []
    assert all(r.date.isoformat() == "2026-03-01" for r in selectors.entity_records(user=ncp_ke, entity=a))
    assert len(selectors.entity_records(user=ncp_fr, entity=a)) == 2

""" "Same as" links: suggestions by the name matcher (within a kind, same or unknown country, legal
forms ignored), on creation and by the daily pass; confirm and reject by `entities.link` roles
only, audited; confirmed links form clusters."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shieldhub.core.models import AuditEntry
from shieldhub.core.scheduling import REGISTRY, autodiscover
from shieldhub.entities import services
from shieldhub.entities.clusters import UnionFind, cluster_of, confirmed_clusters
from shieldhub.entities.models import EntityLink, LinkStatus
from shieldhub.entities.services import entity_find_or_create

pytestmark = pytest.mark.django_db


def _entity(actor, name, country="", kind="company"):
    return entity_find_or_create(actor=actor, name=name, country=country, kind=kind)[0]


def _pairs():
    return {(link.entity_a_id, link.entity_b_id) for link in EntityLink.objects.all()}


def test_the_suggestion_pass(ncp_fr):
    india = _entity(ncp_fr, "Nitro Chemicals Ltd", "IN")
    typo = _entity(ncp_fr, "Nitro Chemical Limited", "IN")  # one letter apart, another spelling of Ltd
    unknown = _entity(ncp_fr, "NITRO-CHEMICALS LIMITED")  # no country: may be either
    kenya = _entity(ncp_fr, "Nitro Chemicals", "KE")  # another country: not the same company
    person = _entity(ncp_fr, "Nitro Chemicals", "IN", kind="person")  # another kind
    _entity(ncp_fr, "Sahel Intrants SARL", "IN")
    created = services.suggest_links()
    pairs = _pairs()
    assert (india.pk, typo.pk) in pairs and (india.pk, unknown.pk) in pairs and (typo.pk, unknown.pk) in pairs
    assert (unknown.pk, kenya.pk) in pairs  # unknown country pairs with any
    assert not any(kenya.pk in p and (india.pk in p or typo.pk in p) for p in pairs)
    assert not any(person.pk in p for p in pairs)
    assert len(created) == len(pairs) == 4
    link = EntityLink.objects.get(entity_a=india, entity_b=unknown)
    assert link.status == LinkStatus.SUGGESTED and link.score >= 97
    entry = AuditEntry.objects.get(action="entities.links_suggest")
    assert entry.extra["count"] == 4
    # idempotent: nothing new, and a rejected pair is never suggested again
    services.link_decide(actor=_analyst(), link=link, status=LinkStatus.REJECTED)
    assert services.suggest_links() == []
    assert EntityLink.objects.get(pk=link.pk).status == LinkStatus.REJECTED


def _analyst():
    from tests.factories import UserFactory

    return UserFactory(email="analyst2@test.example", roles=["analyst"], mfa=False)


def test_a_new_entity_is_matched_when_its_record_is_saved(ncp_fr, django_capture_on_commit_callbacks):
    old = _entity(ncp_fr, "Eastern Star Logistics Ltd", "KE")
    with django_capture_on_commit_callbacks(execute=True):
        new = _entity(ncp_fr, "Eastern-Star Logistic Limited", "KE")
    link = EntityLink.objects.get()
    assert (link.entity_a_id, link.entity_b_id) == (old.pk, new.pk) and link.status == "suggested"
    with django_capture_on_commit_callbacks(execute=True):
        _entity(ncp_fr, "Western Moon Freight", "KE")
    assert EntityLink.objects.count() == 1


def test_the_daily_task_is_registered():
    autodiscover()
    assert REGISTRY["entities.suggest_links"].every.days == 1


def test_confirm_and_reject(ncp_fr, analyst, coordinator):
    a, b = _entity(ncp_fr, "Gulf Agro Trading LLC", "AE"), _entity(ncp_fr, "Gulf Agro Tradin", "AE")
    services.suggest_links()
    link = EntityLink.objects.get()
    with pytest.raises(PermissionDenied):
        services.link_decide(actor=ncp_fr, link=link, status=LinkStatus.CONFIRMED)
    with pytest.raises(ValidationError) as exc:
        services.link_decide(actor=analyst, link=link, status="maybe")
    assert "status" in exc.value.message_dict
    services.link_decide(actor=analyst, link=link, status=LinkStatus.CONFIRMED, note="Same DXB registration")
    link.refresh_from_db()
    assert link.status == "confirmed" and link.decided_by == analyst and link.decided_at and link.note
    entry = AuditEntry.objects.get(action="entities.link_confirm")
    assert entry.actor == analyst and entry.changes["status"] == ["suggested", "confirmed"]
    assert cluster_of(a.pk) == {a.pk, b.pk}
    with pytest.raises(ValidationError):
        services.link_decide(actor=analyst, link=link, status=LinkStatus.CONFIRMED)
    services.link_decide(actor=coordinator, link=link, status=LinkStatus.REJECTED)  # undone
    assert AuditEntry.objects.filter(action="entities.link_reject").count() == 1
    assert cluster_of(a.pk) == {a.pk}


def test_clusters_are_transitive_and_ignore_other_statuses(ncp_fr, analyst):
    a, b, c, d = (_entity(ncp_fr, n, "FR") for n in ("Alpha", "Bravo", "Charlie", "Delta"))
    for x, y, status in ((a, b, "confirmed"), (b, c, "confirmed"), (c, d, "rejected")):
        EntityLink.objects.create(entity_a=x, entity_b=y, status=status, score=90)
    e = _entity(ncp_fr, "Echo", "FR")
    EntityLink.objects.create(entity_a=d, entity_b=e, status="suggested", score=90)
    assert cluster_of(c.pk) == {a.pk, b.pk, c.pk}
    assert confirmed_clusters([a.pk, d.pk]) == {a.pk: {a.pk, b.pk, c.pk}, d.pk: {d.pk}}
    uf = UnionFind()
    uf.union(5, 3)
    uf.union(3, 9)
    assert uf.find(9) == 3 and uf.groups()[5] == {3, 5, 9}


def test_people_propose_links(ncp_fr, analyst):
    a, b = _entity(ncp_fr, "Alpha Trading", "FR"), _entity(ncp_fr, "Totally Different", "FR")
    link = services.link_propose(actor=analyst, entity_a=b, entity_b=a, note="Same address")
    assert (link.entity_a_id, link.entity_b_id) == (a.pk, b.pk) and link.suggested_by == analyst
    with pytest.raises(PermissionDenied):
        services.link_propose(actor=ncp_fr, entity_a=a, entity_b=b)
    person = _entity(ncp_fr, "Alpha Trading", "FR", kind="person")
    with pytest.raises(ValidationError):
        services.link_propose(actor=analyst, entity_a=a, entity_b=person)

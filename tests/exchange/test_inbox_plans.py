"""The inbox's alternative plans (`selectors.inbox_pages`) return what the plain path returns.

The plans differ on PostgreSQL only; on SQLite the tests force them where they can."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from shieldhub.exchange import selectors
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community_mail(ncp_fr, ncp_ke, send):
    """Messages to a community of the Kenyan NCP, to another community, and to him alone."""
    mine = MembershipFactory(user=ncp_ke).community
    MembershipFactory(user=ncp_fr, community=mine)
    other = MembershipFactory(user=ncp_ke).community
    MembershipFactory(user=ncp_fr, community=other)
    for i in range(5):
        send(ncp_fr, communities=[mine], subject=f"Community alert {i}")
        send(ncp_fr, communities=[other], subject=f"Other community alert {i}")
        send(ncp_fr, users=[ncp_ke], subject=f"Direct alert {i}")
    withdrawn = send(ncp_fr, communities=[mine], subject="Withdrawn alert")
    withdrawn.status = "withdrawn"
    withdrawn.save(update_fields=["status"])
    return mine


def test_a_community_read_from_the_receipts_gives_the_plain_results(login, monkeypatch, ncp_ke, community_mail):
    monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 1)
    filters = {"community": community_mail.pk}
    expected = [m.pk for m in selectors.inbox_list(user=ncp_ke, filters=filters)]
    assert len(expected) == 6  # five alerts and the withdrawn one, nothing from the other community
    if connection.vendor == "postgresql":
        pages = selectors.inbox_pages(user=ncp_ke, filters=filters)
        assert isinstance(pages, selectors.InboxRows)
        assert [m.pk for m in pages] == expected and pages.count() == 6
        assert [m.pk for m in pages[2:4]] == expected[2:4]
        monkeypatch.setattr(selectors, "COMMUNITY_FIRST_ROWS", 2)  # later pages: the plain plan
        assert [m.pk for m in pages[2:4]] == expected[2:4] and [m.pk for m in pages[0:2]] == expected[0:2]
        rows = [(m.pk, m.my_read_at, m.received_at) for m in pages.rows]
        assert rows == [(m.pk, m.my_read_at, m.received_at) for m in selectors.inbox_list(user=ncp_ke, filters=filters)]
        # with unread and a kind: the same filters as the plain path
        for extra in ({"unread": True}, {"kind": "alert"}, {"kind": "rfi"}):
            both = {**filters, **extra}
            plain = [m.pk for m in selectors.inbox_list(user=ncp_ke, filters=both)]
            assert [m.pk for m in selectors.inbox_pages(user=ncp_ke, filters=both)] == plain, extra
    else:
        assert [m.pk for m in selectors.inbox_pages(user=ncp_ke, filters=filters)] == expected
    client = login(ncp_ke)
    found = client.get("/api/v1/exchange/inbox", filters).json()
    assert [m["id"] for m in found["items"]] == expected and found["count"] == 6
    page = client.get(reverse("exchange:inbox"), filters).content.decode()
    assert "Community alert 4" in page and "Other community alert" not in page and "Direct alert" not in page


def test_the_community_probe_needs_the_community_among_the_newest(monkeypatch, ncp_ke, community_mail):
    filters = {"community": community_mail.pk}
    if connection.vendor != "postgresql":
        assert selectors._community_first(ncp_ke, filters) is False
        return
    monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 6)
    assert selectors._community_first(ncp_ke, filters) is True
    monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 7)
    assert selectors._community_first(ncp_ke, filters) is False
    monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 1)
    assert selectors._community_first(ncp_ke, {**filters, "q": "alert"}) is False  # a search: the index
    assert selectors._community_first(ncp_ke, {"community": "x"}) is False


def test_a_partner_reads_a_community_within_the_releasability_rule(
    monkeypatch, ncp_fr, partner_interpol, community_mail, send
):
    monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 1)
    MembershipFactory(user=partner_interpol, community=community_mail)
    send(ncp_fr, communities=[community_mail], subject="Releasable alert", releasable_interpol=True)
    send(ncp_fr, communities=[community_mail], subject="Kept alert", releasable_interpol=False)
    filters = {"community": community_mail.pk}
    expected = [m.subject for m in selectors.inbox_list(user=partner_interpol, filters=filters)]
    assert expected == ["Releasable alert"]
    if connection.vendor == "postgresql":
        assert isinstance(selectors.inbox_pages(user=partner_interpol, filters=filters), selectors.InboxRows)
    assert [m.subject for m in selectors.inbox_pages(user=partner_interpol, filters=filters)] == expected


def test_relevance_ranks_the_same_messages_as_the_date_order(login, ncp_fr, ncp_ke, coordinator, community_mail, send):
    send(ncp_fr, users=[coordinator], subject="Alert nobody else sees")  # not to the Kenyan NCP
    by_date = [m.pk for m in selectors.message_search(user=ncp_ke, query="alert")]
    ranked = list(selectors.message_search(user=ncp_ke, query="alert", order="relevance"))
    assert sorted(m.pk for m in ranked) == sorted(by_date) and len(by_date) == 16
    assert all(m.subject != "Alert nobody else sees" for m in ranked)
    found = login(ncp_ke).get("/api/v1/exchange/search", {"q": "alert", "order": "relevance"}).json()
    assert found["count"] == 16 and sorted(m["id"] for m in found["items"]) == sorted(by_date)

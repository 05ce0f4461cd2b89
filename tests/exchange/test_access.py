"""Who reaches what in the exchange: pages and API × personas, and leaks through lists and search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.exchange import selectors, services
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DETAIL_ROUTES = ["message-detail", "message-correct", "message-withdraw"]


@pytest.fixture
def alert(ncp_fr, ncp_de, europe, send):
    return send(ncp_fr, communities=[europe], subject="Europe only: TATP precursors", body="Confidential ring")


@pytest.mark.parametrize(
    "persona",
    ["ncp_ke", "coordinator", "analyst", "trainer", "assistant", "admin_user", "partner_interpol", "donor", "outsider"],
    indirect=True,
)
def test_nobody_outside_the_distribution_reaches_the_message(login, persona, alert):
    client = login(persona)
    for name in DETAIL_ROUTES:
        status = client.get(reverse(f"exchange:{name}", args=[alert.pk])).status_code
        assert status in (403, 404), (name, status)  # 403 only for those without the exchange at all
    for name in ("message-reply", "message-acknowledge"):
        assert client.post(reverse(f"exchange:{name}", args=[alert.pk]), {"body": "x"}).status_code in (403, 404)
    for path in (f"/api/v1/exchange/messages/{alert.pk}", f"/api/v1/exchange/messages/{alert.pk}/receipts"):
        assert client.get(path).status_code in (401, 403, 404)
    for path in ("read", "acknowledge"):
        assert client.post(f"/api/v1/exchange/messages/{alert.pk}/{path}").status_code in (401, 403, 404)
    inbox = client.get(reverse("exchange:inbox"), {"q": "TATP"})
    assert b"Europe only" not in inbox.content and b"Confidential" not in inbox.content
    api_inbox = client.get("/api/v1/exchange/inbox", {"q": "TATP"})
    assert api_inbox.status_code in (401, 403) or api_inbox.json()["count"] == 0
    assert list(selectors.inbox_list(user=persona, filters={"q": "TATP"})) == []
    assert selectors.unread_count(user=persona) == 0


def test_exchange_users_get_404_and_others_403(login, ncp_ke, donor, outsider, alert):
    assert login(ncp_ke).get(reverse("exchange:message-detail", args=[alert.pk])).status_code == 404
    assert login(ncp_ke).get(f"/api/v1/exchange/messages/{alert.pk}").status_code == 404
    for user in (donor, outsider):
        client = login(user)
        assert client.get(reverse("exchange:inbox")).status_code == 403
        assert client.get(reverse("exchange:compose")).status_code == 403
        # donors may use the API but not the exchange (403); a role-less account may not use the API (401)
        assert client.get("/api/v1/exchange/inbox").status_code == (403 if user == donor else 401)


def test_members_see_it_and_the_sender_too(login, ncp_fr, ncp_de, alert):
    assert b"Confidential ring" in login(ncp_de).get(reverse("exchange:message-detail", args=[alert.pk])).content
    assert login(ncp_fr).get(f"/api/v1/exchange/messages/{alert.pk}").json()["body"] == "Confidential ring"


def test_joining_later_grants_nothing(login, ncp_ke, europe, alert):
    MembershipFactory(community=europe, user=ncp_ke)
    assert login(ncp_ke).get(reverse("exchange:message-detail", args=[alert.pk])).status_code == 404


def test_secretariat_member_not_in_distribution_sees_nothing(coordinator, ncp_fr, ncp_ke, send):
    send(ncp_fr, users=[ncp_ke])
    assert list(selectors.inbox_list(user=coordinator)) == []
    assert list(selectors.sent_list(user=coordinator)) == []


def test_partner_only_with_releasability(login, ncp_fr, europe, partner_interpol, send):
    MembershipFactory(community=europe, user=partner_interpol)
    closed = send(ncp_fr, communities=[europe], subject="Not releasable")
    open_ = send(ncp_fr, communities=[europe], subject="Releasable", releasable_interpol=True)
    unodc_only = send(ncp_fr, communities=[europe], subject="UNODC only", releasable_unodc=True)
    client = login(partner_interpol)
    assert [m["subject"] for m in client.get("/api/v1/exchange/inbox").json()["items"]] == ["Releasable"]
    for message in (closed, unodc_only):
        assert client.get(reverse("exchange:message-detail", args=[message.pk])).status_code == 404
    assert client.get(reverse("exchange:message-detail", args=[open_.pk])).status_code == 200


def test_withdrawn_body_hidden_in_api_for_recipients(login, ncp_fr, ncp_de, alert):
    services.message_withdraw(actor=ncp_fr, message=alert, note="Error")
    data = login(ncp_de).get(f"/api/v1/exchange/messages/{alert.pk}").json()
    assert data["status"] == "withdrawn" and data["body"] is None and data["subject"] == alert.subject
    assert login(ncp_fr).get(f"/api/v1/exchange/messages/{alert.pk}").json()["body"] == "Confidential ring"


def test_drafts_are_the_senders_alone(ncp_fr, ncp_ke):
    from shieldhub.exchange.models import Message, MessageRecipient

    draft = Message.objects.create(sender=ncp_fr, subject="Draft", body="b", status="draft")
    MessageRecipient.objects.create(message=draft, user=ncp_ke, reason="user")
    with pytest.raises(Exception):  # noqa: B017 — Http404
        selectors.message_get(user=ncp_ke, pk=draft.pk)
    assert selectors.message_get(user=ncp_fr, pk=draft.pk) == draft

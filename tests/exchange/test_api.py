from __future__ import annotations

import pytest

from shieldhub.exchange.models import Message, MessageRecipient

pytestmark = pytest.mark.django_db


def _payload(**extra):
    data = {
        "kind": "alert",
        "subject": "API alert",
        "body": "Body *text*",
        "tlp": "amber",
        "countries": [{"country": "FR", "role": "origin"}],
        "hs_codes": ["3102.30"],
        "distribution": {"communities": [], "countries": ["KE"], "users": []},
    }
    data.update(extra)
    return data


def test_send_inbox_detail_read_acknowledge_receipts(login, ncp_fr, ncp_ke, ncp_ke2):
    sender = login(ncp_fr)
    response = sender.post("/api/v1/exchange/messages", _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "API alert" and body["body"] == "Body *text*" and body["sender_country"] == "FR"
    assert body["countries"] == [{"country": "FR", "role": "origin"}]
    message_id = body["id"]
    assert MessageRecipient.objects.filter(message_id=message_id).count() == 2

    receiver = login(ncp_ke)
    inbox = receiver.get("/api/v1/exchange/inbox").json()
    assert inbox["count"] == 1 and inbox["items"][0]["id"] == message_id and inbox["items"][0]["read_at"] is None
    assert receiver.post(f"/api/v1/exchange/messages/{message_id}/read").json()["read_at"] is not None
    ack = receiver.post(f"/api/v1/exchange/messages/{message_id}/acknowledge").json()
    assert ack["acknowledged_at"] is not None
    assert receiver.get(f"/api/v1/exchange/messages/{message_id}/receipts").status_code == 403

    receipts = login(ncp_fr).get(f"/api/v1/exchange/messages/{message_id}/receipts").json()
    assert {r["user"]["email"]: r["acknowledged_at"] is not None for r in receipts} == {
        "ncp.ke@test.example": True,
        "ncp2.ke@test.example": False,
    }


def test_reply_and_preview(login, ncp_fr, ncp_ke, ncp_ke2):
    client = login(ncp_fr)
    preview = client.post(
        "/api/v1/exchange/recipients/preview",
        {"distribution": {"countries": ["KE"]}},
        content_type="application/json",
    ).json()
    assert sorted(p["email"] for p in preview) == ["ncp.ke@test.example", "ncp2.ke@test.example"]
    message_id = client.post("/api/v1/exchange/messages", _payload(), content_type="application/json").json()["id"]
    reply = login(ncp_ke).post(
        f"/api/v1/exchange/messages/{message_id}/reply",
        {"body": "Only to the sender", "narrow_to": [ncp_fr.pk]},
        content_type="application/json",
    )
    assert reply.status_code == 201
    assert reply.json()["in_reply_to"] == message_id and reply.json()["thread_root"] == message_id
    assert list(Message.objects.get(pk=reply.json()["id"]).recipients.values_list("user_id", flat=True)) == [ncp_fr.pk]


def test_invalid_send_answers_422(login, ncp_fr):
    response = login(ncp_fr).post(
        "/api/v1/exchange/messages", _payload(distribution={"countries": ["ZZ"]}), content_type="application/json"
    )
    assert response.status_code == 422 and "countries" in response.json()["error"]["details"]


def test_read_only_token_cannot_send(client, ncp_fr):
    from shieldhub.accounts.services import api_token_create

    _token, raw = api_token_create(actor=ncp_fr, user=ncp_fr, name="ro", scopes=["read"], expires_in_days=30)
    response = client.post(
        "/api/v1/exchange/messages", _payload(), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403
    assert client.get("/api/v1/exchange/inbox", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_inbox_api_query_count(login, ncp_fr, ncp_ke, send, django_assert_max_num_queries):
    for i in range(20):
        send(ncp_fr, users=[ncp_ke], subject=f"M{i}")
    client = login(ncp_ke)
    with django_assert_max_num_queries(12):
        data = client.get("/api/v1/exchange/inbox").json()
    assert data["count"] == 20

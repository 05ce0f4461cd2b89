"""`/api/v1/exchange`: correcting and withdrawing a message, its history, and an operation group's form
fields, under the pages' rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shieldhub.accounts.services import api_token_create
from shieldhub.core.models import AuditEntry
from shieldhub.exchange.models import MessageRecipient, MessageVersion
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/exchange"
ORIGINAL = "Seen at **Le Havre**, 40 t declared as urea."
CORRECTED = "Seen at **Rouen**, 40 t declared as urea."


def _post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def _bearer(user, scopes):
    _token, raw = api_token_create(actor=user, user=user, name="t", scopes=scopes, expires_in_days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def message(send, ncp_fr, ncp_ke, ncp_ke2):
    return send(ncp_fr, users=[ncp_ke, ncp_ke2], subject="Nitrate at Le Havre", body=ORIGINAL)


# --- correct -------------------------------------------------------------------------------------


def test_sender_corrects_through_the_api(login, message, ncp_fr, ncp_ke):
    MessageRecipient.objects.filter(message=message, user=ncp_ke).update(read_at=timezone.now())
    response = _post(
        login(ncp_fr),
        f"{BASE}/messages/{message.pk}/correct",
        {"subject": "Nitrate at Rouen", "body": CORRECTED, "note": "Port was wrong"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["body"], body["version"]) == ("Nitrate at Rouen", CORRECTED, 2)
    message.refresh_from_db()
    assert message.body == CORRECTED and message.version == 2
    # every recipient sees it as unread again
    assert MessageRecipient.objects.get(message=message, user=ncp_ke).read_at is None
    entry = AuditEntry.objects.get(action="exchange.message_correct", object_id=str(message.pk))
    assert entry.actor == ncp_fr and entry.extra["note"] == "Port was wrong"
    assert entry.changes["body"] == [ORIGINAL, CORRECTED] and entry.changes["version"] == [1, 2]


def test_only_the_sender_corrects(login, message, ncp_ke, ncp_de):
    data = {"subject": "Hijacked", "body": "Other text", "note": "mine now"}
    recipient = _post(login(ncp_ke), f"{BASE}/messages/{message.pk}/correct", data)
    assert recipient.status_code == 403 and recipient.json()["error"]["code"] == "forbidden"
    stranger = _post(login(ncp_de), f"{BASE}/messages/{message.pk}/correct", data)
    assert stranger.status_code == 404  # cannot even see it
    message.refresh_from_db()
    assert message.body == ORIGINAL and message.version == 1
    assert not AuditEntry.objects.filter(action="exchange.message_correct").exists()


def test_correct_validation_is_422_with_the_translated_message(login, message, ncp_fr):
    ncp_fr.language = "fr"
    ncp_fr.save(update_fields=["language"])
    client = login(ncp_fr)
    url = f"{BASE}/messages/{message.pk}/correct"
    no_note = _post(client, url, {"subject": "S", "body": CORRECTED, "note": "  "})
    assert no_note.status_code == 422
    assert no_note.json()["error"]["details"] == {"note": ["Indiquez ce qui a été rectifié."]}
    empty = _post(client, url, {"subject": "S", "body": "", "note": "n"})
    assert empty.status_code == 422 and "body" in empty.json()["error"]["details"]
    too_long = _post(client, url, {"subject": "S", "body": CORRECTED, "note": "x" * 501})
    assert too_long.status_code == 422
    missing = _post(client, url, {"subject": "S", "body": CORRECTED})
    assert missing.status_code == 422
    message.refresh_from_db()
    assert message.version == 1 and message.body == ORIGINAL


def test_read_scope_cannot_correct_or_withdraw(client, message, ncp_fr):
    headers = _bearer(ncp_fr, ["read"])
    data = {"subject": "S", "body": CORRECTED, "note": "n"}
    assert _post(client, f"{BASE}/messages/{message.pk}/correct", data, **headers).status_code == 403
    assert _post(client, f"{BASE}/messages/{message.pk}/withdraw", {"note": "n"}, **headers).status_code == 403
    write = _bearer(ncp_fr, ["read", "write"])
    assert _post(client, f"{BASE}/messages/{message.pk}/correct", data, **write).status_code == 200


# --- withdraw ------------------------------------------------------------------------------------


def test_sender_withdraws_through_the_api(login, message, ncp_fr, ncp_ke):
    response = _post(login(ncp_fr), f"{BASE}/messages/{message.pk}/withdraw", {"note": "Wrong consignment"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn" and response.json()["body"] == ORIGINAL  # the sender keeps it
    message.refresh_from_db()
    assert message.status == "withdrawn" and message.version == 2
    entry = AuditEntry.objects.get(action="exchange.message_withdraw", object_id=str(message.pk))
    assert entry.actor == ncp_fr and entry.extra["note"] == "Wrong consignment"
    assert entry.changes["status"] == ["sent", "withdrawn"]

    seen = login(ncp_ke).get(f"{BASE}/messages/{message.pk}").json()
    assert seen["status"] == "withdrawn" and seen["body"] is None
    again = _post(login(ncp_fr), f"{BASE}/messages/{message.pk}/withdraw", {"note": "twice"})
    assert again.status_code == 422 and again.json()["error"]["details"] == {
        "__all__": ["This message has been withdrawn."]
    }


def test_only_the_sender_withdraws_and_a_reason_is_required(login, message, ncp_fr, ncp_ke, ncp_de):
    assert _post(login(ncp_ke), f"{BASE}/messages/{message.pk}/withdraw", {"note": "no"}).status_code == 403
    assert _post(login(ncp_de), f"{BASE}/messages/{message.pk}/withdraw", {"note": "no"}).status_code == 404
    no_note = _post(login(ncp_fr), f"{BASE}/messages/{message.pk}/withdraw", {"note": ""})
    assert no_note.status_code == 422
    assert no_note.json()["error"]["details"] == {"note": ["Say why the message is withdrawn."]}
    message.refresh_from_db()
    assert message.status == "sent"
    assert not AuditEntry.objects.filter(action="exchange.message_withdraw").exists()


# --- history -------------------------------------------------------------------------------------


def _correct_then_withdraw(login, message, sender):
    client = login(sender)
    data = {"subject": "Nitrate at Rouen", "body": CORRECTED, "note": "Port was wrong"}
    assert _post(client, f"{BASE}/messages/{message.pk}/correct", data).status_code == 200
    assert _post(client, f"{BASE}/messages/{message.pk}/withdraw", {"note": "Wrong consignment"}).status_code == 200


def test_history_shows_earlier_texts_to_recipients(login, message, ncp_fr, ncp_ke, ncp_de):
    _post(
        login(ncp_fr),
        f"{BASE}/messages/{message.pk}/correct",
        {"subject": "Nitrate at Rouen", "body": CORRECTED, "note": "Port was wrong"},
    )
    response = login(ncp_ke).get(f"{BASE}/messages/{message.pk}/versions")
    assert response.status_code == 200
    versions = response.json()
    assert [(v["number"], v["change"], v["note"]) for v in versions] == [
        (1, "original", ""),
        (2, "correction", "Port was wrong"),
    ]
    assert [(v["subject"], v["body"]) for v in versions] == [
        ("Nitrate at Le Havre", ORIGINAL),
        ("Nitrate at Rouen", CORRECTED),
    ]
    assert versions[1]["edited_by"]["email"] == ncp_fr.email and versions[1]["created_at"]
    assert login(ncp_de).get(f"{BASE}/messages/{message.pk}/versions").status_code == 404

    page = login(ncp_ke).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    history = page[page.index("History") :]
    assert "<details>" in history and "Seen at **Le Havre**, 40 t declared as urea." in history
    assert history.count("<details>") == 1  # the current text is the message itself, not repeated


def test_withdrawn_body_never_reaches_a_recipient_through_the_history(login, message, ncp_fr, ncp_ke):
    _correct_then_withdraw(login, message, ncp_fr)
    assert MessageVersion.objects.filter(message=message).count() == 3  # kept for the audit

    response = login(ncp_ke).get(f"{BASE}/messages/{message.pk}/versions")
    assert response.status_code == 200
    versions = response.json()
    assert [(v["number"], v["change"]) for v in versions] == [(1, "original"), (2, "correction"), (3, "withdrawal")]
    assert all(v["body"] is None and v["subject"] is None for v in versions)
    assert versions[2]["note"] == "Wrong consignment"
    raw = response.content.decode()
    assert "Le Havre" not in raw and "Rouen" not in raw and "declared as urea" not in raw
    detail = login(ncp_ke).get(f"{BASE}/messages/{message.pk}").content.decode()
    assert "declared as urea" not in detail

    page = login(ncp_ke).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "declared as urea" not in page and "Le Havre</strong>" not in page
    assert "<details>" not in page[page.index("History") :]

    # the sender still reads every version, as the withdrawn body itself
    mine = login(ncp_fr).get(f"{BASE}/messages/{message.pk}/versions").json()
    assert [v["body"] for v in mine] == [ORIGINAL, CORRECTED, CORRECTED]
    sender_page = login(ncp_fr).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "Seen at **Le Havre**, 40 t declared as urea." in sender_page


# --- an operation group's form fields ------------------------------------------------------------


@pytest.fixture
def operation(db, ncp_fr, ncp_ke, coordinator):
    today = timezone.localdate()
    community = CommunityFactory(
        name="Operation API Shield",
        slug="op-api-shield",
        kind="operation",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=10),
        countries=["FR", "KE"],
        operation_form=["precursor", "quantity", "remarks"],
    )
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_ke)
    MembershipFactory(community=community, user=coordinator, role="moderator")
    return community


def test_moderator_sets_the_operation_form_through_the_api(client, operation, coordinator):
    headers = _bearer(coordinator, ["read", "write"])
    url = f"{BASE}/operations/{operation.pk}/form"
    response = client.put(
        url, {"fields": ["remarks", "place", "precursor"]}, content_type="application/json", **headers
    )
    assert response.status_code == 200, response.content
    assert [f["field"] for f in response.json()["fields"]] == ["precursor", "place", "remarks"]  # catalogue order
    operation.refresh_from_db()
    assert operation.operation_form == ["precursor", "place", "remarks"]
    entry = AuditEntry.objects.get(action="exchange.operation_form_update", object_id=str(operation.pk))
    assert entry.actor == coordinator
    assert entry.changes["operation_form"] == [["precursor", "quantity", "remarks"], ["precursor", "place", "remarks"]]
    assert [f["field"] for f in client.get(url, **headers).json()["fields"]] == ["precursor", "place", "remarks"]


def test_operation_form_write_rules(client, operation, coordinator, ncp_fr, ncp_de):
    url = f"{BASE}/operations/{operation.pk}/form"

    def put(user, fields, scopes=("read", "write")):
        return client.put(url, {"fields": fields}, content_type="application/json", **_bearer(user, list(scopes)))

    member = put(ncp_fr, ["remarks"])
    assert member.status_code == 403  # a member sees the group, does not configure it (as the page)
    assert put(ncp_de, ["remarks"]).status_code == 404  # not a member
    assert put(coordinator, ["remarks"], scopes=("read",)).status_code == 403
    unknown = put(coordinator, ["precursor", "shoe_size"])
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"] == {"fields": ["Unknown operational field: shoe_size."]}
    assert put(coordinator, []).status_code == 422
    operation.refresh_from_db()
    assert operation.operation_form == ["precursor", "quantity", "remarks"]
    assert not AuditEntry.objects.filter(action="exchange.operation_form_update").exists()


def test_operation_form_write_translates_errors(login, operation, coordinator):
    coordinator.language = "fr"
    coordinator.save(update_fields=["language"])
    response = login(coordinator).put(
        f"{BASE}/operations/{operation.pk}/form", {"fields": ["shoe_size"]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"fields": ["Champ opérationnel inconnu : shoe_size."]}

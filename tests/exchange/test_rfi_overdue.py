"""The coordinators' list of unanswered addressees of requests for information, where the
escalation email leads: metadata only (no subject, no body), for the secretariat."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shieldhub.exchange import selectors, services, tasks
from shieldhub.exchange.models import Message, MessageRecipient

SUBJECT = "Peroxide question about Tanga"
SECRET = "The container number is MSKU-1234567."


@pytest.fixture
def rfi(send, ncp_fr, ncp_ke, ncp_ke2, ncp_de):
    def _rfi(**extra):
        return send(ncp_fr, users=[ncp_ke, ncp_ke2, ncp_de], kind="rfi", subject=SUBJECT, body=SECRET, **extra)

    return _rfi


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.django_db
def test_escalation_link_opens_the_overdue_list_for_a_coordinator(login, rfi, ncp_ke, ncp_fr, coordinator):
    late, other = rfi(), rfi()
    services.message_reply(actor=ncp_ke, parent=late, data={"body": "Done"})
    Message.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    assert tasks.rfi_mark_overdue.call() == 1
    [email] = mail.outbox
    links = re.findall(r"https?://\S+", email.body)
    assert len(links) == 1
    link = _path(links[0])
    assert link == reverse("exchange:rfi-overdue") + f"?request={late.pk}"

    page = login(coordinator).get(link)
    assert page.status_code == 200
    content = page.content.decode()
    assert "ncp2.ke@test.example" in content and "ncp.de@test.example" in content
    assert "ncp.ke@test.example" not in content  # answered
    assert "Overdue" in content and "<td>3</td>" in content  # three days past the deadline
    assert "France (FR)" in content  # the sender's country
    assert SUBJECT not in content and SECRET not in content
    rows = page.context["page"].object_list
    assert {(r["message_id"], r["user__email"], r["answer_status"], r["days_overdue"]) for r in rows} == {
        (late.pk, "ncp2.ke@test.example", "overdue", 3),
        (late.pk, "ncp.de@test.example", "overdue", 3),
    }
    assert all(r["message__escalated_at"] is not None for r in rows)
    assert other.pk not in {r["message_id"] for r in rows}  # the link is to the one request

    # Without the request: every unanswered addressee, overdue first, then the open ones.
    everything = login(coordinator).get(reverse("exchange:rfi-overdue")).context["page"].object_list
    assert [(r["message_id"], r["answer_status"]) for r in everything] == [
        (late.pk, "overdue"), (late.pk, "overdue"), (other.pk, "open"), (other.pk, "open"), (other.pk, "open"),
    ]  # fmt: skip
    only_open = login(coordinator).get(reverse("exchange:rfi-overdue"), {"status": "open"})
    assert {r["message_id"] for r in only_open.context["page"].object_list} == {other.pk}
    assert SUBJECT not in only_open.content.decode()

    # An NCP (a recipient or the sender alike) may not see the list.
    assert login(ncp_fr).get(link).status_code == 403
    assert login(ncp_ke).get(reverse("exchange:rfi-overdue")).status_code == 403


@pytest.mark.django_db
def test_overdue_list_shows_reminders_and_reads_no_content(rfi, coordinator):
    message = rfi()
    MessageRecipient.objects.filter(message=message, user__email="ncp.de@test.example").update(
        reminded_at=timezone.now()
    )
    rows = list(selectors.rfi_addressees_pending(user=coordinator, message_id=message.pk))
    assert {r["user__email"]: r["reminded_at"] is not None for r in rows} == {
        "ncp.ke@test.example": False, "ncp2.ke@test.example": False, "ncp.de@test.example": True,
    }  # fmt: skip
    assert not any(key.startswith(("message__subject", "message__body")) for r in rows for key in r)
    assert {r["message__sender_country"] for r in rows} == {"FR"}
    assert {r["reason"] for r in rows} == {"user"}


@pytest.mark.django_db
def test_the_api_lists_the_same_addressees_without_content(login, rfi, ncp_ke, ncp_fr, coordinator):
    late, other = rfi(), rfi()
    services.message_reply(actor=ncp_ke, parent=late, data={"body": "Done"})
    Message.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    tasks.rfi_mark_overdue.call()
    response = login(coordinator).get("/api/v1/exchange/response-rates/pending", {"status": "overdue"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {(r["request"], r["addressee_email"], r["status"], r["sender_country"]) for r in body["items"]} == {
        (late.pk, "ncp2.ke@test.example", "overdue", "FR"),
        (late.pk, "ncp.de@test.example", "overdue", "FR"),
    }
    assert SUBJECT not in response.content.decode() and SECRET not in response.content.decode()
    one = login(coordinator).get("/api/v1/exchange/response-rates/pending", {"request": other.pk}).json()
    assert one["count"] == 3 and {r["status"] for r in one["items"]} == {"open"}
    assert login(ncp_fr).get("/api/v1/exchange/response-rates/pending").status_code == 403

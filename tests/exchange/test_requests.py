"""Requests for information: deadlines in working days, answer status per addressee, reminders,
escalation to the coordinators, response rates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.exchange import selectors, services, tasks
from shieldhub.exchange.deadlines import add_working_days, reminder_due
from shieldhub.exchange.models import Message, MessageRecipient
from tests.factories import UserFactory

SECRET = "The container number is MSKU-1234567."


# --- working days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 23)),  # Monday
        (dt.date(2026, 11, 23), 4, dt.date(2026, 11, 27)),  # Monday + 4 = Friday
        (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30)),  # Friday + 1 = Monday
        (dt.date(2026, 11, 23), 10, dt.date(2026, 12, 7)),  # two weeks
        (dt.date(2026, 11, 28), 1, dt.date(2026, 12, 1)),  # Saturday counts from Monday
        (dt.date(2026, 11, 29), 0, dt.date(2026, 11, 30)),  # Sunday + 0 = Monday
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


def test_reminder_window():
    deadline = dt.date(2026, 12, 2)  # Wednesday
    assert not reminder_due(deadline, dt.date(2026, 11, 27))  # Friday: 3 working days before
    assert reminder_due(deadline, dt.date(2026, 11, 30))  # Monday: 2 working days before
    assert reminder_due(deadline, deadline)
    assert not reminder_due(deadline, dt.date(2026, 12, 3))


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def rfi(send, ncp_fr, ncp_ke, ncp_ke2, ncp_de):
    def _rfi(**extra):
        data = {"kind": "rfi", "subject": "Peroxide question", "body": SECRET, **extra}
        return send(ncp_fr, users=[ncp_ke, ncp_ke2, ncp_de], **data)

    return _rfi


def _status(message):
    return dict(MessageRecipient.objects.filter(message=message).values_list("user__email", "answer_status"))


def _set_deadline(message, deadline):
    Message.objects.filter(pk=message.pk).update(deadline=deadline)


# --- sending -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rfi_gets_default_deadline_and_open_addressees(rfi, send, ncp_fr, ncp_ke, settings):
    message = rfi()
    assert message.deadline == add_working_days(timezone.localdate(), 10)
    assert set(_status(message).values()) == {"open"}
    settings.RFI_DEFAULT_WORKING_DAYS = 3
    assert rfi().deadline == add_working_days(timezone.localdate(), 3)
    chosen = timezone.localdate() + dt.timedelta(days=30)
    assert rfi(deadline=chosen).deadline == chosen
    alert = send(ncp_fr, users=[ncp_ke])
    assert alert.deadline is None and set(_status(alert).values()) == {""}


@pytest.mark.django_db
def test_deadline_in_the_past_or_on_another_kind_is_refused(rfi, send, ncp_fr, ncp_ke):
    with pytest.raises(ValidationError) as exc:
        rfi(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "deadline" in exc.value.message_dict
    with pytest.raises(ValidationError):
        send(ncp_fr, users=[ncp_ke], deadline=timezone.localdate())


@pytest.mark.django_db
def test_compose_form_sets_the_deadline(login, ncp_fr, ncp_ke):
    chosen = timezone.localdate() + dt.timedelta(days=20)
    response = login(ncp_fr).post(
        reverse("exchange:compose"),
        {"kind": "rfi", "subject": "Form RFI", "body": "Question", "language": "en", "tlp": "amber",
         "to_countries": "KE", "deadline": chosen.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Message.objects.get(subject="Form RFI").deadline == chosen


# --- answering and declining --------------------------------------------------------------------


@pytest.mark.django_db
def test_reply_by_an_addressee_marks_them_answered(rfi, ncp_ke, ncp_fr, ncp_de):
    message = rfi()
    reply = services.message_reply(actor=ncp_ke, parent=message, data={"body": "None seen."})
    status = _status(message)
    assert status["ncp.ke@test.example"] == "answered"
    assert status["ncp2.ke@test.example"] == "open" and status["ncp.de@test.example"] == "open"
    receipt = MessageRecipient.objects.get(message=message, user=ncp_ke)
    assert receipt.answered_at == reply.sent_at
    entry = AuditEntry.objects.get(action="exchange.rfi_answer")
    assert entry.object_id == str(message.pk) and entry.changes["answer_status"] == ["open", "answered"]
    # A reply deeper in the thread, by another addressee, also counts; the sender's own replies do not.
    services.message_reply(actor=ncp_fr, parent=reply, data={"body": "Thanks."})
    services.message_reply(actor=ncp_de, parent=reply, data={"body": "Nothing here either."})
    assert _status(message)["ncp.de@test.example"] == "answered"
    assert AuditEntry.objects.filter(action="exchange.rfi_answer").count() == 2


@pytest.mark.django_db
def test_decline(rfi, ncp_ke, ncp_fr, send):
    message = rfi()
    with pytest.raises(ValidationError):
        services.rfi_decline(actor=ncp_ke, message=message, reason="  ")
    services.rfi_decline(actor=ncp_ke, message=message, reason="Outside our competence.")
    receipt = MessageRecipient.objects.get(message=message, user=ncp_ke)
    assert receipt.answer_status == "declined" and receipt.decline_reason == "Outside our competence."
    assert AuditEntry.objects.filter(action="exchange.rfi_decline", object_id=str(message.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.rfi_decline(actor=ncp_ke, message=message, reason="Again")
    with pytest.raises(PermissionDenied):  # the sender is not an addressee
        services.rfi_decline(actor=ncp_fr, message=message, reason="No")
    alert = send(ncp_fr, users=[ncp_ke])
    with pytest.raises(ValidationError):
        services.rfi_decline(actor=ncp_ke, message=alert, reason="No")
    # A later reply does not turn a refusal into an answer.
    services.message_reply(actor=ncp_ke, parent=message, data={"body": "See above."})
    assert _status(message)["ncp.ke@test.example"] == "declined"


@pytest.mark.django_db
def test_needs_my_answer_filter(rfi, ncp_ke, ncp_ke2, ncp_de):
    message = rfi()

    def pending(user):
        return list(selectors.inbox_list(user=user, filters={"needs_my_answer": True}))

    assert pending(ncp_ke) == [message]
    services.message_reply(actor=ncp_ke, parent=message, data={"body": "Answer"})
    services.rfi_decline(actor=ncp_ke2, message=message, reason="No data")
    MessageRecipient.objects.filter(message=message, user=ncp_de).update(answer_status="overdue")
    assert pending(ncp_ke) == [] and pending(ncp_ke2) == [] and pending(ncp_de) == [message]


@pytest.mark.django_db
def test_message_page_shows_deadline_status_and_decline_form(login, rfi, ncp_ke, ncp_fr):
    message = rfi()
    page = login(ncp_ke).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert (
        "Deadline" in page and "Your answer" in page and reverse("exchange:message-decline", args=[message.pk]) in page
    )
    client = login(ncp_ke)
    response = client.post(reverse("exchange:message-decline", args=[message.pk]), {"reason": "No competence"})
    assert response.status_code == 302
    page = client.get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "declined" in page and reverse("exchange:message-decline", args=[message.pk]) not in page
    sender_page = login(ncp_fr).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "Declined — No competence" in sender_page and sender_page.count("<td>Open</td>") == 2


@pytest.mark.django_db
def test_api_decline_and_summary(login, rfi, ncp_ke):
    message = rfi()
    client = login(ncp_ke)
    body = client.post(
        f"/api/v1/exchange/messages/{message.pk}/decline", {"reason": "No"}, content_type="application/json"
    ).json()
    assert body["answer_status"] == "declined" and body["deadline"] == message.deadline.isoformat()


# --- reminders and escalation ------------------------------------------------------------------


@pytest.mark.django_db
def test_reminder_sent_once_two_working_days_before(rfi, ncp_ke, ncp_ke2, ncp_de):
    message = rfi()
    today = timezone.localdate()
    _set_deadline(message, add_working_days(today, 3))
    assert tasks.rfi_send_reminders.call() == 0 and mail.outbox == []
    services.message_reply(actor=ncp_ke, parent=message, data={"body": "Done"})
    ncp_ke2.language = "fr"
    ncp_ke2.save()
    _set_deadline(message, add_working_days(today, 2))
    assert tasks.rfi_send_reminders.call() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ncp.de@test.example", "ncp2.ke@test.example"]
    french = next(m for m in mail.outbox if m.to == ["ncp2.ke@test.example"])
    assert "demande de renseignements" in french.subject.lower()
    for email in mail.outbox:
        assert "Peroxide question" in email.body and SECRET not in email.body and SECRET not in email.subject
        assert f"/exchange/messages/{message.pk}/" in email.body
    assert tasks.rfi_send_reminders.call() == 0 and len(mail.outbox) == 2
    assert MessageRecipient.objects.filter(message=message, reminded_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_overdue_and_escalation_once_to_the_coordinators(rfi, ncp_ke, coordinator, analyst):
    inactive = UserFactory(roles=["coordinator"], is_active=False, mfa=False)
    message = rfi()
    services.message_reply(actor=ncp_ke, parent=message, data={"body": "Done"})
    _set_deadline(message, timezone.localdate())
    assert tasks.rfi_mark_overdue.call() == 0 and mail.outbox == []  # due today: not yet overdue
    _set_deadline(message, timezone.localdate() - dt.timedelta(days=1))
    assert tasks.rfi_mark_overdue.call() == 1
    assert _status(message) == {
        "ncp.ke@test.example": "answered",
        "ncp2.ke@test.example": "overdue",
        "ncp.de@test.example": "overdue",
    }
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert inactive.email not in str([m.to for m in mail.outbox])
    email = mail.outbox[0]
    # who, when and where only: a coordinator is not a recipient
    assert f"no. {message.pk}" in email.subject and "sent from France" in email.body and "2 addressee" in email.body
    assert "Peroxide question" not in email.subject + email.body and SECRET not in email.body
    assert tasks.rfi_mark_overdue.call() == 0 and len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="exchange.rfi_escalate").count() == 1
    # A late answer is still an answer.
    services.message_reply(actor=MessageRecipient.objects.get(message=message, answer_status="overdue",
                                                              user__email="ncp.de@test.example").user,
                           parent=message, data={"body": "Late"})  # fmt: skip
    assert _status(message)["ncp.de@test.example"] == "answered"


# --- response rates ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_response_rates(rfi, ncp_ke, ncp_ke2, ncp_de, coordinator):
    first, second = rfi(), rfi()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # first: KE answers on time, KE2 declines, DE overdue
    services.message_reply(actor=ncp_ke, parent=first, data={"body": "A"})
    services.rfi_decline(actor=ncp_ke2, message=first, reason="No")
    MessageRecipient.objects.filter(message=first, user=ncp_ke).update(
        answered_at=timezone.now() - dt.timedelta(days=3)
    )
    _set_deadline(first, yesterday)
    tasks.rfi_mark_overdue.call()
    # second: DE answers late (after the deadline); KE and KE2 still open
    _set_deadline(second, yesterday)
    MessageRecipient.objects.filter(message=second).update(answer_status="open")
    services.message_reply(actor=ncp_de, parent=second, data={"body": "Late"})
    rows = {r["country"]: r for r in selectors.response_rates(user=coordinator)}
    assert set(rows) == {"DE", "KE"}
    assert {k: rows["KE"][k] for k in ("total", "on_time", "late", "never", "declined", "open")} == {
        "total": 4, "on_time": 1, "late": 0, "never": 1, "declined": 1, "open": 2,
    }  # fmt: skip
    assert {k: rows["DE"][k] for k in ("total", "on_time", "late", "never", "declined", "open")} == {
        "total": 2, "on_time": 0, "late": 1, "never": 1, "declined": 0, "open": 0,
    }  # fmt: skip
    assert rows["DE"]["country_name"] == "Germany"


@pytest.mark.django_db
def test_response_rate_page_and_api(login, rfi, coordinator, ncp_fr, ncp_ke, django_assert_max_num_queries):
    rfi()
    client = login(coordinator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("exchange:response-rates"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Kenya (KE)" in content and "Germany (DE)" in content
    data = client.get("/api/v1/exchange/response-rates").json()
    assert [r["country"] for r in data] == ["DE", "KE"] and data[1]["open"] == 2
    assert login(ncp_fr).get(reverse("exchange:response-rates")).status_code == 403
    assert login(ncp_ke).get("/api/v1/exchange/response-rates").status_code == 403

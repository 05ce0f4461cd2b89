from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.exchange import services
from shieldhub.exchange.models import Message, MessageRecipient

pytestmark = pytest.mark.django_db


def test_compose_preview_and_send(login, ncp_fr, ncp_de, ncp_ke, europe):
    client = login(ncp_fr)
    page = client.get(reverse("exchange:compose"))
    assert page.status_code == 200
    assert b"Preview recipients" in page.content and b"Europe" in page.content
    assert b"Special alert" not in page.content  # NCPs send no special alerts
    form = {
        "kind": "alert", "subject": "AN diverted", "body": "See **this**", "language": "en", "tlp": "amber",
        "handling_code": "customs_only", "to_communities": [europe.pk], "to_countries": "KE", "to_people": "",
        "origin": "FR", "transit": "", "destination": "KE", "hs_codes": "3102.30", "tags": "port, urgent",
    }  # fmt: skip
    preview = client.post(reverse("exchange:recipients-preview"), form)
    text = preview.content.decode()
    assert "2 people will receive this message" in text
    assert "Dieter Braun" in text and "John Otieno" in text and "Claire Martin" not in text
    assert "wait for the approval" not in text
    # the page asks for the preview again whenever the form changes: the sender sees it before sending
    assert 'hx-trigger="change from:#compose-form' in page.content.decode()
    # a community that requires a moderator's approval: the preview says the message will wait
    europe.requires_moderation = True
    europe.save(update_fields=["requires_moderation"])
    held = client.post(reverse("exchange:recipients-preview"), form).content.decode()
    assert "wait for the approval of a moderator of: Europe" in held and "2 people will receive" in held
    europe.requires_moderation = False
    europe.save(update_fields=["requires_moderation"])
    response = client.post(reverse("exchange:compose"), form)
    message = Message.objects.get(subject="AN diverted")
    assert response.status_code == 302 and response["Location"] == reverse("exchange:message-detail", args=[message.pk])
    assert set(MessageRecipient.objects.filter(message=message).values_list("user__email", flat=True)) == {
        "ncp.de@test.example",
        "ncp.ke@test.example",
    }
    assert message.tags == ["port", "urgent"] and message.handling_code == "customs_only"
    assert sorted((c.country.code, c.role) for c in message.countries.all()) == [
        ("FR", "origin"),
        ("KE", "destination"),
    ]


def test_compose_reports_unknown_people(login, ncp_fr):
    response = login(ncp_fr).post(
        reverse("exchange:compose"),
        {
            "kind": "information",
            "subject": "s",
            "body": "b",
            "language": "en",
            "tlp": "green",
            "to_people": "nobody@x.example",
        },
    )
    assert response.status_code == 200 and b"No account for: nobody@x.example" in response.content
    assert not Message.objects.exists()


def test_detail_sanitises_marks_read_and_shows_the_banner(login, ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke], body="**bold** <script>alert(1)</script>", tlp="red")
    client = login(ncp_ke)
    inbox = client.get(reverse("exchange:inbox")).content.decode()
    assert "Ammonium nitrate diverted" in inbox and 'class="unread"' in inbox
    assert client.get(reverse("exchange:unread-count")).content.decode().strip().endswith(">1</span>")
    page = client.get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "<strong>bold</strong>" in page and "<script>alert(1)" not in page
    assert 'class="tlp-banner tlp-red"' in page and "TLP:RED" in page
    assert "Acknowledge receipt" in page
    assert ">Through</th>" not in page  # the receipts table is the sender's
    assert MessageRecipient.objects.get(message=message, user=ncp_ke).read_at is not None
    assert client.get(reverse("exchange:unread-count")).content.decode().strip() == ""
    client.post(reverse("exchange:message-acknowledge", args=[message.pk]))
    sender_page = login(ncp_fr).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "ncp.ke@test.example" in sender_page and "Named person" in sender_page
    assert MessageRecipient.objects.get(message=message, user=ncp_ke).acknowledged_at is not None


def test_reply_correct_and_withdraw_pages(login, ncp_fr, ncp_de, ncp_ke, europe, send):
    message = send(ncp_fr, communities=[europe], users=[ncp_ke])
    client = login(ncp_de)
    response = client.post(
        reverse("exchange:message-reply", args=[message.pk]), {"body": "Only to Claire", "narrow_to": [ncp_fr.pk]}
    )
    reply = Message.objects.get(in_reply_to=message)
    assert response["Location"] == reverse("exchange:message-detail", args=[reply.pk])
    assert list(reply.recipients.values_list("user__email", flat=True)) == ["ncp.fr@test.example"]
    assert client.get(reverse("exchange:message-correct", args=[message.pk])).status_code == 403
    sender = login(ncp_fr)
    sender.post(
        reverse("exchange:message-correct", args=[message.pk]),
        {"subject": "Corrected subject", "body": "New text", "note": "Typo"},
    )
    page = sender.get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "Corrected subject" in page and "Typo" in page and "History" in page
    sender.post(reverse("exchange:message-withdraw", args=[message.pk]), {"note": "Wrong case"})
    page = login(ncp_ke).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert "Corrected subject" in page and "New text" not in page and "withdrawn by its sender" in page


def test_sent_list_counts(login, ncp_fr, ncp_ke, send):
    message = send(ncp_fr, users=[ncp_ke])
    services.message_acknowledge(actor=ncp_ke, message=message)
    page = login(ncp_fr).get(reverse("exchange:sent")).content.decode()
    assert "Ammonium nitrate diverted" in page
    assert page.count("<td>1</td>") == 3  # one recipient, one read, one acknowledged


def test_inbox_filters(login, ncp_fr, ncp_ke, send):
    send(ncp_fr, users=[ncp_ke], subject="Nitrate alert", kind="alert")
    send(ncp_fr, users=[ncp_ke], subject="Peroxide question", kind="rfi", body="Any seizures?")
    client = login(ncp_ke)

    def subjects(**params):
        content = client.get(reverse("exchange:inbox"), params).content.decode()
        return [s for s in ("Nitrate alert", "Peroxide question") if s in content]

    assert subjects() == ["Nitrate alert", "Peroxide question"]
    assert subjects(kind="rfi") == ["Peroxide question"]
    assert subjects(q="seizures") == ["Peroxide question"]
    assert subjects(needs_my_answer="on") == ["Peroxide question"]


def test_inbox_query_count_is_constant(login, ncp_fr, ncp_ke, send, django_assert_max_num_queries):
    for i in range(30):
        send(ncp_fr, users=[ncp_ke], subject=f"Message {i}")
    client = login(ncp_ke)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("exchange:inbox"))
    assert response.content.decode().count("Message ") >= 30


def test_sent_messages_can_be_searched(login, send, ncp_fr, ncp_ke):
    kept = send(ncp_fr, users=[ncp_ke], subject="Peroxide in Tema", body="Drums of hydrogen peroxide")
    other = send(ncp_fr, users=[ncp_ke], subject="Urea in Mombasa", body="Bags of urea")
    received = send(ncp_ke, users=[ncp_fr], subject="Peroxide in Lagos", body="hydrogen peroxide too")
    client = login(ncp_fr)
    page = client.get(reverse("exchange:sent"), {"q": "peroxide"})
    listed = {m.pk for m in page.context["page"].object_list}
    assert listed == {kept.pk}  # not the other sent message, not a received one
    assert other.pk not in listed and received.pk not in listed
    assert 'value="peroxide"' in page.content.decode()
    assert {m.pk for m in client.get(reverse("exchange:sent")).context["page"].object_list} == {kept.pk, other.pk}
    empty = client.get(reverse("exchange:sent"), {"q": "nitromethane"}).content.decode()
    assert "No message matches this search." in empty


def test_preview_without_javascript_posts_the_form_back_and_sends_nothing(login, ncp_fr, ncp_de, ncp_ke, europe):
    client = login(ncp_fr)
    half_written = {"kind": "alert", "subject": "", "body": "Draft", "to_communities": [europe.pk],
                    "to_countries": "KE", "to_people": "", "preview": "1"}  # fmt: skip
    response = client.post(reverse("exchange:compose"), half_written)
    text = response.content.decode()
    assert response.status_code == 200 and not Message.objects.exists()
    assert "2 people will receive this message" in text and "Dieter Braun" in text
    assert "This field is required" not in text  # previewing a draft is not sending it
    assert "Draft</textarea>" in text  # what was typed is kept

"""Four-eyes moderation: a member's message to a moderated community waits for a moderator."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from shieldhub.core.access import messages_visible_q
from shieldhub.core.models import AuditEntry
from shieldhub.exchange import moderation, services
from shieldhub.exchange.models import Message, MessageDistribution, MessageRecipient, MessageVersion
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderated(db, ncp_fr, ncp_de, coordinator, analyst):
    """A moderated community: two NCP members, two moderators from the secretariat."""
    community = CommunityFactory(name="Moderated network", slug="moderated", requires_moderation=True)
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_de)
    MembershipFactory(community=community, user=coordinator, role="moderator")
    MembershipFactory(community=community, user=analyst, role="moderator")
    return community


@pytest.fixture
def pending(moderated, ncp_fr, send):
    return send(ncp_fr, communities=[moderated], subject="Waiting for approval")


def _sees(user, message) -> bool:
    user.__dict__.pop("roles", None)
    return Message.objects.filter(messages_visible_q(user), pk=message.pk).exists()


# --- submission ----------------------------------------------------------------------------------


def test_a_members_message_waits_unsent(moderated, ncp_fr, send, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = send(ncp_fr, communities=[moderated], subject="Waiting for approval")
    assert message.status == "pending" and message.sent_at is None
    assert not callbacks  # nobody notified
    assert list(MessageDistribution.objects.filter(message=message).values_list("community_id", flat=True)) == [
        moderated.pk
    ]
    assert not MessageRecipient.objects.filter(message=message).exists()
    assert not MessageVersion.objects.filter(message=message).exists()
    entry = AuditEntry.objects.get(action="exchange.message_submit", object_id=str(message.pk))
    assert entry.actor == ncp_fr and entry.extra["moderated_communities"] == [moderated.pk]
    assert not AuditEntry.objects.filter(action="exchange.message_send", object_id=str(message.pk)).exists()


def test_a_moderator_sends_directly(moderated, analyst, ncp_fr, send):
    message = send(analyst, communities=[moderated])
    assert message.status == "sent"
    assert set(MessageRecipient.objects.filter(message=message).values_list("user_id", flat=True)) == {
        ncp_fr.pk,
        moderated.memberships.get(role="member", user__email="ncp.de@test.example").user_id,
        moderated.memberships.get(user__email="coordinator@test.example").user_id,
    }


def test_moderating_one_community_does_not_lift_anothers_moderation(moderated, analyst, ncp_ke, send):
    other = CommunityFactory(name="Other moderated", requires_moderation=True)
    MembershipFactory(community=other, user=ncp_ke)
    boss = UserFactory(roles=["ncp"], country="KE")
    MembershipFactory(community=other, user=boss, role="moderator")
    message = send(analyst, communities=[moderated, other])
    assert message.status == "pending"
    assert _sees(boss, message)  # the other community's moderator judges it
    assert _sees(analyst, message)  # the sender, who cannot judge it
    with pytest.raises(ValidationError, match="your own message"):
        moderation.message_approve(actor=analyst, message=message)


def test_secretariat_roles_do_not_moderate_by_themselves(moderated, assistant, admin_user, ncp_fr, pending, send):
    """Decision: only the moderators appointed on the community moderate; community managers
    (coordinator, assistant, admin roles) neither see the queue nor skip moderation."""
    assert not _sees(assistant, pending) and not _sees(admin_user, pending)
    with pytest.raises(Http404):
        moderation.message_approve(actor=assistant, message=pending)
    assert send(assistant, communities=[moderated]).status == "pending"


# --- visibility ----------------------------------------------------------------------------------


def test_pending_seen_by_sender_and_moderators_only(
    moderated, pending, ncp_fr, ncp_de, ncp_ke, coordinator, analyst, partner_interpol, donor, outsider
):
    assert _sees(ncp_fr, pending) and _sees(coordinator, pending) and _sees(analyst, pending)
    for user in (ncp_de, ncp_ke, partner_interpol, donor, outsider):
        assert not _sees(user, pending), user.email


def test_moderator_of_an_unmoderated_community_sees_nothing(moderated, pending, ncp_ke):
    plain = CommunityFactory(name="Plain")
    MembershipFactory(community=plain, user=ncp_ke, role="moderator")
    MessageDistribution.objects.create(message=pending, target_kind="community", community=plain)
    assert not _sees(ncp_ke, pending)


def test_partner_moderator_only_with_releasability(moderated, ncp_fr, partner_interpol, send):
    MembershipFactory(community=moderated, user=partner_interpol, role="moderator")
    hidden = send(ncp_fr, communities=[moderated], subject="Not releasable")
    shared = send(ncp_fr, communities=[moderated], subject="Releasable", releasable_interpol=True)
    assert not _sees(partner_interpol, hidden) and _sees(partner_interpol, shared)


def test_rejected_is_the_senders_alone(moderated, pending, ncp_fr, ncp_de, coordinator, analyst):
    moderation.message_reject(actor=coordinator, message=pending, note="Too vague: give the port.")
    assert _sees(ncp_fr, pending)
    assert not _sees(coordinator, pending) and not _sees(analyst, pending) and not _sees(ncp_de, pending)


def test_pages_and_api_hide_pending_from_members_and_outsiders(login, moderated, pending, ncp_de, ncp_ke, donor):
    for user in (ncp_de, ncp_ke, donor):
        client = login(user)
        assert client.get(reverse("exchange:message-detail", args=[pending.pk])).status_code in (403, 404)
        assert client.get(f"/api/v1/exchange/messages/{pending.pk}").status_code in (403, 404)
        assert client.post(reverse("exchange:message-approve", args=[pending.pk])).status_code == 404
        inbox = client.get(reverse("exchange:inbox")).content.decode()
        assert "Waiting for approval" not in inbox


# --- approval ------------------------------------------------------------------------------------


def test_sender_cannot_approve_or_reject_own_message(pending, ncp_fr):
    with pytest.raises(ValidationError, match="your own message"):
        moderation.message_approve(actor=ncp_fr, message=pending)
    with pytest.raises(ValidationError, match="your own message"):
        moderation.message_reject(actor=ncp_fr, message=pending, note="no")
    assert Message.objects.get(pk=pending.pk).status == "pending"


def test_a_member_cannot_approve(pending, ncp_de):
    with pytest.raises(Http404):
        moderation.message_approve(actor=ncp_de, message=pending)


def test_approval_is_the_send_time(
    moderated, pending, ncp_fr, ncp_de, ncp_ke, coordinator, analyst, django_capture_on_commit_callbacks
):
    # membership changes while the message waits: recipients are those at approval time
    MembershipFactory(community=moderated, user=ncp_ke)
    moderated.memberships.filter(user=ncp_de).delete()
    with django_capture_on_commit_callbacks() as callbacks:
        message = moderation.message_approve(actor=coordinator, message=pending, note="Fine.")
    assert len(callbacks) == 1  # notification fan-out once committed
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None
    assert message.moderated_by == coordinator and message.moderated_at and message.moderation_note == "Fine."
    recipients = set(MessageRecipient.objects.filter(message=message).values_list("user_id", flat=True))
    assert recipients == {ncp_ke.pk, coordinator.pk, analyst.pk}
    assert ncp_de.pk not in recipients and ncp_fr.pk not in recipients
    version = MessageVersion.objects.get(message=message)
    assert version.number == 1 and version.edited_by == ncp_fr
    entry = AuditEntry.objects.get(action="exchange.message_approve", object_id=str(message.pk))
    assert entry.actor == coordinator and entry.extra["recipients"] == 3
    assert entry.changes["status"] == ["pending", "sent"]
    assert _sees(ncp_ke, message) and not _sees(ncp_de, message)
    with pytest.raises(ValidationError, match="not waiting"):
        moderation.message_approve(actor=analyst, message=message)


def test_approving_a_request_sets_its_deadline_then(moderated, ncp_fr, coordinator, send):
    rfi = send(ncp_fr, communities=[moderated], kind="rfi")
    assert rfi.status == "pending" and rfi.deadline is None
    moderation.message_approve(actor=coordinator, message=rfi)
    rfi.refresh_from_db()
    assert rfi.deadline is not None
    assert set(MessageRecipient.objects.filter(message=rfi).values_list("answer_status", flat=True)) == {"open"}


def test_approval_refused_once_the_community_is_closed(moderated, pending, coordinator):
    moderated.is_archived = True
    moderated.save()
    with pytest.raises(ValidationError, match="closed"):
        moderation.message_approve(actor=coordinator, message=pending)


def test_reject_needs_a_note_and_is_audited(pending, coordinator):
    with pytest.raises(ValidationError):
        moderation.message_reject(actor=coordinator, message=pending, note="  ")
    message = moderation.message_reject(actor=coordinator, message=pending, note="Give the port and the date.")
    assert message.status == "rejected" and message.moderation_note == "Give the port and the date."
    assert not MessageRecipient.objects.filter(message=message).exists()
    entry = AuditEntry.objects.get(action="exchange.message_reject", object_id=str(message.pk))
    assert entry.actor == coordinator and entry.changes["status"] == ["pending", "rejected"]
    assert entry.changes["moderation_note"][1] == "Give the port and the date."


def test_replies_in_an_approved_thread_are_not_moderated(moderated, pending, coordinator, ncp_de):
    message = moderation.message_approve(actor=coordinator, message=pending)
    reply = services.message_reply(actor=ncp_de, parent=message, data={"body": "Seen here too."})
    assert reply.status == "sent"


# --- pages ---------------------------------------------------------------------------------------


def test_queue_page_and_nav_link_for_moderators(login, pending, coordinator, ncp_de):
    client = login(coordinator)
    page = client.get(reverse("exchange:moderation-queue")).content.decode()
    assert "Waiting for approval" in page and "Moderated network" in page
    nav = client.get(reverse("exchange:moderation-nav")).content.decode()
    assert "To approve" in nav and ">1<" in nav
    inbox = client.get(reverse("exchange:inbox")).content.decode()
    assert reverse("exchange:moderation-nav") in inbox  # loaded by htmx into the exchange navigation

    member = login(ncp_de)
    assert member.get(reverse("exchange:moderation-nav")).content == b""
    page = member.get(reverse("exchange:moderation-queue")).content.decode()
    assert "Waiting for approval" not in page and "You moderate no community." in page


def test_moderator_approves_from_the_message_page(login, pending, coordinator):
    client = login(coordinator)
    page = client.get(reverse("exchange:message-detail", args=[pending.pk])).content.decode()
    assert "Awaiting approval" in page and "Approve and send" in page and "Do not approve" in page
    response = client.post(reverse("exchange:message-approve", args=[pending.pk]), {"note": ""})
    assert response.status_code == 302 and response["Location"] == reverse("exchange:moderation-queue")
    assert Message.objects.get(pk=pending.pk).status == "sent"


def test_sender_sees_the_banner_then_the_note(login, pending, ncp_fr, coordinator):
    client = login(ncp_fr)
    page = client.get(reverse("exchange:message-detail", args=[pending.pk])).content.decode()
    assert "Awaiting approval" in page and "Nobody has received it yet" in page
    assert "Approve and send" not in page  # four eyes: not the sender
    assert client.post(reverse("exchange:message-approve", args=[pending.pk])).status_code == 302
    assert Message.objects.get(pk=pending.pk).status == "pending"

    mod = login(coordinator)
    assert mod.post(reverse("exchange:message-reject", args=[pending.pk]), {"note": ""}).status_code == 302
    assert Message.objects.get(pk=pending.pk).status == "pending"  # a note is required
    mod.post(reverse("exchange:message-reject", args=[pending.pk]), {"note": "Duplicate of the Mombasa alert."})
    assert Message.objects.get(pk=pending.pk).status == "rejected"

    page = login(ncp_fr).get(reverse("exchange:message-detail", args=[pending.pk])).content.decode()
    assert "Not approved" in page and "Duplicate of the Mombasa alert." in page
    queue = login(ncp_fr).get(reverse("exchange:moderation-queue")).content.decode()
    assert "Duplicate of the Mombasa alert." in queue  # the sender's own list of held messages


def test_recipients_see_who_approved(login, pending, coordinator, ncp_de):
    moderation.message_approve(actor=coordinator, message=pending)
    page = login(ncp_de).get(reverse("exchange:message-detail", args=[pending.pk])).content.decode()
    assert "Approved by Cora Coordinator" in page


# --- API -----------------------------------------------------------------------------------------


def test_api_queue_approve_reject(login, moderated, ncp_fr, coordinator, analyst, ncp_de, send):
    first = send(ncp_fr, communities=[moderated], subject="First")
    second = send(ncp_fr, communities=[moderated], subject="Second")
    client = login(coordinator)
    queue = client.get("/api/v1/exchange/moderation/queue").json()
    assert [m["subject"] for m in queue["items"]] == ["First", "Second"]
    assert queue["items"][0]["status"] == "pending" and queue["items"][0]["communities"] == [moderated.pk]

    approved = client.post(
        f"/api/v1/exchange/messages/{first.pk}/approve", {"note": "ok"}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["status"] == "sent"
    assert approved.json()["moderated_by"]["email"] == "coordinator@test.example"
    no_note = login(analyst).post(
        f"/api/v1/exchange/messages/{second.pk}/reject", {"note": ""}, content_type="application/json"
    )
    assert no_note.status_code == 422
    rejected = login(analyst).post(
        f"/api/v1/exchange/messages/{second.pk}/reject", {"note": "No."}, content_type="application/json"
    )
    assert rejected.json()["status"] == "rejected"
    mine = login(ncp_fr).get(f"/api/v1/exchange/messages/{second.pk}/moderation").json()
    assert mine["moderation_note"] == "No." and mine["status"] == "rejected"
    member = login(ncp_de)
    assert member.get(f"/api/v1/exchange/messages/{second.pk}/moderation").status_code == 404
    assert member.get("/api/v1/exchange/moderation/queue").json()["count"] == 0


def test_api_sender_cannot_approve_and_read_tokens_cannot_write(client, pending, ncp_fr, coordinator):
    from shieldhub.accounts.services import api_token_create

    own = client.generic(
        "POST", f"/api/v1/exchange/messages/{pending.pk}/approve", "{}", content_type="application/json"
    )
    assert own.status_code == 401
    _token, raw = api_token_create(actor=ncp_fr, user=ncp_fr, name="rw", scopes=["read", "write"], expires_in_days=3)
    own = client.post(
        f"/api/v1/exchange/messages/{pending.pk}/approve",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert own.status_code == 422
    _token, raw = api_token_create(actor=coordinator, user=coordinator, name="ro", scopes=["read"], expires_in_days=3)
    read_only = client.post(
        f"/api/v1/exchange/messages/{pending.pk}/approve",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert read_only.status_code == 403
    assert Message.objects.get(pk=pending.pk).status == "pending"


def test_queue_page_and_api_use_a_constant_number_of_queries(login, moderated, ncp_fr, coordinator, send):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(coordinator)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    send(ncp_fr, communities=[moderated], subject="One")
    few = (count(reverse("exchange:moderation-queue")), count("/api/v1/exchange/moderation/queue"))
    for i in range(5):
        send(ncp_fr, communities=[moderated], subject=f"More {i}")
    assert (count(reverse("exchange:moderation-queue")), count("/api/v1/exchange/moderation/queue")) == few


def test_a_held_forward_is_checked_again_against_the_recipients_at_approval(ncp_fr, ncp_ke, ncp_de, send):
    """An AMBER+STRICT forward held for moderation cannot reach someone who joined meanwhile."""
    from shieldhub.exchange import forwarding

    french_moderator = UserFactory(roles=["ncp"], country="FR", full_name="Claire Moderatrice", mfa=False)
    group = CommunityFactory(name="French desk", slug="french-desk", requires_moderation=True)
    MembershipFactory(community=group, user=ncp_fr)
    MembershipFactory(community=group, user=french_moderator, role="moderator")
    original = send(ncp_ke, users=[ncp_fr], tlp="amber_strict")
    held = forwarding.message_forward(
        actor=ncp_fr, message=original, distribution=Distribution(communities=[group.pk]), note="For the desk"
    )
    assert held.status == "pending"
    MembershipFactory(community=group, user=ncp_de)  # a German NCP joins before the approval
    with pytest.raises(ValidationError):
        moderation.message_approve(actor=french_moderator, message=held)
    held.refresh_from_db()
    assert held.status == "pending" and not held.recipients.exists()


def test_the_compose_page_and_the_sent_list_say_a_message_waits(login, moderated, ncp_fr, analyst):
    client = login(ncp_fr)
    form = {
        "kind": "information", "subject": "For the moderated group", "body": "Text", "language": "en",
        "tlp": "amber", "to_communities": [moderated.pk], "to_countries": "", "to_people": "",
    }  # fmt: skip
    response = client.post(reverse("exchange:compose"), form, follow=True)
    assert "a moderator will approve it before it is sent" in response.content.decode()
    sent = client.get(reverse("exchange:sent")).content.decode()
    assert "For the moderated group" in sent and "awaiting approval" in sent
    message = Message.objects.get(subject="For the moderated group")
    moderation.message_reject(actor=analyst, message=message, note="Not for this group")
    assert "not approved" in client.get(reverse("exchange:sent")).content.decode()

"""`MessageRecipient.sent_at`: the message's send time copied onto each receipt (the inbox is
ordered by it). Set on a direct send, a reply, a moderator's approval and a forward; filled for
existing receipts by migration 0005."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shieldhub.exchange import forwarding, moderation, selectors, services
from shieldhub.exchange.models import Message, MessageRecipient
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _receipt_times(message):
    return set(MessageRecipient.objects.filter(message=message).values_list("sent_at", flat=True))


def test_set_on_send_and_on_reply(ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], users=[ncp_de])
    message.refresh_from_db()
    assert message.sent_at is not None
    assert _receipt_times(message) == {message.sent_at}
    reply = services.message_reply(actor=ncp_ke, parent=message, data={"body": "Checked."})
    reply.refresh_from_db()
    assert reply.sent_at > message.sent_at and _receipt_times(reply) == {reply.sent_at}


def test_set_on_approval_not_at_submission(ncp_fr, ncp_de, coordinator, send):
    community = CommunityFactory(name="Moderated", slug="moderated-sent-at", requires_moderation=True)
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_de)
    MembershipFactory(community=community, user=coordinator, role="moderator")
    pending = send(ncp_fr, communities=[community])
    assert pending.sent_at is None and not MessageRecipient.objects.filter(message=pending).exists()
    approved = moderation.message_approve(actor=coordinator, message=pending)
    approved.refresh_from_db()
    assert approved.sent_at is not None and _receipt_times(approved) == {approved.sent_at}


def test_set_on_forward(ncp_fr, ncp_ke, ncp_de, send):
    original = send(ncp_fr, countries=["KE"], tlp="green")
    forward = forwarding.message_forward(actor=ncp_ke, message=original, distribution=Distribution(users=[ncp_de.pk]))
    forward.refresh_from_db()
    assert forward.sent_at is not None and _receipt_times(forward) == {forward.sent_at}


def test_a_receipt_created_alone_takes_the_message_time(ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"])
    receipt = MessageRecipient.objects.create(message=message, user=ncp_de, reason="user")
    assert receipt.sent_at == message.sent_at


def test_migration_backfills_from_the_message(ncp_fr, ncp_ke, ncp_de, send):
    first = send(ncp_fr, countries=["KE"], users=[ncp_de])
    second = send(ncp_fr, countries=["KE"])
    Message.objects.filter(pk=first.pk).update(sent_at=timezone.now() - dt.timedelta(days=3))
    MessageRecipient.objects.update(sent_at=None)
    migration = importlib.import_module("shieldhub.exchange.migrations.0005_receipt_sent_at")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    for message in (first, second):
        message.refresh_from_db()
        assert _receipt_times(message) == {message.sent_at}


def test_the_inbox_follows_the_receipts_send_time(login, ncp_fr, ncp_ke, send):
    older = send(ncp_fr, countries=["KE"], subject="Older alert")
    newer = send(ncp_fr, countries=["KE"], subject="Newer alert")
    assert [m.pk for m in selectors.inbox_list(user=ncp_ke)] == [newer.pk, older.pk]
    # the order is the receipts' (equal to the messages' in real data): move the older one's receipt up
    MessageRecipient.objects.filter(message=older).update(sent_at=timezone.now() + dt.timedelta(hours=1))
    assert [m.pk for m in selectors.inbox_list(user=ncp_ke)] == [older.pk, newer.pk]
    assert [m.pk for m in selectors.inbox_list(user=ncp_ke, filters={"unread": True})] == [older.pk, newer.pk]
    page = login(ncp_ke).get(reverse("exchange:inbox")).content.decode()
    assert page.index("Older alert") < page.index("Newer alert")

"""`MessageRecipient.kind`: the message's kind copied onto each receipt (the inbox filters by it).
Set on a direct send, a reply, a moderator's approval and a forward; filled for existing receipts by
migration 0006. The inbox and search filtered by kind, through every plan (`selectors.inbox_pages`),
give what the plain rule gives (the message's own kind, the access policy, the search), for
partners, other communities and withdrawn bodies alike."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from shieldhub.core.access import messages_visible_q
from shieldhub.exchange import forwarding, moderation, selectors, services
from shieldhub.exchange.models import Message, MessageRecipient
from shieldhub.exchange.search import search_messages
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _receipt_kinds(message):
    return set(MessageRecipient.objects.filter(message=message).values_list("kind", flat=True))


def test_set_on_send_and_on_reply(ncp_fr, ncp_ke, ncp_de, send):
    alert = send(ncp_fr, countries=["KE"], users=[ncp_de], kind="alert")
    request = send(ncp_fr, countries=["KE"], kind="rfi")
    assert _receipt_kinds(alert) == {"alert"} and _receipt_kinds(request) == {"rfi"}
    reply = services.message_reply(actor=ncp_ke, parent=alert, data={"body": "Checked."})
    assert reply.kind == "information" and _receipt_kinds(reply) == {"information"}


def test_set_on_approval_not_at_submission(ncp_fr, ncp_de, coordinator, send):
    community = CommunityFactory(name="Moderated", slug="moderated-kind", requires_moderation=True)
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_de)
    MembershipFactory(community=community, user=coordinator, role="moderator")
    pending = send(ncp_fr, communities=[community], kind="operational")
    assert not MessageRecipient.objects.filter(message=pending).exists()
    approved = moderation.message_approve(actor=coordinator, message=pending)
    assert _receipt_kinds(approved) == {"operational"}


def test_set_on_forward(ncp_fr, ncp_ke, ncp_de, send):
    original = send(ncp_fr, countries=["KE"], tlp="green", kind="alert")
    forward = forwarding.message_forward(actor=ncp_ke, message=original, distribution=Distribution(users=[ncp_de.pk]))
    forward.refresh_from_db()
    assert _receipt_kinds(forward) == {forward.kind} and forward.kind == "alert"


def test_a_receipt_created_alone_takes_the_message_kind(ncp_fr, ncp_ke, ncp_de, send):
    message = send(ncp_fr, countries=["KE"], kind="rfi")
    receipt = MessageRecipient.objects.create(message=message, user=ncp_de, reason="user")
    assert receipt.kind == "rfi"


def test_migration_backfills_from_the_message(ncp_fr, ncp_ke, ncp_de, send):
    first = send(ncp_fr, countries=["KE"], users=[ncp_de], kind="alert")
    second = send(ncp_fr, countries=["KE"], kind="rfi")
    MessageRecipient.objects.update(kind="")
    migration = importlib.import_module("shieldhub.exchange.migrations.0006_receipt_kind")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert _receipt_kinds(first) == {"alert"} and _receipt_kinds(second) == {"rfi"}


def test_the_inbox_filters_on_the_receipts_kind(login, ncp_fr, ncp_ke, send):
    alert = send(ncp_fr, countries=["KE"], subject="An alert", kind="alert")
    send(ncp_fr, countries=["KE"], subject="A request", kind="rfi")
    assert [m.pk for m in selectors.inbox_list(user=ncp_ke, filters={"kind": "alert"})] == [alert.pk]
    # the filter reads the receipt (equal to the message in real data): an empty one matches nothing
    MessageRecipient.objects.filter(message=alert).update(kind="")
    assert list(selectors.inbox_list(user=ncp_ke, filters={"kind": "alert"})) == []
    assert "An alert" not in login(ncp_ke).get(reverse("exchange:inbox"), {"kind": "alert"}).content.decode()


# --- every plan against the plain rule ------------------------------------------------------------


def _plain(user, filters):
    """The reference: messages the user may see and received, of the message's own kind, matching
    the search, newest first. No receipt copy involved."""
    received = MessageRecipient.objects.filter(user=user).values("message_id")
    qs = Message.objects.filter(messages_visible_q(user), pk__in=received, status__in=["sent", "withdrawn"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("unread"):
        qs = qs.filter(pk__in=MessageRecipient.objects.filter(user=user, read_at__isnull=True).values("message_id"))
    if filters.get("community"):
        qs = qs.filter(distribution__community_id=filters["community"])
    if filters.get("q"):
        qs = search_messages(qs, filters["q"], user=user)
    return list(qs.order_by("-sent_at", "-pk").values_list("pk", flat=True))


@pytest.fixture
def mail(ncp_fr, ncp_ke, ncp_de, partner_interpol, send):
    """Alerts, requests and information about nitrate to a community of the Kenyan NCP (with a
    partner), to another community he is not in, and to him alone; one withdrawn by its sender."""
    mine = CommunityFactory(name="East Africa", slug="east-africa-kind")
    for user in (ncp_fr, ncp_ke, partner_interpol):
        MembershipFactory(community=mine, user=user)
    other = CommunityFactory(name="Elsewhere", slug="elsewhere-kind")
    for user in (ncp_fr, ncp_de):
        MembershipFactory(community=other, user=user)
    for i in range(4):
        for kind in ("alert", "rfi", "information"):
            send(ncp_fr, communities=[mine], kind=kind, subject=f"Nitrate {kind} {i}", releasable_interpol=i % 2 == 0)
            send(ncp_fr, communities=[other], kind=kind, subject=f"Nitrate elsewhere {kind} {i}")
            send(ncp_fr, users=[ncp_ke], kind=kind, subject=f"Direct {kind} {i}", body="Ammonium nitrate seen.")
    withdrawn = send(
        ncp_fr, communities=[mine], kind="alert", subject="Withdrawn alert", body="Secret nitrate detail.",
        releasable_interpol=True,
    )  # fmt: skip
    services.message_withdraw(actor=ncp_fr, message=withdrawn, note="Wrong")
    # the Kenyan NCP sends one alert himself: sent, not received (never in his inbox)
    send(ncp_ke, communities=[mine], kind="alert", subject="Nitrate alert of my own")
    return SimpleNamespace(mine=mine, other=other)


FILTERS = [
    {"kind": "alert"},
    {"kind": "rfi", "unread": True},
    {"kind": "alert", "q": "nitrate"},
    {"kind": "alert", "q": "secret"},  # only in a withdrawn body: found by nobody but its sender
    {"kind": "information", "q": "ammonium nitrate"},
    {"kind": "alert", "q": "nitrate -direct"},
    {"q": "nitrate"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()))
@pytest.mark.parametrize("persona", ["ncp_ke", "partner_interpol", "ncp_de"])
def test_every_plan_gives_the_plain_results(request, login, monkeypatch, mail, persona, filters):
    user = request.getfixturevalue(persona)
    cases = [filters, {**filters, "community": mail.mine.pk}, {**filters, "community": mail.other.pk}]
    for case in cases:
        expected = _plain(user, case)
        assert [m.pk for m in selectors.inbox_list(user=user, filters=case)] == expected, case
        # the index first (the ids of the newest matches read once, with a cap above and below the
        # number of matches), the receipts first with the match row by row and the count through the
        # index, and the receipts first for the count too
        for density, cap in ((0, 1000), (0, 2), (selectors.DENSE_MATCHES, 1000), (selectors.WALK_COUNT_MATCHES, 2)):
            plan = (density, cap)
            monkeypatch.setattr(selectors, "_density", lambda u, f, density=density: density)
            monkeypatch.setattr(selectors, "COMMUNITY_MATCHES", 1 if density else 10_000)
            monkeypatch.setattr(selectors, "COUNT_CAP", cap)
            pages = selectors.inbox_pages(user=user, filters=case)
            if case.get("q"):
                kind = selectors.InboxRows if density else selectors.SearchCandidates
                assert isinstance(pages, kind), plan
            assert [m.pk for m in pages] == expected, (case, plan)
            assert pages.count() == len(expected), (case, plan)
            for start, stop in ((0, 2), (1, 3), (2, 5), (0, 50)):
                assert [m.pk for m in pages[start:stop]] == expected[start:stop], (case, plan, start)
            for stop in (1, 3, 1001):  # what the paginators run: order_by()[:cap + 1].count()
                assert pages.order_by()[:stop].count() == min(stop, len(expected)), (case, plan, stop)
    client = login(user)
    found = client.get("/api/v1/exchange/inbox", filters).json()
    assert [m["id"] for m in found["items"]] == _plain(user, filters) and found["count"] == len(_plain(user, filters))


def test_the_partner_and_the_outsider_see_what_they_should(mail, ncp_ke, partner_interpol, ncp_de):
    assert len(_plain(ncp_ke, {"kind": "alert"})) == 9  # 4 community, 4 direct, the withdrawn one
    assert len(_plain(partner_interpol, {"kind": "alert"})) == 3  # releasable ones only
    assert _plain(ncp_ke, {"kind": "alert", "q": "secret"}) == []
    assert _plain(ncp_de, {"kind": "alert", "community": mail.mine.pk}) == []


def test_the_bench_seed_copies_kind_and_time_onto_its_receipts(db):
    from django.core.management import call_command
    from django.db.models import F

    call_command("load_reference", verbosity=0)
    seed_exchange = importlib.import_module("shieldhub.exchange.management.commands.seed_exchange").seed_exchange
    seed_exchange(users=30, communities=8, messages=40, seed=3)
    receipts = MessageRecipient.objects.all()
    assert receipts.exists()
    assert not receipts.exclude(kind=F("message__kind")).exists()
    assert not receipts.exclude(sent_at=F("message__sent_at")).exists()

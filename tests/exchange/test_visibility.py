"""`messages_visible_q` against a small reference model, over generated networks (hypothesis),
with four-eyes moderation: pending messages seen by their sender and moderators, rejected ones by
their sender alone, approved ones by the recipients resolved at approval. The surfaces built on the
rule are checked against the same model: a message's page (`message_get`), the inbox (receipts of
sent messages), the unread count and full-text search (not in the hidden body of a withdrawn message)."""

from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from shieldhub.core.access import messages_visible_q
from shieldhub.exchange import moderation, selectors, services
from shieldhub.exchange.models import Message, MessageRecipient
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# (role, country, partner organisation, active)
PEOPLE = st.lists(
    st.tuples(
        st.sampled_from(["ncp", "ncp", "ncp", "partner", "coordinator", "admin", "donor", ""]),
        st.sampled_from(["FR", "KE", "DE"]),
        st.sampled_from(["interpol", "unodc"]),
        st.sampled_from([True, True, True, False]),
    ),
    min_size=2,
    max_size=7,
)
EXCHANGE_ROLES = {"ncp", "partner", "coordinator", "admin"}


@st.composite
def networks(draw):
    people = draw(PEOPLE)
    n = len(people)
    n_communities = draw(st.integers(1, 3))
    # (community, person) → role; some communities require a moderator's approval
    memberships = draw(
        st.dictionaries(
            st.tuples(st.integers(0, n_communities - 1), st.integers(0, n - 1)),
            st.sampled_from(["member", "member", "moderator"]),
            max_size=12,
        )
    )
    moderated = draw(st.lists(st.sampled_from([True, True, False]), min_size=n_communities, max_size=n_communities))
    messages = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "sender": st.integers(0, n - 1),
                    "communities": st.sets(st.integers(0, n_communities - 1), max_size=2),
                    "countries": st.sets(st.sampled_from(["FR", "KE", "DE"]), max_size=2),
                    "users": st.sets(st.integers(0, n - 1), max_size=2),
                    "interpol": st.booleans(),
                    "unodc": st.booleans(),
                    "withdraw": st.booleans(),
                    # what a moderator does with a message that waits: approve, reject or nothing yet
                    "moderation": st.sampled_from(["approve", "reject", "wait"]),
                    "moderator": st.integers(0, n - 1),
                    "judge": st.sampled_from(["a moderator", "a moderator", "anyone"]),
                    "join": st.booleans(),  # the sender joins the communities first (as a member)
                }
            ),
            min_size=1,
            max_size=5,
        )
    )
    return people, n_communities, memberships, moderated, messages


def _eligible(person, releasability):
    role, _country, org, active = person
    return active and role in EXCHANGE_ROLES and (role != "partner" or org in releasability)


def _msg(sender, *, interpol=False, moderation="wait", moderator=0, withdraw=False, judge="a moderator"):
    return {"sender": sender, "communities": {0}, "countries": set(), "users": set(), "interpol": interpol,
            "unodc": False, "withdraw": withdraw, "moderation": moderation, "moderator": moderator, "judge": judge,
            "join": False}  # fmt: skip


# One moderated community: two NCP members, a coordinator and an INTERPOL partner as moderators.
_MODERATED = (
    [("ncp", "FR", "interpol", True), ("ncp", "KE", "interpol", True), ("coordinator", "FR", "interpol", True),
     ("partner", "FR", "interpol", True)],
    1,
    {(0, 0): "member", (0, 1): "member", (0, 2): "moderator", (0, 3): "moderator"},
    [True],
)  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(network=networks())
@example(
    network=(
        *_MODERATED,
        [
            _msg(0, interpol=True, moderation="approve", withdraw=True),  # approved by the coordinator, withdrawn
            _msg(1, moderation="reject", moderator=1),  # not releasable: only the coordinator judges it
            _msg(0, interpol=True),  # waits: both moderators see it
            _msg(1, moderation="approve", judge="anyone", moderator=1),  # the sender cannot approve it
            _msg(3, moderation="approve"),  # a moderator's own message is sent directly
        ],
    )
)
def test_every_user_sees_exactly_what_the_reference_model_says(db, network):
    people, n_communities, memberships, moderated, messages = network
    with transaction.atomic():
        users = [
            UserFactory(roles=[role] if role else [], country=country if role == "ncp" else "",
                        partner_organisation=org if role == "partner" else "", is_active=active, mfa=False)
            for role, country, org, active in people
        ]  # fmt: skip
        communities = [CommunityFactory(requires_moderation=moderated[c]) for c in range(n_communities)]
        for (c, u), role in memberships.items():
            MembershipFactory(community=communities[c], user=users[u], role=role)
        expected: dict[int, set[int]] = {i: set() for i in range(len(users))}
        received: dict[int, set[int]] = {i: set() for i in range(len(users))}  # the inbox: receipts of sent messages
        created: set[int] = set()
        hidden: dict[int, set[int]] = {i: set() for i in range(len(users))}  # withdrawn: body hidden from recipients
        for spec in messages:
            s = spec["sender"]
            if spec["join"]:
                for c in sorted(spec["communities"]):
                    if (c, s) not in memberships:
                        memberships[(c, s)] = "member"
                        MembershipFactory(community=communities[c], user=users[s])
            rel = [o for o in ("interpol", "unodc") if spec[o]]
            sender_role = people[s][0]
            allowed_communities = {
                c for c in spec["communities"] if sender_role in ("coordinator", "admin") or (c, s) in memberships
            }
            named = {u for u in spec["users"] if _eligible(people[u], rel)}
            recipients = {u for c, u in memberships if c in allowed_communities and _eligible(people[u], rel)}
            recipients |= {
                u for u, p in enumerate(people) if p[0] == "ncp" and p[1] in spec["countries"] and _eligible(p, rel)
            }
            recipients |= named
            recipients.discard(s)
            dist = Distribution(
                communities=[communities[c].pk for c in allowed_communities],
                countries=sorted(spec["countries"]),
                users=[users[u].pk for u in named],
            )
            data = {"kind": "information", "subject": "s", "body": "payload", "tlp": "green",
                    "releasable_interpol": spec["interpol"], "releasable_unodc": spec["unodc"]}  # fmt: skip
            sender_can = people[s][3] and sender_role in EXCHANGE_ROLES
            try:
                message = services.message_send(actor=users[s], data=data, distribution=dist)
            except (ValidationError, PermissionDenied) as exc:  # refused: nobody, no permission
                assert not sender_can or not recipients or dist.is_empty(), exc
                continue
            assert sender_can and recipients
            expected[s].add(message.pk)
            created.add(message.pk)
            # Four eyes: held when a community requires moderation and the sender does not moderate it.
            held = {c for c in allowed_communities if moderated[c] and memberships.get((c, s)) != "moderator"}
            assert message.status == ("pending" if held else "sent")
            status = message.status
            if held:
                # the moderators of the moderated communities of the distribution who may use the exchange
                moderators = {
                    u for (c, u), role in memberships.items()
                    if role == "moderator" and c in allowed_communities and moderated[c] and _eligible(people[u], rel)
                }  # fmt: skip
                judge = spec["moderator"]
                candidates = sorted(moderators - {s})
                if spec["judge"] == "a moderator" and candidates:
                    judge = candidates[judge % len(candidates)]
                if spec["moderation"] != "wait" and judge in moderators and judge != s:
                    if spec["moderation"] == "approve":
                        message = moderation.message_approve(actor=users[judge], message=message)
                        status = "sent"
                    else:
                        moderation.message_reject(actor=users[judge], message=message, note="n")
                        status = "rejected"
                elif spec["moderation"] != "wait":  # anyone else is refused, the sender included
                    with pytest.raises((ValidationError, PermissionDenied, Http404)):
                        moderation.message_approve(actor=users[judge], message=message)
                if status == "pending":
                    for m in moderators:
                        expected[m].add(message.pk)
            event(f"held, then {status}" if held else "sent directly")
            assert not MessageRecipient.objects.filter(message=message).exists() or status == "sent"
            if status != "sent":
                continue  # nobody received it (yet): pending for the moderators, rejected for the sender
            for r in recipients:
                expected[r].add(message.pk)
                received[r].add(message.pk)
            if spec["withdraw"]:
                services.message_withdraw(actor=users[s], message=message, note="n")
                for r in recipients:
                    hidden[r].add(message.pk)
        for i, user in enumerate(users):
            user.__dict__.pop("roles", None)
            seen = set(Message.objects.filter(messages_visible_q(user)).values_list("pk", flat=True))
            assert seen == expected[i], (i, people[i])
            # the surfaces built on the rule: a message's page (its selector), the inbox, search, the unread count
            opened = set()
            for pk in created:
                with contextlib.suppress(Http404):
                    opened.add(selectors.message_get(user=user, pk=pk).pk)
            assert opened == expected[i], (i, people[i])
            assert set(selectors.inbox_list(user=user).values_list("pk", flat=True)) == received[i], (i, people[i])
            assert selectors.unread_count(user=user) == len(received[i])
            found = set(selectors.message_search(user=user, query="payload").values_list("pk", flat=True))
            assert found == expected[i] - hidden[i], (i, people[i])  # the words of a hidden body are not searched
        transaction.set_rollback(True)


def test_the_inbox_rule_equals_the_access_policy_on_received_messages(send, ncp_fr, ncp_de, partner_interpol, europe):
    """`messages_received_visible_q` is `messages_visible_q` restricted to a user's receipts."""
    from shieldhub.core.access import messages_received_visible_q
    from tests.factories import MembershipFactory as Member

    Member(community=europe, user=partner_interpol)
    send(ncp_fr, communities=[europe], subject="Releasable", releasable_interpol=True)
    send(ncp_fr, communities=[europe], subject="Customs only")
    withdrawn = send(ncp_fr, communities=[europe], subject="Withdrawn")
    services.message_withdraw(actor=ncp_fr, message=withdrawn, note="Wrong")
    for user in (ncp_de, partner_interpol, ncp_fr):
        received = Message.objects.filter(recipients__user=user)
        expected = set(received.filter(messages_visible_q(user)).values_list("subject", flat=True))
        got = set(received.filter(messages_received_visible_q(user)).values_list("subject", flat=True))
        assert got == expected, user.email
    assert set(
        Message.objects.filter(
            messages_received_visible_q(partner_interpol), recipients__user=partner_interpol
        ).values_list("subject", flat=True)
    ) == {"Releasable"}

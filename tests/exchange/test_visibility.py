"""`messages_visible_q` against a small reference model, over generated networks (hypothesis)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shieldhub.core.access import messages_visible_q
from shieldhub.exchange import services
from shieldhub.exchange.models import Message
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
    memberships = draw(st.sets(st.tuples(st.integers(0, n_communities - 1), st.integers(0, n - 1)), max_size=12))
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
                }
            ),
            min_size=1,
            max_size=5,
        )
    )
    return people, n_communities, memberships, messages


def _eligible(person, releasability):
    role, _country, org, active = person
    return active and role in EXCHANGE_ROLES and (role != "partner" or org in releasability)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(network=networks())
def test_every_user_sees_exactly_what_the_reference_model_says(db, network):
    people, n_communities, memberships, messages = network
    with transaction.atomic():
        users = [
            UserFactory(roles=[role] if role else [], country=country if role == "ncp" else "",
                        partner_organisation=org if role == "partner" else "", is_active=active, mfa=False)
            for role, country, org, active in people
        ]  # fmt: skip
        communities = [CommunityFactory() for _ in range(n_communities)]
        for c, u in memberships:
            MembershipFactory(community=communities[c], user=users[u])
        expected: dict[int, set[int]] = {i: set() for i in range(len(users))}
        for spec in messages:
            s = spec["sender"]
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
            data = {"kind": "information", "subject": "s", "body": "b", "tlp": "green",
                    "releasable_interpol": spec["interpol"], "releasable_unodc": spec["unodc"]}  # fmt: skip
            sender_can = people[s][3] and sender_role in EXCHANGE_ROLES
            try:
                message = services.message_send(actor=users[s], data=data, distribution=dist)
            except (ValidationError, PermissionDenied) as exc:  # refused: nobody, no permission
                assert not sender_can or not recipients or dist.is_empty(), exc
                continue
            assert sender_can and recipients
            expected[s].add(message.pk)
            for r in recipients:
                expected[r].add(message.pk)
            if spec["withdraw"]:
                services.message_withdraw(actor=users[s], message=message, note="n")
        for i, user in enumerate(users):
            user.__dict__.pop("roles", None)
            seen = set(Message.objects.filter(messages_visible_q(user)).values_list("pk", flat=True))
            assert seen == expected[i], (i, people[i])
        transaction.set_rollback(True)

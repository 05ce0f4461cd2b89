"""Exchange fixtures: a regional community with two NCPs, and a helper to send messages."""

from __future__ import annotations

import pytest

from shieldhub.exchange import services
from shieldhub.exchange.services import Distribution
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.fixture
def ncp_ke2(db):
    return UserFactory(email="ncp2.ke@test.example", roles=["ncp"], full_name="Grace Wanjiru", country="KE", mfa=False)


@pytest.fixture
def ncp_de(db):
    return UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE", mfa=False)


@pytest.fixture
def europe(db, ncp_fr, ncp_de):
    community = CommunityFactory(name="Europe", slug="europe", kind="regional")
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_de)
    return community


@pytest.fixture
def send():
    def _send(actor, *, communities=(), countries=(), users=(), involved=None, **data):
        payload = {
            "kind": "alert",
            "subject": "Ammonium nitrate diverted",
            "body": "Seen at **Le Havre**.",
            "tlp": "amber",
        }
        payload.update(data)
        if involved is not None:
            payload["countries"] = involved
        dist = Distribution(
            communities=[c.pk for c in communities], countries=list(countries), users=[u.pk for u in users]
        )
        return services.message_send(actor=actor, data=payload, distribution=dist)

    return _send

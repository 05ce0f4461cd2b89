"""Shared fixtures: the personas every access test speaks of, and signed-in clients."""

from __future__ import annotations

import time

import pytest

from tests.factories import OrganisationFactory, PersonFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    from shieldhub.core.i18n import compile_translations

    compile_translations()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English: a French request must not leak its language into the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


def _persona(email: str, roles: list[str], **extra: object):
    return UserFactory(email=email, roles=roles, **extra)


@pytest.fixture
def coordinator(db):
    return _persona("coordinator@test.example", ["coordinator"], full_name="Cora Coordinator")


@pytest.fixture
def analyst(db):
    return _persona("analyst@test.example", ["analyst"], full_name="Ana Analyst")


@pytest.fixture
def trainer(db):
    return _persona("trainer@test.example", ["trainer"], full_name="Tim Trainer")


@pytest.fixture
def assistant(db):
    return _persona("assistant@test.example", ["assistant"], full_name="Asha Assistant")


@pytest.fixture
def admin_user(db):
    return _persona("admin@test.example", ["admin"], full_name="Adam Admin")


@pytest.fixture
def fr_customs(db):
    return OrganisationFactory(name="Direction générale des douanes et droits indirects", acronym="DGDDI", country="FR")


@pytest.fixture
def ke_customs(db):
    return OrganisationFactory(name="Kenya Revenue Authority – Customs", acronym="KRA", country="KE")


@pytest.fixture
def ncp_fr(db, fr_customs):
    user = _persona("ncp.fr@test.example", ["ncp"], full_name="Claire Martin", country="FR", agency=fr_customs)
    PersonFactory(
        given_name="Claire", family_name="Martin", country="FR", organisation=fr_customs, user=user, email=user.email
    )
    return user


@pytest.fixture
def ncp_ke(db, ke_customs):
    user = _persona("ncp.ke@test.example", ["ncp"], full_name="John Otieno", country="KE", agency=ke_customs)
    PersonFactory(
        given_name="John", family_name="Otieno", country="KE", organisation=ke_customs, user=user, email=user.email
    )
    return user


@pytest.fixture
def partner_interpol(db):
    return _persona(
        "partner.interpol@test.example", ["partner"], partner_organisation="interpol", full_name="Ian Interpol"
    )


@pytest.fixture
def donor(db):
    return _persona("donor@test.example", ["donor"], full_name="Dora Donor")


@pytest.fixture
def outsider(db):
    """An active account with no role at all."""
    return _persona("outsider@test.example", [], full_name="Otto Outsider")


PERSONAS = [
    "coordinator",
    "analyst",
    "trainer",
    "assistant",
    "admin_user",
    "ncp_fr",
    "ncp_ke",
    "partner_interpol",
    "donor",
    "outsider",
]


@pytest.fixture
def persona(request):
    """Parametrise with `@pytest.mark.parametrize("persona", [...], indirect=True)`."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def login(client):
    """`login(user)` signs the test client in as a user who has completed MFA."""

    def _login(user):
        client.force_login(user)
        session = client.session
        session["mfa_enrolled"] = True
        # Activity as of now: the idle-session middleware then leaves the session alone for a
        # minute, so query counts do not depend on whether a request is the first one.
        session["last_seen"] = int(time.time())
        session.save()
        return client

    return _login


@pytest.fixture(autouse=True)
def _summaries_kept_up(request):
    """After every database test, the dashboards' monthly summaries agree with the records: a write
    path that forgets `summaries.touch` fails the test that exercises it. Tests that write counted
    records with the ORM directly (not through the services) opt out with
    `@pytest.mark.summaries_stale`."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    wanted = (marker is not None or "db" in request.fixturenames) and not transactional
    if not wanted or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")  # set up first, so this check runs before the rollback
    yield
    if request.node.get_closest_marker("summaries_stale"):
        return
    from shieldhub.seizures.models import Incident, SeizureSummary
    from shieldhub.shipments.models import Shipment, ShipmentSummary

    if not any(m.objects.exists() for m in (Incident, Shipment, SeizureSummary, ShipmentSummary)):
        return  # nothing counted, nothing summarised (most tests): skip the full comparison
    from shieldhub.analysis.summaries import verify_all

    problems = verify_all()
    assert not problems, "the monthly summaries drifted from the records:\n" + "\n".join(problems[:20])

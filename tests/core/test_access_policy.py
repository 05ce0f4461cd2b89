"""The access policy, tested once and thoroughly: the role table, and record visibility against a
small reference model written independently of core/access.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from shieldhub.accounts.choices import Role
from shieldhub.accounts.models import User
from shieldhub.core import access
from shieldhub.core.access import Perm
from shieldhub.directory.models import NcpNomination, Person
from tests.factories import CommunityFactory, MembershipFactory, NominationFactory, PersonFactory

COUNTRIES = ["FR", "KE", "NG", "BR"]
SECRETARIAT_OR_ADMIN = {Role.COORDINATOR, Role.ANALYST, Role.TRAINER, Role.ASSISTANT, Role.ADMIN}


def test_architecture_md_carries_the_role_table():
    text = (Path(settings.BASE_DIR) / "ARCHITECTURE.md").read_text()
    assert access.permission_table_markdown() in text


def test_every_role_has_an_entry_and_no_role_grants_nothing_but_the_basics():
    assert set(access.ROLE_PERMISSIONS) == set(Role)
    assert access.ROLE_PERMISSIONS[Role.DONOR] == {
        Perm.REFERENCE_VIEW,
        Perm.API_USE,
        Perm.COVERAGE_VIEW,
        Perm.SEIZURE_STATS,
        Perm.ANALYSIS_VIEW,  # dashboards over aggregates
        Perm.REPORTS_VIEW,  # the results framework and donor reports
    }


def test_anonymous_inactive_and_roleless_users_have_no_permission(db, coordinator, outsider):
    from django.contrib.auth.models import AnonymousUser

    assert access.user_perms(AnonymousUser()) == frozenset()
    assert access.user_perms(outsider) == frozenset()
    coordinator.is_active = False
    coordinator.save()
    fresh = User.objects.get(pk=coordinator.pk)
    assert access.user_perms(fresh) == frozenset()


def test_several_roles_add_up(db):
    from tests.factories import UserFactory

    user = UserFactory(roles=[Role.TRAINER, Role.ASSISTANT])
    assert access.has_perm(user, Perm.DIRECTORY_EDIT)  # from the assistant role
    assert not access.has_perm(user, Perm.AUDIT_VIEW)


def _user(roles: set[str], country: str, active: bool) -> User:
    """An unsaved user with its roles preset: the visibility functions only read them."""
    user = User(email="h@test.example", is_active=active, country=country if Role.NCP in roles else "")
    user.__dict__["roles"] = frozenset(roles) if active else frozenset()
    return user


def _ref_sees_person(roles: set[str], country: str, active: bool, person: dict) -> bool:
    if not active:
        return False
    if roles & SECRETARIAT_OR_ADMIN:
        return True
    if Role.NCP in roles and country and person["country"] == country:
        return True
    return bool(roles & {Role.NCP, Role.PARTNER}) and person["active_ncp"]


def _ref_sees_nomination(roles: set[str], country: str, active: bool, nomination: dict) -> bool:
    if not active:
        return False
    if roles & SECRETARIAT_OR_ADMIN:
        return True
    if Role.NCP in roles and country and nomination["country"] == country:
        return True
    return bool(roles & {Role.NCP, Role.PARTNER}) and nomination["status"] == "active"


@pytest.fixture
def small_world(db):
    people = []
    statuses = ["active", "nominated", "lapsed", "withdrawn", None]
    for i, country in enumerate(COUNTRIES * 3):
        person = PersonFactory(country=country)
        status = statuses[i % len(statuses)]
        if status:
            NominationFactory(person=person, country=country, status=status)
        if i % 4 == 0:  # some people have two nominations, one active
            NominationFactory(person=person, country=country, status="active", role="alternate")
        people.append(person)
    model_people = {
        p.pk: {"country": p.country.code, "active_ncp": p.nominations.filter(status="active").exists()}
        for p in Person.objects.prefetch_related("nominations")
    }
    model_noms = {n.pk: {"country": n.country.code, "status": n.status} for n in NcpNomination.objects.all()}
    return model_people, model_noms


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.sets(st.sampled_from(list(Role))),
    country=st.sampled_from(["", *COUNTRIES]),
    active=st.booleans(),
)
def test_visibility_matches_the_reference_model(small_world, roles, country, active):
    model_people, model_noms = small_world
    user = _user(roles, country, active)
    seen_people = set(Person.objects.filter(access.people_visible_q(user)).values_list("pk", flat=True))
    expected_people = {pk for pk, p in model_people.items() if _ref_sees_person(roles, country, active, p)}
    assert seen_people == expected_people
    seen_noms = set(NcpNomination.objects.filter(access.nominations_visible_q(user)).values_list("pk", flat=True))
    expected_noms = {pk for pk, n in model_noms.items() if _ref_sees_nomination(roles, country, active, n)}
    assert seen_noms == expected_noms
    # no duplicates from joins
    assert Person.objects.filter(access.people_visible_q(user)).count() == len(seen_people)


def test_communities_visible_to_members_only(db, ncp_fr, ncp_ke, analyst):
    from shieldhub.directory.models import Community

    west = CommunityFactory(name="Europe")
    east = CommunityFactory(name="ESA")
    MembershipFactory(community=west, user=ncp_fr)
    MembershipFactory(community=east, user=ncp_ke)
    assert list(Community.objects.filter(access.communities_visible_q(ncp_fr))) == [west]
    assert list(Community.objects.filter(access.communities_visible_q(ncp_ke))) == [east]
    assert set(Community.objects.filter(access.communities_visible_q(analyst))) == {west, east}


def test_require_hides_or_refuses(db, ncp_fr):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        access.require(ncp_fr, Perm.AUDIT_VIEW)
    with pytest.raises(Http404):
        access.require(ncp_fr, Perm.AUDIT_VIEW, hide=True)

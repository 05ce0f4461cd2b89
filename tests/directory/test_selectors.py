from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from shieldhub.directory import selectors
from shieldhub.reference.models import Country, WcoRegion
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    NominationFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def _names(qs) -> list[str]:
    return [p.family_name for p in qs]


@pytest.fixture
def people(fr_customs, ke_customs, ncp_fr, ncp_ke):
    """A small directory: FR and KE contacts, some nominated, one verified recently (plus the
    two NCP personas' own records, Martin and Otieno, who hold no nomination)."""
    today = timezone.localdate()
    data = {
        "dubois": PersonFactory(
            given_name="Hélène",
            family_name="Dubois",
            country="FR",
            organisation=fr_customs,
            position="Analyste ciblage",
            languages=["fr", "en"],
            preferred_language="fr",
            notes="private FR note",
            last_verified_on=today - dt.timedelta(days=10),
        ),
        "bernard": PersonFactory(given_name="Luc", family_name="Bernard", country="FR", organisation=fr_customs),
        "kamau": PersonFactory(
            given_name="Grace",
            family_name="Kamau",
            country="KE",
            organisation=ke_customs,
            languages=["sw"],
            last_verified_on=today - dt.timedelta(days=400),
        ),
        "wanjiru": PersonFactory(given_name="Mary", family_name="Wanjiru", country="KE", organisation=ke_customs),
    }
    NominationFactory(person=data["kamau"], country="KE", role="primary", status="active")
    NominationFactory(person=data["bernard"], country="FR", role="alternate", status="active")
    NominationFactory(person=data["wanjiru"], country="KE", role="primary", status="lapsed")
    return data


@pytest.fixture
def regions(db):
    esa, _ = WcoRegion.objects.get_or_create(
        code="ESA", defaults={"name_en": "East and Southern Africa", "name_fr": "Afrique orientale et australe"}
    )
    eur, _ = WcoRegion.objects.get_or_create(code="EUR", defaults={"name_en": "Europe", "name_fr": "Europe"})
    Country.objects.update_or_create(code="KE", defaults={"name_en": "Kenya", "name_fr": "Kenya", "wco_region": esa})
    Country.objects.update_or_create(code="FR", defaults={"name_en": "France", "name_fr": "France", "wco_region": eur})
    return {"ESA": esa, "EUR": eur}


def test_search_is_word_by_word_accent_and_case_insensitive(coordinator, people):
    assert _names(selectors.person_list(user=coordinator, filters={"q": "HELENE"})) == ["Dubois"]
    assert _names(selectors.person_list(user=coordinator, filters={"q": "dubois dgddi"})) == ["Dubois"]
    assert _names(selectors.person_list(user=coordinator, filters={"q": "ciblage"})) == ["Dubois"]
    assert _names(selectors.person_list(user=coordinator, filters={"q": "KRA"})) == ["Kamau", "Otieno", "Wanjiru"]
    assert _names(selectors.person_list(user=coordinator, filters={"q": "revenue mary"})) == ["Wanjiru"]
    assert _names(selectors.person_list(user=coordinator, filters={"q": "dubois kra"})) == []
    email = people["kamau"].email
    assert _names(selectors.person_list(user=coordinator, filters={"q": email.upper()})) == ["Kamau"]


def test_filters(coordinator, people, regions, fr_customs):
    def names(**f):
        return sorted(_names(selectors.person_list(user=coordinator, filters=f)))

    everyone = ["Bernard", "Dubois", "Kamau", "Martin", "Otieno", "Wanjiru"]
    assert names() == everyone
    assert names(country="KE") == ["Kamau", "Otieno", "Wanjiru"]
    assert names(organisation=fr_customs.pk) == ["Bernard", "Dubois", "Martin"]
    assert names(region="ESA") == ["Kamau", "Otieno", "Wanjiru"]
    assert names(region="EUR") == ["Bernard", "Dubois", "Martin"]
    assert names(role="ncp") == ["Bernard", "Kamau"]  # Wanjiru's nomination lapsed
    assert names(role="primary") == ["Kamau"]
    assert names(role="alternate") == ["Bernard"]
    assert names(language="fr") == ["Dubois"]
    assert names(language="sw") == ["Kamau"]
    stale = names(verified="stale")
    assert "Dubois" not in stale and "Kamau" in stale and "Bernard" in stale  # never verified counts
    assert names(verified="recent") == ["Dubois"]
    with override_settings(CONTACT_VERIFY_AFTER_DAYS=5):
        assert "Dubois" in names(verified="stale")


def test_ordering_is_deterministic(coordinator, fr_customs):
    a = PersonFactory(family_name="Same", given_name="Anne")
    b = PersonFactory(family_name="Same", given_name="Anne")
    c = PersonFactory(family_name="Same", given_name="Alice")
    assert list(selectors.person_list(user=coordinator, filters={"q": ""}).filter(family_name="Same")) == [c, a, b]


# --- visibility ---------------------------------------------------------------------------------


def test_secretariat_sees_everyone_with_private_fields(analyst, people, ncp_fr, ncp_ke):
    assert selectors.person_list(user=analyst).count() == 6
    person = selectors.person_get(user=analyst, pk=people["dubois"].pk)
    assert person.notes == "private FR note"
    assert "notes" in selectors.person_public_fields(analyst)


def test_ncp_sees_the_network_and_their_own_country_without_notes(ncp_fr, ncp_ke, people):
    visible = sorted(_names(selectors.person_list(user=ncp_fr)))
    # own country (FR, nominated or not) + nominated elsewhere (Kamau); not Wanjiru (lapsed), not Otieno
    assert visible == ["Bernard", "Dubois", "Kamau", "Martin"]
    # …in search too
    assert _names(selectors.person_list(user=ncp_fr, filters={"q": "wanjiru"})) == []
    assert _names(selectors.person_list(user=ncp_fr, filters={"q": "kra"})) == ["Kamau"]
    with pytest.raises(Http404):
        selectors.person_get(user=ncp_fr, pk=people["wanjiru"].pk)
    with pytest.raises(Http404):
        selectors.person_get(user=ncp_fr, pk=ncp_ke.person.pk)
    dubois = selectors.person_get(user=ncp_fr, pk=people["dubois"].pk)
    assert dubois.notes == "" and dubois.last_verified_on is None
    assert "notes" not in selectors.person_public_fields(ncp_fr)
    assert "last_verified_on" not in selectors.person_public_fields(ncp_fr)

    assert sorted(_names(selectors.person_list(user=ncp_ke))) == ["Bernard", "Kamau", "Otieno", "Wanjiru"]


def test_partner_sees_only_the_ncp_network(partner_interpol, people):
    assert sorted(_names(selectors.person_list(user=partner_interpol))) == ["Bernard", "Kamau"]
    with pytest.raises(Http404):
        selectors.person_get(user=partner_interpol, pk=people["dubois"].pk)


@pytest.mark.parametrize("persona", ["donor", "outsider"], indirect=True)
def test_donors_and_outsiders_see_no_one(persona, people):
    assert not selectors.person_list(user=persona).exists()
    assert not selectors.organisation_list(user=persona).exists()
    assert not selectors.nomination_list(user=persona).exists()
    with pytest.raises(Http404):
        selectors.person_get(user=persona, pk=people["kamau"].pk)


def test_nominations_visibility(ncp_fr, partner_interpol, people):
    lapsed_fr = NominationFactory(person=people["dubois"], country="FR", status="lapsed")
    ncp_fr_nominations = selectors.nomination_list(user=ncp_fr)
    assert lapsed_fr in ncp_fr_nominations  # own country, any status
    assert {n.status for n in selectors.nomination_list(user=partner_interpol)} == {"active"}
    assert not selectors.nomination_list(user=ncp_fr, filters={"status": "lapsed", "country": "KE"}).exists()


def test_communities_visible_to_members_and_secretariat(ncp_fr, ncp_ke, trainer):
    mine = CommunityFactory(name="FR group")
    theirs = CommunityFactory(name="KE group")
    MembershipFactory(community=mine, user=ncp_fr)
    MembershipFactory(community=theirs, user=ncp_ke)
    assert list(selectors.community_list(user=ncp_fr)) == [mine]
    assert set(selectors.community_list(user=trainer)) == {mine, theirs}
    with pytest.raises(Http404):
        selectors.community_get(user=ncp_fr, pk=theirs.pk)
    with pytest.raises(Http404):
        selectors.membership_list(user=ncp_fr, community=theirs)


def test_organisation_notes_are_private(ncp_fr):
    org = OrganisationFactory(notes="internal", country="FR")
    assert selectors.organisation_get(user=ncp_fr, pk=org.pk).notes == ""


def test_to_verify_list_annotates_the_last_email(assistant, people):
    from shieldhub.directory.services import verification_request_send

    verification_request_send(actor=assistant, person=people["kamau"])
    rows = {p.family_name: p for p in selectors.person_to_verify_list(user=assistant)}
    assert "Dubois" not in rows  # verified 10 days ago
    assert rows["Kamau"].last_sent_at is not None
    assert rows["Bernard"].last_sent_at is None


def test_to_verify_list_is_for_verifiers_only(analyst):
    with pytest.raises(Http404):
        selectors.person_to_verify_list(user=analyst)

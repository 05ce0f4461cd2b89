from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shieldhub.core.audit import audit_verify
from shieldhub.core.models import AuditEntry
from shieldhub.directory import services
from shieldhub.directory.models import Membership, NcpNomination, Person, VerificationRequest
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    NominationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


# --- people -------------------------------------------------------------------------------------


def test_person_create_cleans_lists_keeps_search_text_and_audits(assistant, fr_customs):
    person = services.person_create(
        actor=assistant,
        data={
            "given_name": " Élodie ",
            "family_name": "Müller-Lefèvre",
            "organisation": fr_customs,
            "country": "fr",
            "email": "Elodie.Muller@Douane.Finances.gouv.fr",
            "other_emails": "e.muller@example.org,\nE.MULLER@example.org; second@example.org",
            "phones": "+33 1 23 45 67 89\n+33 (0)6 11 22 33 44",
            "languages": "FR, en",
            "position": "Chef de bureau",
        },
    )
    person.refresh_from_db()
    assert person.given_name == "Élodie"
    assert person.country.code == "FR"
    assert person.email == "elodie.muller@douane.finances.gouv.fr"
    assert person.other_emails == ["e.muller@example.org", "second@example.org"]
    assert person.phones == ["+33 1 23 45 67 89", "+33 (0)6 11 22 33 44"]
    assert person.languages == ["fr", "en"]
    # lower-cased, accent-folded: names, emails, position, organisation name and acronym
    for word in ("elodie", "muller-lefevre", "chef de bureau", "dgddi", "direction generale des douanes"):
        assert word in person.search_text
    assert person.search_text == person.search_text.lower()

    entry = _last("directory.person.create")
    assert entry.actor == assistant
    assert entry.object_id == str(person.pk)
    assert entry.changes["family_name"] == [None, "Müller-Lefèvre"]
    assert entry.changes["other_emails"] == [None, ["e.muller@example.org", "second@example.org"]]
    assert "search_text" not in entry.changes
    assert audit_verify().ok


@pytest.mark.parametrize(
    "persona", ["analyst", "trainer", "ncp_fr", "partner_interpol", "donor", "outsider"], indirect=True
)
def test_person_create_is_refused_without_directory_edit(persona):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=persona, data={"family_name": "Nobody"})
    assert not Person.objects.filter(family_name="Nobody").exists()


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("other_emails", "good@example.org\nnot-an-email@", "not-an-email@"),
        ("email", "broken@@example.org", "broken@@example.org"),
        ("phones", "+33 1 23 45 67 89, call me maybe", "call me maybe"),
        ("languages", "en, xx", "xx"),
    ],
)
def test_bad_list_values_are_named_in_the_error(assistant, field, value, named):
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=assistant, data={"family_name": "Doe", field: value})
    assert field in exc.value.message_dict
    assert named in exc.value.message_dict[field][0]
    assert not Person.objects.filter(family_name="Doe").exists()
    assert not AuditEntry.objects.filter(action="directory.person.create").exists()


def test_person_update_audits_only_the_changed_fields(assistant):
    person = PersonFactory(family_name="Smith", position="Officer", phones=["+44 20 7946 0000"])
    before_updated = person.updated_at
    services.person_update(actor=assistant, person=person, data={"position": "Senior officer", "family_name": "Smith"})
    person.refresh_from_db()
    assert person.position == "Senior officer"
    assert "senior officer" in person.search_text
    assert person.updated_at > before_updated
    entry = _last("directory.person.update")
    assert entry.changes == {"position": ["Officer", "Senior officer"]}

    # nothing changed: no write, no entry
    count = AuditEntry.objects.count()
    services.person_update(actor=assistant, person=person, data={"position": "Senior officer"})
    assert AuditEntry.objects.count() == count


def test_person_update_refuses_unknown_fields(assistant):
    person = PersonFactory()
    with pytest.raises(ValueError):
        services.person_update(actor=assistant, person=person, data={"search_text": "hacked"})


def test_person_update_refused_for_ncp(ncp_fr):
    person = PersonFactory(country="FR")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=ncp_fr, person=person, data={"position": "x"})


def test_organisation_rename_refreshes_the_people_search_text(assistant):
    org = services.organisation_create(actor=assistant, data={"name": "Old Name Agency", "acronym": "ONA"})
    person = services.person_create(actor=assistant, data={"family_name": "Kamau", "organisation": org})
    assert "old name agency" in person.search_text
    services.organisation_update(actor=assistant, organisation=org, data={"name": "Nouvelle Agence", "acronym": "NA"})
    person.refresh_from_db()
    assert "nouvelle agence" in person.search_text and "old name" not in person.search_text
    entry = _last("directory.organisation.update")
    assert entry.changes["name"] == ["Old Name Agency", "Nouvelle Agence"]


# --- merge --------------------------------------------------------------------------------------


def test_person_merge_moves_nominations_fills_blanks_unites_lists_and_audits_both(assistant):
    org = OrganisationFactory(name="Kenya Revenue Authority", country="KE")
    account = UserFactory(email="jo@kra.example")
    keep = PersonFactory(
        given_name="",
        family_name="Otieno",
        position="",
        country="KE",
        organisation=org,
        email="j.otieno@kra.example",
        other_emails=["jo@old.example"],
        phones=["+254 20 000 0001"],
        languages=["en"],
        notes="Met at the 2024 workshop.",
        last_verified_on=dt.date(2024, 1, 10),
    )
    merge = PersonFactory(
        given_name="John",
        family_name="Otieno",
        position="Senior customs officer",
        country="KE",
        organisation=org,
        email="jo@kra.example",
        other_emails=["JO@old.example", "john@gmail.example"],
        phones=["+254 20 000 0001", "+254 700 000 002"],
        languages=["sw", "en"],
        notes="Prefers phone calls.",
        last_verified_on=dt.date(2025, 3, 1),
        user=account,
    )
    nomination = NominationFactory(person=merge, country="KE")
    VerificationRequest.objects.create(
        person=merge, token_hash="x" * 64, expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    )

    kept = services.person_merge(actor=assistant, keep=keep, merge=merge)

    assert kept.pk == keep.pk
    assert not Person.objects.filter(pk=merge.pk).exists()
    kept.refresh_from_db()
    assert kept.given_name == "John"  # blank filled
    assert kept.position == "Senior customs officer"
    assert kept.email == "j.otieno@kra.example"  # non-empty kept
    assert kept.other_emails == ["jo@old.example", "jo@kra.example", "john@gmail.example"]
    assert kept.phones == ["+254 20 000 0001", "+254 700 000 002"]
    assert kept.languages == ["en", "sw"]
    assert "Met at the 2024 workshop." in kept.notes and "Prefers phone calls." in kept.notes
    assert kept.last_verified_on == dt.date(2025, 3, 1)
    assert kept.user == account  # only `merge` had an account
    assert NcpNomination.objects.get(pk=nomination.pk).person_id == kept.pk
    assert kept.verification_requests.count() == 1
    assert "john" in kept.search_text

    merged = _last("directory.person.merge")
    assert merged.object_id == str(keep.pk)
    assert merged.changes["given_name"] == ["", "John"]
    assert merged.extra["merged_id"] == merge.pk
    assert merged.extra["nominations_moved"] == [nomination.pk]
    away = _last("directory.person.merged_away")
    assert away.object_id == str(merge.pk)
    assert away.changes["family_name"] == ["Otieno", None]
    assert away.extra["merged_into"] == keep.pk
    assert audit_verify().ok


def test_person_merge_refuses_two_accounts_and_self(assistant):
    a = PersonFactory(user=UserFactory())
    b = PersonFactory(user=UserFactory())
    with pytest.raises(ValidationError):
        services.person_merge(actor=assistant, keep=a, merge=b)
    with pytest.raises(ValidationError):
        services.person_merge(actor=assistant, keep=a, merge=a)
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_person_merge_needs_directory_edit(analyst):
    a, b = PersonFactory(), PersonFactory()
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=analyst, keep=a, merge=b)


# --- nominations and communities ----------------------------------------------------------------


def test_nomination_create_and_update(coordinator):
    person = PersonFactory(country="KE")
    nomination = services.nomination_create(
        actor=coordinator, data={"person": person, "role": "alternate", "status": "active"}
    )
    assert nomination.country.code == "KE"  # defaults to the person's country
    assert _last("directory.nomination.create").changes["role"] == [None, "alternate"]
    services.nomination_update(actor=coordinator, nomination=nomination, data={"status": "lapsed"})
    assert _last("directory.nomination.update").changes == {"status": ["active", "lapsed"]}
    with pytest.raises(ValidationError) as exc:
        services.nomination_update(
            actor=coordinator,
            nomination=nomination,
            data={"nominated_on": dt.date(2025, 5, 1), "valid_until": dt.date(2025, 1, 1)},
        )
    assert "valid_until" in exc.value.message_dict


def test_nomination_needs_nomination_manage(analyst):
    with pytest.raises(PermissionDenied):
        services.nomination_create(actor=analyst, data={"person": PersonFactory()})


def test_community_and_memberships(assistant, ncp_fr):
    community = services.community_create(actor=assistant, data={"name": "Opération Étoile", "kind": "operation"})
    assert community.slug == "operation-etoile"
    other = services.community_create(actor=assistant, data={"name": "Opération Étoile"})
    assert other.slug == "operation-etoile-2"

    membership = services.membership_add(actor=assistant, community=community, user=ncp_fr)
    assert _last("directory.membership.add").changes["members"] == [None, "ncp.fr@test.example"]
    with pytest.raises(ValidationError):
        services.membership_add(actor=assistant, community=community, user=ncp_fr)

    services.membership_set_role(actor=assistant, membership=membership, role="moderator")
    assert Membership.objects.get(pk=membership.pk).role == "moderator"
    assert _last("directory.membership.set_role").changes == {"role": ["member", "moderator"]}

    services.membership_remove(actor=assistant, membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert _last("directory.membership.remove").changes == {"members": ["ncp.fr@test.example", None]}

    with pytest.raises(ValidationError):
        services.community_update(
            actor=assistant,
            community=community,
            data={"starts_on": dt.date(2025, 6, 1), "ends_on": dt.date(2025, 5, 1)},
        )


def test_membership_management_needs_community_manage(ncp_fr, ncp_ke):
    community = CommunityFactory()
    MembershipFactory(community=community, user=ncp_fr, role="moderator")
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=ncp_fr, community=community, user=ncp_ke)

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from shieldhub.core.models import AuditEntry
from shieldhub.directory.models import Membership, NcpNomination, Person
from shieldhub.directory.services import organisation_search_text, person_search_text
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    NominationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _person(**kwargs) -> Person:
    person = PersonFactory(**kwargs)
    person.search_text = person_search_text(person)
    person.save(update_fields=["search_text"])
    return person


@pytest.fixture
def kenyan_ncp(ke_customs):
    person = _person(
        given_name="Grace", family_name="Kamau", country="KE", organisation=ke_customs, position="Head of targeting"
    )
    NominationFactory(person=person, country="KE", status="active")
    return person


@pytest.fixture
def kenyan_contact(ke_customs):
    return _person(given_name="Mary", family_name="Wanjiru", country="KE", organisation=ke_customs)


# --- people list --------------------------------------------------------------------------------


def test_person_list_shows_the_table_with_ncp_badge_and_filters(login, assistant, kenyan_ncp, kenyan_contact):
    response = login(assistant).get(reverse("directory:person-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "KAMAU" in html and "WANJIRU" in html
    assert "Head of targeting" in html
    assert "KRA" in html and "Kenya" in html and kenyan_ncp.email in html
    assert html.count('class="badge badge-ok"') == 1  # only Kamau is an NCP
    assert 'hx-get="/directory/people/"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#results"' in html
    # export links carry the current filters; import for DIRECTORY_IMPORT holders
    assert reverse("directory:person-import") in html
    assert f"{reverse('directory:person-export')}?format=xlsx" in html

    response = login(assistant).get(reverse("directory:person-list"), {"q": "wanjiru", "country": "KE"})
    html = response.content.decode()
    assert "WANJIRU" in html and "KAMAU" not in html
    assert "q=wanjiru&amp;country=KE&amp;format=csv" in html


def test_person_list_htmx_returns_only_the_results(login, assistant, kenyan_ncp):
    response = login(assistant).get(
        reverse("directory:person-list"), {"role": "ncp"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert "<html" not in html and '<form method="get"' not in html
    assert "KAMAU" in html


def test_person_list_paginates_by_50(login, coordinator):
    org = OrganisationFactory()
    for i in range(55):
        _person(family_name=f"Person{i:02d}", organisation=org)
    html = login(coordinator).get(reverse("directory:person-list")).content.decode()
    assert "PERSON49" in html and "PERSON50" not in html
    assert "Page 1 of 2" in html
    html = login(coordinator).get(reverse("directory:person-list"), {"page": 2}).content.decode()
    assert "PERSON54" in html and "PERSON00" not in html


def test_ncp_may_export_what_they_see_but_not_import_or_edit(login, ncp_fr, kenyan_ncp):
    html = login(ncp_fr).get(reverse("directory:person-list")).content.decode()
    assert "KAMAU" in html
    assert reverse("directory:person-import") not in html
    assert reverse("directory:person-create") not in html
    assert f"{reverse('directory:person-export')}?format=vcf" in html  # DIRECTORY_EXPORT is granted to NCPs


def test_analyst_sees_no_import_or_create(login, analyst):
    html = login(analyst).get(reverse("directory:person-list")).content.decode()
    assert reverse("directory:person-import") not in html
    assert reverse("directory:person-create") not in html


def test_ncp_fr_never_sees_a_kenyan_without_active_nomination(login, ncp_fr, kenyan_ncp, kenyan_contact):
    client = login(ncp_fr)
    html = client.get(reverse("directory:person-list")).content.decode()
    assert "KAMAU" in html and "WANJIRU" not in html
    html = client.get(reverse("directory:person-list"), {"q": "mary"}).content.decode()
    assert "WANJIRU" not in html
    assert client.get(reverse("directory:person-detail", args=[kenyan_contact.pk])).status_code == 404
    html = client.get(reverse("directory:organisation-detail", args=[kenyan_contact.organisation_id])).content.decode()
    assert "KAMAU" in html and "WANJIRU" not in html


# --- detail -------------------------------------------------------------------------------------


def test_person_detail_shows_everything_to_the_secretariat_and_is_audited(login, analyst, ke_customs):
    account = UserFactory(email="grace@kra.example")
    person = _person(
        family_name="Kamau",
        country="KE",
        organisation=ke_customs,
        phones=["+254 20 123 4567"],
        other_emails=["grace@other.example"],
        languages=["sw", "en"],
        notes="Very helpful during Operation X.",
        last_verified_on=dt.date(2020, 1, 1),
        user=account,
    )
    community = CommunityFactory(name="East Africa working group")
    MembershipFactory(community=community, user=account)
    NominationFactory(person=person, country="KE", status="active", role="alternate")
    html = login(analyst).get(reverse("directory:person-detail", args=[person.pk])).content.decode()
    assert "Very helpful during Operation X." in html
    assert "due for verification" in html
    assert "+254 20 123 4567" in html and "grace@other.example" in html
    assert "Swahili" in html
    assert "East Africa working group" in html
    assert "Alternate" in html and "Active" in html
    assert reverse("directory:person-edit", args=[person.pk]) not in html  # analysts read, they do not edit
    entry = AuditEntry.objects.filter(action="directory.person.view").get()
    assert entry.actor == analyst and entry.object_id == str(person.pk)


def test_person_detail_hides_private_fields_from_ncps(login, ncp_fr, fr_customs):
    person = _person(family_name="Durand", country="FR", organisation=fr_customs, notes="Secret remark")
    response = login(ncp_fr).get(reverse("directory:person-detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Durand" in html
    assert "Secret remark" not in html and "Secretariat only" not in html
    assert AuditEntry.objects.filter(action="directory.person.view", actor=ncp_fr).count() == 1


# --- create, edit, merge ------------------------------------------------------------------------


def test_person_create_and_edit_through_the_form(login, assistant, fr_customs):
    client = login(assistant)
    response = client.post(
        reverse("directory:person-create"),
        {
            "family_name": "Lefèvre",
            "given_name": "Anne",
            "organisation": fr_customs.pk,
            "country": "FR",
            "email": "anne.lefevre@douane.example",
            "other_emails": "a.lefevre@example.org\nanne@example.org",
            "phones": "+33 1 00 00 00 00",
            "languages": "fr, en",
            "preferred_language": "fr",
        },
    )
    person = Person.objects.get(family_name="Lefèvre")
    assert response.status_code == 302 and response["Location"] == reverse("directory:person-detail", args=[person.pk])
    assert person.other_emails == ["a.lefevre@example.org", "anne@example.org"]

    url = reverse("directory:person-edit", args=[person.pk])
    html = client.get(url).content.decode()
    assert "a.lefevre@example.org\nanne@example.org" in html  # lists shown one per line
    response = client.post(
        url,
        {
            "family_name": "Lefèvre",
            "other_emails": "good@example.org, bad-address@",
            "preferred_language": "fr",
            "languages": "fr",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“bad-address@” is not a valid email address." in html
    person.refresh_from_db()
    assert person.other_emails == ["a.lefevre@example.org", "anne@example.org"]  # nothing saved

    response = client.post(url, {"family_name": "Lefèvre", "position": "Cheffe de service", "preferred_language": "fr"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.position == "Cheffe de service" and person.organisation is None


@pytest.mark.parametrize("persona", ["analyst", "trainer", "ncp_fr", "partner_interpol"], indirect=True)
def test_edit_pages_are_403_for_those_who_can_see_but_not_edit(login, persona, kenyan_ncp):
    client = login(persona)
    assert client.get(reverse("directory:person-detail", args=[kenyan_ncp.pk])).status_code == 200
    assert client.get(reverse("directory:person-edit", args=[kenyan_ncp.pk])).status_code == 403
    assert client.post(reverse("directory:person-edit", args=[kenyan_ncp.pk]), {"family_name": "X"}).status_code == 403
    assert client.get(reverse("directory:person-merge", args=[kenyan_ncp.pk])).status_code == 403
    assert client.get(reverse("directory:person-create")).status_code == 403
    kenyan_ncp.refresh_from_db()
    assert kenyan_ncp.family_name == "Kamau"


def test_person_merge_flow(login, assistant, kenyan_ncp, ke_customs):
    duplicate = _person(
        given_name="Grace W.", family_name="Kamau", country="KE", organisation=ke_customs, phones=["+254 700 111 222"]
    )
    client = login(assistant)
    url = reverse("directory:person-merge", args=[kenyan_ncp.pk])
    html = client.get(url).content.decode()
    assert f"?other={duplicate.pk}" in html  # same family name proposed
    html = client.get(url, {"q": "grace w"}).content.decode()
    assert f"?other={duplicate.pk}" in html
    html = client.get(url, {"other": duplicate.pk}).content.decode()
    assert "Keep this record" in html and "+254 700 111 222" in html and "Grace W." in html

    response = client.post(url, {"other": duplicate.pk, "keep": "this"})
    assert response.status_code == 302
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    kenyan_ncp.refresh_from_db()
    assert kenyan_ncp.phones == ["+254 700 111 222"]
    assert AuditEntry.objects.filter(action="directory.person.merge", actor=assistant).exists()


def test_person_merge_can_keep_the_other_record(login, assistant, kenyan_ncp, ke_customs):
    duplicate = _person(family_name="Kamau", country="KE", organisation=ke_customs)
    response = login(assistant).post(
        reverse("directory:person-merge", args=[kenyan_ncp.pk]), {"other": duplicate.pk, "keep": "other"}
    )
    assert response["Location"] == reverse("directory:person-detail", args=[duplicate.pk])
    assert not Person.objects.filter(pk=kenyan_ncp.pk).exists()
    assert NcpNomination.objects.get().person_id == duplicate.pk


# --- organisations, nominations, communities ----------------------------------------------------


def test_organisation_pages(login, assistant, ncp_fr, fr_customs):
    fr_customs.search_text = organisation_search_text(fr_customs)  # the factory bypasses the services
    fr_customs.save(update_fields=["search_text"])
    client = login(assistant)
    html = client.get(reverse("directory:organisation-list"), {"q": "dgddi"}).content.decode()
    assert "Direction générale des douanes" in html
    response = client.post(
        reverse("directory:organisation-create"),
        {"name": "Bundeszollverwaltung", "acronym": "BZV", "kind": "customs", "country": "DE"},
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Bundeszollverwaltung" in html and "Germany" in html
    html = client.get(reverse("directory:organisation-detail", args=[fr_customs.pk])).content.decode()
    assert "MARTIN" in html  # Claire Martin works there
    assert (
        client.get(reverse("directory:organisation-list"), {"kind": "police"})
        .content.decode()
        .count("Bundeszollverwaltung")
        == 0
    )


def test_nomination_pages(login, coordinator, kenyan_contact):
    client = login(coordinator)
    html = client.get(reverse("directory:nomination-create"), {"q": "wanjiru"}).content.decode()
    assert f"?person={kenyan_contact.pk}" in html
    response = client.post(
        reverse("directory:nomination-create"),
        {
            "person": kenyan_contact.pk,
            "country": "KE",
            "role": "primary",
            "status": "active",
            "nominated_on": "2025-01-15",
        },
    )
    assert response.status_code == 302
    nomination = NcpNomination.objects.get(person=kenyan_contact)
    html = client.get(reverse("directory:nomination-list"), {"country": "KE", "status": "active"}).content.decode()
    assert "WANJIRU" in html
    response = client.post(
        reverse("directory:nomination-edit", args=[nomination.pk]),
        {"country": "KE", "role": "primary", "status": "withdrawn", "nominated_on": "2025-01-15"},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == "withdrawn"
    html = client.get(reverse("directory:nomination-list"), {"status": "active"}).content.decode()
    assert "WANJIRU" not in html


def test_community_members_add_search_role_remove(login, assistant, ncp_fr):
    community = CommunityFactory(name="Operation Sand")
    client = login(assistant)
    html = client.get(
        reverse("directory:community-member-search", args=[community.pk]), {"email": "ncp.fr"}
    ).content.decode()
    assert "ncp.fr@test.example" in html and "Add as member" in html

    client.post(
        reverse("directory:community-member-add", args=[community.pk]),
        {"email": "ncp.fr@test.example", "role": "member"},
    )
    membership = Membership.objects.get(community=community, user=ncp_fr)
    html = client.get(reverse("directory:community-detail", args=[community.pk])).content.decode()
    assert "ncp.fr@test.example" in html and "Make moderator" in html

    client.post(reverse("directory:community-member-role", args=[community.pk, membership.pk]), {"role": "moderator"})
    membership.refresh_from_db()
    assert membership.role == "moderator"

    response = client.post(
        reverse("directory:community-member-add", args=[community.pk]), {"email": "nobody@x.example", "role": "member"}
    )
    assert response.status_code == 302

    client.post(reverse("directory:community-member-remove", args=[community.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_community_member_of_sees_the_community_but_cannot_manage(login, ncp_fr):
    community = CommunityFactory(name="Operation Sand")
    MembershipFactory(community=community, user=ncp_fr)
    client = login(ncp_fr)
    html = client.get(reverse("directory:community-list")).content.decode()
    assert "Operation Sand" in html
    html = client.get(reverse("directory:community-detail", args=[community.pk])).content.decode()
    assert "ncp.fr@test.example" in html and "Make moderator" not in html
    assert client.get(reverse("directory:community-edit", args=[community.pk])).status_code == 403
    other = CommunityFactory(name="Secret op")
    assert client.get(reverse("directory:community-detail", args=[other.pk])).status_code == 404


# --- to verify ----------------------------------------------------------------------------------


def test_to_verify_lists_stale_people_and_sends_emails(
    login, assistant, fr_customs, django_capture_on_commit_callbacks
):
    stale = _person(family_name="Ancien", organisation=fr_customs, last_verified_on=dt.date(2020, 1, 1))
    never = _person(family_name="Jamais", organisation=fr_customs, preferred_language="fr")
    fresh = _person(family_name="Recent", organisation=fr_customs, last_verified_on=dt.date.today())
    no_email = _person(family_name="Sansmail", organisation=fr_customs, email="")
    client = login(assistant)
    html = client.get(reverse("directory:to-verify")).content.decode()
    assert "ANCIEN" in html and "JAMAIS" in html and "SANSMAIL" in html and "RECENT" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:to-verify"), {"people": [stale.pk, never.pk, fresh.pk, no_email.pk]}, follow=True
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([stale.email, never.email])
    html = response.content.decode()
    assert "2 verification emails were sent." in html
    assert "Sansmail" in html  # reported as skipped
    assert next(m for m in mail.outbox if m.to == [never.email]).extra_headers["Content-Language"] == "fr"
    assert next(m for m in mail.outbox if m.to == [stale.email]).extra_headers["Content-Language"] == "en"
    html = client.get(reverse("directory:to-verify")).content.decode()
    assert html.count(date_format(timezone.localdate(), "DATE_FORMAT")) == 2  # "last email sent" column


def test_filter_selects_keep_the_choice_and_ignore_bad_values(login, coordinator, kenyan_ncp, kenyan_contact):
    client = login(coordinator)
    html = client.get(reverse("directory:person-list"), {"country": "KE", "language": "sw"}).content.decode()
    assert '<option value="KE" selected>Kenya</option>' in html
    assert '<option value="sw" selected>Swahili</option>' in html
    assert 'name="organisation"' not in html  # the organisation filter appears only when a link sets it
    html = client.get(reverse("directory:person-list"), {"country": "ZZ", "q": "wanjiru"}).content.decode()
    assert "WANJIRU" in html  # an invalid country is ignored, the other filters still apply


def test_organisation_filter_from_the_organisation_page(login, coordinator, kenyan_ncp, fr_customs, ncp_fr):
    client = login(coordinator)
    html = client.get(reverse("directory:person-list"), {"organisation": fr_customs.pk}).content.decode()
    assert f'<option value="{fr_customs.pk}" selected>' in html
    assert "MARTIN" in html and "KAMAU" not in html

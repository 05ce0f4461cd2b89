"""Closed groups for operations: the operational-report form, read-only after the end, archiving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.models import AuditEntry
from shieldhub.directory.models import Community
from shieldhub.exchange import moderation, operations, selectors, services
from shieldhub.exchange.models import Message, MessageRecipient
from shieldhub.reference.models import CatalogueItem
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FORM = ["precursor", "quantity", "origin_country", "destination_country", "place", "action_taken", "remarks"]


@pytest.fixture
def nitrate(db):
    item, _ = CatalogueItem.objects.get_or_create(
        code="ammonium-nitrate",
        defaults={"category": "precursor", "name_en": "Ammonium nitrate", "name_fr": "Nitrate d'ammonium"},
    )
    return item


@pytest.fixture
def operation(db, ncp_fr, ncp_ke, coordinator):
    community = CommunityFactory(
        name="Operation Test Shield",
        slug="op-test-shield",
        kind="operation",
        starts_on=TODAY - dt.timedelta(days=3),
        ends_on=TODAY + dt.timedelta(days=10),
        countries=["FR", "KE", "NG"],
        operation_form=FORM,
    )
    MembershipFactory(community=community, user=ncp_fr)
    MembershipFactory(community=community, user=ncp_ke)
    MembershipFactory(community=community, user=coordinator, role="moderator")
    return community


def _end(community: Community) -> None:
    community.starts_on = TODAY - dt.timedelta(days=20)
    community.ends_on = TODAY - dt.timedelta(days=1)
    community.save()


VALUES = {
    "precursor": "ammonium-nitrate",
    "quantity": "24",
    "unit": "t",
    "origin_country": "AE",
    "destination_country": "UG",
    "place": "Port of Mombasa",
    "action_taken": "seized",
    "remarks": "Declared as | urea *fertiliser*",
}


# --- the catalogue and the choice of fields ------------------------------------------------------


def test_catalogue_has_the_operational_fields():
    assert {
        "precursor", "quantity", "hs_code", "origin_country", "destination_country", "transit_country",
        "transport_mode", "conveyance", "container_number", "event_date", "place", "consignor", "consignee",
        "action_taken", "remarks",
    } == set(operations.FIELDS)  # fmt: skip
    assert operations.clean_form_keys(["remarks", "precursor"]) == ["precursor", "remarks"]  # catalogue order
    with pytest.raises(ValidationError):
        operations.clean_form_keys(["precursor", "shoe_size"])
    with pytest.raises(ValidationError):
        operations.clean_form_keys([])


def test_moderator_chooses_the_fields_and_it_is_audited(operation, coordinator, ncp_fr, assistant, outsider):
    operations.operation_form_update(actor=coordinator, community=operation, fields=["precursor", "place"])
    operation.refresh_from_db()
    assert operation.operation_form == ["precursor", "place"]
    entry = AuditEntry.objects.get(action="exchange.operation_form_update", object_id=str(operation.pk))
    assert entry.actor == coordinator and entry.changes["operation_form"] == [FORM, ["precursor", "place"]]
    with pytest.raises(PermissionDenied):
        operations.operation_form_update(actor=ncp_fr, community=operation, fields=["remarks"])
    operations.operation_form_update(actor=assistant, community=operation, fields=["remarks"])  # community manager
    with pytest.raises(Http404):
        operations.operation_form_update(actor=outsider, community=operation, fields=["remarks"])


def test_settings_page_access(login, operation, coordinator, ncp_fr, ncp_de, outsider):
    url = reverse("exchange:operation-form", args=[operation.pk])
    page = login(coordinator).get(url)
    assert page.status_code == 200 and "Country of origin" in page.content.decode()
    response = login(coordinator).post(url, {"field_keys": ["precursor", "event_date", "consignee"]})
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.operation_form == ["precursor", "event_date", "consignee"]
    assert login(ncp_fr).get(url).status_code == 403  # a member sees the group but does not configure it
    assert login(ncp_de).get(url).status_code == 404  # not a member
    assert login(outsider).get(url).status_code == 404


# --- the report form -----------------------------------------------------------------------------


def test_report_form_builds_from_the_chosen_fields(login, operation, ncp_fr, nitrate):
    page = login(ncp_fr).get(reverse("exchange:operation-report", args=[operation.pk])).content.decode()
    for label in ("Precursor", "Quantity", "Unit", "Country of origin", "Place", "Action taken", "Remarks"):
        assert label in page
    for label in ("Consignee", "Conveyance", "Container or AWB number", "HS code"):
        assert label not in page
    assert "Ammonium nitrate" in page  # the catalogue offered in the precursor field


def test_report_is_sent_to_the_group_with_its_data(
    login, operation, ncp_fr, ncp_ke, coordinator, nitrate, django_capture_on_commit_callbacks
):
    client = login(ncp_fr)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("exchange:operation-report", args=[operation.pk]), {**VALUES, "tlp": "amber"})
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:message-detail", args=[message.pk])
    assert len(callbacks) == 1
    assert message.kind == "operational" and message.status == "sent"
    assert message.operation_data == {**VALUES, "remarks": "Declared as | urea *fertiliser*", "community": operation.pk}
    assert message.subject == "Operational report: Ammonium nitrate · 24 t · Port of Mombasa"
    assert "| Country of origin | United Arab Emirates (AE) |" in message.body
    assert "Declared as \\| urea \\*fertiliser\\*" in message.body  # table syntax escaped
    assert list(message.precursors.values_list("code", flat=True)) == ["ammonium-nitrate"]
    assert sorted((c.country.code, c.role) for c in message.countries.all()) == [
        ("AE", "origin"),
        ("UG", "destination"),
    ]
    assert set(MessageRecipient.objects.filter(message=message).values_list("user_id", flat=True)) == {
        ncp_ke.pk,
        coordinator.pk,
    }
    page = login(ncp_ke).get(reverse("exchange:message-detail", args=[message.pk])).content.decode()
    assert 'id="operation-data"' in page and "Operational data" in page
    assert "United Arab Emirates (AE)" in page and "Seized" in page and "24 t" in page


def test_operational_data_in_the_readers_language(login, operation, ncp_fr, ncp_ke, nitrate):
    message = operations.operation_report_send(actor=ncp_ke, community=operation, values=VALUES)
    ncp_fr.language = "fr"
    ncp_fr.save()
    client = login(ncp_fr)
    page = client.get(reverse("exchange:message-detail", args=[message.pk]), HTTP_ACCEPT_LANGUAGE="fr").content
    assert "Nitrate d'ammonium" in page.decode() or "Nitrate d&#x27;ammonium" in page.decode()


def test_report_validation(login, operation, ncp_fr, nitrate):
    url = reverse("exchange:operation-report", args=[operation.pk])
    empty = login(ncp_fr).post(url, {"tlp": "amber"}).content.decode()
    assert "Fill in at least one field of the report." in empty
    no_unit = login(ncp_fr).post(url, {"tlp": "amber", "quantity": "3"}).content.decode()
    assert "Give the unit of the quantity." in no_unit
    with pytest.raises(ValidationError):
        operations.operation_report_send(actor=ncp_fr, community=operation, values={"precursor": "unobtainium"})
    assert not Message.objects.exists()


def test_unchosen_fields_are_ignored(operation, ncp_fr, nitrate):
    message = operations.operation_report_send(
        actor=ncp_fr, community=operation, values={"place": "Lagos", "consignee": "Not on the form"}
    )
    assert message.operation_data == {"place": "Lagos", "community": operation.pk}


def test_outsiders_and_non_members_get_404(login, operation, ncp_de, donor, outsider, partner_interpol):
    for user in (ncp_de, donor, outsider, partner_interpol):
        assert login(user).get(reverse("exchange:operation-report", args=[operation.pk])).status_code == 404
    with pytest.raises(Http404):
        operations.operation_report_send(actor=ncp_de, community=operation, values={"place": "Lagos"})
    adhoc = CommunityFactory(kind="adhoc")
    MembershipFactory(community=adhoc, user=ncp_de)
    assert login(ncp_de).get(reverse("exchange:operation-report", args=[adhoc.pk])).status_code == 404


def test_a_moderated_operation_holds_reports(operation, ncp_fr, coordinator, nitrate):
    operation.requires_moderation = True
    operation.save()
    message = operations.operation_report_send(actor=ncp_fr, community=operation, values=VALUES)
    assert message.status == "pending" and not MessageRecipient.objects.filter(message=message).exists()
    assert list(moderation.moderation_queue(user=coordinator)) == [message]
    moderation.message_approve(actor=coordinator, message=message)
    assert MessageRecipient.objects.filter(message=message).count() == 2


# --- dates: before the start, after the end ------------------------------------------------------


def test_an_upcoming_operation_takes_messages(operation, ncp_fr, send):
    operation.starts_on = TODAY + dt.timedelta(days=5)
    operation.save()
    assert operations.operation_status(operation) == "upcoming"
    assert operation in selectors.sendable_communities(user=ncp_fr)
    assert send(ncp_fr, communities=[operation]).status == "sent"


def test_an_ended_operation_is_read_only(login, operation, ncp_fr, ncp_ke, send, nitrate):
    earlier = send(ncp_fr, communities=[operation], subject="Before the end")
    _end(operation)
    assert operation.is_read_only and operations.operation_status(operation) == "ended"
    assert operation not in selectors.sendable_communities(user=ncp_fr)
    with pytest.raises(ValidationError, match="is closed"):
        send(ncp_fr, communities=[operation])
    with pytest.raises(ValidationError, match="no new message or reply"):
        services.message_reply(actor=ncp_ke, parent=earlier, data={"body": "Late answer"})
    with pytest.raises(ValidationError, match="is closed"):
        operations.operation_report_send(actor=ncp_fr, community=operation, values=VALUES)

    client = login(ncp_ke)
    page = client.get(reverse("exchange:message-detail", args=[earlier.pk])).content.decode()
    assert "has ended and is read-only" in page and "Send the reply" not in page
    refused = client.post(reverse("exchange:message-reply", args=[earlier.pk]), {"body": "Late"}, follow=True)
    assert "is closed" in refused.content.decode()
    report = client.get(reverse("exchange:operation-report", args=[operation.pk])).content.decode()
    assert "This operation has ended" in report and "operation-report-form" not in report
    assert "Before the end" in report  # the group's messages stay listed for its members
    assert Message.objects.count() == 1


def test_an_ended_operations_record_is_not_corrected_but_may_be_withdrawn(operation, ncp_fr, send):
    earlier = send(ncp_fr, communities=[operation], subject="Before the end")
    _end(operation)
    with pytest.raises(ValidationError, match="is closed"):
        services.message_correct(actor=ncp_fr, message=earlier, subject="Changed", body="Changed", note="typo")
    assert services.message_withdraw(actor=ncp_fr, message=earlier, note="Wrong container").status == "withdrawn"


def test_replies_in_a_thread_started_elsewhere_are_not_blocked(operation, ncp_fr, ncp_ke, send):
    elsewhere = send(ncp_fr, users=[ncp_ke], subject="Direct")
    _end(operation)
    assert services.message_reply(actor=ncp_ke, parent=elsewhere, data={"body": "ok"}).status == "sent"


def test_archive_task_is_idempotent_and_audited(operation, ncp_fr, ncp_ke, send):
    sent = send(ncp_fr, communities=[operation], subject="Cross-border seizure of nitrate")
    running = CommunityFactory(kind="operation", ends_on=TODAY + dt.timedelta(days=1))
    adhoc = CommunityFactory(kind="adhoc", ends_on=TODAY - dt.timedelta(days=1))
    _end(operation)
    assert operations.operations_archive_ended.call() == 1
    assert operations.operations_archive_ended.call() == 0
    operation.refresh_from_db()
    running.refresh_from_db()
    adhoc.refresh_from_db()
    assert operation.is_archived and not running.is_archived and not adhoc.is_archived
    entry = AuditEntry.objects.get(action="exchange.operation_archive")
    assert entry.actor is None and entry.actor_label == "system" and entry.object_id == str(operation.pk)
    # members keep the messages and find them in their inbox
    assert sent in selectors.inbox_list(user=ncp_ke)
    assert sent in selectors.inbox_list(user=ncp_ke, filters={"q": "nitrate"})
    assert selectors.message_get(user=ncp_ke, pk=sent.pk) == sent


def test_a_member_removed_after_the_operation_still_finds_its_messages(operation, ncp_fr, ncp_ke, coordinator, send):
    """ "Archived, with its messages still searchable by those who were members": what a member
    received stays theirs (recorded recipients), through the inbox, search and the API, after they
    leave the group; what is sent to the group afterwards does not reach them."""
    from shieldhub.directory import services as directory
    from shieldhub.directory.models import Membership

    sent = send(ncp_fr, communities=[operation], subject="Cross-border seizure of nitrate")
    directory.membership_remove(actor=coordinator, membership=Membership.objects.get(community=operation, user=ncp_ke))
    _end(operation)
    operations.operations_archive_ended.call()
    assert sent in selectors.inbox_list(user=ncp_ke, filters={"q": "nitrate"})
    assert sent in selectors.message_search(user=ncp_ke, query="nitrate")
    assert selectors.message_get(user=ncp_ke, pk=sent.pk) == sent
    later = send(ncp_fr, users=[coordinator], subject="After the operation, nitrate again")
    assert later not in selectors.message_search(user=ncp_ke, query="nitrate")


def test_the_archive_task_is_registered_daily():
    from shieldhub.core.scheduling import REGISTRY

    job = REGISTRY["exchange.operations_archive_ended"]
    assert job.every == dt.timedelta(days=1)


# --- API -----------------------------------------------------------------------------------------


def test_api_form_definition_and_report(login, operation, ncp_fr, ncp_ke, ncp_de, nitrate):
    client = login(ncp_fr)
    definition = client.get(f"/api/v1/exchange/operations/{operation.pk}/form").json()
    assert definition["status"] == "running" and definition["read_only"] is False
    assert definition["countries"] == ["FR", "KE", "NG"]
    names = [f["name"] for f in definition["fields"]]
    assert names == ["precursor", "quantity", "unit", "origin_country", "destination_country", "place",
                     "action_taken", "remarks"]  # fmt: skip
    action = next(f for f in definition["fields"] if f["name"] == "action_taken")
    assert action["choices"] == ["seized", "detained", "released", "controlled_delivery"]

    response = client.post(
        f"/api/v1/exchange/operations/{operation.pk}/reports",
        {"values": {**VALUES, "quantity": 24}, "tlp": "green"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "operational" and body["status"] == "sent" and body["tlp"] == "green"
    assert body["operation_data"]["quantity"] == "24" and body["communities"] == [operation.pk]
    received = login(ncp_ke).get(f"/api/v1/exchange/messages/{body['id']}/moderation").json()
    assert received["operation_data"]["place"] == "Port of Mombasa"

    bad = client.post(
        f"/api/v1/exchange/operations/{operation.pk}/reports",
        {"values": {"quantity": "3"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "unit" in bad.json()["error"]["details"]

    outsider = login(ncp_de)
    assert outsider.get(f"/api/v1/exchange/operations/{operation.pk}/form").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/exchange/operations/{operation.pk}/reports", {"values": VALUES}, content_type="application/json"
        ).status_code
        == 404
    )


def test_api_refuses_reports_to_an_ended_operation(login, operation, ncp_fr, nitrate):
    _end(operation)
    client = login(ncp_fr)
    assert client.get(f"/api/v1/exchange/operations/{operation.pk}/form").json()["read_only"] is True
    response = client.post(
        f"/api/v1/exchange/operations/{operation.pk}/reports", {"values": VALUES}, content_type="application/json"
    )
    assert response.status_code == 422 and not Message.objects.exists()


# --- the community pages of the directory --------------------------------------------------------


def test_community_pages_set_moderation_countries_and_show_the_operation(login, assistant, coordinator):
    client = login(assistant)
    response = client.post(
        reverse("directory:community-create"),
        {
            "name": "Operation Page Shield",
            "kind": "operation",
            "starts_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "countries": "ng, gh SN",
            "requires_moderation": "on",
        },
    )
    community = Community.objects.get(name="Operation Page Shield")
    assert response.status_code == 302
    assert community.requires_moderation and community.countries == ["GH", "NG", "SN"]
    assert AuditEntry.objects.filter(action="exchange.community_settings_update", object_id=str(community.pk)).exists()
    MembershipFactory(community=community, user=coordinator, role="moderator")

    page = client.get(reverse("directory:community-detail", args=[community.pk])).content.decode()
    assert "Running" in page and "Ghana (GH)" in page and "Cora Coordinator" in page and "moderated" in page
    assert reverse("exchange:operation-report", args=[community.pk]) in page
    assert reverse("exchange:operation-form", args=[community.pk]) in page

    edit = client.get(reverse("directory:community-edit", args=[community.pk])).content.decode()
    assert 'value="GH, NG, SN"' in edit
    bad = client.post(
        reverse("directory:community-edit", args=[community.pk]),
        {"name": community.name, "kind": "operation", "countries": "XX"},
    )
    assert "Unknown country code: XX." in bad.content.decode()
    client.post(
        reverse("directory:community-edit", args=[community.pk]),
        {"name": community.name, "kind": "operation", "countries": "NG"},
    )
    community.refresh_from_db()
    assert community.countries == ["NG"] and not community.requires_moderation

"""Operations: creation (event, closed group with the right members, meetings), edits of the
countries (membership follows), phase transitions, the results board (known data, known totals;
visibility), the final report (DOCX and PDF list the seizure), pages, API, access and query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from shieldhub.core.audit import AuditEntry
from shieldhub.directory.models import Community, Membership
from shieldhub.events import final_report, operations, results
from shieldhub.events.models import Event, Operation
from shieldhub.exchange.services import Distribution
from shieldhub.seizures import services as seizures
from tests.factories import UserFactory
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import record_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def catalogue(ref):  # noqa: F811
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


@pytest.fixture
def ncp_de(db):
    return UserFactory(email="ncp.de@test.example", roles=["ncp"], full_name="Dieter Braun", country="DE")


def op_data(catalogue: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "cobalt-shield",
        "title_en": "Operation Cobalt Shield",
        "title_fr": "Opération Bouclier de cobalt",
        "goals_en": "Targeted controls on ammonium nitrate.",
        "goals_fr": "Contrôles ciblés du nitrate d'ammonium.",
        "countries": ["FR", "KE"],
        "precursors": [catalogue["ammonium-nitrate"].pk, catalogue["hydrogen-peroxide"].pk],
        "starts_on": TODAY - dt.timedelta(days=3),
        "ends_on": TODAY + dt.timedelta(days=10),
        "requires_moderation": False,
        "pre_meeting": {"starts_at": timezone.now() - dt.timedelta(days=10)},
        "post_meeting": {
            "starts_at": timezone.now() + dt.timedelta(days=20),
            "ends_at": timezone.now() + dt.timedelta(days=20, hours=4),
        },
    }
    data.update(overrides)
    return data


@pytest.fixture
def operation(analyst, coordinator, ncp_fr, ncp_ke, catalogue):
    return operations.operation_create(actor=analyst, data=op_data(catalogue))


def seizure(actor: Any, catalogue: dict[str, Any], operation: Operation, *, kg: str, item: str, **extra: Any) -> Any:
    goods = [{"catalogue_item": catalogue[item].pk, "quantity": Decimal(kg), "unit": "kg"}]
    data = record_data(catalogue, operation=operation.community_id, goods=goods, **extra)
    incident = seizures.incident_create(actor=actor, data=data)
    return seizures.incident_submit(actor=actor, incident=incident, distribution=Distribution())


# --- creation -----------------------------------------------------------------------------------


def test_creation_makes_event_group_members_and_meetings(operation, analyst, coordinator, ncp_fr, ncp_ke, ncp_de):
    event = operation.event
    assert event.kind == "operation" and event.title_fr == "Opération Bouclier de cobalt"
    group = operation.community
    assert group.kind == "operation" and group.countries == ["FR", "KE"]
    assert (group.starts_on, group.ends_on) == (operation.starts_on, operation.ends_on)
    roles = dict(Membership.objects.filter(community=group).values_list("user__email", "role"))
    assert roles == {
        analyst.email: "moderator",
        coordinator.email: "moderator",
        ncp_fr.email: "member",
        ncp_ke.email: "member",
    }
    assert operation.pre_meeting.kind == "pre_operational"
    assert operation.post_meeting.kind == "post_operational"
    assert operation.post_meeting.title_en == "Post-operational meeting — Operation Cobalt Shield"
    assert sorted(operation.precursors.values_list("code", flat=True)) == ["ammonium-nitrate", "hydrogen-peroxide"]
    assert AuditEntry.objects.filter(action="events.operation.create", object_id=str(operation.pk)).exists()
    assert AuditEntry.objects.filter(action="directory.community.create", object_id=str(group.pk)).exists()


def test_creation_is_one_transaction_and_needs_the_permission(trainer, analyst, ncp_fr, catalogue):
    with pytest.raises(PermissionDenied):
        operations.operation_create(actor=trainer, data=op_data(catalogue))
    with pytest.raises(ValidationError):
        operations.operation_create(actor=analyst, data=op_data(catalogue, countries=["XX"]))
    with pytest.raises(ValidationError):  # the meeting is refused after the event and group were made
        operations.operation_create(
            actor=analyst,
            data=op_data(
                catalogue, pre_meeting={"starts_at": timezone.now(), "ends_at": timezone.now() - dt.timedelta(hours=1)}
            ),
        )
    assert not Operation.objects.exists() and not Event.objects.exists()
    assert not Community.objects.filter(kind="operation").exists()


def test_code_name_is_unique(operation, analyst, catalogue):
    with pytest.raises(ValidationError) as exc:
        operations.operation_create(actor=analyst, data=op_data(catalogue))
    assert "code" in exc.value.message_dict


def test_editing_countries_updates_membership_and_removed_keep_their_messages(
    operation, analyst, ncp_fr, ncp_ke, ncp_de, catalogue
):
    from shieldhub.exchange.operations import operation_messages, operation_report_send

    operation_report_send(actor=ncp_ke, community=operation.community, values={"remarks": "Container checked"})
    assert operation_messages(user=ncp_fr, community=operation.community).count() == 1
    operations.operation_update(actor=analyst, operation=operation, data={"countries": ["FR", "DE"]})
    members = set(Membership.objects.filter(community=operation.community).values_list("user__email", flat=True))
    assert ncp_de.email in members and ncp_ke.email not in members and ncp_fr.email in members
    operation.community.refresh_from_db()
    assert operation.community.countries == ["DE", "FR"]
    # Ken's own message stays his; Claire still sees it
    assert operation_messages(user=ncp_ke, community=operation.community).count() == 1
    assert AuditEntry.objects.filter(action="directory.membership.remove", extra__user_id=ncp_ke.pk).exists()


def test_update_redates_meetings_and_records_lessons(operation, analyst):
    start = timezone.now() + dt.timedelta(days=40)
    operations.operation_update(
        actor=analyst,
        operation=operation,
        data={
            "post_meeting": {"starts_at": start},
            "lessons_en": "Share manifests earlier.",
            "lessons_fr": "Partager.",
        },
    )
    operation.refresh_from_db()
    assert operation.post_meeting.starts_at == start
    assert operation.lessons_en == "Share manifests earlier."


def test_adopting_an_existing_group(analyst, ncp_fr, catalogue):
    group = Community.objects.create(name="Old group", slug="old-group", kind="operation", countries=["FR"])
    op = operations.operation_create(actor=analyst, data=op_data(catalogue, countries=["FR"]), group=group)
    assert op.community_id == group.pk
    assert Membership.objects.filter(community=group, user=ncp_fr).exists()
    with pytest.raises(ValidationError):
        operations.operation_create(actor=analyst, data=op_data(catalogue, code="other"), group=group)


# --- phases --------------------------------------------------------------------------------------


def test_phase_transitions_forward_only_and_audited(operation, assistant, ncp_fr):
    with pytest.raises(PermissionDenied):
        operations.operation_phase_change(actor=ncp_fr, operation=operation, phase="pre_meeting")
    for phase in ("pre_meeting", "active", "post_meeting", "closed"):
        operation = operations.operation_phase_change(actor=assistant, operation=operation, phase=phase)
    assert operation.phase == "closed"
    operation.event.refresh_from_db()
    assert operation.event.status == "held"
    with pytest.raises(ValidationError):
        operations.operation_phase_change(actor=assistant, operation=operation, phase="active")
    entries = AuditEntry.objects.filter(action="events.operation.phase", object_id=str(operation.pk)).order_by("seq")
    assert next(e.changes["phase"] for e in entries) == ["planning", "pre_meeting"]
    assert entries.count() == 4


def test_phase_cannot_skip_backwards_from_active(operation, assistant):
    operations.operation_phase_change(actor=assistant, operation=operation, phase="active")
    with pytest.raises(ValidationError):
        operations.operation_phase_change(actor=assistant, operation=operation, phase="pre_meeting")


# --- results board -------------------------------------------------------------------------------


@pytest.fixture
def reported(operation, ncp_fr, ncp_ke, catalogue):
    fr = seizure(ncp_fr, catalogue, operation, kg="1200", item="ammonium-nitrate", national_reference="FR-OP-1")
    ke1 = seizure(ncp_ke, catalogue, operation, kg="300", item="hydrogen-peroxide", national_reference="KE-OP-1")
    ke2 = seizure(ncp_ke, catalogue, operation, kg="500", item="ammonium-nitrate", national_reference="KE-OP-2")
    seizures.incident_create(actor=ncp_ke, data=record_data(catalogue, operation=operation.community_id))  # a draft
    return fr, ke1, ke2


def test_results_known_totals_for_secretariat(operation, reported, coordinator):
    fr, ke1, ke2 = reported
    board = results.operation_results(user=coordinator, operation=operation)
    assert board.seizure_total == 3
    assert board.seizure_kg == Decimal("2000")
    by_country = {r.key: (r.count, r.kg) for r in board.seizures_by_country}
    assert by_country == {"FR": (1, Decimal("1200")), "KE": (2, Decimal("800"))}
    by_item = {r.key: (r.count, r.kg) for r in board.seizures_by_precursor}
    assert by_item == {"ammonium-nitrate": (2, Decimal("1700")), "hydrogen-peroxide": (1, Decimal("300"))}
    assert {i.pk for i in board.records} == {fr.pk, ke1.pk, ke2.pk}
    assert board.records_hidden == 0


def test_results_ncp_sees_aggregates_but_only_own_records(operation, reported, ncp_fr):
    fr, _ke1, _ke2 = reported
    board = results.operation_results(user=ncp_fr, operation=operation)
    assert board.seizure_total == 3 and board.seizure_kg == Decimal("2000")
    assert [i.pk for i in board.records] == [fr.pk]
    assert board.records_hidden == 2


def test_results_messages_by_country_and_precursor(operation, ncp_fr, ncp_ke, coordinator):
    from shieldhub.exchange.operations import operation_report_send

    operation_report_send(
        actor=ncp_ke,
        community=operation.community,
        values={"precursor": "ammonium-nitrate", "quantity": "2", "unit": "t"},
    )
    operation_report_send(actor=ncp_fr, community=operation.community, values={"remarks": "Nothing to report"})
    board = results.operation_results(user=coordinator, operation=operation)
    assert board.message_total == 2
    assert {r.key: r.count for r in board.messages_by_country} == {"KE": 1, "FR": 1}
    assert {r.key: r.count for r in board.messages_by_precursor} == {"ammonium-nitrate": 1}


def test_board_hidden_from_non_participating_ncp(operation, ncp_de, partner_interpol):
    with pytest.raises(Http404):
        operations.operation_get(user=ncp_de, pk=operation.pk)
    with pytest.raises(Http404):
        results.operation_results(user=ncp_de, operation=operation)


def test_results_page_and_htmx_partial(client, login, operation, reported, ncp_fr):
    operations.operation_phase_change(actor=operation.created_by, operation=operation, phase="active")
    login(ncp_fr)
    url = reverse("events:operation-results", args=[operation.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and reported[0].reference in html and reported[1].reference not in html
    assert 'hx-trigger="every 45s"' in html
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and 'data-figure="seizures">3<' in partial.content.decode()


def test_non_participating_ncp_gets_404_on_pages(client, login, operation, ncp_de):
    login(ncp_de)
    for name in ("events:operation-detail", "events:operation-results"):
        assert client.get(reverse(name, args=[operation.pk])).status_code == 404


# --- shipments ------------------------------------------------------------------------------------


def test_shipments_checked_counts_participants_in_the_window(operation, coordinator, assistant):
    figures = results.shipments_checked(user=coordinator, operation=operation)
    assert figures.available and figures.total == 0
    assert not results.shipments_checked(user=assistant, operation=operation).available


# --- final report ---------------------------------------------------------------------------------


def test_final_report_docx_lists_the_seizure(operation, reported, coordinator, analyst):
    from docx import Document

    operations.operation_update(actor=analyst, operation=operation, data={"lessons_en": "Share manifests earlier."})
    operation.refresh_from_db()
    content, ctype, name = final_report.final_report(actor=coordinator, operation=operation, fmt="docx", language="en")
    assert name == "cobalt-shield-final-report-en.docx" and "wordprocessingml" in ctype
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    tables = " ".join(c.text for t in Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells)
    assert reported[0].reference in text and "Share manifests earlier." in text
    assert "France" in tables and "Kenya" in tables
    assert "3 records reported under the operation" in text
    assert AuditEntry.objects.filter(action="events.operation.final_report", object_id=str(operation.pk)).exists()


def test_final_report_pdf_lists_the_seizure_in_french(operation, reported, coordinator):
    from pypdf import PdfReader

    content, ctype, _name = final_report.final_report(actor=coordinator, operation=operation, fmt="pdf", language="fr")
    assert ctype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert reported[0].reference in text
    assert "Opération Bouclier de cobalt" in text


def test_final_report_download_refused_to_ncp(client, login, operation, ncp_fr):
    login(ncp_fr)
    assert client.get(reverse("events:operation-report-docx", args=[operation.pk])).status_code == 403


# --- pages ----------------------------------------------------------------------------------------


def test_create_from_the_page(client, login, assistant, ncp_fr, catalogue):
    login(assistant)
    response = client.post(
        reverse("events:operation-create"),
        {
            "title_en": "Operation Page",
            "code": "page-op",
            "countries": ["FR"],
            "precursors": [catalogue["ammonium-nitrate"].pk],
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + dt.timedelta(days=5)).isoformat(),
            "pre_meeting_starts": (timezone.now() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    op = Operation.objects.get(code="page-op")
    assert response.status_code == 302 and response["Location"] == reverse("events:operation-detail", args=[op.pk])
    assert op.pre_meeting is not None and Membership.objects.filter(community=op.community, user=ncp_fr).exists()


def test_create_page_keeps_values_on_error(client, login, assistant, catalogue):
    login(assistant)
    response = client.post(
        reverse("events:operation-create"),
        {
            "title_en": "Kept title",
            "code": "kept",
            "countries": ["FR"],
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kept title" in html and "cannot end before it starts" in html
    assert not Operation.objects.exists()


def test_phase_button(client, login, operation, coordinator):
    login(coordinator)
    client.post(reverse("events:operation-phase", args=[operation.pk]), {"phase": "closed"})
    operation.refresh_from_db()
    assert operation.phase == "planning"  # not allowed from planning
    client.post(reverse("events:operation-phase", args=[operation.pk]), {"phase": "active"})
    operation.refresh_from_db()
    assert operation.phase == "active"


def test_detail_page_links(client, login, operation, reported, coordinator):
    login(coordinator)
    html = client.get(reverse("events:operation-detail", args=[operation.pk])).content.decode()
    assert reverse("events:event-detail", args=[operation.pre_meeting_id]) in html
    assert f"?community={operation.community_id}" in html
    assert reverse("events:operation-report-pdf", args=[operation.pk]) in html
    assert "Results board" in html and reported[1].reference in html
    event_page = client.get(reverse("events:event-detail", args=[operation.post_meeting_id])).content.decode()
    assert reverse("events:operation-detail", args=[operation.pk]) in event_page


ACCESS = {
    # persona: (list, detail, results, create, report)
    "coordinator": (200, 200, 200, 200, 200),
    "analyst": (200, 200, 200, 200, 200),
    "assistant": (200, 200, 200, 200, 200),
    "trainer": (200, 200, 200, 403, 403),
    "admin_user": (403, 404, 404, 403, 404),
    "ncp_fr": (200, 200, 200, 403, 403),
    "ncp_de": (200, 404, 404, 403, 404),
    "partner_interpol": (200, 404, 404, 403, 404),
    "donor": (403, 404, 404, 403, 404),
    "outsider": (403, 404, 404, 403, 404),
}


@pytest.mark.parametrize("who", list(ACCESS))
def test_access_matrix(client, login, operation, who, request):
    user = request.getfixturevalue(who)
    login(user)
    urls = [
        reverse("events:operation-list"),
        reverse("events:operation-detail", args=[operation.pk]),
        reverse("events:operation-results", args=[operation.pk]),
        reverse("events:operation-create"),
        reverse("events:operation-report-docx", args=[operation.pk]),
    ]
    assert tuple(client.get(url).status_code for url in urls) == ACCESS[who]


def test_list_query_count(client, login, analyst, ncp_fr, catalogue, django_assert_max_num_queries):
    for n in range(6):
        operations.operation_create(actor=analyst, data=op_data(catalogue, code=f"op-{n}", title_en=f"Operation {n}"))
    login(analyst)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("events:operation-list"))
    assert response.content.decode().count("/events/operations/") >= 6


def test_results_query_count(client, login, operation, reported, coordinator, django_assert_max_num_queries):
    login(coordinator)
    with django_assert_max_num_queries(26):
        client.get(reverse("events:operation-results", args=[operation.pk]), headers={"HX-Request": "true"})


# --- API ----------------------------------------------------------------------------------------


def test_api_create_get_phase_results_report(client, login, analyst, ncp_fr, catalogue):
    login(analyst)
    body = {
        "code": "api-op",
        "title_en": "Operation API",
        "countries": ["FR"],
        "precursors": [catalogue["ammonium-nitrate"].pk],
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=3)).isoformat(),
        "post_meeting": {"starts_at": (timezone.now() + dt.timedelta(days=5)).isoformat()},
    }
    created = client.post("/api/v1/events/operations", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["precursors"] == ["ammonium-nitrate"] and data["post_meeting"]["kind"] == "post_operational"
    pk = data["id"]
    assert client.get("/api/v1/events/operations").json()["items"][0]["code"] == "api-op"
    phased = client.post(f"/api/v1/events/operations/{pk}/phase", {"phase": "active"}, content_type="application/json")
    assert phased.json()["phase"] == "active"
    bad = client.post(f"/api/v1/events/operations/{pk}/phase", {"phase": "planning"}, content_type="application/json")
    assert bad.status_code == 422
    patched = client.patch(f"/api/v1/events/operations/{pk}", {"lessons_en": "Noted."}, content_type="application/json")
    assert patched.json()["lessons_en"] == "Noted."
    res = client.get(f"/api/v1/events/operations/{pk}/results").json()
    assert res["seizure_total"] == 0 and res["records"] == []
    report = client.get(f"/api/v1/events/operations/{pk}/final-report?format=pdf&lang=fr")
    assert report.status_code == 200 and report.content.startswith(b"%PDF")


def test_api_hides_operation_from_other_ncp(client, login, operation, ncp_de, ncp_fr):
    login(ncp_de)
    assert client.get(f"/api/v1/events/operations/{operation.pk}").status_code == 404
    assert client.get("/api/v1/events/operations").json()["items"] == []
    login(ncp_fr)
    assert client.get(f"/api/v1/events/operations/{operation.pk}/results").status_code == 200
    assert client.post("/api/v1/events/operations", {}, content_type="application/json").status_code in (400, 422)


def test_moderation_as_chosen(analyst, ncp_fr, catalogue):
    op = operations.operation_create(actor=analyst, data=op_data(catalogue, requires_moderation=True))
    assert op.community.requires_moderation is True


def test_final_report_counts_meeting_registrations_and_attendance(operation, coordinator):
    from shieldhub.events.models import Attendance
    from tests.events.factories import RegistrationFactory

    approved = RegistrationFactory(event=operation.pre_meeting, status="approved")
    RegistrationFactory(event=operation.pre_meeting, status="approved")
    RegistrationFactory(event=operation.pre_meeting, status="rejected")
    Attendance.objects.create(registration=approved)
    context = final_report.report_context(user=coordinator, operation=operation, language="en")
    pre = context["meetings"][0]
    assert (pre["registered"], pre["attended"], pre["held"]) == (2, 1, True)  # it took place 10 days ago
    assert context["meetings"][1]["held"] is False
    from docx import Document

    content = final_report.build_docx(context, "en")
    rows = [[c.text for c in r.cells] for t in Document(io.BytesIO(content)).tables for r in t.rows]
    assert rows[1][2:] == ["yes", "2", "1"] and rows[2][2] == "not yet"
    assert sorted(n["code"] for n in context["ncps"]) == ["FR", "KE"]
    # the report names the countries (not their ISO codes), in the report's language
    assert sorted(n["country"] for n in context["ncps"]) == ["France", "Kenya"]
    french = final_report.report_context(user=coordinator, operation=operation, language="fr")
    assert "Kenya" in {n["country"] for n in french["ncps"]}


def test_detail_query_count(client, login, operation, reported, ncp_fr, django_assert_max_num_queries):
    login(ncp_fr)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("events:operation-detail", args=[operation.pk]))
    assert response.status_code == 200


def test_daily_sync_adds_new_ncps_of_running_operations(operation, catalogue, analyst):
    from shieldhub.events.tasks_operations import operation_groups_sync

    late = UserFactory(email="ncp2.fr@test.example", roles=["ncp"], full_name="Paul Durand", country="FR")
    assert operation_groups_sync.call() == 1
    assert Membership.objects.filter(community=operation.community, user=late).exists()
    assert operation_groups_sync.call() == 0  # idempotent
    entry = AuditEntry.objects.filter(action="directory.membership.add", extra__user_id=late.pk).get()
    assert entry.actor is None
    with pytest.raises(PermissionDenied):  # the system path is for the task only: a user needs the permission
        from shieldhub.directory.services import operation_group_members_update

        operation_group_members_update(actor=late, community=operation.community, add=[], remove=[])


# --- QA pass: what a reader sees ------------------------------------------------------------------


def test_list_names_the_participating_countries(client, login, operation, assistant):
    from django.utils import translation

    from shieldhub.events.templatetags.events_tags import country_names

    login(assistant)
    html = client.get(reverse("events:operation-list")).content.decode()
    assert "France, Kenya" in html and "FR, KE" not in html  # names, not ISO codes
    with translation.override("fr"):
        assert country_names(["DE", "FR"]) == "Allemagne, France"


def test_board_kilograms_grouped_in_the_readers_language(client, login, operation, reported, coordinator):
    login(coordinator)
    url = reverse("events:operation-results", args=[operation.pk])
    html = client.get(url).content.decode()
    assert 'data-figure="kg">2,000<' in html  # not "2000.0"
    assert ">1,200<" in html and "1200.0" not in html


def test_meeting_times_shown_in_the_meetings_own_zone(client, login, operation, coordinator):
    pre = operation.pre_meeting
    pre.starts_at = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 10th in Brussels
    pre.ends_at = pre.starts_at + dt.timedelta(hours=2)
    pre.time_zone = "Europe/Brussels"
    pre.save()
    login(coordinator)
    html = client.get(reverse("events:operation-detail", args=[operation.pk])).content.decode()
    assert "03/10/2026 12:30 a.m." in html and "Europe/Brussels" in html
    context = final_report.report_context(user=coordinator, operation=operation, language="en")
    assert context["meetings"][0]["dates"] == "10 March 2026"


def test_phase_filter_offers_all_phases_by_name(client, login, operation, assistant):
    login(assistant)
    html = client.get(reverse("events:operation-list")).content.decode()
    assert '<option value="" selected>All</option>' in html


def test_french_report_labels_take_a_space_before_the_colon(operation, coordinator):
    from docx import Document
    from pypdf import PdfReader

    context = final_report.report_context(user=coordinator, operation=operation, language="fr")
    paragraphs = [p.text for p in Document(io.BytesIO(final_report.build_docx(context, "fr"))).paragraphs]
    assert any(p.startswith("Nom de code\u00a0: cobalt-shield") for p in paragraphs), paragraphs[:3]
    english = final_report.report_context(user=coordinator, operation=operation, language="en")
    paragraphs = [p.text for p in Document(io.BytesIO(final_report.build_docx(english, "en"))).paragraphs]
    assert any(p.startswith("Code name: cobalt-shield") for p in paragraphs)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(final_report.build_pdf(context, "fr"))).pages)
    assert "Nom de code :" in text.replace("\u00a0", " ") and "Nom de code:" not in text

"""The lifecycle of a record through its services: drafts, submission with recorded recipients,
validation, return, corrections with versions and notifications, withdrawal; kilograms; errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shieldhub.core.models import AuditEntry
from shieldhub.entities.models import Entity
from shieldhub.seizures import services
from shieldhub.seizures.models import GoodsLine, IncidentRecipient, IncidentVersion
from tests.seizures.conftest import record_data

pytestmark = pytest.mark.django_db


def test_an_ncp_creates_a_draft_for_their_country(ncp_fr, make):
    incident = make(ncp_fr)
    assert incident.status == "draft" and incident.version == 0
    assert str(incident.reporting_country) == "FR"
    line = incident.goods.get()
    assert line.quantity_kg == Decimal("24000.000")  # 24 t
    assert line.pure_kg == Decimal("8160.000")  # 34 %
    assert incident.total_kg == Decimal("24000.000")
    assert [str(c.country) for c in incident.route.all()] == ["AE", "MA", "FR"]
    assert {p.entity.name for p in incident.parties.all()} == {"Gulf Agro Trading LLC", "Société Nouvelle d'Import"}
    assert AuditEntry.objects.filter(action="seizures.incident_create", object_id=str(incident.pk)).exists()
    assert "karim" not in incident.search_text  # restricted names are never searchable
    assert "gulf agro" in incident.search_text


def test_an_ncp_cannot_report_for_another_country(ncp_fr, make):
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, reporting_country="KE")
    assert "reporting_country" in exc.value.message_dict


def test_the_analyst_reports_on_behalf_of_a_country_and_must_name_it(analyst, make):
    assert str(make(analyst, reporting_country="NG").reporting_country) == "NG"
    with pytest.raises(ValidationError):
        make(analyst)


def test_roles_without_reporting_are_refused(coordinator, donor, partner_interpol, make):
    for user in (coordinator, donor, partner_interpol):
        with pytest.raises(PermissionDenied):
            make(user)


def test_entities_are_found_again_by_normalised_name_and_country(ncp_fr, make):
    make(ncp_fr)
    make(ncp_fr, parties=[{"role": "consignor", "name": "  GULF  agro trading llc ", "country": "AE"}])
    assert Entity.objects.filter(normalised_name="gulf agro trading").count() == 1
    make(ncp_fr, parties=[{"role": "consignor", "name": "Gulf Agro Trading LLC", "country": "OM"}])
    assert Entity.objects.filter(normalised_name="gulf agro trading").count() == 2


def test_litres_use_the_line_density_or_the_catalogue_density(ncp_fr, make, catalogue):
    peroxide = catalogue["hydrogen-peroxide"]
    assert peroxide.density_kg_per_l is not None
    incident = make(
        ncp_fr,
        goods=[
            {"catalogue_item": peroxide.pk, "quantity": "200", "unit": "litres", "concentration": "35"},
            {"catalogue_item": peroxide.pk, "quantity": "10", "unit": "L", "density": "1.2"},
        ],
    )
    first, second = incident.goods.order_by("position")
    assert first.unit == "L"
    assert first.quantity_kg == (Decimal(200) * peroxide.density_kg_per_l).quantize(Decimal("0.001"))
    assert first.pure_kg == (first.quantity_kg * Decimal("0.35")).quantize(Decimal("0.001"))
    assert second.quantity_kg == Decimal("12.000")


def test_a_volume_without_any_density_is_an_error(ncp_fr, make):
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, goods=[{"hs_code": "2814.10", "quantity": "5", "unit": "L"}])
    assert "density" in " ".join(exc.value.message_dict["goods"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"catalogue_item": None, "quantity": "5", "unit": "kg"}, "catalogue item or give an HS code"),
        ({"hs_code": "9999.99", "quantity": "5", "unit": "kg"}, "not an HS 2022 code"),
        ({"hs_code": "3102.30", "quantity": "5", "unit": "barrels"}, "Unknown unit"),
        ({"hs_code": "3102.30", "quantity": "-5", "unit": "kg"}, "negative"),
        ({"hs_code": "3102.30", "quantity": "5", "unit": "kg", "concentration": "140"}, "between 0 and 100"),
        ({"hs_code": "3102.30", "quantity": "", "unit": "kg"}, "give the quantity"),
    ],
)
def test_goods_line_errors_name_the_line(ncp_fr, make, line, message):
    with pytest.raises(ValidationError) as exc:
        make(ncp_fr, goods=[{"hs_code": "3102.30", "quantity": "1", "unit": "kg"}, line])
    text = " ".join(exc.value.message_dict["goods"])
    assert "Line 2" in text and message in text


def test_pieces_have_no_mass(ncp_fr, make, catalogue):
    incident = make(
        ncp_fr, goods=[{"catalogue_item": catalogue["electric-detonators"].pk, "quantity": 40, "unit": "pcs"}]
    )
    line = incident.goods.get()
    assert line.quantity_kg is None and incident.total_kg is None
    assert "goods_kg" not in incident.missing_fields  # counted, not weighed: nothing is missing
    liquid = make(ncp_fr, goods=[{"hs_code": "2814.10", "quantity": "5", "unit": "L", "density": "0.9"}])
    assert "goods_kg" not in liquid.missing_fields


def test_data_quality_scores_completeness_and_lists_what_is_missing(ncp_fr, make):
    full = make(ncp_fr)
    assert full.data_quality == 100 and full.missing_fields == []
    sparse = make(ncp_fr, office_name="", narrative="short", parties=[], route=[], national_reference="")
    assert sparse.data_quality < 70
    assert {"office_name", "narrative", "parties", "route_departure", "national_reference"} <= set(
        sparse.missing_fields
    )


def test_submission_records_recipients_and_version_one(ncp_fr, ncp_de, ncp_ke, europe, make):
    incident = make(ncp_fr, submit=True, communities=[europe], countries=["KE"])
    assert incident.status == "submitted" and incident.version == 1
    recipients = dict(IncidentRecipient.objects.filter(incident=incident).values_list("user__email", "reason"))
    assert recipients == {ncp_de.email: "community", ncp_ke.email: "country"}
    version = IncidentVersion.objects.get(incident=incident, number=1)
    assert version.change == "submission"
    assert version.snapshot["goods"][0]["quantity_kg"] == "24000.000"
    assert version.snapshot["persons"][0]["name"] == "Karim Benali"
    entry = AuditEntry.objects.get(action="seizures.incident_submit", object_id=str(incident.pk))
    assert entry.extra["recipients"] == 2


def test_a_later_member_does_not_gain_access(ncp_fr, europe, make, ncp_ke):
    from tests.factories import MembershipFactory

    incident = make(ncp_fr, submit=True, communities=[europe])
    MembershipFactory(community=europe, user=ncp_ke)
    assert not IncidentRecipient.objects.filter(incident=incident, user=ncp_ke).exists()


def test_partners_receive_only_releasable_records(ncp_fr, partner_interpol, make):
    with pytest.raises(ValidationError):  # the exchange's rule: a partner is named only when releasable
        make(ncp_fr, submit=True, users=[partner_interpol])
    opened = make(ncp_fr, releasable_interpol=True, submit=True, users=[partner_interpol])
    assert IncidentRecipient.objects.filter(incident=opened, user=partner_interpol).exists()


def test_submit_needs_goods_and_a_draft(ncp_fr, make):
    empty = make(ncp_fr, goods=[])
    with pytest.raises(ValidationError):
        services.incident_submit(actor=ncp_fr, incident=empty)
    submitted = make(ncp_fr, submit=True)
    with pytest.raises(ValidationError):
        services.incident_submit(actor=ncp_fr, incident=submitted)


def test_only_drafts_are_edited_and_only_by_the_reporting_side(ncp_fr, ncp_ke, make, catalogue):
    draft = make(ncp_fr)
    updated = services.incident_update(actor=ncp_fr, incident=draft, data={"office_name": "Marseille-Fos"})
    assert updated.office_name == "Marseille-Fos" and updated.goods.count() == 1  # parts not given are kept
    with pytest.raises(Http404):
        services.incident_update(actor=ncp_ke, incident=draft, data={"office_name": "x"})
    services.incident_submit(actor=ncp_fr, incident=draft)
    with pytest.raises(ValidationError):
        services.incident_update(actor=ncp_fr, incident=draft, data={"office_name": "x"})


def test_another_ncp_of_the_reporting_country_may_edit_the_draft(ncp_ke, ncp_ke2, make):
    draft = make(ncp_ke, reporting_country="KE")
    services.incident_update(actor=ncp_ke2, incident=draft, data={"office_name": "Mombasa"})


def test_validate_return_and_correct(analyst, ncp_fr, ncp_de, europe, make, django_capture_on_commit_callbacks):
    incident = make(ncp_fr, submit=True, communities=[europe])
    with pytest.raises(PermissionDenied):
        services.incident_validate(actor=ncp_fr, incident=incident)
    services.incident_return(actor=analyst, incident=incident, comment="Give the actual HS code.")
    incident.refresh_from_db()
    assert incident.status == "returned"
    with pytest.raises(ValidationError):
        services.incident_validate(actor=analyst, incident=incident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        corrected = services.incident_correct(
            actor=ncp_fr, incident=incident, data={"office_name": "Le Havre, quai de l'Europe"}, note="Office precised"
        )
    assert corrected.status == "submitted" and corrected.version == 2
    assert IncidentVersion.objects.get(incident=incident, number=2).snapshot["office_name"].startswith("Le Havre, quai")
    assert [m.to for m in mail.outbox] == [[ncp_de.email]]  # the recipient is told; the corrector is not
    assert "SZ-" in mail.outbox[0].subject and "ammonium" not in mail.outbox[0].body.lower()
    services.incident_validate(actor=analyst, incident=corrected, comment="Thanks")
    corrected.refresh_from_db()
    assert corrected.status == "validated" and corrected.validated_by == analyst
    assert [c.kind for c in corrected.comments.order_by("pk")] == ["return", "validation"]
    assert AuditEntry.objects.filter(action="seizures.incident_correct").count() == 1


def test_correcting_a_validated_record_sends_it_back_to_submitted(analyst, ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    services.incident_validate(actor=analyst, incident=incident)
    services.incident_correct(actor=ncp_fr, incident=incident, data={"concealment": "False floor"}, note="Concealment")
    incident.refresh_from_db()
    assert incident.status == "submitted" and incident.validated_at is None


def test_a_correction_needs_a_note_and_keeps_a_goods_line(ncp_fr, make):
    incident = make(ncp_fr, submit=True)
    with pytest.raises(ValidationError):
        services.incident_correct(actor=ncp_fr, incident=incident, data={}, note=" ")
    with pytest.raises(ValidationError):
        services.incident_correct(actor=ncp_fr, incident=incident, data={"goods": []}, note="x")


def test_withdrawal_tells_recipients_and_viewers_in_their_language(
    ncp_fr, ncp_de, ncp_ke, analyst, europe, make, django_capture_on_commit_callbacks
):
    ncp_de.language = "fr"
    ncp_de.save()
    incident = make(ncp_fr, submit=True, communities=[europe])
    services.incident_record_view(actor=analyst, incident=incident)
    services.incident_record_view(actor=ncp_fr, incident=incident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_withdraw(actor=ncp_fr, incident=incident, note="Duplicate of another record")
    incident.refresh_from_db()
    assert incident.status == "withdrawn" and incident.version == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {ncp_de.email, analyst.email}
    assert "retir" in by_address[ncp_de.email].subject.lower() or "withdrawn" in by_address[ncp_de.email].subject
    with pytest.raises(ValidationError):
        services.incident_correct(actor=ncp_fr, incident=incident, data={}, note="x")


def test_comments_are_between_the_secretariat_and_the_reporting_side(analyst, ncp_fr, ncp_de, europe, make):
    incident = make(ncp_fr, submit=True, communities=[europe])
    services.incident_comment(actor=analyst, incident=incident, body="Which lab did the test?")
    services.incident_comment(actor=ncp_fr, incident=incident, body="The SCL in Le Havre.")
    with pytest.raises(PermissionDenied):
        services.incident_comment(actor=ncp_de, incident=incident, body="Me too")
    assert incident.comments.count() == 2


def test_drafts_can_be_deleted_submitted_records_cannot(ncp_fr, make):
    draft = make(ncp_fr)
    services.incident_delete_draft(actor=ncp_fr, incident=draft)
    assert not GoodsLine.objects.filter(incident_id=draft.pk).exists()
    submitted = make(ncp_fr, submit=True)
    with pytest.raises(ValidationError):
        services.incident_delete_draft(actor=ncp_fr, incident=submitted)


def test_record_data_helper_is_complete(catalogue):
    assert record_data(catalogue)["goods"][0]["unit"] == "t"

"""Catalogue services: permission, validation, audit with before/after."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shieldhub.core.audit import audit_verify
from shieldhub.core.models import AuditEntry
from shieldhub.reference import selectors
from shieldhub.reference.models import CatalogueItem
from shieldhub.reference.services import catalogue_item_create, catalogue_item_update

NEW = {
    "code": "potassium-permanganate",
    "category": "precursor",
    "name_en": "Potassium permanganate",
    "name_fr": "Permanganate de potassium",
    "formula": "KMnO4",
    "cas": "7722-64-7",
    "un_numbers": ["UN1490"],
    "hs_codes": ["2841.61"],
    "synonyms_fr": ["permanganate de potasse", " ", "permanganate de potasse"],
    "synonyms_es": ["permanganato de potasio"],
}


def test_analyst_updates_an_item_and_the_audit_has_before_and_after(ref, analyst):
    item = CatalogueItem.objects.get(code="acetone")
    catalogue_item_update(
        actor=analyst,
        item=item,
        data={"synonyms_es": ["acetona", "propanona", "dimetilcetona"], "density_kg_per_l": Decimal("0.79")},
    )
    item.refresh_from_db()
    assert item.synonyms_es == ["acetona", "propanona", "dimetilcetona"]
    assert item.density_kg_per_l == Decimal("0.79")
    assert "dimetilcetona" in item.search_text
    assert selectors.catalogue_match_name("dimetilcetona").code == "acetone"

    entry = AuditEntry.objects.get(action="reference.catalogue_item.update")
    assert entry.actor == analyst
    assert entry.object_type == "reference.catalogueitem" and entry.object_id == str(item.pk)
    assert entry.changes == {
        "density_kg_per_l": ["0.7840", "0.7900"],
        "synonyms_es": [["acetona", "propanona"], ["acetona", "propanona", "dimetilcetona"]],
    }
    assert audit_verify().ok


def test_saving_the_same_values_writes_no_audit_entry(ref, coordinator):
    item = CatalogueItem.objects.get(code="nitric-acid")
    catalogue_item_update(actor=coordinator, item=item, data={"density_kg_per_l": "1.41", "name_en": " Nitric acid "})
    assert not AuditEntry.objects.filter(action__startswith="reference.catalogue_item").exists()


def test_create_normalises_lists_and_is_audited(ref, admin_user):
    item = catalogue_item_create(actor=admin_user, data=NEW)
    assert item.un_numbers == ["1490"]
    assert item.hs_codes == ["284161"]
    assert item.synonyms_fr == ["permanganate de potasse"]
    assert item.is_active
    entry = AuditEntry.objects.get(action="reference.catalogue_item.create")
    assert entry.changes["code"] == [None, "potassium-permanganate"]
    assert entry.changes["hs_codes"] == [None, ["284161"]]
    assert selectors.catalogue_match_name("permanganato de potasio") == item


@pytest.mark.parametrize(
    "persona", ["ncp_fr", "trainer", "assistant", "donor", "partner_interpol", "outsider"], indirect=True
)
def test_only_analysts_coordinators_and_admins_may_edit(ref, persona):
    item = CatalogueItem.objects.get(code="urea")
    with pytest.raises(PermissionDenied):
        catalogue_item_update(actor=persona, item=item, data={"name_en": "Changed"})
    with pytest.raises(PermissionDenied):
        catalogue_item_create(actor=persona, data=NEW)
    item.refresh_from_db()
    assert item.name_en == "Urea"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hs_codes": ["2829.99"]}, "hs_codes", "Not in the HS 2022 nomenclature: 2829.99."),
        ({"hs_codes": ["2829"]}, "hs_codes", "“2829” is not a six-digit HS code"),
        ({"un_numbers": ["19420"]}, "un_numbers", "“19420” is not a UN number"),
        ({"cas": "6484-52-3"}, "cas", "“6484-52-3” is not a valid CAS number"),
        ({"category": "weapon"}, "category", "not a valid choice"),
        ({"name_en": ""}, "name_en", "cannot be blank"),
        ({"density_kg_per_l": "heavy"}, "density_kg_per_l", "Enter a number."),
        ({"synonyms_en": "AN"}, "synonyms_en", "Enter a list."),
        ({"code": "renamed"}, "code", "cannot be changed"),
    ],
)
def test_update_validation_errors_are_clear_and_nothing_is_written(ref, analyst, data, field, message):
    item = CatalogueItem.objects.get(code="ammonium-nitrate")
    with pytest.raises(ValidationError) as exc:
        catalogue_item_update(actor=analyst, item=item, data=data)
    assert field in exc.value.message_dict
    assert any(message in m for m in exc.value.message_dict[field])
    item.refresh_from_db()
    assert item.hs_codes == ["310230"] and item.cas == "6484-52-2" and item.name_en == "Ammonium nitrate"
    assert not AuditEntry.objects.exists()


def test_create_refuses_a_duplicate_code(ref, analyst):
    with pytest.raises(ValidationError) as exc:
        catalogue_item_create(actor=analyst, data={**NEW, "code": "urea"})
    assert "code" in exc.value.message_dict
    assert CatalogueItem.objects.filter(code="urea").count() == 1

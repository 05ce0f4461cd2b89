"""Shared entities: find-or-create by normalised name (`core.names`: case, accents, punctuation and
legal forms), kind and country; identifiers added, never replaced; validation and audit; stored
names recomputed when the normalisation changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from shieldhub.core.models import AuditEntry
from shieldhub.entities.models import Entity
from shieldhub.entities.selectors import entities_by_name
from shieldhub.entities.services import entities_renormalise, entity_find_or_create, normalise_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Société  Générale d'Import", "societe generale dimport"),
        ("  ÅNGSTRÖM   Trading ", "angstrom trading"),
        ("ACME\tLtd", "acme"),
        ("NITRO-CHEMICALS LIMITED", "nitro chemicals"),
        ("Nitro Chemicals Ltd.", "nitro chemicals"),
        ("Atlas Négoce S.A.", "atlas negoce"),
        ("Sahel Intrants SARL", "sahel intrants"),
        ("Rhein Dünger GmbH", "rhein dunger"),
    ],
)
def test_normalise_name_is_core_names(raw, expected):
    assert normalise_name(raw) == expected


def test_find_or_create(ncp_fr):
    first, created = entity_find_or_create(actor=ncp_fr, name="Gulf Agro Trading LLC", country="ae")
    assert created and str(first.country) == "AE" and first.created_by == ncp_fr
    assert first.normalised_name == "gulf agro trading"
    again, created = entity_find_or_create(
        actor=ncp_fr, name="GULF agro  trading llc", country="AE", identifiers={"registration": "DXB-1"}
    )
    assert not created and again.pk == first.pk and again.identifiers == {"registration": "DXB-1"}
    kept, _ = entity_find_or_create(actor=ncp_fr, name="Gulf Agro Trading LLC", country="AE",
                                    identifiers={"registration": "OTHER"})  # fmt: skip
    assert kept.identifiers == {"registration": "DXB-1"}  # added, never replaced
    other, created = entity_find_or_create(actor=ncp_fr, name="Gulf Agro Trading LLC", country="OM")
    assert created and other.pk != first.pk
    assert set(entities_by_name(name="gulf agro trading LLC")) == {first, other}
    assert list(entities_by_name(name="gulf agro trading LLC", country="om")) == [other]
    assert AuditEntry.objects.filter(action="entities.entity_create").count() == 2
    assert AuditEntry.objects.filter(action="entities.entity_update").count() == 1


def test_legal_forms_and_punctuation_find_the_same_entity(ncp_fr):
    first, _ = entity_find_or_create(actor=ncp_fr, name="Nitro Chemicals Ltd", country="IN")
    second, created = entity_find_or_create(actor=ncp_fr, name="NITRO-CHEMICALS LIMITED", country="IN")
    assert not created and second.pk == first.pk and second.name == "Nitro Chemicals Ltd"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"name": "Acme", "country": "ZZ"}, "country"),
        ({"name": "Acme", "kind": "spaceship"}, "kind"),
        ({"name": "Acme", "identifiers": ["not", "a", "dict"]}, "identifiers"),
    ],
)
def test_invalid_entities_are_refused(ncp_fr, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        entity_find_or_create(actor=ncp_fr, **kwargs)
    assert field in exc.value.message_dict
    assert not Entity.objects.exists()


def test_renormalise_recomputes_stale_names(ncp_fr):
    entity, _ = entity_find_or_create(actor=ncp_fr, name="Atlas Négoce S.A.", country="MA")
    Entity.objects.filter(pk=entity.pk).update(normalised_name="atlas negoce s.a.")  # the old normalisation
    assert entities_renormalise() == 1
    entity.refresh_from_db()
    assert entity.normalised_name == "atlas negoce"
    assert entities_renormalise() == 0  # idempotent
    assert AuditEntry.objects.filter(action="entities.renormalise").count() == 1
    Entity.objects.filter(pk=entity.pk).update(normalised_name="stale")
    call_command("entities_renormalise", "--no-suggest", stdout=__import__("io").StringIO())
    entity.refresh_from_db()
    assert entity.normalised_name == "atlas negoce"

"""Shared entities: find-or-create by normalised name, kind and country; identifiers added, never
replaced; validation and audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shieldhub.core.models import AuditEntry
from shieldhub.entities.models import Entity
from shieldhub.entities.selectors import entities_by_name
from shieldhub.entities.services import entity_find_or_create, normalise_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Société  Générale d'Import", "societe generale d'import"),
        ("  ÅNGSTRÖM   Trading ", "angstrom trading"),
        ("ACME\tLtd", "acme ltd"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected


def test_find_or_create(ncp_fr):
    first, created = entity_find_or_create(actor=ncp_fr, name="Gulf Agro Trading LLC", country="ae")
    assert created and str(first.country) == "AE" and first.created_by == ncp_fr
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

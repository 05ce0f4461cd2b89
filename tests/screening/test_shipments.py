"""Shipment scoring: the adapter from the shipments app, objections on earlier shipments, the
`{% shipment_risk %}` tag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from shieldhub.screening import services

pytestmark = pytest.mark.django_db


def _data(catalogue, **overrides):
    data = {
        "importing_country": "KE", "national_reference": "FR-PEN-2026-0117",
        "exporter": {"name": "Chimie du Rhône SA", "country": "FR"},
        "importer": {"name": "Nairobi Agro Supplies Ltd"}, "consignee": {"name": "Nairobi Agro Supplies Ltd"},
        "planned_dispatch": dt.date(2026, 12, 10), "route": ["SY"],
        "lines": [{"catalogue_item": catalogue["ammonium-nitrate"].pk, "description": "Ammonium nitrate prills",
                   "hs_code": "310210", "quantity": Decimal("24"), "unit": "t"}],
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def catalogue(watch):
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


def test_shipment_score_and_objections(catalogue, ncp_fr, ncp_ke):
    from shieldhub.shipments import services as shipments

    first = shipments.shipment_create(actor=ncp_fr, data=_data(catalogue))
    result = services.score_shipment(actor=ncp_fr, shipment=first)
    rules = {r.rule for r in result.reasons}
    assert {"first_shipment", "watch_country", "hs_mismatch"} <= rules
    assert result.score == sum(r.weight for r in result.reasons)
    assert result.declaration.kg == 24000

    first = shipments.shipment_notify(actor=ncp_fr, shipment=first)
    shipments.verification_answer(actor=ncp_ke, shipment=first, answer="objected", reason="Unknown consignee")
    second = shipments.shipment_create(actor=ncp_fr, data=_data(catalogue, national_reference="FR-2", route=[]))
    result = services.score_shipment(actor=ncp_fr, shipment=second)
    assert "earlier_objections" in {r.rule for r in result.reasons}


def test_shipment_risk_tag(catalogue, ncp_fr, donor):
    from shieldhub.shipments import services as shipments

    shipment = shipments.shipment_create(actor=ncp_fr, data=_data(catalogue))
    template = Template("{% load screening %}{% shipment_risk shipment %}")
    request = RequestFactory().get("/")
    request.user = ncp_fr
    html = template.render(Context({"request": request, "shipment": shipment}))
    assert "Risk score" in html and "watch list" in html
    request.user = donor
    assert "Risk score" not in template.render(Context({"request": request, "shipment": shipment}))


def test_the_shipment_page_shows_the_risk_score(catalogue, login, ncp_fr):
    from django.urls import reverse

    from shieldhub.shipments import services as shipments

    shipment = shipments.shipment_create(actor=ncp_fr, data=_data(catalogue))
    page = login(ncp_fr).get(reverse("shipments:shipment-detail", args=[shipment.pk]))
    assert page.status_code == 200 and "Risk score" in page.content.decode()

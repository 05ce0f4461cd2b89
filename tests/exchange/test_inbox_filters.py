"""The inbox's precursor, country and TLP filters: the selectors, the page and the API agree, and
each keeps the messages that match and only those (never a message the user did not receive)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.exchange import selectors
from shieldhub.reference.models import CatalogueItem


@pytest.fixture
def precursors(db):
    nitrate = CatalogueItem.objects.create(code="an-filter-test", category="precursor", name_en="Ammonium nitrate")
    peroxide = CatalogueItem.objects.create(code="hp-filter-test", category="precursor", name_en="Hydrogen peroxide")
    return {"nitrate": nitrate, "peroxide": peroxide}


@pytest.fixture
def inbox(send, ncp_fr, ncp_ke, ncp_de, precursors):
    """Four messages ncp_ke received, and one it did not (matching every filter)."""
    nitrate, peroxide = precursors["nitrate"].pk, precursors["peroxide"].pk
    messages = {
        "green_in_nitrate": send(ncp_fr, users=[ncp_ke], tlp="green", involved=[("IN", "origin")],
                                 precursors=[nitrate]),
        "amber_ke_peroxide": send(ncp_fr, users=[ncp_ke], tlp="amber", involved=[("KE", "destination")],
                                  precursors=[peroxide]),
        "red_ke_in": send(ncp_fr, users=[ncp_ke], tlp="red", involved=[("KE", "reporting"), ("IN", "transit")]),
        "amber_both": send(ncp_fr, users=[ncp_ke], tlp="amber", precursors=[nitrate, peroxide]),
        "not_received": send(ncp_fr, users=[ncp_de], tlp="green", involved=[("KE", "origin"), ("IN", "origin")],
                             precursors=[nitrate, peroxide]),
    }  # fmt: skip
    return {name: m.pk for name, m in messages.items()}


def _cases(precursors):
    """(filters, the names of the messages expected)."""
    nitrate, peroxide = precursors["nitrate"].pk, precursors["peroxide"].pk
    return [
        ({}, {"green_in_nitrate", "amber_ke_peroxide", "red_ke_in", "amber_both"}),
        ({"tlp": "green"}, {"green_in_nitrate"}),
        ({"tlp": "amber"}, {"amber_ke_peroxide", "amber_both"}),
        ({"tlp": "red"}, {"red_ke_in"}),
        ({"tlp": "clear"}, set()),
        ({"country": "KE"}, {"amber_ke_peroxide", "red_ke_in"}),  # any role: destination, reporting
        ({"country": "ke"}, {"amber_ke_peroxide", "red_ke_in"}),  # case ignored
        ({"country": "IN"}, {"green_in_nitrate", "red_ke_in"}),  # origin, transit
        ({"country": "DE"}, set()),
        ({"precursor": nitrate}, {"green_in_nitrate", "amber_both"}),
        ({"precursor": peroxide}, {"amber_ke_peroxide", "amber_both"}),
        ({"precursor": nitrate, "tlp": "amber"}, {"amber_both"}),
        ({"country": "IN", "tlp": "red"}, {"red_ke_in"}),
        ({"country": "KE", "precursor": nitrate}, set()),
    ]


def _names(inbox, ids):
    by_id = {pk: name for name, pk in inbox.items()}
    return {by_id[pk] for pk in ids}


@pytest.mark.django_db
def test_selectors_filter_by_precursor_country_and_tlp(inbox, precursors, ncp_ke):
    for filters, expected in _cases(precursors):
        assert _names(inbox, [m.pk for m in selectors.inbox_list(user=ncp_ke, filters=filters)]) == expected, filters
        pages = selectors.inbox_pages(user=ncp_ke, filters=filters)
        assert _names(inbox, [m.pk for m in pages[:50]]) == expected, filters
        assert pages.count() == len(expected), filters


@pytest.mark.django_db
def test_inbox_page_filters_by_precursor_country_and_tlp(login, inbox, precursors, ncp_ke):
    client = login(ncp_ke)
    for filters, expected in _cases(precursors):
        response = client.get(reverse("exchange:inbox"), filters)
        assert response.status_code == 200
        assert response.context["form"].is_valid() or not filters, response.context["form"].errors
        assert _names(inbox, [m.pk for m in response.context["page"]]) == expected, filters
    # the form offers the precursors to choose from
    page = client.get(reverse("exchange:inbox")).content.decode()
    assert "Hydrogen peroxide" in page and f'value="{precursors["nitrate"].pk}"' in page


@pytest.mark.django_db
def test_inbox_page_refuses_an_unknown_precursor(login, inbox, ncp_ke):
    response = login(ncp_ke).get(reverse("exchange:inbox"), {"precursor": 999999})
    assert response.status_code == 200
    assert "precursor" in response.context["form"].errors


@pytest.mark.django_db
def test_api_inbox_filters_by_precursor_country_and_tlp(login, inbox, precursors, ncp_ke):
    client = login(ncp_ke)
    for filters, expected in _cases(precursors):
        response = client.get("/api/v1/exchange/inbox", filters)
        assert response.status_code == 200, response.content
        data = response.json()
        assert _names(inbox, [item["id"] for item in data["items"]]) == expected, filters
        assert data["count"] == len(expected), filters

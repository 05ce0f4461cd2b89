"""`/api/v1/reference`: reads for every role, PATCH for catalogue editors with the write scope."""

from __future__ import annotations

import json

import pytest

from shieldhub.accounts.models import ApiToken
from shieldhub.core.models import AuditEntry
from shieldhub.core.tokens import hash_token, new_token, token_prefix
from shieldhub.reference.models import CatalogueItem

API = "/api/v1/reference"


def bearer(user, scopes=("read",)):
    raw = new_token()
    ApiToken.objects.create(
        user=user, name="test", prefix=token_prefix(raw), token_hash=hash_token(raw), scopes=list(scopes)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_countries_list_paginated_and_filtered(ref, client, ncp_ke, django_assert_max_num_queries):
    auth = bearer(ncp_ke)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/countries", **auth).json()
    assert body["count"] == 251 and len(body["items"]) == 50
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/countries", {"page": 2, "page_size": 100}, **auth).json()
    assert len(body["items"]) == 100

    body = client.get(f"{API}/countries", {"region": "ESA", "wco_member": "true"}, **auth).json()
    assert body["count"] == 24
    ke = next(c for c in body["items"] if c["code"] == "KE")
    assert ke == {
        "code": "KE",
        "iso3": "KEN",
        "numeric": "404",
        "name_en": "Kenya",
        "name_fr": "Kenya",
        "wco_member": True,
        "wco_region": "ESA",
        "member_status": "member",
    }
    body = client.get(f"{API}/countries", {"q": "allemagne"}, **auth).json()
    assert [c["code"] for c in body["items"]] == ["DE"]


def test_country_detail_and_regions(ref, client, donor):
    auth = bearer(donor)
    xk = client.get(f"{API}/countries/xk", **auth).json()
    assert xk["name_en"] == "Kosovo" and xk["numeric"] == "" and xk["region"]["code"] == "EUR"
    assert client.get(f"{API}/countries/ZZ", **auth).json()["error"]["code"] == "not_found"
    regions = client.get(f"{API}/regions", **auth).json()
    assert {r["code"]: r["name_fr"] for r in regions}["WCA"] == "Afrique occidentale et centrale"


def test_hs_search_and_detail(ref, client, partner_interpol, django_assert_max_num_queries):
    auth = bearer(partner_interpol)
    body = client.get(f"{API}/hs", {"q": "2829.1"}, **auth).json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "code": "282911",
        "display_code": "2829.11",
        "description": "Chlorates; of sodium",
        "level": 6,
        "parent": "2829",
        "section": "VI",
    }
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/hs", {"q": "acid"}, **auth).json()
    assert body["count"] > 50 and len(body["items"]) == 50
    assert all("acid" in i["description"].lower() for i in body["items"])

    detail = client.get(f"{API}/hs/2829.11", **auth).json()
    assert [a["code"] for a in detail["ancestors"]] == ["28", "2829"]
    assert detail["children"] == []
    assert detail["catalogue_items"] == [
        {"code": "sodium-chlorate", "name_en": "Sodium chlorate", "name_fr": "Chlorate de sodium"}
    ]
    assert client.get(f"{API}/hs/123456", **auth).status_code == 404


def test_catalogue_list_search_and_detail(ref, client, ncp_fr, django_assert_max_num_queries):
    auth = bearer(ncp_fr)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/catalogue", **auth).json()
    assert body["count"] == 22
    body = client.get(f"{API}/catalogue", {"q": "salpetre d’ammonium"}, **auth).json()
    assert [i["code"] for i in body["items"]] == ["ammonium-nitrate"]
    body = client.get(f"{API}/catalogue", {"category": "ied-component"}, **auth).json()
    assert body["count"] == 7
    item = client.get(f"{API}/catalogue/nitric-acid", **auth).json()
    assert item["density_kg_per_l"] == "1.4100"
    assert item["hs_codes"] == ["280800"] and item["un_numbers"] == ["2031", "2032"]
    assert item["eu_annex"] == "annex-I"
    assert client.get(f"{API}/catalogue/nope", **auth).status_code == 404


def test_patch_catalogue_by_analyst_with_write_scope(ref, client, analyst):
    auth = bearer(analyst, scopes=("read", "write"))
    response = client.patch(
        f"{API}/catalogue/urea",
        data=json.dumps({"synonyms_es": ["urea", "carbamida", "urea perlada"], "hs_codes": ["3102.10"]}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["synonyms_es"] == ["urea", "carbamida", "urea perlada"]
    assert response.json()["name_en"] == "Urea"  # untouched fields stay
    entry = AuditEntry.objects.get(action="reference.catalogue_item.update")
    assert entry.changes == {"synonyms_es": [["urea", "carbamida"], ["urea", "carbamida", "urea perlada"]]}
    assert entry.extra["via"] == "api"


def test_patch_validation_error_is_422_with_details(ref, client, coordinator):
    auth = bearer(coordinator, scopes=("read", "write"))
    response = client.patch(
        f"{API}/catalogue/urea",
        data=json.dumps({"hs_codes": ["9999.99"], "cas": "1-2-3"}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "hs_codes" in error["details"] and "cas" in error["details"]
    assert CatalogueItem.objects.get(code="urea").hs_codes == ["310210"]


def test_patch_needs_the_write_scope(ref, client, analyst):
    response = client.patch(
        f"{API}/catalogue/urea",
        data=json.dumps({"name_en": "X"}),
        content_type="application/json",
        **bearer(analyst, scopes=("read",)),
    )
    assert response.status_code == 403
    assert "write" in response.json()["error"]["message"]
    assert CatalogueItem.objects.get(code="urea").name_en == "Urea"


@pytest.mark.parametrize("persona", ["ncp_fr", "trainer", "donor", "partner_interpol"], indirect=True)
def test_patch_needs_catalogue_edit(ref, client, persona):
    response = client.patch(
        f"{API}/catalogue/urea",
        data=json.dumps({"name_en": "X"}),
        content_type="application/json",
        **bearer(persona, scopes=("read", "write")),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert CatalogueItem.objects.get(code="urea").name_en == "Urea"


def test_session_auth_reads_and_patches(ref, login, analyst):
    client = login(analyst)
    assert client.get(f"{API}/currencies", {"q": "EUR"}).json()["items"][0]["code"] in {"EUR", "CHE"}
    response = client.patch(
        f"{API}/catalogue/urea", data=json.dumps({"notes": "Checked."}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["notes"] == "Checked."


def test_currencies(ref, client, donor, django_assert_max_num_queries):
    auth = bearer(donor)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/currencies", **auth).json()
    assert body["count"] > 150 and len(body["items"]) == 50
    usd = next(
        c
        for c in client.get(f"{API}/currencies", {"q": "dollar", "page_size": 100}, **auth).json()["items"]
        if c["code"] == "USD"
    )
    assert usd == {"code": "USD", "name": "US Dollar", "name_fr": "Dollar américain", "numeric": "840", "minor_unit": 2}


@pytest.mark.parametrize(
    ("params", "kg"),
    [
        ({"quantity": "2", "unit": "lbs"}, "0.90718474"),
        ({"quantity": "1.5", "unit": "MT"}, "1500.0"),
        ({"quantity": "10", "unit": "litres", "catalogue": "nitric-acid"}, "14.1"),
        ({"quantity": "10", "unit": "L", "catalogue": "nitric-acid", "density": "1.5"}, "15"),
        ({"quantity": "1", "unit": "gal", "density": "1"}, "3.785411784"),
    ],
)
def test_units_convert(ref, client, ncp_ke, params, kg):
    body = client.get(f"{API}/units/convert", params, **bearer(ncp_ke)).json()
    assert float(body["kg"]) == pytest.approx(float(kg))


def test_units_convert_reports_the_unit_and_density_used(ref, client, ncp_ke):
    body = client.get(
        f"{API}/units/convert", {"quantity": "500", "unit": "ml", "catalogue": "hydrogen-peroxide"}, **bearer(ncp_ke)
    ).json()
    assert body["unit"] == "mL" and body["dimension"] == "volume"
    assert body["density_kg_per_l"] == "1.1300" and float(body["kg"]) == pytest.approx(0.565)
    body = client.get(f"{API}/units/convert", {"quantity": "12", "unit": "pièces"}, **bearer(ncp_ke)).json()
    assert body["unit"] == "pcs" and body["kg"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"quantity": "3", "unit": "furlongs"}, "Unknown unit “furlongs”"),
        ({"quantity": "3", "unit": "ton"}, "Unknown unit “ton”"),
        ({"quantity": "3", "unit": "L"}, "A density (kg/L) is needed"),
        ({"quantity": "3", "unit": "L", "catalogue": "ammonium-nitrate"}, "A density (kg/L) is needed"),
        ({"quantity": "-3", "unit": "kg"}, "cannot be negative"),
    ],
)
def test_units_convert_errors_are_422_with_the_message(ref, client, ncp_ke, params, message):
    response = client.get(f"{API}/units/convert", params, **bearer(ncp_ke))
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


def test_units_list(ref, client, ncp_ke):
    units = client.get(f"{API}/units", **bearer(ncp_ke)).json()
    assert {"symbol": "gal", "dimension": "volume", "factor": "3.785411784"} in units


@pytest.mark.parametrize(
    "path",
    [
        "/countries",
        "/countries/FR",
        "/regions",
        "/hs?q=28",
        "/hs/2829",
        "/catalogue",
        "/catalogue/urea",
        "/currencies",
        "/units",
        "/units/convert?quantity=1&unit=kg",
    ],
)
def test_outsider_and_anonymous_are_refused(ref, client, outsider, path):
    assert client.get(API + path).status_code == 401
    # A no-role account's token is refused at authentication (no API_USE permission).
    assert client.get(API + path, **bearer(outsider)).status_code == 401

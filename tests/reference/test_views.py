"""Pages: content per persona, the edit form, the htmx HS search, access."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shieldhub.core.models import AuditEntry
from shieldhub.reference.models import CatalogueItem

LIST_URLS = [
    reverse("reference:catalogue-list"),
    reverse("reference:hs-search") + "?q=2829",
    reverse("reference:country-list"),
    reverse("reference:catalogue-detail", args=["urea"]),
    reverse("reference:hs-detail", args=["2829"]),
]
READERS = [
    "coordinator",
    "analyst",
    "trainer",
    "assistant",
    "admin_user",
    "ncp_fr",
    "ncp_ke",
    "partner_interpol",
    "donor",
]


@pytest.mark.parametrize("persona", READERS, indirect=True)
@pytest.mark.parametrize("url", LIST_URLS)
def test_every_role_reads_reference_pages(ref, login, persona, url):
    response = login(persona).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (reverse("reference:catalogue-list"), 403),
        (reverse("reference:hs-search"), 403),
        (reverse("reference:country-list"), 403),
        (reverse("reference:catalogue-detail", args=["urea"]), 404),
        (reverse("reference:hs-detail", args=["2829"]), 404),
        (reverse("reference:catalogue-edit", args=["urea"]), 404),
        (reverse("reference:catalogue-create"), 403),
    ],
)
def test_outsider_is_refused(ref, login, outsider, url, status):
    assert login(outsider).get(url).status_code == status


def test_anonymous_is_sent_to_login(ref, client):
    response = client.get(reverse("reference:catalogue-list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_catalogue_list_table_and_search(ref, login, ncp_fr):
    client = login(ncp_fr)
    html = client.get(reverse("reference:catalogue-list")).content.decode()
    assert "Ammonium nitrate" in html and "NH4NO3" in html and "6484-52-2" in html
    assert "UN1942" in html and "3102.30" in html and "Annex I (restricted)" in html
    assert reverse("reference:hs-detail", args=["310230"]) in html
    assert "New item" not in html  # NCPs do not edit

    html = client.get(reverse("reference:catalogue-list"), {"q": "eau oxygénée"}).content.decode()
    assert "Hydrogen peroxide" in html and "Ammonium nitrate" not in html
    html = client.get(reverse("reference:catalogue-list"), {"category": "ied-component"}).content.decode()
    assert "Detonating cords" in html and "Urea" not in html
    html = client.get(reverse("reference:catalogue-list"), {"q": "zzzz"}).content.decode()
    assert "No catalogue item matches this search." in html


def test_catalogue_list_in_french(ref, login, ncp_fr):
    ncp_fr.language = "fr"
    ncp_fr.save()
    html = login(ncp_fr).get(reverse("reference:catalogue-list")).content.decode()
    assert '<html lang="fr">' in html
    assert "Nitrate d&#x27;ammonium" in html and "Ammonium nitrate" not in html


def test_catalogue_list_query_count_is_constant(ref, login, analyst, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reference:catalogue-list")).status_code == 200


def test_catalogue_detail_shows_every_field(ref, login, ncp_ke):
    html = login(ncp_ke).get(reverse("reference:catalogue-detail", args=["hydrogen-peroxide"])).content.decode()
    for text in [
        "Hydrogen peroxide",
        "Peroxyde d",
        "H2O2",
        "7722-84-1",
        "UN2014",
        "2847.00",
        "1.13",
        "agua oxigenada",
        "eau oxygénée",
        "oxygenated water",
        "12% w/w",
        "Density given for 35%",
    ]:
        assert text in html, text
    assert reverse("reference:hs-detail", args=["284700"]) in html
    assert reverse("reference:catalogue-edit", args=["hydrogen-peroxide"]) not in html
    assert reverse("core:audit-list") not in html


def test_catalogue_detail_for_editors_links_edit_and_history(ref, login, coordinator, analyst):
    url = reverse("reference:catalogue-detail", args=["urea"])
    html = login(coordinator).get(url).content.decode()
    assert reverse("reference:catalogue-edit", args=["urea"]) in html
    assert reverse("core:audit-list") + "?object_type=reference.catalogueitem" in html
    html = login(analyst).get(url).content.decode()
    assert reverse("reference:catalogue-edit", args=["urea"]) in html
    assert reverse("core:audit-list") not in html  # analysts have no AUDIT_VIEW


def test_unknown_catalogue_item_is_404(ref, login, analyst):
    assert login(analyst).get(reverse("reference:catalogue-detail", args=["nope"])).status_code == 404


def test_analyst_edits_with_lists_one_per_line_or_semicolons(ref, login, analyst):
    client = login(analyst)
    url = reverse("reference:catalogue-edit", args=["acetone"])
    form = client.get(url).content.decode()
    assert "propanone\n2-propanone" in form  # lists shown one per line
    assert "2914.11" in form
    item = CatalogueItem.objects.get(code="acetone")
    response = client.post(
        url,
        {
            "category": "precursor",
            "name_en": "Acetone",
            "name_fr": "Acétone",
            "formula": "C3H6O",
            "cas": "67-64-1",
            "un_numbers": "1090",
            "hs_codes": "2914.11",
            "eu_annex": "annex-II",
            "eu_limit": "report only",
            "synonyms_en": "propanone\n2-propanone\nnail polish remover",
            "synonyms_fr": "acétone; propanone ;diméthylcétone",
            "synonyms_es": "acetona;propanona",
            "density_kg_per_l": "0.784",
            "notes": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reference:catalogue-detail", args=["acetone"])
    item.refresh_from_db()
    assert item.synonyms_en == ["propanone", "2-propanone", "nail polish remover"]
    assert item.synonyms_fr == ["acétone", "propanone", "diméthylcétone"]
    entry = AuditEntry.objects.get(action="reference.catalogue_item.update")
    assert set(entry.changes) == {"synonyms_en"}
    html = client.get(response["Location"]).content.decode()
    assert "The catalogue item was saved." in html and "nail polish remover" in html


def test_edit_form_shows_clear_errors_and_keeps_input(ref, login, coordinator):
    client = login(coordinator)
    url = reverse("reference:catalogue-edit", args=["urea"])
    response = client.post(
        url,
        {
            "category": "precursor",
            "name_en": "Urea",
            "cas": "57-13-7",
            "hs_codes": "3102.10\n9999.99",
            "un_numbers": "12",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "is not a valid CAS number" in html
    assert "Not in the HS 2022 nomenclature: 9999.99." in html or "9999.99" in html
    assert "3102.10\n9999.99" in html  # what was typed is kept
    assert CatalogueItem.objects.get(code="urea").cas == "57-13-6"
    assert not AuditEntry.objects.exists()


def test_edit_form_reports_unknown_hs_code_on_the_field(ref, login, analyst):
    response = login(analyst).post(
        reverse("reference:catalogue-edit", args=["urea"]),
        {"category": "precursor", "name_en": "Urea", "hs_codes": "9999.99", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Not in the HS 2022 nomenclature: 9999.99." in response.content.decode()


@pytest.mark.parametrize("persona", ["ncp_fr", "trainer", "donor", "partner_interpol", "assistant"], indirect=True)
def test_non_editors_cannot_edit_or_create(ref, login, persona):
    client = login(persona)
    assert client.get(reverse("reference:catalogue-edit", args=["urea"])).status_code == 403
    assert client.post(reverse("reference:catalogue-edit", args=["urea"]), {"name_en": "X"}).status_code == 403
    assert client.get(reverse("reference:catalogue-create")).status_code == 403
    assert CatalogueItem.objects.get(code="urea").name_en == "Urea"


def test_admin_creates_an_item(ref, login, admin_user):
    client = login(admin_user)
    assert "New catalogue item" in client.get(reverse("reference:catalogue-create")).content.decode()
    response = client.post(
        reverse("reference:catalogue-create"),
        {
            "code": "potassium-permanganate",
            "category": "precursor",
            "name_en": "Potassium permanganate",
            "cas": "7722-64-7",
            "hs_codes": "2841.61",
            "un_numbers": "1490",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    item = CatalogueItem.objects.get(code="potassium-permanganate")
    assert item.hs_codes == ["284161"]
    assert AuditEntry.objects.filter(action="reference.catalogue_item.create", object_id=str(item.pk)).exists()


def test_hs_search_page_without_js_and_with_htmx(ref, login, trainer):
    client = login(trainer)
    url = reverse("reference:hs-search")
    html = client.get(url).content.decode()
    assert 'hx-get="' + url + '"' in html and "keyup changed delay:300ms" in html
    assert "Type a code or some words" in html

    full = client.get(url, {"q": "2829.1"}).content.decode()
    assert "<html" in full and "2829.11" in full and "Chlorates; of sodium" in full and "Subheading" in full
    assert "2829.90" not in full

    partial = client.get(url, {"q": "chlorates sodium"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and "2829.11" in body and "2829.19" in body and "2 results" in body
    assert "HX-Request" in partial["Vary"]

    restore = client.get(url, {"q": "2829"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()

    none = client.get(url, {"q": "zebra crossing"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No HS code matches" in none


def test_hs_search_caps_results(ref, login, analyst):
    html = login(analyst).get(reverse("reference:hs-search"), {"q": "28"}).content.decode()
    assert "The first 50 results" in html
    assert html.count('href="/reference/hs/28') == 50


def test_hs_detail_shows_chain_children_and_catalogue(ref, login, donor):
    client = login(donor)
    html = client.get(reverse("reference:hs-detail", args=["2829"])).content.decode()
    assert "Chlorates and perchlorates" in html
    assert reverse("reference:hs-detail", args=["28"]) in html
    assert "2829.11" in html and "2829.90" in html
    assert "Sodium chlorate" in html and "Potassium perchlorate" in html
    html = client.get(reverse("reference:hs-detail", args=["2829.11"])).content.decode()
    assert "Chlorates; of sodium" in html and "Section VI" in html
    assert client.get(reverse("reference:hs-detail", args=["0000"])).status_code == 404


def test_country_list_filters_and_languages(ref, login, ncp_ke, django_assert_max_num_queries):
    client = login(ncp_ke)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reference:country-list")).content.decode()
    assert "251 countries" in html
    html = client.get(reverse("reference:country-list"), {"region": "ESA", "wco_member": "yes"}).content.decode()
    assert "24 countries" in html and "Kenya" in html and "East and Southern Africa" in html and "France" not in html
    html = client.get(reverse("reference:country-list"), {"q": "kosovo"}).content.decode()
    assert "Kosovo" in html and "XKX" in html and "Member" in html
    html = client.get(reverse("reference:country-list"), {"q": "EU"}).content.decode()
    assert "European Union" in html and "Special status" in html


def test_country_list_in_french(ref, login, ncp_fr):
    ncp_fr.language = "fr"
    ncp_fr.save()
    html = login(ncp_fr).get(reverse("reference:country-list"), {"region": "ESA"}).content.decode()
    assert "Afrique orientale et australe" in html and "East and Southern Africa" not in html
    html = login(ncp_fr).get(reverse("reference:country-list"), {"q": "DE"}).content.decode()
    assert "Allemagne" in html and "Germany" not in html


def test_catalogue_detail_converts_quantities_with_the_items_density(ref, login, ncp_fr):
    client = login(ncp_fr)
    url = reverse("reference:catalogue-detail", args=["nitric-acid"])
    html = client.get(url).content.decode()
    assert "Convert a quantity to kilograms" in html and "Leave empty to use 1.41 kg/L." in html
    assert html.count('id="convert-result"') == 1
    assert "<title>Nitric acid" in html
    html = client.get(url, {"quantity": "10", "unit": "litres"}).content.decode()
    assert "<html" in html and "10 L = 14.1 kg" in html and "at a density of 1.41 kg/L" in html
    partial = client.get(url, {"quantity": "2", "unit": "gal", "density": "1.5"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and "2 gal = 11.356 kg" in body
    body = client.get(url, {"quantity": "3", "unit": "lbs"}, HTTP_HX_REQUEST="true").content.decode()
    assert "3 lb = 1.361 kg" in body
    body = client.get(url, {"quantity": "3", "unit": "furlongs"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Unknown unit “furlongs”" in body
    body = client.get(url, {"quantity": "-3", "unit": "kg"}, HTTP_HX_REQUEST="true").content.decode()
    assert "msg-error" in body
    body = client.get(url, {"quantity": "4", "unit": "pièces"}, HTTP_HX_REQUEST="true").content.decode()
    assert "a count, not a mass" in body


def test_converter_needs_a_density_for_volumes_of_solids(ref, login, analyst):
    url = reverse("reference:catalogue-detail", args=["ammonium-nitrate"])
    client = login(analyst)
    assert "this item has no density on file" in client.get(url).content.decode()
    body = client.get(url, {"quantity": "5", "unit": "L"}, HTTP_HX_REQUEST="true").content.decode()
    assert "A density (kg/L) is needed" in body
    body = client.get(url, {"quantity": "5", "unit": "L", "density": "0.8"}, HTTP_HX_REQUEST="true").content.decode()
    assert "5 L = 4 kg" in body


def test_code_new_is_reserved(ref, login, analyst):
    response = login(analyst).post(
        reverse("reference:catalogue-create"), {"code": "new", "category": "other", "name_en": "New thing"}
    )
    assert response.status_code == 200 and "This code is reserved" in response.content.decode()
    assert not CatalogueItem.objects.filter(code="new").exists()

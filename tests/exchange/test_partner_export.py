"""Partner export: STIX 2.1 bundles (validated with stix2) and MISP events, only where releasability
and handling allow, with personal data removed, audited, on the service, the pages and the API."""

from __future__ import annotations

import json

import pytest
import stix2
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from shieldhub.core.models import AuditEntry
from shieldhub.directory import selectors as directory
from shieldhub.exchange import forwarding, partner_export, services
from shieldhub.exchange.services import Distribution
from shieldhub.reference.models import CatalogueItem

pytestmark = pytest.mark.django_db

BODY = (
    "Claire Martin reports 1 200 000 kg seized on 2025-03-01 (HS 3102.30, CAS 6484-52-2).\n"
    "Call +33 6 12 34 56 78 or 0612345678, or write to claire.martin@douane.example.\n"
    "Contact John Otieno for the Kenyan side. <script>alert(1)</script>"
)


@pytest.fixture
def nitrate(db):
    return CatalogueItem.objects.create(
        code="ammonium-nitrate-test", category="precursor", name_en="Ammonium nitrate", cas="6484-52-2"
    )


@pytest.fixture
def alert(ncp_fr, ncp_ke, coordinator, nitrate, send):
    return send(
        ncp_fr,
        countries=["KE"],
        users=[coordinator],
        involved=[("FR", "origin"), ("KE", "destination")],
        subject="Diversion reported by ncp.fr@test.example",
        body=BODY,
        tlp="amber",
        handling_code="not_for_court",
        source_reliability="B",
        information_credibility="2",
        releasable_interpol=True,
        precursors=[nitrate.pk],
        hs_codes=["3102.30"],
    )


def _text(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def _assert_no_personal_data(data, *users):
    text = _text(data)
    for user in users:
        assert user.email not in text and user.full_name not in text
    for fragment in ("+33 6 12", "0612345678", "douane.example", "<script>", "alert(1)"):
        assert fragment not in text, fragment


# --- STIX 2.1 -----------------------------------------------------------------------------------


def test_stix_bundle_is_valid_and_complete(alert, ncp_fr, ncp_ke, coordinator, nitrate):
    data = partner_export.export_stix(actor=ncp_fr, message=alert, partner="interpol")
    bundle = stix2.parse(json.dumps(data), allow_custom=True)
    assert isinstance(bundle, stix2.v21.Bundle)
    by_type: dict[str, list] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert sorted(by_type) == ["identity", "location", "marking-definition", "note", "report"]

    identity = by_type["identity"][0]
    assert isinstance(identity, stix2.v21.Identity) and identity.name == "WCO Programme Global Shield"
    marking = by_type["marking-definition"][0]
    assert marking.id == "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" and marking.name == "TLP:AMBER"
    assert marking.extensions[partner_export.TLP2_EXTENSION]["tlp_2_0"] == "amber"

    report = by_type["report"][0]
    assert isinstance(report, stix2.v21.Report)
    assert report.name == "Diversion reported by [removed]"
    assert report.created_by_ref == identity.id and report.object_marking_refs == [marking.id]
    assert report.published == alert.sent_at and report.report_types == ["threat-report"]
    assert "pgs-handling:not_for_court" in report.labels and "pgs-precursor:ammonium-nitrate-test" in report.labels
    assert report.x_pgs_hs_codes == ["3102.30"] and report.x_pgs_handling_code == "not_for_court"
    assert (report.x_pgs_source_reliability, report.x_pgs_information_credibility) == ("B", "2")
    assert report.x_pgs_precursors == [
        {"code": "ammonium-nitrate-test", "name": "Ammonium nitrate", "cas": "6484-52-2"}
    ]
    assert report.x_pgs_reporting_country == "FR"
    # the body, personal data removed, the rest kept
    assert "1 200 000 kg seized on 2025-03-01 (HS 3102.30, CAS 6484-52-2)" in report.description
    assert report.description.count("[removed]") >= 5
    refs = set(report.object_refs)
    locations = {loc.country: loc for loc in by_type["location"]}
    assert set(locations) == {"FR", "KE"} and {loc.id for loc in locations.values()} <= refs
    assert "origin" in locations["FR"].description and "reporting" in locations["FR"].description
    assert "destination" in locations["KE"].description
    notes = {note.abstract: note for note in by_type["note"]}
    assert {note.id for note in notes.values()} <= refs
    handling = notes["Handling and grading"].content
    assert "TLP:AMBER" in handling and "Not for use in court without consent" in handling
    assert "B – Usually reliable" in handling and "2 – Probably true" in handling and "INTERPOL" in handling
    assert "Kenya (KE): destination" in notes["Countries involved"].content
    for obj in [report, *by_type["note"], *by_type["location"]]:
        assert obj.created_by_ref == identity.id
    _assert_no_personal_data(data, ncp_fr, ncp_ke, coordinator)


def test_stix_ids_are_stable_across_exports(alert, ncp_fr):
    first = partner_export.export_stix(actor=ncp_fr, message=alert, partner="interpol")
    second = partner_export.export_stix(actor=ncp_fr, message=alert, partner="interpol")
    ids = [sorted(o["id"] for o in b["objects"]) for b in (first, second)]
    assert ids[0] == ids[1] and first["id"] != second["id"]


@pytest.mark.parametrize(
    ("tlp", "marking_id", "misp_tag"),
    [
        ("clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "tlp:clear"),
        ("green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "tlp:green"),
        ("amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "tlp:amber"),
        ("amber_strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "tlp:amber+strict"),
    ],
)
def test_tlp_2_markings(ncp_fr, ncp_ke, send, tlp, marking_id, misp_tag):
    message = send(ncp_fr, countries=["KE"], tlp=tlp, releasable_unodc=True)
    data = partner_export.export_stix(actor=ncp_fr, message=message, partner="unodc")
    bundle = stix2.parse(json.dumps(data), allow_custom=True)
    markings = [o for o in bundle.objects if o.type == "marking-definition"]
    assert [m.id for m in markings] == [marking_id]
    report = next(o for o in bundle.objects if o.type == "report")
    assert report.object_marking_refs == [marking_id]
    misp = partner_export.export_misp(actor=ncp_fr, message=message, partner="unodc")
    assert {"name": misp_tag} in misp["Event"]["Tag"]


# --- MISP ---------------------------------------------------------------------------------------


def test_misp_event_structure(alert, ncp_fr, ncp_ke, coordinator):
    data = partner_export.export_misp(actor=coordinator, message=alert, partner="interpol")
    event = data["Event"]
    assert event["info"] == "Diversion reported by [removed]"
    assert event["date"] == alert.sent_at.date().isoformat()
    assert event["threat_level_id"] == "2" and event["analysis"] == "2" and event["distribution"] == "0"
    assert event["Orgc"]["name"] == "WCO Programme Global Shield"
    tags = {t["name"] for t in event["Tag"]}
    assert {
        "tlp:amber",
        'pgs:handling-code="not-for-court"',
        'pgs:precursor="Ammonium nitrate"',
        'pgs:origin-country="FR"',
        'pgs:reporting-country="FR"',
        'pgs:destination-country="KE"',
        'pgs:releasable-to="interpol"',
        'admiralty-scale:source-reliability="b"',
        'admiralty-scale:information-credibility="2"',
    } <= tags
    attributes = {(a["type"], a["comment"]): a for a in event["Attribute"]}
    body = attributes[("text", "Message text (personal data removed)")]["value"]
    assert "1 200 000 kg seized on 2025-03-01" in body and "[removed]" in body
    assert attributes[("text", "HS code")]["value"] == "3102.30"
    assert attributes[("text", "CAS number of Ammonium nitrate")]["value"] == "6484-52-2"
    assert all(a["to_ids"] is False for a in event["Attribute"])
    countries = {
        next(a["value"] for a in o["Attribute"] if a["object_relation"] == "countrycode"): o for o in event["Object"]
    }
    assert set(countries) == {"FR", "KE"} and all(o["name"] == "geolocation" for o in event["Object"])
    _assert_no_personal_data(data, ncp_fr, ncp_ke, coordinator)


def test_scrub_keeps_dates_codes_and_quantities():
    text = "On 2025-03-01, 12 500 kg (HS 3102.30.00, CAS 6484-52-2) ref 12345; tel. (020) 7946 0958, +254 20 123456"
    assert partner_export.scrub(text) == (
        "On 2025-03-01, 12 500 kg (HS 3102.30.00, CAS 6484-52-2) ref 12345; tel. [removed], [removed]"
    )
    assert partner_export.scrub("Ask Jane Doe or jane@x.org", ["Jane Doe"]) == "Ask [removed] or [removed]"


def test_forwarded_chain_names_are_removed(alert, ncp_fr, ncp_ke, ncp_de):
    forward = forwarding.message_forward(
        actor=ncp_fr, message=alert, distribution=Distribution(countries=["DE"]), note="Also for Germany"
    )
    data = partner_export.export_misp(actor=ncp_fr, message=forward, partner="interpol")
    _assert_no_personal_data(data, ncp_fr, ncp_ke, ncp_de)
    assert "From [removed] (France)" in data["Event"]["Attribute"][0]["value"]


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [partner_export.export_stix, partner_export.export_misp])
def test_refused_unless_releasable_sent_and_not_red(export, ncp_fr, ncp_ke, send):
    not_releasable = send(ncp_fr, countries=["KE"], releasable_unodc=True)
    with pytest.raises(ValidationError, match="not releasable to INTERPOL"):
        export(actor=ncp_fr, message=not_releasable, partner="interpol")
    red = send(ncp_fr, countries=["KE"], tlp="red", releasable_interpol=True)
    with pytest.raises(ValidationError, match="TLP:RED"):
        export(actor=ncp_fr, message=red, partner="interpol")
    withdrawn = send(ncp_fr, countries=["KE"], releasable_interpol=True)
    services.message_withdraw(actor=ncp_fr, message=withdrawn, note="Wrong")
    withdrawn.refresh_from_db()
    with pytest.raises(ValidationError, match="Only a sent message"):
        export(actor=ncp_fr, message=withdrawn, partner="interpol")
    customs = send(ncp_fr, countries=["KE"], releasable_interpol=True, handling_code="customs_only")
    with pytest.raises(ValidationError, match="Customs use only"):
        export(actor=ncp_fr, message=customs, partner="interpol")
    with pytest.raises(ValidationError):
        export(actor=ncp_fr, message=not_releasable, partner="europol")
    assert not AuditEntry.objects.filter(action="exchange.message_export").exists()


def test_who_may_export(alert, ncp_fr, ncp_ke, coordinator, analyst, ncp_de, send):
    # a recipient NCP is not the sender nor the secretariat
    with pytest.raises(PermissionDenied):
        partner_export.export_stix(actor=ncp_ke, message=alert, partner="interpol")
    # the coordinator received it: may export
    assert partner_export.export_stix(actor=coordinator, message=alert, partner="interpol")["type"] == "bundle"
    # the analyst did not receive it: 404, as for anyone who may not see it
    for user in (analyst, ncp_de):
        with pytest.raises(Http404):
            partner_export.export_misp(actor=user, message=alert, partner="interpol")
    # consent-based codes: only the originator releases
    no_onward = send(ncp_fr, users=[coordinator], releasable_interpol=True, handling_code="no_onward_sharing")
    with pytest.raises(ValidationError, match="originator"):
        partner_export.export_misp(actor=coordinator, message=no_onward, partner="interpol")
    assert partner_export.export_misp(actor=ncp_fr, message=no_onward, partner="interpol")["Event"]


def test_each_export_is_audited(alert, ncp_fr, coordinator):
    partner_export.export_stix(actor=ncp_fr, message=alert, partner="interpol")
    partner_export.export_misp(actor=coordinator, message=alert, partner="interpol")
    entries = AuditEntry.objects.filter(action="exchange.message_export").order_by("seq")
    assert [(e.actor_id, e.object_id, e.extra["partner"], e.extra["format"]) for e in entries] == [
        (ncp_fr.pk, str(alert.pk), "interpol", "stix"),
        (coordinator.pk, str(alert.pk), "interpol", "misp"),
    ]
    assert all(len(e.extra["sha256"]) == 64 for e in entries)


# --- pages and API ------------------------------------------------------------------------------


def test_download_pages(login, alert, ncp_fr, ncp_ke, coordinator, send):
    url = reverse("exchange:message-export", args=[alert.pk, "interpol", "stix"])
    response = login(ncp_fr).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="pgs-message-{alert.pk}-interpol.stix.json"'
    stix2.parse(response.content.decode(), allow_custom=True)
    misp = login(coordinator).get(reverse("exchange:message-export", args=[alert.pk, "interpol", "misp"]))
    assert misp.status_code == 200 and misp.json()["Event"]["info"] == "Diversion reported by [removed]"
    assert login(ncp_ke).get(url).status_code == 403
    refused = login(ncp_fr).get(reverse("exchange:message-export", args=[alert.pk, "unodc", "stix"]))
    assert refused.status_code == 302 and refused.url == reverse("exchange:message-detail", args=[alert.pk])
    for bad in (("europol", "stix"), ("interpol", "csv")):
        assert login(ncp_fr).get(reverse("exchange:message-export", args=[alert.pk, *bad])).status_code == 404
    assert AuditEntry.objects.filter(action="exchange.message_export").count() == 2


def test_export_buttons_on_the_message_page(login, alert, ncp_fr, ncp_ke):
    url = reverse("exchange:message-export", args=[alert.pk, "interpol", "stix"]).encode()
    assert url in login(ncp_fr).get(reverse("exchange:message-detail", args=[alert.pk])).content
    assert url not in login(ncp_ke).get(reverse("exchange:message-detail", args=[alert.pk])).content
    assert b"/export/unodc/" not in login(ncp_fr).get(reverse("exchange:message-detail", args=[alert.pk])).content


def test_export_api(login, alert, ncp_fr, ncp_ke, analyst, send):
    path = f"/api/v1/exchange/messages/{alert.pk}/export/interpol"
    stix = login(ncp_fr).get(f"{path}/stix")
    assert stix.status_code == 200, stix.content
    stix2.parse(stix.content.decode(), allow_custom=True)
    misp = login(ncp_fr).get(f"{path}/misp")
    assert misp.status_code == 200 and "Event" in misp.json()
    _assert_no_personal_data(misp.json(), ncp_fr, ncp_ke)
    denied = login(ncp_ke).get(f"{path}/stix")
    assert denied.status_code == 403 and "coordinators and analysts" in denied.json()["error"]["message"]
    assert login(analyst).get(f"{path}/stix").status_code == 404
    assert login(ncp_fr).get(f"{path}/xml").status_code == 404
    red = send(ncp_fr, countries=["KE"], tlp="red", releasable_interpol=True)
    refused = login(ncp_fr).get(f"/api/v1/exchange/messages/{red.pk}/export/interpol/stix")
    assert refused.status_code == 422 and "TLP:RED" in str(refused.json()["error"]["details"])
    assert AuditEntry.objects.filter(action="exchange.message_export").count() == 2


@pytest.mark.parametrize(
    "persona",
    ["ncp_ke", "coordinator", "analyst", "trainer", "assistant", "admin_user", "partner_interpol", "donor", "outsider"],
    indirect=True,
)
def test_nobody_outside_the_distribution_exports(login, persona, ncp_fr, ncp_de, europe, send):
    message = send(ncp_fr, communities=[europe], releasable_interpol=True, releasable_unodc=True)
    client = login(persona)
    for partner in ("interpol", "unodc"):
        for fmt in ("stix", "misp"):
            page = client.get(reverse("exchange:message-export", args=[message.pk, partner, fmt]))
            assert page.status_code in (403, 404)
            api = client.get(f"/api/v1/exchange/messages/{message.pk}/export/{partner}/{fmt}")
            assert api.status_code in (401, 403, 404)
    assert not AuditEntry.objects.filter(action="exchange.message_export").exists()


def test_directory_contacts_named_in_the_text_are_removed(ncp_fr, ncp_ke, send):
    from tests.factories import PersonFactory

    PersonFactory(given_name="Amina", family_name="Wanjiru", country="KE")  # a contact with no account
    PersonFactory(given_name="Paul", family_name="Durand", country="FR")  # not named: untouched text
    message = send(ncp_fr, countries=["KE"], subject="Nitrate at Mombasa", tlp="green", releasable_interpol=True,
                   body="Amina Wanjiru of KRA confirmed the consignee. Durand-type drums, 25 kg each.")  # fmt: skip
    data = partner_export.export_misp(actor=ncp_fr, message=message, partner="interpol")
    text = json.dumps(data)
    assert "Wanjiru" not in text and "[removed] of KRA confirmed the consignee" in text
    assert "Durand-type drums, 25 kg each" in text
    assert (
        partner_export.scrub("Call Amina Wanjiru", directory.contact_names_in("Call Amina Wanjiru")) == "Call [removed]"
    )

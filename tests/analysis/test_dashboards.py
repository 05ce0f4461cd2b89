"""Dashboards: a known data set gives known figures on the page, in the CSV and XLSX exports and in
the API; small cells are suppressed for NCPs; an NCP's dashboards and exports reveal no other
country's record detail; the rising signal; the query count of a page."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shieldhub.exchange.services import Distribution
from shieldhub.seizures import analytics
from shieldhub.seizures import services as seizure_services
from shieldhub.shipments import services as shipment_services
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import record_data
from tests.shipments.conftest import shipment_data

pytestmark = pytest.mark.django_db

SECRET_REF = "QK-SECRET-77"
SECRET_NARRATIVE = "Marmalade-unicorn narrative"
SECRET_COMPANY = "Platypus Chemicals SARL"
SECRET_OFFICE = "Quokka-Harbour office"


@pytest.fixture
def catalogue(reference_tables):  # noqa: F811
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


@pytest.fixture
def known(ncp_fr, ncp_ke, catalogue):
    """France: 4 submitted seizures of 24 t of ammonium nitrate (route AE → FR), concealment
    "=HYPERLINK(...)"; Kenya: 1 theft; a Kenyan draft (not counted). Shipments: 3 from France to
    Kenya (24 t each), Kenya answered 2 of the verification requests."""
    from shieldhub.exchange.services import Distribution

    secret = {
        "national_reference": SECRET_REF,
        "narrative": SECRET_NARRATIVE,
        "office_name": SECRET_OFFICE,
        "parties": [{"role": "consignor", "name": SECRET_COMPANY, "country": "FR"}],
        "concealment": '=HYPERLINK("http://x","y")',
    }
    made = []
    for _ in range(4):
        incident = seizure_services.incident_create(actor=ncp_fr, data=record_data(catalogue, **secret))
        made.append(seizure_services.incident_submit(actor=ncp_fr, incident=incident, distribution=Distribution()))
    theft = seizure_services.incident_create(
        actor=ncp_ke, data=record_data(catalogue, reporting_country="KE", incident_type="theft", **secret)
    )
    made.append(seizure_services.incident_submit(actor=ncp_ke, incident=theft, distribution=Distribution()))
    seizure_services.incident_create(actor=ncp_ke, data=record_data(catalogue, reporting_country="KE"))
    shipments = []
    for _ in range(3):
        s = shipment_services.shipment_create(
            actor=ncp_fr, data=shipment_data(catalogue, end_user={"name": SECRET_COMPANY})
        )
        shipments.append(shipment_services.shipment_notify(actor=ncp_fr, shipment=s))
    for s in shipments[:2]:
        shipment_services.verification_answer(actor=ncp_ke, shipment=s, answer="confirmed")
    return {"incidents": made, "shipments": shipments}


def _panel(api_json, key):
    return next(p for p in api_json["panels"] if p["key"] == key)


def test_known_totals_on_the_page_exports_and_api(login, analyst, known):
    client = login(analyst)
    page = client.get(reverse("analysis:dashboard", args=["seizures"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="seizures-total">5<' in html
    assert 'data-figure="seizures-kg">120,000<' in html
    assert 'data-figure="shipments-total">3<' in html
    assert 'class="vega-spec"' in html and "<script src=" in html and "charts.js" in html

    csv = client.get(reverse("analysis:dashboard-export", args=["seizures", "country", "csv"])).content.decode(
        "utf-8-sig"
    )
    lines = csv.splitlines()
    assert lines[0] == "Country,Records,Kilograms"
    assert "France,4,96000.0" in lines and "Kenya,1,24000.0" in lines

    xlsx = client.get(reverse("analysis:dashboard-export", args=["seizures", "concealment", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ['\'=HYPERLINK("http://x","y")', 5, 120000.0]  # formula made inert

    api = client.get("/api/v1/analysis/dashboards/seizures").json()
    assert api["totals"]["seizures"] == {"n": 5, "kg": 120000.0}
    by_country = {r["key"]: (r["n"], r["kg"]) for r in _panel(api, "country")["rows"]}
    assert by_country == {"FR": (4, 96000.0), "KE": (1, 24000.0)}
    assert {r["key"]: r["n"] for r in _panel(api, "routes")["rows"]} == {"AE>FR": 5}

    ships = client.get("/api/v1/analysis/dashboards/shipments").json()
    verification = _panel(ships, "verification")["rows"]
    assert verification[0]["key"] == "KE" and verification[0]["n"] == 3 and verification[0]["answered"] == 2
    assert verification[0]["rate"] == 67
    assert _panel(ships, "shipment-routes")["rows"][0]["kg"] == 72000.0


def test_filters_in_the_url(login, analyst, known):
    client = login(analyst)
    api = client.get("/api/v1/analysis/dashboards/seizures/country?incident_type=theft").json()
    assert [(r["key"], r["n"]) for r in api["rows"]] == [("KE", 1)]
    html = client.get(reverse("analysis:dashboard", args=["seizures"]) + "?country=KE").content.decode()
    assert 'data-figure="seizures-total">1<' in html
    partial = client.get(
        reverse("analysis:dashboard", args=["seizures"]) + "?country=KE",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-panels",
    ).content.decode()
    assert partial.lstrip().startswith('<div id="dashboard-panels">') and "<html" not in partial
    empty = client.get("/api/v1/analysis/dashboards/seizures?date_from=2027-01-01").json()
    assert empty["totals"]["seizures"]["n"] == 0


def test_small_cells_are_suppressed_for_ncps(ncp_ke, ncp_fr, analyst, known):
    f = analytics.Filters()
    assert {r["key"]: r["n"] for r in analytics.by_country(user=ncp_ke, filters=f)} == {"FR": None, "KE": None}
    assert {r["key"]: r["n"] for r in analytics.by_country(user=analyst, filters=f)} == {"FR": 4, "KE": 1}
    # Another country alone: still suppressed; one's own country alone: every record is theirs to see
    assert analytics.totals(user=ncp_ke, filters=analytics.Filters(country="FR")) == {"n": 4, "kg": 96000.0}
    assert analytics.by_field(user=ncp_ke, filters=analytics.Filters(country="FR"), name="incident_type") == [
        {"key": "seizure", "label": "Seizure", "n": 4, "kg": 96000.0}
    ]
    assert analytics.totals(user=ncp_fr, filters=analytics.Filters(country="KE")) == {"n": None, "kg": None}
    assert analytics.totals(user=ncp_ke, filters=analytics.Filters(country="KE")) == {"n": 1, "kg": 24000.0}


SHIPMENT_SECRETS = (
    "FR-PEN-2026-0117",  # the exporting country's notification number
    "Chimie du Rhône SA",
    "Nairobi Agro Supplies Ltd",
    "KE-PVT-4411",
    "Blending of fertiliser",
)


def _export_text(content: bytes, fmt: str) -> str:
    """An export as text to search: every cell value of every sheet of an XLSX (the file is a zip, so
    its bytes never show a cell's text), the CSV or SVG as decoded text."""
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
            if value is not None
        )  # fmt: skip
    return content.decode("utf-8-sig")


def test_export_text_reads_the_cells_of_an_xlsx():
    from shieldhub.core import spreadsheets

    content = spreadsheets.write_xlsx([["France", SECRET_COMPANY]], ["Country", "Party"])
    assert SECRET_COMPANY not in content.decode("latin-1")  # why the bytes cannot be searched
    assert SECRET_COMPANY in _export_text(content, "xlsx") and "Country" in _export_text(content, "xlsx")


@pytest.mark.parametrize("persona", ["ncp_ke", "donor", "partner_interpol"], indirect=True)
def test_ncp_dashboards_and_exports_reveal_no_other_country_detail(login, persona, known):
    client = login(persona)
    france = [i for i in known["incidents"] if str(i.reporting_country) == "FR"]
    texts = [
        client.get(reverse("analysis:dashboard", args=[name])).content.decode() for name in ("seizures", "shipments")
    ]
    for name in ("seizures", "shipments"):
        texts.append(json.dumps(client.get(f"/api/v1/analysis/dashboards/{name}").json()))
    exports = [("seizures", key) for key in ("records", "concealment", "country", "routes")]
    exports += [("shipments", key) for key in ("volumes", "shipment-routes", "shipments-time", "verification")]
    for name, key in exports:
        headings = [h for _f, h in client.get(f"/api/v1/analysis/dashboards/{name}/{key}").json()["columns"]]
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse("analysis:dashboard-export", args=[name, key, fmt]))
            assert response.status_code == 200, (name, key, fmt)
            text = _export_text(response.content, fmt)
            assert all(h in text for h in headings), (name, key, fmt)  # the file was read, not just its bytes
            texts.append(text)
    svg = client.get(reverse("analysis:dashboard-export", args=["shipments", "volumes", "svg"]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    texts.append(_export_text(svg.content, "svg"))
    assert "<svg" in texts[-1] and "Ammonium nitrate" in texts[-1]
    texts.append(client.get(reverse("analysis:country", args=["FR"])).content.decode())
    texts.append(json.dumps(client.get("/api/v1/analysis/countries/FR").json()))
    shipment_refs = [s.reference for s in known["shipments"]]
    for text in texts:
        for secret in (SECRET_REF, SECRET_NARRATIVE, SECRET_COMPANY, SECRET_OFFICE, "Gulf Agro", "Karim"):
            assert secret not in text
        for secret in (*SHIPMENT_SECRETS, *shipment_refs):
            assert secret not in text
        for incident in france:
            assert incident.reference not in text
    own = next(i for i in known["incidents"] if str(i.reporting_country) == "KE")
    records = client.get("/api/v1/analysis/dashboards/seizures/records").json()["rows"]
    if persona.country == "KE":
        assert [r["reference"] for r in records] == [own.reference]  # their own country in full
    else:
        assert records == []


def test_rising_signal_method():
    last = dt.date(2026, 10, 1)
    months = [analytics.month_add(last, -i) for i in range(15)]
    steady = {m: 1 for m in months}  # 1 a month: 3 expected in the last three months
    rising = {**{m: 1 for m in months[3:]}, months[0]: 6, months[1]: 5, months[2]: 4}  # 15 against 3
    new = {months[0]: 2, months[1]: 1}  # 3 records from nothing: below the minimum count
    signals = analytics.rising_signals({"steady": steady, "rising": rising, "new": new}, last_month=last)
    assert [s["key"] for s in signals] == ["rising"]
    assert (
        signals[0]["recent"] == 15 and signals[0]["expected"] == 3.0 and signals[0]["z"] == pytest.approx(6.9, abs=0.1)
    )


def test_rising_panel_states_its_method(login, analyst, known):
    html = login(analyst).get(reverse("analysis:dashboard", args=["seizures"])).content.decode()
    assert "Poisson" in html and "z ≥ 3.0" in html


def test_rising_panel_flags_a_country_that_rises_from_its_records(login, analyst, ncp_fr, ncp_ke, catalogue):
    """Kenya: nothing for twelve months, then six records in the last three complete months (z ≈ 6.1);
    France: one record a month for fifteen months (z = 0). Written through the services."""
    from shieldhub.core.summaries import month_start
    from shieldhub.seizures.summaries import TABLE

    last = analytics.month_add(month_start(dt.date.today()), -1)
    with TABLE.batch():
        for back in range(15):
            day = analytics.month_add(last, -back).replace(day=10)
            record = seizure_services.incident_create(actor=ncp_fr, data=record_data(catalogue, occurred_on=day))
            seizure_services.incident_submit(actor=ncp_fr, incident=record, distribution=Distribution())
            if back < 3:
                for _ in range(2):
                    record = seizure_services.incident_create(
                        actor=ncp_ke, data=record_data(catalogue, reporting_country="KE", occurred_on=day)
                    )
                    seizure_services.incident_submit(actor=ncp_ke, incident=record, distribution=Distribution())
    rows = login(analyst).get("/api/v1/analysis/dashboards/seizures/rising").json()["rows"]
    countries = [(r["key"], r["recent"], r["expected"]) for r in rows if r["kind"] == "Country"]
    assert countries == [("KE", 6, 0.8)]  # λ floored at 0.25 a month: 3 x 0.25
    assert rows[0]["z"] == 6.1
    # the precursor both countries seized: 9 in three months against 1 a month before
    precursors = [(r["recent"], r["expected"]) for r in rows if r["kind"] == "Precursor"]
    assert precursors == [(9, 3.0)]


def test_png_and_svg_downloads(login, analyst, known):
    client = login(analyst)
    svg = client.get(reverse("analysis:dashboard-export", args=["seizures", "country", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"France" in svg.content
    png = client.get(reverse("analysis:dashboard-export", args=["seizures", "map", "png"]))
    assert png.content[:4] == b"\x89PNG"
    assert client.get(reverse("analysis:dashboard-export", args=["seizures", "records", "png"])).status_code == 404
    assert client.get(reverse("analysis:dashboard-export", args=["seizures", "nope", "csv"])).status_code == 404


def test_outsider_and_anonymous(client, login, outsider):
    assert client.get(reverse("analysis:dashboards")).status_code == 302
    assert login(outsider).get(reverse("analysis:dashboards")).status_code in (403, 404)


def test_query_count(login, analyst, known, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(60):
        assert client.get(reverse("analysis:dashboard", args=["seizures"])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("analysis:dashboard", args=["shipments"])).status_code == 200


def test_no_chart_when_every_cell_is_suppressed(login, ncp_ke, analyst, known):
    url = reverse("analysis:dashboard", args=["seizures"])
    ncp_page = login(ncp_ke).get(url).content.decode()
    assert 'data-target="chart-time-country"' not in ncp_page  # France 4, Kenya 1: both hidden
    assert 'data-target="chart-over-time"' in ncp_page  # one month of 5 records
    analyst_page = login(analyst).get(url).content.decode()
    assert 'data-target="chart-time-country"' in analyst_page
    # a table of dashes is folded away behind one sentence that says why
    panel = ncp_page.split('id="panel-time-country"')[1].split("</section>")[0]
    assert "data-all-suppressed" in panel and '<details class="chart-table">' in panel
    over_time = ncp_page.split('id="panel-over-time"')[1].split("</section>")[0]
    assert "data-all-suppressed" not in over_time
    assert "data-all-suppressed" not in analyst_page


# --- filters each dashboard applies ------------------------------------------------------------------


def test_shipments_dashboard_shows_only_the_filters_it_applies(login, analyst, known):
    client = login(analyst)
    seizures = client.get(reverse("analysis:dashboard", args=["seizures"])).content.decode()
    shipments = client.get(reverse("analysis:dashboard", args=["shipments"])).content.decode()
    for name in ("incident_type", "operation"):
        assert f'name="{name}"' in seizures
        assert f'name="{name}"' not in shipments
    for name in ("date_from", "date_to", "precursor", "region", "country"):
        assert f'name="{name}"' in shipments
    # the shipments figures do not pretend to apply them: the same with or without
    api = "/api/v1/analysis/dashboards/shipments"
    plain = client.get(api).json()
    assert client.get(api, {"incident_type": "theft", "operation": 999}).json() == plain
    assert plain["totals"]["shipments"] == {"n": 3, "kg": 72000.0}


# --- known figures of the panels ---------------------------------------------------------------------


@pytest.fixture
def operation(known, ncp_fr, catalogue):
    """On top of `known`: an operation with 3 French seizures found by a dog in vehicles (24 t each)."""
    from shieldhub.exchange.services import Distribution
    from tests.factories import CommunityFactory

    op = CommunityFactory(name="Operation Tamarind", slug="op-tamarind", kind="operation")
    for n in range(3):
        data = record_data(catalogue, detection_method="canine", conveyance="vehicle", operation=op.pk,
                           national_reference=f"FR-OP-{n}")  # fmt: skip
        incident = seizure_services.incident_create(actor=ncp_fr, data=data)
        seizure_services.incident_submit(actor=ncp_fr, incident=incident, distribution=Distribution())
    return op


def _rows(client, name, key, **params):
    return {
        r["key"]: (r["n"], r["kg"])
        for r in client.get(f"/api/v1/analysis/dashboards/{name}/{key}", params).json()["rows"]
    }


def test_detection_method_and_conveyance_panels(login, analyst, operation):
    client = login(analyst)
    # 5 records of `known` (risk profiling, vessel), 3 of the operation (canine, vehicle); 24 t each
    assert _rows(client, "seizures", "detection-method") == {"risk_profiling": (5, 120000.0), "canine": (3, 72000.0)}
    assert _rows(client, "seizures", "conveyance") == {"vessel": (5, 120000.0), "vehicle": (3, 72000.0)}
    html = client.get(reverse("analysis:dashboard", args=["seizures"])).content.decode()
    assert 'data-figure="seizures-total">8<' in html
    labels = {
        r["key"]: r["label"] for r in client.get("/api/v1/analysis/dashboards/seizures/conveyance").json()["rows"]
    }
    assert labels == {"vessel": "Vessel", "vehicle": "Vehicle"}


def test_operation_filter_keeps_that_operations_records_only(login, analyst, operation):
    client = login(analyst)
    only = {"operation": operation.pk}
    assert _rows(client, "seizures", "detection-method", **only) == {"canine": (3, 72000.0)}
    assert _rows(client, "seizures", "country", **only) == {"FR": (3, 72000.0)}
    assert client.get("/api/v1/analysis/dashboards/seizures", only).json()["totals"]["seizures"] == {
        "n": 3,
        "kg": 72000.0,
    }
    html = client.get(reverse("analysis:dashboard", args=["seizures"]), only).content.decode()
    assert 'data-figure="seizures-total">3<' in html
    csv = client.get(reverse("analysis:dashboard-export", args=["seizures", "conveyance", "csv"]), only)
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == ["Vehicle,3,72000.0"]


def test_licit_volumes_by_precursor_in_kg(login, analyst, known):
    client = login(analyst)
    rows = client.get("/api/v1/analysis/dashboards/shipments/volumes").json()["rows"]
    assert [(r["label"], r["n"], r["kg"]) for r in rows] == [("Ammonium nitrate", 3, 72000.0)]  # 3 x 24 t
    xlsx = client.get(reverse("analysis:dashboard-export", args=["shipments", "volumes", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()][1] == ["Ammonium nitrate", 3, 72000.0]


def test_verification_panel_rates_and_delay(login, analyst, known):
    """Kenya: 3 requests; one answered 2 days after the request, 3 days before its deadline; one answered
    5 days after, 2 days late; one unanswered -> 67 % answered, 33 % on time, a mean delay of 3.5 days."""
    from shieldhub.shipments import summaries
    from shieldhub.shipments.models import ShipmentVerification

    first, second, _third = known["shipments"]
    for shipment, answered_after, deadline_after in ((first, 2, 5), (second, 5, 3)):
        verification = ShipmentVerification.objects.get(shipment=shipment)
        requested = verification.created_at
        verification.answered_at = requested + dt.timedelta(days=answered_after)
        verification.deadline = (requested + dt.timedelta(days=deadline_after)).date()
        verification.save(update_fields=["answered_at", "deadline"])
        summaries.touch(shipment.notified_at)
    client = login(analyst)
    rows = client.get("/api/v1/analysis/dashboards/shipments/verification").json()["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["key"], row["n"], row["answered"], row["on_time"]) == ("KE", 3, 2, 1)
    assert (row["rate"], row["on_time_rate"], row["delay_days"]) == (67, 33, 3.5)
    csv = client.get(reverse("analysis:dashboard-export", args=["shipments", "verification", "csv"]))
    assert csv.content.decode("utf-8-sig").splitlines()[1] == "Kenya,3,2,67,33,3.5"


def test_ncp_coverage_panel_counts(login, analyst, reference_tables):  # noqa: F811
    from tests.factories import NominationFactory, PersonFactory

    for country in ("FR", "FR", "KE"):
        NominationFactory(person=PersonFactory(country=country))
    NominationFactory(person=PersonFactory(country="BR"), status="lapsed")  # not active
    panel = login(analyst).get("/api/v1/analysis/dashboards/seizures/coverage").json()
    rows = {r["key"]: r for r in panel["rows"]}
    assert {c: (rows[c]["active"], rows[c]["status"]) for c in ("FR", "KE", "BR", "DE")} == {
        "FR": (2, "Active NCP"),
        "KE": (1, "Active NCP"),
        "BR": (0, "No active NCP"),
        "DE": (0, "No active NCP"),
    }
    assert sum(1 for r in rows.values() if r["active"]) == 2
    assert panel["note"] == f"2 of {len(rows)} WCO members have an active NCP."
    # the region and country filters narrow the coverage panel like the others
    kenya = login(analyst).get("/api/v1/analysis/dashboards/seizures/coverage", {"country": "KE"}).json()
    assert [(r["key"], r["active"]) for r in kenya["rows"]] == [("KE", 1)]
    assert kenya["note"] == "1 of 1 WCO members have an active NCP."
    europe = login(analyst).get("/api/v1/analysis/dashboards/seizures/coverage", {"region": "EUR"}).json()
    keys = {r["key"] for r in europe["rows"]}
    assert "FR" in keys and "DE" in keys and "KE" not in keys and "BR" not in keys


def test_charts_plot_kilograms_when_asked(login, analyst, known):
    client = login(analyst)
    by_count = client.get("/api/v1/analysis/dashboards/seizures/country").json()["spec"]
    by_kg = client.get("/api/v1/analysis/dashboards/seizures/country", {"measure": "kg"}).json()
    assert json.dumps(by_count["encoding"]).count('"n"') and '"kg"' not in json.dumps(by_count["encoding"])
    assert '"kg"' in json.dumps(by_kg["spec"]["encoding"])
    assert {r["label"]: r["kg"] for r in by_kg["rows"]}["France"] == 96000  # the table keeps both figures
    over_time = client.get("/api/v1/analysis/dashboards/seizures/over-time", {"measure": "kg"}).json()["spec"]
    assert over_time["encoding"]["y"]["field"] == "kg" and over_time["encoding"]["y"]["title"] == "Kilograms"
    assert sum(r["kg"] for r in over_time["datasets"]["rows"]) == 120000  # France 96 t, Kenya 24 t
    page = client.get(reverse("analysis:dashboard", args=["seizures"]), {"measure": "kg"}).content.decode()
    assert '<option value="kg" selected>' in page
    # the choice is the shipments dashboard's too
    shipments = client.get("/api/v1/analysis/dashboards/shipments/shipments-time", {"measure": "kg"}).json()
    assert shipments["spec"]["encoding"]["y"]["field"] == "kg"


def test_the_api_exports_a_panel_as_the_page_does(login, analyst, ncp_ke, known):
    client = login(analyst)
    api = client.get("/api/v1/analysis/dashboards/seizures/country/export/csv", {"incident_type": "theft"})
    page = client.get(
        reverse("analysis:dashboard-export", args=["seizures", "country", "csv"]), {"incident_type": "theft"}
    )
    assert api.status_code == 200 and api["Content-Type"].startswith("text/csv")
    assert api.content == page.content and api.content.decode("utf-8-sig").splitlines()[1:] == ["Kenya,1,24000.0"]
    svg = client.get("/api/v1/analysis/dashboards/seizures/map/export/svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    xlsx = client.get("/api/v1/analysis/dashboards/shipments/volumes/export/xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active.cell(2, 3).value == 72000
    assert client.get("/api/v1/analysis/dashboards/seizures/records/export/png").status_code == 404  # no chart
    assert client.get("/api/v1/analysis/dashboards/seizures/country/export/pdf").status_code in (400, 422)
    # an NCP's export is the NCP's page export: suppressed cells and no other country's detail
    ncp = login(ncp_ke).get("/api/v1/analysis/dashboards/seizures/country/export/csv").content.decode("utf-8-sig")
    assert "France,4" not in ncp and SECRET_REF not in ncp

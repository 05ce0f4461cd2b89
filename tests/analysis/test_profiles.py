"""Country profiles: the known data set's figures on the page, in the API and in the PDF fact sheet;
another country's records are not listed to an NCP."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.analysis.test_dashboards import SECRET_REF, catalogue, known  # noqa: F401
from tests.reference.fixtures import ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db


def test_profile_figures_page_api_and_pdf(login, analyst, known):  # noqa: F811
    client = login(analyst)
    html = client.get(reverse("analysis:country", args=["FR"])).content.decode()
    assert 'data-figure="seizures">4<' in html
    assert 'data-figure="exported">3<' in html
    assert "not yet recorded" in html
    assert known["incidents"][0].reference in html  # the secretariat sees the records
    api = client.get("/api/v1/analysis/countries/KE").json()
    assert api["seizures"]["n"] == 1 and api["shipments"]["imported"]["n"] == 3
    assert api["shipments"]["verification"]["answered"] == 2 and api["devices_delivered"] is None
    pdf = client.get(reverse("analysis:country-pdf", args=["FR"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "France (FR)" in text and "Records reported" in text and "4" in text


def test_ncp_sees_own_records_only(login, ncp_ke, known):  # noqa: F811
    client = login(ncp_ke)
    france = client.get(reverse("analysis:country", args=["FR"])).content.decode()
    assert "Latest records" not in france and SECRET_REF not in france
    for incident in known["incidents"]:
        if str(incident.reporting_country) == "FR":
            assert incident.reference not in france
    kenya = client.get("/api/v1/analysis/countries/KE").json()
    assert [r["reference"] for r in kenya["records"]] == [known["incidents"][-1].reference]
    assert client.get("/api/v1/analysis/countries/FR").json()["records"] is None


def test_country_index(login, donor, known):  # noqa: F811
    html = login(donor).get(reverse("analysis:countries")).content.decode()
    assert reverse("analysis:country", args=["KE"]) in html and 'class="vega-spec"' in html
    assert login(donor).get(reverse("analysis:country", args=["ZZ"])).status_code == 404


def test_data_quality_of_a_few_records_is_suppressed_outside_the_country(login, analyst, ncp_fr, ncp_ke, known):  # noqa: F811
    # Kenya has one record: its mean score is that record's own score
    outsider = login(ncp_fr).get("/api/v1/analysis/countries/KE").json()["data_quality"]
    assert outsider == {"n": None, "average": None, "complete": None}
    page = login(ncp_fr).get(reverse("analysis:country", args=["KE"])).content.decode()
    assert 'data-figure="quality">—<' in page
    own = login(ncp_ke).get("/api/v1/analysis/countries/KE").json()["data_quality"]
    assert own["n"] == 1 and own["average"] is not None
    secretariat = login(analyst).get("/api/v1/analysis/countries/KE").json()["data_quality"]
    assert secretariat == own
    # France has four records (above the threshold of 3): its figures are shown to other NCPs
    assert login(ncp_ke).get("/api/v1/analysis/countries/FR").json()["data_quality"]["n"] == 4


def test_country_index_says_when_a_count_is_hidden(login, analyst, ncp_fr, known):  # noqa: F811
    def entry(html: str, code: str) -> str:
        return html.split(reverse("analysis:country", args=[code]))[1].split("</li>")[0]

    html = login(ncp_fr).get(reverse("analysis:countries")).content.decode()
    assert "(&lt; 3)" in entry(html, "KE")
    assert "(&lt; 3)" in entry(html, "FR")  # 4, but the only other cell is hidden: its total would give it away
    html = login(analyst).get(reverse("analysis:countries")).content.decode()
    assert "(1)" in entry(html, "KE") and "(4)" in entry(html, "FR")


def test_profile_charts_have_a_table_and_downloads_of_the_countrys_figures(login, analyst, known):  # noqa: F811
    client = login(analyst)
    html = client.get(reverse("analysis:country", args=["FR"])).content.decode()
    for key in ("over-time", "precursor"):
        assert f'id="panel-{key}"' in html
        for fmt in ("csv", "xlsx", "png", "svg"):
            assert reverse("analysis:dashboard-export", args=["seizures", key, fmt]) + "?country=FR" in html
    csv = client.get(reverse("analysis:dashboard-export", args=["seizures", "over-time", "csv"]) + "?country=FR")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()[1:]
    assert sum(int(line.split(",")[1]) for line in lines) == 4  # France's four records, month by month


def test_profile_shows_ncps_events_attended_and_officers_trained(login, analyst, coordinator, known):  # noqa: F811
    import datetime as dt

    from shieldhub.events.models import Attendance, TrainingRecord
    from tests.events.factories import EventFactory, RegistrationFactory
    from tests.factories import NominationFactory, PersonFactory

    for _ in range(2):
        NominationFactory(person=PersonFactory(country="KE"))
    first, second = EventFactory(), EventFactory()
    for event, n in ((first, 2), (second, 1)):
        for _ in range(n):
            Attendance.objects.create(registration=RegistrationFactory(event=event, country="KE", status="approved"))
    RegistrationFactory(event=second, country="KE", status="approved")  # registered, never checked in
    Attendance.objects.create(registration=RegistrationFactory(event=first, country="FR", status="approved"))
    for gender in ("female", "female", "male"):
        TrainingRecord.objects.create(full_name="Officer", country="KE", gender=gender, topic="Precursors",
                                      trained_on=dt.date(2026, 3, 10), created_by=coordinator)  # fmt: skip
    client = login(analyst)
    html = client.get(reverse("analysis:country", args=["KE"])).content.decode()
    assert 'data-figure="ncp-active">2<' in html
    assert 'data-figure="events">2<' in html and 'data-figure="trained">3<' in html
    api = client.get("/api/v1/analysis/countries/KE").json()
    assert api["ncp"]["active"] == 2
    assert api["events"] == {"events_attended": 2, "participants": 3, "trained": 3, "trained_women": 2,
                             "trained_men": 1}  # fmt: skip

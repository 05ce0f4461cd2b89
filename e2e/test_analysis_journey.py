"""The analyst's dashboard in a real browser: the charts are drawn by the vendored Vega (no network),
a filter swaps the panels and puts itself in the address (a URL to share), the table view and the
CSV download give the same figures, and an NCP's page lists only their own country's records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import go, sign_in
from tests.analysis.test_dashboards import SECRET_REF, catalogue, known  # noqa: F401
from tests.conftest import analyst  # noqa: F401
from tests.reference.fixtures import ref, reference_tables  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_charts_filters_table_and_download(new_page, analyst, ncp_ke, known):  # noqa: F811
    page = new_page()
    sign_in(page, analyst)
    go(page, "/analysis/dashboards/seizures/")
    # every chart with data is drawn in the browser as SVG, without a network fetch
    for key in ("over-time", "country", "precursor", "map", "routes"):
        expect(page.locator(f"#chart-{key} svg").first).to_be_visible()
    expect(page.locator('[data-figure="seizures-total"]')).to_have_text("5")

    # a filter swaps the panels and is kept in the address
    page.select_option("select[name=incident_type]", "theft")
    expect(page).to_have_url(re.compile(r"incident_type=theft"))  # htmx pushes the address
    expect(page.locator('[data-figure="seizures-total"]')).to_have_text("1")
    shared = page.url.replace(page.base_url, "")
    go(page, "/")
    go(page, shared)  # the address alone gives the same page back
    expect(page.locator('[data-figure="seizures-total"]')).to_have_text("1")
    expect(page.locator("select[name=incident_type]")).to_have_value("theft")

    # the table view and the CSV download of a panel agree with the tile
    go(page, "/analysis/dashboards/seizures/")
    panel = page.locator("#panel-country")
    panel.locator("summary").click()
    expect(panel.locator("table")).to_contain_text("France")
    with page.expect_download() as download:
        panel.get_by_role("link", name="CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").strip().splitlines()
    assert lines[0].split(",")[:2] == ["Country", "Records"]
    assert {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]} == {"France": 4, "Kenya": 1}

    # the Kenyan NCP's records panel lists Kenya's record only; France's stay in the aggregates
    ncp = new_page()
    sign_in(ncp, ncp_ke)
    go(ncp, "/analysis/dashboards/seizures/")
    records = ncp.locator("#panel-records")
    expect(records).to_contain_text(known["incidents"][-1].reference)
    for incident in known["incidents"][:4]:
        expect(records).not_to_contain_text(incident.reference)
    expect(ncp.locator("body")).not_to_contain_text(SECRET_REF)

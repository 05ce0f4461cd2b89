"""The dashboards' monthly summaries: the period split, the services keeping every month up to date
(corrections that move a record to another month, returns, withdrawals, bulk submission,
verification answers, outcomes, the overdue task), the same figures from the summary as from the
records under every filter (partial months at both ends included), and the rebuild command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shieldhub.analysis.summaries import rebuild_all, verify_all
from shieldhub.core.summaries import Period, split_period
from shieldhub.exchange.services import Distribution
from shieldhub.seizures import services as seizure_services
from shieldhub.seizures import summaries as seizure_summaries
from shieldhub.seizures.analytics import Filters
from shieldhub.seizures.models import Incident, SeizureSummary
from shieldhub.shipments import services as shipment_services
from shieldhub.shipments import summaries as shipment_summaries
from shieldhub.shipments.models import ShipmentSummary
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import record_data
from tests.shipments.conftest import shipment_data

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (None, None, Period((None, None))),
        (D(2025, 1, 1), D(2025, 12, 31), Period((D(2025, 1, 1), D(2025, 12, 1)))),
        (D(2025, 1, 15), None, Period((D(2025, 2, 1), None), ((D(2025, 1, 15), D(2025, 1, 31)),))),
        (None, D(2025, 3, 10), Period((None, D(2025, 2, 1)), ((D(2025, 3, 1), D(2025, 3, 10)),))),
        (D(2025, 1, 15), D(2025, 1, 20), Period(None, ((D(2025, 1, 15), D(2025, 1, 20)),))),
        (D(2025, 1, 15), D(2025, 2, 10), Period(None, ((D(2025, 1, 15), D(2025, 1, 31)), (D(2025, 2, 1), D(2025, 2, 10))))),
        (D(2025, 1, 15), D(2025, 4, 10),
         Period((D(2025, 2, 1), D(2025, 3, 1)), ((D(2025, 1, 15), D(2025, 1, 31)), (D(2025, 4, 1), D(2025, 4, 10))))),
        (D(2024, 2, 1), D(2024, 2, 29), Period((D(2024, 2, 1), D(2024, 2, 1)))),
        (D(2025, 3, 1), D(2025, 3, 1), Period(None, ((D(2025, 3, 1), D(2025, 3, 1)),))),
        (D(2025, 5, 1), D(2025, 4, 1), Period(None)),
    ],
)  # fmt: skip
def test_split_period(date_from, date_to, expected):
    assert split_period(date_from, date_to) == expected


@pytest.fixture
def catalogue(reference_tables):  # noqa: F811
    from shieldhub.reference.models import CatalogueItem

    return {c.code: c for c in CatalogueItem.objects.all()}


def _submit(actor, catalogue, **overrides):
    incident = seizure_services.incident_create(actor=actor, data=record_data(catalogue, **overrides))
    return seizure_services.incident_submit(actor=actor, incident=incident, distribution=Distribution())


def _summary_n(facet, **where):
    return sum(SeizureSummary.objects.filter(facet=facet, **where).values_list("n", flat=True))


def test_seizure_services_keep_the_summary(ncp_fr, ncp_ke, analyst, catalogue):
    first = _submit(ncp_fr, catalogue, occurred_on=D(2026, 3, 14))
    assert _summary_n("country", month=D(2026, 3, 1), k1="FR") == 1
    assert _summary_n("route", month=D(2026, 3, 1), k1="AE", k2="FR") == 1
    # A correction that moves the record to another month moves it in the summary.
    seizure_services.incident_correct(actor=ncp_fr, incident=first, data={"occurred_on": "2026-01-20"}, note="Date")
    assert _summary_n("country", month=D(2026, 3, 1)) == 0
    assert _summary_n("country", month=D(2026, 1, 1), k1="FR") == 1
    # Returned: no longer counted.
    second = _submit(ncp_ke, catalogue, reporting_country="KE", occurred_on=D(2026, 1, 5))
    assert _summary_n("country", month=D(2026, 1, 1)) == 2
    seizure_services.incident_return(actor=analyst, incident=second, comment="Check the quantity")
    assert _summary_n("country", month=D(2026, 1, 1)) == 1
    # Withdrawn: no longer counted.
    seizure_services.incident_withdraw(actor=ncp_fr, incident=first, note="Duplicate")
    assert _summary_n("country") == 0
    # Bulk submission (imports): every month refreshed once, at the end.
    drafts = [
        seizure_services.incident_create(actor=ncp_fr, data=record_data(catalogue, occurred_on=D(2025, m, 3)))
        for m in (2, 2, 7)
    ]
    seizure_services.incidents_submit_bulk(actor=ncp_fr, incidents=drafts, distribution=Distribution())
    assert _summary_n("country", month=D(2025, 2, 1)) == 2 and _summary_n("item", month=D(2025, 7, 1)) == 1
    assert verify_all() == []


def test_a_failed_bulk_submission_leaves_the_summary_as_it_was(ncp_fr, catalogue):
    good = seizure_services.incident_create(actor=ncp_fr, data=record_data(catalogue, occurred_on=D(2025, 2, 3)))
    empty = seizure_services.incident_create(actor=ncp_fr, data=record_data(catalogue, goods=[]))
    with pytest.raises(Exception):  # noqa: B017 - the second has no goods line
        seizure_services.incidents_submit_bulk(actor=ncp_fr, incidents=[good, empty], distribution=Distribution())
    assert not SeizureSummary.objects.exists()


def test_shipment_services_and_the_overdue_task_keep_the_summary(ncp_fr, ncp_ke, catalogue):
    from shieldhub.shipments.tasks import verification_mark_overdue

    made = []
    for _ in range(3):
        s = shipment_services.shipment_create(actor=ncp_fr, data=shipment_data(catalogue))
        made.append(shipment_services.shipment_notify(actor=ncp_fr, shipment=s))
    month = timezone.now().date().replace(day=1)
    route = ShipmentSummary.objects.get(facet="route", month=month, k1="FR", k2="KE")
    assert route.n == 3 and route.kg == Decimal("72000.000")
    shipment_services.verification_answer(actor=ncp_ke, shipment=made[0], answer="confirmed")
    verif = ShipmentSummary.objects.get(facet="verif", month=month, k1="KE")
    assert (verif.n, verif.answered, verif.on_time) == (3, 1, 1) and verif.delay_seconds is not None
    shipment_services.shipment_withdraw(actor=ncp_fr, shipment=made[1], note="Cancelled by the buyer")
    assert ShipmentSummary.objects.get(facet="verif", month=month, k1="KE").n == 2
    from shieldhub.shipments.models import ShipmentVerification

    ShipmentVerification.objects.filter(shipment=made[2]).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    verification_mark_overdue.call()
    assert ShipmentSummary.objects.get(facet="verif", month=month, k1="KE").overdue == 1
    shipment_services.shipment_outcome(actor=ncp_fr, shipment=made[2], outcome="delivered")
    assert verify_all() == []


@pytest.fixture
def spread(ncp_fr, ncp_ke, catalogue):
    """Records over three months and two countries, of two types, with two catalogue items."""
    an, urea = catalogue["ammonium-nitrate"].pk, catalogue["urea"].pk
    goods = lambda item, qty: [{"catalogue_item": item, "declared_description": "Bags", "quantity": qty, "unit": "kg"}]  # noqa: E731
    for day, country, kind, item, route in [
        (D(2025, 1, 10), "FR", "seizure", an, [("AE", "departure"), ("FR", "destination")]),
        (D(2025, 1, 25), "FR", "seizure", urea, [("MA", "departure"), ("FR", "destination")]),
        (D(2025, 2, 3), "KE", "theft", an, [("KE", "departure"), ("SO", "destination")]),
        (D(2025, 2, 20), "FR", "seizure", an, [("AE", "departure"), ("FR", "destination")]),
        (D(2025, 3, 7), "KE", "seizure", urea, [("TZ", "departure"), ("KE", "destination")]),
        (D(2025, 3, 28), "FR", "diversion", an, []),
        (D(2024, 6, 10), "FR", "seizure", an, [("AE", "departure"), ("FR", "destination")]),
        (D(2026, 2, 14), "KE", "seizure", urea, [("TZ", "departure"), ("KE", "destination")]),
    ]:
        actor = ncp_fr if country == "FR" else ncp_ke
        _submit(actor, catalogue, occurred_on=day, reporting_country=country, incident_type=kind,
                goods=goods(item, Decimal(day.day * 10)), route=route,
                concealment="Hidden in fertiliser bags" if country == "FR" else "")  # fmt: skip


FILTERS = [
    {},
    {"date_from": D(2025, 1, 1), "date_to": D(2025, 3, 31)},
    {"date_from": D(2025, 1, 15), "date_to": D(2025, 3, 10)},
    {"date_from": D(2025, 1, 20), "date_to": D(2025, 1, 26)},
    {"date_from": D(2025, 2, 1)},
    {"date_to": D(2025, 2, 10)},
    {"incident_type": "seizure", "date_from": D(2025, 1, 11)},
    {"country": "FR"},
    {"country": "KE", "date_to": D(2025, 3, 1)},
    {"region": "ESA", "region_countries": ["KE", "TZ"]},
    {"precursor": "an"},
    {"date_from": D(2024, 1, 1), "date_to": D(2025, 12, 31)},
    {"date_from": D(2024, 3, 1)},
    {"date_from": D(2024, 3, 5), "date_to": D(2026, 2, 20)},
    {"date_to": D(2025, 2, 28)},
    {"date_from": D(2025, 1, 1)},
]


def _all_live(monkeypatch):
    """Every period computed live, through the same code as the summary's partial months."""
    from shieldhub.core import summaries as core

    def whole_period_live(date_from, date_to):
        return Period(None, ((date_from or D(1900, 1, 1), date_to or D(2100, 12, 31)),))

    monkeypatch.setattr(core, "split_period", whole_period_live)


@pytest.mark.parametrize("params", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
@pytest.mark.parametrize("facet", ["country", "region", "item", "fields", "route", "concealment"])
def test_the_summary_gives_the_records_figures_under_every_filter(spread, catalogue, params, facet, monkeypatch):
    params = dict(params)
    if facet == "region" and params.get("precursor"):
        pytest.skip("under a precursor filter the regions are summed from the per-item countries")
    if params.get("precursor") == "an":
        params["precursor"] = catalogue["ammonium-nitrate"].pk
    filters = Filters(**params)
    group = ("month", "incident_type", "k1", "k2") if facet in ("fields", "route") else ("month", "incident_type", "k1")

    def comparable(rows):
        return sorted(
            (r["month"], r["incident_type"], r["k1"], r.get("k2", ""), r["n"], float(r["kg"] or 0)) for r in rows
        )

    from_summary = comparable(seizure_summaries.grouped(facet, group, filters))
    _all_live(monkeypatch)
    from_records = comparable(seizure_summaries.grouped(facet, group, filters))
    assert from_summary == from_records
    assert from_records or filters.date_from == D(2025, 1, 20) or facet == "concealment"
    if facet == "route":  # the panel's grouping: from the all-time rows when there is no filter
        pairs = ("k1", "k2")
        summary_pairs = sorted((r["k1"], r["k2"], r["n"]) for r in seizure_summaries.grouped(facet, pairs, filters))
        monkeypatch.undo()
        assert summary_pairs == sorted(
            (r["k1"], r["k2"], r["n"]) for r in seizure_summaries.TABLE.live(
                "route", pairs, date_from=filters.date_from, date_to=filters.date_to, filters=filters,
                keep=(lambda r: r["k3"] == str(filters.precursor)) if filters.precursor else None,
            )
        ) if not filters.precursor else True  # fmt: skip


def test_under_a_precursor_filter_the_figures_are_the_precursors(ncp_fr, catalogue):
    """A record with 100 kg of ammonium nitrate and 900 kg of urea counts once for each, with the
    kilograms of that precursor, in the summary and live alike."""
    an, urea = catalogue["ammonium-nitrate"].pk, catalogue["urea"].pk
    lines = [{"catalogue_item": item, "declared_description": "Bags", "quantity": Decimal(q), "unit": "kg"}
             for item, q in ((an, 100), (urea, 900))]  # fmt: skip
    _submit(ncp_fr, catalogue, occurred_on=D(2025, 5, 10), goods=lines)
    for live in (False, True):
        if live:
            import contextlib

            stack = contextlib.ExitStack()
            mp = stack.enter_context(pytest.MonkeyPatch.context())
            _all_live(mp)
        for item, kg in ((an, 100), (urea, 900)):
            filters = Filters(precursor=item)
            for facet, group in (
                ("country", ("k1",)),
                ("item", ("k1",)),
                ("fields", ("k1", "k2")),
                ("route", ("k1", "k2")),
            ):
                rows = seizure_summaries.grouped(facet, group, filters)
                assert [(r["n"], float(r["kg"] or kg)) for r in rows] == [(1, kg)], (facet, item, live)
            assert seizure_summaries.grouped("country", ("k1",), filters)[0]["k1"] == "FR"
        if live:
            stack.close()


def test_dashboard_figures_with_partial_months(login, analyst, spread):
    """A period that starts and ends inside months reads whole months from the summary and the
    ends from the records: the page's total is the records' count."""
    client = login(analyst)
    api = client.get("/api/v1/analysis/dashboards/seizures?date_from=2025-01-15&date_to=2025-03-10").json()
    assert api["totals"]["seizures"]["n"] == 4  # 25 Jan, 3 Feb, 20 Feb, 7 Mar
    assert (
        api["totals"]["seizures"]["n"]
        == Incident.objects.filter(occurred_on__range=(D(2025, 1, 15), D(2025, 3, 10))).count()
    )


def _norm(rows):
    return sorted(str({k: (round(float(v or 0), 3) if v is None or isinstance(v, (Decimal, float, int)) else v)
                       for k, v in r.items()})
                  for r in rows)  # fmt: skip


def test_shipment_figures_from_the_summary_match_the_records(ncp_fr, catalogue):
    from shieldhub.shipments import analytics

    for _ in range(2):
        s = shipment_services.shipment_create(actor=ncp_fr, data=shipment_data(catalogue))
        shipment_services.shipment_notify(actor=ncp_fr, shipment=s)
    today = timezone.localdate()
    for params in ({}, {"country": "KE"}, {"date_from": today}, {"date_to": today - dt.timedelta(days=1)},
                   {"precursor": catalogue["ammonium-nitrate"].pk}):  # fmt: skip
        filters = Filters(**params)
        for facet, group in (("month", ("month",)), ("route", ("k1", "k2")), ("item", ("k1",)), ("verif", ("k1",))):
            summary = shipment_summaries.grouped(facet, group, filters)
            live = shipment_summaries.TABLE.live(
                facet, group, date_from=filters.date_from, date_to=filters.date_to, filters=filters
            )
            assert _norm(summary) == _norm(live), (params, facet)
    figures = analytics.country_figures(user=ncp_fr, country="FR")
    assert figures["exported"] == {"n": 2, "kg": 48000.0} and figures["imported"] == {"n": 0, "kg": None}


@pytest.mark.summaries_stale
def test_rebuild_command_finds_and_mends_drift(ncp_fr, catalogue):
    incident = _submit(ncp_fr, catalogue, occurred_on=D(2025, 6, 1))
    Incident.objects.filter(pk=incident.pk).update(occurred_on=D(2024, 6, 1))  # bypasses the services
    with pytest.raises(CommandError):
        call_command("rebuild_summaries", "--check")
    call_command("rebuild_summaries")
    call_command("rebuild_summaries", "--check")
    assert _summary_n("country", month=D(2024, 6, 1)) == 1 and _summary_n("country", month=D(2025, 6, 1)) == 0
    assert rebuild_all() == {"seizures": SeizureSummary.objects.count(), "shipments": 0}


def test_region_figures_are_their_countries_sums(spread):
    from shieldhub.seizures import analytics

    for filters in (Filters(), Filters(date_from=D(2025, 2, 1)), Filters(incident_type="seizure")):
        with analytics.shared_queries():
            by_region = {r["k1"]: r["n"] for r in seizure_summaries.grouped("region", ("k1",), filters)}
            expected = {r["k"]: r["n"] for r in analytics._to_regions(analytics.per_country(filters), key="k")}
        assert by_region == expected and by_region
    assert by_region == {"EUR": 4, "ESA": 2}  # the seizures: four in France, two in Kenya

"""Indicators: a known data set gives known actual values for each measure, on the page and in the API;
editing is for INDICATORS_EDIT holders; the framework is read with REPORTS_VIEW only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shieldhub.analysis import indicators
from shieldhub.analysis.models import Indicator
from shieldhub.core.models import AuditEntry
from shieldhub.events.models import TrainingRecord
from shieldhub.exchange.models import Message, MessageRecipient
from tests.events.factories import EventFactory
from tests.factories import NominationFactory, PersonFactory, UserFactory
from tests.reference.fixtures import ref, reference_tables  # noqa: F401
from tests.seizures.conftest import catalogue, make  # noqa: F401

START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def dataset(db, coordinator, ncp_fr, ncp_ke, make):  # noqa: F811
    """Known figures for 1 Jan – 30 Jun 2026 (comments give the expected value)."""
    # countries with an active NCP on 30 June: FR, KE, DE (two nominations for FR) -> 3
    for country in ("FR", "FR", "KE", "DE"):
        NominationFactory(person=PersonFactory(country=country), nominated_on=dt.date(2025, 5, 1))
    NominationFactory(person=PersonFactory(country="BR"), nominated_on=dt.date(2025, 5, 1), status="lapsed")
    NominationFactory(person=PersonFactory(country="IT"), nominated_on=dt.date(2026, 8, 1))  # after the period
    # officers trained: 5 in the period (3 women, 2 men) and 1 before
    genders = ["female", "female", "female", "male", "male"]
    for n, gender in enumerate(genders):
        TrainingRecord.objects.create(full_name=f"Officer {n}", country="KE", gender=gender, topic="Precursors",
                                      trained_on=dt.date(2026, 3, 10), created_by=coordinator)  # fmt: skip
    TrainingRecord.objects.create(full_name="Earlier", country="KE", gender="female", topic="Precursors",
                                  trained_on=dt.date(2025, 12, 1), created_by=coordinator)  # fmt: skip
    # events held: 2 trainings + 1 conference in the period; a cancelled one and a draft do not count
    for kind, day, status in [("training", dt.date(2026, 2, 3), "held"), ("training", dt.date(2026, 4, 7), "closed"),
                              ("conference", dt.date(2026, 5, 12), "held"), ("webinar", dt.date(2026, 3, 1), "cancelled"),
                              ("workshop", dt.date(2026, 3, 2), "draft"), ("training", dt.date(2026, 8, 1), "held")]:  # fmt: skip
        EventFactory(kind=kind, status=status, starts_at=_aware(day, 9), ends_at=_aware(day, 17),
                     title_en=f"{kind} {day}", title_fr=f"{kind} FR {day}")  # fmt: skip
    # seizures submitted in the period: 4 (one draft and one submitted after the period do not count)
    for n in range(4):
        make(ncp_fr, submit=True, occurred_on=dt.date(2026, 3, 1 + n), national_reference=f"FR-{n}")
    make(ncp_fr, submit=False, occurred_on=dt.date(2026, 3, 9))
    # exchange: NCP FR sent a message, NCP KE read one -> 2 active NCPs; requests for information due in the
    # period: 4 answers due, 2 on time -> 50 % (not the indicator OP1.2, which counts the shipment verifications)
    sent = Message.objects.create(subject="RFI", body="?", kind="rfi", status="sent", sender=ncp_fr,
                                  sent_at=_aware(dt.date(2026, 2, 1)), deadline=dt.date(2026, 2, 10))  # fmt: skip
    others = [UserFactory(roles=["ncp"], country="DE") for _ in range(3)]
    MessageRecipient.objects.create(message=sent, user=ncp_ke, reason="user", read_at=_aware(dt.date(2026, 2, 2)),
                                    answer_status="answered", answered_at=_aware(dt.date(2026, 2, 5)))  # fmt: skip
    for user, status, day in [(others[0], "answered", dt.date(2026, 2, 9)), (others[1], "answered", dt.date(2026, 2, 11)),
                              (others[2], "answered", dt.date(2026, 2, 20))]:  # fmt: skip
        MessageRecipient.objects.create(message=sent, user=user, reason="user", answer_status=status,
                                        answered_at=_aware(day))  # fmt: skip
    _verifications(ncp_fr, ncp_ke)
    return {"start": START, "end": END}


# Licit-shipment verification requests (deadline, answered at (day, hour) or None, withdrawn): 8 have their
# deadline in the period, 6 of them answered on or before it -> 75 %. The others: answered 30 minutes after
# the deadline day, never answered; withdrawn, due after the period, due before it (not counted).
VERIFICATIONS = [
    (dt.date(2026, 2, 10), (dt.date(2026, 2, 5), 10), False),
    (dt.date(2026, 3, 10), (dt.date(2026, 3, 10), 23), False),  # on the deadline day, late evening: on time
    (dt.date(2026, 3, 15), (dt.date(2026, 3, 1), 10), False),
    (dt.date(2026, 4, 20), (dt.date(2026, 4, 1), 10), False),
    (dt.date(2026, 5, 5), (dt.date(2026, 5, 5), 9), False),
    (dt.date(2026, 6, 30), (dt.date(2026, 6, 29), 10), False),  # due on the last day of the period
    (dt.date(2026, 3, 20), (dt.date(2026, 3, 21), 0), False),  # late
    (dt.date(2026, 4, 10), None, False),  # never answered: due, not on time
    (dt.date(2026, 5, 10), None, True),  # withdrawn
    (dt.date(2026, 7, 1), (dt.date(2026, 6, 20), 10), False),  # due after the period
    (dt.date(2025, 12, 31), (dt.date(2026, 1, 2), 10), False),  # due before the period
]


def _verifications(exporter, importer):
    """The shipments through the services; deadlines and answer times moved into 2026 afterwards (the
    services only take future deadlines and answer now), then the month's summary refreshed."""
    from shieldhub.reference.models import CatalogueItem
    from shieldhub.shipments import services, summaries
    from shieldhub.shipments.models import ShipmentVerification
    from tests.shipments.conftest import shipment_data

    items = {c.code: c for c in CatalogueItem.objects.all()}
    for n, (deadline, answered, withdrawn) in enumerate(VERIFICATIONS):
        shipment = services.shipment_create(actor=exporter, data=shipment_data(items, national_reference=f"FR-PEN-{n}"))
        shipment = services.shipment_notify(actor=exporter, shipment=shipment)
        if answered:
            services.verification_answer(actor=importer, shipment=shipment, answer="confirmed")
        if withdrawn:
            services.shipment_withdraw(actor=exporter, shipment=shipment, note="Order cancelled")
        ShipmentVerification.objects.filter(shipment=shipment).update(
            deadline=deadline,
            answered_at=_aware(answered[0], answered[1]) + dt.timedelta(minutes=30) if answered else None,
        )
        summaries.touch(shipment.notified_at)


EXPECTED = {
    "countries_active_ncp": 3,
    "ncps_active_exchange": 2,
    "officers_trained": 5,
    "officers_trained_women": 3,
    "officers_trained_men": 2,
    "events_held": 3,
    "trainings_held": 2,
    "conferences_held": 1,
    "webinars_held": 0,
    "seizures_reported": 4,
    "verifications_on_time": Decimal("75.0"),  # 6 of the 8 shipment verifications due in the period
    "requests_on_time": Decimal("50.0"),  # 2 of the 4 answers due to the request for information
}


def test_each_measure_gives_the_known_value(dataset):
    from shieldhub.seizures.models import Incident

    Incident.objects.filter(status="submitted").update(submitted_at=_aware(dt.date(2026, 3, 20)))
    for key, expected in EXPECTED.items():
        assert indicators.compute(key, START, END) == expected, key
    assert indicators.compute("officers_trained", dt.date(2025, 1, 1), END) == 6
    assert indicators.compute("unknown", START, END) is None


def test_verification_measure_counts_due_and_on_time(dataset):
    from shieldhub.shipments.analytics import verifications_on_time

    assert verifications_on_time(start=START, end=END) == {"due": 8, "on_time": 6, "share": 75.0}
    # March alone: due 10th (on the day), 15th (early), 20th (late) -> 2 of 3
    assert verifications_on_time(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)) == {
        "due": 3, "on_time": 2, "share": 66.7
    }  # fmt: skip
    assert verifications_on_time(start=dt.date(2027, 1, 1), end=dt.date(2027, 6, 30))["share"] is None
    assert indicators.compute("verifications_on_time", dt.date(2027, 1, 1), dt.date(2027, 6, 30)) is None


@pytest.fixture
def framework(coordinator):
    indicators.load_default_framework(actor=coordinator, period=(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
    return {i.code: i for i in Indicator.objects.all()}


def test_default_framework_has_outcomes_outputs_in_both_languages(framework):
    assert len(framework) == 10
    outcomes = [i for i in framework.values() if i.level == "outcome"]
    assert len(outcomes) == 2
    assert all(i.title_fr and i.indicator_fr for i in framework.values())
    assert framework["OP2.2"].parent == framework["OC2"]
    # "verification requests answered on time": the licit-shipment verifications, not the exchange's RFIs
    assert framework["OP1.2"].measure == "verifications_on_time"
    assert AuditEntry.objects.filter(action="analysis.indicator_create").count() == 10


def test_page_shows_actuals_progress_and_hand_values(dataset, framework, coordinator, login):
    from shieldhub.seizures.models import Incident

    Incident.objects.filter(status="submitted").update(submitted_at=_aware(dt.date(2026, 3, 20)))
    indicators.indicator_value_add(actor=coordinator, indicator=framework["OP2.4"], period_end=dt.date(2026, 5, 31),
                                   value=Decimal("12"), evidence="Delivery notes DN-1 to DN-12")  # fmt: skip
    indicators.indicator_value_add(actor=coordinator, indicator=framework["OP2.4"], period_end=dt.date(2026, 9, 30),
                                   value=Decimal("30"), evidence="Later, outside the period")  # fmt: skip
    client = login(coordinator)
    response = client.get(reverse("analysis:indicator-list"), {"start": "2026-01-01", "end": "2026-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="OP2.1">5<' in html  # officers trained
    assert 'data-code="OP2.2">3<' in html  # women
    assert 'data-code="OC1">3<' in html  # countries
    assert 'data-code="OP1.2">75<' in html  # % of the shipment verifications answered on time (RFIs: 50)
    assert 'data-code="OP2.3">3<' in html  # events held
    assert 'data-code="OP1.3">4<' in html  # seizures
    assert 'data-code="OP2.4">12<' in html and "Delivery notes DN-1 to DN-12" in html  # latest value as of 30 June
    # progress: OP1.2 baseline 35 target 80, actual 75 -> 88.9 % of the way; bar at 88
    assert '<progress class="ind-progress" max="100" value="88"' in html
    assert "style=" not in html.split("<main")[-1]


def test_api_lists_indicators_with_actuals(dataset, framework, coordinator, login):
    from shieldhub.seizures.models import Incident

    Incident.objects.filter(status="submitted").update(submitted_at=_aware(dt.date(2026, 3, 20)))
    client = login(coordinator)
    response = client.get("/api/v1/analysis/indicators", {"start": "2026-01-01", "end": "2026-06-30"})
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()}
    assert Decimal(rows["OP2.1"]["actual"]) == 5
    assert rows["OP2.1"]["actual_from"] == "computed"
    assert Decimal(rows["OP1.2"]["progress"]) == Decimal("88.9")
    assert rows["OP2.2"]["parent"] == "OC2"


def test_framework_query_count_is_bounded(framework, coordinator, login, django_assert_max_num_queries):
    client = login(coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("analysis:indicator-list")).status_code == 200


def test_editing_and_values_need_indicators_edit(framework, coordinator, analyst, donor, login):
    target = framework["OP2.4"]
    client = login(donor)
    assert client.get(reverse("analysis:indicator-list")).status_code == 200
    assert client.get(reverse("analysis:indicator-edit", args=[target.pk])).status_code == 403
    assert client.post(reverse("analysis:indicator-detail", args=[target.pk]),
                       {"period_end": "2026-05-01", "value": "3", "evidence": "x"}).status_code == 403  # fmt: skip
    client = login(analyst)
    response = client.post(reverse("analysis:indicator-detail", args=[target.pk]),
                           {"period_end": "2026-05-01", "value": "7", "evidence": ""})  # fmt: skip
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(reverse("analysis:indicator-detail", args=[target.pk]),
                           {"period_end": "2026-05-01", "value": "7", "evidence": "Survey May 2026"})  # fmt: skip
    assert response.status_code == 302
    assert target.values.get().value == 7
    assert AuditEntry.objects.filter(action="analysis.indicator_value_add").exists()
    data = {"level": "output", "code": "OP9", "title_en": "New output", "source": "computed", "measure": "",
            "order": "5"}  # fmt: skip
    response = client.post(reverse("analysis:indicator-create"), data)
    assert response.status_code == 200  # no outcome, no computation: errors, values kept
    html = response.content.decode()
    assert "Choose the outcome" in html and "Choose the computation" in html and 'value="New output"' in html
    data.update(parent=framework["OC1"].pk, measure="webinars_held")
    assert client.post(reverse("analysis:indicator-create"), data).status_code == 302
    assert Indicator.objects.get(code="OP9").parent == framework["OC1"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coordinator", 200),
        ("analyst", 200),
        ("assistant", 200),
        ("donor", 200),
        ("ncp_fr", 403),
        ("partner_interpol", 403),
        ("outsider", 403),
    ],
    indirect=["persona"],
)
def test_indicator_pages_access(persona, status, framework, login):
    client = login(persona)
    assert client.get(reverse("analysis:indicator-list")).status_code == status
    assert client.get(reverse("analysis:indicator-detail", args=[framework["OC1"].pk])).status_code in (
        (200,) if status == 200 else (403, 404)
    )
    assert client.get("/api/v1/analysis/indicators").status_code in ((200,) if status == 200 else (401, 403))


def test_detail_page_names_the_computation(framework, donor, login):
    client = login(donor)
    html = client.get(reverse("analysis:indicator-detail", args=[framework["OP2.2"].pk])).content.decode()
    assert "Officers trained: women" in html and "Number of customs officers trained, of whom women" in html
    assert "Enter a value" not in html  # the donor reads only


@pytest.mark.django_db
def test_migration_moves_the_default_op12_line_to_the_shipment_verifications():
    import importlib

    from django.apps import apps

    from shieldhub.analysis.models import Indicator

    migration = importlib.import_module("shieldhub.analysis.migrations.0002_op12_measures_shipment_verifications")
    default = Indicator.objects.create(code="OP1.2", level="output", indicator_en=migration.DEFAULT_TEXT,
                                       source="computed", measure="requests_on_time")  # fmt: skip
    edited = Indicator.objects.create(code="OP9.9", level="output", indicator_en="RFIs answered on time",
                                      source="computed", measure="requests_on_time")  # fmt: skip
    migration.forwards(apps, None)
    default.refresh_from_db()
    edited.refresh_from_db()
    assert default.measure == "verifications_on_time" and edited.measure == "requests_on_time"

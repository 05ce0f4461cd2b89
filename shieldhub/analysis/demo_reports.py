"""Demo data for indicators and donor reports: the Programme's default results framework, a few
values entered by hand with their evidence, and one donor report for last year, written and
generated synchronously (so its Word and PDF files are there when the demo starts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shieldhub.analysis import indicators, reports
from shieldhub.analysis.models import Indicator

NARRATIVE = {
    "Summary": "Over the period the **NCP network** kept growing and the Hub became the usual channel for "
    "seizure reports of IED precursors. Trainings in English and French reached officers in every region.",
    "Progress towards the results": "- More countries nominated an active NCP.\n- Requests for information "
    "are answered faster.\n- Trainings and the global conference were held as planned.",
    "Challenges and lessons": "Some administrations still report seizures late; the secretariat follows up "
    "through the regional offices.",
    "Next steps": "1. Extend the network to the remaining countries.\n2. Run two operations with the "
    "participating administrations.\n3. Deliver the detection equipment.",
}


def load(users: dict[str, Any]) -> None:
    coordinator = users["coordinator@demo.example"]
    analyst = users.get("analyst@demo.example", coordinator)
    today = timezone.localdate()
    indicators.load_default_framework(
        actor=coordinator, period=(dt.date(today.year - 1, 1, 1), dt.date(today.year + 1, 12, 31))
    )
    codes = {i.code: i for i in Indicator.objects.all()}
    hand = [
        ("OP1.4", dt.date(today.year - 1, 12, 31), Decimal(11), "Country replies to the 2nd PGS questionnaire (secretariat file PGS/Q2)"),
        ("OP1.4", today - dt.timedelta(days=20), Decimal(17), "Targeting workshop minutes, regional offices"),
        ("OC2", dt.date(today.year - 1, 12, 31), Decimal(54), "Six-month follow-up survey of trained officers (n = 212)"),
        ("OP2.4", today - dt.timedelta(days=40), Decimal(12), "Delivery notes DN-2026-001 to DN-2026-012"),
    ]  # fmt: skip
    for code, day, value, evidence in hand:
        if code in codes and not codes[code].values.filter(period_end=day).exists():
            indicators.indicator_value_add(
                actor=analyst, indicator=codes[code], period_end=day, value=value, evidence=evidence
            )
    if reports.DonorReport.objects.exists():
        return
    year = today.year - 1
    report = reports.report_create(
        actor=coordinator,
        data={"title": f"Programme Global Shield – annual report {year}", "period_start": dt.date(year, 1, 1),
              "period_end": dt.date(year, 12, 31), "language": "en"},
    )  # fmt: skip
    for section in report.sections.all():
        reports.section_save(
            actor=coordinator, report=report, section=section, data={"body": NARRATIVE.get(section.heading, "")}
        )
    reports.report_run(report_id=report.pk)  # synchronously: the files are ready in the demo

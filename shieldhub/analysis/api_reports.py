"""`/api/v1/analysis` routes for indicators and donor reports (mounted by `analysis/api.py`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from shieldhub.analysis import indicators, reports
from shieldhub.core.api import require_scope

router = Router(tags=["analysis"])


class IndicatorOut(Schema):
    id: int
    code: str
    level: str
    parent: str | None
    title_en: str
    title_fr: str
    indicator_en: str
    indicator_fr: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    period_start: dt.date | None
    period_end: dt.date | None
    source: str
    measure: str
    actual: Decimal | None
    actual_from: str  # "computed", "manual" or ""
    evidence: str
    progress: Decimal | None  # % of the way from baseline to target (may exceed 100)


def _indicator_out(line: indicators.Line) -> dict[str, Any]:
    i = line.indicator
    return {
        "id": i.pk, "code": i.code, "level": i.level, "parent": i.parent.code if i.parent else None,
        "title_en": i.title_en, "title_fr": i.title_fr, "indicator_en": i.indicator_en, "indicator_fr": i.indicator_fr,
        "unit": i.unit, "baseline": i.baseline, "target": i.target, "period_start": i.period_start,
        "period_end": i.period_end, "source": i.source, "measure": i.measure, "actual": line.actual,
        "actual_from": line.how, "evidence": line.value.evidence if line.value else "", "progress": line.progress_raw,
    }  # fmt: skip


@router.get("/indicators", response=list[IndicatorOut])
def indicator_list(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    """The results framework with actual values for the period (default: this year to date)."""
    default_start, default_end = indicators.default_period()
    lines = indicators.framework(user=request.user, start=start or default_start, end=end or default_end)
    return [_indicator_out(line) for line in indicators.flat(lines)]


class ReportOut(Schema):
    id: int
    title: str
    period_start: dt.date
    period_end: dt.date
    language: str
    parameters: dict[str, Any]
    status: str  # draft (never generated), queued, running, done, failed
    progress: int
    error: str
    created_at: dt.datetime
    generated_at: dt.datetime | None

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return reports.state_of(obj)


class ReportIn(Schema):
    title: str
    period_start: dt.date
    period_end: dt.date
    language: str = "en"
    generate: bool = True


@router.get("/reports", response=list[ReportOut])
@paginate(PageNumberPagination, page_size=50)
def report_list(request: HttpRequest) -> Any:
    return reports.report_list(user=request.user)


@router.post("/reports", response={201: ReportOut})
def report_create(request: HttpRequest, payload: ReportIn) -> Any:
    """Create a report (with its default sections) and, unless `generate` is false, queue its generation."""
    require_scope(request, "write")
    report = reports.report_create(actor=request.user, data=payload.dict(exclude={"generate"}))
    if payload.generate:
        reports.report_generate(actor=request.user, report=report)
    return Status(201, reports.report_get(user=request.user, pk=report.pk))


@router.get("/reports/{report_id}", response=ReportOut)
def report_get(request: HttpRequest, report_id: int) -> Any:
    return reports.report_get(user=request.user, pk=report_id)


@router.post("/reports/{report_id}/generate", response={202: ReportOut})
def report_generate(request: HttpRequest, report_id: int) -> Any:
    require_scope(request, "write")
    report = reports.report_get(user=request.user, pk=report_id)
    reports.report_generate(actor=request.user, report=report)
    return Status(202, reports.report_get(user=request.user, pk=report_id))


@router.get("/reports/{report_id}/download/{fmt}")
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """The generated file: `fmt` is `docx` or `pdf` (404 until the report is ready)."""
    report = reports.report_get(user=request.user, pk=report_id)
    content, name, content_type = reports.report_file(user=request.user, report=report, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    return response

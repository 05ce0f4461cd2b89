"""Donor reports: for a period, narrative sections the coordinator writes (Markdown), the indicator
table with progress, a chart of seizures per month, the events held, the operations and their
results, seizure statistics (aggregated, small cells suppressed) and an annex of activities —
generated in the background (`tasks_reports.report_generate`) as an editable DOCX and a PDF.

Read with `Perm.REPORTS_VIEW` (secretariat; the donor sees finished reports only), written and
generated with `Perm.REPORTS_WRITE` (coordinator). Figures are programme-wide aggregates; the
only user-scoped read (operation results) runs as the report's author, and only its totals are
printed. Every download is audited.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shieldhub.analysis import indicators
from shieldhub.analysis.choices import ReportStatus
from shieldhub.analysis.models import DonorReport, ReportSection
from shieldhub.core.access import Perm, has_perm, require
from shieldhub.core.audit import audit_record, diff, snapshot

logger = logging.getLogger(__name__)

LIST_FIELDS = ("id", "title", "period_start", "period_end", "language", "parameters", "status", "progress",
               "error", "created_by", "created_at", "generated_at")  # fmt: skip
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_SECTIONS = {
    "en": ["Summary", "Progress towards the results", "Challenges and lessons", "Next steps"],
    "fr": ["Résumé", "Progrès vers les résultats", "Difficultés et enseignements", "Prochaines étapes"],
}


NOT_GENERATED = "draft"  # shown for a report whose generation was never asked for


def state_of(report: DonorReport) -> str:
    """The report's state for pages and the API: `draft` until its generation is first asked for
    (the model's status starts at `queued`), then the status."""
    if report.status == ReportStatus.QUEUED and not (report.parameters or {}).get("requested_at"):
        return NOT_GENERATED
    return str(report.status)


def state_label(state: str) -> str:
    if state == NOT_GENERATED:
        return _("Not generated yet")
    return str(dict(ReportStatus.choices).get(state, state))


def is_running(report: DonorReport) -> bool:
    return state_of(report) in (ReportStatus.QUEUED, ReportStatus.RUNNING)


# --- reading -------------------------------------------------------------------------------------


def report_list(*, user: Any) -> QuerySet[DonorReport]:
    """Reports this user may see (without the files): all for the writers, finished ones otherwise."""
    require(user, Perm.REPORTS_VIEW)
    qs = DonorReport.objects.only(*LIST_FIELDS).select_related("created_by")
    if not has_perm(user, Perm.REPORTS_WRITE):
        qs = qs.filter(status=ReportStatus.DONE)
    return qs.order_by("-created_at", "-pk")


def report_get(*, user: Any, pk: Any) -> DonorReport:
    try:
        return report_list(user=user).get(pk=int(pk))
    except (DonorReport.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def report_sections(*, user: Any, report: DonorReport) -> QuerySet[ReportSection]:
    require(user, Perm.REPORTS_VIEW)
    return report.sections.order_by("order", "pk")


def report_file(*, user: Any, report: DonorReport, fmt: str) -> tuple[bytes, str, str]:
    """The generated file (bytes, file name, content type); audited. 404 when not generated."""
    require(user, Perm.REPORTS_VIEW)
    if fmt not in ("docx", "pdf") or report.status != ReportStatus.DONE:
        raise Http404
    content = DonorReport.objects.filter(pk=report.pk).values_list(fmt, flat=True).first()
    if not content:
        raise Http404
    with transaction.atomic():
        audit_record(actor=user, action="analysis.report_download", obj=report, extra={"format": fmt})
    name = f"{slugify(report.title) or 'report'}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{fmt}"
    return bytes(content), name, DOCX_TYPE if fmt == "docx" else "application/pdf"


# --- writing -------------------------------------------------------------------------------------


def report_create(*, actor: Any, data: dict[str, Any], sections: bool = True) -> DonorReport:
    """A new report for a period, with empty narrative sections in its language (not generated yet)."""
    require(actor, Perm.REPORTS_WRITE)
    language = data.get("language") or "en"
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError({"period_start": _("Give the first and the last day of the period.")})
    report = DonorReport(
        title=(data.get("title") or "").strip(),
        period_start=start,
        period_end=end,
        language=language,
        created_by=actor,
        progress=0,
    )
    if language not in ("en", "fr"):
        raise ValidationError({"language": _("Choose English or French.")})
    if report.period_start and report.period_end and report.period_end < report.period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    report.parameters = {
        "period_start": str(report.period_start), "period_end": str(report.period_end), "language": language,
        "min_cell": _min_cell(), "measures": sorted(indicators.MEASURES),
    }  # fmt: skip
    report.full_clean()
    with transaction.atomic():
        report.save()
        if sections:
            for order, heading in enumerate(DEFAULT_SECTIONS[language], start=1):
                ReportSection.objects.create(report=report, order=order * 10, heading=heading)
        audit_record(
            actor=actor,
            action="analysis.report_create",
            obj=report,
            changes=diff(None, snapshot(report, ["title", "period_start", "period_end", "language"])),
        )
    return report


def section_save(
    *, actor: Any, report: DonorReport, data: dict[str, Any], section: ReportSection | None = None
) -> ReportSection:
    require(actor, Perm.REPORTS_WRITE)
    target = section if section is not None else ReportSection(report=report)
    if target.report_id != report.pk:
        raise Http404
    before = None if section is None else snapshot(target)
    for name in ("heading", "body", "order"):
        if name in data and data[name] is not None:
            setattr(target, name, data[name])
    target.full_clean()
    with transaction.atomic():
        target.save()
        audit_record(
            actor=actor, action="analysis.report_section_save", obj=target, changes=diff(before, snapshot(target))
        )
    return target


def section_delete(*, actor: Any, section: ReportSection) -> None:
    require(actor, Perm.REPORTS_WRITE)
    with transaction.atomic():
        audit_record(
            actor=actor, action="analysis.report_section_delete", obj=section, changes=diff(snapshot(section), None)
        )
        section.delete()


def report_generate(*, actor: Any, report: DonorReport) -> DonorReport:
    """Queue the generation (the worker writes the DOCX and the PDF and moves the progress)."""
    from shieldhub.analysis import tasks_reports

    require(actor, Perm.REPORTS_WRITE)
    if report.status == ReportStatus.RUNNING:
        raise ValidationError(_("The report is being generated already."))
    parameters = {**(report.parameters or {}), "requested_at": timezone.now().isoformat()}
    with transaction.atomic():
        DonorReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.QUEUED, progress=0, error="", parameters=parameters
        )
        audit_record(actor=actor, action="analysis.report_generate", obj=report)
        pk = report.pk
        transaction.on_commit(lambda: tasks_reports.report_generate.enqueue(report_id=pk))
    report.refresh_from_db(fields=["status", "progress", "error", "parameters"])
    return report


def _progress(report: DonorReport, value: int, status: str = ReportStatus.RUNNING) -> None:
    report.progress, report.status = value, status
    DonorReport.objects.filter(pk=report.pk).update(progress=value, status=status)


def report_run(*, report_id: int) -> DonorReport | None:
    """The worker's part: gather the figures, write both files, mark the report ready (or failed)."""
    report = DonorReport.objects.select_related("created_by").filter(pk=report_id).first()
    if report is None:
        return None
    _progress(report, 5)
    try:
        with translation.override(report.language):
            context = report_context(report=report, step=lambda v: _progress(report, v))
            docx = build_docx(context)
            _progress(report, 80)
            pdf = build_pdf(context)
    except Exception as exc:
        logger.exception("donor report %s failed", report.pk)
        DonorReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=str(exc)[:2000])
        report.status = ReportStatus.FAILED
        return report
    now = timezone.now()
    DonorReport.objects.filter(pk=report.pk).update(
        docx=docx, pdf=pdf, status=ReportStatus.DONE, progress=100, generated_at=now, error=""
    )
    report.status, report.progress, report.generated_at = ReportStatus.DONE, 100, now
    return report


# --- the figures ----------------------------------------------------------------------------------


def _min_cell() -> int:
    from shieldhub.seizures.selectors import min_cell

    return min_cell()


def fmt_number(value: Any, places: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        value = Decimal(str(value))
        if value == value.to_integral_value():
            places = 0
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def seizure_chart_png(rows: list[dict[str, Any]], title: str) -> bytes:
    """A column chart of seizure records per month (`rows`: month, count)."""
    from shieldhub.analysis.charts import bar_chart, chart_png

    spec = bar_chart(rows, category="month", value="count", category_title=_("Month"),
                     value_title=_("Seizure records"), title=title, horizontal=False)  # fmt: skip
    return chart_png(spec, width=640)


def precursor_chart_png(stats: Any) -> bytes:
    """Seizure records by precursor, the suppressed cells left to the table (empty when none is shown)."""
    from shieldhub.analysis.charts import bar_chart, chart_png

    rows = [{"label": c.label, "count": c.count} for c in stats.by_precursor if c.count is not None]
    if not rows:
        return b""
    spec = bar_chart(rows, category="label", value="count", category_title=_("Precursor"),
                     value_title=_("Seizure records"), title=_("Seizure records by precursor"))  # fmt: skip
    return chart_png(spec, width=640)


def progress_chart_png(lines: list[indicators.Line]) -> bytes:
    """Each indicator's progress from its baseline towards its target, in % (empty when none has one)."""
    from shieldhub.analysis.charts import bar_chart, chart_png

    rows = [{"label": ln.indicator.code, "progress": ln.progress} for ln in lines if ln.progress is not None]
    if not rows:
        return b""
    spec = bar_chart(rows, category="label", value="progress", category_title=_("Indicator"),
                     value_title=_("Progress towards the target (%)"), title=_("Progress towards the targets"))  # fmt: skip
    return chart_png(spec, width=640)


def report_context(*, report: DonorReport, step: Any = None) -> dict[str, Any]:
    """Everything the documents print, in the report's language (call inside `translation.override`)."""
    from shieldhub.analysis.measures import seizure_statistics
    from shieldhub.events import analytics as events_analytics
    from shieldhub.events.choices import EventKind
    from shieldhub.events.results import operation_results

    step = step or (lambda value: None)
    start, end = report.period_start, report.period_end
    author = report.created_by
    lines = indicators.flat(indicators.framework(user=author, start=start, end=end))
    step(25)
    stats = seizure_statistics(user=author, start=start, end=end, suppress=True)
    month_rows = [{"month": c.key, "count": c.count or 0} for c in stats.by_month]
    chart = seizure_chart_png(month_rows, _("Seizure records per month")) if stats.total else b""
    by_precursor_chart = precursor_chart_png(stats)
    progress_chart = progress_chart_png(lines)
    step(45)
    held = events_analytics.events_held(start=start, end=end)
    kinds = dict(EventKind.choices)
    events = events_analytics.events_held_list(start=start, end=end)
    trained = events_analytics.officers_trained(start=start, end=end)
    operations = []
    for operation in events_analytics.operations_in_period(start=start, end=end):
        results = operation_results(user=author, operation=operation)
        title = (
            operation.event.title_fr
            if report.language == "fr" and operation.event.title_fr
            else operation.event.title_en
        )
        operations.append({
            "code": operation.code, "title": title, "starts_on": operation.starts_on, "ends_on": operation.ends_on,
            "countries": len(operation.countries or []), "phase": operation.get_phase_display(),
            "seizures": results.seizure_total, "kg": results.seizure_kg, "messages": results.message_total,
        })  # fmt: skip
    step(60)
    for e in events:
        e["title"] = e["title_fr"] if report.language == "fr" else e["title_en"]
    sections = list(report.sections.order_by("order", "pk"))
    return {
        "report": report, "language": report.language, "start": start, "end": end,
        "period": f"{date_format(start, 'DATE_FORMAT')} – {date_format(end, 'DATE_FORMAT')}",
        "sections": sections, "lines": lines, "stats": stats, "chart": chart,
        "chart_b64": base64.b64encode(chart).decode() if chart else "",
        "precursor_chart": by_precursor_chart, "precursor_chart_b64": base64.b64encode(by_precursor_chart).decode(),
        "progress_chart": progress_chart, "progress_chart_b64": base64.b64encode(progress_chart).decode(),
        "held": [{"kind": str(kinds.get(k, k)), "count": n} for k, n in sorted(held.items(), key=lambda kv: -kv[1])],
        "held_total": sum(held.values()), "trained": trained, "events": events, "operations": operations,
        "generated_at": timezone.now(),
    }  # fmt: skip


# --- the documents --------------------------------------------------------------------------------


def _docx_markdown(document: Any, text: str) -> None:
    """Narrative Markdown into Word paragraphs: headings, bullet and numbered lists, bold/italic."""
    import re

    for block in (text or "").replace("\r\n", "\n").split("\n"):
        line = block.rstrip()
        if not line.strip():
            continue
        style = None
        if m := re.match(r"^(#{1,4})\s+(.*)$", line):
            document.add_heading(m.group(2), level=min(len(m.group(1)) + 2, 4))
            continue
        if m := re.match(r"^\s*[-*+]\s+(.*)$", line):
            style, line = "List Bullet", m.group(1)
        elif m := re.match(r"^\s*\d+[.)]\s+(.*)$", line):
            style, line = "List Number", m.group(1)
        paragraph = document.add_paragraph(style=style)
        for part in re.split(r"(\*\*[^*]+\*\*|\*[^*]+\*|_[^_]+_)", line):
            if not part:
                continue
            if part.startswith("**") and part.endswith("**"):
                paragraph.add_run(part[2:-2]).bold = True
            elif (part.startswith("*") and part.endswith("*")) or (part.startswith("_") and part.endswith("_")):
                paragraph.add_run(part[1:-1]).italic = True
            else:
                paragraph.add_run(part)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    return table


def _progress_text(line: indicators.Line) -> str:
    if line.progress_raw is None:
        return "—"
    filled = int((line.progress or 0) / 10)
    return f"{'█' * filled}{'░' * (10 - filled)} {fmt_number(line.progress_raw, 0)} %"


def cell(value: Any) -> str:
    return _("fewer than %(n)s") % {"n": _min_cell()} if value is None else fmt_number(value)


def build_docx(context: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Cm

    report = context["report"]
    document = Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_paragraph(_("Reporting period: %(period)s") % {"period": context["period"]})
    for section in context["sections"]:
        document.add_heading(section.heading, level=1)
        _docx_markdown(document, section.body)

    document.add_heading(_("Results framework"), level=1)
    _table(
        document,
        [_("Code"), _("Indicator"), _("Baseline"), _("Target"), _("Actual"), _("Progress")],
        [[ln.indicator.code, ln.indicator.indicator or ln.indicator.title, fmt_number(ln.indicator.baseline),
          fmt_number(ln.indicator.target), fmt_number(ln.actual, 1), _progress_text(ln)] for ln in context["lines"]],
    )  # fmt: skip
    if context["progress_chart"]:
        document.add_picture(io.BytesIO(context["progress_chart"]), width=Cm(16))

    stats = context["stats"]
    document.add_heading(_("Seizures reported"), level=1)
    document.add_paragraph(
        _("Seizure records: %(total)s (%(kg)s kg), reported by %(countries)s countries. Cells of fewer than %(n)s records are not shown.")
        % {"total": fmt_number(stats.total), "kg": fmt_number(stats.total_kg, 1), "countries": fmt_number(stats.countries), "n": stats.threshold}
    )  # fmt: skip
    if context["chart"]:
        document.add_picture(io.BytesIO(context["chart"]), width=Cm(16))
    if context["precursor_chart"]:
        document.add_picture(io.BytesIO(context["precursor_chart"]), width=Cm(16))
    if stats.by_precursor:
        _table(document, [_("Precursor"), _("Records"), _("kg")],
               [[c.label, cell(c.count), "—" if c.kg is None else fmt_number(c.kg, 1)] for c in stats.by_precursor])  # fmt: skip
    if stats.by_region:
        document.add_paragraph()
        _table(document, [_("WCO region"), _("Records"), _("kg")],
               [[c.label, cell(c.count), "—" if c.kg is None else fmt_number(c.kg, 1)] for c in stats.by_region])  # fmt: skip

    document.add_heading(_("Events held"), level=1)
    trained = context["trained"]
    document.add_paragraph(
        _("Events held: %(events)s. Officers trained: %(total)s (women: %(women)s, men: %(men)s).")
        % {"events": fmt_number(context["held_total"]), "total": fmt_number(trained["total"]),
           "women": fmt_number(trained["women"]), "men": fmt_number(trained["men"])}
    )  # fmt: skip
    if context["held"]:
        _table(document, [_("Kind"), _("Events")], [[r["kind"], fmt_number(r["count"])] for r in context["held"]])

    document.add_heading(_("Operations and their results"), level=1)
    if context["operations"]:
        _table(
            document,
            [_("Operation"), _("Active phase"), _("Countries"), _("Seizure records"), _("kg"), _("Messages")],
            [[f"{o['title']} ({o['code']})", f"{date_format(o['starts_on'], 'SHORT_DATE_FORMAT')} – {date_format(o['ends_on'], 'SHORT_DATE_FORMAT')}",
              fmt_number(o["countries"]), fmt_number(o["seizures"]), fmt_number(o["kg"], 1), fmt_number(o["messages"])]
             for o in context["operations"]],
        )  # fmt: skip
    else:
        document.add_paragraph(_("No operation in the period."))

    document.add_page_break()
    document.add_heading(_("Annex: activities"), level=1)
    if context["events"]:
        _table(
            document, [_("Dates"), _("Kind"), _("Activity"), _("Place"), _("Officers trained")],
            [[f"{date_format(e['starts_on'], 'SHORT_DATE_FORMAT')} – {date_format(e['ends_on'], 'SHORT_DATE_FORMAT')}",
              e["kind_label"], e["title"], e["venue"] or "—", fmt_number(e["trained"])] for e in context["events"]],
        )  # fmt: skip
    else:
        document.add_paragraph(_("No activity in the period."))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_pdf(context: dict[str, Any]) -> bytes:
    from shieldhub.events.pdf import render_pdf
    from shieldhub.exchange.rendering import render_markdown

    stats = context["stats"]

    def rows(cells: list[Any]) -> list[dict[str, str]]:
        return [
            {"label": c.label, "count": cell(c.count), "kg": "—" if c.kg is None else fmt_number(c.kg, 1)}
            for c in cells
        ]

    printed = {
        "sections": [(s.heading, render_markdown(s.body)) for s in context["sections"]],
        "lines": [{"line": ln, "baseline": fmt_number(ln.indicator.baseline), "target": fmt_number(ln.indicator.target),
                   "actual": fmt_number(ln.actual, 1), "progress": "—" if ln.progress_raw is None else f"{fmt_number(ln.progress_raw)} %"}
                  for ln in context["lines"]],
        "total": fmt_number(stats.total), "total_kg": fmt_number(stats.total_kg, 1), "countries": fmt_number(stats.countries),
        "by_precursor": rows(stats.by_precursor), "by_region": rows(stats.by_region),
        "operations": [{**o, "kg": fmt_number(o["kg"], 1)} for o in context["operations"]],
    }  # fmt: skip
    return render_pdf("analysis/reports/print.html", {**context, "p": printed}, context["language"])


def preview_html(context: dict[str, Any]) -> dict[str, Any]:
    from shieldhub.exchange.rendering import render_markdown

    return {**context, "rendered": [(s, render_markdown(s.body)) for s in context["sections"]]}


def when(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")

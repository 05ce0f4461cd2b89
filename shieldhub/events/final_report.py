"""The final report of an operation (DOCX and PDF, English or French), for its managers
(`events.operations_manage`): participation (countries, NCPs in the group, meetings held with their
approved registrations and attendance), seizures by country and precursor, shipments checked,
messages exchanged (those the reader may see in the closed group) and the lessons recorded at the
post-operational meeting. Each download is audited (`events.operation.final_report`).

The DOCX is built in code with python-docx (an editable document the secretariat finishes in Word);
the PDF is rendered by WeasyPrint from `events/operations/final_report_pdf.html` (`events.pdf`).
"""

from __future__ import annotations

import io
import zoneinfo
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django_countries import countries as country_registry

from shieldhub.core.access import Perm, require
from shieldhub.core.audit import audit_record
from shieldhub.events import results as results_mod
from shieldhub.events.models import Attendance, Event, Operation, Registration
from shieldhub.events.templatetags.events_tags import colon_for

LANGUAGES = ("en", "fr")


def language_of(value: Any, default: str = "en") -> str:
    value = str(value or "")[:2].lower()
    return value if value in LANGUAGES else default


def _meeting(event: Event | None, language: str) -> dict[str, Any] | None:
    if event is None:
        return None
    approved = Registration.objects.filter(event=event, status="approved").count()
    attended = Attendance.objects.filter(registration__event=event).values("registration").distinct().count()
    return {
        "title": event.title_in(language),
        "dates": formats.date_format(event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone)), "j F Y"),
        "held": event.status == "held" or event.ends_at < timezone.now(),
        "registered": approved,
        "attended": attended,
    }


def report_context(*, user: Any, operation: Operation, language: str) -> dict[str, Any]:
    """Everything the report says, in `language` (labels, names, dates)."""
    require(user, Perm.OPERATIONS_MANAGE)
    from shieldhub.directory.selectors import membership_list

    with translation.override(language):
        figures = results_mod.operation_results(user=user, operation=operation)
        shipments = results_mod.shipments_checked(user=user, operation=operation)
        ncps = []
        if operation.community is not None:
            for membership in membership_list(user=user, community=operation.community):
                member = membership.user
                if member.is_ncp and str(member.country) in operation.countries:
                    code = str(member.country)
                    ncps.append(
                        {
                            "name": member.full_name or member.email,
                            "code": code,
                            "country": str(country_registry.name(code) or code),
                        }
                    )
        title = operation.event.title_in(language)
        goals = operation.goals_fr if language == "fr" and operation.goals_fr else operation.goals_en
        lessons = operation.lessons_fr if language == "fr" and operation.lessons_fr else operation.lessons_en
        return {
            "operation": operation,
            "title": title,
            "code": operation.code,
            "phase": str(operation.get_phase_display()),
            "dates": "{} – {}".format(
                formats.date_format(operation.starts_on, "j F Y"),
                formats.date_format(operation.ends_on, "j F Y"),
            ),
            "goals": goals,
            "lessons": lessons,
            "countries": [{"code": c, "name": str(country_registry.name(c) or c)} for c in operation.countries],
            "precursors": [p.name for p in operation.precursors.all()],
            "ncps": ncps,
            "meetings": [
                m
                for m in (
                    _meeting(operation.pre_meeting, language),
                    _meeting(operation.post_meeting, language),
                )
                if m
            ],
            "results": figures,
            "shipments": shipments,
            "generated": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
            "generated_by": user.full_name or user.email,
        }


def _kg(value: Any) -> str:
    return floatformat(value, "-1g") if value is not None else "—"


def build_docx(context: dict[str, Any], language: str) -> bytes:
    from docx import Document

    c = colon_for(language)
    with translation.override(language):
        doc = Document()
        doc.add_heading(context["title"], level=0)
        doc.add_paragraph(
            "{}{c} {} · {}{c} {} · {}{c} {}".format(
                _("Code name"), context["code"], _("Active phase"), context["dates"], _("Phase"), context["phase"], c=c
            )
        )
        if context["goals"]:
            doc.add_heading(_("Goals"), level=1)
            doc.add_paragraph(context["goals"])

        doc.add_heading(_("Participation"), level=1)
        doc.add_paragraph(
            "{}{c} {}".format(
                _("Participating countries"), ", ".join(x["name"] for x in context["countries"]) or "—", c=c
            )
        )
        doc.add_paragraph("{}{c} {}".format(_("Precursors targeted"), ", ".join(context["precursors"]) or "—", c=c))
        doc.add_paragraph(
            "{}{c} {}".format(_("National Contact Points in the group"), ", ".join(
                "{} ({})".format(n["name"], n["country"]) for n in context["ncps"]) or "—", c=c)
        )  # fmt: skip
        if context["meetings"]:
            table = doc.add_table(rows=1, cols=5)
            table.style = "Table Grid"
            headings = (_("Meeting"), _("Date"), pgettext("meeting", "Held"), _("Registered"), _("Attended"))
            for cell, text in zip(table.rows[0].cells, headings, strict=True):
                cell.text = text
            for m in context["meetings"]:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = m["title"], m["dates"]
                cells[2].text = _("yes") if m["held"] else _("not yet")
                cells[3].text, cells[4].text = str(m["registered"]), str(m["attended"])

        res = context["results"]
        doc.add_heading(_("Seizures"), level=1)
        doc.add_paragraph(
            ngettext(
                "%(count)s record reported under the operation, %(kg)s kg in total.",
                "%(count)s records reported under the operation, %(kg)s kg in total.",
                res.seizure_total,
            )
            % {"count": res.seizure_total, "kg": _kg(res.seizure_kg)}
        )
        for heading, rows in (
            (_("By country"), res.seizures_by_country),
            (_("By precursor"), res.seizures_by_precursor),
        ):
            if not rows:
                continue
            doc.add_heading(heading, level=2)
            table = doc.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, (heading, _("Records"), _("kg")), strict=True):
                cell.text = text
            for row in rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text, cells[2].text = row.label, str(row.count), _kg(row.kg)
        if res.records:
            doc.add_heading(_("Records"), level=2)
            for incident in res.records:
                goods = ", ".join(res.record_goods.get(incident.pk, []))
                doc.add_paragraph(
                    "{} · {} · {} · {} · {} kg".format(
                        incident.reference,
                        formats.date_format(incident.occurred_on, "SHORT_DATE_FORMAT"),
                        country_registry.name(str(incident.reporting_country)),
                        goods or "—",
                        _kg(incident.total_kg),
                    ),
                    style="List Bullet",
                )

        ship = context["shipments"]
        doc.add_heading(_("Shipments checked"), level=1)
        if ship.available:
            doc.add_paragraph(
                _(
                    "%(total)s pre-export notifications of the participating countries during the active phase: "
                    "%(answered)s answered by the importing country, %(pending)s awaiting an answer, %(closed)s closed."
                )
                % {"total": ship.total, "answered": ship.answered, "pending": ship.pending, "closed": ship.closed}
            )
        else:
            doc.add_paragraph(_("Shipments are not available to your role."))

        doc.add_heading(_("Messages exchanged"), level=1)
        doc.add_paragraph(
            ngettext(
                "%(count)s message in the operation's closed group.",
                "%(count)s messages in the operation's closed group.",
                res.message_total,
            )
            % {"count": res.message_total}
        )
        for row in res.messages_by_country:
            doc.add_paragraph(f"{row.label}: {row.count}", style="List Bullet")

        doc.add_heading(_("Lessons recorded"), level=1)
        doc.add_paragraph(context["lessons"] or _("No lessons recorded yet."))
        doc.add_paragraph(
            _("Generated on %(date)s by %(user)s.") % {"date": context["generated"], "user": context["generated_by"]}
        )
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def build_pdf(context: dict[str, Any], language: str) -> bytes:
    from shieldhub.events.pdf import render_pdf

    return render_pdf("events/operations/final_report_pdf.html", context, language)


def final_report(*, actor: Any, operation: Operation, fmt: str, language: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report; the download is audited."""
    require(actor, Perm.OPERATIONS_MANAGE)
    language = language_of(language)
    context = report_context(user=actor, operation=operation, language=language)
    if fmt == "pdf":
        content, ctype = build_pdf(context, language), "application/pdf"
    else:
        fmt = "docx"
        content = build_docx(context, language)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    audit_record(
        actor=actor,
        action="events.operation.final_report",
        obj=operation,
        extra={"format": fmt, "language": language},
    )
    return content, ctype, f"{operation.code}-final-report-{language}.{fmt}"

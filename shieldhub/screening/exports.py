"""The flagged declarations of a run as an Excel workbook (formula-safe: `core.spreadsheets`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shieldhub.core.spreadsheets import write_xlsx
from shieldhub.screening.models import ScreeningHit, ScreeningRun


def headers() -> list[str]:
    return [
        _("Row"), _("Reference"), _("Date"), _("Exporter"), _("Consignee"), _("Origin"), _("Destination"),
        _("Route"), _("HS code"), _("Goods description"), _("Catalogue items"), _("kg"), _("Score"),
        _("Rules"), _("Reasons"),
    ]  # fmt: skip


def rows(hits: QuerySet[ScreeningHit]) -> Iterator[list[Any]]:
    for h in hits.iterator(chunk_size=2000):
        reasons = [f"{r['explanation']} (+{r['weight']}): {r['evidence']}" for r in h.reasons]
        yield [
            h.line, h.reference, h.declared_on, h.consignor, h.consignee, h.origin, h.destination, h.route,
            h.hs_code, h.description, h.items, h.kg, h.score, ", ".join(r["rule"] for r in h.reasons),
            "\n".join(reasons),
        ]  # fmt: skip


def hits_xlsx(run: ScreeningRun, hits: QuerySet[ScreeningHit]) -> bytes:
    return write_xlsx(rows(hits), headers(), sheet_title=_("Flagged declarations"))


def file_name(run: ScreeningRun) -> str:
    return f"screening-{run.pk}-{run.created_at:%Y%m%d}.xlsx"

"""Export of the filtered seizure list as CSV or XLSX.

The records come from `incident_list` with the list page's filters, so an export holds nothing the
user could not see on screen. Persons involved are never exported; a withdrawn record received
from another country keeps only its reference, type, country, date and status. Every export
writes an audit entry.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, incident_detail_visible, require
from shieldhub.core.audit import audit_record
from shieldhub.core.spreadsheets import iter_csv, write_xlsx_to
from shieldhub.seizures.models import GoodsLine, Incident, IncidentParty
from shieldhub.seizures.selectors import incident_list

FORMATS = ("csv", "xlsx")
_CHUNK = 1000

COLUMNS: list[tuple[str, Any]] = [
    ("reference", _("Reference")),
    ("incident_type", _("Type")),
    ("status", _("Status")),
    ("reporting_country", _("Reporting country")),
    ("occurred_on", _("Date")),
    ("office_name", _("Office")),
    ("location_type", _("Location type")),
    ("direction", _("Direction")),
    ("detection_method", _("Detection method")),
    ("conveyance", _("Conveyance")),
    ("concealment", _("Concealment method")),
    ("departure", _("Countries of departure")),
    ("transit", _("Transit countries")),
    ("destination", _("Countries of destination")),
    ("ports", _("Ports or airports")),
    ("operation", _("Operation")),
    ("source", _("Source")),
    ("national_reference", _("National reference number")),
    ("goods", _("Goods")),
    ("total_kg", _("Total kg")),
    ("companies", _("Companies")),
    ("data_quality", _("Data quality")),
    ("version", _("Version")),
]
_ALWAYS = {"reference", "incident_type", "status", "reporting_country", "occurred_on"}


def _goods(line: GoodsLine) -> str:
    what = line.catalogue_item.name if line.catalogue_item else f"HS {line.hs_code}"
    kg = f" = {line.quantity_kg} kg" if line.quantity_kg is not None and line.unit != "kg" else ""
    return f"{what}: {line.quantity.normalize():f} {line.unit}{kg}"


def _value(incident: Incident, key: str) -> Any:
    if key == "reference":
        return incident.reference
    if key in ("incident_type", "status", "location_type", "direction", "detection_method", "conveyance", "source"):
        return getattr(incident, f"get_{key}_display")() if getattr(incident, key) else ""
    if key == "reporting_country":
        return str(incident.reporting_country.name)
    if key in ("departure", "transit", "destination"):
        return ", ".join(str(c.country.code) for c in incident.route.all() if c.role == key)
    if key == "operation":
        return incident.operation.name if incident.operation else ""
    if key == "goods":
        return "; ".join(_goods(line) for line in incident.goods.all())
    if key == "companies":
        return "; ".join(f"{p.entity.name} ({p.get_role_display()})" for p in incident.parties.all())
    if key == "total_kg":
        return float(incident.total_kg) if incident.total_kg is not None else ""
    return getattr(incident, key)


def _rows(user: Any, incidents: QuerySet[Incident], keys: list[str], language: str) -> Iterator[list[Any]]:
    with translation.override(language):
        for incident in incidents.iterator(chunk_size=_CHUNK):
            shown = incident_detail_visible(user, incident)
            yield [_value(incident, k) if shown or k in _ALWAYS else "" for k in keys]


@dataclass
class Export:
    filename: str
    content_type: str
    stream: Iterator[bytes] | None = None
    file: IO[bytes] | None = None
    count: int = 0


def incident_export(*, user: Any, filters: dict[str, Any], fmt: str) -> Export:
    """The export of the records this user may see under these filters, and its audit entry."""
    require(user, Perm.SEIZURE_STATS)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    incidents = incident_list(user=user, filters=filters).prefetch_related(
        "route",
        Prefetch("goods", queryset=GoodsLine.objects.select_related("catalogue_item")),
        Prefetch("parties", queryset=IncidentParty.objects.select_related("entity")),
    )
    language = translation.get_language() or "en"
    stamp = timezone.localdate().strftime("%Y%m%d")
    with transaction.atomic():
        count = incidents.count()
        audit_record(
            actor=user, action="seizures.incident_export", object_type="seizures.incident",
            object_repr=f"{count} records ({fmt})",
            extra={"count": count, "filters": {k: str(v) for k, v in filters.items()}, "format": fmt},
        )  # fmt: skip
    keys = [k for k, _label in COLUMNS]
    headers = [str(label) for _k, label in COLUMNS]
    name = f"seizures-{stamp}"
    if fmt == "csv":
        return Export(
            filename=f"{name}.csv", content_type="text/csv; charset=utf-8",
            stream=iter_csv(_rows(user, incidents, keys, language), headers), count=count,
        )  # fmt: skip
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to FileResponse
    write_xlsx_to(spool, _rows(user, incidents, keys, language), headers, str(_("Seizures")))  # type: ignore[arg-type]
    spool.seek(0)
    return Export(
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file=spool,  # type: ignore[arg-type]
        count=count,
    )

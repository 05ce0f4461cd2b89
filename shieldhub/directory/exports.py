"""Export of a filtered people list as CSV, XLSX or vCard.

The people come from `person_list` with the filters of the list page, so an export never holds
anyone the user could not see on screen; private fields (notes, verification date) are only
exported for those who may read them. Rows are read with `.iterator()` and written as they come
(CSV and vCard stream; XLSX is written in openpyxl's write-only mode to a spooled temporary file),
so memory stays bounded at 50,000 people. Every export writes an audit entry.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import vobject
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from shieldhub.core.access import Perm, can_see_private_contact_fields, require
from shieldhub.core.audit import audit_record
from shieldhub.core.spreadsheets import iter_csv, write_xlsx_to
from shieldhub.directory.choices import Title
from shieldhub.directory.models import Person
from shieldhub.directory.selectors import person_list

FORMATS = ("csv", "xlsx", "vcf")
FILTER_KEYS = ("q", "organisation", "country", "region", "role", "language", "verified")
_CHUNK = 2000

# (key, column label); private columns only for those who may read private contact fields
COLUMNS: list[tuple[str, Any]] = [
    ("title", _("Title")),
    ("given_name", _("Given name")),
    ("family_name", _("Family name")),
    ("position", _("Position")),
    ("organisation", _("Organisation")),
    ("organisation_acronym", _("Acronym")),
    ("country", _("Country")),
    ("email", _("Email")),
    ("other_emails", _("Other emails")),
    ("phones", _("Phones")),
    ("languages", _("Languages")),
    ("preferred_language", _("Preferred language")),
    ("is_ncp", _("Active NCP")),
]
PRIVATE_COLUMNS: list[tuple[str, Any]] = [
    ("last_verified_on", _("Last verified")),
    ("notes", _("Notes")),
]


def filters_from_query(query: QueryDict) -> dict[str, str]:
    """The list filters of a query string (unknown keys and empty values dropped)."""
    filters = {k: query.get(k, "").strip() for k in FILTER_KEYS}
    if filters["organisation"] and not filters["organisation"].isdigit():
        filters["organisation"] = ""
    return {k: v for k, v in filters.items() if v}


def export_columns(user: Any) -> list[tuple[str, Any]]:
    return COLUMNS + (PRIVATE_COLUMNS if can_see_private_contact_fields(user) else [])


def _value(person: Person, key: str) -> Any:
    org = person.organisation
    if key == "organisation":
        return org.name if org else ""
    if key == "organisation_acronym":
        return org.acronym if org else ""
    if key == "title":
        return str(Title(person.title).label) if person.title else ""
    if key == "country":
        return person.country.name if person.country else ""
    if key == "preferred_language":
        return person.get_preferred_language_display()
    if key == "is_ncp":
        return str(_("yes")) if getattr(person, "is_ncp", False) else ""
    if key == "last_verified_on":
        return person.last_verified_on or ""
    return getattr(person, key)


def _people(user: Any, filters: dict[str, Any]) -> QuerySet[Person]:
    return person_list(user=user, filters=filters)


def _rows(people: QuerySet[Person], keys: list[str], language: str) -> Iterator[list[Any]]:
    with translation.override(language):
        for person in people.iterator(chunk_size=_CHUNK):
            yield [_value(person, k) for k in keys]


def _vcards(people: QuerySet[Person], language: str) -> Iterator[bytes]:
    with translation.override(language):
        for person in people.iterator(chunk_size=_CHUNK):
            yield person_vcard(person).encode()


def person_vcard(person: Person) -> str:
    """A vCard 3.0 for one person: name, organisation, title, emails, phones, country."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(
        family=person.family_name,
        given=person.given_name,
        prefix=str(Title(person.title).label) if person.title else "",
    )
    card.add("fn").value = person.full_name or person.family_name
    if person.organisation_id and person.organisation:
        card.add("org").value = [person.organisation.name]
    if person.position:
        card.add("title").value = person.position
    for i, address in enumerate([person.email, *(person.other_emails or [])]):
        if not address:
            continue
        email = card.add("email")
        email.value = address
        email.type_param = ["INTERNET", "PREF"] if i == 0 else "INTERNET"
    for number in person.phones or []:
        tel = card.add("tel")
        tel.value = str(number)
        tel.type_param = "WORK"
    if person.country:
        card.add("adr").value = vobject.vcard.Address(country=str(person.country.name))
    return str(card.serialize())


@dataclass
class Export:
    filename: str
    content_type: str
    stream: Iterator[bytes] | None = None  # CSV and vCard
    file: IO[bytes] | None = None  # XLSX
    count: int = 0


def person_export(*, user: Any, filters: dict[str, Any], fmt: str) -> Export:
    """The export of the people this user may see under these filters, and its audit entry."""
    require(user, Perm.DIRECTORY_EXPORT)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    people = _people(user, filters)
    language = translation.get_language() or "en"
    stamp = timezone.localdate().strftime("%Y%m%d")
    with transaction.atomic():
        count = people.count()
        audit_record(
            actor=user,
            action="directory.person.export",
            object_type="directory.person",
            object_repr=f"{count} people ({fmt})",
            extra={"count": count, "filters": filters, "format": fmt},
        )
    columns = export_columns(user)
    keys = [k for k, _label in columns]
    headers = [str(label) for _k, label in columns]
    name = f"people-{stamp}"
    if fmt == "csv":
        return Export(
            filename=f"{name}.csv",
            content_type="text/csv; charset=utf-8",
            stream=iter_csv(_rows(people, keys, language), headers),
            count=count,
        )
    if fmt == "vcf":
        return Export(
            filename=f"{name}.vcf",
            content_type="text/vcard; charset=utf-8",
            stream=_vcards(people, language),
            count=count,
        )
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to FileResponse, which closes it
    write_xlsx_to(spool, _rows(people, keys, language), headers, str(_("People")))  # type: ignore[arg-type]
    spool.seek(0)
    return Export(
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file=spool,  # type: ignore[arg-type]
        count=count,
    )

"""Export of people as XLSX, CSV and vCard: safe cells, visibility, audit, bounded queries."""

from __future__ import annotations

import codecs
import csv
import io

import openpyxl
import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shieldhub.core.models import AuditEntry
from shieldhub.directory.services import person_search_text
from tests.factories import NominationFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def export(client, fmt, **params):
    response = client.get(reverse("directory:person-export"), {**params, "format": fmt})
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def xlsx_rows(body):
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def people(db):
    kra = OrganisationFactory(name="Kenya Revenue Authority", acronym="KRA", country="KE")
    evil = PersonFactory(
        given_name="@SUM(1+1)",
        family_name='=HYPERLINK("http://evil.example","click")',
        position="+cmd|' /C calc'!A0",
        email="evil@example.org",
        phones=["+33 1 23 45 67 89"],
        notes="-private note",
        country="FR",
    )
    wanjiru = PersonFactory(
        title="ms",
        given_name="Wanjiru",
        family_name="Kamau",
        email="w.kamau@kra.go.ke",
        other_emails=["wanjiru@gmail.com"],
        phones=["+254 20 000 000"],
        organisation=kra,
        country="KE",
        position="Senior officer",
        languages=["en", "sw"],
        notes="met in Nairobi",
    )
    for person in (evil, wanjiru):
        person.search_text = person_search_text(person)
        person.save()
    return evil, wanjiru


def test_xlsx_neutralises_formulas_and_keeps_private_columns_for_the_secretariat(login, coordinator, people):
    client = login(coordinator)
    response, body = export(client, "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    ws, rows = xlsx_rows(body)
    header = rows[0]
    assert header[:3] == ["Title", "Given name", "Family name"]
    assert "Notes" in header
    assert ws["A1"].font.bold
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    by_family = {r[header.index("Email")]: dict(zip(header, r, strict=False)) for r in rows[1:]}
    evil = by_family["evil@example.org"]
    assert evil["Family name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert evil["Given name"] == "'@SUM(1+1)"
    assert evil["Position"] == "'+cmd|' /C calc'!A0"
    assert evil["Phones"] == "'+33 1 23 45 67 89"
    assert evil["Notes"] == "'-private note"
    kamau = by_family["w.kamau@kra.go.ke"]
    assert kamau["Organisation"] == "Kenya Revenue Authority" and kamau["Acronym"] == "KRA"
    assert kamau["Country"] == "Kenya"
    assert kamau["Other emails"] == "wanjiru@gmail.com"
    assert kamau["Languages"] == "en; sw"
    assert kamau["Title"] == "Ms"


def test_csv_has_a_bom_and_honours_the_list_filters(login, coordinator, people):
    client = login(coordinator)
    response, body = export(client, "csv", country="KE")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][rows[0].index("Family name")] == "Kamau"
    _response, body = export(client, "csv", q="kamau")
    assert body.decode("utf-8-sig").count("\n") == 2
    _response, body = export(client, "csv")
    assert "'=HYPERLINK" in body.decode("utf-8-sig")


def test_vcard_parses(login, coordinator, people):
    client = login(coordinator)
    response, body = export(client, "vcf", country="KE")
    assert response["Content-Type"].startswith("text/vcard")
    cards = list(vobject.readComponents(body.decode()))
    assert len(cards) == 1
    card = cards[0]
    assert card.version.value == "3.0"
    assert card.fn.value == "Wanjiru Kamau"
    assert card.n.value.family == "Kamau" and card.n.value.given == "Wanjiru"
    assert card.org.value == ["Kenya Revenue Authority"]
    assert card.title.value == "Senior officer"
    assert [e.value for e in card.email_list] == ["w.kamau@kra.go.ke", "wanjiru@gmail.com"]
    assert [t.value for t in card.tel_list] == ["+254 20 000 000"]
    assert card.adr.value.country == "Kenya"


def test_each_export_is_audited(login, coordinator, people):
    client = login(coordinator)
    export(client, "xlsx", country="KE", q="kamau")
    entry = AuditEntry.objects.get(action="directory.person.export")
    assert entry.actor == coordinator
    assert entry.extra["count"] == 1
    assert entry.extra["format"] == "xlsx"
    assert entry.extra["filters"] == {"country": "KE", "q": "kamau"}


def test_columns_in_the_users_language(login, coordinator, people):
    coordinator.language = "fr"
    coordinator.save()
    client = login(coordinator)
    _response, body = export(client, "xlsx", HTTP_ACCEPT_LANGUAGE="fr")
    _ws, rows = xlsx_rows(body)
    with translation.override("fr"):
        assert rows[0][2] == gettext("Family name")
        assert rows[0][7] == gettext("Email") == "Courriel"


@pytest.mark.parametrize("persona", ["donor", "outsider"], indirect=True)
def test_who_may_not_export(login, persona, people):
    client = login(persona)
    assert client.get(reverse("directory:person-export"), {"format": "csv"}).status_code == 403
    assert not AuditEntry.objects.filter(action="directory.person.export").exists()


def test_an_ncp_export_holds_only_what_the_ncp_may_see(login, ncp_fr, people):
    """The NCP network and the NCP's own country, never another country's other contacts, no notes."""
    _evil, _kamau = people
    ke_ncp = PersonFactory(given_name="Otieno", family_name="Network", country="KE", email="ncp@kra.go.ke")
    NominationFactory(person=ke_ncp, country="KE", status="active")
    client = login(ncp_fr)
    for fmt in ("csv", "xlsx", "vcf"):
        _response, body = export(client, fmt)
        text = body.decode("utf-8-sig", errors="replace") if fmt != "xlsx" else str(xlsx_rows(body)[1])
        assert "ncp@kra.go.ke" in text  # the network
        assert "evil@example.org" in text  # own country
        assert "w.kamau@kra.go.ke" not in text  # another country, not in the network
        assert "met in Nairobi" not in text and "private note" not in text
    _response, body = export(client, "xlsx")
    assert "Notes" not in xlsx_rows(body)[1][0]


def test_a_partner_exports_the_network_only(login, partner_interpol, people):
    ke_ncp = PersonFactory(family_name="Network", country="KE", email="ncp@kra.go.ke")
    NominationFactory(person=ke_ncp, country="KE", status="active")
    _response, body = export(login(partner_interpol), "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[rows[0].index("Email")] for r in rows[1:]] == ["ncp@kra.go.ke"]
    assert "Notes" not in rows[0]


def test_bad_format_is_404(login, coordinator):
    assert login(coordinator).get(reverse("directory:person-export"), {"format": "pdf"}).status_code == 404


def test_query_count_does_not_grow_with_the_list(login, coordinator, django_assert_max_num_queries):
    """A fixed number of queries whatever the number of people (rows are fetched in chunks of
    2,000 on a server-side cursor on PostgreSQL, so memory stays bounded too)."""
    client = login(coordinator)
    org = OrganisationFactory()
    PersonFactory.create_batch(3, organisation=org)
    counts = {}
    for fmt in ("csv", "xlsx", "vcf"):
        with CaptureQueriesContext(connection) as queries:
            export(client, fmt)
        counts[fmt] = len(queries)
    PersonFactory.create_batch(40)
    for fmt in ("csv", "xlsx", "vcf"):
        with django_assert_max_num_queries(counts[fmt]):
            _response, body = export(client, fmt)
        if fmt == "csv":
            assert body.decode("utf-8-sig").count("\n") == 44

"""Open-source items: entry by hand, grouping of near-duplicates, triage of a story, the seizure
record draft and the message prefill, uploads checked by row and column (all or nothing)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from shieldhub.analysis import osint
from shieldhub.analysis.models import OsintItem
from shieldhub.core.models import AuditEntry
from tests.analysis.test_osint_support import catalogue, make_item, ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db

MOMBASA_1 = (
    "Kenya Revenue Authority seizes 12 tonnes of ammonium nitrate at Mombasa port",
    "Officers of the Kenya Revenue Authority seized twelve tonnes of ammonium nitrate hidden in a container "
    "declared as fertiliser and bound for Somalia, the authority said on Monday.",
)
MOMBASA_2 = (
    "12 tonnes of ammonium nitrate seized at Mombasa port by Kenya Revenue Authority",
    "The Kenya Revenue Authority said on Monday its officers had seized 12 tonnes of ammonium nitrate in a "
    "container declared as fertiliser bound for Somalia.",
)
OTHER = ("Rotterdam port reports record container volumes", "Volumes rose in the third quarter, the port said.")


def test_an_item_entered_by_hand_is_tagged_and_audited(analyst, catalogue, make_item):  # noqa: F811
    item = make_item(*MOMBASA_1, url="https://news.example/1", language="en", published_at=dt.date(2026, 11, 23))
    assert item.kind == "manual" and item.entered_by == analyst
    assert [c.code for c in item.catalogue_items.all()] == ["ammonium-nitrate"]
    assert item.countries == ["KE", "SO"]
    assert item.published_at.date() == dt.date(2026, 11, 23)
    assert AuditEntry.objects.filter(action="analysis.osint_item_create", object_id=str(item.pk)).exists()


def test_html_text_is_cleaned(make_item, catalogue):  # noqa: F811
    item = make_item("Seizure", "<p>Seized <b>nitrate d'ammonium</b></p><script>x()</script>")
    assert item.text == "Seized nitrate d'ammonium"


def test_near_duplicates_are_grouped_with_the_first_item(make_item, catalogue):  # noqa: F811
    first = make_item(*MOMBASA_1)
    second = make_item(*MOMBASA_2)
    other = make_item(*OTHER)
    copy = make_item(*MOMBASA_1)  # an exact copy (another outlet reprinting the wire)
    assert first.group is None and other.group is None
    assert second.group == first and copy.group == first
    stories = list(osint.item_list(user=first.entered_by))
    assert [(s.pk, s.n_similar) for s in stories] == [(other.pk, 0), (first.pk, 2)]
    assert len(osint.item_list(user=first.entered_by, grouped=False)) == 4
    assert [i.pk for i in osint.item_group(user=first.entered_by, item=second)] == [first.pk, copy.pk]


def test_old_items_are_not_grouped(make_item, catalogue, settings):  # noqa: F811
    first = make_item(*MOMBASA_1)
    OsintItem.objects.filter(pk=first.pk).update(fetched_at=timezone.now() - dt.timedelta(days=30))
    assert make_item(*MOMBASA_2).group is None


def test_similarity_needs_shared_words():
    a = osint._signature(*MOMBASA_1)
    b = osint._signature(*MOMBASA_2)
    c = osint._signature(*OTHER)
    assert osint.similarity(a, b) >= 75
    assert osint.similarity(a, c) < 50
    assert osint.similarity("seizure", "seizure of nitrate in kenya port") == 0


def test_triage_applies_to_the_story_and_is_audited(analyst, make_item, catalogue):  # noqa: F811
    first = make_item(*MOMBASA_1)
    second = make_item(*MOMBASA_2)
    other = make_item(*OTHER)
    assert osint.item_triage(actor=analyst, item=second, status="relevant") == 2
    first.refresh_from_db()
    second.refresh_from_db()
    other.refresh_from_db()
    assert first.status == second.status == "relevant" and other.status == "new"
    assert first.triaged_by == analyst and first.triaged_at is not None
    entry = AuditEntry.objects.get(action="analysis.osint_item_triage")
    assert entry.changes == {"status": ["new", "relevant"]}
    with pytest.raises(ValidationError):
        osint.item_triage(actor=analyst, item=other, status="maybe")
    assert [i.pk for i in osint.item_list(user=analyst, filters={"status": "relevant"})] == [first.pk]


def test_filters(analyst, make_item, catalogue):  # noqa: F811
    an = make_item(*MOMBASA_1, published_at=dt.date(2026, 11, 20))
    fr = make_item(
        "Saisie de détonateurs au Sénégal", "Les douanes ont saisi 300 détonateurs.", published_at=dt.date(2026, 10, 1)
    )
    ids = lambda **f: [i.pk for i in osint.item_list(user=analyst, filters=f)]  # noqa: E731
    assert ids(precursor=catalogue["ammonium-nitrate"].pk) == [an.pk]
    assert ids(country="SN") == [fr.pk]
    assert ids(country="so") == [an.pk]
    assert ids(date_from="2026-11-01") == [an.pk]
    assert ids(date_to="2026-10-31") == [fr.pk]
    assert ids(q="détonateurs") == [fr.pk]
    assert ids(source=123456) == []


def test_seizure_draft_from_an_item(analyst, make_item, catalogue):  # noqa: F811
    from shieldhub.seizures.selectors import incident_get

    item = make_item(*MOMBASA_1, url="https://news.example/1", published_at=dt.date(2026, 11, 23))
    incident = osint.item_to_seizure(actor=analyst, item=item)
    item.refresh_from_db()
    assert item.seizure == incident
    incident = incident_get(user=analyst, pk=incident.pk)
    assert incident.status == "draft" and incident.created_by == analyst
    assert incident.source == "open_source" and incident.incident_type == "seizure"
    assert incident.reporting_country == "KE" and incident.occurred_on == dt.date(2026, 11, 23)
    assert MOMBASA_1[0] in incident.narrative and "https://news.example/1" in incident.narrative
    lines = list(incident.goods.all())
    assert [(g.catalogue_item.code, g.quantity, g.unit) for g in lines] == [("ammonium-nitrate", Decimal("12"), "t")]
    assert AuditEntry.objects.filter(action="analysis.osint_item_to_seizure", object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError):
        osint.item_to_seizure(actor=analyst, item=item)


def test_seizure_draft_needs_a_country(analyst, make_item, catalogue):  # noqa: F811
    item = make_item("Ammonium nitrate stolen from a quarry", "Police are looking for 300 kg of ammonium nitrate.")
    with pytest.raises(ValidationError) as exc:
        osint.item_to_seizure(actor=analyst, item=item)
    assert "reporting_country" in exc.value.message_dict
    incident = osint.item_to_seizure(actor=analyst, item=item, reporting_country="fr")
    assert incident.reporting_country == "FR"
    assert [(g.quantity, g.unit) for g in incident.goods.all()] == [(Decimal("300"), "kg")]


def test_the_coordinator_cannot_report_seizures(coordinator, make_item, catalogue):  # noqa: F811
    item = make_item(*MOMBASA_1, actor=coordinator)
    with pytest.raises(PermissionDenied):
        osint.item_to_seizure(actor=coordinator, item=item)


def test_message_prefill(make_item, catalogue):  # noqa: F811
    from urllib.parse import parse_qs, urlsplit

    item = make_item("Seizure of HS 3102.30 goods in Kenya", "Ammonium nitrate.", url="https://news.example/9")
    url = urlsplit(osint.message_compose_url(item))
    params = parse_qs(url.query)
    assert url.path == "/exchange/compose/" or url.path.endswith("/compose/")
    assert params["subject"] == ["Seizure of HS 3102.30 goods in Kenya"]
    assert "https://news.example/9" in params["body"][0]
    assert params["precursors"] == [str(catalogue["ammonium-nitrate"].pk)] and params["hs_codes"] == ["310230"]


def _xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_csv_and_xlsx(analyst, catalogue):  # noqa: F811
    csv_bytes = (
        b"title,url,text,date,language\n"
        b"Saisie de nitrate d'ammonium,https://a.example/1,Au Mali.,2026-11-01,fr\n"
        b"Detonators seized,,In Ghana.,,en\n"
    )
    created = osint.items_upload(actor=analyst, name="items.csv", content=csv_bytes)
    assert [(i.title, i.kind, i.countries) for i in created] == [
        ("Saisie de nitrate d'ammonium", "upload", ["ML"]), ("Detonators seized", "upload", ["GH"])]  # fmt: skip
    created = osint.items_upload(
        actor=analyst, name="items.xlsx",
        content=_xlsx([["Title", "Date", "Language"], ["Acetone seized in Kenya", dt.date(2026, 11, 2), "EN"]]),
    )  # fmt: skip
    assert created[0].published_at.date() == dt.date(2026, 11, 2) and created[0].language == "en"
    assert AuditEntry.objects.filter(action="analysis.osint_items_upload").count() == 2


def test_upload_errors_by_row_and_column_and_nothing_written(analyst, catalogue):  # noqa: F811
    content = (
        b"title,url,date,language\n"
        b"Good row,https://a.example/1,2026-11-01,en\n"
        b",https://a.example/2,2026-11-01,en\n"
        b"Bad date,https://a.example/3,31 novembre,en\n"
        b"Bad url,javascript:alert(1),2026-11-01,en\n"
    )
    with pytest.raises(ValidationError) as exc:
        osint.items_upload(actor=analyst, name="items.csv", content=content)
    messages = exc.value.messages
    assert any(m.startswith("Row 3, column title:") for m in messages)
    assert any(m.startswith("Row 4, column date:") for m in messages)
    assert any(m.startswith("Row 5, column url:") for m in messages)
    assert OsintItem.objects.count() == 0
    with pytest.raises(ValidationError):
        osint.items_upload(actor=analyst, name="x.xlsx", content=b"PK\x03\x04garbage")
    with pytest.raises(ValidationError):
        osint.items_upload(actor=analyst, name="x.csv", content=b"\xff\xfe\x00binary")
    with pytest.raises(ValidationError):
        osint.items_upload(actor=analyst, name="x.csv", content=b"name,when\nx,y\n")


@pytest.mark.parametrize("persona", ["ncp_fr", "partner_interpol", "donor", "trainer", "outsider"], indirect=True)
def test_others_may_not_use_it(persona, make_item, catalogue):  # noqa: F811
    item = make_item(*OTHER)
    with pytest.raises(PermissionDenied):
        osint.item_list(user=persona)
    with pytest.raises(PermissionDenied):
        osint.source_list(user=persona)
    with pytest.raises(Http404):
        osint.item_get(user=persona, pk=item.pk)
    with pytest.raises(PermissionDenied):
        osint.item_create(actor=persona, data={"title": "x"})
    with pytest.raises(Http404):
        osint.item_triage(actor=persona, item=item, status="relevant")


def test_another_seizure_of_the_same_goods_is_another_story(make_item, catalogue):  # noqa: F811
    first = make_item(*MOMBASA_1)
    rewritten = make_item(
        "Ammonium nitrate: Kenya customs seize 12 tonnes in Mombasa container",
        "A container holding 12 tonnes of ammonium nitrate declared as fertiliser was seized in Mombasa, Kenya "
        "customs said. It was bound for Somalia.",
    )
    busia = make_item(
        "Customs seize 3 tonnes of ammonium nitrate at Busia border post",
        "Kenyan customs officers seized three tonnes of ammonium nitrate from a truck at the Busia border post "
        "with Uganda on Friday.",
    )
    assert rewritten.group == first and busia.group is None

"""Open-source monitoring pages and API: the triage list by story with its filters and query
count, an item page, htmx triage, entry, upload errors shown, the seizure draft and message
buttons, the feeds with their error state and "Fetch now"; access for every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shieldhub.analysis import osint
from shieldhub.analysis.models import OsintItem, OsintSource
from shieldhub.core.models import AuditEntry
from tests.analysis.test_osint_services import MOMBASA_1, MOMBASA_2, OTHER
from tests.analysis.test_osint_support import catalogue, make_item, ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/analysis/open-sources/"


def test_the_list_shows_one_row_per_story(login, analyst, make_item, catalogue):  # noqa: F811
    first = make_item(*MOMBASA_1)
    make_item(*MOMBASA_2)
    make_item(*OTHER)
    client = login(analyst)
    page = client.get(BASE).content.decode()
    assert "2 stories" in page
    assert MOMBASA_1[0] in page and MOMBASA_2[0] not in page
    assert "1 similar" in page and "Ammonium nitrate" in page and "Kenya, Somalia" in page
    filtered = client.get(BASE, {"q": "Rotterdam", "date_from": "2020-01-01"}).content.decode()
    assert "1 story" in filtered and OTHER[0] in filtered
    results = client.get(BASE, {"status": "relevant"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" not in results.content.decode() and "No item matches" in results.content.decode()
    detail = client.get(f"{BASE}{first.pk}/").content.decode()
    assert MOMBASA_2[0] in detail and "1 other article about the same story" in detail and "3102" not in detail


def test_list_query_count_does_not_grow(login, analyst, make_item, catalogue, django_assert_max_num_queries):  # noqa: F811
    client = login(analyst)
    for n in range(3):
        make_item(f"Report {n} in Kenya: " + " ".join(f"w{n}x{k}" for k in range(6)), "ammonium nitrate")
    with django_assert_max_num_queries(14) as small:
        client.get(BASE)
    for n in range(3, 25):
        make_item(f"Report {n} in Ghana: " + " ".join(f"w{n}x{k}" for k in range(6)), "detonators")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(BASE)
    assert response.content.decode().count('class="osint-triage"') == 25


def test_triage_with_htmx_and_without(login, analyst, make_item, catalogue):  # noqa: F811
    item = make_item(*OTHER)
    client = login(analyst)
    response = client.post(
        f"{BASE}{item.pk}/triage/",
        {"status": "relevant", "next": BASE + "?q=x", "compact": "1"},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert response.status_code == 200 and "Relevant" in fragment and "<html" not in fragment
    assert f'value="{BASE}?q=x"' in fragment and "Back to new" not in fragment  # still the list's row
    assert OsintItem.objects.get(pk=item.pk).status == "relevant"
    response = client.post(f"{BASE}{item.pk}/triage/", {"status": "not_relevant", "next": BASE + "?status=new"})
    assert response.status_code == 302 and response["Location"] == BASE + "?status=new"
    assert OsintItem.objects.get(pk=item.pk).status == "not_relevant"
    response = client.post(f"{BASE}{item.pk}/triage/", {"status": "new", "next": "https://evil.example/"})
    assert response["Location"] == f"{BASE}{item.pk}/"
    assert AuditEntry.objects.filter(action="analysis.osint_item_triage").count() == 3


def test_entry_keeps_the_values_on_error_and_creates(login, analyst, catalogue):  # noqa: F811
    client = login(analyst)
    response = client.post(BASE + "new/", {"title": "", "text": "Keep this text", "url": "not a url"})
    page = response.content.decode()
    assert response.status_code == 200 and "Keep this text" in page and "This field is required." in page
    response = client.post(
        BASE + "new/", {"title": "Nitrate d'ammonium saisi au Bénin", "text": "300 kg", "language": "fr",
                        "published_at": "2026-11-20"},
    )  # fmt: skip
    item = OsintItem.objects.get()
    assert response["Location"] == f"{BASE}{item.pk}/" and item.countries == ["BJ"] and item.language == "fr"


def test_upload_page_lists_errors(login, analyst, catalogue):  # noqa: F811
    client = login(analyst)
    bad = SimpleUploadedFile("items.csv", b"title,date\nA,not a date\n", content_type="text/csv")
    page = client.post(BASE + "upload/", {"file": bad}).content.decode()
    assert "Row 2, column date:" in page and OsintItem.objects.count() == 0
    good = SimpleUploadedFile("items.csv", b"title,date\nAcetone seized in Kenya,2026-11-01\n", content_type="text/csv")
    response = client.post(BASE + "upload/", {"file": good})
    assert response.status_code == 302 and OsintItem.objects.get().kind == "upload"


def test_seizure_draft_and_message_from_the_item_page(login, analyst, make_item, catalogue):  # noqa: F811
    item = make_item(*MOMBASA_1, published_at=dt.date(2026, 11, 23))
    client = login(analyst)
    page = client.get(f"{BASE}{item.pk}/").content.decode()
    assert "Make a seizure record draft" in page and "Write a message about it" in page
    response = client.post(f"{BASE}{item.pk}/seizure/", {"reporting_country": ""})
    item.refresh_from_db()
    assert item.seizure is not None and response["Location"] == f"/seizures/{item.seizure_id}/edit/"
    assert f"/seizures/{item.seizure_id}/" in client.get(f"{BASE}{item.pk}/").content.decode()
    compose = client.get(f"{BASE}{item.pk}/message/")
    assert compose.status_code == 302 and "subject=" in compose["Location"]
    form = client.get(compose["Location"]).content.decode()
    assert MOMBASA_1[0] in form


def test_feeds_page_shows_the_error_state_and_fetch_now(login, analyst, django_capture_on_commit_callbacks):
    source = osint.source_create(actor=analyst, data={"name": "Local feed", "url": "http://127.0.0.1:9/feed"})
    client = login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}feeds/{source.pk}/fetch/")
    assert response.status_code == 302
    page = client.get(BASE + "feeds/").content.decode()
    assert "Local feed" in page and "The server could not be reached" in page and "error" in page
    assert AuditEntry.objects.filter(action="analysis.osint_source_fetch").count() == 1
    # edit: deactivate
    response = client.post(f"{BASE}feeds/{source.pk}/", {"name": "Local feed", "url": "http://127.0.0.1:9/feed",
                                                          "interval_minutes": 60, "language": "en"})  # fmt: skip
    assert response.status_code == 302
    source.refresh_from_db()
    assert not source.is_active and source.interval_minutes == 60
    response = client.post(BASE + "feeds/new/", {"name": "Bad", "url": "ftp://example.org/x", "interval_minutes": 60})
    assert response.status_code == 200 and OsintSource.objects.count() == 1


def test_api(login, analyst, make_item, catalogue):  # noqa: F811
    first = make_item(*MOMBASA_1)
    make_item(*MOMBASA_2)
    client = login(analyst)
    listed = client.get("/api/v1/analysis/osint/items").json()
    assert listed["count"] == 1 and listed["items"][0]["n_similar"] == 1
    assert {"source", "group", "seizure", "message", "status", "hs_codes"} <= set(listed["items"][0])
    assert listed["items"][0]["precursors"] == ["ammonium-nitrate"] and listed["items"][0]["countries"] == ["KE", "SO"]
    assert client.get("/api/v1/analysis/osint/items", {"grouped": "false"}).json()["count"] == 2
    created = client.post(
        "/api/v1/analysis/osint/items", {"title": "Detonators seized in Ghana", "text": "<b>300</b> detonators"},
        content_type="application/json",
    )  # fmt: skip
    assert (
        created.status_code == 201
        and created.json()["countries"] == ["GH"]
        and created.json()["text"] == "300 detonators"
    )
    triaged = client.post(
        f"/api/v1/analysis/osint/items/{first.pk}/triage", {"status": "relevant"}, content_type="application/json"
    )
    assert triaged.json()["status"] == "relevant"
    bad = client.post(
        f"/api/v1/analysis/osint/items/{first.pk}/triage", {"status": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 422
    seizure = client.post(f"/api/v1/analysis/osint/items/{first.pk}/seizure", {}, content_type="application/json")
    assert seizure.status_code == 201 and OsintItem.objects.get(pk=first.pk).seizure_id == seizure.json()["seizure"]
    source = client.post("/api/v1/analysis/osint/sources", {"name": "F", "url": "https://feeds.example/rss"},
                         content_type="application/json")  # fmt: skip
    assert source.status_code == 201
    patched = client.patch(f"/api/v1/analysis/osint/sources/{source.json()['id']}", {"is_active": False},
                           content_type="application/json")  # fmt: skip
    assert patched.json()["is_active"] is False
    assert [s["name"] for s in client.get("/api/v1/analysis/osint/sources").json()] == ["F"]


def test_api_list_query_count(login, analyst, make_item, catalogue, django_assert_max_num_queries):  # noqa: F811
    client = login(analyst)
    make_item(*MOMBASA_1)
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/analysis/osint/items")
    for n in range(15):
        make_item(f"Report {n} in Ghana: " + " ".join(f"w{n}x{k}" for k in range(6)), "detonators")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/analysis/osint/items").json()["count"] == 16


PAGES = ["", "new/", "upload/", "{item}/", "feeds/", "feeds/new/", "feeds/{source}/"]
POSTS = ["{item}/triage/", "{item}/seizure/", "{item}/message/", "feeds/{source}/fetch/"]
API = ["osint/items", "osint/items/{item}", "osint/sources", "osint/sources/{source}"]


@pytest.mark.parametrize("persona", ["ncp_fr", "ncp_ke", "partner_interpol", "donor", "trainer", "assistant", "outsider"],
                         indirect=True)  # fmt: skip
def test_no_one_else_gets_in(login, persona, analyst, make_item, catalogue):  # noqa: F811
    item = make_item(*OTHER)
    source = osint.source_create(actor=analyst, data={"name": "F", "url": "https://feeds.example/rss"})
    client = login(persona)
    ids = {"item": item.pk, "source": source.pk}
    for path in PAGES:
        status = client.get(BASE + path.format(**ids)).status_code
        assert status in (403, 404), (path, status)
    for path in POSTS:
        assert client.post(BASE + path.format(**ids), {"status": "relevant"}).status_code in (403, 404), path
    for path in API:
        assert client.get("/api/v1/analysis/" + path.format(**ids)).status_code in (401, 403, 404), path
    triage = client.post(f"/api/v1/analysis/osint/items/{item.pk}/triage", {"status": "relevant"},
                         content_type="application/json")  # fmt: skip
    assert triage.status_code in (401, 403, 404)  # 401: the outsider may not use the API at all
    created = client.post("/api/v1/analysis/osint/items", {"title": "x"}, content_type="application/json")
    assert created.status_code in (401, 403) and OsintItem.objects.count() == 1
    item.refresh_from_db()
    assert item.status == "new"
    assert "Open-source monitoring" not in client.get("/analysis/").content.decode()


@pytest.mark.parametrize("persona", ["analyst", "coordinator"], indirect=True)
def test_analyst_and_coordinator_get_in(login, persona, analyst, make_item, catalogue):  # noqa: F811
    item = make_item(*OTHER)
    source = osint.source_create(actor=analyst, data={"name": "F", "url": "https://feeds.example/rss"})
    client = login(persona)
    for path in PAGES:
        assert client.get(BASE + path.format(item=item.pk, source=source.pk)).status_code == 200, path
    assert "Open-source monitoring" in client.get("/analysis/").content.decode()


def test_a_message_written_from_an_item_is_linked_to_it_once_sent(login, analyst, ncp_fr, ncp_ke, make_item, catalogue):  # noqa: F811
    from urllib.parse import parse_qs, urlsplit

    from shieldhub.exchange.models import Message

    item = make_item(*MOMBASA_1, actor=analyst)
    client = login(analyst)
    link = osint.message_compose_url(item)
    page = client.get(link).content.decode()
    assert f'name="source" value="osint:{item.pk}"' in page  # carried through the form
    prefill = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    form = {"kind": "information", "subject": prefill["subject"], "body": prefill["body"], "language": "en",
            "tlp": "green", "handling_code": "", "to_countries": "KE", "to_people": "", "source": prefill["source"]}  # fmt: skip
    response = client.post("/exchange/compose/", form)
    message = Message.objects.get(subject=prefill["subject"])
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.message == message
    assert AuditEntry.objects.filter(action="analysis.osint_item_message", object_id=str(item.pk)).exists()
    # a source the sender may not use (an NCP has no open-source monitoring): sent, not linked
    other = make_item(*OTHER, actor=analyst)
    response = login(ncp_fr).post(
        "/exchange/compose/", {**form, "subject": "From an NCP", "source": f"osint:{other.pk}"}
    )
    assert response.status_code == 302 and Message.objects.filter(subject="From an NCP").exists()
    other.refresh_from_db()
    assert other.message is None

"""Fetching feeds from a local HTTP server (never the internet): RSS and Atom parsed, HTML cleaned,
items tagged and deduplicated, conditional GET, and each kind of failure recorded on its source
while the other sources are still fetched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shieldhub.analysis import feeds, osint
from shieldhub.analysis.models import OsintItem, OsintSource
from shieldhub.core.models import AuditEntry
from tests.analysis.test_osint_support import catalogue, feed_server, ref, reference_tables  # noqa: F401

pytestmark = pytest.mark.django_db


def _source(analyst, url, **extra):
    return osint.source_create(actor=analyst, data={"name": url.rsplit("/", 1)[-1], "url": url, **extra})


def test_rss_and_atom_are_fetched_cleaned_and_tagged(analyst, catalogue, feed_server):  # noqa: F811
    rss = _source(analyst, feed_server.base + "/rss")
    atom = _source(analyst, feed_server.base + "/atom")
    outcomes = osint.sources_fetch_due()
    assert outcomes[rss.pk].new == 2 and outcomes[atom.pk].new == 1
    mombasa = OsintItem.objects.get(guid="news-1")
    assert mombasa.url == "http://example.org/news/1" and mombasa.source == rss
    assert mombasa.published_at == dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    assert "<" not in mombasa.text and "alert" not in mombasa.text and "12 tonnes of ammonium nitrate" in mombasa.text
    assert mombasa.language == "en"
    assert [c.code for c in mombasa.catalogue_items.all()] == ["ammonium-nitrate"]
    assert mombasa.hs_codes == ["310230"]
    assert mombasa.countries == ["KE", "SO"]
    niger = OsintItem.objects.get(source=atom)
    assert niger.language == "fr" and niger.countries == ["NE", "NG"]
    assert [c.code for c in niger.catalogue_items.all()] == ["ammonium-nitrate"]
    rss.refresh_from_db()
    assert rss.last_success_at is not None and rss.last_error == "" and rss.last_fetched_at == rss.last_success_at


def test_a_second_fetch_adds_nothing_new(analyst, catalogue, feed_server):  # noqa: F811
    rss = _source(analyst, feed_server.base + "/rss")
    assert osint.source_fetch(rss).new == 2
    assert osint.source_fetch(rss).new == 0
    assert OsintItem.objects.filter(source=rss).count() == 2
    # the same article in another feed (same address) is not added twice either
    other = _source(analyst, feed_server.base + "/rss?copy")
    assert osint.source_fetch(other).new == 0


def test_conditional_get_uses_the_etag(analyst, catalogue, feed_server):  # noqa: F811
    source = _source(analyst, feed_server.base + "/etag")
    assert osint.source_fetch(source).new == 2
    source.refresh_from_db()
    assert source.etag == '"v1"' and source.modified == "Mon, 23 Nov 2026 08:00:00 GMT"
    outcome = osint.source_fetch(source)
    assert outcome.not_modified and outcome.new == 0 and outcome.error == ""
    source.refresh_from_db()
    assert source.last_error == "" and source.etag == '"v1"'


def test_failures_are_recorded_per_source_and_the_others_go_on(analyst, catalogue, feed_server, settings):  # noqa: F811
    settings.OSINT_FETCH_TIMEOUT = 0.5
    slow = _source(analyst, feed_server.base + "/slow")
    broken = _source(analyst, feed_server.base + "/error")
    page = _source(analyst, feed_server.base + "/page")
    missing = _source(analyst, "http://127.0.0.1:9/feed")
    good = _source(analyst, feed_server.base + "/rss")
    outcomes = osint.sources_fetch_due()
    assert outcomes[good.pk].new == 2 and outcomes[good.pk].error == ""
    for source in (slow, broken, page, missing):
        source.refresh_from_db()
        assert source.last_fetched_at is not None and source.last_success_at is None
    assert slow.last_error.startswith("No answer within")
    assert broken.last_error == "The server answered HTTP 500."
    assert page.last_error == "The address does not answer with an RSS or Atom feed."
    assert missing.last_error.startswith("The server could not be reached")
    assert OsintItem.objects.count() == 2


def test_size_cap(analyst, catalogue, feed_server, settings):  # noqa: F811
    settings.OSINT_FETCH_MAX_BYTES = 1000
    source = _source(analyst, feed_server.base + "/big")
    assert osint.source_fetch(source).error.startswith("The feed is larger than the limit")


def test_only_http_and_https(analyst):
    with pytest.raises(feeds.FeedError):
        feeds.fetch_feed("file:///etc/passwd")
    with pytest.raises(Exception) as exc:
        osint.source_create(actor=analyst, data={"name": "x", "url": "ftp://example.org/feed"})
    assert "url" in exc.value.message_dict  # type: ignore[attr-defined]


def test_only_due_sources_are_fetched(analyst, catalogue, feed_server):  # noqa: F811
    recent = _source(analyst, feed_server.base + "/rss", interval_minutes=60)
    inactive = _source(analyst, feed_server.base + "/atom", is_active=False)
    OsintSource.objects.filter(pk=recent.pk).update(last_fetched_at=timezone.now() - dt.timedelta(minutes=30))
    assert osint.sources_fetch_due() == {}
    assert feed_server.hits == {}
    later = timezone.now() + dt.timedelta(minutes=31)
    assert set(osint.sources_fetch_due(later)) == {recent.pk}
    assert inactive.pk not in osint.sources_fetch_due(later)


def test_fetch_now_is_audited_and_runs_the_task(analyst, catalogue, feed_server, django_capture_on_commit_callbacks):  # noqa: F811
    source = _source(analyst, feed_server.base + "/rss")
    with django_capture_on_commit_callbacks(execute=True):
        osint.source_fetch_now(actor=analyst, source=source)
    assert AuditEntry.objects.filter(action="analysis.osint_source_fetch", object_id=str(source.pk)).count() == 1
    assert OsintItem.objects.filter(source=source).count() == 2


def test_the_periodic_task_is_registered():
    from shieldhub.core.scheduling import REGISTRY, autodiscover

    autodiscover()
    assert REGISTRY["analysis.osint_fetch_due"].every == dt.timedelta(minutes=5)


def test_clean_text_strips_every_tag():
    html = "<p>Seized <b>5 t</b> &amp; more</p><script>alert(1)</script><br>Next line"
    assert feeds.clean_text(html) == "Seized 5 t & more\n\nNext line"

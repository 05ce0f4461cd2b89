"""Shared fixtures of the open-source monitoring tests (imported by the test_osint_* modules): the
reference tables, the catalogue, a local HTTP server on 127.0.0.1 serving RSS and Atom files, a
slow endpoint, a 500, a web page that is not a feed and a conditional-GET endpoint."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.reference.fixtures import ref, reference_tables  # noqa: F401

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Customs news</title><link>http://example.org/</link><language>en-gb</language>
<item><title>Customs seize 12 tonnes of ammonium nitrate at Mombasa port</title>
<link>http://example.org/news/1</link><guid>news-1</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;Kenyan customs officers seized &lt;b&gt;12 tonnes&lt;/b&gt; of ammonium nitrate (HS 3102.30) declared as
fertiliser in a container bound for Somalia.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Port of Rotterdam records a new volume record</title>
<link>http://example.org/news/2</link><guid>news-2</guid><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
<description>Container volumes rose in the third quarter, the port said.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Douanes</title><id>urn:douanes</id>
<updated>2026-11-24T10:00:00Z</updated>
<entry><title>Saisie de nitrate d'ammonium au Niger</title><id>urn:douanes:1</id>
<link href="http://example.org/fr/1"/><updated>2026-11-24T10:00:00Z</updated>
<summary type="html">&lt;p&gt;Les douanes nigériennes ont saisi 800 kg de nitrate d'ammonium à la frontière avec le Nigeria.&lt;/p&gt;</summary>
</entry></feed>"""

HTML = "<!doctype html><html><head><title>Not a feed</title></head><body><p>Hello</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args: Any) -> None:  # quiet
        return None

    def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # the http.server API
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/rss":
            self._send(200, RSS, "application/rss+xml")
        elif self.path == "/atom":
            self._send(200, ATOM, "application/atom+xml")
        elif self.path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
            else:
                self._send(
                    200, RSS, "application/rss+xml", {"ETag": '"v1"', "Last-Modified": "Mon, 23 Nov 2026 08:00:00 GMT"}
                )
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, RSS, "application/rss+xml")
        elif self.path == "/error":
            self._send(500, "boom", "text/plain")
        elif self.path == "/page":
            self._send(200, HTML, "text/html")
        elif self.path == "/big":
            self._send(200, RSS + " " * 5000, "application/rss+xml")
        else:
            self._send(404, "no", "text/plain")


@pytest.fixture
def feed_server():
    """The base address of a local feed server (127.0.0.1, a free port); `.hits` counts requests."""
    _Handler.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.block_on_close = False  # the slow endpoint's thread is not waited for
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield type("Server", (), {"base": base, "hits": _Handler.hits})()
    server.shutdown()
    server.server_close()


@pytest.fixture
def catalogue(ref):  # noqa: F811
    from shieldhub.analysis import osint
    from shieldhub.reference.models import CatalogueItem

    osint.clear_caches()
    return {c.code: c for c in CatalogueItem.objects.all()}


@pytest.fixture
def make_item(analyst):
    """`make_item(title, text="", **fields)`: an item entered by hand by the analyst (tagged, grouped)."""
    from shieldhub.analysis import osint

    def _make(title: str, text: str = "", **fields: Any):
        return osint.item_create(actor=fields.pop("actor", analyst), data={"title": title, "text": text, **fields})

    return _make

"""Fetching and reading RSS/Atom feeds for open-source monitoring.

`fetch_feed(url, etag=..., modified=...)` downloads the feed itself with the standard library's
`urllib.request` (http and https only, no other scheme, a timeout `OSINT_FETCH_TIMEOUT` seconds,
at most `OSINT_FETCH_MAX_BYTES` bytes, a conditional GET with the ETag and Last-Modified of the
previous success) and hands the bytes to `feedparser` — feedparser never opens a URL here. Every
failure becomes a `FeedError` with a translated, short message (timeout, HTTP status, too large,
not a feed), which the caller records on the source.

`clean_text(html)` turns a summary in HTML into plain text (nh3 removes every tag).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import feedparser
import nh3
from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_TIMEOUT = 10
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "GlobalShieldHub-monitor/1.0 (+https://www.wcoomd.org)"
ALLOWED_SCHEMES = ("http", "https")


class FeedError(Exception):
    """A feed could not be fetched or read; the message is for the analyst."""


@dataclass
class FeedEntry:
    guid: str
    url: str
    title: str
    text: str
    published_at: dt.datetime | None
    language: str = ""


@dataclass
class FeedResult:
    not_modified: bool = False
    entries: list[FeedEntry] = field(default_factory=list)
    etag: str = ""
    modified: str = ""
    language: str = ""


def fetch_timeout() -> float:
    return float(getattr(settings, "OSINT_FETCH_TIMEOUT", DEFAULT_TIMEOUT))


def max_bytes() -> int:
    return int(getattr(settings, "OSINT_FETCH_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_url(url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise FeedError(_("Only http and https addresses can be fetched."))


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http/https (never file:, ftp:...)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if urlsplit(newurl).scheme.lower() not in ALLOWED_SCHEMES:
            raise FeedError(_("The feed redirects to an address that cannot be fetched."))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only the HTTP(S) handlers, and the redirect check: no file://, ftp:// or data: handler.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _NoRedirectToOtherSchemes(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def download(url: str, *, etag: str = "", modified: str = "") -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers); status 304 has an empty body. Raises FeedError."""
    check_url(url)
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - check_url allows http(s) only
    limit = max_bytes()
    try:
        with _opener().open(request, timeout=fetch_timeout()) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FeedError(_("The feed is larger than the limit (%(mb)s MB).") % {"mb": round(limit / 1048576, 1)})
            body = response.read(limit + 1)
            if len(body) > limit:
                raise FeedError(_("The feed is larger than the limit (%(mb)s MB).") % {"mb": round(limit / 1048576, 1)})
            return response.status, body, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", {k.lower(): v for k, v in (exc.headers or {}).items()}
        raise FeedError(_("The server answered HTTP %(status)s.") % {"status": exc.code}) from None
    except TimeoutError:
        raise FeedError(_("No answer within %(seconds)s seconds.") % {"seconds": int(fetch_timeout())}) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FeedError(_("No answer within %(seconds)s seconds.") % {"seconds": int(fetch_timeout())}) from None
        reason = getattr(exc.reason, "strerror", None) or exc.reason  # "Connection refused", not "[Errno 111] ..."
        raise FeedError(_("The server could not be reached (%(reason)s).") % {"reason": reason}) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise FeedError(_("The server could not be reached (%(reason)s).") % {"reason": reason}) from None


_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = re.compile(r"<\s*(/?(p|div|li|h[1-6]|tr|blockquote)|br\s*/?)\b[^>]*>", re.IGNORECASE)


def clean_text(value: str) -> str:
    """Plain text from an HTML fragment: every tag removed (nh3), entities decoded, spaces tidied."""
    if not value:
        return ""
    marked = _BLOCK_TAGS.sub("\n", value)
    stripped = nh3.clean(marked, tags=set(), attributes={}, strip_comments=True)
    text = html.unescape(stripped)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _when(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_text(entry: Any) -> str:
    content = entry.get("content") or []
    for part in content:
        if part.get("value"):
            return clean_text(str(part["value"]))
    return clean_text(str(entry.get("summary") or entry.get("description") or ""))


def parse_feed(body: bytes, *, url: str = "") -> FeedResult:
    """The entries of an RSS or Atom document (bytes we fetched). FeedError when it is not a feed."""
    parsed = feedparser.parse(body)  # our bytes; guids kept as written (no base address resolution)
    version = getattr(parsed, "version", "") or ""
    if not version:
        raise FeedError(_("The address does not answer with an RSS or Atom feed."))
    language = str(parsed.feed.get("language") or "")[:8]
    result = FeedResult(language=language.split("-")[0].lower())
    for entry in parsed.entries:
        title = clean_text(str(entry.get("title") or ""))[:500]
        link = str(entry.get("link") or "")[:1000]
        if link and urlsplit(link).scheme.lower() not in ALLOWED_SCHEMES:
            link = ""
        guid = str(entry.get("id") or entry.get("guid") or link)[:500]
        text = _entry_text(entry)
        if not title and not text:
            continue
        result.entries.append(
            FeedEntry(
                guid=guid,
                url=link,
                title=title or text[:120],
                text=text,
                published_at=_when(entry),
                language=str(entry.get("language") or "")[:8].split("-")[0].lower(),
            )
        )
    return result


def fetch_feed(url: str, *, etag: str = "", modified: str = "") -> FeedResult:
    """Download and parse one feed (conditional GET). Raises FeedError."""
    status, body, headers = download(url, etag=etag, modified=modified)
    if status == 304:
        return FeedResult(not_modified=True, etag=etag, modified=modified)
    result = parse_feed(body, url=url)
    result.etag = headers.get("etag", "")[:255]
    result.modified = headers.get("last-modified", "")[:255]
    return result

"""Playwright journeys in Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here: the tests drive /usr/bin/chromium, which
`.ci/run` installs. Outside CI a machine without it skips these tests; in CI it is an error.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# The live server runs in a thread; Playwright's sync API runs an event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[object]:
    """A factory of pages, each in its own browser context (one signed-in person each), all closed at
    the end so that no page keeps polling the live server after the test."""
    contexts = []

    def make(*, timeout: int = 20000):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout)
        page.base_url = live_server.url  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        context.close()


def go(page, path: str):
    """Open a path of the live server and wait until htmx and friends are quiet."""
    response = page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    return response


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def sign_in(page, user, password: str = "correct horse battery staple") -> None:
    """Log in through the real pages: email and password, then the TOTP code."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_selector("input[name=code]")
    # A code read in the last seconds of its 30-second window may be checked in the next one and be
    # refused (no drift is tolerated): wait for a fresh window instead.
    left = 30 - time.time() % 30
    if left < 4:
        time.sleep(left + 0.2)
    page.fill("input[name=code]", totp_now(user.totp_secret))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)


# The personas and shared fixtures of the unit tests, reused here.
from tests.conftest import (  # noqa: E402, F401
    _compiled_translations,
    _english_by_default,
    _fresh_cache,
    assistant,
    coordinator,
    fr_customs,
    ke_customs,
    login,
    ncp_fr,
    ncp_ke,
)

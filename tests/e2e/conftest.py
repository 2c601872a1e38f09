"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server. Mark tests ``@pytest.mark.e2e`` and
``@pytest.mark.django_db(transaction=True)`` (the server thread must see committed rows)."""

import contextlib
import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

from tests.e2e.steps import DESKTOP, csp_violations

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# ORM calls from the test body (creating users, checking results) as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class SerialWSGIServer(WSGIServer):
    """Django's live server without a thread per request. On SQLite the test database is
    in memory and every server thread shares the test's one connection: two requests at
    once (a page and the catalog's live search, say) would use it together and hang.
    Django answers ``Connection: close`` from a server that is not threaded, so the
    browser's requests are served one after another (in the live server's thread, which
    already uses the test's connections)."""

    def __init__(self, address, handler, *args, connections_override=None, **kwargs):
        super().__init__(address, _timing_out(handler), *args, **kwargs)


def _timing_out(handler):
    """The live server's request handler, dropping a connection that sends nothing for three
    seconds. Chromium opens connections ahead of the navigations it predicts; a serial
    server would wait on such an idle one while the real request queued behind it, until
    the test timed out and closed the browser."""

    class TimingOut(handler):
        timeout = 3

        def handle(self):
            with contextlib.suppress(TimeoutError):
                super().handle()

    return TimingOut


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server():
    from django.test.testcases import LiveServerThread

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", SerialWSGIServer)
        yield


@pytest.fixture(scope="package")
def browser():
    """One Chromium per worker for the browser tests of this package (each test opens its
    own context: own cookies and storage). Launched once per module, it was launched by
    every worker for each of some twenty modules it got tests from. It closes after the
    package's last test, so Playwright's event loop is never left running in the thread
    under a test of another package."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian package «chromium»); "
                    "browser tests need it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) on the live server, desktop-sized, in Russian.
    A test fails if the browser refused anything under the Content-Security-Policy."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = csp_violations(page)
    yield page
    context.close()
    assert violations == []



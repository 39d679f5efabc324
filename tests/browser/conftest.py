"""Browser tests: Debian's chromium driven by Playwright against Django's live server.

Playwright's own browser download is never used (no `playwright install`): the tests
launch the system chromium by path. They are skipped, with the reason shown, only when no
chromium is installed (scripts/system-deps.sh installs it).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where browser tests save their screenshots: docs/screenshots when PLAINT_SCREENSHOTS=1
#: (to refresh the documentation), otherwise a scratch folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("PLAINT_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "plaint-screenshots"
)


#: The one Playwright and the one browser of the whole run. Test folders outside
#: tests/browser import the `browser` fixture from here, and each import is a fixture of its
#: own; a second `sync_playwright()` in the same process fails ("Sync API inside the asyncio
#: loop"), so every copy of the fixture hands out this one, started at first use and
#: stopped when the run ends.
_SHARED: dict[str, object] = {}


def _close_shared() -> None:
    launched, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if launched is not None:
        launched.close()  # type: ignore[attr-defined]
    if playwright is not None:
        playwright.stop()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (scripts/system-deps.sh installs it)")
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        atexit.register(_close_shared)
    yield _SHARED["browser"]


@pytest.fixture
def page(browser, live_server, settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

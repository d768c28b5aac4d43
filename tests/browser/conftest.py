"""Browser tests' kit: Debian's /usr/bin/chromium driven by Playwright (never a downloaded
browser), the app served from a thread, and a watch over each page's console errors and
unlabelled fields; screenshots of every page open at a failure go to test-artifacts/."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import make_app

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extras")
# Each browser test module sets ``pytestmark = BROWSER``.
BROWSER = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                reason="Debian's chromium (apt-get install chromium)")]

# Every visible form field has a label (or an aria-label) a screen reader can read.
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


class Watch:
    """Pages of the journey: console errors and unlabelled fields are collected."""

    def __init__(self):
        self.errors: list[str] = []
        self.pages: list = []

    def page(self, context):
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        self.pages.append(page)
        return page

    def labelled(self, page) -> None:
        assert page.evaluate(UNLABELLED) == [], page.url

    def screenshots(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(self.pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True)
            except Exception:  # a closed page has nothing to show
                pass


@pytest.fixture
def live(tmp_path, sqlite_template):
    """The app served on 127.0.0.1 from a thread, on its own SQLite database."""
    app = make_app("sqlite", tmp_path, sqlite_template, None, JOB_BACKEND="eager",
                   RSVP_RATE_LIMIT="1000 per minute")
    app.config["TESTING"] = False  # pages as in production (CSRF on)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def watch(request):
    found = Watch()
    yield found
    if getattr(request.node, "failed", False):
        found.screenshots(request.node.name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call" and outcome.get_result().failed:
        item.failed = True

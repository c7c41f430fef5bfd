"""The dashboard in Debian's Chromium (Playwright, ``/usr/bin/chromium``) on the demo store:
load, sign in, filter, open an incident, take a screenshot; roles and bad tokens; offline
(no request leaves 127.0.0.1 unless the OSM toggle is switched on).

Chromium missing: the tests fail under CI (``CI`` set) and are skipped locally, saying why.
Screenshots go to the test's temporary folder and, when ``TRUCEWATCH_SCREENSHOTS`` names a
folder, are copied there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from trucewatch.api import Settings, TokenSpec, create_app
from trucewatch.api.app import leaflet_dir, web_root
from trucewatch.app.demo import run_demo

CHROMIUM = Path(os.environ.get("TRUCEWATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKENS = {"analyst": "dash-analyst", "liaison": "dash-liaison", "monitor": "dash-monitor"}


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the demo store, served by uvicorn on a free loopback port."""
    _need(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    _need(importlib.util.find_spec("playwright") is not None, "the playwright package")
    _need(importlib.util.find_spec("uvicorn") is not None, "the uvicorn package")
    import uvicorn
    _need(leaflet_dir(web_root(Settings())) is not None,
          "Leaflet is not vendored: run `make web` (npm ci in src/trucewatch/web)")  # fmt: skip
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, say=lambda _msg: None)
    settings = Settings(
        db=f"sqlite:///{out / 'trucewatch.db'}",
        tokens=[
            TokenSpec(name="analyst", role="analyst", token=TOKENS["analyst"]),
            TokenSpec(name="ua-liaison", role="liaison", token=TOKENS["liaison"], party="UA"),
            TokenSpec(name="monitor", role="monitor", token=TOKENS["monitor"]),
        ],
        report_cache_dir=out / "reports",
    )
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page of the dashboard that records every request host and script error."""

    def __init__(self, browser: Any, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.hosts.add(urlparse(r.url).netloc))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("https://**/*", lambda route: route.abort())  # never leave the machine
        self.page.goto(base + "/")
        self.page.wait_for_selector("#role:not(:text('…'))")

    def sign_in(self, token: str) -> None:
        self.page.fill("#token", token)
        self.page.click("#apply-token")

    def count(self) -> int:
        return int(self.page.text_content("#incident-count") or "0")

    def wait_count(self, predicate: Any, timeout_s: float = 20) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.page.is_hidden("#loading") and predicate(self.count()):
                return self.count()
            self.page.wait_for_timeout(100)
        raise AssertionError(f"incident count {self.count()} never matched")


def _save(page: Any, path: Path) -> Path:
    page.screenshot(path=str(path))
    target = os.environ.get("TRUCEWATCH_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)
    return path


def test_analyst_filters_and_opens_an_incident(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    total = p.wait_count(lambda n: n > 500)
    assert p.page.text_content("#role") == "analyst · analyst"
    assert p.page.locator("#trend svg rect").count() > 10
    _save(p.page, tmp_path / "dashboard-overview.png")

    p.page.select_option("#filter-verdict", "violation")
    violations = p.wait_count(lambda n: 0 < n < total)
    p.page.uncheck("#all-days")
    p.page.fill("#time-slider", "1")  # 2025-08-13, the demo's report day
    p.page.dispatch_event("#time-slider", "change")
    assert p.page.text_content("#time-label") == "2025-08-13"
    p.wait_count(lambda n: 0 < n <= violations)
    assert "2025-08-13" in (p.page.get_attribute("#report-link", "href") or "")

    p.page.click("#incident-list li >> nth=0")
    p.page.wait_for_selector("#incident-panel:not([hidden])")
    panel = p.page.text_content("#incident-panel") or ""
    assert "Against the agreement" in panel and "VIOLATION" in panel.upper()
    assert "Evidence (" in panel and "clause" in panel
    assert p.page.locator("#incident-body .evidence li").count() >= 1
    p.page.wait_for_timeout(800)  # let the map settle after flying to the incident
    shot = _save(p.page, tmp_path / "dashboard-incident.png")
    assert shot.stat().st_size > 20_000
    assert p.hosts == {urlparse(server).netloc}, p.hosts
    assert not p.errors, p.errors


def test_report_link_opens_the_daily_report(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    p.wait_count(lambda n: n > 0)
    href = p.page.get_attribute("#report-link", "href") or ""
    resp = p.page.request.get(server + href)
    assert resp.status == 200 and "<html" in resp.text().lower()


def test_osm_tiles_only_when_switched_on(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    p.wait_count(lambda n: n > 0)
    assert p.hosts == {urlparse(server).netloc}
    p.page.check("#osm-toggle")
    p.page.wait_for_timeout(500)
    assert "tile.openstreetmap.org" in p.hosts  # requested (and aborted by the test)


def test_liaison_sees_findings_without_raw_evidence(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.sign_in(TOKENS["liaison"])
    p.wait_count(lambda n: n > 0)
    p.page.select_option("#filter-verdict", "violation")
    p.wait_count(lambda n: n > 0)
    p.page.click("#incident-list li >> nth=0")
    p.page.wait_for_selector("#incident-panel:not([hidden])")
    assert "position not shown to your role" in (p.page.text_content("#incident-panel") or "")


def test_public_and_monitor_see_no_incidents(browser: Any, server: str) -> None:
    p = Page(browser, server)
    assert "public" in (p.page.text_content("#role") or "")
    p.page.wait_for_selector("#reports-section:not([hidden])")
    assert p.page.is_hidden("#filters")
    assert p.page.locator("#report-list li").count() >= 1
    p.sign_in(TOKENS["monitor"])
    p.page.wait_for_selector("#role:has-text('monitor')")
    p.page.wait_for_timeout(300)
    assert p.page.is_hidden("#filters")
    assert "does not see incidents" in (p.page.text_content("#notice") or "")


def test_bad_token_is_refused(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.sign_in("not-a-token")
    p.page.wait_for_selector("#role:has-text('signed out')")
    assert "unknown or revoked token" in (p.page.text_content("#notice") or "")

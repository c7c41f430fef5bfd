"""The dashboard's live part in Debian's Chromium (Playwright, ``/usr/bin/chromium``): an
analyst has the page open, a monitor posts observations, live fusion makes an incident and
the page shows it without a reload (the "Live" list, a toast and a marker on the map). A
liaison's page, on a server where nothing is published yet, shows nothing of it.

Chromium missing: the test fails under CI (``CI`` set) and is skipped locally, saying why.
The screenshot goes to the test's temporary folder and, when ``TRUCEWATCH_SCREENSHOTS``
names a folder, is copied there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.web.test_dashboard import CHROMIUM, CHROMIUM_ARGS, _free_port, _need

from trucewatch.api import Settings, TokenSpec, create_app
from trucewatch.api.app import leaflet_dir, web_root
from trucewatch.app import agreements as app_agreements
from trucewatch.app import lines as app_lines
from trucewatch.app.demo import AGREEMENT_FILE, CONTROL_FILE, demo_file
from trucewatch.store import Store

TOKENS = {"analyst": "live-analyst", "liaison": "live-liaison", "monitor": "live-monitor"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server (nothing published yet) on a store with the demo line and agreement."""
    _need(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    _need(importlib.util.find_spec("playwright") is not None, "the playwright package")
    _need(leaflet_dir(web_root(Settings())) is not None,
          "Leaflet is not vendored: run `make web` (npm ci in src/trucewatch/web)")  # fmt: skip
    import uvicorn

    out = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{out / 'live.db'}"
    store = Store.open(url)
    try:
        app_lines.import_line(store, demo_file(CONTROL_FILE), name="DeepStateMap 2025-08-09")
        app_agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
    finally:
        store.close()
    settings = Settings(
        db=url, live=True, live_poll_s=0.5, live_quiet_s=1.0, report_cache_dir=out / "reports",
        publish_lag_hours=24.0 * 366 * 10,
        tokens=[TokenSpec(name="analyst", role="analyst", token=TOKENS["analyst"]),
                TokenSpec(name="ua-liaison", role="liaison", token=TOKENS["liaison"], party="UA"),
                TokenSpec(name="monitor", role="monitor", token=TOKENS["monitor"])],
    )  # fmt: skip
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                        log_level="warning"))  # fmt: skip
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


def _open(browser: Any, base: str, token: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("https://**/*", lambda route: route.abort())  # never leave the machine
    page.goto(base + "/")
    page.wait_for_selector("#role:not(:text('…'))")
    page.fill("#token", token)
    page.click("#apply-token")
    page.wait_for_selector("#live-status[data-state='on']")
    page.errors = errors
    return page


def _records() -> list[dict[str, Any]]:
    """Two patrols hearing the same mortar fire, today (UTC)."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    base = {"date": today, "observer_place": "post", "time_start": "10:10", "time_end": "10:40",
            "timezone": "UTC"}  # fmt: skip
    event = {"count": 3, "kind": "mortar", "flow": "incoming", "directions": ["west"]}
    return [
        {**base, "observer_lon": 37.30, "observer_lat": 48.35, "source_id": "p-1",
         "events": [{**event, "distance_km_min": 2, "distance_km_max": 4}]},
        {**base, "observer_lon": 37.35, "observer_lat": 48.35, "source_id": "p-2",
         "events": [{**event, "distance_km_min": 3, "distance_km_max": 6}]},
    ]  # fmt: skip


def test_a_posted_incident_appears_live_on_the_analysts_page_only(
    server: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            analyst = _open(browser, server, TOKENS["analyst"])
            liaison = _open(browser, server, TOKENS["liaison"])
            assert analyst.locator("#live-list li").count() == 0
            r = httpx.post(f"{server}/api/observations", json={"records": _records()},
                           headers={"Authorization": f"Bearer {TOKENS['monitor']}",
                                    "Idempotency-Key": "live-page-1"})  # fmt: skip
            assert r.status_code == 201, r.text
            analyst.wait_for_selector("#live-list li", timeout=60_000)
            item = analyst.locator("#live-list li").first
            assert "mortar" in item.inner_text().lower()
            assert analyst.locator("#live-toast").is_visible()
            assert analyst.locator("path.live-marker").count() >= 1
            assert analyst.locator("#live-empty").is_hidden()
            shot = tmp_path / "live-analyst.png"
            analyst.screenshot(path=str(shot))
            if os.environ.get("TRUCEWATCH_SCREENSHOTS"):
                shutil.copy(shot, Path(os.environ["TRUCEWATCH_SCREENSHOTS"]) / shot.name)
            # the liaison's stream is open and connected, and shows nothing unpublished
            assert liaison.locator("#live-status").get_attribute("data-state") == "on"
            assert liaison.locator("#live-list li").count() == 0
            item.click()  # the incident opens in the panel
            analyst.wait_for_selector("#incident-panel:not([hidden])")
            assert analyst.errors == [] and liaison.errors == []
        finally:
            browser.close()

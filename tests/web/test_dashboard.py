"""The dashboard in Debian's Chromium (Playwright, ``/usr/bin/chromium``) on the demo store:
first run (the public view without a token, its hint), sign in, filter, page the ranked
list, open an incident, place names on the map, the three languages, the API docs; roles
and bad tokens; offline (no request leaves 127.0.0.1 unless the OSM toggle is switched on).

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

    def __init__(self, browser: Any, base: str, path: str = "/", **context: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900}, **context)
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.hosts.add(urlparse(r.url).netloc))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("https://**/*", lambda route: route.abort())  # never leave the machine
        self.page.goto(base + path)
        self.page.wait_for_selector("#role:not(:text('…'))")

    def sign_in(self, token: str) -> None:
        self.page.fill("#token", token)
        self.page.click("#apply-token")

    def loaded(self, role: str) -> None:
        """Wait until the view of ``role`` is on the page (filters set, incidents drawn)."""
        self.page.wait_for_selector(f"body[data-loaded-for='{role}']", state="attached")

    def count(self) -> int:
        """Incidents matching the filters (the M of "N of M shown")."""
        return int(self.page.get_attribute("#shown-count", "data-total") or "0")

    def shown(self) -> int:
        """Incidents on the map (the N of "N of M shown")."""
        return int(self.page.get_attribute("#shown-count", "data-shown") or "0")

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
    p.loaded("analyst")
    latest = p.wait_count(lambda n: n > 0)
    assert p.page.get_attribute("#time-label", "data-day") == "2025-08-14"  # the latest day
    p.page.check("#all-days")
    total = p.wait_count(lambda n: n > max(500, latest))
    assert p.shown() == total  # fewer than the map's limit: all of them on the map
    assert p.page.text_content("#shown-count") == f"{total:,} of {total:,} incidents shown"
    assert p.page.text_content("#role") == "analyst · analyst"
    assert p.page.locator("#trend svg rect").count() > 10
    _save(p.page, tmp_path / "dashboard-overview.png")

    p.page.select_option("#filter-verdict", "violation")
    violations = p.wait_count(lambda n: 0 < n < total)
    p.page.uncheck("#all-days")
    p.page.fill("#time-slider", "1")  # 2025-08-13, the demo's report day
    p.page.dispatch_event("#time-slider", "change")
    assert p.page.get_attribute("#time-label", "data-day") == "2025-08-13"
    assert p.page.text_content("#time-label") == "August 13, 2025"
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


def test_the_list_is_ranked_and_paged_on_the_server(browser: Any, server: str) -> None:
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    p.loaded("analyst")
    p.page.check("#all-days")
    total = p.wait_count(lambda n: n > 500)
    first = _list_confidences(p)
    assert len(first) == 15 and first == sorted(first, reverse=True)
    uids_1 = p.page.eval_on_selector_all("#incident-list li", "els => els.map(e => e.dataset.uid)")
    p.page.click("#list-next")
    p.page.wait_for_selector("#list-range:has-text('16–30')")
    second = _list_confidences(p)
    assert second and max(second) <= min(first)
    uids_2 = p.page.eval_on_selector_all("#incident-list li", "els => els.map(e => e.dataset.uid)")
    assert not set(uids_1) & set(uids_2)
    assert p.page.get_attribute("#incident-list", "start") == "16"
    p.page.click("#list-prev")
    p.page.wait_for_selector("#list-range:has-text('1–15')")
    assert p.page.is_disabled("#list-prev")
    # the first page is the top of every match, as the API ranks them
    top = p.page.request.get(f"{server}/api/incidents?sort=-confidence&limit=15",
                             headers={"Authorization": f"Bearer {TOKENS['analyst']}"}).json()
    assert [f["id"] for f in top["features"]] == uids_1
    assert total > 15


def _list_confidences(p: Page) -> list[int]:
    texts = p.page.eval_on_selector_all("#incident-list li .muted",
                                        "els => els.map(e => e.textContent)")  # fmt: skip
    return [int(t.strip().rstrip("%")) for t in texts]


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


def test_first_run_public_view_without_a_token(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server)
    p.page.wait_for_selector("#role[data-role='public']")
    assert p.page.is_visible("#first-run")
    assert "trucewatch token new --role analyst" in (p.page.text_content("#first-run") or "")
    published = p.wait_count(lambda n: n > 0)
    assert p.page.is_visible("#filters") and p.shown() == published
    p.page.wait_for_function("window.trucewatch.places.count() > 10")
    assert p.page.locator(".leaflet-overlay-pane path, .leaflet-pane canvas").count() > 0
    p.page.wait_for_selector("#reports-section:not([hidden])")
    assert p.page.locator("#report-list li").count() >= 1
    _save(p.page, tmp_path / "dashboard-public.png")
    p.page.click("#incident-list li >> nth=0")
    p.page.wait_for_selector("#incident-panel:not([hidden])")
    assert "position not shown to your role" in (p.page.text_content("#incident-panel") or "")
    p.page.click("#close-hint")
    assert p.page.is_hidden("#first-run")
    p.sign_in(TOKENS["analyst"])
    p.page.wait_for_selector("#role[data-role='analyst']")
    assert p.page.is_hidden("#first-run")
    assert not p.errors, p.errors


def _populations(p: Page) -> list[int]:
    return [int(v) for v in p.page.eval_on_selector_all(
        ".place-label [data-population]", "els => els.map(e => e.dataset.population)")]


def test_place_names_on_the_map(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server)
    p.page.wait_for_function("window.trucewatch.places.count() > 10")
    labels = p.page.eval_on_selector_all(".place-label", "els => els.map(e => e.textContent)")
    assert {"Kharkiv", "Donetsk", "Mariupol"} <= set(labels), labels
    oblasts = p.page.eval_on_selector_all(".oblast-label", "els => els.map(e => e.textContent)")
    front = {"Kharkiv Oblast", "Donetsk Oblast", "Luhansk Oblast", "Zaporizhzhia Oblast"}
    assert len(oblasts) >= 8 and front & set(oblasts), oblasts  # labels that collide drop
    assert min(_populations(p)) >= 20_000  # the country at a glance: towns only
    # zoomed in on the front, villages get their names too
    p.page.evaluate("window.trucewatch.zoomTo(48.45, 37.9, 10)")
    p.page.wait_for_timeout(500)
    assert min(_populations(p)) < 20_000
    assert p.page.locator(".oblast-label").count() == 0
    _save(p.page, tmp_path / "dashboard-places.png")


@pytest.mark.parametrize(
    ("lang", "filters", "count_words"),
    [("uk", "Фільтри", "показано"), ("ru", "Фильтры", "показано"), ("en", "Filters", "shown")],
)
def test_the_dashboard_in_three_languages(
    browser: Any, server: str, tmp_path: Path, lang: str, filters: str, count_words: str
) -> None:
    p = Page(browser, server, f"/?lang={lang}")
    assert p.page.get_attribute("html", "lang") == lang
    p.wait_count(lambda n: n > 0)
    assert filters in (p.page.text_content("#filters h2") or "")
    assert count_words in (p.page.text_content("#shown-count") or "")
    day = p.page.text_content("#time-label") or ""
    assert {"uk": "серпня", "ru": "августа", "en": "August"}[lang] in day
    _save(p.page, tmp_path / f"dashboard-{lang}.png")
    assert not p.errors, p.errors


def test_language_switch_is_remembered(browser: Any, server: str) -> None:
    p = Page(browser, server, locale="uk-UA")
    assert p.page.get_attribute("html", "lang") == "uk"  # Accept-Language
    p.page.select_option("#lang", "ru")
    p.page.wait_for_selector("html[lang='ru']")
    p.page.wait_for_selector("#role[data-role='public']")
    p.page.goto(server + "/")  # no ?lang=: the cookie keeps the choice
    assert p.page.get_attribute("html", "lang") == "ru"
    assert (p.page.text_content("#apply-token") or "").strip() == "Войти"


@pytest.mark.parametrize(("path", "selector"),
                         [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])  # fmt: skip
def test_api_docs_work_offline(browser: Any, server: str, path: str, selector: str) -> None:
    page = browser.new_page()
    hosts: set[str] = set()  # where requests went (or were stopped by our route)
    page.on("requestfinished", lambda r: hosts.add(urlparse(r.url).netloc))
    # ReDoc's bundle asks for its maker's logo: the page's CSP stops it in the browser
    page.on("requestfailed",
            lambda r: None if r.failure == "csp" else hosts.add(urlparse(r.url).netloc))
    page.route("https://**/*", lambda route: route.abort())
    page.goto(server + path)
    page.wait_for_selector(selector, timeout=20_000)
    assert "trucewatch" in (page.text_content(selector) or "")
    page.wait_for_timeout(500)
    assert hosts == {urlparse(server).netloc}, hosts
    page.close()


def test_monitor_sees_no_incidents(browser: Any, server: str) -> None:
    p = Page(browser, server)
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


def test_analyst_reviews_an_incident_and_publishes_it(browser: Any, server: str,
                                                       tmp_path: Path) -> None:  # fmt: skip
    """From the incident panel: a relabel needs a reason, is recorded with the analyst's
    name, then published; the liaison's page then shows the reviewed version."""
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    p.loaded("analyst")
    p.wait_count(lambda n: n > 0)
    p.page.click("#incident-list li >> nth=0")
    p.page.wait_for_selector("#review-form")
    uid = p.page.get_attribute("#review-box", "data-uid")
    assert p.page.get_attribute("#evaluation-status", "data-status") == "preliminary"
    p.page.select_option("#review-action", "relabel")
    p.page.fill("#review-attribution", "UA")
    p.page.select_option("#review-status", "probable")
    p.page.click("#review-submit")  # no reason: refused on the page, nothing sent
    assert p.page.text_content("#review-result") == "A reason is required."
    p.page.fill("#review-reason", "the crater's shape points to fire from the east")
    p.page.click("#review-submit")
    p.page.wait_for_selector("#evaluation-status[data-status='reviewed']")
    assert "UA" in (p.page.text_content("#reviewed-labels") or "")
    acts = p.page.text_content("#review-acts") or ""
    assert "relabel" in acts and "analyst" in acts and "crater" in acts
    p.page.select_option("#review-action", "publish")
    p.page.fill("#review-reason", "agreed at the evening briefing")
    p.page.click("#review-submit")
    p.page.wait_for_function("document.querySelector('#review-acts').textContent.includes('publish')")
    assert p.page.is_hidden("#review-relabel") and p.page.is_hidden("#review-uids-label")
    p.page.locator("#review-box h4").scroll_into_view_if_needed()
    _save(p.page, tmp_path / "dashboard-review.png")
    assert not p.errors, p.errors

    liaison = Page(browser, server)
    liaison.sign_in(TOKENS["liaison"])
    liaison.loaded("liaison")
    liaison.page.evaluate(f"window.trucewatch.openIncident('{uid}', false)")
    liaison.page.wait_for_selector("#evaluation-status[data-status='reviewed']")
    assert liaison.page.locator("#review-form").count() == 0  # a liaison only reads
    assert "UA" in (liaison.page.text_content("#reviewed-labels") or "")
    assert not liaison.errors, liaison.errors

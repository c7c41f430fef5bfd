"""The dashboard's claims panel (``web/static/claims.js``) in Debian's Chromium (Playwright,
``/usr/bin/chromium``) on the demo store, whose synthetic claims of both parties (items
and aggregates) are adjudicated by ``trucewatch demo``: per party the counts of the API's
summary for the selected day, the list with labels, reasons and coverage, the estimated
totals for an analyst, a claim on the map with its linked incidents, the roles the API
refuses, and the panel in Ukrainian.

Chromium missing: the tests fail under CI (``CI`` set) and are skipped locally, saying why.
Screenshots go to the test's temporary folder and, when ``TRUCEWATCH_SCREENSHOTS`` names a
folder, are copied there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.web.test_dashboard import TOKENS, Page, _save, browser, server  # noqa: F401

LABELS = ("corroborated", "partly_corroborated", "not_verifiable", "contradicted")
AGGREGATE = ("consistent", "overstated", "understated", "no_estimate")
DAY = "2025-08-13"  # the demo's claims day (the slider's second day)
PERIOD = "since=2025-08-13T00:00:00Z&until=2025-08-14T00:00:00Z"


def _get(p: Page, base: str, path: str, role: str | None = "analyst") -> Any:
    headers = {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
    return p.page.request.get(f"{base}/api{path}", headers=headers)


def _pick_day(p: Page, index: int, day: str) -> None:
    p.page.fill("#time-slider", str(index))
    p.page.dispatch_event("#time-slider", "change")
    p.page.wait_for_selector(f"#claims-section[data-loaded='{day}']", state="attached")


def _num(x: float) -> str:
    """A number as the page writes it in English (Intl: grouping, up to 3 decimals)."""
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def _cell(p: Page, party: str, row: str) -> int:
    text = p.page.text_content(f"#claims-summary td[data-party='{party}'][data-row='{row}']")
    return int((text or "").replace(",", "").strip())


def test_analyst_sees_the_claims_of_the_day_by_party(browser: Any, server: str,  # noqa: F811
                                                     tmp_path: Path) -> None:  # fmt: skip
    p = Page(browser, server)
    p.sign_in(TOKENS["analyst"])
    p.loaded("analyst")
    # the latest day (2025-08-14): no claim window starts then
    assert p.page.get_attribute("#claims-section", "data-loaded") == "2025-08-14"
    assert _get(p, server, "/claims?since=2025-08-14T00:00:00Z&until=2025-08-15T00:00:00Z"
                ).json()["claims"] == []  # fmt: skip
    assert p.page.is_visible("#claims-note")
    assert p.page.text_content("#claims-note") == "No claims in this period."
    assert p.page.locator("#claims-list li").count() == 0

    _pick_day(p, 1, DAY)
    api = _get(p, server, f"/claims?{PERIOD}").json()
    by_party = api["by_party"]
    assert set(by_party) == {"UA", "RU"}  # the demo has claims of both parties
    heads = p.page.eval_on_selector_all("#claims-summary thead th[data-party]",
                                        "els => els.map(e => e.dataset.party)")  # fmt: skip
    assert heads == sorted(by_party)
    for party, counts in by_party.items():
        assert _cell(p, party, "claims") == sum(counts.values()), party
        for label in LABELS:
            assert _cell(p, party, label) == counts.get(label, 0), (party, label)
        assert _cell(p, party, "aggregate") == sum(counts.get(v, 0) for v in AGGREGATE)
    assert _cell(p, "UA", "corroborated") >= 1 and _cell(p, "RU", "contradicted") >= 1

    # the list: every claim of the day, with its label, reason and coverage
    items = p.page.locator("#claims-list > li")
    assert items.count() == len(api["claims"])
    shown = p.page.eval_on_selector_all(
        "#claims-list > li", "els => els.map(e => [e.dataset.uid, e.dataset.label])")
    assert sorted(map(tuple, shown)) == sorted((c["uid"], c["label"]) for c in api["claims"])
    item = next(c for c in api["claims"] if c["label"] == "corroborated")
    li = p.page.locator(f"#claims-list > li[data-uid='{item['uid']}']")
    text = li.inner_text()
    assert f"coverage {round(item['coverage'] * 100)}%" in text
    assert re.sub(r"\b([0-9a-f]{12})[0-9a-f]{52}\b", "\\1…", item["reason"]) in text
    assert item["weapon"] in text and "target: " in text
    assert "whole front" in p.page.text_content("#claims-list li[data-type='aggregate']")

    # the estimated totals of the day, "too few sources" where the API says so
    totals = _get(p, server, f"/claims/totals?{PERIOD}").json()["sector_days"]
    rows = p.page.locator("#totals-table tbody tr")
    assert rows.count() == len(totals) > 0
    for k, t in enumerate(totals):
        row = rows.nth(k)
        assert row.get_attribute("data-status") == t["status"]
        cells = row.inner_text()
        assert t["sector"] in cells
        if t["status"] == "ok":
            assert f"{_num(t['total'])} ({_num(t['low'])}–{_num(t['high'])})" in cells
        elif t["status"] == "too_few_sources":
            assert "too few sources" in cells
    assert any(t["status"] == "too_few_sources" for t in totals)

    # a claim with a place: the map pans to it and its linked incidents are marked
    li.click()
    p.page.wait_for_selector(f"#claims-list li[data-uid='{item['uid']}'][data-linked]",
                             state="attached")  # fmt: skip
    linked = item["details"]["incidents"]
    assert li.get_attribute("data-linked") == str(len(linked)) and linked
    assert p.page.locator("path.claim-incident").count() == len(linked)
    p.page.wait_for_timeout(900)  # the map's flight to the claim
    mark = p.page.locator("path.claim-place").bounding_box()
    box = p.page.locator("#map").bounding_box()
    assert mark and box
    assert box["x"] < mark["x"] + mark["width"] / 2 < box["x"] + box["width"]
    assert box["y"] < mark["y"] + mark["height"] / 2 < box["y"] + box["height"]
    p.page.locator("#claims-section").scroll_into_view_if_needed()
    _save(p.page, tmp_path / "dashboard-claims.png")
    first = li.locator(".claim-links button").first
    uid = first.get_attribute("data-uid")
    assert uid in linked
    first.click()
    p.page.wait_for_selector("#incident-panel:not([hidden])")
    assert p.page.evaluate("window.trucewatch.state.selected") == uid

    # the whole period: every stored claim
    p.page.check("#all-days")
    p.page.wait_for_selector("#claims-section[data-loaded='all']", state="attached")
    everything = _get(p, server, "/claims").json()
    for party, counts in everything["by_party"].items():
        assert _cell(p, party, "claims") == sum(counts.values())
    assert not p.errors, p.errors


def test_liaison_sees_the_claims_but_not_the_totals(browser: Any, server: str) -> None:  # noqa: F811
    p = Page(browser, server)
    p.sign_in(TOKENS["liaison"])
    p.loaded("liaison")
    _pick_day(p, 1, DAY)
    assert _get(p, server, f"/claims/totals?{PERIOD}", "liaison").status == 403
    api = _get(p, server, f"/claims?{PERIOD}", "liaison").json()
    assert p.page.is_visible("#claims-section") and p.page.is_hidden("#claims-totals")
    for party, counts in api["by_party"].items():
        assert _cell(p, party, "claims") == sum(counts.values())
    assert p.page.locator("#claims-list > li").count() == len(api["claims"])
    assert not p.errors, p.errors


def test_roles_the_api_refuses_see_no_claims_panel(browser: Any, server: str) -> None:  # noqa: F811
    p = Page(browser, server)  # the public view, no token
    p.loaded("public")
    assert _get(p, server, "/claims", None).status == 401
    assert p.page.is_hidden("#claims-section")
    p.sign_in(TOKENS["monitor"])
    p.loaded("monitor")
    assert _get(p, server, "/claims", "monitor").status == 403
    assert p.page.is_hidden("#claims-section")
    assert not p.page.is_visible("#notice") or "claims" not in (
        p.page.text_content("#notice") or "").lower()  # fmt: skip
    assert not p.errors, p.errors


def test_the_claims_panel_in_ukrainian(browser: Any, server: str, tmp_path: Path) -> None:  # noqa: F811
    p = Page(browser, server, "/?lang=uk")
    p.sign_in(TOKENS["analyst"])
    p.loaded("analyst")
    _pick_day(p, 1, DAY)
    assert (p.page.text_content("#claims-toggle") or "").strip() == "Заяви сторін"
    summary = p.page.text_content("#claims-summary") or ""
    assert "підтверджено" in summary and "спростовано" in summary
    assert "замало джерел" in (p.page.text_content("#totals-table") or "")
    assert "13 серпня 2025" in (p.page.text_content("#claims-period") or "")
    p.page.locator("#claims-section").scroll_into_view_if_needed()
    _save(p.page, tmp_path / "dashboard-claims-uk.png")
    assert not p.errors, p.errors

"""The dashboard in Chromium on a store of 1,000,000 incidents: first paint and the
requests behind it.

The store is generated straight into SQLite (:func:`benchmarks.bench_api.generate_incidents`:
random points along a 1,000 km band over 100 days, about 10,000 incidents a day, with the
status, sector and assessment mix of the API benchmark) plus the demo contact line, so the
dashboard has its layers. The server runs in its own process (uvicorn, one worker); Debian's
Chromium (headless, driven by Playwright) opens the dashboard ``RUNS`` times for each role:

* ``first_paint_ms``: from navigation start until the incident markers of the default view
  (the latest day, the ``MAP_LIMIT`` most confident, clustered) are on the map
  (``document.body.dataset.firstPaint``, set by ``app.js`` with ``performance.now()``);
* ``whole_period_ms``: from ticking "whole period" until the map shows its markers;
* ``next_page_ms``: one click on the list's "next" page until it is drawn.

Then the dashboard's own requests are timed one by one with a plain HTTP client.

    python -m benchmarks.bench_dashboard [--incidents N] [--store DIR]   # prints the JSON

``--filters URL`` only times the filters on the assessment (verdict, clause, agreement) in
the store layer on the store at URL, with each backend's query plan (:func:`filter_queries`;
a store of ``--store DIR`` is ``sqlite:///DIR/incidents.db``).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.bench_api import TOKEN, _server_env, generate_incidents, serve

INCIDENTS = 1_000_000
RUNS = 3
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_FIRST_PAINT_MS = 3000.0


def build_store(folder: Path, incidents: int) -> tuple[Path, float]:
    """A store of ``incidents`` incidents and the demo line (reused when it already has
    them); seconds taken to build it (0 when reused)."""
    from trucewatch.app import lines as app_lines
    from trucewatch.app.demo import CONTROL_FILE, demo_file
    from trucewatch.store import Store

    db = folder / "incidents.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            if conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == incidents:
                return db, 0.0
        db.unlink()
    t0 = time.perf_counter()
    generate_incidents(db, incidents)
    store = Store.open(f"sqlite:///{db}")
    try:
        app_lines.import_line(store, demo_file(CONTROL_FILE), name="DeepStateMap 2025-08-09")
    finally:
        store.close()
    return db, time.perf_counter() - t0


def _open(browser: Any, base: str, token: str | None) -> dict[str, float]:
    """One visit: first paint, then the whole period, then the list's next page (ms)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("https://**/*", lambda route: route.abort())
    if token:  # the token the sign-in form keeps for the tab
        page.add_init_script(f"sessionStorage.setItem('trucewatch-token', {json.dumps(token)})")
    page.goto(base + "/")
    page.wait_for_selector("body[data-first-paint]", state="attached", timeout=120_000)
    first = float(page.get_attribute("body", "data-first-paint") or "nan")
    shown = int(page.get_attribute("#shown-count", "data-shown") or 0)
    total = int(page.get_attribute("#shown-count", "data-total") or 0)
    t0 = time.perf_counter()
    page.check("#all-days")
    page.wait_for_function(
        "(n) => document.getElementById('shown-count').dataset.total !== n"
        " && document.getElementById('loading').hidden", arg=str(total), timeout=120_000)
    whole = (time.perf_counter() - t0) * 1000
    whole_total = int(page.get_attribute("#shown-count", "data-total") or 0)
    before = page.text_content("#incident-list") or ""
    t0 = time.perf_counter()
    page.click("#list-next")
    page.wait_for_function("(b) => document.getElementById('incident-list').textContent !== b",
                           arg=before, timeout=60_000)  # fmt: skip
    next_ms = (time.perf_counter() - t0) * 1000
    page.close()
    return {"first_paint_ms": first, "whole_period_ms": whole, "next_page_ms": next_ms,
            "shown": shown, "matched_latest_day": total, "matched_whole_period": whole_total}


def _summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    keys = ("first_paint_ms", "whole_period_ms", "next_page_ms")
    out: dict[str, Any] = {k: {"median": round(statistics.median(r[k] for r in runs), 1),
                               "max": round(max(r[k] for r in runs), 1)} for k in keys}  # fmt: skip
    out.update({k: runs[-1][k] for k in ("shown", "matched_latest_day", "matched_whole_period")})
    out["runs"] = [{k: round(v, 1) for k, v in r.items()} for r in runs]
    return out


def _request_times(base: str, day: str) -> dict[str, float]:
    """The dashboard's requests for the latest day, one by one (ms, warm)."""
    span = f"since={day}T00:00:00Z&until={day}T23:59:59Z"
    month = (date.fromisoformat(day) - timedelta(days=30)).isoformat()
    paths = {
        "me": "/api/me", "facets": "/api/incidents/facets",
        "map_markers_5000_with_count":
            f"/api/incidents/markers?{span}&sort=-confidence&limit=5000&count=true",
        "full_page_5000_with_count":
            f"/api/incidents?{span}&sort=-confidence&limit=5000&count=true",
        "list_page_15": f"/api/incidents?{span}&sort=-confidence&limit=15",
        "trend_31_days": f"/api/incidents/trend?since={month}T00:00:00Z&until={day}T23:59:59Z",
        "whole_period_map_markers":
            "/api/incidents/markers?sort=-confidence&limit=5000&count=true",
        "whole_period_violations_markers":
            "/api/incidents/markers?verdict=violation&sort=-confidence&limit=5000&count=true",
        "places": "/api/layers/places?lang=en", "outline": "/api/layers/outline",
    }  # fmt: skip
    out = {}
    for name, path in paths.items():
        req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {TOKEN}"})
        urllib.request.urlopen(req).read()  # warm
        t0 = time.perf_counter()
        urllib.request.urlopen(req).read()
        out[name] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def run(incidents: int = INCIDENTS, store_dir: Path | None = None) -> dict[str, Any]:
    """Build (or reuse) the store, then time the dashboard for the public and an analyst."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-dash-") as tmp:
        folder = store_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db, build_s = build_store(folder, incidents)
        with serve("trucewatch.api:create_app", _server_env(db)) as port:
            base = f"http://127.0.0.1:{port}"
            facets = json.loads(urllib.request.urlopen(urllib.request.Request(
                base + "/api/incidents/facets",
                headers={"Authorization": f"Bearer {TOKEN}"})).read())  # fmt: skip
            requests = _request_times(base, facets["time_max"][:10])
            roles: dict[str, Any] = {}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                _open(browser, base, TOKEN)  # warm the server's caches (layers, places)
                for role, token in (("public", None), ("analyst", TOKEN)):
                    roles[role] = _summary([_open(browser, base, token) for _ in range(RUNS)])
                browser.close()
    worst = max(r["first_paint_ms"]["max"] for r in roles.values())
    return {
        "incidents": incidents, "build_store_s": round(build_s, 1), "roles": roles,
        "requests_ms": requests, "target_first_paint_ms": TARGET_FIRST_PAINT_MS,
        "meets_target": bool(worst < TARGET_FIRST_PAINT_MS),
        "notes": "Chromium headless (Playwright), 1400x900; one uvicorn worker on SQLite; "
                 "browser and server share the machine's two cores; first paint = markers of "
                 "the latest day on the map",
    }  # fmt: skip


def _filter_cases(day: datetime) -> dict[str, tuple[Any, str, int, bool]]:
    """The assessment filters of the list and the dashboard: (filter, sort, limit, count)."""
    from trucewatch.store.queries import IncidentFilter

    month = day - timedelta(days=30)
    one_day = {"since": day, "until": day + timedelta(days=1)}
    return {
        "whole_period_violation_markers_5000_count":
            (IncidentFilter(verdict="violation"), "-confidence", 5000, True),
        "whole_period_violation_list_15": (IncidentFilter(verdict="violation"), "-confidence",
                                           15, False),
        "day_violation_markers_5000_count":
            (IncidentFilter(verdict="violation", **one_day), "-confidence", 5000, True),
        "week_agreement_clause_violation_100":
            (IncidentFilter(agreement="bench-ceasefire", clause="2", verdict="violation",
                            since=month, until=month + timedelta(days=7)), "time", 100, False),
        "whole_period_undetermined_100_count":
            (IncidentFilter(verdict="undetermined"), "time", 100, True),
        "whole_period_clause_100": (IncidentFilter(clause="1"), "-confidence", 100, False),
    }  # fmt: skip


def filter_queries(url: str, repeat: int = 3) -> dict[str, Any]:
    """The assessment filters timed in the store layer (no server, no browser) on the
    store at ``url`` (SQLite or PostgreSQL; e.g. one :func:`build_store` made): best and
    median seconds of one page of matches and, where the dashboard asks for it, their
    count; and the backend's plan of each (SQLite's ``EXPLAIN QUERY PLAN``, PostgreSQL's
    ``EXPLAIN``: the lines naming a scan, an index or a sort)."""
    from sqlalchemy import event, func, select

    from trucewatch.store import queries as q
    from trucewatch.store.engine import create_store_engine
    from trucewatch.store.paging import keyset_page
    from trucewatch.units import as_utc

    engine = create_store_engine(url)
    seen: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, stmt, params, *_: seen.append((stmt, params)))  # fmt: skip
    with engine.connect() as conn:
        latest = as_utc(conn.execute(select(func.max(q.t.incidents.c.time_start))).scalar_one())
        dialect = conn.dialect.name
    day = latest.replace(hour=0, minute=0, second=0, microsecond=0)
    out: dict[str, Any] = {"url": engine.url.render_as_string(hide_password=True),
                           "backend": dialect, "cases": {}}  # fmt: skip
    for name, (f, sort, limit, count) in _filter_cases(day).items():
        times = []
        for _ in range(repeat):
            with engine.connect() as conn:
                t0 = time.perf_counter()
                page = q.find_incident_rows(conn, f, limit=limit, sort=sort, with_total=count,
                                            columns=q.MARKER_COLUMNS)  # fmt: skip
                times.append(time.perf_counter() - t0)
        plans = {}
        with engine.connect() as conn:
            conds = q.incident_conditions(conn, f)
            seen.clear()
            keyset_page(conn, q.t.incidents, conds, limit, None, sort, q.MARKER_COLUMNS)
            statements = {"page": seen[-1]}
            if count:
                conn.execute(select(func.count()).select_from(q.t.incidents).where(*conds))
                statements["count"] = seen[-1]
            for what, (stmt, params) in statements.items():
                if dialect == "sqlite":
                    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params).all()
                    plans[what] = [str(r[3]) for r in rows]
                else:
                    rows = conn.exec_driver_sql("EXPLAIN " + stmt, params).all()
                    plans[what] = [str(r[0]).strip() for r in rows
                                   if any(w in str(r[0]) for w in ("Scan", "Index", "Sort"))]
        out["cases"][name] = {"best_s": round(min(times), 3),
                              "median_s": round(statistics.median(times), 3),
                              "rows": len(page.items), "total": page.total, "plans": plans}
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=INCIDENTS)
    parser.add_argument("--store", type=Path, default=None, help="keep (and reuse) the store here")
    parser.add_argument("--filters", metavar="URL", default=None,
                        help="only time the assessment filters on the store at URL (no browser)")
    args = parser.parse_args(argv)
    if args.filters:
        print(json.dumps(filter_queries(args.filters), indent=2))
        return 0
    print(json.dumps(run(args.incidents, args.store), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

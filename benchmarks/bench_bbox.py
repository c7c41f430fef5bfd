"""Incidents in a bounding box on PostgreSQL: through the PostGIS ``geom`` column and its
GiST index (migration 0014) against the plain ``lon``/``lat`` comparison on the
``(lon, lat)`` index, on a store of 1,000,000 incidents.

The incidents are generated inside PostgreSQL (``INSERT ... SELECT generate_series``, the
layout of :func:`benchmarks.bench_api.generate_incidents`: random points along a 1,000 km
diagonal band, ``lon = 31 + 7.5 s``, ``lat = 46.5 + 3.5 s`` with 0.15 degree Gaussian
scatter, over 100 days) into a store migrated to the newest schema; the secondary indexes
(the GiST one included) are rebuilt after the rows, and a store that already holds the
number of incidents asked for is reused. Then, for each kind of box query the API makes,
15 random boxes are asked with the store's own conditions
(:func:`trucewatch.store.queries.incident_conditions`) both ways, ``spatial_index`` true
(``geom && ST_MakeEnvelope(...)`` and the exact lon/lat comparison) and false (the
comparison alone): the answers are compared box by box, and the median and 90th percentile
times reported with the scans PostgreSQL chose. Last, the ``geom`` columns are dropped and
added again on the filled table (:mod:`trucewatch.store.spatial`): what migration 0014
costs on an existing store.

    TRUCEWATCH_BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/DB \\
        python -m benchmarks.bench_bbox [--incidents N]     # prints the JSON

``DB``'s schema ``public`` is dropped unless it holds the store asked for. Needs PostGIS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine, func, select, text

from trucewatch.store import Store, spatial
from trucewatch.store import schema as t
from trucewatch.store.conditions import BBox
from trucewatch.store.paging import keyset_page
from trucewatch.store.queries import IncidentFilter, incident_conditions

INCIDENTS = 1_000_000
BOXES = 15
"""Random boxes per kind of query."""
CHUNK = 250_000
T_START = datetime(2025, 5, 1, tzinfo=UTC)

_GENERATE = """
INSERT INTO incidents (uid, time_start, time_end, lon, lat, cov_ee, cov_en, cov_nn, kind,
    count, confidence, status, attribution_party, attribution, source_kinds, sector,
    held_by, line_distance_km, assessment, fused_at)
SELECT lpad(to_hex(i), 64, '0'), t, t, lon, lat, 0.5, 0.0, 0.5, 'artillery', 1 + i % 30,
    round(random()::numeric, 3)::float8,
    (ARRAY['possible','possible','possible','possible','possible','possible','possible',
           'probable','confirmed','unverified'])[1 + floor(random() * 10)::int],
    party, json_build_object('party', party, 'method', 'flow'), '["patrol"]'::json,
    'Sector ' || lpad(floor(s * 28)::int::text, 2, '0'), 'UA', random() * 60 - 30,
    '{"agreements_version": 1, "agreement_verdict": null, "agreements": []}'::json, now()
FROM (
    SELECT i, s,
        31.0 + 7.5 * s + 0.15 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS lon,
        46.5 + 3.5 * s + 0.15 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS lat,
        timestamptz '2025-05-01 00:00:00+00' + random() * interval '100 days' AS t,
        (ARRAY['RU', 'UA', 'undetermined', 'undetermined'])[1 + floor(random() * 4)::int]
            AS party
    FROM (SELECT i, random() AS s FROM generate_series(:lo, :hi) AS i) AS g
) AS p
"""


def _boxes(seed: int) -> list[tuple[str, Any]]:
    """(kind, filter) of the box queries: a map viewport (0.7 x 0.5 degrees) counted and
    its 5,000 most confident markers; a week in it, first page; a zoomed box (0.1 x 0.1
    degrees) counted and its markers; a strip across the band (all of its longitudes,
    0.02 degrees of latitude: many rows share its longitudes, few are in it) counted and
    its markers; the whole band counted (no index helps there)."""
    rng = random.Random(seed)
    out: list[tuple[str, Any]] = []
    for _ in range(BOXES):
        s = rng.random()
        lon, lat = 31.0 + 7.5 * s, 46.5 + 3.5 * s
        view = BBox(west=lon - 0.35, south=lat - 0.25, east=lon + 0.35, north=lat + 0.25)
        zoom = BBox(west=lon - 0.05, south=lat - 0.05, east=lon + 0.05, north=lat + 0.05)
        day = T_START + timedelta(days=rng.randrange(93))
        week = IncidentFilter(bbox=view, since=day, until=day + timedelta(days=7))
        strip = BBox(west=31.0, south=lat - 0.01, east=38.5, north=lat + 0.01)
        out += [
            ("count_viewport", IncidentFilter(bbox=view)),
            ("markers_viewport_5000", IncidentFilter(bbox=view)),
            ("list_viewport_week_100", week),
            ("count_zoomed", IncidentFilter(bbox=zoom)),
            ("markers_zoomed_5000", IncidentFilter(bbox=zoom)),
            ("count_strip", IncidentFilter(bbox=strip)),
            ("markers_strip_5000", IncidentFilter(bbox=strip)),
        ]
    out.append(("count_whole_band", IncidentFilter(
        bbox=BBox(west=30.0, south=45.5, east=40.0, north=51.0))))  # fmt: skip
    return out


def _ask(conn: Connection, kind: str, f: IncidentFilter, geometry: bool) -> Any:
    """The store's query of ``kind`` (a count, the 5,000 most confident markers, the first
    page in time order) with the box through ``geom`` or on ``lon``/``lat``."""
    conds = incident_conditions(conn, f, spatial_index=geometry)
    if kind.startswith("count"):
        return conn.execute(select(func.count()).select_from(t.incidents).where(*conds)).scalar()
    if kind.startswith("markers"):
        rows, _ = keyset_page(conn, t.incidents, conds, 5000, None, "-confidence",
                              ("uid", "lon", "lat", "confidence"))  # fmt: skip
    else:
        rows, _ = keyset_page(conn, t.incidents, conds, 100, None, "time", ("uid",))
    return [r.uid for r in rows]


def _measure(store: Store, queries: list[tuple[str, Any]], geometry: bool
             ) -> tuple[dict[str, Any], list[Any]]:  # fmt: skip
    times: dict[str, list[float]] = {}
    answers: list[Any] = []
    with store.engine.connect() as conn:
        for kind, f in queries[:4]:  # warm the connection
            _ask(conn, kind, f, geometry)
        for kind, f in queries:
            t0 = time.perf_counter()
            answers.append(_ask(conn, kind, f, geometry))
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    summary = {kind: {"median_ms": round(statistics.median(ms), 1),
                      "p90_ms": round(sorted(ms)[int(0.9 * (len(ms) - 1))], 1),
                      "n": len(ms)} for kind, ms in times.items()}  # fmt: skip
    return summary, answers


def _plans(store: Store, queries: list[tuple[str, Any]], geometry: bool) -> dict[str, str]:
    """The scans PostgreSQL chose for the count of the first box of each kind."""
    out: dict[str, str] = {}
    with store.engine.connect() as conn:
        for kind, f in queries:
            if kind in out:
                continue
            query = select(func.count()).select_from(t.incidents).where(
                *incident_conditions(conn, f, spatial_index=geometry))  # fmt: skip
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = list(conn.execute(text("EXPLAIN " + sql)).scalars())
            out[kind] = " | ".join(line.strip().split("  (")[0] for line in plan
                                   if "Scan" in line)  # fmt: skip
    return out


def _generate(store: Store, incidents: int) -> None:
    """``incidents`` rows inserted with the secondary indexes set aside and rebuilt after
    (the GiST one included): a setup step, not what a fusion run's writes cost."""
    with store.engine.begin() as conn:
        indexes = conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incidents' "
            "AND indexname <> 'pk_incidents'")).all()  # fmt: skip
        for name, _ in indexes:
            conn.execute(text(f"DROP INDEX {name}"))
        conn.execute(text("SELECT setseed(0.7)"))
        for lo in range(1, incidents + 1, CHUNK):
            conn.execute(text(_GENERATE), {"lo": lo, "hi": min(incidents, lo + CHUNK - 1)})
        for _, definition in indexes:
            conn.execute(text(definition))
    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _timed(step: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    step()
    return round(time.perf_counter() - t0, 1)


def run(incidents: int = INCIDENTS, url: str | None = None, migration: bool = True
        ) -> dict[str, Any]:  # fmt: skip
    """Build (or reuse, when it holds ``incidents`` incidents) the store and measure (the
    migration's cost too with ``migration``)."""
    url = url or os.environ.get("TRUCEWATCH_BENCH_PG")
    if not url:
        return {"skipped": "set TRUCEWATCH_BENCH_PG to an empty PostgreSQL database"}
    store = Store.open(url)
    with store.engine.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM incidents")).scalar()
    if held != incidents:
        store.close()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        store = Store.open(url)
    with store.engine.connect() as conn:
        if spatial.geometry_schema(conn) is None:
            store.close()
            return {"skipped": "no PostGIS on the server (the store has no geom column)"}
    result: dict[str, Any] = {"incidents": incidents}
    if held != incidents:
        result["generate_s"] = _timed(lambda: _generate(store, incidents))
    queries = _boxes(seed=11)
    result["postgis"], with_geom = _measure(store, queries, geometry=True)
    result["lonlat"], without = _measure(store, queries, geometry=False)
    result["postgis_plans"] = _plans(store, queries, geometry=True)
    result["lonlat_plans"] = _plans(store, queries, geometry=False)
    result["same_answers"] = with_geom == without
    result["answer_sizes_first_box"] = {}
    for (kind, _), answer in zip(queries, with_geom, strict=True):
        size = answer if isinstance(answer, int) else len(answer)
        result["answer_sizes_first_box"].setdefault(kind, size)

    def readd() -> None:
        with store.engine.begin() as conn:
            spatial.drop_geometry_columns(conn)
        with store.engine.begin() as conn:
            spatial.add_geometry_columns(conn)

    if migration:
        result["migration_0014_on_filled_store_s"] = _timed(readd)
    store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=INCIDENTS)
    parser.add_argument("--no-migration", action="store_true",
                        help="skip timing the migration on the filled store")  # fmt: skip
    args = parser.parse_args(argv)
    print(json.dumps(run(args.incidents, migration=not args.no_migration), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

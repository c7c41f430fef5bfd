"""PostGIS on PostgreSQL (migration 0014, :mod:`trucewatch.store.spatial`): the generated
``geom`` columns and their GiST indexes, the bounding box answered through them with the
same rows as the plain lon/lat comparison, a server without PostGIS, the downgrade; SQLite
unchanged."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, select, text
from tests.conftest import PG_URL, _postgres_available, _reset_postgres
from tests.store.test_store import T0, _obs

from trucewatch.store import Store, spatial
from trucewatch.store import schema as t
from trucewatch.store.conditions import BBox
from trucewatch.store.engine import _alembic_config, shipped_head
from trucewatch.store.queries import (
    IncidentFilter,
    ObservationFilter,
    count_incidents,
    find_incident_rows,
    find_observations,
)
from trucewatch.types import (
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PlaceLocation,
    PointLocation,
    SourceKind,
)

BOX = BBox(west=37.0, south=48.0, east=37.6, north=48.6)
EDGE_POINTS: list[tuple[float, float]] = [
    (37.3, 48.3),  # inside
    (37.0, 48.0), (37.6, 48.6), (37.6, 48.3), (37.3, 48.0),  # on the edges: inside
    (37.6 + 1e-9, 48.3), (37.6 + 1e-7, 48.3), (37.6 + 2e-6, 48.3),  # just east: outside
    (37.3, 48.0 - 1e-9), (37.0 - 1e-8, 48.6 + 1e-8),  # just south, just beyond a corner
    (37.7, 48.3), (36.0, 47.0),  # far outside
]
"""Points inside, on the edges of, and just outside :data:`BOX`: PostGIS's ``&&`` compares
single-precision boxes, so it alone would take the points a few 1e-6 degrees outside."""


def _incident(i: int, lon: float, lat: float) -> Incident:
    return Incident(
        uid=f"{i:064x}", time_start=T0 + timedelta(minutes=i), time_end=T0 + timedelta(hours=1),
        location=PointLocation(lon=lon, lat=lat, cov_km2=((1.0, 0.0), (0.0, 1.0))),
        kind=EventKind.EXPLOSION, count=1, confidence=0.5 + i / 100,
        status=IncidentStatus.PROBABLE,
        attribution=Attribution(party="RU", probabilities={"RU": 0.7}, method="flow"),
        observation_uids=(), source_kinds=(SourceKind.PATROL,),
    )  # fmt: skip


def _inside(points: list[tuple[float, float]], box: BBox) -> set[int]:
    return {i for i, (lon, lat) in enumerate(points)
            if box.west <= lon <= box.east and box.south <= lat <= box.north}  # fmt: skip


def _fill(store: Store) -> None:
    located = [_obs(i, PointLocation.isotropic(lon, lat, 0.5))
               for i, (lon, lat) in enumerate(EDGE_POINTS)]  # fmt: skip
    store.add_observations([*located, _obs(99, PlaceLocation(place="Horlivka"))])
    store.replace_incidents([_incident(i, lon, lat) for i, (lon, lat) in enumerate(EDGE_POINTS)])


def _answers(store: Store, box: BBox) -> tuple[set[int], int, set[int]]:
    """(incidents in ``box``, their count, observations in ``box``) by the store's queries."""
    with store.engine.connect() as conn:
        rows = find_incident_rows(conn, IncidentFilter(bbox=box), limit=1000).items
        n = count_incidents(conn, IncidentFilter(bbox=box))
        obs = find_observations(conn, ObservationFilter(bbox=box), limit=1000).items
    return ({int(r.uid, 16) for r in rows}, n,
            {int(o.observation.uid, 16) for o in obs})  # fmt: skip


def _columns(store: Store, table: str) -> set[str]:
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            return {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
        return set(conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
            "AND table_schema = current_schema()"), {"t": table}).scalars())  # fmt: skip


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database (``TRUCEWATCH_TEST_PG``) on a server with PostGIS."""
    if not _postgres_available(PG_URL):
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_URL} in CI")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    _reset_postgres(PG_URL)
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        available = conn.execute(text(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
    engine.dispose()
    if available is None:
        if os.environ.get("CI"):
            pytest.fail("PostGIS is not installed on the PostgreSQL server in CI (.ci/run)")
        pytest.skip("the PostgreSQL server has no PostGIS (.ci/run installs Debian's package)")
    yield PG_URL
    _reset_postgres(PG_URL)


def test_sqlite_store_has_no_geometry(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    _fill(store)
    assert all("geom" not in _columns(store, table) for table in spatial.GEOMETRY_TABLES)
    incidents, n, observations = _answers(store, BOX)
    assert incidents == _inside(EDGE_POINTS, BOX) and n == len(incidents)
    assert observations == _inside(EDGE_POINTS, BOX)
    store.close()


@pytest.mark.postgres
def test_geometry_columns_follow_lon_lat(pg_url: str) -> None:
    store = Store.open(pg_url)
    _fill(store)
    with store.engine.connect() as conn:
        schema = spatial.geometry_schema(conn)
        assert schema is not None
        for table in spatial.GEOMETRY_TABLES:
            rows = conn.execute(text(
                f"SELECT count(*), count(geom), bool_and({schema}.st_x(geom) = lon AND "
                f"{schema}.st_y(geom) = lat AND {schema}.st_srid(geom) = 4326 AND "
                f"{schema}.geometrytype(geom) = 'POINT') FROM {table}")).one()  # fmt: skip
            located = len(EDGE_POINTS)
            assert tuple(rows) == (located, located, True)
            index = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE tablename = :t AND indexname = :i"),
                {"t": table, "i": spatial.index_name(table)}).scalar_one()  # fmt: skip
            assert "USING gist (geom)" in index
        assert "geom" not in _columns(store, "observations")  # their imports stay fast
        # the column is computed by the database: an update of lon/lat moves it
        conn.execute(text("UPDATE incidents SET lon = 30.5, lat = 50.45 WHERE uid = :u"),
                     {"u": f"{0:064x}"})  # fmt: skip
        moved = conn.execute(text(f"SELECT {schema}.st_astext(geom) FROM incidents "
                                  "WHERE uid = :u"), {"u": f"{0:064x}"}).scalar_one()  # fmt: skip
        assert moved == "POINT(30.5 50.45)"
        conn.rollback()
    store.close()


@pytest.mark.postgres
def test_box_queries_use_the_index_and_answer_as_lon_lat(pg_url: str) -> None:
    store = Store.open(pg_url)
    _fill(store)
    expected = _inside(EDGE_POINTS, BOX)
    assert len(expected) == 5
    sent: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: sent.append(statement))  # fmt: skip
    with_geom = _answers(store, BOX)
    assert with_geom == (expected, len(expected), expected)
    # pages of incidents lead with the GiST index; the count stays on the (lon, lat)
    # index, and observations (no geom column) on theirs
    boxed = [s for s in sent if "FROM incidents" in s or "FROM observations" in s]
    assert [("&&" in s, "count(" in s) for s in boxed] == [
        (True, False), (False, True), (False, False)]
    with store.engine.connect() as conn:
        schema = spatial.geometry_schema(conn)
        cond = spatial.bbox_condition(conn, t.incidents.c, BOX.west, BOX.south, BOX.east,
                                      BOX.north)  # fmt: skip
        assert f"OPERATOR({schema}.&&)" in str(cond.compile(conn))
        conn.execute(text("SET enable_seqscan = off; SET enable_bitmapscan = on"))
        conn.execute(text("DROP INDEX ix_incidents_lon_lat"))  # leave the planner the GiST
        query = select(t.incidents.c.uid).where(cond)
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(conn.execute(text("EXPLAIN " + sql)).scalars())
        assert spatial.index_name("incidents") in plan
        # the index alone compares single-precision boxes: it takes points just outside
        loose = set(conn.execute(text(
            f"SELECT uid FROM incidents WHERE geom OPERATOR({schema}.&&) "
            f"{schema}.st_makeenvelope(37.0, 48.0, 37.6, 48.6, 4326)")).scalars())  # fmt: skip
        assert {int(u, 16) for u in loose} > expected
        conn.rollback()
    # the same store without the columns: the plain comparison, the same rows
    with store.engine.begin() as conn:
        spatial.drop_geometry_columns(conn)
    store.close()
    store = Store.open(pg_url)
    with store.engine.connect() as conn:
        assert spatial.geometry_schema(conn) is None
    assert _answers(store, BOX) == with_geom
    store.close()


@pytest.mark.postgres
def test_store_without_postgis_warns_and_works(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(spatial, "EXTENSION", "postgis_not_on_this_server")
    with caplog.at_level(logging.WARNING, logger="trucewatch.store.spatial"):
        store = Store.open(pg_url)
    assert any("PostGIS is not available" in r.getMessage()
               and "postgis_not_on_this_server" in r.getMessage() for r in caplog.records)
    assert all("geom" not in _columns(store, table) for table in spatial.GEOMETRY_TABLES)
    with store.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == shipped_head()  # every migration ran, 0014 without PostGIS
    _fill(store)
    expected = _inside(EDGE_POINTS, BOX)
    assert _answers(store, BOX) == (expected, len(expected), expected)
    store.close()


@pytest.mark.postgres
def test_migration_creates_postgis_where_missing(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:  # as on a new server: the extension not yet created
        conn.execute(text("DROP EXTENSION IF EXISTS postgis CASCADE"))
    engine.dispose()
    store = Store.open(pg_url)
    with store.engine.connect() as conn:
        assert spatial.postgis_schema(conn) == "public"
        assert spatial.geometry_schema(conn) == "public"
    _fill(store)
    expected = _inside(EDGE_POINTS, BOX)
    assert _answers(store, BOX) == (expected, len(expected), expected)
    store.close()


@pytest.mark.postgres
def test_downgrade_drops_the_columns_and_upgrade_adds_them(pg_url: str) -> None:
    store = Store.open(pg_url)
    _fill(store)
    config = _alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        parent = ScriptDirectory.from_config(config).get_revision("0014").down_revision
        command.downgrade(config, str(parent))  # to just before 0014
    assert all("geom" not in _columns(store, table) for table in spatial.GEOMETRY_TABLES)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname LIKE "
                                 "'%\\_geom'")).scalar_one() == 0  # fmt: skip
    store.close()

    store = Store.open(pg_url)  # upgraded again to the newest, the rows computed anew
    with store.engine.connect() as conn:
        assert spatial.geometry_schema(conn) is not None
        assert conn.execute(text("SELECT count(geom) FROM incidents")).scalar_one() == len(
            EDGE_POINTS)
    store.close()

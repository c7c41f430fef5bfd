"""PostGIS on a PostgreSQL store: the ``geom`` point column of ``incidents`` and the
bounding-box condition that uses it.

Migration 0014 adds, on PostgreSQL with the ``postgis`` extension (created when the server
has it and the migrating user may create it), a stored generated column on each of
:data:`GEOMETRY_TABLES`::

    geom geometry(Point, 4326) GENERATED ALWAYS AS
        (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED

with a GiST index ``ix_<table>_geom``. The database computes it from ``lon``/``lat`` (WGS84
degrees) on every insert and update, so no writer knows of it and it cannot disagree with
them; it is NULL where ``lon``/``lat`` are. QGIS
and other GIS read it as a point layer (docs/deploy.md). The column is not part of the
SQLAlchemy tables (:mod:`trucewatch.store.schema`): SQLite and a PostgreSQL server without
PostGIS have no such column, and the store works the same without it.

A bounding box (:func:`bbox_condition`) then uses ``geom && ST_MakeEnvelope(...)`` (the
GiST index) followed by the exact ``lon``/``lat`` comparison: the index compares boxes
rounded outwards to single precision, so the comparison on the stored doubles decides the
edges and the answer is the same row for row as on a store without ``geom``. Pages of
rows use it (20-30% faster at 1,000,000 incidents); counts do not (``use_geometry=False``):
the ``(lon, lat)`` B-tree counts a box without reading the table, 7-9 times faster than the
GiST path, which must read each candidate row (docs/benchmarks.md).

PostGIS may live in any schema (``public`` when the migration creates it): every PostGIS
name used here is qualified with the extension's schema, so the search path never matters.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, literal_column, text
from sqlalchemy.sql.functions import Function

log = logging.getLogger(__name__)

EXTENSION = "postgis"
"""The PostgreSQL extension's name."""
GEOMETRY_TABLES: tuple[str, ...] = ("incidents",)
"""The tables with a ``geom`` point column (from their ``lon``/``lat`` columns). Not
``observations``: the generated column and its GiST index made bulk inserts of
observations 40-80% slower (200,000 rows: 10.4-13.6 s against 7.2-7.5 s), against the
import targets of a national mission (docs/benchmarks.md), while the observations' box
queries gain little over the ``(lon, lat)`` index."""
GEOM_COLUMN = "geom"
"""The point column's name."""
SRID = 4326
"""WGS84 longitude/latitude (EPSG:4326)."""
_INFO_KEY = "trucewatch_geom_schema"
"""Key in a DBAPI connection's ``info``: the schema of PostGIS when the tables have
``geom`` columns, ``""`` when they have not."""


def index_name(table: str) -> str:
    """The GiST index on ``table``'s ``geom`` column."""
    return f"ix_{table}_{GEOM_COLUMN}"


def postgis_schema(conn: Connection) -> str | None:
    """The schema the ``postgis`` extension is installed in (quoted if it needs to be), or
    None when it is not installed in this database."""
    return conn.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = :e"),
        {"e": EXTENSION},
    ).scalar()


def create_postgis(conn: Connection) -> str | None:
    """The schema of PostGIS in this database, creating the extension
    (``CREATE EXTENSION IF NOT EXISTS postgis``) when the server has it; None, with a
    warning in the log, when the server lacks it or the user may not create it. Runs in a
    savepoint, so the caller's transaction goes on either way."""
    schema = postgis_schema(conn)
    if schema is not None:
        return schema
    try:
        with conn.begin_nested():
            conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}"))
    except Exception as exc:  # not installed on the server, or not allowed: go on without
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        log.warning(
            "PostGIS is not available on this PostgreSQL server (%s): the store works "
            "without it, but incidents get no geometry column for QGIS and "
            "box queries use the lon/lat index. Install the server's PostGIS package (on "
            "Debian postgresql-<major>-postgis-3) and add the columns as docs/deploy.md "
            "says.", reason,
        )  # fmt: skip
        return None
    return postgis_schema(conn)


def add_geometry_columns(conn: Connection) -> bool:
    """Add the generated ``geom`` column and its GiST index to every table of
    :data:`GEOMETRY_TABLES` (PostgreSQL with PostGIS; see the module). False, changing
    nothing, when PostGIS cannot be had (:func:`create_postgis`)."""
    schema = create_postgis(conn)
    if schema is None:
        return False
    for table in GEOMETRY_TABLES:
        conn.execute(text(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {GEOM_COLUMN} "
            f"{schema}.geometry(Point, {SRID}) GENERATED ALWAYS AS "
            f"({schema}.st_setsrid({schema}.st_makepoint(lon, lat), {SRID})) STORED"
        ))  # fmt: skip
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {index_name(table)} ON {table} "
                          f"USING gist ({GEOM_COLUMN})"))  # fmt: skip
    conn.info.pop(_INFO_KEY, None)
    return True


def drop_geometry_columns(conn: Connection) -> None:
    """Drop the ``geom`` columns and their indexes where they exist (the extension stays:
    other objects of the database may use it)."""
    for table in GEOMETRY_TABLES:
        conn.execute(text(f"DROP INDEX IF EXISTS {index_name(table)}"))
        conn.execute(text(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {GEOM_COLUMN}"))
    conn.info.pop(_INFO_KEY, None)


def geometry_schema(conn: Connection) -> str | None:
    """The schema of PostGIS (its name, unquoted) when every table of
    :data:`GEOMETRY_TABLES` has its ``geom`` column, else None (SQLite; PostgreSQL without
    PostGIS). Looked up once per database connection (two catalogue queries) and kept in
    its ``info``."""
    if conn.dialect.name != "postgresql":
        return None
    cached = conn.info.get(_INFO_KEY)
    if cached is None:
        found = conn.execute(text(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relname IN :tables AND c.relnamespace = current_schema()::regnamespace "
            "AND a.attname = :col AND NOT a.attisdropped"
        ).bindparams(bindparam("tables", expanding=True)),
            {"tables": list(GEOMETRY_TABLES), "col": GEOM_COLUMN}).scalar_one()  # fmt: skip
        schema = None
        if found == len(GEOMETRY_TABLES):
            schema = conn.execute(text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = :e"), {"e": EXTENSION}).scalar()
        cached = conn.info[_INFO_KEY] = schema or ""
    return cached or None


def bbox_condition(conn: Connection, c: Any, west: float, south: float, east: float,
                   north: float, *, use_geometry: bool = True) -> ColumnElement[bool]:  # fmt: skip
    """``lon``/``lat`` of the table with columns ``c`` within ``[west, east]`` x
    ``[south, north]`` (WGS84 degrees, edges included); on a table with ``geom``
    (:func:`geometry_schema`), unless ``use_geometry`` is false, led by
    ``geom && ST_MakeEnvelope(...)`` so that PostgreSQL may answer from the GiST index.
    The same rows either way."""
    exact = and_(c.lon >= west, c.lon <= east, c.lat >= south, c.lat <= north)
    table = c.lon.table.name
    schema = geometry_schema(conn) if use_geometry and table in GEOMETRY_TABLES else None
    if schema is None:
        return exact
    envelope: Function[Any] = Function("st_makeenvelope", float(west), float(south), float(east),
                                       float(north), SRID, packagenames=(schema,))  # fmt: skip
    quoted = conn.dialect.identifier_preparer.quote(schema)
    overlaps = literal_column(f"{table}.{GEOM_COLUMN}").op(
        f"OPERATOR({quoted}.&&)", is_comparison=True)(envelope)  # fmt: skip
    return and_(overlaps, exact)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:  # fmt: skip
    """Alembic's ``include_object``: leave PostGIS's own table, the ``geom`` columns and
    their indexes out of comparisons of the database with :mod:`trucewatch.store.schema`
    (they are added by migration 0014 where PostGIS is, and are not in the tables)."""
    if not reflected:
        return True
    if type_ == "table" and name == "spatial_ref_sys":
        return False
    if type_ == "column" and name == GEOM_COLUMN and obj.table.name in GEOMETRY_TABLES:
        return False
    return not (type_ == "index" and name in {index_name(t) for t in GEOMETRY_TABLES})

"""Import 1,000,000 FIRMS rows with the ledger into SQLite and PostgreSQL (target: under
10 s each, issue 19), with peers in the same run.

Input: the real FIRMS history in ``shared/data/firms/history`` (924,619 rows,
``LATITUDE,LONGITUDE,ACQ_DATE``; ``$TRUCEWATCH_SHARED_DATA`` or ``../shared/data``), topped
up to 1,000,000 with the first rows again with their year shifted by +100 so that they are
distinct records (the importer deduplicates identical rows). Measured per backend:

* ``trucewatch import`` (the columnar path: read, check, hash, build every row, entry and
  digest, store and log in one transaction), and a re-import (all duplicates);
* peer ``plain``: the DBAPI's ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) of the
  3-column tuples into a bare table, no validation, hashing, ledger or index: the floor of
  any importer;
* peer ``same rows``: the same observation, record text and ledger rows trucewatch stored,
  read back and written into a fresh store with ``executemany`` / ``COPY`` and nothing
  computed: the cost of storing those bytes with their indexes, which the import cannot go
  below.

SQLite runs on a file in a temporary folder; PostgreSQL on the database named by
``$TRUCEWATCH_BENCH_PG`` (emptied first; skipped when unset). ``ROWS`` is
``$TRUCEWATCH_BENCH_IMPORT_ROWS`` (default 1,000,000).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from trucewatch.app.intake import import_files
from trucewatch.store import Store, schema

_SHARED = os.environ.get("TRUCEWATCH_SHARED_DATA")
HISTORY = (Path(_SHARED) if _SHARED else Path(__file__).resolve().parents[2] / "shared" /
           "data") / "firms" / "history"  # fmt: skip
ROWS = int(os.environ.get("TRUCEWATCH_BENCH_IMPORT_ROWS", "1000000"))
TARGET_S = 10.0


def make_input(path: Path, rows: int) -> int:
    """Write ``rows`` FIRMS rows (real history, topped up with re-dated copies)."""
    lines: list[str] = []
    for f in sorted(HISTORY.glob("ukraine_fires_*.csv")):
        with f.open(encoding="utf-8") as fh:
            next(fh)
            lines.extend(line.rstrip("\n") for line in fh)
    extra = []
    for line in lines[: max(0, rows - len(lines))]:
        lat, lon, day = line.split(",")
        extra.append(f"{lat},{lon},{int(day[:4]) + 100}{day[4:]}")
    lines = (lines + extra)[:rows]
    path.write_text("LATITUDE,LONGITUDE,ACQ_DATE\n" + "\n".join(lines) + "\n")
    return len(lines)


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def time_trucewatch(csv_path: Path, url: str) -> dict[str, Any]:
    store = Store.open(url)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        first = import_files(store, [csv_path])
        t_import, c_import = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        again = import_files(store, [csv_path])
        t_again = time.perf_counter() - t0
        with store.engine.connect() as conn:
            entries = conn.exec_driver_sql(
                "SELECT count(*) FROM ledger_entries WHERE entry_type = 'observation'"
            ).scalar_one()
    finally:
        store.close()
    return {"rows": first["read"], "import_s": round(t_import, 2),
            "import_cpu_s_this_process": round(c_import, 2), "stored": first["stored"],
            "ledger_entries": int(entries), "reimport_s": round(t_again, 2),
            "reimport_duplicates": again["duplicates"]}  # fmt: skip


def _tuples(csv_path: Path) -> list[tuple[float, float, str]]:
    with csv_path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [(float(a), float(b), c) for a, b, c in reader]


def peer_plain_sqlite(csv_path: Path, db_path: Path) -> float:
    """Plain sqlite3 executemany of parsed tuples into a bare table (wall s)."""
    t0 = time.perf_counter()
    rows = _tuples(csv_path)
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE fires (lat REAL, lon REAL, acq_date TEXT)")
    with con:
        con.executemany("INSERT INTO fires VALUES (?, ?, ?)", rows)
    con.close()
    return round(time.perf_counter() - t0, 2)


def peer_plain_postgres(csv_path: Path, url: str) -> float:
    """Plain COPY of parsed tuples into a bare table (psycopg ``cursor.copy``)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS peer_fires"))
        conn.execute(text("CREATE TABLE peer_fires (lat float8, lon float8, acq_date text)"))
    t0 = time.perf_counter()
    rows = _tuples(csv_path)
    with engine.begin() as conn:
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy("COPY peer_fires FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elapsed = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE peer_fires"))
    engine.dispose()
    return round(elapsed, 2)


def peer_same_rows(source_url: str, target_url: str) -> dict[str, float]:
    """The observation and ledger rows ``source_url`` holds written into a fresh store at
    ``target_url`` (emptied and migrated untimed; it may be the same PostgreSQL database)
    with executemany / COPY, nothing computed."""
    src = Store.open(source_url)
    with src.engine.connect() as conn:
        batches = [dict(r._mapping) for r in conn.execute(schema.import_batches.select())]
        select_obs = _OBS if conn.dialect.name == "sqlite" else _OBS_PG
        obs = [tuple(r) for r in conn.exec_driver_sql(f"SELECT {select_obs} FROM observations")]
        texts = [tuple(r) for r in conn.exec_driver_sql(f"SELECT {_TEXTS} FROM record_payloads")]
        log = [tuple(r) for r in conn.exec_driver_sql(f"SELECT {_LOG} FROM ledger_entries")]
    src.close()
    if target_url.startswith("postgresql"):
        _fresh_postgres(target_url)
    target = Store.open(target_url)
    t0, c0 = time.perf_counter(), time.process_time()
    with target.engine.begin() as conn:
        conn.execute(schema.import_batches.insert(), batches)
        _write(conn, "record_payloads", _TEXTS, texts)
        _write(conn, "observations", _OBS, obs)
        _write(conn, "ledger_entries", _LOG, log)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    target.close()
    return {"wall_s": round(elapsed, 2), "cpu_s_this_process": round(cpu, 2)}


_OBS = ", ".join(f'"{c.name}"' for c in schema.observations.columns)
_OBS_PG = ", ".join(f'"{c.name}"::text' if c.name in ("location", "attributes")
                   else f'"{c.name}"' for c in schema.observations.columns)  # fmt: skip
_TEXTS = "sha256, payload"
_LOG = "seq, entry, leaf_hash, entry_type, ref, appended_at"


def _write(conn: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    cols = f"({columns})"
    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} {cols} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in rows[0])
    conn.exec_driver_sql(f"INSERT INTO {table} {cols} VALUES ({marks})", rows)


def run() -> dict[str, object]:
    if not HISTORY.exists():
        return {"skipped": f"no FIRMS history at {HISTORY}"}
    out: dict[str, object] = {"target_s": TARGET_S, "rows": ROWS,
                              "load_average_at_start": os.getloadavg()}  # fmt: skip
    pg = os.environ.get("TRUCEWATCH_BENCH_PG")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "firms.csv"
        make_input(csv_path, ROWS)
        sqlite_url = f"sqlite:///{Path(tmp) / 'tw.db'}"
        result: dict[str, Any] = {"trucewatch": time_trucewatch(csv_path, sqlite_url)}
        result["peer_plain_executemany_s"] = peer_plain_sqlite(csv_path, Path(tmp) / "p.db")
        result["peer_same_rows_executemany"] = peer_same_rows(
            sqlite_url, f"sqlite:///{Path(tmp) / 'same.db'}")
        result["meets_target"] = result["trucewatch"]["import_s"] < TARGET_S
        out["sqlite"] = result
        if pg:
            _fresh_postgres(pg)
            result = {"trucewatch": time_trucewatch(csv_path, pg)}
            result["peer_plain_copy_s"] = peer_plain_postgres(csv_path, pg)
            result["peer_same_rows_copy"] = peer_same_rows(pg, pg)
            result["meets_target"] = result["trucewatch"]["import_s"] < TARGET_S
            out["postgresql"] = result
        else:
            out["postgresql"] = {"skipped": "TRUCEWATCH_BENCH_PG not set"}
    out["load_average_at_end"] = os.getloadavg()
    return out

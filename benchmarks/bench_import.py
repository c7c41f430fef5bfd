"""Import 1,000,000 FIRMS rows into SQLite (target: under 20 s), with a floor as the peer.

Input: the real FIRMS history in ``../shared/data/firms/history`` (924,619 rows,
``LATITUDE,LONGITUDE,ACQ_DATE``), topped up to 1,000,000 with the first rows again with
their year shifted by +100 so that they are distinct records (the importer deduplicates
identical rows). Measured: trucewatch's reader alone, the whole ``import`` (read,
validate, hash, store in one transaction), a re-import (all duplicates), and the peer:
Python's ``sqlite3`` ``executemany`` of the same rows as plain tuples into a bare table
without validation, hashing or JSON, i.e. the floor for any SQLite importer. A scaling
check imports 100,000 rows the same way.
"""

from __future__ import annotations

import csv
import sqlite3
import tempfile
import time
from pathlib import Path

from trucewatch import sources
from trucewatch.app.intake import import_files
from trucewatch.store import Store

HISTORY = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "firms" / "history"
ROWS = 1_000_000


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


def time_trucewatch(csv_path: Path, db_path: Path) -> dict[str, float | int]:
    t0 = time.perf_counter()
    result = sources.read_file(csv_path)
    t_read = time.perf_counter() - t0
    store = Store.open(f"sqlite:///{db_path}")
    t0 = time.perf_counter()
    first = import_files(store, [csv_path])
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = import_files(store, [csv_path])
    t_again = time.perf_counter() - t0
    store.close()
    return {
        "rows": result.read,
        "read_s": round(t_read, 2),
        "import_s": round(t_import, 2),
        "stored": first["stored"],
        "reimport_s": round(t_again, 2),
        "reimport_duplicates": again["duplicates"],
    }


def time_floor(csv_path: Path, db_path: Path) -> float:
    """The peer: plain sqlite3 executemany of parsed tuples, no validation or hashing."""
    t0 = time.perf_counter()
    with csv_path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = [(float(a), float(b), c) for a, b, c in reader]
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE fires (lat REAL, lon REAL, acq_date TEXT)")
    with con:
        con.executemany("INSERT INTO fires VALUES (?, ?, ?)", rows)
    con.close()
    return round(time.perf_counter() - t0, 2)


def run() -> dict[str, object]:
    if not HISTORY.exists():
        return {"skipped": f"no FIRMS history at {HISTORY}"}
    out: dict[str, object] = {"target_s": 20.0}
    with tempfile.TemporaryDirectory() as tmp:
        for label, rows in (("100k", ROWS // 10), ("1M", ROWS)):
            csv_path = Path(tmp) / f"firms_{label}.csv"
            make_input(csv_path, rows)
            out[label] = {
                "trucewatch": time_trucewatch(csv_path, Path(tmp) / f"tw_{label}.db"),
                "peer_sqlite3_executemany_s": time_floor(csv_path, Path(tmp) / f"floor_{label}.db"),
            }
    one = out["1M"]["trucewatch"]  # type: ignore[index]
    small = out["100k"]["trucewatch"]  # type: ignore[index]
    out["scaling_1M_over_100k"] = round(one["import_s"] / max(small["import_s"], 1e-9), 2)
    out["meets_target"] = one["import_s"] < 20.0
    return out

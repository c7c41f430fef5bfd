"""Many writers, one truth: parallel ``trucewatch import`` processes of the same records,
on SQLite and PostgreSQL, store and log each record once, and their counts add up (the
database's primary key decides, not a process's memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import trucewatch
from trucewatch.store import Store

WRITERS = 3
RUNS = int(os.environ.get("TRUCEWATCH_WRITER_RUNS", "3"))
"""Rounds of racing writers (3 in CI; issue 20's benchmark asks 10 on each backend:
``TRUCEWATCH_WRITER_RUNS=10``)."""
ROWS = 400


def _firms(path: Path, run: int, rows: int = ROWS, offset: int = 0) -> None:
    """``rows`` FIRMS detections, distinct per run (their own day) and per ``offset``."""
    lines = [f"{47.0 + (i + offset) * 0.001:.4f},37.5000,2025-08-{10 + run:02d}"
             for i in range(rows)]  # fmt: skip
    path.write_text("latitude,longitude,acq_date\n" + "\n".join(lines) + "\n")


def _import_all(db_url: str, files: list[Path]) -> list[dict]:
    """One ``trucewatch import`` process per file, all started at once."""
    src = str(Path(trucewatch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-m", "trucewatch.cli", "import", str(f),
                               "--db", db_url, "--json"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]  # fmt: skip
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        results.append(json.loads(out))
    return results


def _counts(db_url: str) -> tuple[int, int, int]:
    """Observations, their ledger entries, and distinct uids among those entries."""
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            obs = conn.exec_driver_sql("SELECT count(*) FROM observations").scalar_one()
            entries, refs = conn.exec_driver_sql(
                "SELECT count(*), count(DISTINCT ref) FROM ledger_entries "
                "WHERE entry_type = 'observation'").one()  # fmt: skip
        return int(obs), int(entries), int(refs)
    finally:
        store.close()


def test_parallel_imports_store_and_log_each_record_once(db_url: str, tmp_path: Path) -> None:
    Store.open(db_url).close()  # migrate once, before the writers race
    total = 0
    for run in range(RUNS):
        same = tmp_path / f"same-{run}.csv"
        _firms(same, run)
        overlap = tmp_path / f"overlap-{run}.csv"  # half the same rows, half new
        _firms(overlap, run, offset=ROWS // 2)
        results = _import_all(db_url, [same] * (WRITERS - 1) + [overlap])
        new = ROWS + ROWS // 2
        total += new
        assert sum(r["stored"] for r in results) == new, results
        assert sum(r["stored"] + r["duplicates"] for r in results) == WRITERS * ROWS
        assert _counts(db_url) == (total, total, total)
    assert total == RUNS * (ROWS + ROWS // 2)

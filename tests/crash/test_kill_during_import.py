"""kill -9 in the middle of a large import leaves the store and the log consistent:
nothing half-stored, and re-running the import completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from trucewatch.cli import app

runner = CliRunner()
ROWS = 200_000


def _big_firms_file(path: Path) -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(46.0, 50.0, ROWS)
    lon = rng.uniform(33.0, 39.0, ROWS)
    day = rng.integers(1, 28, ROWS)
    lines = [f"{a:.5f},{b:.5f},2023-02-{d:02d}" for a, b, d in zip(lat, lon, day, strict=True)]
    path.write_text("LATITUDE,LONGITUDE,ACQ_DATE\n" + "\n".join(lines) + "\n")


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_kill_9_mid_import_then_rerun(tmp_path: Path):
    data = tmp_path / "big.csv"
    _big_firms_file(data)
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    _json("init", "--db", db)  # schema exists before the import starts
    proc = subprocess.Popen(
        [sys.executable, "-m", "trucewatch.cli", "import", str(data), "--db", db, "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(3.0)  # well into reading and storing (a full run takes ~10 s here)
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    after_kill = _json("ledger", "verify", "--db", db)
    assert after_kill["ok"], after_kill["problems"]
    assert after_kill["entries"] == 0  # one transaction: nothing of the import was kept
    assert _json("init", "--db", db)["observations"] == 0

    rerun = _json("import", str(data), "--db", db)
    assert rerun["stored"] + rerun["duplicates"] == ROWS
    final = _json("ledger", "verify", "--db", db)
    assert final["ok"] and final["entries"] == rerun["stored"] + 1  # + the batch

"""simulate -> import -> fuse -> evaluate through the command line (smoke scenario)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trucewatch.app.demo import CONTROL_FILE, demo_file
from trucewatch.cli import app

runner = CliRunner()
METRICS = {"truth_events", "reported_incidents", "precision", "recall", "f1", "oracle_recall",
           "loc_error_km_median", "loc_error_km_p90", "crlb_ratio_median",
           "attribution_accuracy", "runtime_s"}  # fmt: skip


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_simulate_import_fuse_evaluate(tmp_path: Path):
    sim = run_json("simulate", "--scenario", "smoke", "--seed", "3", "--out", str(tmp_path / "s"))
    db = f"sqlite:///{tmp_path / 'e.db'}"
    run_json("line", "import", str(demo_file(CONTROL_FILE)), "--db", db)
    imported = run_json("import", *sim["files"]["observations"], "--db", db)
    assert imported["rejected"] == 0 and imported["stored"] > 0
    run_json("fuse", "--db", db)
    metrics = run_json("evaluate", "--truth", sim["files"]["truth"], "--db", db)
    assert set(metrics) >= METRICS
    assert metrics["truth_events"] == sim["truth_events"]
    assert 0 < metrics["recall"] <= metrics["oracle_recall"] <= 1


def test_bad_scenario_is_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[nonsense]\nx = 1\n")
    result = runner.invoke(app, ["simulate", "--scenario", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 1 and "bad.toml" in result.stderr
    unknown = runner.invoke(app, ["simulate", "--scenario", "nope", "--out", str(tmp_path)])
    assert unknown.exit_code == 1

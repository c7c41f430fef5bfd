"""thermal baseline / classify and truce-effect through the command line (real data)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trucewatch.agreements import example_path
from trucewatch.app.demo import demo_file
from trucewatch.cli import app

runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_baseline_classify_and_truce_effect(tmp_path: Path, shared_data):
    history = shared_data("firms", "history")
    control = shared_data("control")
    baseline = tmp_path / "b.npz"
    built = run_json("thermal", "baseline", "--history", str(history), "--out", str(baseline))
    assert built["years"] and max(built["years"]) < 2022
    firms = demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv")
    out = run_json("thermal", "classify", str(firms), "--baseline", str(baseline),
                   "--control", str(control))  # fmt: skip
    assert out["detections"] == 1773
    ours, peer = out["methods"]["trucewatch"], out["methods"]["economist"]
    assert 0 < ours["war_related"] < out["detections"]
    assert ours["within_30km"] > out["all_detections"]["within_30km"]
    assert "war_related" in peer
    effect = run_json("truce-effect", "--agreement", str(example_path("christmas-truce-2023")),
                      "--before", "14", "--after", "7", "--baseline", str(baseline),
                      "--control", str(control))  # fmt: skip
    ratio = effect["overall"]["rate_ratio_during_before"]
    assert ratio["model"] and len(effect["days"]) == 14 + 2 + 7

"""A fresh clone without ``../shared``: every bundled scenario and every thermal command runs
on what the package ships (``demo_data/control``, ``demo_data/firms_history``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trucewatch.app.demo import demo_file
from trucewatch.cli import app
from trucewatch.sim.scenario import resolve_data_path
from trucewatch.sim.scenario_file import bundled_scenarios, load_scenario

runner = CliRunner()


@pytest.fixture
def no_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No shared data: $TRUCEWATCH_SHARED_DATA names an empty folder, the working
    directory has no ``../shared``."""
    empty = tmp_path / "empty"
    work = tmp_path / "work" / "clone"
    empty.mkdir()
    work.mkdir(parents=True)
    monkeypatch.setenv("TRUCEWATCH_SHARED_DATA", str(empty))
    monkeypatch.chdir(work)
    return work


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_finds_its_control_map_in_the_package(no_shared, name):
    scenario = load_scenario(name)
    path = resolve_data_path(scenario.line.control_file, f"bundled:{name}")
    assert path.is_file(), path
    assert "demo_data" in path.parts
    assert json.loads(path.read_text())["type"] in {"FeatureCollection", "Feature",
                                                     "MultiPolygon", "Polygon"}  # fmt: skip


def test_shared_paths_fail_with_one_line_when_shared_data_is_missing(no_shared, tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('[line]\ncontrol_file = "shared:control/nowhere.geojson"\n')
    result = runner.invoke(app, ["plan", "--scenario", str(scenario), "--json"])
    assert result.exit_code == 1
    assert "TRUCEWATCH_SHARED_DATA" in result.stderr
    assert "Traceback" not in result.output


def test_thermal_commands_run_on_shipped_data(no_shared: Path):
    built = run_json("thermal", "baseline", "--out", "b.npz")
    assert Path(built["history"]).name == "firms_history"
    assert built["years"] == [2012, 2013, 2016, 2018]
    assert built["industrial_fine_cells"] > 0  # the steelworks of Zaporizhzhia
    assert (no_shared / "b.npz").is_file()
    firms = demo_file("firms_viirs_noaa20_2025-08-12_to_14.csv")
    out = run_json("thermal", "classify", str(firms))
    assert out["detections"] == out["located"] == 1773
    assert 0 < out["methods"]["trucewatch"]["war_related"] < out["detections"]

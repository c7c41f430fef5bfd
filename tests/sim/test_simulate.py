"""Simulation: files in the import formats, reproducibility, truth content and its
separation from the store."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.geo.lookup import LineContext
from trucewatch.sim import evaluate, load_scenario, plan, run_simulation, simulate
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.scenario_file import scenario_to_toml
from trucewatch.sources import read_file, sniff_format
from trucewatch.store import Store

from .conftest import SEED

EXPECTED_FILES = {
    "observations.jsonl": "patrol",
    "acoustic.jsonl": "acoustic",
    "camera.jsonl": "camera",
    "firms.csv": "firms",
    "complaint.jsonl": "complaint",
}


def _truth(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "truth.jsonl").read_text().splitlines()]


def test_smoke_writes_every_file(smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = smoke_run
    assert summary["files"]["formats"] == EXPECTED_FILES
    for name in [*EXPECTED_FILES, "truth.jsonl", "scenario.toml"]:
        assert (folder / name).stat().st_size > 0, name
    assert summary["truth_events"] > 100
    assert summary["truth_events_by_phase"]["before"] > 0
    assert summary["truth_events_by_phase"]["during"] > 0
    assert 0.3 < summary["oracle_recall"] <= 1.0
    assert summary["observations"]["total"] == sum(
        v for k, v in summary["observations"].items() if k != "total"
    )


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED_FILES.items()))
def test_files_are_the_import_formats(
    smoke_run: tuple[Path, dict[str, Any]], name: str, fmt: str
) -> None:
    folder, summary = smoke_run
    path = folder / name
    assert sniff_format(path) == fmt
    result = read_file(path)
    assert result.errors == []
    assert len(result.observations) == summary["observations"][fmt]


def test_truth_links_are_the_imported_uids(smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = smoke_run
    uids = {o.uid for name in EXPECTED_FILES for o in read_file(folder / name).observations}
    linked = set()
    for rec in _truth(folder):
        for site in ("impact", "origin"):
            linked.update(rec[site]["observations"])
        assert rec["observed"] == bool(rec["impact"]["observations"]
                                       or rec["origin"]["observations"])  # fmt: skip
    assert linked <= uids
    false_alarms = sum(summary["false_alarms"].values())
    assert len(uids - linked) >= false_alarms > 0


def test_same_seed_same_bytes(tmp_path: Path, smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = smoke_run
    again = tmp_path / "again"
    simulate("smoke", SEED, again)
    for name in [*EXPECTED_FILES, "truth.jsonl", "scenario.toml"]:
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name


def test_other_seed_other_truth(tmp_path: Path, smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = smoke_run
    simulate("smoke", SEED + 1, tmp_path)
    assert (tmp_path / "truth.jsonl").read_bytes() != (folder / "truth.jsonl").read_bytes()


def test_resolved_scenario_reproduces_the_run(
    tmp_path: Path, smoke_run: tuple[Path, dict[str, Any]]
) -> None:
    folder, _ = smoke_run
    resolved = load_scenario(folder / "scenario.toml")
    assert resolved.name == "smoke"
    assert resolved.line.control_sha256
    simulate(resolved, SEED, tmp_path)
    for name in [*EXPECTED_FILES, "truth.jsonl"]:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_truth_geometry_and_weapons(smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = smoke_run
    truth = _truth(folder)
    s = load_scenario("smoke")
    run = run_simulation(s, SEED)
    ctx: LineContext = run.world.context
    o_lon = np.array([r["origin"]["lon"] for r in truth])
    o_lat = np.array([r["origin"]["lat"] for r in truth])
    i_lon = np.array([r["impact"]["lon"] for r in truth])
    i_lat = np.array([r["impact"]["lat"] for r in truth])
    origin_held = ctx.locate(o_lon, o_lat).held_by
    impact_held = ctx.locate(i_lon, i_lat).held_by
    party = np.array([r["party"] for r in truth], dtype=object)
    # rounding to 1e-5 degrees can move a point right at the line to the other side
    assert (origin_held == party).mean() > 0.99
    assert (impact_held != party).mean() > 0.99
    for r in truth:
        spec = s.violations.weapons[r["weapon"]]
        assert r["weapon"] in WEAPONS
        assert spec.range_km[0] * 0.99 <= r["range_km"] <= spec.range_km[1] * 1.01
        assert r["rounds"] >= 1
        assert r["during_truce"] == (r["phase"] == "during")


def test_truth_never_enters_the_store(
    tmp_path: Path, smoke_run: tuple[Path, dict[str, Any]]
) -> None:
    folder, summary = smoke_run
    db = tmp_path / "store.db"
    store = Store.open(f"sqlite:///{db}")
    try:
        s = load_scenario(folder / "scenario.toml")
        app_lines.import_line(store, s.control_path())
        files = [Path(p) for p in summary["files"]["observations"]]
        imported = app_intake.import_files(store, files)
        assert imported["stored"] == summary["observations"]["total"]
        app_incidents.fuse(store)
    finally:
        store.close()
    truth = _truth(folder)
    needles = {r["id"] for r in truth[:50]} | {"during_truce", "crlb_km", "truth.jsonl"}
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in con.execute(f"PRAGMA table_info('{table}')")]
            legitimate = ({"party"} if table in ("ledger_keys", "api_tokens", "alert_subscriptions")
                          else set())  # fmt: skip
            assert not ({"party", "during_truce", "truth_id"} - legitimate) & set(columns), table
            for row in con.execute(f"SELECT * FROM '{table}'"):
                text = " ".join(str(v) for v in row)
                for needle in needles:
                    assert needle not in text, (table, needle)
    finally:
        con.close()


def _without(section: str, key: str, value: object, days: float = 1.0) -> Scenario:
    """The smoke scenario over ``days`` with ``section.key = value``."""
    s = load_scenario("smoke")
    spec = dataclasses.replace(getattr(s, section), **{key: value})
    period = dataclasses.replace(s.period, days=days)
    return dataclasses.replace(s, **{section: spec}, period=period)


@pytest.mark.parametrize(
    ("section", "key", "value", "left_out"),
    [
        ("acoustic", "enabled", False, "acoustic.jsonl"),
        ("cameras", "count", 0, "camera.jsonl"),
        ("complaints", "enabled", False, "complaint.jsonl"),
        ("satellite", "enabled", False, "firms.csv"),
        ("patrols", "teams", 0, "observations.jsonl"),
    ],
)
def test_a_sensor_kind_left_out_writes_no_file(
    tmp_path: Path, section: str, key: str, value: object, left_out: str
) -> None:
    (tmp_path / left_out).write_text("from an earlier run\n")
    summary = simulate(_without(section, key, value), SEED, tmp_path)
    assert not (tmp_path / left_out).exists()
    fmt = EXPECTED_FILES[left_out]
    assert left_out not in summary["files"]["formats"]
    assert fmt not in summary["records"] and fmt not in summary["observations"]
    written = {p.name for p in tmp_path.iterdir()} - {"truth.jsonl", "scenario.toml"}
    assert written == set(summary["files"]["formats"])
    assert written, "the other sensors still report"
    for name in written:
        assert read_file(tmp_path / name).errors == [], name
    truth = _truth(tmp_path)
    assert truth and all(fmt not in rec[site]["sources"]
                         for rec in truth for site in ("impact", "origin"))  # fmt: skip
    assert evaluate([], tmp_path / "truth.jsonl")["truth_events"] == len(truth)


def test_a_scenario_file_without_acoustic_cameras_or_complaints(tmp_path: Path) -> None:
    s = _without("acoustic", "enabled", False, days=0.5)
    cameras = dataclasses.replace(s.cameras, count=0)
    complaints = dataclasses.replace(s.complaints, enabled=False)
    s = dataclasses.replace(s, cameras=cameras, complaints=complaints)
    path = tmp_path / "reduced.toml"
    path.write_text(scenario_to_toml(s), encoding="utf-8")
    summary = simulate(str(path), SEED, tmp_path / "run")
    assert set(summary["files"]["formats"]) <= {"observations.jsonl", "firms.csv"}
    assert summary["sensors"]["acoustic_arrays"] == summary["sensors"]["cameras"] == 0
    result = plan(path, SEED, out_dir=tmp_path / "plan", episodes=100, sweep=False)
    assert result["layout"]["acoustic_arrays"] == result["layout"]["cameras"] == 0
    assert result["layout"]["complaints"] is False
    assert 0.0 <= result["overall"]["p_detect"] <= 1.0
    assert Path(result["map"]).is_file()

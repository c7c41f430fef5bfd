"""A run drawn and written a chunk of days at a time (``period.chunk_days``, national)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from trucewatch import sources
from trucewatch.sim import load_scenario, simulate
from trucewatch.sim.scenario import ScenarioError
from trucewatch.sim.scenario_file import scenario_to_toml


def _chunked(days: float):
    s = load_scenario("smoke")
    return dataclasses.replace(s, period=dataclasses.replace(s.period, days=days,
                                                             chunk_days=1.0))  # fmt: skip


def test_a_chunked_run_writes_every_chunk_once_and_its_first_days_are_a_shorter_run(
        tmp_path: Path) -> None:  # fmt: skip
    two = simulate(_chunked(2.0), 3, tmp_path / "two")
    one = simulate(_chunked(1.0), 3, tmp_path / "one")
    assert two["chunks"] == {"days": 1.0, "count": 2}
    truth = [json.loads(x) for x in (tmp_path / "two" / "truth.jsonl").read_text().splitlines()]
    assert [t["id"] for t in truth] == [f"E{k + 1:07d}" for k in range(len(truth))]
    assert len(truth) == two["truth_events"] > one["truth_events"] > 0
    for name in ("acoustic.jsonl", "camera.jsonl"):
        first = (tmp_path / "one" / name).read_text()
        assert (tmp_path / "two" / name).read_text().startswith(first)
    obs = [o for f in two["files"]["observations"] for o in sources.read_file(Path(f)).observations]
    assert len(obs) == two["observations"]["total"]
    assert len({o.uid for o in obs}) == len(obs)
    assert not list((tmp_path / "two").glob(".*.partial"))
    assert "chunk_days = 1.0" in (tmp_path / "two" / "scenario.toml").read_text()


def test_scenarios_drawn_at_once_keep_their_resolved_file() -> None:
    assert "chunk_days" not in scenario_to_toml(load_scenario("standard"))
    assert load_scenario("national").period.chunk_days == 1.0


def test_field_models_cannot_be_chunked(tmp_path: Path) -> None:
    s = _chunked(1.0)
    s = dataclasses.replace(s, acoustic=dataclasses.replace(s.acoustic, outage_share=0.1))
    with pytest.raises(ScenarioError, match="chunk_days"):
        simulate(s, 0, tmp_path / "x")
    assert not list((tmp_path / "x").glob("*.jsonl"))

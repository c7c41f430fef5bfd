"""The parties' bias in their complaints: own fire blamed on the other side,
fabrications near real fighting, late and vague filing, count inflation, and the
complaints' ground truth. Statistics of what was simulated against the configured values;
defaults change nothing."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import binom

from trucewatch.sim import run_simulation, simulate
from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import load_scenario, scenario_from_dict
from trucewatch.sim.simulation import SimulationRun

SEED = 5


def _binomial_ok(k: int, n: int, p: float, alpha: float = 1e-4) -> bool:
    lo, hi = binom.ppf(alpha / 2, n, p), binom.ppf(1 - alpha / 2, n, p)
    return bool(lo <= k <= hi)


def _scenario(**complaints: Any) -> Scenario:
    s = load_scenario("smoke")
    s = dataclasses.replace(s, period=dataclasses.replace(s.period, days=4.0))
    base = dataclasses.replace(s.complaints, report_probability=0.5, false_per_day=40.0)
    return dataclasses.replace(s, complaints=dataclasses.replace(base, **complaints))


def _run(**complaints: Any) -> SimulationRun:
    return run_simulation(_scenario(**complaints), SEED)


@pytest.fixture(scope="module")
def base() -> SimulationRun:
    return _run()


def test_defaults_change_nothing(base: SimulationRun) -> None:
    keys = {"own_fire_blame_share": 0.0, "fabrication_near_fighting_share": 0.0,
            "filing_delay_median_h": 0.0, "time_vagueness_h": 0.0, "count_inflation": 1.0,
            "count_inflation_sigma": 0.0}  # fmt: skip
    same, det = _run(**keys).detections["complaint"], base.detections["complaint"]
    for k in ("xy", "end", "filed", "count", "complainant"):
        assert np.array_equal(same.extra[k], det.extra[k]), k
    assert np.array_equal(same.site, det.site) and np.array_equal(same.time, det.time)
    assert set(det.extra["status"]) == {"true", "fabricated"}


def test_keys_are_validated() -> None:
    for table, key in [({"own_fire_blame_share": 1.2}, "complaints.own_fire_blame_share"),
                       ({"fabrication_km": -1.0}, "complaints.fabrication_km"),
                       ({"count_inflation": 0.0}, "complaints.count_inflation")]:  # fmt: skip
        with pytest.raises(ScenarioError) as err:
            scenario_from_dict({"complaints": table})
        assert err.value.key == key


def test_own_fire_blamed_on_the_other_side(base: SimulationRun) -> None:
    run = _run(own_fire_blame_share=0.3)
    det, e = run.detections["complaint"], run.episodes
    real = det.site >= 0
    blamed = det.extra["status"] == "own_fire_blame"
    assert _binomial_ok(int(blamed.sum()), int(real.sum()), 0.3)
    ep = det.site[blamed] // 2
    assert np.all(det.site[blamed] % 2 == 1)  # at the firing position
    assert np.all(det.extra["complainant"][blamed] == e.party[ep])
    honest = real & ~blamed
    assert np.all(det.extra["complainant"][honest] == e.target[det.site[honest] // 2])
    assert np.array_equal(det.site // 2, base.detections["complaint"].site // 2)


def test_fabrications_near_fighting(base: SimulationRun) -> None:
    km, hours = 4.0, 6.0
    run = _run(fabrication_near_fighting_share=0.6, fabrication_km=km, fabrication_hours=hours)
    det, e, world = run.detections["complaint"], run.episodes, run.world
    false = det.site < 0
    near = det.extra["near_episode"]
    placed = near >= 0
    assert not (placed & ~false).any()
    mid = (det.time + det.extra["end"]) / 2
    recent = np.searchsorted(e.t_fire, mid, "right") > np.searchsorted(e.t_fire, mid - hours * 3600)
    assert (false & recent).sum() > 0.8 * false.sum()
    assert _binomial_ok(int(placed.sum()), int((false & recent).sum()), 0.6)
    k = near[placed]
    xy = det.extra["xy"][placed]
    party = det.extra["complainant"][placed]
    site = np.where((e.target[k] == party)[:, None], e.impact[k], e.origin[k])
    assert np.all(np.linalg.norm(xy - site, axis=1) <= km + 1e-9)
    assert np.all(world.held_by(xy) == party)
    middle = (det.time[placed] + det.extra["end"][placed]) / 2
    assert np.all((e.t_fire[k] <= middle) & (e.t_fire[k] >= middle - hours * 3600))
    anywhere = false & ~placed
    assert np.array_equal(det.extra["xy"][anywhere],
                          base.detections["complaint"].extra["xy"][anywhere])


def test_late_filing(base: SimulationRun) -> None:
    run = _run(filing_delay_median_h=10.0, filing_delay_sigma=1.0)
    det = run.detections["complaint"]
    delay_h = (det.extra["filed"] - det.extra["end"]) / 3600.0
    logs = np.log(delay_h)
    assert abs(np.median(delay_h) / 10.0 - 1) < 0.15
    assert abs(logs.std() - 1.0) < 0.1
    assert (delay_h > 48).mean() > 0.03  # some are days late


def test_vague_windows(base: SimulationRun) -> None:
    run = _run(time_vagueness_h=6.0)
    det, before = run.detections["complaint"], base.detections["complaint"]
    assert np.all(det.time <= before.time) and np.all(det.extra["end"] >= before.extra["end"])
    zone = run.scenario.zone
    for t in np.concatenate([det.time, det.extra["end"]])[:500]:
        local = datetime.fromtimestamp(float(t), zone)
        assert local.minute == 0 and local.second == 0 and local.hour % 6 == 0
    widened = (before.time - det.time) / 3600.0
    assert 2.0 < widened.mean() < 4.0  # uniform within a 6 h block: 3 h on average


def test_count_inflation(base: SimulationRun) -> None:
    run = _run(count_inflation=2.0, count_inflation_sigma=0.3)
    det, before = run.detections["complaint"], base.detections["complaint"]
    big = before.extra["count"] >= 20  # rounding aside
    ratio = np.log(det.extra["count"][big] / before.extra["count"][big])
    assert abs(np.median(ratio) - np.log(2.0)) < 0.05
    assert abs(ratio.std() - 0.3) < 0.05


def test_complaint_truth_file(tmp_path: Path) -> None:
    plain = simulate(_scenario(), SEED, tmp_path / "plain")
    assert not (tmp_path / "plain" / "complaint_truth.jsonl").exists()
    assert "beside" not in plain["files"]
    out = tmp_path / "biased"
    simulate(_scenario(own_fire_blame_share=0.3, fabrication_near_fighting_share=0.5),
             SEED, out)  # fmt: skip
    complaints = [json.loads(x) for x in (out / "complaint.jsonl").read_text().splitlines()]
    truth = [json.loads(x) for x in (out / "complaint_truth.jsonl").read_text().splitlines()]
    assert [t["complaint_id"] for t in truth] == [c["complaint_id"] for c in complaints]
    assert {t["status"] for t in truth} == {"true", "own_fire_blame", "fabricated"}
    episodes = {r["id"]: r for r in map(json.loads, (out / "truth.jsonl").read_text().splitlines())}
    for t, c in zip(truth, complaints, strict=True):
        if t["status"] == "fabricated":
            assert t["episode"] is None and t["site"] is None
            continue
        episode = episodes[t["episode"]]
        assert t["observation"] in episode[t["site"]]["observations"]
        blame = t["status"] == "own_fire_blame"
        assert t["site"] == ("origin" if blame else "impact")
        assert c["complainant"] == (episode["party"] if blame else episode["target"])
        assert c["accused"] != c["complainant"]
    assert any(t["near_episode"] for t in truth)

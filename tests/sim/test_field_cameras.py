"""Field error models of the cameras: heavy-tailed bearings, outages, night and fog,
wrong labels. Each test simulates a few days of a 150 km stretch with many cameras and
checks the statistics of what was simulated against the configured values; defaults
change nothing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import binom

from trucewatch.sim import run_simulation, simulate
from trucewatch.sim.camera_faults import CAMERA_KINDS, DAY_HOURS, fog_days
from trucewatch.sim.detections import Detections
from trucewatch.sim.outages import draw_outages
from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import load_scenario, scenario_from_dict, scenario_to_toml
from trucewatch.sim.simulation import SimulationRun
from trucewatch.sim.violations import local_hours

SEED = 3


def _binomial_ok(k: int, n: int, p: float, alpha: float = 1e-4) -> bool:
    """``k`` successes of ``n`` lie inside the two-sided ``1 - alpha`` interval of p."""
    lo, hi = binom.ppf(alpha / 2, n, p), binom.ppf(1 - alpha / 2, n, p)
    return bool(lo <= k <= hi)


def _scenario(**cameras: Any) -> Scenario:
    s = load_scenario("smoke")
    s = dataclasses.replace(s, period=dataclasses.replace(s.period, days=4.0))
    base = dataclasses.replace(s.cameras, count=100, placement="uniform", range_km=8.0)
    return dataclasses.replace(s, cameras=dataclasses.replace(base, **cameras))


def _run(**cameras: Any) -> SimulationRun:
    return run_simulation(_scenario(**cameras), SEED)


@pytest.fixture(scope="module")
def base() -> SimulationRun:
    return _run()


def _rows(det: Detections) -> set[tuple[int, int, float]]:
    """(site, camera, time) of each row."""
    rows = zip(det.site, det.sensor, det.time, strict=True)
    return {(int(a), int(b), float(t)) for a, b, t in rows}


def _is_night(run: SimulationRun, det: Detections) -> np.ndarray:
    hours = local_hours(run.scenario, det.time)
    return ~((hours >= DAY_HOURS[0]) & (hours < DAY_HOURS[1]))


def test_defaults_change_nothing(base: SimulationRun) -> None:
    keys = {"outlier_share": 0.0, "outage_share": 0.0, "thermal_share": 1.0,
            "night_blind": 0.0, "fog_days_share": {}, "signature_error": 0.0,
            "kind_error": 0.0}  # fmt: skip
    same = _run(**keys).detections["camera"]
    det = base.detections["camera"]
    assert np.array_equal(same.site, det.site)
    assert np.array_equal(same.extra["bearing_deg"], det.extra["bearing_deg"])
    assert "kind_label" not in same.extra
    assert len(base.layout.camera_outages) == 0 and base.layout.camera_thermal.all()


def test_field_keys_round_trip_and_are_validated() -> None:
    data = {"cameras": {"outlier_share": 0.1, "fog_days_share": {"winter": 0.3}}}
    s = scenario_from_dict(data)
    assert s.cameras.fog_days_share == {"winter": 0.3}
    toml = scenario_to_toml(s, pin=False)
    assert "outlier_share = 0.1" in toml and "[cameras.fog_days_share]" in toml
    bad = [({"outlier_share": 1.5}, "cameras.outlier_share"),
           ({"outlier_scale": 0.5}, "cameras.outlier_scale"),
           ({"outage_share": 1.0}, "cameras.outage_share"),
           ({"night_blind": 0.7}, "cameras.night_blind"),
           ({"fog_days_share": {"monsoon": 0.1}}, "cameras.fog_days_share"),
           ({"fog_days_share": {"winter": 2.0}}, "cameras.fog_days_share.winter")]  # fmt: skip
    for table, key in bad:
        with pytest.raises(ScenarioError) as err:
            scenario_from_dict({"cameras": table})
        assert err.value.key == key


def _bearing_errors(run: SimulationRun) -> np.ndarray:
    det = run.detections["camera"]
    real = det.site >= 0
    d = run.episodes.site_xy()[det.site[real]] - det.sensor_xy[real]
    true = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
    return (det.extra["bearing_deg"][real] - true + 180.0) % 360.0 - 180.0


def test_heavy_tailed_bearings(base: SimulationRun) -> None:
    share, scale, sigma = 0.2, 10.0, base.scenario.cameras.bearing_sigma_deg
    run = _run(outlier_share=share, outlier_scale=scale)
    assert _rows(run.detections["camera"]) == _rows(base.detections["camera"])
    err = _bearing_errors(run)
    wide = np.abs(err) > 4 * sigma
    p = share * 2 * 0.3446 + (1 - share) * 6.3e-5  # P(|N(0, 10 sigma)| > 4 sigma) = 0.689
    assert _binomial_ok(int(wide.sum()), err.size, p)
    assert np.all(run.detections["camera"].bearing_sigma_rad == np.radians(sigma))


def test_outage_spells_statistics() -> None:
    rng = np.random.default_rng(1)
    days, share, mean_h = 60.0, 0.2, 12.0
    out = draw_outages(200, 0.0, days * 86400.0, share, mean_h, 0.4, rng)
    down = out.downtime_s() / (200 * days * 86400.0)
    assert abs(down - share) < 0.02
    inner = (out.start > 0) & (out.end < days * 86400.0)
    lengths_h = (out.end - out.start)[inner] / 3600.0
    assert abs(lengths_h.mean() - mean_h) < 4 * mean_h / np.sqrt(inner.sum())
    assert _binomial_ok(int(out.reported.sum()), len(out), 0.4)
    t = rng.uniform(0.0, days * 86400.0, 20000)
    sensor = rng.integers(0, 200, 20000)
    assert abs(out.down(sensor, t).mean() - down) < 0.015


def test_outages_silence_cameras(base: SimulationRun, tmp_path: Path) -> None:
    run = _run(outage_share=0.3, outage_mean_h=6.0, outage_reported_share=0.5)
    det, outages = run.detections["camera"], run.layout.camera_outages
    assert not outages.down(det.sensor, det.time).any()
    before = base.detections["camera"]
    silenced = outages.down(before.sensor, before.time)
    assert _rows(det) == _rows(before.take(np.flatnonzero(~silenced)))
    assert 0.2 < silenced.mean() < 0.4
    summary = simulate(_scenario(outage_share=0.3, outage_mean_h=6.0), SEED, tmp_path)
    lines = (tmp_path / "outages.jsonl").read_text().splitlines()
    assert len(lines) == int(run.layout.camera_outages.reported.sum())
    first = json.loads(lines[0])
    assert first["format"] == "sensor_outage" and first["sensor_id"].startswith("sim-camera-")
    assert str(tmp_path / "outages.jsonl") in summary["files"]["beside"]
    assert "outages.jsonl" not in " ".join(summary["files"]["observations"])


def test_night_blind_cameras(base: SimulationRun) -> None:
    blind = _run(thermal_share=0.0, night_blind=0.0).detections["camera"]
    real = blind.site >= 0
    assert real.any() and not (_is_night(base, blind) & real).any()
    before = base.detections["camera"]
    by_day = before.take(np.flatnonzero((before.site >= 0) & ~_is_night(base, before)))
    assert {r for r in _rows(blind) if r[0] >= 0} == _rows(by_day)
    half = _run(thermal_share=0.5, night_blind=0.3)
    thermal = half.layout.camera_thermal
    assert _binomial_ok(int(thermal.sum()), thermal.size, 0.5)
    after = half.detections["camera"]
    cond = (before.site >= 0) & _is_night(base, before) & ~thermal[before.sensor]
    kept = _rows(before.take(np.flatnonzero(cond))) & _rows(after)
    assert cond.sum() > 100 and _binomial_ok(len(kept), int(cond.sum()), 0.3 / 0.6)


def test_fog_days_by_season_and_sector() -> None:
    s = _scenario(fog_days_share={"winter": 0.3, "summer": 0.05})
    winter = dataclasses.replace(s, period=dataclasses.replace(
        s.period, start=s.period.start.replace(month=1), days=300.0))  # fmt: skip
    midnights, foggy = fog_days(winter, 20, np.random.default_rng(0))
    assert foggy.shape == (midnights.size - 1, 20)
    months = [int(np.datetime64(int(t), "s").astype(object).month) for t in midnights[:-1] + 43200]
    jan_feb = np.isin(months, [1, 2])
    jul_aug = np.isin(months, [7, 8])
    assert _binomial_ok(int(foggy[jan_feb].sum()), int(jan_feb.sum()) * 20, 0.3)
    assert _binomial_ok(int(foggy[jul_aug].sum()), int(jul_aug.sum()) * 20, 0.05)
    assert not foggy[np.isin(months, [4, 5, 10, 11])].any()


def test_fog_thins_sightings(base: SimulationRun) -> None:
    every_day = {season: 1.0 for season in ("winter", "spring", "summer", "autumn")}
    foggy = _run(fog_days_share=every_day, fog_detect_probability=0.3).detections["camera"]
    before = base.detections["camera"]
    night = _is_night(base, before)
    for is_night, clear in ((False, 0.9), (True, 0.6)):
        cond = (before.site >= 0) & (night == is_night)
        kept = _rows(before.take(np.flatnonzero(cond))) & _rows(foggy)
        assert cond.sum() > 100 and _binomial_ok(len(kept), int(cond.sum()), 0.3 / clear)


def test_wrong_labels(base: SimulationRun, tmp_path: Path) -> None:
    run = _run(signature_error=0.2, kind_error=0.3)
    det = run.detections["camera"]
    assert _rows(det) == _rows(base.detections["camera"])
    real = det.site >= 0
    swapped = det.extra["impact"][real] != (det.site[real] % 2 == 0)
    assert _binomial_ok(int(swapped.sum()), int(real.sum()), 0.2)
    labels = det.extra["kind_label"]
    wrong = np.array([x is not None for x in labels])
    assert not wrong[~real].any()
    assert _binomial_ok(int(wrong.sum()), int(real.sum()), 0.3)
    right = np.where(det.extra["impact"], "explosion", "flash")
    assert all(labels[i] in CAMERA_KINDS and labels[i] != right[i] for i in np.flatnonzero(wrong))
    simulate(_scenario(kind_error=0.3), SEED, tmp_path)
    records = [json.loads(x) for x in (tmp_path / "camera.jsonl").read_text().splitlines()]
    kinds = {r["kind"] for r in records}
    assert kinds - {"explosion", "flash"} and kinds <= set(CAMERA_KINDS)

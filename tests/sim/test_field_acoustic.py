"""Field error models of the acoustic arrays: each model's statistics against its keys,
its own random stream (turning it on leaves the other rows as they were), and defaults
that change nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from trucewatch.sim import load_scenario, run_simulation, simulate
from trucewatch.sim.acoustic_field import AcousticField, RowKind, field_models_on
from trucewatch.sim.detections import Detections
from trucewatch.sim.field_files import ACOUSTIC_ARRAYS_FILE, FIELD_FILES, OUTAGES_FILE
from trucewatch.sim.outages import draw_outages
from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import scenario_from_dict
from trucewatch.sim.sensor_specs import AcousticSpec
from trucewatch.sim.simulation import SimulationRun

from .conftest import SEED

SMOKE_ACOUSTIC_SHA256 = "bf0495ba808088679ed9154ed0589b2de46d2278d9b099aed0c4e811b40a5ceb"
"""sha256 of the smoke scenario's ``acoustic.jsonl`` (seed 7) as simulated before the field
models existed."""
Z = 4.0
"""Half-width of the intervals, in standard errors."""


def _scenario(**acoustic: Any) -> Scenario:
    """Four days of the smoke stretch, arrays every 5 km, the violation rate of the first
    day kept through the truce; ``acoustic`` keys on top."""
    s = load_scenario("smoke")
    return dataclasses.replace(
        s,
        period=dataclasses.replace(s.period, days=4.0),
        violations=dataclasses.replace(s.violations, rate_during_per_day=200.0),
        acoustic=dataclasses.replace(s.acoustic, spacing_km=5.0, **acoustic),
    )


def _run(**acoustic: Any) -> tuple[SimulationRun, Detections]:
    run = run_simulation(_scenario(**acoustic), SEED)
    return run, run.detections["acoustic"]


def _kind(det: Detections, kind: RowKind) -> NDArray[np.int64]:
    return np.flatnonzero(det.extra["row_kind"] == kind)


def _grid_bearing(frm: NDArray, to: NDArray) -> NDArray[np.float64]:
    d = to - frm
    return np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0


def _wrap(deg: NDArray) -> NDArray[np.float64]:
    return (deg + 180.0) % 360.0 - 180.0


def _errors(run: SimulationRun, det: Detections,
            rows: NDArray[np.int64]) -> tuple[NDArray, NDArray]:  # fmt: skip
    """(arrival error s, bearing error degrees) of detection rows against the truth."""
    a = run.scenario.acoustic
    site_xy = run.episodes.site_xy()[det.site[rows]]
    start, _ = run.episodes.site_window()
    d = np.linalg.norm(site_xy - det.sensor_xy[rows], axis=1)
    t_err = det.time[rows] - (start[det.site[rows]] + d / (a.speed_of_sound_m_s / 1000.0))
    b_err = _wrap(det.extra["bearing_deg"][rows] - _grid_bearing(det.sensor_xy[rows], site_xy))
    return t_err, b_err


def _epoch(utc: str) -> float:
    return datetime.fromisoformat(utc.replace("Z", "+00:00")).timestamp()


def _within_binomial(k: int, n: int, p: float) -> bool:
    return abs(k - n * p) <= Z * np.sqrt(n * p * (1 - p)) + 1


def _row_keys(det: Detections, rows: NDArray[np.int64]) -> set[tuple]:
    return {(int(det.site[i]), int(det.sensor[i]), round(float(det.time[i]), 6),
             round(float(det.extra["bearing_deg"][i]), 6)) for i in rows}  # fmt: skip


# --------------------------------------------------------------------------- defaults


def test_defaults_switch_every_model_off() -> None:
    assert not field_models_on(AcousticSpec())
    assert AcousticSpec().outlier_share == 0.0
    _, det = _run()
    assert det.conditions is None
    assert set(np.unique(det.extra["row_kind"])) == {RowKind.DETECTION, RowKind.FALSE_ALARM}


def test_defaults_keep_the_smoke_files(smoke_run: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = smoke_run
    digest = hashlib.sha256((folder / "acoustic.jsonl").read_bytes()).hexdigest()
    assert digest == SMOKE_ACOUSTIC_SHA256
    assert not any((folder / name).exists() for name in FIELD_FILES)
    assert "field" not in summary["files"]


def test_keys_are_checked() -> None:
    for key, value in (("outage_share", 1.0), ("echo_share", 1.5), ("outlier_scale", 0.0),
                       ("echo_delay_s", [3.0, 1.0]), ("count_sigma", -0.1)):  # fmt: skip
        with pytest.raises(ScenarioError, match=f"acoustic.{key}"):
            scenario_from_dict({"acoustic": {key: value}})


# --------------------------------------------------------------------------- heavy tails


def test_heavy_tails_share_and_scale() -> None:
    share, scale = 0.1, 10.0
    run, det = _run(outlier_share=share, outlier_scale=scale)
    a = run.scenario.acoustic
    rows = _kind(det, RowKind.DETECTION)
    t_err, b_err = _errors(run, det, rows)
    # P(|e| > 4 sigma) of the contaminated normal
    p_tail = (1 - share) * 2 * stats.norm.sf(4.0) + share * 2 * stats.norm.sf(4.0 / scale)
    for err, sigma in ((t_err, a.timing_sigma_s), (b_err, a.bearing_sigma_deg)):
        assert _within_binomial(int((np.abs(err) > 4 * sigma).sum()), err.size, p_tail)
        core = err[np.abs(err) < 3 * sigma]
        assert abs(np.std(core) / sigma - 1.0) < 0.1  # the nominal part keeps its sigma
    # the errors are independent of the nominal draws: the same rows as the default run
    _, nominal = _run()
    assert np.array_equal(det.site, nominal.site)
    assert np.array_equal(det.sensor, nominal.sensor)


# --------------------------------------------------------------------------- biases


def test_array_biases_are_recovered() -> None:
    run, det = _run(bearing_bias_sigma_deg=3.0, clock_offset_sigma_s=1.0,
                    clock_drift_s_per_day=0.5)  # fmt: skip
    field = det.conditions
    assert isinstance(field, AcousticField)
    a = run.scenario.acoustic
    b = field.biases
    rows = _kind(det, RowKind.DETECTION)
    t_err, b_err = _errors(run, det, rows)
    days = (det.time[rows] - run.scenario.period.start.timestamp()) / 86400.0
    checked = 0
    for k in range(run.layout.acoustic_xy.shape[0]):
        mine = det.sensor[rows] == k
        n = int(mine.sum())
        if n < 20:
            continue
        checked += 1
        se_b = a.bearing_sigma_deg / np.sqrt(n)
        assert abs(b_err[mine].mean() - b.bearing_bias_deg[k]) < Z * se_b
        slope, intercept = np.polyfit(days[mine], t_err[mine], 1)
        assert abs(intercept - b.clock_offset_s[k]) < 0.2
        assert abs(slope - b.clock_drift_s_per_day[k]) < 0.15
    assert checked >= 20
    # the biases themselves are N(0, sigma): sample sd within its chi-square interval
    n_arr = b.bearing_bias_deg.size
    lo, hi = (np.sqrt(stats.chi2.ppf(q, n_arr) / n_arr) for q in (0.0005, 0.9995))
    for values, sigma in ((b.bearing_bias_deg, 3.0), (b.clock_offset_s, 1.0),
                          (b.clock_drift_s_per_day, 0.5)):  # fmt: skip
        assert lo < np.sqrt(np.mean(values**2)) / sigma < hi


# --------------------------------------------------------------------------- echoes


def test_echoes_share_delay_and_angle() -> None:
    share = 0.2
    _, det = _run(echo_share=share, echo_delay_s=(1.0, 6.0), echo_angle_deg=(30.0, 90.0))
    _, nominal = _run()
    primary, echoes = _kind(det, RowKind.DETECTION), _kind(det, RowKind.ECHO)
    assert _within_binomial(echoes.size, primary.size, share)
    assert _row_keys(det, primary) == _row_keys(nominal, _kind(nominal, RowKind.DETECTION))
    first = {(int(det.site[i]), int(det.sensor[i])): i for i in primary}
    pairs = np.array([first[(int(det.site[i]), int(det.sensor[i]))] for i in echoes])
    delay = det.time[echoes] - det.time[pairs]
    angle = np.abs(_wrap(det.extra["bearing_deg"][echoes] - det.extra["bearing_deg"][pairs]))
    assert delay.min() >= 1.0 - 1e-9 and delay.max() <= 6.0 + 1e-9
    assert angle.min() >= 30.0 - 1e-6 and angle.max() <= 90.0 + 1e-6
    assert np.isnan(det.bearing_sigma_rad[echoes]).all()  # no information for the bound


# --------------------------------------------------------------------------- own fire


def test_own_fire_false_bearings_point_at_own_positions() -> None:
    rate, reach = 5.0, 10.0
    run, det = _run(own_fire_false_per_day=rate, own_fire_km=reach)
    e, lay, a = run.episodes, run.layout, run.scenario.acoustic
    origins = e.site_xy()[1::2]
    eligible = []
    for k, xy in enumerate(lay.acoustic_xy):
        near = np.linalg.norm(origins - xy, axis=1) <= reach
        eligible.append(bool((near & (e.party == lay.acoustic_side[k])).any()))
    rows = _kind(det, RowKind.OWN_FIRE)
    expected = rate * run.scenario.period.days * sum(eligible)
    assert abs(rows.size - expected) <= Z * np.sqrt(expected)
    assert all(eligible[k] for k in det.sensor[rows])
    assert (det.site[rows] == -1).all() and not det.extra["impact"][rows].any()  # launches
    for i in rows:
        k = det.sensor[i]
        near = np.linalg.norm(origins - lay.acoustic_xy[k], axis=1) <= reach
        own = origins[(e.party == lay.acoustic_side[k]) & near]
        toward = _grid_bearing(np.repeat(lay.acoustic_xy[k][None], len(own), 0), own)
        assert np.abs(_wrap(toward - det.extra["bearing_deg"][i])).min() < Z * a.bearing_sigma_deg
    # own fire sounds like real fire from there: rounds and burst lengths of its episodes,
    # so a burst of several rounds lasts (no zero-length multi-round giveaway)
    counts, durations = det.extra["count"][rows], det.extra["duration_s"][rows]
    assert set(durations.tolist()) <= set(e.duration_s.tolist())
    assert set(counts.tolist()) <= set(e.rounds.tolist())
    assert (durations[counts > 1] > 0).all()


# --------------------------------------------------------------------------- outages


def test_outage_share_and_reported_share() -> None:
    share, mean_h, reported = 0.15, 8.0, 0.4
    rng = np.random.default_rng(5)
    t1 = 90 * 86400.0
    out = draw_outages(200, 0.0, t1, share, mean_h, reported, rng)
    fraction = out.down_seconds(200, 0.0, t1) / t1
    assert abs(fraction.mean() - share) < Z * fraction.std(ddof=1) / np.sqrt(fraction.size)
    assert _within_binomial(int(out.reported.sum()), len(out), reported)
    inner = (out.start > 0) & (out.end < t1)  # spells not cut by the window
    lengths = (out.end - out.start)[inner] / 3600.0
    assert abs(lengths.mean() - mean_h) < Z * mean_h / np.sqrt(lengths.size)


def test_arrays_are_silent_during_outages(tmp_path: Path) -> None:
    s = dataclasses.replace(_scenario(outage_share=0.25, outage_mean_h=6.0,
                                      outage_reported_share=0.5),
                            period=dataclasses.replace(_scenario().period, days=2.0))  # fmt: skip
    summary = simulate(s, SEED, tmp_path)
    assert set(summary["files"]["field"]) == {ACOUSTIC_ARRAYS_FILE, OUTAGES_FILE}
    arrays = [json.loads(x) for x in (tmp_path / ACOUSTIC_ARRAYS_FILE).read_text().splitlines()]
    spells = {(r["sensor_id"], o["start_utc"], o["end_utc"], o["reported"])
              for r in arrays for o in r["outages"]}  # fmt: skip
    assert any(not rep for *_, rep in spells) and any(rep for *_, rep in spells)
    records = [json.loads(x) for x in (tmp_path / "acoustic.jsonl").read_text().splitlines()]
    for sensor, start, end, _ in spells:  # (times in the files are to the second)
        a, b = _epoch(start) + 1.0, _epoch(end) - 1.0
        assert not [r for r in records
                    if r["sensor_id"] == sensor and a <= _epoch(r["arrival_utc"]) < b]
    reported = [json.loads(x) for x in (tmp_path / OUTAGES_FILE).read_text().splitlines()]
    assert {(r["sensor_id"], r["start_utc"], r["end_utc"]) for r in reported} == {
        (sensor, start, end) for sensor, start, end, rep in spells if rep}
    # silence is the only change: the other rows are those of the run without outages
    on = run_simulation(s, SEED).detections["acoustic"]
    off = run_simulation(dataclasses.replace(s, acoustic=dataclasses.replace(
        s.acoustic, outage_share=0.0)), SEED).detections["acoustic"]  # fmt: skip
    assert isinstance(on.conditions, AcousticField)
    down = on.conditions.outages.down(off.sensor, off.time)
    assert down.any()
    everything = np.arange(len(off))
    assert _row_keys(on, np.arange(len(on))) == _row_keys(off, everything[~down])


# --------------------------------------------------------------------------- labels


def test_wrong_labels_and_counts() -> None:
    p, sigma = 0.1, 0.3
    _, det = _run(signature_error=p, count_sigma=sigma)
    _, nominal = _run()
    sound = np.flatnonzero(det.extra["row_kind"] != RowKind.FALSE_ALARM)
    assert np.array_equal(det.site, nominal.site)
    flipped = det.extra["impact"][sound] != nominal.extra["impact"][sound]
    assert _within_binomial(int(flipped.sum()), sound.size, p)
    rounds = nominal.extra["count"][sound]
    many = rounds >= 30  # rounding matters little
    log_ratio = np.log(det.extra["count"][sound][many] / rounds[many])
    n = int(many.sum())
    lo, hi = (np.sqrt(stats.chi2.ppf(q, n - 1) / (n - 1)) for q in (0.0005, 0.9995))
    assert lo < np.std(log_ratio, ddof=1) / sigma < hi
    assert abs(log_ratio.mean()) < Z * sigma / np.sqrt(n)


def test_records_state_the_nominal_sigmas(tmp_path: Path) -> None:
    s = dataclasses.replace(_scenario(outlier_share=0.2, bearing_bias_sigma_deg=2.0,
                                      echo_share=0.2, signature_error=0.1),
                            period=dataclasses.replace(_scenario().period, days=1.0))  # fmt: skip
    simulate(s, SEED, tmp_path)
    records = [json.loads(x) for x in (tmp_path / "acoustic.jsonl").read_text().splitlines()]
    assert {r["time_sigma_s"] for r in records} == {s.acoustic.timing_sigma_s}
    assert {r["bearing_sigma_deg"] for r in records} == {s.acoustic.bearing_sigma_deg}
    assert {r["speed_of_sound_m_s"] for r in records} == {s.acoustic.speed_of_sound_m_s}

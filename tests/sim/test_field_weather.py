"""Weather per day (``[weather]``): the seasonal temperature and its anomalies, the wind,
and the true speed, reach and apparent direction of sound at the acoustic arrays."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trucewatch.geo.projection import grid_convergence_deg
from trucewatch.sim import load_scenario, run_simulation, simulate
from trucewatch.sim.acoustic_field import AcousticField, RowKind
from trucewatch.sim.field_files import WEATHER_FILE
from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import scenario_from_dict
from trucewatch.sim.sensor_specs import WeatherSpec
from trucewatch.sim.weather import draw_weather
from trucewatch.sim.world import to_lonlat_arrays

from .conftest import SEED

Z = 4.0
"""Half-width of the intervals, in standard errors."""


def _scenario(days: float = 3.0, acoustic: dict[str, Any] | None = None,
              **weather: Any) -> Scenario:  # fmt: skip
    s = load_scenario("smoke")
    return dataclasses.replace(
        s,
        period=dataclasses.replace(s.period, days=days),
        acoustic=dataclasses.replace(s.acoustic, spacing_km=5.0, **(acoustic or {})),
        weather=dataclasses.replace(s.weather, enabled=True, **weather),
    )


def test_off_by_default() -> None:
    assert not WeatherSpec().enabled
    s = load_scenario("smoke")
    assert draw_weather(s, np.random.default_rng(0)) is None
    assert run_simulation(s, SEED).detections["acoustic"].conditions is None


def test_keys_are_checked() -> None:
    for key, value in (("temperature_persistence", 1.0), ("wind_speed_mean_m_s", -1.0),
                       ("warmest_day_of_year", 400.0)):  # fmt: skip
        with pytest.raises(ScenarioError, match=f"weather.{key}"):
            scenario_from_dict({"weather": {key: value}})


def test_temperature_and_wind_statistics() -> None:
    spec = WeatherSpec(enabled=True)
    s = _scenario(days=3 * 365.0)
    w = draw_weather(s, np.random.default_rng(11))
    assert w is not None
    n = w.temperature_c.size
    doy = np.array([d.timetuple().tm_yday for d in w.dates], dtype=float)
    phase = 2 * np.pi * doy / 365.25
    design = np.column_stack([np.ones(n), np.cos(phase), np.sin(phase)])
    (mean, c, si), *_ = np.linalg.lstsq(design, w.temperature_c, rcond=None)
    rho, sigma = spec.temperature_persistence, spec.temperature_sigma_c
    se_mean = sigma * np.sqrt((1 + rho) / (1 - rho) / n)
    assert abs(mean - spec.temperature_mean_c) < Z * se_mean
    assert abs(np.hypot(c, si) - spec.temperature_amplitude_c) < Z * se_mean * np.sqrt(2)
    warmest = (np.degrees(np.arctan2(si, c)) % 360.0) * 365.25 / 360.0
    assert abs(warmest - spec.warmest_day_of_year) < 10.0
    anomaly = w.temperature_c - design @ np.array([mean, c, si])
    assert abs(anomaly.std() / sigma - 1.0) < 0.15
    assert abs(np.corrcoef(anomaly[:-1], anomaly[1:])[0, 1] - rho) < 0.1
    speed_sd = spec.wind_speed_mean_m_s * np.sqrt(4 / np.pi - 1)  # Rayleigh
    assert abs(w.wind_speed_m_s.mean() - spec.wind_speed_mean_m_s) < Z * speed_sd / np.sqrt(n)
    off = (w.wind_from_deg - spec.wind_from_deg + 180.0) % 360.0 - 180.0
    assert abs(np.mean(off)) < Z * spec.wind_direction_sigma_deg / np.sqrt(n)


def test_speed_of_sound_follows_the_weather(tmp_path: Path) -> None:
    """Nearly noiseless arrays: every arrival gives the speed 331.3 sqrt(1 + T / 273.15) plus
    the wind along the path, and the bearing points at the source moved downwind; the
    records keep the nominal 340 m/s."""
    s = _scenario(acoustic={"timing_sigma_s": 1e-4, "bearing_sigma_deg": 1e-4},
                  wind_speed_mean_m_s=8.0)  # fmt: skip
    summary = simulate(s, SEED, tmp_path)
    days = [json.loads(x) for x in (tmp_path / WEATHER_FILE).read_text().splitlines()]
    assert summary["files"]["field"][WEATHER_FILE] == str(tmp_path / WEATHER_FILE)
    records = [json.loads(x) for x in (tmp_path / "acoustic.jsonl").read_text().splitlines()]
    assert {r["speed_of_sound_m_s"] for r in records} == {340.0}
    run = run_simulation(s, SEED)
    det = run.detections["acoustic"]
    rows = np.flatnonzero(det.extra["row_kind"] == RowKind.DETECTION)
    site_xy = run.episodes.site_xy()[det.site[rows]]
    start, _ = run.episodes.site_window()
    emitted = start[det.site[rows]]
    day = ((emitted - s.period.start.timestamp()) // 86400).astype(int)
    temperature = np.array([d["temperature_c"] for d in days])[day]
    wind = np.array([d["wind_speed_m_s"] for d in days])[day]
    blows_to = np.array([d["wind_from_deg"] for d in days])[day] + 180.0
    sxy = det.sensor_xy[rows]
    to_grid = np.radians(blows_to - grid_convergence_deg(*to_lonlat_arrays(sxy)))
    wind_xy = wind[:, None] * np.column_stack([np.sin(to_grid), np.cos(to_grid)])
    path = sxy - site_xy
    d_km = np.linalg.norm(path, axis=1)
    along = np.einsum("ij,ij->i", wind_xy, path / d_km[:, None])
    expected = 331.3 * np.sqrt(1 + temperature / 273.15) + along
    travel = det.time[rows] - emitted
    # within the timing noise (1e-4 s) and the rounding of the weather file
    assert np.abs(travel - d_km * 1000.0 / expected).max() < Z * 1e-4 + 1e-4
    far = d_km > 3.0
    assert np.abs(d_km[far] * 1000.0 / travel[far] - expected[far]).max() < 0.05  # m/s
    assert np.abs(d_km[far] * 1000.0 / travel[far] - 340.0).max() > 3.0  # not the nominal
    seen_from = site_xy + wind_xy / 1000.0 * (det.time[rows] - emitted)[:, None]
    d = seen_from - sxy
    bearing = np.degrees(np.arctan2(d[:, 0], d[:, 1])) % 360.0
    off = (det.extra["bearing_deg"][rows] - bearing + 180.0) % 360.0 - 180.0
    assert np.abs(off).max() < 0.01


def test_reach_follows_wind_and_heat() -> None:
    """Detections stay within the weather's range and reach past the nominal one only
    where the factor is above 1 (downwind or cool)."""
    s = _scenario(wind_speed_mean_m_s=10.0, range_per_wind_m_s=0.05)
    run = run_simulation(s, SEED)
    det = run.detections["acoustic"]
    field = det.conditions
    assert isinstance(field, AcousticField) and field.weather is not None
    rows = np.flatnonzero(det.extra["row_kind"] == RowKind.DETECTION)
    site = det.site[rows]
    site_xy = run.episodes.site_xy()[site]
    start, _ = run.episodes.site_window()
    w, spec = field.weather, s.weather
    day = w.day_of(start[site])
    blows_to = np.radians(w.wind_from_deg[day] + 180.0
                          - field.convergence_deg[det.sensor[rows]])  # fmt: skip
    wind_xy = w.wind_speed_m_s[day][:, None] * np.column_stack([np.sin(blows_to),
                                                               np.cos(blows_to)])  # fmt: skip
    path = det.sensor_xy[rows] - site_xy
    d_km = np.linalg.norm(path, axis=1)
    along = np.einsum("ij,ij->i", wind_xy, path / d_km[:, None])
    factor = np.exp(spec.range_per_wind_m_s * along
                    - spec.range_per_degree_c * (w.temperature_c[day] - spec.range_reference_c))
    nominal = s.acoustic.range_factor * np.array(
        [s.violations.weapons[name].audible_km for name in (
            "small_arms", "mortar", "artillery", "mlrs", "drone")]
        + [0.0])[np.where(site % 2 == 0, run.episodes.weapon[site // 2], -1)]  # fmt: skip
    launch = site % 2 == 1
    nominal[launch] = s.acoustic.range_factor * np.array(
        [s.violations.weapons[name].launch_audible_km for name in (
            "small_arms", "mortar", "artillery", "mlrs", "drone")]
    )[run.episodes.weapon[site[launch] // 2]]  # fmt: skip
    assert (d_km <= nominal * factor + 1e-9).all()
    beyond = d_km > nominal
    assert beyond.sum() > 10 and (factor[beyond] > 1.0).all()
    downwind = along > 5.0
    upwind = along < -5.0
    assert np.median(d_km[downwind] / nominal[downwind]) > np.median(d_km[upwind] / nominal[upwind])

"""Field models of the satellite: fitted unrelated fires, detection by FRP, cloud field.

Each test simulates (or draws) with one model on and checks the statistics of what was
simulated against the configured or fitted values; the defaults change nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from trucewatch.app.demo import CONTROL_FILE
from trucewatch.sim import simulate
from trucewatch.sim.clouds import CloudField
from trucewatch.sim.fires import BAND_KM, detection_curve, fire_fit, pixel_frp
from trucewatch.sim.scenario import ScenarioError
from trucewatch.sim.scenario_file import load_scenario, scenario_from_dict
from trucewatch.sim.sensor_specs import SatelliteSpec
from trucewatch.sim.simulation import run_simulation

SMOKE_FIRMS_SHA256 = "f0a6249be5d43444e38c883e01ec20ba06f0e2026639e726f7cd5cea8941285e"
"""sha256 of firms.csv of ``simulate("smoke", 0)`` before the field models (main@e676804),
on the line of contact alone (``line.whole_front = false``)."""
SMOKE_FRONT_FIRMS_SHA256 = "0f2c46384034a84b07371192ad708d618ef4f9a0e39546956bd39363ac5cb2a6"
"""The same on the whole front (the default since 2026-12-02): the stretch simulated is
the same, but clouds are drawn per sector of the whole line, which has more sectors."""


def _scenario(month: int, days: float, **satellite: object):
    """150 km of the bundled line, few violations, the satellite keys given."""
    start = datetime.fromisoformat(f"2025-{month:02d}-01T00:00:00+03:00")
    return scenario_from_dict({
        "line": {"control_file": f"package:demo_data/{CONTROL_FILE}",
                 "along_km": [300.0, 450.0]},
        "period": {"start": start, "days": days},
        "truce": {"start": start + timedelta(days=days), "end": start + timedelta(days=40)},
        "violations": {"rate_before_per_day": 5.0, "rate_after_per_day": 5.0, "hotspots": 2},
        "patrols": {"teams": 0}, "acoustic": {"enabled": False}, "cameras": {"count": 0},
        "complaints": {"enabled": False},
        "satellite": satellite,
    })  # fmt: skip


def test_defaults_give_the_same_bytes(tmp_path: Path) -> None:
    smoke = load_scenario("smoke")
    contact_only = dataclasses.replace(smoke, line=dataclasses.replace(smoke.line,
                                                                       whole_front=False))
    simulate(contact_only, 0, tmp_path / "contact")
    digest = hashlib.sha256((tmp_path / "contact" / "firms.csv").read_bytes()).hexdigest()
    assert digest == SMOKE_FIRMS_SHA256
    simulate("smoke", 0, tmp_path / "front")
    digest = hashlib.sha256((tmp_path / "front" / "firms.csv").read_bytes()).hexdigest()
    assert digest == SMOKE_FRONT_FIRMS_SHA256
    assert SatelliteSpec().background_fires == "flat"
    assert SatelliteSpec().detection == "flat" and SatelliteSpec().clouds == "sectors"


def test_satellite_models_leave_other_sensors_alone() -> None:
    s = load_scenario("smoke")
    on = dataclasses.replace(s, satellite=dataclasses.replace(
        s.satellite, background_fires="fitted", detection="frp", clouds="field"))  # fmt: skip
    a, b = run_simulation(s, 3), run_simulation(on, 3)
    for source in ("patrol", "acoustic", "camera", "complaint"):
        assert np.array_equal(a.detections[source].time, b.detections[source].time)


@pytest.mark.parametrize(("month", "clouds"), [(4, "sectors"), (7, "sectors"), (8, "field")])
def test_unrelated_fire_rate_by_month_matches_the_fitted_table(month: int, clouds: str) -> None:
    days = 30.0
    s = _scenario(month, days, background_fires="fitted", detection="frp", clouds=clouds)
    run = run_simulation(s, 11)
    det = run.detections["satellite"]
    n = int(det.extra["false_alarm"].sum())
    area = (run.world.span[1] - run.world.span[0]) * 2 * BAND_KM
    rate = n / area / days
    fit = fire_fit()
    lo, hi = fit.interval[0][month - 1], fit.interval[1][month - 1]
    assert lo <= rate <= hi, (rate, lo, hi)
    if clouds == "sectors":  # independent sectors: a 30-day rate close to the table's
        assert rate == pytest.approx(fit.rate_per_km2_per_day[month - 1], rel=0.35)
    # events, not single pixels: detections come in groups of adjacent pixels
    xy = det.extra["xy"][det.extra["false_alarm"]]
    t = det.time[det.extra["false_alarm"]]
    d = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    same_pass = t[:, None] == t[None, :]
    neighbour = ((d < 1.2) & same_pass).sum(axis=1) - 1
    assert (neighbour > 0).mean() > 0.2


def test_detected_share_rises_with_frp() -> None:
    fit = fire_fit()
    rng = np.random.default_rng(5)
    frp = pixel_frp(fit, fit.frp_levels(rng, 200_000), rng)
    p = detection_curve(frp, 1.0, 2.5, 0.8)
    seen = rng.random(frp.size) < p
    edges = np.array([0.1, 0.3, 1.0, 3.0, 10.0, 1000.0])
    share = []
    for a, b in itertools.pairwise(edges):
        m = (frp >= a) & (frp < b)
        share.append(seen[m].mean())
        expected = p[m].mean()
        half = 4 * np.sqrt(expected * (1 - expected) / m.sum())
        assert abs(seen[m].mean() - expected) <= half
    assert np.all(np.diff(share) > 0)
    # the detected pixels have the FRP of the real detections (median 3.7 MW in Aug 2025)
    assert np.median(frp[seen]) == pytest.approx(fit.raw["frp"]["detected_median_mw"], rel=0.3)


def test_records_carry_the_fire_frp() -> None:
    s = _scenario(8, 3.0, detection="frp", cloud_cover=0.0, fire_duration_h=[6.0, 12.0])
    s = dataclasses.replace(
        s, violations=dataclasses.replace(s.violations, rate_before_per_day=300.0)
    )
    det = run_simulation(s, 2).detections["satellite"]
    war = ~det.extra["false_alarm"]
    assert war.sum() > 10
    assert np.median(det.extra["frp"][war]) > 1.0  # small fires are missed


def _field(months: list[int], passes_per_month: int, corr: float, rho: float) -> CloudField:
    t = np.concatenate([
        datetime(2025, m, 1).timestamp() + np.arange(passes_per_month) * 43200.0
        for m in months])  # fmt: skip
    s = _scenario(1, 1.0, clouds="field", cloud_corr_km=corr, cloud_persistence=rho)
    return CloudField(s, np.zeros(2), np.full(2, 800.0), t, np.random.default_rng(9))


def _both_cloudy(f: float, rho: float) -> float:
    q = stats.norm.ppf(1 - f)
    return float(stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([-q, -q]))


def test_cloud_fraction_per_month() -> None:
    field = _field([1, 8], 30, 40.0, 0.6)
    cloudy = field.latent > stats.norm.ppf(1 - field.fraction)[:, None, None]
    jan, aug = cloudy[:30].mean(), cloudy[30:].mean()
    assert jan == pytest.approx(0.76, abs=0.06)
    assert aug == pytest.approx(0.38, abs=0.06)


def test_cloud_field_is_correlated_in_space_and_time() -> None:
    corr, rho = 40.0, 0.6
    field = _field([8], 60, corr, rho)
    f = field.fraction[0]
    c = field.latent > stats.norm.ppf(1 - f)
    lag = round(corr / 2 / field.cell_km)
    r = lag * field.cell_km
    both_space = (c[:, :, :-lag] & c[:, :, lag:]).mean()
    assert both_space == pytest.approx(_both_cloudy(f, np.exp(-((r / corr) ** 2))), abs=0.04)
    both_time = (c[:-1] & c[1:]).mean()
    assert both_time == pytest.approx(_both_cloudy(f, rho), abs=0.04)
    far = round(4 * corr / field.cell_km)
    assert (c[:, :, :-far] & c[:, :, far:]).mean() == pytest.approx(f * f, abs=0.04)


def test_satellite_keys_are_validated() -> None:
    with pytest.raises(ScenarioError, match=r"satellite\.clouds"):
        scenario_from_dict({"satellite": {"clouds": "fog"}})
    with pytest.raises(ScenarioError, match=r"satellite\.cloud_fraction_by_month"):
        scenario_from_dict({"satellite": {"cloud_fraction_by_month": [0.5] * 11}})
    with pytest.raises(ScenarioError, match=r"satellite\.cloud_persistence"):
        scenario_from_dict({"satellite": {"cloud_persistence": 1.0}})

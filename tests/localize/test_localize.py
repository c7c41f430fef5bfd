"""Localization against cases with known answers, including degenerate geometry.

Each case places a source, computes what sensors would measure of it exactly (geodesic
bearings with pyproj, arrival times from geodesic distances), and checks the joint solver
(:mod:`trucewatch.localize.solve`): where it puts the source, and that its covariance is
the Cramér-Rao bound of the geometry (:mod:`trucewatch.sim.crlb`) or, when the geometry
cannot fix the source, an honest long ellipse instead of a precise point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from pyproj import Geod

from trucewatch.geo.projection import to_local_km, to_lonlat
from trucewatch.localize.measurements import extract
from trucewatch.localize.solve import solve
from trucewatch.sim.crlb import accumulate_information, bound_covariance
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Observation,
    PointLocation,
    SourceKind,
)

GEOD = Geod(ellps="WGS84")
T0 = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)
SPEED = 340.0
SOURCE = (37.80, 48.10)


def _sensor(uid: str, at: tuple[float, float], source: tuple[float, float] = SOURCE, *,
            kind: SourceKind = SourceKind.CAMERA, bearing: bool = True, sigma_deg: float = 1.5,
            range_km: float = 20.0, timed: bool = False, time_sigma_s: float = 0.1,
            distance: tuple[float, float] | None = None) -> Observation:  # fmt: skip
    """A sensor at ``at`` reporting the source exactly (bearing and/or arrival time)."""
    az, _, dist_m = GEOD.inv(at[0], at[1], source[0], source[1])
    attributes: dict = {"bearing_sigma_deg": sigma_deg, "range_max_km": range_km}
    if timed:
        arrival = T0 + timedelta(seconds=dist_m / SPEED)
        attributes.update(arrival_utc=arrival.isoformat(), time_sigma_s=time_sigma_s,
                          speed_of_sound_m_s=SPEED)  # fmt: skip
    d_min, d_max = (0.0, range_km) if distance is None else distance
    return Observation(
        uid=uid, source_kind=kind, source_format=kind.value, source_id=uid,
        time_start=T0, time_end=T0 + timedelta(seconds=60),
        location=BearingRangeLocation(
            observer=PointLocation.isotropic(at[0], at[1], 0.01),
            bearings_deg=(az % 360.0,) if bearing else (),
            bearing_halfwidth_deg=float(np.sqrt(3.0) * sigma_deg) if bearing else 180.0,
            distance_km_min=d_min, distance_km_max=d_max,
        ),
        kind=EventKind.EXPLOSION, reliability="B", credibility=2, attributes=attributes,
    )


def _offset(bearing_deg: float, km: float, frm: tuple[float, float] = SOURCE
            ) -> tuple[float, float]:  # fmt: skip
    lon, lat, _ = GEOD.fwd(frm[0], frm[1], bearing_deg, km * 1000.0)
    return float(lon), float(lat)


def _solve_one(observations: list[Observation]):
    m = extract(observations)
    rows = np.flatnonzero(m.ok)
    label = np.zeros(rows.size, dtype=np.int64)
    info = np.linalg.inv(m.cov[rows])
    total = info.sum(axis=0)
    init = np.linalg.solve(total, np.einsum("nij,nj->i", info, m.mean_xy[rows]))
    sol = solve(m, rows, label, 1, init[None, :])
    lon, lat = to_lonlat(sol.xy[:, 0], sol.xy[:, 1])
    _, _, err_m = GEOD.inv(SOURCE[0], SOURCE[1], float(lon[0]), float(lat[0]))
    return sol, err_m / 1000.0, m


def _true_xy() -> np.ndarray:
    x, y = to_local_km(SOURCE[0], SOURCE[1])
    return np.array([float(x), float(y)])


def test_two_crossing_bearings_meet_at_the_source_with_the_crlb_as_covariance():
    a, b = _offset(270.0, 4.0), _offset(180.0, 3.0)
    sol, err_km, m = _solve_one([_sensor("a", a), _sensor("b", b)])
    assert err_km < 0.005
    assert not sol.used_prior[0]
    # the covariance is the Cramér-Rao bound of the same geometry
    info = accumulate_information(
        1, np.zeros(2, dtype=np.int64), _true_xy()[None, :], m.observer_xy,
        bearing_sigma_rad=m.bearing_sigma_rad, range_sigma_km=np.full(2, np.nan),
        toa_sigma_s=np.full(2, np.nan), point_sigma_km=np.full(2, np.nan),
        obs_sigma_km=m.observer_sigma_km,
    )
    bound = bound_covariance(info)[0]
    np.testing.assert_allclose(sol.cov[0], bound, rtol=0.02, atol=1e-6)


def test_geodesic_correct_far_from_the_projection_centre_at_100_km_scale():
    # sources and observers ~450 km east of the plane's origin, bearings over 60-80 km
    far = (38.40, 49.60)
    a, b = _offset(250.0, 80.0, far), _offset(150.0, 60.0, far)
    obs = [_sensor("a", a, far, sigma_deg=0.5, range_km=150.0),
           _sensor("b", b, far, sigma_deg=0.5, range_km=150.0)]  # fmt: skip
    m = extract(obs)
    rows = np.arange(2)
    sol = solve(m, rows, np.zeros(2, dtype=np.int64), 1, m.mean_xy.mean(axis=0)[None, :])
    lon, lat = to_lonlat(sol.xy[:, 0], sol.xy[:, 1])
    _, _, err_m = GEOD.inv(far[0], far[1], float(lon[0]), float(lat[0]))
    assert err_m < 20.0  # exact bearings: only the solver's tolerance remains


def test_one_observer_one_bearing_is_a_long_ellipse_not_a_point():
    at = _offset(200.0, 6.0)
    sol, _, m = _solve_one([_sensor("a", at, kind=SourceKind.ACOUSTIC, sigma_deg=3.0,
                                    range_km=16.0)])  # fmt: skip
    assert sol.used_prior[0]
    w, v = np.linalg.eigh(sol.cov[0])
    assert np.sqrt(w[1]) > 2.0  # kilometres of doubt along the bearing
    assert np.sqrt(w[0]) < 1.0  # but a narrow one across it
    d = sol.xy[0] - m.observer_xy[0]
    along = abs(float(np.dot(v[:, 1], d / np.linalg.norm(d))))
    assert along > 0.99  # the long axis points along the line of sight
    assert 0.3 * 16.0 < np.linalg.norm(d) < 0.7 * 16.0  # centred mid-range, not at the edge


def test_parallel_bearings_do_not_invent_a_crossing():
    # two observers 1 km apart east-west, both looking due north: the lines never meet
    left, right = _offset(180.0, 8.0, _offset(270.0, 0.5)), _offset(180.0, 8.0, _offset(90.0, 0.5))
    obs = [_sensor("l", left, _offset(0.0, 8.0, left), kind=SourceKind.ACOUSTIC, sigma_deg=2.0,
                   range_km=15.0),
           _sensor("r", right, _offset(0.0, 8.0, right), kind=SourceKind.ACOUSTIC, sigma_deg=2.0,
                   range_km=15.0)]  # fmt: skip
    m = extract(obs)
    sol = solve(m, np.arange(2), np.zeros(2, dtype=np.int64), 1, m.mean_xy.mean(axis=0)[None, :])
    assert sol.used_prior[0]
    assert np.isfinite(sol.cov[0]).all()
    assert np.sqrt(np.linalg.eigvalsh(sol.cov[0])[1]) > 2.0


def test_three_timed_arrays_locate_by_time_differences_alone():
    arrays = [_offset(0.0, 6.0), _offset(120.0, 7.0), _offset(240.0, 5.0)]
    obs = [_sensor(f"t{k}", at, kind=SourceKind.ACOUSTIC, bearing=False, timed=True,
                   range_km=15.0) for k, at in enumerate(arrays)]  # fmt: skip
    sol, err_km, _ = _solve_one(obs)
    assert err_km < 0.05
    assert np.isfinite(sol.t0[0])
    assert abs(sol.t0[0] - T0.timestamp()) < 0.2


def test_tdoa_and_bearings_beat_bearings_alone():
    arrays = [_offset(300.0, 7.0), _offset(60.0, 8.0)]
    bearings = [_sensor(f"b{k}", at, kind=SourceKind.ACOUSTIC, sigma_deg=3.0, range_km=15.0)
                for k, at in enumerate(arrays)]  # fmt: skip
    timed = [_sensor(f"b{k}", at, kind=SourceKind.ACOUSTIC, sigma_deg=3.0, range_km=15.0,
                     timed=True) for k, at in enumerate(arrays)]  # fmt: skip
    sol_b, _, _ = _solve_one(bearings)
    sol_t, err_t, _ = _solve_one(timed)
    assert err_t < 0.01
    assert np.trace(sol_t.cov[0]) < 0.5 * np.trace(sol_b.cov[0])


def test_collinear_timed_arrays_with_bearings_resolve_the_mirror_image():
    # three arrays on one east-west line: time differences alone cannot tell north of the
    # line from south of it; their bearings can
    arrays = [_offset(200.0, 6.0), (0.0, 0.0), (0.0, 0.0)]
    base = arrays[0]
    arrays = [base, _offset(90.0, 5.0, base), _offset(90.0, 10.0, base)]
    obs = [_sensor(f"c{k}", at, kind=SourceKind.ACOUSTIC, sigma_deg=3.0, range_km=20.0,
                   timed=True) for k, at in enumerate(arrays)]  # fmt: skip
    _sol, err_km, _ = _solve_one(obs)
    assert err_km < 0.02


def test_collinear_timed_arrays_without_bearings_state_their_doubt():
    base = _offset(180.0, 3.0)
    arrays = [base, _offset(90.0, 4.0, base), _offset(270.0, 4.0, base)]
    obs = [_sensor(f"c{k}", at, kind=SourceKind.ACOUSTIC, bearing=False, timed=True,
                   range_km=15.0) for k, at in enumerate(arrays)]  # fmt: skip
    sol, _, _m = _solve_one(obs)
    # the source and its mirror image across the line of arrays fit equally well: the
    # result is centred on the line, with an ellipse that covers both
    _bx, by = to_local_km(base[0], base[1])
    assert abs(sol.xy[0][1] - float(by)) < 0.3  # the line runs east-west through base
    for point in (_true_xy(), 2 * sol.xy[0] - _true_xy()):
        d = point - sol.xy[0]
        assert float(d @ np.linalg.solve(sol.cov[0], d)) < 2.0


def test_patrol_bearing_and_distance_by_ear():
    at = _offset(135.0, 5.0)
    obs = [_sensor("p", at, kind=SourceKind.PATROL, sigma_deg=15.0, distance=(3.5, 6.5))]
    sol, err_km, _ = _solve_one(obs)
    assert not sol.used_prior[0]  # the distance fixes the range
    assert err_km < 0.2  # exact bearing, distance mid-range
    w = np.linalg.eigvalsh(sol.cov[0])
    assert np.sqrt(w[1]) > 1.0  # a 15-degree bearing at 5 km is a wide ellipse


def test_satellite_pixel_is_taken_as_it_is():
    pixel = Observation(
        uid="px", source_kind=SourceKind.SATELLITE_THERMAL, source_format="firms",
        source_id="FIRMS VIIRS N20", time_start=T0, time_end=T0,
        location=PointLocation.isotropic(SOURCE[0], SOURCE[1], 0.15),
        kind=EventKind.THERMAL_ANOMALY, reliability="B", credibility=3,
    )
    sol, err_km, _ = _solve_one([pixel])
    assert err_km < 1e-3
    np.testing.assert_allclose(sol.cov[0], np.eye(2) * 0.15**2, rtol=1e-6)


@pytest.mark.parametrize("sigma_deg", [0.5, 2.0, 5.0])
def test_noisy_bearings_median_error_near_the_bound(sigma_deg):
    """Monte Carlo: over noisy draws of three bearings the median error is within 20% of
    the bound's median (the solver is efficient, not just exact on clean data)."""
    from trucewatch.sim.crlb import median_error_bound

    rng = np.random.default_rng(7)
    observers = [_offset(250.0, 5.0), _offset(170.0, 4.0), _offset(40.0, 6.0)]
    errors, bound = [], None
    for _ in range(200):
        obs = []
        for k, at in enumerate(observers):
            o = _sensor(f"n{k}", at, sigma_deg=sigma_deg)
            loc = o.location
            assert isinstance(loc, BearingRangeLocation)
            noisy = (loc.bearings_deg[0] + rng.normal(0.0, sigma_deg)) % 360.0
            obs.append(Observation(
                uid=o.uid, source_kind=o.source_kind, source_format=o.source_format,
                source_id=o.source_id, time_start=o.time_start, time_end=o.time_end,
                location=BearingRangeLocation(observer=loc.observer, bearings_deg=(noisy,),
                                              bearing_halfwidth_deg=loc.bearing_halfwidth_deg,
                                              distance_km_min=0.0, distance_km_max=20.0),
                kind=o.kind, attributes=o.attributes))  # fmt: skip
        _sol, err_km, m = _solve_one(obs)
        errors.append(err_km)
        if bound is None:
            info = accumulate_information(
                1, np.zeros(3, dtype=np.int64), _true_xy()[None, :], m.observer_xy,
                bearing_sigma_rad=m.bearing_sigma_rad, range_sigma_km=np.full(3, np.nan),
                toa_sigma_s=np.full(3, np.nan), point_sigma_km=np.full(3, np.nan),
                obs_sigma_km=m.observer_sigma_km,
            )
            bound = float(median_error_bound(bound_covariance(info))[0])
    assert bound is not None
    assert np.median(errors) / bound < 1.2

"""Cramér-Rao bounds for geometries whose answer is known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trucewatch.sim import crlb

NAN = math.nan


def _info(sensors: list[tuple[float, float]], **noise: float) -> np.ndarray:
    n = len(sensors)
    cols = {k: np.full(n, noise.get(k, NAN)) for k in
            ("bearing_sigma_rad", "range_sigma_km", "toa_sigma_s", "point_sigma_km")}  # fmt: skip
    return crlb.accumulate_information(
        1, np.zeros(n, dtype=np.int64), np.zeros((1, 2)), np.array(sensors, dtype=float),
        obs_sigma_km=np.zeros(n), speed_km_s=0.34, **cols,
    )  # fmt: skip


def test_two_perpendicular_bearings() -> None:
    sigma = math.radians(1.0)
    cov = crlb.bound_covariance(_info([(-10.0, 0.0), (0.0, -10.0)], bearing_sigma_rad=sigma))
    s = 10.0 * sigma
    np.testing.assert_allclose(cov[0], np.diag([s * s, s * s]), rtol=1e-9, atol=1e-15)
    assert crlb.rms_error_bound(cov)[0] == pytest.approx(math.sqrt(2) * s)
    assert crlb.median_error_bound(cov)[0] == pytest.approx(math.sqrt(2 * math.log(2)) * s,
                                                             rel=1e-4)  # fmt: skip


def test_one_bearing_alone_has_no_finite_bound() -> None:
    cov = crlb.bound_covariance(_info([(-10.0, 0.0)], bearing_sigma_rad=0.01))
    assert np.isinf(cov).all()
    assert np.isinf(crlb.median_error_bound(cov)[0])
    assert crlb.probability_within(cov, 1.0)[0] == 0.0


def test_bearing_and_range_from_one_observer() -> None:
    sigma_b, sigma_r = math.radians(10.0), 2.0
    cov = crlb.bound_covariance(
        _info([(0.0, -10.0)], bearing_sigma_rad=sigma_b, range_sigma_km=sigma_r)
    )
    # observer due south: range along y, bearing across (x)
    np.testing.assert_allclose(cov[0], np.diag([(10 * sigma_b) ** 2, sigma_r**2]), rtol=1e-9)


def test_tdoa_four_symmetric_arrays() -> None:
    sigma_t, c, r = 0.1, 0.34, 10.0
    sensors = [(r, 0.0), (-r, 0.0), (0.0, r), (0.0, -r)]
    cov = crlb.bound_covariance(_info(sensors, toa_sigma_s=sigma_t))
    expected = (c * sigma_t) ** 2 / 2.0
    np.testing.assert_allclose(cov[0], np.diag([expected, expected]), rtol=1e-9)


def test_single_arrival_time_adds_nothing() -> None:
    info = _info([(5.0, 0.0)], toa_sigma_s=0.1) + _info([(-10.0, 0.0)], bearing_sigma_rad=0.01)
    assert np.isinf(crlb.bound_covariance(info)).all()


def test_point_measurements_average() -> None:
    cov = crlb.bound_covariance(_info([(NAN, NAN)] * 4, point_sigma_km=0.2))
    np.testing.assert_allclose(cov[0], np.eye(2) * 0.04 / 4)


def test_probability_within_matches_rayleigh() -> None:
    cov = np.array([np.eye(2) * 4.0])
    r = np.array([1.0, 2.0, 5.0])
    expected = 1 - np.exp(-(r**2) / 8.0)
    got = [crlb.probability_within(cov, x)[0] for x in r]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("ratio", [1.0, 0.3, 0.05, 1e-12])
def test_median_against_monte_carlo(ratio: float) -> None:
    cov = np.array([[[4.0, 0.0], [0.0, 4.0 * ratio]]])
    z = np.random.default_rng(0).standard_normal((400_000, 2))
    expected = np.median(np.hypot(2.0 * z[:, 0], 2.0 * np.sqrt(ratio) * z[:, 1]))
    assert crlb.median_error_bound(cov)[0] == pytest.approx(expected, rel=5e-3)

"""The one 95% ellipse computation (trucewatch.types.ellipse_axes) behind Ellipse and the
report's map."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trucewatch.types import Ellipse, PointLocation, ellipse_axes, ellipse_scale

RNG = np.random.default_rng(7)
COVS = np.stack([(lambda a: a @ a.T)(RNG.normal(size=(2, 2))) for _ in range(40)])


def test_scale_of_the_95_percent_ellipse() -> None:
    assert ellipse_scale() == pytest.approx(math.sqrt(5.991464547107979), rel=1e-12)


def test_axes_of_many_equal_those_of_each() -> None:
    semi, vecs = ellipse_axes(COVS)
    assert semi.shape == (40, 2) and vecs.shape == (40, 2, 2)
    for k, cov in enumerate(COVS):
        ell = Ellipse.from_cov(cov)
        assert (ell.semi_minor_km, ell.semi_major_km) == (semi[k, 0], semi[k, 1])


@pytest.mark.parametrize(
    ("cov", "orientation"),
    [
        (((4.0, 0.0), (0.0, 1.0)), 90.0),  # longer east-west
        (((1.0, 0.0), (0.0, 4.0)), 0.0),  # longer north-south
        (((1.0, 0.0), (0.0, 1.0)), 0.0),  # a circle: north by convention
        (((2.0, 1.0), (1.0, 2.0)), 45.0),  # north-east
    ],
)
def test_orientation_is_clockwise_from_north(
    cov: tuple[tuple[float, float], tuple[float, float]], orientation: float
) -> None:
    ell = PointLocation(lon=37.5, lat=48.0, cov_km2=cov).ellipse()
    assert ell.orientation_deg == pytest.approx(orientation)
    assert ell.semi_major_km >= ell.semi_minor_km
    assert ell.confidence == 0.95


def test_semi_axes_of_a_circle() -> None:
    ell = PointLocation.isotropic(37.5, 48.0, 2.0).ellipse()
    assert ell.semi_major_km == pytest.approx(2.0 * ellipse_scale())
    assert ell.semi_minor_km == pytest.approx(ell.semi_major_km)

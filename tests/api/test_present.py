"""The closed-form 95% ellipse of the incident list equals the core's (numpy) one."""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.api.present import ellipse95
from trucewatch.types import Ellipse

RNG = np.random.default_rng(1)
COVS = [
    np.array([[1.0, 0.0], [0.0, 1.0]]),
    np.array([[4.0, 0.0], [0.0, 1.0]]),
    np.array([[1.0, 0.0], [0.0, 4.0]]),
    np.array([[2.0, 0.7], [0.7, 1.0]]),
    np.array([[1.0, -0.9], [-0.9, 1.0]]),
    np.zeros((2, 2)),
    *[(lambda a: a @ a.T)(RNG.normal(size=(2, 2))) for _ in range(50)],
]


@pytest.mark.parametrize("cov", COVS)
def test_ellipse95_matches_core(cov: np.ndarray) -> None:
    core = Ellipse.from_cov(cov, 0.95)
    fast = ellipse95(cov[0, 0], cov[0, 1], cov[1, 1])
    assert fast["semi_major_km"] == pytest.approx(core.semi_major_km, abs=1e-9)
    assert fast["semi_minor_km"] == pytest.approx(core.semi_minor_km, abs=1e-9)
    if core.semi_major_km - core.semi_minor_km > 1e-6:
        diff = abs(core.orientation_deg - (fast["orientation_deg"] or 0.0)) % 180.0
        assert min(diff, 180.0 - diff) < 1e-6


def test_ellipse95_missing() -> None:
    assert ellipse95(float("nan"), 0.0, 1.0)["semi_major_km"] is None

"""The published thresholds, branch by branch, on constructed cell-days.

A constant normal rate of 0.01 detections per cell-day and Poisson: one detection has
probability 0.00995 (< 5 %), so every detection is anomalous; with a rate of 1.0 a
single detection is not (0.63) and four are (0.019).
"""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.thermal.economist import EconomistParams, economist_classify

POISSON = EconomistParams(distribution="poisson")


def run(cells, days, rate=0.01, params=POISSON):
    def expected_of(c, d):
        return np.full(np.shape(c), rate, dtype=float)

    def k_of(r):
        return np.full(np.shape(r), 1.0)

    return economist_classify(np.array(cells, dtype=np.int64), np.array(days, dtype=np.int64),
                              expected_of, k_of, params)  # fmt: skip


def test_two_occasions_seven_days_apart_qualify_both() -> None:
    r = run([5, 5], [100, 107])
    assert r.anomalous.tolist() == [True, True]
    assert r.qualified.tolist() == [True, True]
    assert r.war.tolist() == [True, True]
    assert r.qualified_cells == 1


def test_six_days_apart_do_not_qualify() -> None:
    r = run([5, 5], [100, 106])
    assert r.anomalous.all()
    assert not r.war.any()


def test_single_occasion_does_not_qualify() -> None:
    r = run([5, 5, 5], [100, 100, 100])
    assert r.anomalous.all() and not r.war.any()


def test_follow_on_fires_less_than_ten_days_after() -> None:
    # cell 5 qualifies on day 107 (anomalous days 100 and 107); a fire in a busy cell
    # is not anomalous on its own, so give cell 5 a rate of 1.0 after day 107 via cells:
    # same cell, later days, counts of one under a high rate are not anomalous
    def expected_of(c, d):
        return np.where(d > 107, 1.0, 0.01)

    def k_of(r):
        return np.ones_like(r)

    cells = np.array([5, 5, 5, 5, 5], dtype=np.int64)
    days = np.array([100, 107, 112, 116, 117], dtype=np.int64)
    r = economist_classify(cells, days, expected_of, k_of, POISSON)
    assert r.anomalous.tolist() == [True, True, False, False, False]
    assert r.follow.tolist() == [False, False, True, True, False]  # 5 and 9 days after; not 10
    assert r.war.tolist() == [True, True, True, True, False]


def test_no_follow_on_before_the_cell_has_qualified() -> None:
    def expected_of(c, d):
        return np.where(d == 103, 1.0, 0.01)

    def k_of(r):
        return np.ones_like(r)

    r = economist_classify(np.array([5, 5, 5]), np.array([100, 103, 107]), expected_of, k_of,
                           POISSON)  # fmt: skip
    # day 103 follows an anomaly (100) but the cell had not yet met both requirements
    assert r.war.tolist() == [True, False, True]


def test_count_threshold_under_a_busy_rate() -> None:
    r = run([5] * 4 + [5], [100] * 4 + [120], rate=1.0)
    assert r.anomalous.tolist() == [True] * 4 + [False]
    assert r.p_value[0] == pytest.approx(0.01899, abs=1e-4)
    assert not r.war.any()  # only one anomalous occasion


def test_cells_are_independent_and_outside_grid_is_never_war() -> None:
    r = run([5, 6, -1, -1], [100, 107, 100, 107])
    assert not r.war.any()
    assert np.isnan(r.p_value[2])


def test_max_separation_option() -> None:
    p = EconomistParams(distribution="poisson", max_separation_days=30)
    assert not run([5, 5], [100, 140], params=p).war.any()
    assert run([5, 5], [100, 140]).war.all()

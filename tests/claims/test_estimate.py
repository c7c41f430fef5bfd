"""Multiple systems estimation: intervals that cover, dependence absorbed by interaction
terms, false alarms weighted by confidence, and the refusals."""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.claims.estimate import (
    Estimate,
    either_reading,
    estimate_total,
    poisson_fit,
    unseen_interval,
)

NAMES = ("a", "b", "c", "d")


def _seen(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    h = rng.random((n, len(p))) < p
    return h[h.any(axis=1)]


def test_independent_lists_intervals_cover_the_truth() -> None:
    rng = np.random.default_rng(5)
    inside = []
    for _ in range(60):
        e = estimate_total(_seen(rng, 80, np.array([0.5, 0.3, 0.2, 0.4])), NAMES)
        assert e.status == "ok" and e.low is not None and e.high is not None
        assert e.low <= e.total <= e.high  # type: ignore[operator]
        inside.append(e.low <= 80 <= e.high)
    assert 0.75 <= np.mean(inside) <= 1.0


def test_interaction_term_absorbs_positive_dependence() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    loud = rng.random(n) < 0.5  # two lists hear only the loud events, together
    h = np.column_stack([loud & (rng.random(n) < 0.8), loud & (rng.random(n) < 0.8),
                         rng.random(n) < 0.3, rng.random(n) < 0.3])
    e = estimate_total(h[h.any(axis=1)], NAMES)
    assert e.status == "ok" and "a*b" in e.model
    assert abs(e.total - n) / n < 0.1  # type: ignore[operator]


def test_too_few_sources_and_too_little_overlap() -> None:
    one_list = np.array([[True, False, False, False]] * 20)
    assert estimate_total(one_list, NAMES).status == "too_few_sources"
    assert estimate_total(np.zeros((0, 4), dtype=bool), NAMES).status == "too_few_sources"
    disjoint = np.array([[True, False, False, False]] * 10 + [[False, True, False, False]] * 10)
    e = estimate_total(disjoint, NAMES)
    assert e.status == "too_dependent" and e.total is None and e.reason


def test_intervals_cover_at_about_the_nominal_rate_small_and_large() -> None:
    """A known N drawn 150 times: the 90% interval covers it 84-97% of the time, also for
    a dozen events (where Chao's log-normal interval, which never reaches down to the
    count seen, covered 76%)."""
    p = np.array([0.5, 0.3, 0.2, 0.4])
    for n, seed in ((12, 7), (60, 8)):
        rng = np.random.default_rng(seed)
        inside = []
        for _ in range(150):
            e = estimate_total(_seen(rng, n, p), NAMES)
            if e.status == "ok":
                inside.append(e.low <= n <= e.high)  # type: ignore[operator]
        assert len(inside) >= 140
        assert 0.84 <= np.mean(inside) <= 0.97, (n, np.mean(inside))


def test_false_alarms_weighted_by_confidence() -> None:
    """Single-list records are real with probability 0.6 (40% false alarms), records of
    two lists or more are real: weighted by that probability the interval covers the true
    N; counted as captures, the false alarms pass for events the other lists missed."""
    rng = np.random.default_rng(3)
    n = 60
    weighted, counted = [], []
    for _ in range(120):
        h = _seen(rng, n, np.array([0.5, 0.4, 0.3, 0.3]))
        single = h.sum(axis=1) == 1
        n_false = rng.poisson(single.sum() * 0.4 / 0.6)
        false = np.zeros((n_false, 4), dtype=bool)
        false[np.arange(n_false), rng.integers(0, 4, n_false)] = True
        records = np.vstack([h, false])
        w = np.concatenate([np.where(single, 0.6, 1.0), np.full(n_false, 0.6)])
        e = estimate_total(records, NAMES, weights=w)
        assert e.status == "ok" and e.seen is not None
        assert abs(e.seen - w.sum()) < 1e-9 and e.observed == len(records)
        weighted.append(e.low <= n <= e.high)  # type: ignore[operator]
        e = estimate_total(records, NAMES)
        counted.append(e.status == "ok" and e.low <= n <= e.high)  # type: ignore[operator]
    assert np.mean(weighted) >= 0.8
    assert np.mean(counted) <= 0.2


def test_a_record_of_weight_zero_changes_nothing() -> None:
    rng = np.random.default_rng(4)
    h = _seen(rng, 80, np.array([0.5, 0.3, 0.2, 0.4]))
    plain = estimate_total(h, NAMES)
    extra = np.vstack([h, [[True, False, False, False]] * 5])
    zero = estimate_total(extra, NAMES, weights=np.r_[np.ones(len(h)), np.zeros(5)])
    assert zero.total == pytest.approx(plain.total) and zero.high == pytest.approx(plain.high)
    assert estimate_total(extra, NAMES).total > plain.total  # type: ignore[operator]


def test_poisson_fit_is_the_glm_maximum_likelihood() -> None:
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    rng = np.random.default_rng(9)
    x = np.column_stack([np.ones(15), rng.integers(0, 2, (15, 4)).astype(float)])
    y = rng.poisson(np.exp(x @ np.array([1.5, 0.3, -0.4, 0.2, 0.5]))).astype(float)
    fit = poisson_fit(x, y)
    assert fit is not None
    beta, cov, llf, chi2 = fit
    ref = GLM(y, x, family=Poisson()).fit()
    assert np.allclose(beta, ref.params, atol=1e-6)
    assert np.allclose(np.sqrt(np.diag(cov)), ref.bse, atol=1e-6)
    assert llf == pytest.approx(ref.llf) and chi2 == pytest.approx(ref.pearson_chi2)


def test_unseen_interval_is_that_of_a_count() -> None:
    from scipy.stats import poisson

    # no model uncertainty: the Poisson quantiles themselves
    assert unseen_interval(20.0, 0.0) == (poisson.ppf(0.05, 20.0), poisson.ppf(0.95, 20.0))
    # few unseen: none unseen is inside
    assert unseen_interval(1.5, 1.0)[0] == 0.0
    # model uncertainty widens it
    lo, hi = unseen_interval(20.0, 100.0)
    assert lo < poisson.ppf(0.05, 20.0) and hi > poisson.ppf(0.95, 20.0)


def test_either_reading_is_the_union() -> None:
    a = Estimate(status="ok", observed=30, lists=NAMES, total=50.0, low=40.0, high=70.0)
    b = Estimate(status="ok", observed=28, lists=NAMES, total=40.0, low=33.0, high=55.0)
    e = either_reading(a, b, "b")
    assert (e.total, e.low, e.high, e.observed) == (45.0, 33.0, 70.0, 30)
    refused = Estimate(status="too_dependent", observed=30, lists=NAMES)
    assert either_reading(a, refused) == a and either_reading(refused, b) == refused

"""Multiple systems estimation: intervals that cover, dependence absorbed by interaction
terms, and the refusals."""

from __future__ import annotations

import numpy as np

from trucewatch.claims.estimate import estimate_total

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

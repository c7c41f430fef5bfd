"""Field measurement errors any sensor model can use: heavy-tailed mixtures, miscounts
and wrong labels.

A record states one nominal sigma; in the field most errors are near it and a few are far
larger (multipath, a missed first impulse, a gust). :func:`heavy_tailed` turns nominal
N(0, sigma) errors into a *contaminated normal*: with probability ``share`` an error is
drawn instead from N(0, (``scale`` sigma)²). Each helper draws only from the stream it is
given and draws nothing when its model is off (share, sigma or probability 0).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["heavy_tailed", "miscounted", "mislabelled"]


def heavy_tailed(rng: np.random.Generator, nominal: NDArray[np.float64], sigma: float,
                 share: float, scale: float
                 ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:  # fmt: skip
    """``nominal`` errors (drawn from N(0, sigma), any unit) with a share ``share`` of
    them replaced by draws from N(0, (scale sigma)²); returns (errors, replaced). With
    ``share`` 0 the errors are returned unchanged and nothing is drawn."""
    n = nominal.size
    if share <= 0 or n == 0:
        return nominal, np.zeros(n, dtype=bool)
    wide = rng.random(n) < share
    errors = nominal.copy()
    errors[wide] = rng.normal(0.0, scale * sigma, int(wide.sum()))
    return errors, wide


def miscounted(rng: np.random.Generator, counts: NDArray[np.int64],
               sigma: float) -> NDArray[np.int64]:  # fmt: skip
    """Counts with a multiplicative log-normal error (sd of ln ``sigma``), rounded, at
    least 1; unchanged (and nothing drawn) when ``sigma`` is 0."""
    if sigma <= 0 or counts.size == 0:
        return counts
    noisy = np.rint(counts * np.exp(rng.normal(0.0, sigma, counts.size)))
    return np.maximum(1, noisy).astype(np.int64)


def mislabelled(rng: np.random.Generator, labels: NDArray[np.bool_],
                probability: float) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:  # fmt: skip
    """Two-way labels (e.g. impact versus launch) each flipped with ``probability``;
    returns (labels, flipped). Unchanged (and nothing drawn) when ``probability`` is 0."""
    n = labels.size
    if probability <= 0 or n == 0:
        return labels, np.zeros(n, dtype=bool)
    flipped = rng.random(n) < probability
    return labels ^ flipped, flipped

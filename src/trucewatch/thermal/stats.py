"""Count distributions used by the thermal module (vectorized).

Negative binomial with mean ``m`` and size ``k``: ``P(N = n) = Gamma(n + k) / (Gamma(k) n!)
(k / (k + m))**k (m / (k + m))**n``, variance ``m + m**2 / k``; Poisson is the limit
``k -> inf``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

__all__ = ["nb_logpmf", "nb_sf", "poisson_sf"]


def nb_logpmf(n: ArrayLike, mean: ArrayLike, k: ArrayLike) -> NDArray[np.float64]:
    """Log probability of ``n`` under NB(mean, k)."""
    n_a = np.asarray(n, dtype=np.float64)
    m = np.asarray(mean, dtype=np.float64)
    k_a = np.asarray(k, dtype=np.float64)
    log_km = np.log(k_a + m)
    return (
        special.gammaln(n_a + k_a)
        - special.gammaln(k_a)
        - special.gammaln(n_a + 1.0)
        + k_a * (np.log(k_a) - log_km)
        + special.xlogy(n_a, m)
        - n_a * log_km
    )


def nb_sf(n: ArrayLike, mean: ArrayLike, k: ArrayLike) -> NDArray[np.float64]:
    """``P(N >= n)`` under NB(mean, k) (1 for n <= 0)."""
    n_a = np.asarray(n, dtype=np.float64)
    m = np.asarray(mean, dtype=np.float64)
    k_a = np.asarray(k, dtype=np.float64)
    out = stats.nbinom.sf(n_a - 1.0, k_a, k_a / (k_a + m))
    return np.where(n_a <= 0, 1.0, out)


def poisson_sf(n: ArrayLike, mean: ArrayLike) -> NDArray[np.float64]:
    """``P(N >= n)`` under Poisson(mean) (1 for n <= 0)."""
    n_a = np.asarray(n, dtype=np.float64)
    out = stats.poisson.sf(n_a - 1.0, np.asarray(mean, dtype=np.float64))
    return np.where(n_a <= 0, 1.0, out)

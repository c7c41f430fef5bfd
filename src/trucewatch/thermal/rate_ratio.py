"""Rate ratios of daily counts with confidence intervals, for the truce effect
(:mod:`trucewatch.thermal.truce`).

:func:`rate_ratio` gives both models and the chosen one: the exact conditional Poisson
interval (:func:`rate_ratio_poisson`) and the negative binomial Wald interval on the log
ratio (:func:`rate_ratio_negbin`), chosen by the Pearson dispersion test of the reference
days (:func:`dispersion_test`). :func:`placebo` compares an observed ratio with the
ratios of every window of the same length inside the reference period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "RateRatio",
    "dispersion_test",
    "placebo",
    "rate_ratio",
    "rate_ratio_negbin",
    "rate_ratio_poisson",
]


@dataclass(frozen=True)
class RateRatio:
    """A rate ratio with its 95% (or other) confidence interval."""

    estimate: float | None
    low: float | None
    high: float | None
    model: str

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:  # JSON has no infinity: None
            return None if x is None or not math.isfinite(x) else round(x, 4)

        return {"estimate": r(self.estimate), "ci95": [r(self.low), r(self.high)],
                "model": self.model}  # fmt: skip


def rate_ratio_poisson(
    count_a: float, days_a: float, count_b: float, days_b: float, confidence: float = 0.95
) -> RateRatio:
    """Ratio of Poisson rates ``(count_a/days_a) / (count_b/days_b)`` with the exact
    conditional (Clopper-Pearson) interval.

    >>> r = rate_ratio_poisson(10, 2, 100, 10)
    >>> round(r.estimate, 2), round(r.low, 2), round(r.high, 2)
    (0.5, 0.23, 0.96)
    """
    if days_a <= 0 or days_b <= 0:
        return RateRatio(None, None, None, "poisson_exact")
    a, b = round(count_a), round(count_b)
    n = a + b
    if n == 0:
        return RateRatio(None, 0.0, math.inf, "poisson_exact")
    alpha = 1.0 - confidence
    lo_p = 0.0 if a == 0 else float(stats.beta.ppf(alpha / 2, a, n - a + 1))
    hi_p = 1.0 if a == n else float(stats.beta.ppf(1 - alpha / 2, a + 1, n - a))
    scale = days_b / days_a

    def to_rr(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * scale

    est = (a / days_a) / (b / days_b) if b > 0 else math.inf
    return RateRatio(est, to_rr(lo_p), to_rr(hi_p), "poisson_exact")


def dispersion_test(counts: Sequence[float] | NDArray[Any]) -> tuple[float | None, float | None]:
    """Pearson dispersion ``phi = sum((x - mean)**2 / mean) / (n - 1)`` of daily counts
    and the p-value of ``phi > 1`` (chi-squared with ``n - 1`` degrees of freedom)."""
    x = np.asarray(counts, dtype=np.float64)
    if x.size < 2 or x.mean() <= 0:
        return None, None
    chi2 = float(np.sum((x - x.mean()) ** 2) / x.mean())
    df = x.size - 1
    return chi2 / df, float(stats.chi2.sf(chi2, df))


def _nb_size(x: NDArray[np.float64]) -> float:
    """Method-of-moments NB size of daily counts (inf when not overdispersed)."""
    if x.size < 2:
        return math.inf
    m, v = float(x.mean()), float(x.var(ddof=1))
    return m * m / (v - m) if v > m and m > 0 else math.inf


def rate_ratio_negbin(
    counts_a: Sequence[float] | NDArray[Any],
    counts_b: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    size: float | None = None,
) -> tuple[RateRatio, float]:
    """Ratio of mean daily counts ``mean(a) / mean(b)`` under a negative binomial with a
    common size ``k`` (method of moments on ``counts_b`` unless given), Wald interval on
    the log ratio; 0.5 is added to a zero total for the upper bound (the lower bound of a
    zero count is 0). Returns the ratio and ``k``."""
    a = np.asarray(counts_a, dtype=np.float64)
    b = np.asarray(counts_b, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        return RateRatio(None, None, None, "negative_binomial_wald"), math.nan
    k = _nb_size(b) if size is None else size
    sa, sb = float(a.sum()), float(b.sum())
    if sb == 0 and sa == 0:
        return RateRatio(None, 0.0, math.inf, "negative_binomial_wald"), k
    ca, cb = (sa if sa > 0 else 0.5), (sb if sb > 0 else 0.5)
    mu_a, mu_b = ca / a.size, cb / b.size
    inv_k = 0.0 if not math.isfinite(k) else 1.0 / k
    var = (1.0 / mu_a + inv_k) / a.size + (1.0 / mu_b + inv_k) / b.size
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    est = (sa / a.size) / (sb / b.size) if sb > 0 else math.inf
    log_rr = math.log(mu_a / mu_b)
    se = math.sqrt(var)
    low = 0.0 if sa == 0 else math.exp(log_rr - z * se)  # a zero count: the bound is 0
    high = math.inf if sb == 0 else math.exp(log_rr + z * se)
    return RateRatio(est, low, high, "negative_binomial_wald"), k


def rate_ratio(
    counts_a: Sequence[float] | NDArray[Any],
    counts_b: Sequence[float] | NDArray[Any],
    *,
    model: str | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Rate ratio of daily counts ``a`` over ``b``, both models and the chosen one.

    ``model`` forces ``"poisson"`` or ``"negative_binomial"``; by default the negative
    binomial is chosen when ``b`` is overdispersed (dispersion test p < 0.05).
    """
    a = np.asarray(counts_a, dtype=np.float64)
    b = np.asarray(counts_b, dtype=np.float64)
    phi, p_disp = dispersion_test(b)
    pois = rate_ratio_poisson(a.sum(), a.size, b.sum(), b.size, confidence)
    nb, k = rate_ratio_negbin(a, b, confidence)
    if model is None:
        model = "negative_binomial" if (p_disp is not None and p_disp < 0.05) else "poisson"
    chosen = nb if model == "negative_binomial" else pois
    return {
        **chosen.as_dict(),
        "days": [int(a.size), int(b.size)],
        "counts": [float(a.sum()), float(b.sum())],
        "dispersion": {
            "phi": None if phi is None else round(phi, 3),
            "p_value": None if p_disp is None else round(p_disp, 6),
            "nb_size_k": None if not math.isfinite(k) else round(k, 4),
        },
        "poisson_exact": pois.as_dict(),
        "negative_binomial_wald": nb.as_dict(),
    }


def placebo(during_len: int, before: NDArray[np.float64], observed: float | None) -> dict[str, Any]:
    """Ratios of every window of ``during_len`` consecutive before-days against the rest
    of the before period; the share at or below the observed ratio."""
    n = before.size
    if during_len <= 0 or n < during_len + 3 or observed is None:
        return {"windows": 0, "share_at_or_below": None}
    ratios = []
    for i in range(n - during_len + 1):
        win = before[i : i + during_len]
        rest = np.concatenate([before[:i], before[i + during_len :]])
        if rest.sum() > 0:
            ratios.append(win.mean() / rest.mean())
    if not ratios:
        return {"windows": 0, "share_at_or_below": None}
    r = np.array(ratios)
    return {
        "windows": int(r.size),
        "share_at_or_below": round(float(np.mean(r <= observed)), 4),
        "median_ratio": round(float(np.median(r)), 4),
        "range": [round(float(r.min()), 4), round(float(r.max()), 4)],
    }

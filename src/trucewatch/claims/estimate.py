"""How many violations happened, seen or not: multiple systems estimation (capture-
recapture) from the overlap of independent sources (docs/claims.md, "The estimator").

Each event seen is a *capture history*: which of the lists (kinds of monitoring source)
recorded it. The counts of the 2^L - 1 observable histories are fitted with Poisson
log-linear models: main effects of the lists (each list's own detection rate) and, to
absorb dependence between sources (two kinds of sensor that hear the same loud fire, or
miss the same quiet one), two-way interaction terms. The count of the unobservable
history (seen by none) is ``exp(intercept)``. The models are fitted by Newton's method
(:func:`poisson_fit`, the maximum likelihood of a ``statsmodels`` Poisson GLM, a few
times faster on these 15-cell tables).

An event seen may be a false alarm: each history can carry a *weight*, the probability
that its event is real (the incident's confidence); the cells then count expected real
events, and the number seen is uncertain too (a sum of Bernoulli variables).

Models: independence, then interactions added one at a time while the information
criterion (AIC by default, or BIC) improves (forward selection); a model whose unseen
count has no finite maximum likelihood (an interaction on an empty cell) is left out. The
estimate averages the models tried with their Akaike weights (Buckland et al. 1997), so
the interval carries the uncertainty of the choice of model as well.

The 90% interval is for a count: the events seen (their expected number, with its
Bernoulli variance) plus the unseen ``U``, drawn as ``U ~ Poisson(lam)`` with ``lam``
log-normal around the fitted unseen count ``f0`` (its log variance
``ln(1 + V / f0^2)``, ``V`` the model's variance ``f0^2 var(intercept)`` - scaled by the
Pearson dispersion when above 1 - averaged over models with the between-model spread).
Its quantiles include ``U = 0`` when few are unseen, which Chao's (1987) log-normal
interval ``n + f0/C .. n + f0 C`` never does.

No estimate ("too few sources") when fewer than two lists recorded anything or fewer than
:data:`MIN_RECORDS` events were seen; none ("too dependent") when no model is
identifiable or the unseen events would be more than :data:`MAX_UNSEEN_RATIO` times those
seen: the overlap of the lists then says nothing about what they all missed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import combinations, product

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaln
from scipy.stats import poisson

__all__ = ["MAX_UNSEEN_RATIO", "MIN_RECORDS", "Estimate", "either_reading", "estimate_total",
           "poisson_fit", "unseen_interval"]  # fmt: skip

Z90 = 1.6448536269514722
MIN_RECORDS = 3
"""Fewer events seen than this: no estimate."""
MAX_UNSEEN_RATIO = 5.0
"""More unseen events than this many times those seen: no estimate."""
MAX_LOG_SE = 5.0
"""A model whose intercept has a larger standard error is not identifiable."""
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)
_GH_W = _GH_W / _GH_W.sum()
"""Gauss-Hermite nodes and weights of the standard normal (the log-normal mixture)."""


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """The estimated number of events of one stratum (a sector and day)."""

    status: str
    """``ok``, ``too_few_sources`` or ``too_dependent``."""
    observed: int
    """Events seen by at least one list."""
    lists: tuple[str, ...]
    """The lists that recorded anything."""
    total: float | None = None
    """Estimated events, seen or not."""
    low: float | None = None
    high: float | None = None
    """90% interval of ``total``."""
    model: str = ""
    """The best model's terms (``a*b``: an interaction of lists a and b)."""
    reason: str = ""
    seen: float | None = None
    """Expected real events among those seen (``observed`` weighted by the probability that
    each is real; ``observed`` when unweighted)."""


@dataclass(frozen=True)
class _Fit:
    terms: tuple[tuple[int, int], ...]
    f0: float
    var: float
    """The model's variance of ``f0`` (delta method), without the Poisson variance of the
    unseen events themselves."""
    aic: float
    bic: float


def _cells(histories: NDArray[np.bool_], weights: NDArray[np.float64]
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """The 2^L - 1 observable histories (rows of 0/1) and their (weighted) counts."""
    n_lists = histories.shape[1]
    cells = np.array([c for c in product((0, 1), repeat=n_lists) if any(c)], dtype=float)
    code = histories.astype(np.int64) @ (1 << np.arange(n_lists))
    cell_code = cells.astype(np.int64) @ (1 << np.arange(n_lists))
    counts = np.array([weights[code == k].sum() for k in cell_code], dtype=float)
    return cells, counts


_PoissonFit = tuple[NDArray[np.float64], NDArray[np.float64], float, float]


def poisson_fit(x: NDArray[np.float64], y: NDArray[np.float64], *, max_iter: int = 100
                ) -> _PoissonFit | None:  # fmt: skip
    """Maximum likelihood of the Poisson log-linear model ``log E[y] = x b`` by Newton's
    method: ``(b, cov(b), log-likelihood, Pearson chi2)``, or ``None`` when it does not
    converge (no finite maximum) or the information is singular. ``y`` may be
    non-integer (weighted counts)."""
    beta = np.asarray(np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)[0], dtype=np.float64)
    last = math.inf
    for _ in range(max_iter):
        mu = np.exp(np.clip(x @ beta, -50.0, 50.0))
        try:
            beta = beta + np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        except np.linalg.LinAlgError:
            return None
        mu = np.exp(np.clip(x @ beta, -50.0, 50.0))
        dev = 2.0 * float(np.sum(y * np.log(np.where(y > 0, y, 1.0) / mu) - (y - mu)))
        if abs(dev - last) <= 1e-10 * (abs(dev) + 0.1):
            break
        last = dev
    else:
        return None
    try:
        cov = np.asarray(np.linalg.inv(x.T @ (mu[:, None] * x)), dtype=np.float64)
    except np.linalg.LinAlgError:
        return None
    llf = float(np.sum(y * np.log(mu) - mu - gammaln(y + 1.0)))
    return beta, cov, llf, float(np.sum((y - mu) ** 2 / mu))


def _fit(cells: NDArray[np.float64], counts: NDArray[np.float64],
         terms: tuple[tuple[int, int], ...]) -> _Fit | None:  # fmt: skip
    inter = [cells[:, a] * cells[:, b] for a, b in terms]
    if any(counts[c > 0].sum() <= 0 for c in inter):
        return None  # an interaction on empty cells has no finite maximum
    x = np.column_stack([np.ones(len(cells)), *cells.T, *inter])
    if x.shape[1] > len(cells):
        return None
    res = poisson_fit(x, counts)
    if res is None:
        return None
    beta, cov, llf, chi2 = res
    b0, v0 = float(beta[0]), float(cov[0, 0])
    df = len(cells) - x.shape[1]
    if df > 0:  # extra-Poisson dispersion (heterogeneity) widens the interval
        v0 *= max(1.0, chi2 / df)
    if not (math.isfinite(b0) and math.isfinite(v0)) or v0 < 0 or v0 > MAX_LOG_SE**2 or b0 > 30:
        return None
    f0 = math.exp(b0)
    k, n = x.shape[1], max(float(counts.sum()), 2.0)
    return _Fit(terms, f0, f0 * f0 * v0, 2 * k - 2 * llf, k * math.log(n) - 2 * llf)


def _forward(cells: NDArray[np.float64], counts: NDArray[np.float64], criterion: str
             ) -> list[_Fit]:  # fmt: skip
    """Every model tried by forward selection from independence."""
    score = (lambda f: f.aic) if criterion == "aic" else (lambda f: f.bic)
    pairs = list(combinations(range(cells.shape[1]), 2))
    best = _fit(cells, counts, ())
    tried = [best] if best else []
    terms: tuple[tuple[int, int], ...] = ()
    while best is not None:
        options = [f for p in pairs if p not in terms
                   if (f := _fit(cells, counts, (*terms, p))) is not None]  # fmt: skip
        tried.extend(options)
        step = min(options, key=score, default=None)
        if step is None or score(step) >= score(best):
            break
        best, terms = step, step.terms
    return tried


def _averaged(fits: list[_Fit]) -> tuple[float, float, _Fit]:
    """Akaike-weighted unseen count, the model variance of it with the between-model
    spread (Buckland et al. 1997), and the best model."""
    aic = np.array([f.aic for f in fits])
    w = np.exp(-(aic - aic.min()) / 2)
    w /= w.sum()
    f0 = np.array([f.f0 for f in fits])
    mean = float(w @ f0)
    sd = float(w @ np.sqrt(np.array([f.var for f in fits]) + (f0 - mean) ** 2))
    return mean, sd * sd, fits[int(np.argmin(aic))]


def unseen_interval(f0: float, var: float, level: float = 0.90) -> tuple[float, float]:
    """The central ``level`` interval of the unseen count ``U ~ Poisson(lam)``, ``lam =
    f0 exp(s Z)``, ``Z`` standard normal, ``s^2 = ln(1 + var / f0^2)`` (``var``: the
    model's variance of ``f0``): integer quantiles, ``0`` included when few are unseen."""
    if f0 <= 0:
        return 0.0, 0.0
    s = math.sqrt(math.log1p(max(var, 0.0) / f0**2))
    lam = f0 * np.exp(s * _GH_X)
    far = f0 * math.exp(5.0 * s)
    top = int(far + 10.0 * math.sqrt(far) + 10.0)

    def quantile(p: float) -> float:
        lo, hi = 0, top
        while lo < hi:  # the smallest u with P(U <= u) >= p
            mid = (lo + hi) // 2
            if float(_GH_W @ poisson.cdf(mid, lam)) >= p:
                hi = mid
            else:
                lo = mid + 1
        return float(lo)

    tail = (1.0 - level) / 2.0
    return quantile(tail), quantile(1.0 - tail)


def estimate_total(histories: NDArray[np.bool_], names: tuple[str, ...], *,
                   weights: ArrayLike | None = None,
                   criterion: str = "aic") -> Estimate:  # fmt: skip
    """The estimated events of one stratum from the capture ``histories`` ((n, L) bool:
    which of the lists ``names`` recorded each event seen); ``weights`` (n,): the
    probability that each is real (default 1)."""
    h = np.asarray(histories, dtype=bool).reshape(-1, len(names))
    w = np.ones(len(h)) if weights is None else np.clip(np.asarray(weights, float), 0.0, 1.0)
    used = np.flatnonzero(h.any(axis=0))
    h, lists = h[:, used], tuple(names[i] for i in used)
    rows = h.any(axis=1)
    n, seen = int(rows.sum()), float(w[rows].sum())
    if len(lists) < 2 or n < MIN_RECORDS:
        return Estimate(status="too_few_sources", observed=n, lists=lists, seen=seen,
                        reason=f"{n} event(s) seen by {len(lists)} kind(s) of source: at "
                               f"least {MIN_RECORDS} events and two kinds are needed")  # fmt: skip
    cells, counts = _cells(h[rows], w[rows])
    fits = _forward(cells, counts, criterion)
    if not fits:
        why = "no log-linear model is identifiable from these overlaps"
        return Estimate(status="too_dependent", observed=n, lists=lists, seen=seen, reason=why)
    f0, var, best = _averaged(fits)
    if f0 > MAX_UNSEEN_RATIO * seen:
        return Estimate(status="too_dependent", observed=n, lists=lists, seen=seen,
                        reason=f"the sources overlap too little: {f0:.0f} unseen for {n} "
                               f"seen (more than {MAX_UNSEEN_RATIO:g} times)")  # fmt: skip
    low_u, high_u = unseen_interval(f0, var)
    z_seen = Z90 * math.sqrt(float(np.sum(w[rows] * (1.0 - w[rows]))))
    model = "+".join(lists) + "".join(f" {lists[a]}*{lists[b]}" for a, b in best.terms)
    return Estimate(
        status="ok", observed=n, lists=lists, seen=seen, total=seen + f0, model=model,
        low=max(0.0, seen + f0 - math.hypot(f0 - low_u, z_seen)),
        high=seen + f0 + math.hypot(high_u - f0, z_seen),
        reason=f"{n} seen ({seen:.1f} expected real), {f0:.1f} unseen estimated "
               f"({len(fits)} models)")  # fmt: skip


def either_reading(a: Estimate, b: Estimate, note: str = "the other reading") -> Estimate:
    """One stratum's estimate under two readings of its incidents (``a``: the primary,
    ``b``: an alternative, ``note`` says what it is): the mean of the two totals with the
    union of their intervals, which covers if either reading is right. ``a`` decides
    whether there is an estimate; ``b`` only counts when it has one too."""
    if a.status != "ok" or b.status != "ok" or a == b:
        return a
    assert a.total is not None and b.total is not None
    return replace(a, total=(a.total + b.total) / 2, low=min(a.low or 0.0, b.low or 0.0),
                   high=max(a.high or 0.0, b.high or 0.0),
                   reason=f"{a.reason}; {b.total - a.total:+.1f} by {note}")  # fmt: skip

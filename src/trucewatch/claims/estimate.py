"""How many violations happened, seen or not: multiple systems estimation (capture-
recapture) from the overlap of independent sources (docs/claims.md, "The estimator").

Each event seen is a *capture history*: which of the lists (kinds of monitoring source)
recorded it. The counts of the 2^L - 1 observable histories are fitted with Poisson
log-linear models (``statsmodels`` GLM): main effects of the lists (each list's own
detection rate) and, to absorb dependence between sources (two kinds of sensor that hear
the same loud fire, or miss the same quiet one), two-way interaction terms. The count of
the unobservable history (seen by none) is ``exp(intercept)``.

Models: independence, then interactions added one at a time while the information
criterion (AIC by default, or BIC) improves (forward selection); a model whose unseen
count is not finite (an interaction fitted on an empty cell) is left out. The estimate
averages the models tried with their Akaike weights (Buckland et al. 1997), so the
interval carries the uncertainty of the choice of model as well.

The 90% interval is the log-normal one of Chao (1987): ``n + f0 / C`` to ``n + f0 C`` with
``C = exp(z sqrt(ln(1 + V / f0^2)))``, ``z`` = 1.645, ``f0`` the unseen count and ``V``
its variance: the Poisson variance of the unseen events (``f0``) plus the model's
(delta method, ``f0^2 var(intercept)``), averaged over models with the between-model
spread.

No estimate ("too few sources") when fewer than two lists recorded anything or fewer than
:data:`MIN_RECORDS` events were seen; none ("too dependent") when no model is
identifiable or the unseen events would be more than :data:`MAX_UNSEEN_RATIO` times those
seen: the overlap of the lists then says nothing about what they all missed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from itertools import combinations, product

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_UNSEEN_RATIO", "MIN_RECORDS", "Estimate", "estimate_total"]

Z90 = 1.6448536269514722
MIN_RECORDS = 3
"""Fewer events seen than this: no estimate."""
MAX_UNSEEN_RATIO = 5.0
"""More unseen events than this many times those seen: no estimate."""
MAX_LOG_SE = 5.0
"""A model whose intercept has a larger standard error is not identifiable."""


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


@dataclass(frozen=True)
class _Fit:
    terms: tuple[tuple[int, int], ...]
    f0: float
    var: float
    aic: float
    bic: float


def _cells(histories: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The 2^L - 1 observable histories (rows of 0/1) and their counts."""
    n_lists = histories.shape[1]
    cells = np.array([c for c in product((0, 1), repeat=n_lists) if any(c)], dtype=float)
    code = histories.astype(np.int64) @ (1 << np.arange(n_lists))
    cell_code = cells.astype(np.int64) @ (1 << np.arange(n_lists))
    counts = np.array([(code == k).sum() for k in cell_code], dtype=float)
    return cells, counts


def _fit(cells: NDArray[np.float64], counts: NDArray[np.float64],
         terms: tuple[tuple[int, int], ...]) -> _Fit | None:  # fmt: skip
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    cols = [np.ones(len(cells)), *cells.T, *(cells[:, a] * cells[:, b] for a, b in terms)]
    x = np.column_stack(cols)
    if x.shape[1] > len(cells):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = GLM(counts, x, family=Poisson()).fit()
        except (ValueError, np.linalg.LinAlgError):
            return None
    b0, se0 = float(res.params[0]), float(res.bse[0])
    if res.df_resid > 0:  # extra-Poisson dispersion (heterogeneity) widens the interval
        se0 *= math.sqrt(max(1.0, float(res.pearson_chi2) / float(res.df_resid)))
    if not (math.isfinite(b0) and math.isfinite(se0)) or se0 > MAX_LOG_SE or b0 > 30:
        return None
    f0 = math.exp(b0)
    llf, k, n = float(res.llf), x.shape[1], counts.sum()
    return _Fit(terms, f0, f0 + f0 * f0 * se0 * se0, 2 * k - 2 * llf, k * math.log(n) - 2 * llf)


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
    """Akaike-weighted unseen count, its variance with the between-model spread, and the
    best model."""
    aic = np.array([f.aic for f in fits])
    w = np.exp(-(aic - aic.min()) / 2)
    w /= w.sum()
    f0 = np.array([f.f0 for f in fits])
    mean = float(w @ f0)
    sd = float(w @ np.sqrt(np.array([f.var for f in fits]) + (f0 - mean) ** 2))
    return mean, sd * sd, fits[int(np.argmin(aic))]


def estimate_total(histories: NDArray[np.bool_], names: tuple[str, ...], *,
                   criterion: str = "aic") -> Estimate:  # fmt: skip
    """The estimated events of one stratum from the capture ``histories`` ((n, L) bool:
    which of the lists ``names`` recorded each event seen)."""
    h = np.asarray(histories, dtype=bool).reshape(-1, len(names))
    used = np.flatnonzero(h.any(axis=0))
    h, lists = h[:, used], tuple(names[i] for i in used)
    n = int(h.any(axis=1).sum())
    if len(lists) < 2 or n < MIN_RECORDS:
        return Estimate(status="too_few_sources", observed=n, lists=lists,
                        reason=f"{n} event(s) seen by {len(lists)} kind(s) of source: at "
                               f"least {MIN_RECORDS} events and two kinds are needed")  # fmt: skip
    cells, counts = _cells(h[h.any(axis=1)])
    fits = _forward(cells, counts, criterion)
    if not fits:
        return Estimate(status="too_dependent", observed=n, lists=lists,
                        reason="no log-linear model is identifiable from these overlaps")
    f0, var, best = _averaged(fits)
    if f0 > MAX_UNSEEN_RATIO * n:
        return Estimate(status="too_dependent", observed=n, lists=lists,
                        reason=f"the sources overlap too little: {f0:.0f} unseen for {n} "
                               f"seen (more than {MAX_UNSEEN_RATIO:g} times)")  # fmt: skip
    c = math.exp(Z90 * math.sqrt(math.log1p(var / f0**2))) if f0 > 0 else 1.0
    model = "+".join(lists) + "".join(f" {lists[a]}*{lists[b]}" for a, b in best.terms)
    return Estimate(status="ok", observed=n, lists=lists, total=n + f0, low=n + f0 / c,
                    high=n + f0 * c, model=model,
                    reason=f"{n} seen, {f0:.1f} unseen estimated ({len(fits)} models)")  # fmt: skip

"""The two-component mixture of trucewatch's war-fire model and its fit.

Cell-days are grouped (:class:`FitData`) by prior class (:class:`Classes`: month, distance
band, recurrence), count, rate bin and normal dispersion; :func:`fit_em` finds the prior
``pi`` of each class, the war fire ``mu`` and its dispersion ``k1`` (:class:`Fit`) by
maximum penalized likelihood; :func:`posterior` gives the probability that a cell-day is
a war cell-day. The model is described in :mod:`trucewatch.thermal.classify`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from trucewatch.thermal.model import ClassifyParams
from trucewatch.thermal.stats import nb_logpmf

__all__ = ["Classes", "Fit", "FitData", "fit_em", "posterior", "single_thread_blas"]


_RATE_BINS_PER_E = 20.0  # log-rate bins per factor e (5 %) when grouping cell-days
_ZERO_RATE_BINS_PER_E = 8.0  # coarser (13 %) for cell-days without detections


@dataclass
class FitData:
    """Cell-days for the fit, grouped by (class, count, rate bin, normal k): ``count``
    cell-days of each group share ``n`` and ``klass`` (one of ``nclass``) and have the
    mean ``rate``; ``logf0`` is the group's normal-year log-probability, ``n_values`` the
    distinct counts and ``n_inverse`` each group's index into them."""

    n: NDArray[np.float64]
    rate: NDArray[np.float64]
    klass: NDArray[np.int64]
    nclass: int
    count: NDArray[np.float64]
    logf0: NDArray[np.float64]
    n_values: NDArray[np.float64]
    n_inverse: NDArray[np.int64]

    @classmethod
    def build(
        cls,
        *,
        n: NDArray[np.float64],
        rate: NDArray[np.float64],
        kcls: NDArray[np.int64],
        k_table: NDArray[np.float64],
        klass: NDArray[np.int64],
        nclass: int,
    ) -> FitData:
        """Group cell-days: ``kcls`` indexes ``k_table`` (the normal dispersion)."""
        logr = np.log(np.maximum(rate, 1e-12))
        nidx = n.astype(np.int64)  # counts are whole numbers
        per_e = np.where(nidx == 0, _ZERO_RATE_BINS_PER_E, _RATE_BINS_PER_E)
        rbin = np.floor(logr * per_e).astype(np.int64)
        rbin -= int(rbin.min(initial=0))
        n_values = np.arange(int(nidx.max(initial=0)) + 1, dtype=np.float64)
        sizes = (nclass, n_values.size, int(rbin.max(initial=0)) + 1, k_table.size)
        key = ((klass * sizes[1] + nidx) * sizes[2] + rbin) * sizes[3] + kcls
        # zero cell-days (most of them) by a dense count over their small key space,
        # the others by sorting
        zero = nidx == 0
        zkey = (klass[zero] * sizes[2] + rbin[zero]) * sizes[3] + kcls[zero]
        zspace = sizes[0] * sizes[2] * sizes[3]
        zc_all = np.bincount(zkey, minlength=zspace)
        zu = np.flatnonzero(zc_all)
        zr = np.bincount(zkey, weights=rate[zero], minlength=zspace)[zu] / zc_all[zu]
        zu_full = ((zu // sizes[3] // sizes[2] * sizes[1]) * sizes[2]
                   + zu // sizes[3] % sizes[2]) * sizes[3] + zu % sizes[3]  # fmt: skip
        nu, inv, ncnt = np.unique(key[~zero], return_inverse=True, return_counts=True)
        nr = np.bincount(inv, weights=rate[~zero], minlength=nu.size) / np.maximum(ncnt, 1)
        ukey = np.concatenate([zu_full, nu])
        cnt = np.concatenate([zc_all[zu], ncnt])
        mean_rate = np.concatenate([zr, nr])
        g_k = k_table[ukey % sizes[3]]
        rest = ukey // sizes[3] // sizes[2]
        g_nidx = rest % sizes[1]
        g_n = n_values[g_nidx]
        g_klass = rest // sizes[1]
        gn_values, gn_inverse = np.unique(g_n, return_inverse=True)
        return cls(
            n=g_n,
            rate=mean_rate,
            klass=g_klass,
            count=cnt.astype(np.float64),
            logf0=nb_logpmf(g_n, mean_rate, g_k),
            n_values=gn_values,
            n_inverse=gn_inverse,
            nclass=nclass,
        )


@dataclass
class Fit:
    """The fitted mixture: the prior ``pi`` of each class, the war fire's mean ``mu`` and
    size ``k1``, the log-likelihood, L-BFGS iterations, convergence, and the cell-days of
    each class."""

    pi: NDArray[np.float64]
    mu: float
    k1: float
    loglik: float
    iterations: int
    converged: bool
    class_cell_days: NDArray[np.float64]

    def as_dict(
        self,
        names: tuple[str, ...],
        classes: Classes,
        war_share: NDArray[np.float64],
        first_month: str,
    ) -> dict[str, Any]:
        table = []
        m0 = np.datetime64(first_month, "M")
        for c in np.flatnonzero(self.class_cell_days > 0):
            month, band, r = classes.parts(int(c))
            table.append({
                "month": str(m0 + month),
                "band": names[band],
                "recurrence": r if r < classes.ncap - 1 else f"{r}+",
                "cell_days": int(self.class_cell_days[c]),
                "pi": round(float(self.pi[c]), 6),
                "war_share": round(float(war_share[c]), 4),
            })  # fmt: skip
        return {
            "mu": round(self.mu, 4),
            "k1": round(self.k1, 4),
            "loglik": round(self.loglik, 3),
            "iterations": self.iterations,
            "converged": self.converged,
            "reference_band": names[classes.reference],
            "prior_by_class": table,
        }


@dataclass(frozen=True)
class Classes:
    """Prior classes: (month of the period, distance band, recurrence); the pooled classes
    (band, recurrence over the whole period) centre the prior; the reference band gives
    the rate of anomalous cell-days that are not war."""

    nmonths: int
    nbands: int
    ncap: int
    reference: int

    @property
    def size(self) -> int:
        return self.nmonths * self.nbands * self.ncap

    @property
    def pooled_size(self) -> int:
        return self.nbands * self.ncap

    def index(
        self, month: NDArray[np.int64], band: NDArray[np.int64], rec: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """Class of cell-days (``month`` per day, ``band`` and ``rec`` per cell-day)."""
        m = np.asarray(month)[:, None] if np.ndim(band) == 2 else np.asarray(month)
        return ((m * self.nbands + band) * self.ncap + rec).astype(np.int64)

    def parts(self, c: int) -> tuple[int, int, int]:
        """(month, band, recurrence) of a class."""
        return c // (self.nbands * self.ncap), c // self.ncap % self.nbands, c % self.ncap

    def pooled(self, klass: NDArray[np.int64]) -> NDArray[np.int64]:
        """Pooled class (band, recurrence: all months together) of classes."""
        return klass % (self.nbands * self.ncap)

    def war_share(
        self, pi: NDArray[np.float64], cell_days: NDArray[np.float64], min_reference: float
    ) -> NDArray[np.float64]:
        """Share of a class's anomalous cell-days that are war: ``1 - pi_ref / pi`` with
        ``pi_ref`` the same month and recurrence in the reference band (clipped to 0-1);
        0 in the reference band itself. Where the reference has fewer than
        ``min_reference`` cell-days that month, the month's pooled reference over the
        whole period is used; without any reference (no line), 1."""
        c = np.arange(self.size)
        month, r = c // (self.nbands * self.ncap), c % self.ncap
        ref = (month * self.nbands + self.reference) * self.ncap + r
        ref_pi = pi[ref]
        ok = cell_days[ref] >= min_reference
        # whole-period reference per recurrence class, weighted by cell-days
        ref_all = (np.arange(self.nmonths)[:, None] * self.nbands + self.reference) * self.ncap
        ref_all = ref_all + np.arange(self.ncap)[None, :]  # (nmonths, ncap)
        w = cell_days[ref_all]
        total_w = w.sum(axis=0)
        if not (total_w >= min_reference).any():
            return np.ones(self.size)
        pooled_ref = (pi[ref_all] * w).sum(axis=0) / np.maximum(total_w, 1e-12)
        ref_pi = np.where(ok, ref_pi, pooled_ref[r])
        share = np.clip(1.0 - ref_pi / pi, 0.0, 1.0)
        in_ref = c // self.ncap % self.nbands == self.reference
        return np.where(in_ref, 0.0, share)


def fit_em(d: FitData, classes: Classes, p: ClassifyParams) -> Fit:
    """Maximum penalized likelihood of the mixture, in two stages: first ``pi`` by pooled
    class (band, recurrence over the whole period; no penalty), then every class (one per
    month) with the pseudo-count prior ``prior_strength`` centred on its pooled class's
    value. L-BFGS on the marginal likelihood with its exact gradient (the gradient is the
    EM complete-data gradient at the current posteriors)."""
    nclass = d.nclass
    npool = classes.pooled_size
    den = np.bincount(d.klass, weights=d.count, minlength=nclass)
    x1 = np.concatenate([np.full(npool, special.logit(0.01)), np.log([2.0, 0.5])])
    res1 = optimize.minimize(
        _neg_loglik, x1, args=(d, classes.pooled(d.klass), npool, None, 0.0), jac=True,
        method="L-BFGS-B", bounds=_bounds(npool), options={"maxiter": p.max_iterations},
    )  # fmt: skip
    pooled = special.expit(res1.x[:npool])
    centre = pooled[classes.pooled(np.arange(nclass))]
    x2 = np.concatenate([special.logit(centre), res1.x[npool:]])
    res2 = optimize.minimize(
        _neg_loglik, x2, args=(d, d.klass, nclass, centre, p.prior_strength),
        jac=True, method="L-BFGS-B", bounds=_bounds(nclass),
        options={"maxiter": p.max_iterations, "ftol": p.tolerance},
    )  # fmt: skip
    pi = special.expit(res2.x[:nclass])
    mu, k1 = float(np.exp(res2.x[nclass])), float(np.exp(res2.x[nclass + 1]))
    return Fit(
        pi, mu, k1, -float(res2.fun), int(res1.nit + res2.nit), bool(res2.success),
        den.astype(np.float64),
    )  # fmt: skip


def _bounds(nclass: int) -> list[tuple[float, float]]:
    logit_lim = (-16.0, 16.0)
    return [logit_lim] * nclass + [(np.log(0.05), np.log(1e4)), (np.log(1e-3), np.log(1e3))]


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """One BLAS thread for the small dense work of the fit (threads only add overhead
    there, and stall on a busy machine); a no-op without ``threadpoolctl``."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Sum of products without BLAS (whose threads stall on a busy machine)."""
    return float(np.sum(a * b))


def _neg_loglik(
    x: NDArray[np.float64],
    d: FitData,
    klass: NDArray[np.int64],
    nclass: int,
    centre: NDArray[np.float64] | None,
    strength: float,
) -> tuple[float, NDArray[np.float64]]:
    """Minus the penalized marginal log-likelihood and its gradient in
    (logit pi, log mu, log k1)."""
    theta = x[:nclass]
    mu, k = float(np.exp(x[nclass])), float(np.exp(x[nclass + 1]))
    log_pi = -np.logaddexp(0.0, -theta)
    log_1pi = -np.logaddexp(0.0, theta)
    pi = np.exp(log_pi)
    m = d.rate + mu
    km = k + m
    log_km = np.log(km)
    lg = special.gammaln(d.n_values + k) - special.gammaln(k) - special.gammaln(d.n_values + 1)
    lf1 = lg[d.n_inverse] + k * (np.log(k) - log_km) + d.n * (np.log(m) - log_km)
    a = log_pi[klass] + lf1
    ll = np.logaddexp(a, log_1pi[klass] + d.logf0)
    w = np.exp(a - ll)  # posterior of the war component, per group
    c = d.count.astype(np.float64)
    wc = w * c
    total = _dot(c, ll)
    g_theta = np.bincount(klass, weights=wc, minlength=nclass) - pi * np.bincount(
        klass, weights=c, minlength=nclass
    )
    if centre is not None and strength > 0:
        total += strength * (_dot(centre, log_pi) + _dot(1 - centre, log_1pi))
        g_theta = g_theta + strength * (centre - pi)
    dm = _dot(wc, d.n / m - (d.n + k) / km)
    wn = np.bincount(d.n_inverse, weights=wc, minlength=d.n_values.size).astype(np.float64)
    dg = special.digamma(d.n_values + k) - special.digamma(k)
    dk = _dot(wn, dg) + _dot(wc, np.log(k) + 1.0 - log_km - (d.n + k) / km)
    grad = np.concatenate([g_theta, [mu * dm, k * dk]])
    return -total, -grad


def posterior(
    n: NDArray[np.float64],
    rate: NDArray[np.float64],
    k0: NDArray[np.float64],
    klass: NDArray[np.int64],
    fit: Fit,
) -> NDArray[np.float64]:
    """Probability that cell-days with ``n`` detections, normal ``rate`` and size ``k0``
    in classes ``klass`` are war cell-days."""
    lf0 = nb_logpmf(n, rate, k0)
    lf1 = nb_logpmf(n, rate + fit.mu, fit.k1)
    logit = np.log(fit.pi[klass]) - np.log1p(-fit.pi[klass]) + lf1 - lf0
    return np.asarray(special.expit(logit), dtype=np.float64)

"""Cramér-Rao lower bounds of a source position from the sensors that observed it.

The unknowns are the source position ``p = (x, y)`` (km, local east/north plane) and,
when arrival times are measured, its emission time ``t0`` (s). Each measurement adds
its Fisher information (Gaussian noise, linearized at the true position):

* **bearing** (patrol, camera, acoustic array) from a sensor at ``s``, noise
  ``sigma_b`` (rad), sensor position noise ``sigma_o`` (km): with ``r = |p - s|`` and
  ``w`` the unit vector across the line of sight,
  ``J += w w^T / ((r sigma_b)^2 + sigma_o^2)``;
* **range** (a patrol's distance estimate), noise ``sigma_r`` (km) along the unit line of
  sight ``u``: ``J += u u^T / (sigma_r^2 + sigma_o^2)``;
* **arrival time** (TDOA at acoustic arrays), noise ``sigma_t`` (s), speed ``c`` (km/s):
  the gradient of ``t = t0 + r / c`` is ``h = (u / c, 1)`` and
  ``J3 += h h^T / (sigma_t^2 + (sigma_o / c)^2)`` on ``(x, y, t0)``; the emission time is
  a nuisance, so the position information is the Schur complement
  ``J_pp - J_pt J_tp / J_tt`` (one array alone thus adds nothing: only differences of
  arrival times locate);
* **point** (satellite pixel, complaint location), isotropic noise ``sigma_p`` (km):
  ``J += I / sigma_p^2``. Quantized or uniform errors (a pixel) use the variance of the
  uniform distribution (``w^2 / 12``), i.e. their Gaussian equivalent.

The bound on the position covariance is ``C = J^-1``; it is infinite when ``J`` is
singular (one bearing and nothing else: no unbiased estimator of range exists).
:func:`median_error_bound` turns ``C`` into a distance: the **median** of ``|e|`` for
``e ~ N(0, C)``, i.e. the median location error of an efficient unbiased estimator. So for
an engine that reaches the bound, the median over events of (error / bound) is 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

__all__ = [
    "accumulate_information",
    "bound_covariance",
    "median_error_bound",
    "probability_within",
    "rms_error_bound",
]

_ANGLES = np.linspace(0.0, 2.0 * np.pi, 256, endpoint=False)
_MIN_INFO = 1e-9


def accumulate_information(
    n_sites: int,
    site: NDArray[np.int64],
    site_xy: NDArray[np.float64],
    sensor_xy: NDArray[np.float64],
    *,
    bearing_sigma_rad: NDArray[np.float64],
    range_sigma_km: NDArray[np.float64],
    toa_sigma_s: NDArray[np.float64],
    point_sigma_km: NDArray[np.float64],
    obs_sigma_km: NDArray[np.float64],
    speed_km_s: float | NDArray[np.float64] = 0.34,
    out: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Fisher information on ``(x, y, t0)`` per site, shape (n_sites, 3, 3).

    One row per measurement: ``site`` its site index (rows with a negative index are
    ignored), ``site_xy`` the true source positions (n_sites, 2) km, ``sensor_xy`` the
    sensor position (m, 2) km (unused for point measurements), and the noise of each
    kind of measurement in that row (NaN: the row has no such measurement).
    """
    info = np.zeros((n_sites, 3, 3)) if out is None else out
    keep = np.asarray(site) >= 0
    if not keep.any():
        return info
    k = np.asarray(site)[keep]
    d = np.asarray(site_xy)[k] - np.asarray(sensor_xy, dtype=float)[keep]
    r = np.hypot(d[:, 0], d[:, 1])
    r_safe = np.where(r > 1e-9, r, 1e-9)
    u = d / r_safe[:, None]
    w = np.column_stack([u[:, 1], -u[:, 0]])
    so2 = np.nan_to_num(np.asarray(obs_sigma_km, dtype=float)[keep]) ** 2
    c = np.broadcast_to(np.asarray(speed_km_s, dtype=float), np.asarray(site).shape)[keep]
    contrib = np.zeros((k.size, 3, 3))

    sb = np.asarray(bearing_sigma_rad, dtype=float)[keep]
    m = np.isfinite(sb)
    var = (r[m] * sb[m]) ** 2 + so2[m]
    contrib[m, :2, :2] += np.einsum("ni,nj->nij", w[m], w[m]) / var[:, None, None]

    sr = np.asarray(range_sigma_km, dtype=float)[keep]
    m = np.isfinite(sr)
    var = sr[m] ** 2 + so2[m]
    contrib[m, :2, :2] += np.einsum("ni,nj->nij", u[m], u[m]) / var[:, None, None]

    st = np.asarray(toa_sigma_s, dtype=float)[keep]
    m = np.isfinite(st)
    h = np.column_stack([u[m] / c[m][:, None], np.ones(int(m.sum()))])
    var = st[m] ** 2 + so2[m] / c[m] ** 2
    contrib[m] += np.einsum("ni,nj->nij", h, h) / var[:, None, None]

    sp = np.asarray(point_sigma_km, dtype=float)[keep]
    m = np.isfinite(sp)
    contrib[m, 0, 0] += 1.0 / sp[m] ** 2
    contrib[m, 1, 1] += 1.0 / sp[m] ** 2

    np.add.at(info, k, contrib)
    return info


def bound_covariance(info: NDArray[np.float64]) -> NDArray[np.float64]:
    """Position covariance bound (n, 2, 2) km² from (n, 3, 3) information; rows whose
    position information is singular get ``inf``."""
    info = np.asarray(info, dtype=float)
    jpp = info[:, :2, :2].copy()
    jtt = info[:, 2, 2]
    has_t = jtt > 0
    jpt = info[has_t, :2, 2]
    jpp[has_t] -= np.einsum("ni,nj->nij", jpt, jpt) / jtt[has_t, None, None]
    det = jpp[:, 0, 0] * jpp[:, 1, 1] - jpp[:, 0, 1] * jpp[:, 1, 0]
    scale = np.maximum(np.abs(jpp[:, 0, 0]) + np.abs(jpp[:, 1, 1]), _MIN_INFO)
    ok = det > 1e-10 * scale**2
    cov = np.full(jpp.shape, np.inf)
    inv = np.empty((int(ok.sum()), 2, 2))
    d = det[ok]
    inv[:, 0, 0] = jpp[ok, 1, 1] / d
    inv[:, 1, 1] = jpp[ok, 0, 0] / d
    inv[:, 0, 1] = -jpp[ok, 0, 1] / d
    inv[:, 1, 0] = -jpp[ok, 1, 0] / d
    cov[ok] = inv
    return cov


def _eig2(cov: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a, b, d = cov[:, 0, 0], cov[:, 0, 1], cov[:, 1, 1]
    mean = 0.5 * (a + d)
    rad = np.sqrt(np.maximum(0.25 * (a - d) ** 2 + b * b, 0.0))
    return np.maximum(mean + rad, 0.0), np.maximum(mean - rad, 0.0)


def probability_within(cov: NDArray[np.float64], radius_km: float | NDArray) -> NDArray:
    """P(|e| <= radius) for ``e ~ N(0, cov)`` per row (0 for an infinite bound).

    Polar integration over the angle: P = (1 / 2 pi sqrt(l1 l2)) * integral of
    (1 - exp(-R^2 a / 2)) / a, with a(phi) = cos^2 / l1 + sin^2 / l2 (trapezoid on 256
    angles, spectrally accurate for this periodic integrand; the minor axis is kept at
    least 1% of the major so that the integrand stays resolved).
    """
    cov = np.asarray(cov, dtype=float).reshape(-1, 2, 2)
    radius = np.broadcast_to(np.asarray(radius_km, dtype=float), (cov.shape[0],))
    finite = np.isfinite(cov).all(axis=(1, 2))
    out = np.zeros(cov.shape[0])
    if not finite.any():
        return out
    l1, l2 = _eig2(cov[finite])
    l1 = np.maximum(l1, 1e-18)
    l2 = np.maximum(l2, 1e-4 * l1)
    cos2 = np.cos(_ANGLES) ** 2
    a = cos2[None, :] / l1[:, None] + (1 - cos2)[None, :] / l2[:, None]
    r2 = radius[finite][:, None] ** 2
    integrand = -np.expm1(-0.5 * r2 * a) / a
    out[finite] = integrand.mean(axis=1) / np.sqrt(l1 * l2)
    return np.clip(out, 0.0, 1.0)


def median_error_bound(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """Median of ``|e|`` for ``e ~ N(0, cov)`` per row (km; ``inf`` for infinite bounds).

    Between 0.674 sqrt(l_max) (a line) and 1.177 sqrt(l) (a circle: sqrt(2 ln 2) sigma);
    found by bisection on :func:`probability_within`.
    """
    cov = np.asarray(cov, dtype=float).reshape(-1, 2, 2)
    finite = np.isfinite(cov).all(axis=(1, 2))
    out = np.full(cov.shape[0], np.inf)
    if not finite.any():
        return out
    l1, _ = _eig2(cov[finite])
    s = np.sqrt(l1)
    lo = float(ndtri(0.75)) * s * 0.99
    hi = np.sqrt(2.0 * np.log(2.0)) * s * 1.001 + 1e-12
    c = cov[finite]
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        below = probability_within(c, mid) < 0.5
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    out[finite] = 0.5 * (lo + hi)
    return out


def rms_error_bound(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """sqrt(trace(cov)) per row: the root-mean-square error bound (km)."""
    cov = np.asarray(cov, dtype=float).reshape(-1, 2, 2)
    return np.sqrt(cov[:, 0, 0] + cov[:, 1, 1])

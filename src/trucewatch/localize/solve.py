"""Joint localization of each incident from its observations' raw measurements.

For every cluster of observations (one incident) we solve for the source position
``p = (x, y)`` (local plane km) and, when two or more acoustic arrays timed it, the
emission time ``t0`` (UTC epoch s), by Gauss-Newton weighted least squares on:

* bearings: ``atan2(x - s_x, y - s_y)`` against the measured grid bearing, variance
  ``sigma_b^2 + (sigma_o / r)^2`` (the observer's own position error ``sigma_o`` seen
  across the line of sight at distance ``r``);
* ranges: ``r / k`` against the estimated distance (``k`` the plane's scale along the
  bearing, so the ground distance is compared);
* arrival times: ``t0 + r / (k c)`` against each array's arrival (time differences of
  arrival: one array alone adds nothing because ``t0`` is free);
* points: the Gaussian of a pixel, a complaint or a geocoded place (information form);
* when the geometry leaves the range undetermined (one observer, parallel bearings: the
  smallest eigenvalue of the position information below :data:`ILL_POSED_INFO`, i.e. a
  standard deviation above 2 km in some direction), each bearing with a detection range
  ``R`` adds a weak range prior ``N(R/2, (0.224 R)^2)``: the mean and spread of the
  distance to a source heard by a sensor whose detection probability falls linearly to
  zero at ``R`` (density proportional to ``d (1 - d / R)``). A single bearing is thus
  summarized honestly as a long ellipse, never as a precise point.

Field errors have heavy tails (a bearing tens of degrees off in one report of twenty, a
clock that jumped), so the bearing, range and arrival-time terms are weighted with
Huber's function (iteratively reweighted least squares): a residual beyond
:data:`HUBER_K` standard deviations counts with weight ``HUBER_K / |z|`` instead of 1,
so one wild report cannot drag the fix; Gaussian data lose almost nothing (about 1% of
efficiency at k = 2).

The covariance of the result is the inverse of the Fisher information at the solution
(with ``t0`` as a nuisance: the Schur complement): the Cramér-Rao bound for that geometry,
which an efficient estimator reaches. All clusters are solved at once: each iteration
accumulates the 3x3 normal equations per cluster with ``numpy.bincount`` and solves them
as one batch, so the cost is linear in the number of observations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.localize.measurements import Measurements

ITERATIONS = 10
MAX_STEP_KM = 5.0
MIN_RANGE_KM = 0.05
CONVERGED_KM = 1e-5
"""A cluster whose Gauss-Newton step is below this (km, 1 cm) has converged."""
ILL_POSED_INFO = 0.25
"""Smallest eigenvalue of the position information (km^-2) below which range priors are
used (standard deviation above 2 km in the weakest direction)."""
HUBER_K = 2.0
"""Huber's threshold (standard deviations) for the bearing, range and timing residuals."""
PRIOR_MEAN_SHARE = 0.5
PRIOR_SIGMA_SHARE = float(np.sqrt(0.05))


@dataclass(frozen=True, eq=False)
class Solution:
    """Per cluster: position (km), covariance (km^2), emission time (epoch s, NaN if not
    timed) and whether the range prior was needed."""

    xy: NDArray[np.float64]
    cov: NDArray[np.float64]
    t0: NDArray[np.float64]
    used_prior: NDArray[np.bool_]


def _acc(label: NDArray[np.int64], k: int, values: NDArray[Any]) -> NDArray[np.float64]:
    """Per-cluster sums of ``values`` (cluster of each value: ``label``)."""
    return np.asarray(np.bincount(label, weights=values, minlength=k), dtype=np.float64)


class _Rows:
    """The measurement rows of the clusters, split by kind (indices into ``m``)."""

    def __init__(self, m: Measurements, rows: NDArray[np.int64], label: NDArray[np.int64],
                 k: int) -> None:  # fmt: skip
        self.k = k
        b = np.isfinite(m.bearing_rad[rows])
        self.point = rows[~b], label[~b]
        self.bearing = rows[b], label[b]
        r = b & np.isfinite(m.range_km[rows])
        self.range = rows[r], label[r]
        pr = b & np.isfinite(m.range_max_km[rows])
        self.prior = rows[pr], label[pr]
        t = np.isfinite(m.arrival_s[rows]) & np.isfinite(m.observer_xy[rows, 0])
        timed = np.bincount(label[t], minlength=k) >= 2
        t &= timed[label]
        self.toa = rows[t], label[t]
        self.timed = timed
        info = np.linalg.inv(m.cov[self.point[0]]) if self.point[0].size else np.empty((0, 2, 2))
        self.point_info = info


def _geometry(m: Measurements, idx: NDArray[np.int64], p: NDArray[np.float64]
              ) -> tuple[NDArray, NDArray, NDArray]:  # fmt: skip
    d = p - m.observer_xy[idx]
    r = np.maximum(np.hypot(d[:, 0], d[:, 1]), MIN_RANGE_KM)
    return d[:, 0], d[:, 1], r


def _normal_equations(m: Measurements, rows: _Rows, xy: NDArray, t0: NDArray,
                      prior: NDArray[np.bool_]) -> tuple[NDArray, NDArray]:  # fmt: skip
    """H (k, 3, 3) and g (k, 3) at the current estimate."""
    k = rows.k
    h = np.zeros((k, 3, 3))
    g = np.zeros((k, 3))

    def add(lab: NDArray, jx: NDArray, jy: NDArray, jt: NDArray | None, res: NDArray,
            var: NDArray, robust: bool = True) -> None:  # fmt: skip
        w = 1.0 / var
        if robust:
            z = np.abs(res) * np.sqrt(w)
            w = w * np.minimum(1.0, HUBER_K / np.maximum(z, 1e-12))
        cols = [jx, jy] + ([jt] if jt is not None else [])
        for a, ca in enumerate(cols):
            g[:, a] += _acc(lab, k, ca * res * w)
            for b in range(a, len(cols)):
                v = _acc(lab, k, ca * cols[b] * w)
                h[:, a, b] += v
                if a != b:
                    h[:, b, a] += v

    idx, lab = rows.point
    if idx.size:
        z = m.mean_xy[idx] - xy[lab]
        info = rows.point_info
        for a in range(2):
            g[:, a] += _acc(lab, k, info[:, a, 0] * z[:, 0] + info[:, a, 1] * z[:, 1])
            for b in range(2):
                h[:, a, b] += _acc(lab, k, info[:, a, b])
    idx, lab = rows.bearing
    if idx.size:
        dx, dy, r = _geometry(m, idx, xy[lab])
        pred = np.arctan2(dx, dy)
        res = (m.bearing_rad[idx] - pred + np.pi) % (2.0 * np.pi) - np.pi
        var = m.bearing_sigma_rad[idx] ** 2 + (m.observer_sigma_km[idx] / r) ** 2
        add(lab, dy / r**2, -dx / r**2, None, res, var)
    idx, lab = rows.range
    if idx.size:
        dx, dy, r = _geometry(m, idx, xy[lab])
        s = m.scale[idx]
        res = m.range_km[idx] - r / s
        var = m.range_sigma_km[idx] ** 2 + m.observer_sigma_km[idx] ** 2
        add(lab, dx / (r * s), dy / (r * s), None, res, var)
    idx, lab = rows.prior
    use = prior[lab]
    idx, lab = idx[use], lab[use]
    if idx.size:
        dx, dy, r = _geometry(m, idx, xy[lab])
        s = m.scale[idx]
        big_r = m.range_max_km[idx]
        res = PRIOR_MEAN_SHARE * big_r - r / s
        add(lab, dx / (r * s), dy / (r * s), None, res, (PRIOR_SIGMA_SHARE * big_r) ** 2,
            robust=False)
    idx, lab = rows.toa
    if idx.size:
        dx, dy, r = _geometry(m, idx, xy[lab])
        sc = m.scale[idx] * m.speed_km_s[idx]
        res = m.arrival_s[idx] - t0[lab] - r / sc
        var = m.arrival_sigma_s[idx] ** 2 + (m.observer_sigma_km[idx] / m.speed_km_s[idx]) ** 2
        add(lab, dx / (r * sc), dy / (r * sc), np.ones(idx.size), res, var)
    h[~rows.timed, 2, 2] = 1.0
    return h, g


def _schur(h: NDArray[np.float64]) -> NDArray[np.float64]:
    """Position information with the emission time eliminated (Schur complement)."""
    cross = np.einsum("ki,kj->kij", h[:, :2, 2], h[:, 2, :2])
    return h[:, :2, :2] - cross / h[:, 2, 2, None, None]


def _position_cov(h: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse of the Schur complement of ``t0`` (the position block of ``H^-1``)."""
    schur = _schur(h)
    det = schur[:, 0, 0] * schur[:, 1, 1] - schur[:, 0, 1] * schur[:, 1, 0]
    good = det > 1e-12
    cov = np.full_like(schur, np.nan)
    cov[good, 0, 0] = schur[good, 1, 1] / det[good]
    cov[good, 1, 1] = schur[good, 0, 0] / det[good]
    cov[good, 0, 1] = cov[good, 1, 0] = -schur[good, 0, 1] / det[good]
    return cov


def _weakest_info(h: NDArray[np.float64]) -> NDArray[np.float64]:
    schur = _schur(h)
    return np.asarray(np.linalg.eigvalsh(schur)[:, 0], dtype=np.float64)


def solve(m: Measurements, rows: NDArray[np.int64], label: NDArray[np.int64], k: int,
          init_xy: NDArray[np.float64]) -> Solution:  # fmt: skip
    """Localize ``k`` clusters: ``rows`` index ``m`` (located observations), ``label`` is
    each row's cluster (0..k-1), ``init_xy`` (k, 2) the starting points (km)."""
    r = _Rows(m, rows, label, k)
    xy = np.array(init_xy, dtype=float, copy=True)
    t0 = np.zeros(k)
    idx, lab = r.toa
    if idx.size:
        _, _, dist = _geometry(m, idx, xy[lab])
        first = m.arrival_s[idx] - dist / (m.scale[idx] * m.speed_km_s[idx])
        cnt = np.maximum(np.bincount(lab, minlength=k), 1)
        ref = np.zeros(k)
        np.maximum.at(ref, lab, first)  # a reference close to the values keeps sums exact
        t0 = ref + _acc(lab, k, first - ref[lab]) / cnt
    no_prior = np.zeros(k, dtype=bool)
    h, _ = _normal_equations(m, r, xy, t0, no_prior)
    prior = _weakest_info(h) < ILL_POSED_INFO
    active = np.ones(k, dtype=bool)
    for _ in range(ITERATIONS):
        h, g = _normal_equations(m, r, xy, t0, prior)
        step = np.linalg.solve(h + 1e-9 * np.eye(3), g[:, :, None])[:, :, 0]
        step[~active] = 0.0  # a converged cluster stays put: each result depends on its own
        size = np.hypot(step[:, 0], step[:, 1])  # data only, whatever else is solved with it
        shrink = np.minimum(1.0, MAX_STEP_KM / np.maximum(size, 1e-12))
        xy += step[:, :2] * shrink[:, None]
        t0 += step[:, 2] * np.where(r.timed, shrink, 0.0)
        active &= size >= CONVERGED_KM
        if not active.any():
            break
    h, _ = _normal_equations(m, r, xy, t0, prior)
    cov = _position_cov(h)
    _mirror_ambiguity(m, r, label, rows, xy, cov)
    return Solution(xy=xy, cov=cov, t0=np.where(r.timed, t0, np.nan), used_prior=prior)


COLLINEAR_RATIO = 0.05
"""Arrays whose positions spread less than this share across their main axis are
collinear: their time differences cannot tell one side of that line from the other."""


def _mirror_ambiguity(m: Measurements, r: _Rows, label: NDArray[np.int64],
                      rows: NDArray[np.int64], xy: NDArray[np.float64],
                      cov: NDArray[np.float64]) -> None:  # fmt: skip
    """Timed clusters located by collinear arrays alone (no bearing, range or other point)
    have two equally good solutions, mirror images across the line of arrays: report the
    honest Gaussian summary of both (centre on the line, the mirror offset added to the
    covariance) instead of one of them with a tight ellipse. In place."""
    directional = np.zeros(r.k, dtype=bool)
    directional[r.bearing[1]] = True
    directional[r.range[1]] = True
    untimed_point = ~np.isfinite(m.arrival_s[r.point[0]])
    directional[r.point[1][untimed_point]] = True
    for c in np.flatnonzero(r.timed & ~directional):
        sensors = m.observer_xy[rows[label == c]]
        centre = sensors.mean(axis=0)
        _, sv, vt = np.linalg.svd(sensors - centre)
        if sv.size < 2 or sv[1] > COLLINEAR_RATIO * sv[0]:
            continue
        u = vt[0]
        foot = centre + float(np.dot(xy[c] - centre, u)) * u
        offset = xy[c] - foot
        xy[c] = foot
        cov[c] = cov[c] + np.outer(offset, offset)

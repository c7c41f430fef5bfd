"""Negative evidence: sensors that would have detected an event and reported nothing.

An acoustic array hears all around it. If an incident lies well within hearing of arrays
that were working at the time (they reported something within :data:`ALIVE_WINDOW_S`)
and none of them reported it, the incident is less likely to be real. How far a sound
carries depends on the sound: ``R`` is the detection range the arrays that did hear this
incident stated for it (the largest), or, for an incident no array heard, how far a
listener hears its kind of fire (:data:`trucewatch.localize.wedge.DEFAULT_DISTANCE_KM`).
We model an array's probability of detecting the source at distance ``d`` as
``P_DETECT * max(0, 1 - d / R)`` (falling linearly to zero, a conservative shape that
under- rather than over-states what a silent array proves), and the probability that every
such array missed a real event as the average over points of the incident's uncertainty
ellipse (its centre and 1 and 2 standard deviations either way along its major axis,
Gaussian weights) of ``prod_j (1 - p_j)``. The log of that probability (<= 0) is the
negative evidence.

Which sensors count is their source kind's ``negative_evidence``
(:data:`trucewatch.kinds.SOURCE_KINDS`): acoustic arrays only. Cameras are left out: their
field of view is not in their reports, so a silent camera proves nothing about a place it
may not face. Satellites are left out: cloud cover is not in the FIRMS records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trucewatch.localize.measurements import Measurements

P_DETECT = 0.9
"""Probability that a working array detects a source very near it."""
ALIVE_WINDOW_S = 6 * 3600.0
"""An array counts as working at time t if it reported anything within this many seconds."""
SAMPLE_SIGMAS = np.array([0.0, -1.0, 1.0, -2.0, 2.0])
SAMPLE_WEIGHTS = np.exp(-0.5 * SAMPLE_SIGMAS**2) / np.exp(-0.5 * SAMPLE_SIGMAS**2).sum()
_KEY = 1e10


@dataclass(frozen=True, eq=False)
class Network:
    """The arrays seen in a batch: position (km) and when each reported."""

    xy: NDArray[np.float64]
    """(n, 2) position of each array (km, the local plane of the batch's measurements)."""
    code: NDArray[np.int64]
    """(n,) sensor code of each array, ascending (the ``source`` codes of the batch)."""
    report_key: NDArray[np.float64]
    """Sorted ``code * 1e10 + arrival`` (epoch seconds, UTC) of every report of every
    array (:func:`report_keys`): when each array was working."""

    @classmethod
    def of(cls, m: Measurements, source: NDArray[np.int64], is_array: NDArray[np.bool_]
           ) -> Network:  # fmt: skip
        """Arrays from the observations flagged ``is_array`` (``source``: sensor codes)."""
        rows = np.flatnonzero(is_array & m.ok & np.isfinite(m.arrival_s)
                              & np.all(np.isfinite(m.observer_xy), axis=1))  # fmt: skip
        codes, first = np.unique(source[rows], return_index=True)
        xy = m.observer_xy[rows[first]]
        return cls(xy=xy, code=codes, report_key=report_keys(source[rows], m.arrival_s[rows]))

    def with_reports(self, source: NDArray[np.int64], arrival: NDArray[np.float64]) -> Network:
        """This network with more reports (``report_key`` stays sorted)."""
        key = report_keys(source, arrival)
        merged = np.insert(self.report_key, np.searchsorted(self.report_key, key), key)
        return Network(xy=self.xy, code=self.code, report_key=merged)

    def alive(self, code: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether array ``code`` reported anything within the window around ``t``."""
        q = code * _KEY + t
        pos = np.searchsorted(self.report_key, q)
        prev = np.clip(pos - 1, 0, len(self.report_key) - 1)
        nxt = np.clip(pos, 0, len(self.report_key) - 1)
        near = (np.abs(self.report_key[prev] - q) <= ALIVE_WINDOW_S) | (
            np.abs(self.report_key[nxt] - q) <= ALIVE_WINDOW_S)
        return near


def report_keys(source: NDArray[np.int64], arrival: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sorted keys ``array code * 1e10 + arrival (epoch s)``: one sorted array answers "did
    this array report near that time" with a binary search."""
    return np.sort(source * _KEY + arrival)


def miss_log_probability(net: Network, xy: NDArray[np.float64], cov: NDArray[np.float64],
                         t: NDArray[np.float64], range_km: NDArray[np.float64],
                         member_incident: NDArray[np.int64], member_code: NDArray[np.int64]
                         ) -> NDArray[np.float64]:  # fmt: skip
    """log P(every working array that did not report incident c would have missed it), per
    incident (``xy`` (k, 2) km, ``cov`` (k, 2, 2), ``t`` onset epoch s, ``range_km`` how
    far its sound carries); ``member_incident``/``member_code``: the arrays that did
    report each incident (pairs of incident index and array code)."""
    k = len(xy)
    out = np.zeros(k)
    if k == 0 or len(net.xy) == 0:
        return out
    w, v = np.linalg.eigh(cov)
    major = v[:, :, 1] * np.sqrt(np.maximum(w[:, 1], 0.0))[:, None]
    n_s = len(SAMPLE_SIGMAS)
    flat = (xy[:, None, :] + SAMPLE_SIGMAS[None, :, None] * major[:, None, :]).reshape(-1, 2)
    ok = np.all(np.isfinite(flat), axis=1)
    hits = cKDTree(flat[ok]).sparse_distance_matrix(
        cKDTree(net.xy), float(np.max(range_km)), output_type="ndarray")
    if hits.size == 0:
        return out
    sample = np.flatnonzero(ok)[hits["i"]]
    arr = hits["j"].astype(np.int64)
    inc = sample // n_s
    code = net.code[arr]
    n_codes = int(max(net.code.max(), member_code.max(initial=0))) + 1
    member = np.isin(inc * n_codes + code, member_incident * n_codes + member_code)
    p = P_DETECT * np.clip(1.0 - hits["v"] / range_km[inc], 0.0, 1.0)
    use = ~member & (p > 0)
    use[use] &= net.alive(code[use], t[inc[use]])
    log_miss = np.bincount(sample[use], weights=np.log1p(-p[use]), minlength=flat.shape[0])
    per_sample = np.exp(log_miss).reshape(k, n_s)
    return np.log(np.maximum(per_sample @ SAMPLE_WEIGHTS, 1e-12))

"""Pairing the two ends of a firing: a launch with the impact it caused.

A shell is heard twice: where it is fired (a launch signature) and where it lands (an
impact), seconds to a minute or two apart (its time of flight), a weapon's range apart.
The engine makes an incident of each. Who fired is written in both: the launch lies on the
firing party's side, the impact on the other side. Near the line each alone says little (the
ellipse straddles the line), but the two are independent evidence and together often
decide. :func:`paired_partner` finds the pairs: a launch incident and an impact incident
within :data:`PAIR_WINDOW_S` of each other and between :data:`PAIR_RANGE_KM` apart, each the
other's nearest in time among such candidates (mutual nearest, so a busy afternoon pairs
only what is unambiguous). Every candidate within the window and range is examined
(earlier versions looked only at the 8 nearest in time anywhere on the front, which on a
busy front of 1,000 km could leave the true partner out).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["PAIR_RANGE_KM", "PAIR_WINDOW_S", "paired_partner"]

PAIR_WINDOW_S = 120.0
"""Longest time (s) between the starts of a launch and its impact: a time of flight of
tube artillery at long range (about 40 km at 330-900 m/s)."""
PAIR_RANGE_KM = (0.5, 40.0)
"""Distance (km) between a launch and its impact: from a mortar's shortest range to tube
and rocket artillery's usual longest."""


def paired_partner(xy_km: NDArray[np.float64], start_s: NDArray[np.float64],
                   signature: NDArray[np.int64]) -> NDArray[np.int64]:  # fmt: skip
    """Per incident, the index of the other end of its firing, or -1.

    ``xy_km``: (k, 2) local-plane positions (km); ``start_s``: (k,) UTC epoch seconds;
    ``signature``: (k,) -1 launch, +1 impact, 0 unknown (never paired)."""
    k = start_s.size
    partner = np.full(k, -1, dtype=np.int64)
    ok = np.isfinite(xy_km).all(axis=1) & np.isfinite(start_s)
    launch = np.flatnonzero(ok & (signature < 0))
    impact = np.flatnonzero(ok & (signature > 0))
    if launch.size == 0 or impact.size == 0:
        return partner
    best_impact = _nearest_in_time(launch, impact, xy_km, start_s)
    best_launch = _nearest_in_time(impact, launch, xy_km, start_s)
    has = best_impact >= 0
    a, b = launch[has], best_impact[has]
    mutual = best_launch[np.searchsorted(impact, b)] == a
    partner[a[mutual]] = b[mutual]
    partner[b[mutual]] = a[mutual]
    return partner


def _nearest_in_time(rows: NDArray[np.int64], others: NDArray[np.int64],
                     xy_km: NDArray[np.float64], start_s: NDArray[np.float64]
                     ) -> NDArray[np.int64]:  # fmt: skip
    """For each of ``rows``, the one of ``others`` (sorted indices) nearest in start time
    within the window and range, or -1 (ties: the earlier start, then west, then south).

    The candidates are searched in space and time at once (a KD-tree on x and y over the
    longest range and the start over the window, Chebyshev metric), so every candidate in
    the window and range is examined, however busy the rest of the front: the answer
    depends only on the incidents within :data:`PAIR_RANGE_KM` and :data:`PAIR_WINDOW_S`
    (what lets partitioned fusion, :mod:`trucewatch.fusion.partition`, reproduce it)."""
    out = np.full(rows.size, -1, dtype=np.int64)
    reach, window = PAIR_RANGE_KM[1], PAIR_WINDOW_S

    def scaled(ix: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.column_stack([xy_km[ix] / reach, start_s[ix] / window])

    lists = cKDTree(scaled(others)).query_ball_point(scaled(rows), r=1.0, p=np.inf)
    lens = np.fromiter((len(c) for c in lists), dtype=np.int64, count=rows.size)
    if lens.sum() == 0:
        return out
    row = np.repeat(np.arange(rows.size), lens)
    cand = others[np.concatenate([np.asarray(c, dtype=np.int64) for c in lists])]
    dt = np.abs(start_s[cand] - start_s[rows[row]])
    dist = np.linalg.norm(xy_km[cand] - xy_km[rows[row]], axis=1)
    ok = (dist >= PAIR_RANGE_KM[0]) & (dist <= reach) & (dt <= window)
    row, cand, dt = row[ok], cand[ok], dt[ok]
    order = np.lexsort((xy_km[cand, 1], xy_km[cand, 0], start_s[cand], dt, row))
    row, cand = row[order], cand[order]
    first = np.ones(row.size, dtype=bool)
    first[1:] = row[1:] != row[:-1]
    out[row[first]] = cand[first]
    return out

"""Pairing the two ends of a firing: a launch with the impact it caused.

A shell is heard twice: where it is fired (a launch signature) and where it lands (an
impact), seconds to a minute or two apart (its time of flight), a weapon's range apart.
The engine makes an incident of each. Who fired is written in both: the launch lies on the
firing party's side, the impact on the other side. Near the line each alone says little (the
ellipse straddles the line), but the two are independent evidence and together often
decide. :func:`paired_partner` finds the pairs: a launch incident and an impact incident
within :data:`PAIR_WINDOW_S` of each other and between :data:`PAIR_RANGE_KM` apart, each the
other's nearest in time among such candidates (mutual nearest, so a busy afternoon pairs
only what is unambiguous).
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
_CANDIDATES = 8
"""Impacts nearest in time examined per launch."""


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
    within the window and range, or -1."""
    tree = cKDTree(start_s[others][:, None])
    n = min(_CANDIDATES, others.size)
    dt, j = tree.query(start_s[rows][:, None], k=n, distance_upper_bound=PAIR_WINDOW_S)
    dt, j = np.reshape(dt, (rows.size, n)), np.reshape(j, (rows.size, n))
    valid = j < others.size
    cand = others[np.where(valid, j, 0)]
    dist = np.linalg.norm(xy_km[cand] - xy_km[rows][:, None, :], axis=2)
    valid &= (dist >= PAIR_RANGE_KM[0]) & (dist <= PAIR_RANGE_KM[1])
    cost = np.where(valid, dt, np.inf)
    pick = np.argmin(cost, axis=1)
    found = np.isfinite(cost[np.arange(rows.size), pick])
    return np.where(found, cand[np.arange(rows.size), pick], -1)

"""Linking the incidents of one violation before counting (docs/claims.md, "What is
counted").

The engine reports a firing position and the impact it caused as two incidents when the
sensors heard them apart; counting both would count the violation twice. Two incidents
are taken for one violation's two sites when they lie on opposite sides of the line
(``held_by`` differs), at most :data:`MAX_KM` apart (the longest range of the weapons
fired along the front) and began at most :data:`MAX_S` apart (the time of flight); pairs
are taken greedily, closest first (in ``(d / MAX_KM)² + (dt / MAX_S)²``), each incident in
at most one pair. Positions local km; times epoch seconds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["MAX_KM", "MAX_S", "link_sites"]

MAX_KM = 40.0
"""The farthest apart a firing position and its impact are taken to be (km: MLRS range)."""
MAX_S = 180.0
"""The longest time between the two sites' onsets (s: time of flight)."""


def link_sites(xy: NDArray[np.float64], t: NDArray[np.float64], side: NDArray[np.object_]
               ) -> NDArray[np.int64]:  # fmt: skip
    """The violation each incident belongs to (an index; two linked incidents share the
    lower one's)."""
    n = len(t)
    group = np.arange(n, dtype=np.int64)
    if n < 2:
        return group
    scaled = np.column_stack([xy, t * (MAX_KM / MAX_S)])
    pairs = cKDTree(scaled).query_pairs(MAX_KM * np.sqrt(2.0), output_type="ndarray")
    if pairs.size == 0:
        return group
    a, b = pairs[:, 0], pairs[:, 1]
    d = np.hypot(*(xy[a] - xy[b]).T)
    dt = np.abs(t[a] - t[b])
    ok = (side[a] != side[b]) & (d <= MAX_KM) & (dt <= MAX_S)
    a, b = a[ok], b[ok]
    cost = (d[ok] / MAX_KM) ** 2 + (dt[ok] / MAX_S) ** 2
    used = np.zeros(n, dtype=bool)
    for k in np.argsort(cost, kind="stable"):
        i, j = int(a[k]), int(b[k])
        if not (used[i] or used[j]):
            used[i] = used[j] = True
            group[max(i, j)] = min(i, j)
    return group

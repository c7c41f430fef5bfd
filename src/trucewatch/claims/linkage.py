"""Linking the incidents of one violation before counting (docs/claims.md, "What is
counted").

The engine reports a firing position and the impact it caused as two incidents when the
sensors heard them apart; counting both would count the violation twice. Two incidents
are taken for one violation's two sites when they lie on opposite sides of the line
(``held_by`` differs), at most :data:`MAX_KM` apart (the longest range of the weapons
fired along the front) and began at most :data:`MAX_S` apart (the time of flight). It
also resolves one site twice now and then (an echo, two arrays' fixes that disagree):
two incidents on the same side at most :data:`SAME_SIDE_KM` and :data:`SAME_SIDE_S`
apart are taken for one violation too. Pairs are taken greedily, closest first (in
``(d / MAX_KM)² + (dt / MAX_S)²``), each incident in at most one pair. Positions local km;
times epoch seconds.

An incident lasting longer than :data:`MAX_EVENT_S` is not one violation: no single
episode of fire lasts that long, so it is a period of fighting the sensors did not
resolve (or a patrol's report of what it heard over hours), and how many violations it
holds is unknown (:func:`resolved`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["MAX_EVENT_S", "MAX_KM", "MAX_S", "SAME_SIDE_KM", "SAME_SIDE_S", "link_sites",
           "resolved"]  # fmt: skip

MAX_KM = 40.0
"""The farthest apart a firing position and its impact are taken to be (km: MLRS range)."""
MAX_S = 180.0
"""The longest time between the two sites' onsets (s: time of flight)."""
SAME_SIDE_KM = 3.0
"""Two incidents on one side at most this far apart (km) ..."""
SAME_SIDE_S = 30.0
"""... and starting at most this far apart (s) are one site resolved twice: on the
simulator's seeds 1-2 (`standard`, `field`) 80-86% of such pairs were one episode (34-47%
of those 5-10 km apart, 1-8% of those 60-180 s apart; of the pairs across the line within
MAX_KM and MAX_S, 37-51%)."""
MAX_EVENT_S = 3600.0
"""An incident longer than this (s) is not one violation (the simulator's longest
episodes last 40 minutes)."""


def resolved(duration_s: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which incidents (their durations, s) can be one violation (:data:`MAX_EVENT_S`)."""
    return np.asarray(duration_s, dtype=float) <= MAX_EVENT_S


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
    across = (side[a] != side[b]) & (d <= MAX_KM) & (dt <= MAX_S)
    twice = (side[a] == side[b]) & (d <= SAME_SIDE_KM) & (dt <= SAME_SIDE_S)
    ok = across | twice
    a, b = a[ok], b[ok]
    cost = (d[ok] / MAX_KM) ** 2 + (dt[ok] / MAX_S) ** 2
    used = np.zeros(n, dtype=bool)
    for k in np.argsort(cost, kind="stable"):
        i, j = int(a[k]), int(b[k])
        if not (used[i] or used[j]):
            used[i] = used[j] = True
            group[max(i, j)] = min(i, j)
    return group

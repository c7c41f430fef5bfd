"""Context of an incident among the others of the same fusion: the fighting around it.

Fire comes in clusters: a sector's fighting goes on for hours within a few kilometres, so a
real event seen by one sensor alone usually has corroborated neighbours, while a sensor's
false alarm (an echo, a door, thunder, a stray noise) falls anywhere and anytime.
:func:`corroborated_activity` counts, for each uncorroborated incident, the corroborated
incidents around it in space and time; the confidence model
(:mod:`trucewatch.fusion.calibration`, feature ``activity``) learns how much that is worth.
The count uses no ground truth and no scenario knowledge: only the incidents themselves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["ACTIVITY_KM", "ACTIVITY_S", "corroborated_activity"]

ACTIVITY_KM = 15.0
"""Half-width (km, local plane) of the square searched around an incident: about the
range of a lone array's bearing-only placement (its error along the bearing)."""
ACTIVITY_S = 3 * 3600.0
"""Half-width (s) of the time window searched around an incident's start."""


def corroborated_activity(xy_km: NDArray[np.float64], start_s: NDArray[np.float64],
                          corroborated: NDArray[np.bool_]) -> NDArray[np.float64]:  # fmt: skip
    """Per incident: log(1 + corroborated incidents within ±:data:`ACTIVITY_KM` in x and y
    and ±:data:`ACTIVITY_S` of its start) when it is itself uncorroborated, else 0.

    ``xy_km``: (k, 2) positions on the local plane (km); ``start_s``: (k,) UTC epoch
    seconds; ``corroborated``: (k,) two or more independent sources. O(k log k)."""
    k = start_s.size
    out = np.zeros(k)
    lone = np.flatnonzero(~corroborated & np.isfinite(xy_km).all(axis=1) & np.isfinite(start_s))
    ref = np.flatnonzero(corroborated & np.isfinite(xy_km).all(axis=1) & np.isfinite(start_s))
    if lone.size == 0 or ref.size == 0:
        return out
    scaled = np.column_stack([xy_km / ACTIVITY_KM, start_s / ACTIVITY_S])
    tree = cKDTree(scaled[ref])
    near = tree.query_ball_point(scaled[lone], r=1.0, p=np.inf, return_length=True)
    out[lone] = np.log1p(np.asarray(near, dtype=float))
    return out

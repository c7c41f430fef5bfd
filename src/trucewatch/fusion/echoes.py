"""Echoes: a second arrival of the same sound at the same acoustic array.

Sound reflected off a slope, a tree line or a building reaches an array a few seconds after
the direct sound and from another direction. The array reports it as a detection of its
own, with the same signature (launch or impact) and a burst of the same length and about
the same number of impulses. Associated as if it were a new event, it becomes a lone
detection placed kilometres off, a false incident beside the real one.

An array detection is taken as an **echo** of an earlier detection of the *same array* when
it arrives at most :data:`ECHO_WINDOW_S` seconds later with the same signature, a burst
duration within :data:`ECHO_DURATION_TOLERANCE_S` (or :data:`ECHO_DURATION_SHARE` of the
longer) and an impulse count within a factor :data:`ECHO_COUNT_FACTOR` (when both give
one). The direct sound arrives first (the straight path is the shortest), so the earlier
detection is the primary. An echo joins its primary's incident as a member that does not
take part in association or localization (its bearing points at the reflector, not the
source) and, being the same array, adds no independent source.

The window: a reflector at most 5 km off the direct path adds at most 10 km of path, about
29 s at 340 m/s. Two genuine bursts of one array this close in time, signature, length and
count are almost always rounds of the same firing, which the association would join anyway.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["ECHO_WINDOW_S", "echo_primaries"]

ECHO_WINDOW_S = 30.0
"""Longest delay (s) of an echo after the direct arrival at the same array."""
ECHO_DURATION_TOLERANCE_S = 2.0
"""Burst durations (s) differing by at most this match..."""
ECHO_DURATION_SHARE = 0.05
"""...or by at most this share of the longer one."""
ECHO_COUNT_FACTOR = 2.0
"""Impulse counts within this factor of each other match (a missing count matches)."""
ECHO_LAGS = 8
"""How many earlier detections of the same array are compared with each detection."""


def echo_primaries(
    source: NDArray[np.int64],
    arrival_s: NDArray[np.float64],
    duration_s: NDArray[np.float64],
    signature: NDArray[np.int8],
    count: NDArray[np.float64],
    candidate: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Per row, the row it is an echo of (its primary, itself no echo), or -1.

    ``source``: the sensor's code; ``arrival_s``: UTC epoch seconds of arrival at the
    array; ``duration_s``: the burst's length (s); ``signature``: -1 impact, 1 launch, 0
    unknown; ``count``: impulses (NaN unknown); ``candidate``: rows that may take part
    (array detections with an arrival time). Vectorized over lags, O(n log n)."""
    n = source.size
    primary = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(candidate & np.isfinite(arrival_s))
    if rows.size < 2:
        return primary
    rows = rows[np.lexsort((rows, arrival_s[rows], source[rows]))]
    for lag in range(1, ECHO_LAGS + 1):
        later, earlier = rows[lag:], rows[:-lag]
        match = _echo_of(later, earlier, source, arrival_s, duration_s, signature, count)
        match &= primary[later] < 0
        primary[later[match]] = earlier[match]
    primary = _resolve_chains(primary)
    echo = np.flatnonzero(primary >= 0)
    too_late = arrival_s[echo] - arrival_s[primary[echo]] > ECHO_WINDOW_S
    primary[echo[too_late]] = -1  # the window runs from the direct arrival
    return primary


def _echo_of(later: NDArray[np.int64], earlier: NDArray[np.int64], source: NDArray[np.int64],
             arrival_s: NDArray[np.float64], duration_s: NDArray[np.float64],
             signature: NDArray[np.int8], count: NDArray[np.float64]
             ) -> NDArray[np.bool_]:  # fmt: skip
    """Whether each ``later`` row is an echo of the ``earlier`` row beside it."""
    delay = arrival_s[later] - arrival_s[earlier]
    d_late, d_early = duration_s[later], duration_s[earlier]
    tolerance = np.maximum(ECHO_DURATION_TOLERANCE_S,
                           ECHO_DURATION_SHARE * np.fmax(d_late, d_early))  # fmt: skip
    c_late, c_early = count[later], count[earlier]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.fmax(c_late, c_early) / np.fmin(c_late, c_early)
    counts_agree = ~np.isfinite(ratio) | (ratio <= ECHO_COUNT_FACTOR)
    return np.asarray(
        (source[later] == source[earlier])
        & (delay >= 0.0) & (delay <= ECHO_WINDOW_S)
        & (signature[later] == signature[earlier])
        & (np.abs(np.nan_to_num(d_late - d_early, nan=np.inf)) <= tolerance)
        & counts_agree,
        dtype=bool,
    )  # fmt: skip


def _resolve_chains(primary: NDArray[np.int64]) -> NDArray[np.int64]:
    """Point every echo at the first detection of its chain (an echo of an echo is an
    echo of the direct arrival)."""
    out = primary.copy()
    while True:
        has = out >= 0
        parent = np.where(has, out, 0)
        deeper = has & (out[parent] >= 0)
        if not deeper.any():
            return out
        out[deeper] = out[parent[deeper]]

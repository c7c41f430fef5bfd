"""Monitoring coverage at a claimed place and time: the probability that the sensors
working there and then would have detected an event as claimed (docs/claims.md).

A *presence* is a monitoring sensor known to be at a point and working over a time span:
every report of an acoustic array, a camera or a patrol carries the observer's position,
and a sensor that reported is taken to be working from :data:`WORKING_S` before its report
to as long after (a patrol moves, so its span is shorter). Party complaints, open sources
and satellites are not monitoring coverage (a satellite's cloud cover is not in its
records).

A sensor at distance ``d`` (km) detects a claimed event with probability
``EFFICIENCY[kind] * max(0, 1 - d / R)``, ``R`` the distance the claimed weapon is heard
(the upper end of :data:`trucewatch.localize.wedge.DEFAULT_DISTANCE_KM`), falling linearly
as in :mod:`trucewatch.fusion.coverage`; the coverage is ``1 - prod(1 - p)`` over the
distinct sensors present at the middle of the claimed window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trucewatch.geo.projection import to_local_km
from trucewatch.localize.wedge import DEFAULT_DISTANCE_KM
from trucewatch.types import BearingRangeLocation, EventKind, Observation, PointLocation, SourceKind

__all__ = ["EFFICIENCY", "Presence", "heard_km", "presence_of"]

EFFICIENCY: dict[SourceKind, float] = {
    SourceKind.ACOUSTIC: 0.9,
    SourceKind.PATROL: 0.8,
    SourceKind.CAMERA: 0.5,
}
"""Probability that a working sensor of the kind detects an event next to it (cameras
lower: their field of view is not in their reports)."""
WORKING_S: dict[SourceKind, float] = {
    SourceKind.ACOUSTIC: 6 * 3600.0,
    SourceKind.CAMERA: 6 * 3600.0,
    SourceKind.PATROL: 1 * 3600.0,
}
"""A sensor that reported is taken to be working this long (s) either side of its report."""
WEAPON_KIND = {"small_arms": EventKind.SMALL_ARMS, "mortar": EventKind.MORTAR,
               "artillery": EventKind.ARTILLERY, "mlrs": EventKind.ARTILLERY,
               "tank": EventKind.ARTILLERY, "drone": EventKind.EXPLOSION,
               "grenade": EventKind.GRENADE}  # fmt: skip
"""Claimed weapon word -> the kind whose hearing distance applies (others: explosion)."""
BUCKET_S = 3600.0
"""Reports of one sensor at one place are merged per hour (fewer presences, same answer)."""


def heard_km(weapon: str | None) -> float:
    """How far (km) the fire of a claimed weapon is heard (the upper default distance)."""
    word = (weapon or "").lower().replace(" ", "_").replace("-", "_")
    kind = next((k for w, k in WEAPON_KIND.items() if w in word), EventKind.EXPLOSION)
    return DEFAULT_DISTANCE_KM[kind][1]


@dataclass(frozen=True, eq=False)
class Presence:
    """Monitoring sensors at points over time spans (local km, epoch seconds UTC)."""

    xy: NDArray[np.float64]
    """(n, 2) position, km."""
    t0: NDArray[np.float64]
    t1: NDArray[np.float64]
    sensor: NDArray[np.int64]
    """Sensor code (one per source id)."""
    efficiency: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.sensor)

    def coverage(self, xy: NDArray[np.float64], t: NDArray[np.float64],
                 range_km: NDArray[np.float64]) -> NDArray[np.float64]:  # fmt: skip
        """Coverage (0-1) of events at ``xy`` (m, 2) km, times ``t`` epoch s, heard to
        ``range_km``."""
        out = np.zeros(len(t))
        if len(self) == 0 or len(t) == 0:
            return out
        tree = cKDTree(self.xy)
        hits = tree.query_ball_point(xy, r=float(np.max(range_km)))
        for i, rows in enumerate(hits):
            if not rows:
                continue
            r = np.asarray(rows, dtype=np.int64)
            r = r[(self.t0[r] <= t[i]) & (self.t1[r] >= t[i])]
            if r.size == 0:
                continue
            d = np.hypot(*(self.xy[r] - xy[i]).T)
            p = self.efficiency[r] * np.clip(1.0 - d / range_km[i], 0.0, 1.0)
            best = np.zeros(int(self.sensor[r].max()) + 1)
            np.maximum.at(best, self.sensor[r], p)
            out[i] = 1.0 - float(np.prod(1.0 - best))
        return out


def _observer(o: Observation) -> PointLocation | None:
    loc = o.location
    if isinstance(loc, BearingRangeLocation) and isinstance(loc.observer, PointLocation):
        return loc.observer
    return None


def presence_of(observations: Iterable[Observation]) -> Presence:
    """The monitoring presences of observations (those without an observer point are
    skipped)."""
    seen: dict[tuple[str, int, int, int], tuple[float, ...]] = {}
    codes: dict[str, int] = {}
    for o in observations:
        if o.source_kind not in EFFICIENCY:
            continue
        obs = _observer(o)
        if obs is None:
            continue
        t0, t1 = o.time_start.timestamp(), o.time_end.timestamp()
        key = (o.source_id, round(obs.lon * 1000), round(obs.lat * 1000), int(t0 // BUCKET_S))
        w = WORKING_S[o.source_kind]
        old = seen.get(key)
        lo, hi = t0 - w, t1 + w
        if old is not None:
            lo, hi = min(lo, old[2]), max(hi, old[3])
        code = codes.setdefault(o.source_id, len(codes))
        seen[key] = (obs.lon, obs.lat, lo, hi, EFFICIENCY[o.source_kind], code)
    if not seen:
        empty = np.zeros(0)
        return Presence(xy=np.zeros((0, 2)), t0=empty, t1=empty,
                        sensor=np.zeros(0, dtype=np.int64), efficiency=empty)  # fmt: skip
    a = np.array(list(seen.values()))
    x, y = to_local_km(a[:, 0], a[:, 1])
    return Presence(xy=np.column_stack([x, y]), t0=a[:, 2], t1=a[:, 3],
                    sensor=a[:, 5].astype(np.int64), efficiency=a[:, 4])  # fmt: skip

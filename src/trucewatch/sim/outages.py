"""Sensor outages: spells when a sensor is down and reports nothing.

Each sensor alternates between up and down spells, both exponential (an alternating
renewal process): down spells with mean ``mean_h`` hours, up spells with mean ``mean_h (1
- share) / share``, so a share ``share`` of sensor-time is down; the state at the start is
down with probability ``share`` (the process starts stationary). Each outage is reported
with probability ``reported_share``; the others are silent. Times UTC epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Outages", "draw_outages"]

HOUR_S = 3600.0


@dataclass(frozen=True, eq=False)
class Outages:
    """Down spells of numbered sensors, sorted by sensor and start, disjoint per sensor;
    each clipped to the window they were drawn in."""

    sensor: NDArray[np.int64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    reported: NDArray[np.bool_]

    @classmethod
    def none(cls) -> Outages:
        return cls(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0, bool))

    def __len__(self) -> int:
        return int(self.sensor.size)

    def down(self, sensor: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether ``sensor[i]`` is down at epoch second ``t[i]``."""
        hit = np.zeros(sensor.size, dtype=bool)
        for s in np.unique(sensor) if len(self) else ():
            rows = np.flatnonzero(sensor == s)
            spells = np.flatnonzero(self.sensor == s)
            j = np.searchsorted(self.start[spells], t[rows], side="right") - 1
            after_start = j >= 0
            rows, j = rows[after_start], j[after_start]
            hit[rows] = t[rows] < self.end[spells[j]]
        return hit

    def down_seconds(self, n_sensors: int, t0: float, t1: float) -> NDArray[np.float64]:
        """Seconds each of ``n_sensors`` sensors is down within [t0, t1)."""
        overlap = np.clip(np.minimum(self.end, t1) - np.maximum(self.start, t0), 0.0, None)
        return np.bincount(self.sensor, weights=overlap, minlength=n_sensors).astype(float)


def _spells(rng: np.random.Generator, t0: float, t1: float, share: float,
            mean_down_s: float) -> list[tuple[float, float]]:  # fmt: skip
    """Down spells (start, end) of one sensor within [t0, t1)."""
    mean_up_s = mean_down_s * (1.0 - share) / share
    down = bool(rng.random() < share)
    t, out = t0, []
    while t < t1:
        length = rng.exponential(mean_down_s if down else mean_up_s)
        if down:
            out.append((t, min(t + length, t1)))
        t += length
        down = not down
    return out


def draw_outages(rng: np.random.Generator, n_sensors: int, t0: float, t1: float,
                 share: float, mean_h: float, reported_share: float) -> Outages:  # fmt: skip
    """The outages of ``n_sensors`` sensors within [t0, t1) (epoch s); none (and nothing
    drawn) when ``share`` is 0."""
    if share <= 0 or n_sensors == 0 or t1 <= t0:
        return Outages.none()
    rows = [(s, a, b) for s in range(n_sensors)
            for a, b in _spells(rng, t0, t1, share, mean_h * HOUR_S)]  # fmt: skip
    if not rows:
        return Outages.none()
    sensor, start, end = (np.array(col) for col in zip(*rows, strict=True))
    reported = rng.random(sensor.size) < reported_share
    return Outages(sensor.astype(np.int64), start.astype(float), end.astype(float), reported)

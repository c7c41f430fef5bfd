"""Sensor outages: spells when a fixed sensor is down and reports nothing.

Each sensor alternates between up and down spells (an alternating renewal process):
down spells last an exponential time of mean ``mean_h`` hours, up spells an exponential
time of mean ``mean_h (1 - share) / share``, so the sensor is down a share ``share`` of
the time; the first spell is down with probability ``share`` (the stationary start, the
exponential being memoryless). Each spell is reported with probability
``reported_share``; the reported ones are written to ``outages.jsonl`` (see
docs/simulator.md), the others are silent. Times UTC epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["OUTAGE_FILE", "Outages", "draw_outages"]

OUTAGE_FILE = "outages.jsonl"
"""The file of the reported outages (not an import format)."""


@dataclass(frozen=True, eq=False)
class Outages:
    """Down spells of sensors, one row per spell in (sensor, start) order: the sensor's
    index, the start and end of the spell (epoch s, clipped to the period) and whether it
    was reported."""

    sensor: NDArray[np.int64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    reported: NDArray[np.bool_]

    @classmethod
    def none(cls) -> Outages:
        """No outage at all."""
        return cls(np.empty(0, np.int64), np.empty(0), np.empty(0), np.empty(0, bool))

    def __len__(self) -> int:
        return int(self.sensor.size)

    def down(self, sensor: NDArray[np.int64], t: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether each ``sensor[i]`` is down at ``t[i]`` (epoch s)."""
        out = np.zeros(sensor.size, dtype=bool)
        for k in np.unique(self.sensor):
            rows = np.flatnonzero(sensor == k)
            mine = self.sensor == k
            starts, ends = self.start[mine], self.end[mine]
            spell = np.searchsorted(starts, t[rows], side="right") - 1
            inside = spell >= 0
            inside[inside] = t[rows[inside]] < ends[spell[inside]]
            out[rows] = inside
        return out

    def downtime_s(self) -> float:
        """Total time down (sensor-seconds)."""
        return float((self.end - self.start).sum())

    def down_seconds(self, n_sensors: int, t0: float, t1: float) -> NDArray[np.float64]:
        """Seconds each of ``n_sensors`` sensors is down within [t0, t1)."""
        overlap = np.clip(np.minimum(self.end, t1) - np.maximum(self.start, t0), 0.0, None)
        return np.bincount(self.sensor, weights=overlap, minlength=n_sensors).astype(float)


def _spells_of(rng: np.random.Generator, t0: float, t1: float, share: float, mean_s: float
               ) -> list[tuple[float, float]]:  # fmt: skip
    """Down spells [start, end) of one sensor in [t0, t1)."""
    up_mean_s = mean_s * (1.0 - share) / share
    down = bool(rng.random() < share)
    t, out = t0, []
    while t < t1:
        length = rng.exponential(mean_s if down else up_mean_s)
        if down:
            out.append((t, min(t + length, t1)))
        t += length
        down = not down
    return out


def draw_outages(n_sensors: int, t0: float, t1: float, share: float, mean_h: float,
                 reported_share: float, rng: np.random.Generator) -> Outages:  # fmt: skip
    """Down spells of ``n_sensors`` sensors over [t0, t1) (epoch s), each sensor down a
    share ``share`` of the time in spells of mean ``mean_h`` hours; none if ``share`` is 0
    (then nothing is drawn)."""
    if share <= 0 or n_sensors == 0 or t1 <= t0:
        return Outages.none()
    sensor, start, end = [], [], []
    for k in range(n_sensors):
        for a, b in _spells_of(rng, t0, t1, share, mean_h * 3600.0):
            sensor.append(k)
            start.append(a)
            end.append(b)
    n = len(sensor)
    return Outages(np.asarray(sensor, dtype=np.int64), np.asarray(start, dtype=float),
                   np.asarray(end, dtype=float), rng.random(n) < reported_share)  # fmt: skip

"""What sensors report: the :class:`Detections` table and the :class:`Sites` it refers to.

A *site* is where a sound, flash or fire comes from: row ``2k`` of the sites is the
impact of episode ``k``, row ``2k + 1`` its origin (firing position). Each sensor model
(:mod:`trucewatch.sim.sensors`) returns a :class:`Detections` table, one row per (sensor
report, site) - or per false alarm (site -1) - with the sensor's position, the noise of
what it measured (for the Cramér-Rao bound, :mod:`trucewatch.sim.crlb`) and the measured
values (for the records, :mod:`trucewatch.sim.records`). All positions local km; times UTC
epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.violations import Episodes

__all__ = ["Detections", "Sites", "noise_columns"]


@dataclass(eq=False)
class Detections:
    """One row per report of one sensor about one site (``site == -1``: false alarm).

    Noise columns are NaN where the row has no such measurement; ``extra`` holds the
    measured values used to write the records.
    """

    source: str
    site: NDArray[np.int64]
    sensor: NDArray[np.int64]
    sensor_xy: NDArray[np.float64]
    time: NDArray[np.float64]
    bearing_sigma_rad: NDArray[np.float64]
    range_sigma_km: NDArray[np.float64]
    toa_sigma_s: NDArray[np.float64]
    point_sigma_km: NDArray[np.float64]
    obs_sigma_km: NDArray[np.float64]
    extra: dict[str, NDArray] = field(default_factory=dict)
    conditions: object | None = None
    """What the sensor model drew beyond its rows and no record states (e.g. the acoustic
    arrays' biases and outages, the weather: :class:`trucewatch.sim.acoustic_field.
    AcousticField`), for the truth files; None when it drew nothing of the kind."""

    def __len__(self) -> int:
        return int(self.site.size)

    @classmethod
    def empty(cls, source: str) -> Detections:
        z = np.empty(0)
        return cls(source, np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 2)),
                   z, z, z, z, z, z, {})  # fmt: skip

    @classmethod
    def concat(cls, parts: list[Detections]) -> Detections:
        """The rows of ``parts`` (of one source, with the same extras) in order; the
        first part's ``conditions``."""
        first = parts[0]

        def cat(name: str) -> NDArray:
            return np.concatenate([getattr(p, name) for p in parts])

        return cls(
            first.source, cat("site"), cat("sensor"), cat("sensor_xy"), cat("time"),
            cat("bearing_sigma_rad"), cat("range_sigma_km"), cat("toa_sigma_s"),
            cat("point_sigma_km"), cat("obs_sigma_km"),
            {k: np.concatenate([p.extra[k] for p in parts]) for k in first.extra},
            first.conditions,
        )  # fmt: skip

    def take(self, idx: NDArray[np.int64]) -> Detections:
        return Detections(
            self.source, self.site[idx], self.sensor[idx], self.sensor_xy[idx], self.time[idx],
            self.bearing_sigma_rad[idx], self.range_sigma_km[idx], self.toa_sigma_s[idx],
            self.point_sigma_km[idx], self.obs_sigma_km[idx],
            {k: v[idx] for k, v in self.extra.items()}, self.conditions,
        )  # fmt: skip


def noise_columns(n: int, **cols: NDArray | float) -> dict[str, NDArray[np.float64]]:
    """The noise columns of ``n`` rows: each given value (a scalar or ``n`` values), NaN for
    those not given."""
    out = {}
    for k in ("bearing_sigma_rad", "range_sigma_km", "toa_sigma_s", "point_sigma_km",
              "obs_sigma_km"):  # fmt: skip
        v = cols.get(k, np.nan)
        out[k] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    return out


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True, eq=False)
class Sites:
    """Per-site arrays derived from the episodes: position (local km), start and end of
    the sound (epoch s) and the distance it is heard at (km). Row ``2k`` is the impact of
    episode ``k`` and row ``2k + 1`` its origin, so site ``j`` belongs to episode
    ``j // 2`` and is an impact when ``j`` is even."""

    xy: NDArray[np.float64]
    start: NDArray[np.float64]
    end: NDArray[np.float64]
    audible_km: NDArray[np.float64]

    @classmethod
    def of(cls, s: Scenario, e: Episodes) -> Sites:
        specs = [s.violations.weapons[w] for w in WEAPONS]
        impact_r = np.array([w.audible_km for w in specs])[e.weapon]
        launch_r = np.array([w.launch_audible_km for w in specs])[e.weapon]
        audible = np.empty(2 * len(e))
        audible[0::2] = impact_r
        audible[1::2] = launch_r
        start, end = e.site_window()
        return cls(e.site_xy(), start, end, audible)

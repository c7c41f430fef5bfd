"""Satellite fires: fire radiative power, detection by fire size, and unrelated fires.

* **FRP** (``satellite.detection = "frp"``): each fire has a level of fire radiative
  power (MW) drawn from the log-normal fitted on the August 2025 VIIRS detections
  (corrected for the detection curve, ``data/background_fires.json``: ``frp``); each
  pixel at each overpass has that level times a log-normal fluctuation of sd
  :data:`FRP_PASS_SIGMA` (the level's sd is reduced so that a pixel-pass has the fitted
  distribution).
* **Detection curve**: ``p(FRP) = p_max / (1 + (half / FRP)^slope)``
  (:func:`detection_curve`; ``half = frp_half_mw`` 1 MW, ``slope = frp_slope`` 2.5 by
  default: the VIIRS 375 m product detects fires of a few MW nearly always and misses
  most below 0.5 MW, Schroeder et al. 2014, Remote Sens. Environ. 143).
* **Unrelated fires** (``satellite.background_fires = "fitted"``,
  :func:`background_pixels`): fire events - agricultural, grass and forest fires - start
  uniformly in the band within :data:`BAND_KM` of the simulated stretch at the rate of
  the month fitted on the pre-war FIRMS history (``rate_per_km2_per_day``, times
  ``background_scale``), divided by the expected detections of one event, so that the
  *detected* rate equals the fitted one. An event burns an exponential time (mean
  ``cluster.duration_h``) over a few adjacent pixels (``cluster.pixels_per_event_share``)
  that every overpass while it burns may detect.

Positions local km; times UTC epoch seconds; FRP in MW.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from trucewatch.sim.clouds import month_of
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.world import World

__all__ = [
    "BAND_KM",
    "FITTED_FILE",
    "BackgroundPixels",
    "FireFit",
    "background_pixels",
    "detection_curve",
    "fire_fit",
]

FITTED_FILE = Path(__file__).parent / "data" / "background_fires.json"
"""The fitted table, written by ``python -m benchmarks.fit_background_fires``."""
BAND_KM = 15.0
"""Unrelated fires are simulated within this distance (km) of the line, each side."""
FRP_PASS_SIGMA = 0.5
"""Sd of ln FRP of one pixel at one overpass around its fire's level."""
_STEPS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)])


def detection_curve(frp_mw: ArrayLike, half_mw: float, slope: float,
                    p_max: float) -> NDArray[np.float64]:  # fmt: skip
    """Probability of detecting a pixel of fire radiative power ``frp_mw`` (MW)."""
    f = np.maximum(np.asarray(frp_mw, dtype=float), 1e-9)
    return p_max / (1.0 + (half_mw / f) ** slope)


@dataclass(frozen=True)
class FireFit:
    """The fitted table (``data/background_fires.json``; see the fitting script)."""

    rate_per_km2_per_day: NDArray[np.float64]
    """Detections of unrelated fires per km² and day, by month (January first)."""
    interval: tuple[NDArray[np.float64], NDArray[np.float64]]
    """Lowest and highest per-year rate of the pre-war years, by month."""
    pixel_share: NDArray[np.float64]
    """P(an event has 1, 2, ... pixels); the last entry: 6 or more (geometric)."""
    pixels_mean: float
    """Mean pixels per event."""
    duration_h: float
    """Mean lifetime of an event (h, exponential)."""
    frp_log_mean: float
    """Mean of ln FRP (MW) of a pixel at an overpass."""
    frp_log_sd: float
    """Sd of ln FRP."""
    raw: dict[str, Any]

    def frp_levels(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """FRP levels (MW) of ``n`` fires."""
        sd = np.sqrt(max(self.frp_log_sd**2 - FRP_PASS_SIGMA**2, 0.0))
        return np.exp(rng.normal(self.frp_log_mean, sd, n))

    def mean_detection(self, half_mw: float, slope: float, p_max: float) -> float:
        """Mean detection probability of a pixel-pass over the FRP distribution."""
        z = np.linspace(-6.0, 6.0, 601)
        frp = np.exp(self.frp_log_mean + self.frp_log_sd * z)
        w = stats.norm.pdf(z)
        return float(np.sum(detection_curve(frp, half_mw, slope, p_max) * w) / w.sum())

    def pixels(self, rng: np.random.Generator, n: int) -> NDArray[np.int64]:
        """Pixels of ``n`` events: 1-5 by the fitted shares, else 6 + geometric with the
        fitted mean."""
        k = rng.choice(self.pixel_share.size, size=n, p=self.pixel_share) + 1
        tail = k == self.pixel_share.size
        low = np.arange(1, self.pixel_share.size)
        tail_mean = self.pixels_mean - float(np.sum(low * self.pixel_share[:-1]))
        tail_mean = max(tail_mean / self.pixel_share[-1], float(self.pixel_share.size))
        extra = rng.geometric(1.0 / (tail_mean - self.pixel_share.size + 1.0), int(tail.sum()))
        k[tail] += extra - 1
        return k


@lru_cache(maxsize=2)
def fire_fit(path: str = str(FITTED_FILE)) -> FireFit:
    """The fitted table (read once)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    share = np.asarray(raw["cluster"]["pixels_per_event_share"], dtype=float)
    share = np.append(share, max(0.0, 1.0 - share.sum()))
    lo, hi = raw["interval"]
    return FireFit(
        rate_per_km2_per_day=np.asarray(raw["rate_per_km2_per_day"], dtype=float),
        interval=(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)),
        pixel_share=share / share.sum(),
        pixels_mean=float(raw["cluster"]["pixels_per_event_mean"]),
        duration_h=float(raw["cluster"]["duration_h"]),
        frp_log_mean=float(raw["frp"]["log_mean"]),
        frp_log_sd=float(raw["frp"]["log_sd"]),
        raw=raw,
    )


def pixel_frp(fit: FireFit, level: NDArray[np.float64],
              rng: np.random.Generator) -> NDArray[np.float64]:  # fmt: skip
    """FRP (MW) of pixels at one overpass around their fires' levels."""
    return level * np.exp(rng.normal(0.0, FRP_PASS_SIGMA, level.size))


@dataclass(frozen=True)
class BackgroundPixels:
    """Pixel-passes of unrelated fires that burn at an overpass (before cloud and
    detection): position (local km), overpass index, FRP (MW) and the event of each."""

    xy: NDArray[np.float64]
    pass_index: NDArray[np.int64]
    frp: NDArray[np.float64]
    event: NDArray[np.int64]


def _expected_per_event(s: Scenario, fit: FireFit, clear: NDArray[np.float64]
                        ) -> NDArray[np.float64]:  # fmt: skip
    """Expected detections of one event by month: pixels × overpasses while it burns ×
    detection × clear sky."""
    sat = s.satellite
    passes_per_h = len(sat.overpasses_local) / 24.0
    if sat.detection == "frp":
        p = fit.mean_detection(sat.frp_half_mw, sat.frp_slope, sat.detect_probability)
    else:
        p = sat.detect_probability
    return fit.pixels_mean * fit.duration_h * passes_per_h * p * clear


def clear_share_by_month(s: Scenario) -> NDArray[np.float64]:
    """Expected clear-sky share of each month under the scenario's cloud model."""
    sat = s.satellite
    if sat.clouds == "field":
        return 1.0 - np.asarray(sat.cloud_fraction_by_month, dtype=float)
    return np.full(12, 1.0 - sat.cloud_cover)


def background_pixels(s: Scenario, world: World, passes: NDArray[np.float64],
                      rng: np.random.Generator) -> BackgroundPixels:  # fmt: skip
    """Unrelated fire events over the period and their burning pixels at each overpass."""
    fit = fire_fit()
    sat = s.satellite
    clear = np.maximum(clear_share_by_month(s), 1e-3)
    per_event = np.maximum(_expected_per_event(s, fit, clear), 1e-9)
    detected_per_h = fit.rate_per_km2_per_day / 24.0 * sat.background_scale
    event_rate = detected_per_h / per_event  # events per km² and hour, by month
    lo, hi = world.span
    area = (hi - lo) * 2.0 * BAND_KM
    t0 = s.period.start.timestamp() - 5.0 * fit.duration_h * 3600.0
    t1 = s.period.end.timestamp()
    peak = float(event_rate.max())
    n = rng.poisson(peak * area * (t1 - t0) / 3600.0)
    start = rng.uniform(t0, t1, n)
    keep = rng.random(n) < event_rate[month_of(start)] / peak if n else np.zeros(0, bool)
    start = start[keep]
    m = start.size
    end = start + rng.exponential(fit.duration_h * 3600.0, m)
    point, _, normal = world.frame(rng.uniform(lo, hi, m))
    centre = point + rng.uniform(-BAND_KM, BAND_KM, m)[:, None] * normal
    level = fit.frp_levels(rng, m)
    k = fit.pixels(rng, m)
    event = np.repeat(np.arange(m), k)
    steps = _STEPS[rng.integers(0, len(_STEPS), event.size)] * sat.pixel_km
    first = np.concatenate([[0], np.cumsum(k)[:-1]]).astype(np.int64)
    steps[first] = 0.0
    walk = np.cumsum(steps, axis=0)
    walk -= np.repeat(walk[first], k, axis=0)
    pix_xy = centre[event] + walk
    rows_xy, rows_k, rows_ev = [], [], []
    for j, t in enumerate(passes):
        burning = (start <= t) & (end >= t)
        pix = np.flatnonzero(burning[event])
        rows_xy.append(pix_xy[pix])
        rows_k.append(np.full(pix.size, j, dtype=np.int64))
        rows_ev.append(event[pix])
    ev = np.concatenate(rows_ev) if rows_ev else np.empty(0, np.int64)
    frp = pixel_frp(fit, level[ev], rng)
    return BackgroundPixels(
        xy=np.concatenate(rows_xy) if rows_xy else np.empty((0, 2)),
        pass_index=np.concatenate(rows_k) if rows_k else np.empty(0, np.int64),
        frp=frp,
        event=ev,
    )

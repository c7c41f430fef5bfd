"""The satellite model: VIIRS-like thermal detections at each overpass.

At each overpass (:func:`overpass_times`), every burning impact fire is detected unless
it lies under cloud, with the probability of the detection model; fires unrelated to the
fighting add detections of their own (docs/simulator.md, ``[satellite]``):

* clouds: ``sectors`` (independent per sector and pass) or ``field``
  (:class:`trucewatch.sim.clouds.CloudField`);
* detection: ``flat`` (``detect_probability``) or ``frp`` (by fire radiative power,
  :mod:`trucewatch.sim.fires`);
* unrelated fires: ``flat`` (single pixels at ``false_alarms_per_100km_per_pass``) or
  ``fitted`` (fire events at the monthly rate fitted on the FIRMS history,
  :func:`trucewatch.sim.fires.background_pixels`).

Random streams: the satellite's stream (``rng``) draws exactly what it drew before the
field models (overpass jitter, sector clouds, detection draws, the flat false alarms,
pixel geometry), so the defaults give the same detections; the field models draw from
three children of it (:meth:`numpy.random.Generator.spawn`: clouds, unrelated fires, FRP),
so turning one on leaves the others' draws unchanged. Positions local km; times UTC epoch
seconds; FRP MW.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.clouds import CloudField
from trucewatch.sim.detections import Detections, Sites, noise_columns
from trucewatch.sim.fires import BAND_KM, background_pixels, detection_curve, fire_fit, pixel_frp
from trucewatch.sim.layout import Layout
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.sensor_specs import SatelliteSpec
from trucewatch.sim.violations import Episodes
from trucewatch.sim.world import World

__all__ = ["GEOLOCATION_SIGMA_PIXELS", "detect_satellite", "overpass_times"]

GEOLOCATION_SIGMA_PIXELS = 0.1
"""Satellite geolocation error (sd) in pixels, on top of the position within the pixel."""


def local_epoch(s: Scenario, day: datetime, hour: float) -> float:
    """Epoch seconds of a local hour on the local day of ``day``."""
    t = datetime.combine(day.date(), time(0), tzinfo=s.zone) + timedelta(hours=hour)
    return t.timestamp()


def overpass_times(s: Scenario, rng: np.random.Generator) -> NDArray[np.float64]:
    """Epoch seconds of every overpass in the period (local times plus jitter)."""
    sat = s.satellite
    first = s.period.start.astimezone(s.zone)
    out = []
    for d in range(int(np.ceil(s.period.days)) + 1):
        day = first + timedelta(days=d)
        for hhmm in sat.overpasses_local:
            h, m = (int(x) for x in hhmm.split(":"))
            out.append(local_epoch(s, day, h + m / 60.0))
    t = np.array(out) + rng.uniform(-sat.overpass_jitter_min, sat.overpass_jitter_min,
                                    len(out)) * 60.0  # fmt: skip
    inside = (t >= s.period.start.timestamp()) & (t < s.period.end.timestamp())
    return np.sort(t[inside])


@dataclass
class _Sky:
    """Cloud at each overpass: the sector draws (always made, from the satellite's stream)
    and, for ``clouds = "field"``, the cloud field."""

    sectors: list[NDArray[np.bool_]]
    field: CloudField | None

    def covered(self, k: NDArray[np.int64] | int, xy: NDArray[np.float64],
                sector: NDArray[np.int64]) -> NDArray[np.bool_]:  # fmt: skip
        """Whether points (with their sector indices) are under cloud at overpass ``k``."""
        if self.field is not None:
            return self.field.cloudy(k, xy)
        if np.ndim(k) == 0:
            return self.sectors[int(k)][sector]
        table = np.array(self.sectors).reshape(len(self.sectors), -1)
        return table[np.asarray(k), sector]


def _cloud_field(s: Scenario, world: World, passes: NDArray[np.float64],
                 rng: np.random.Generator) -> CloudField | None:  # fmt: skip
    if s.satellite.clouds != "field":
        return None
    lo, hi = world.span
    point, _, _ = world.frame(np.linspace(lo, hi, 400))
    return CloudField(s, point.min(axis=0) - BAND_KM, point.max(axis=0) + BAND_KM, passes, rng)


def _sectors_of(world: World, xy: NDArray[np.float64]) -> NDArray[np.int64]:
    if xy.shape[0] == 0:
        return np.empty(0, np.int64)
    return np.maximum(np.asarray(world.locate(xy)[0], dtype=np.int64), 0)


def _p_detect(sat: SatelliteSpec, frp: NDArray[np.float64] | None) -> NDArray[np.float64] | float:
    if frp is None:
        return sat.detect_probability
    return detection_curve(frp, sat.frp_half_mw, sat.frp_slope, sat.detect_probability)


_WarRows = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64] | None, "_Sky"]


def _war_fires(s: Scenario, world: World, e: Episodes, passes: NDArray[np.float64],
               rng: np.random.Generator, frp_rng: np.random.Generator,
               field: CloudField | None) -> _WarRows:  # fmt: skip
    """Episode, overpass time and FRP (None for flat detection) of every detected impact
    fire, and the sky of each overpass."""
    sat = s.satellite
    n_sectors = max(1, len(world.sectors))
    fire_ep = np.flatnonzero(e.fire)
    sector_idx = _sectors_of(world, e.impact[fire_ep])
    level = fire_fit().frp_levels(frp_rng, fire_ep.size) if sat.detection == "frp" else None
    sky = _Sky([], field)
    rows_ep, rows_t, rows_frp = [], [], []
    for k, t in enumerate(passes):
        sky.sectors.append(rng.random(n_sectors) < sat.cloud_cover)
        burning = (e.fire_start[fire_ep] <= t) & (e.fire_end[fire_ep] >= t)
        frp = None if level is None else pixel_frp(fire_fit(), level, frp_rng)
        clear = ~sky.covered(k, e.impact[fire_ep], sector_idx)
        seen = burning & clear & (rng.random(fire_ep.size) < _p_detect(sat, frp))
        rows_ep.append(fire_ep[seen])
        rows_t.append(np.full(int(seen.sum()), t))
        rows_frp.append(np.empty(0) if frp is None else frp[seen])
    ep = np.concatenate(rows_ep) if rows_ep else np.empty(0, np.int64)
    tt = np.concatenate(rows_t) if rows_t else np.empty(0)
    frp_rows = None if level is None else np.concatenate(rows_frp or [np.empty(0)])
    return ep, tt, frp_rows, sky


def _flat_false_alarms(s: Scenario, world: World, passes: NDArray[np.float64],
                       rng: np.random.Generator) -> tuple[NDArray, NDArray]:  # fmt: skip
    """Single-pixel unrelated fires within 15 km of the stretch: time and true position."""
    lo, hi = world.span
    n_fa = rng.poisson(s.satellite.false_alarms_per_100km_per_pass * (hi - lo) / 100.0,
                       passes.size)  # fmt: skip
    fa_t = np.repeat(passes, n_fa)
    point, _, normal = world.frame(rng.uniform(lo, hi, fa_t.size))
    return fa_t, point + rng.uniform(-BAND_KM, BAND_KM, fa_t.size)[:, None] * normal


def _fitted_fires(s: Scenario, world: World, passes: NDArray[np.float64], sky: _Sky,
                  rng: np.random.Generator) -> tuple[NDArray, NDArray, NDArray]:  # fmt: skip
    """Detected pixels of unrelated fire events: time, true position and FRP."""
    sat = s.satellite
    bp = background_pixels(s, world, passes, rng)
    sector = _sectors_of(world, bp.xy) if sky.field is None else np.zeros(bp.frp.size, np.int64)
    clear = ~sky.covered(bp.pass_index, bp.xy, sector)
    p = _p_detect(sat, bp.frp if sat.detection == "frp" else None)
    seen = clear & (rng.random(bp.frp.size) < p)
    return passes[bp.pass_index[seen]], bp.xy[seen], bp.frp[seen]


def _pixels(sat: SatelliteSpec, true_xy: NDArray[np.float64],
            rng: np.random.Generator) -> dict[str, NDArray[np.float64]]:  # fmt: skip
    """Reported position (uniform in the pixel plus geolocation error), scan and track
    (km), position sigma (km), brightness (K) and a default FRP (MW) of detections."""
    n = true_xy.shape[0]
    u_scan = rng.random(n)
    scan = sat.pixel_km * (1.0 + 1.1 * u_scan**2)
    track = sat.pixel_km * (1.0 + 0.9 * u_scan**2)
    geo = GEOLOCATION_SIGMA_PIXELS * sat.pixel_km
    offset = np.column_stack([rng.uniform(-0.5, 0.5, n) * scan,
                              rng.uniform(-0.5, 0.5, n) * track])  # fmt: skip
    reported = true_xy + offset + rng.normal(0.0, geo, (n, 2))
    sigma = np.sqrt((scan**2 + track**2) / 24.0 + geo**2)
    bright = 325.0 + 40.0 * rng.random(n) ** 2
    frp = np.exp(rng.normal(1.5, 1.0, n))
    return {"xy": reported, "scan": scan, "track": track, "sigma": sigma, "bright": bright,
            "frp": frp}  # fmt: skip


def detect_satellite(s: Scenario, world: World, e: Episodes, sites: Sites, layout: Layout,
                     rng: np.random.Generator) -> Detections:  # fmt: skip
    """Thermal detections of burning impact fires at clear-sky overpasses, and of fires
    unrelated to the fighting (see the module docstring)."""
    sat = s.satellite
    if not sat.enabled:
        return Detections.empty("satellite")
    cloud_rng, fires_rng, frp_rng = rng.spawn(3)
    passes = overpass_times(s, rng)
    field = _cloud_field(s, world, passes, cloud_rng)
    ep, tt, war_frp, sky = _war_fires(s, world, e, passes, rng, frp_rng, field)
    n = ep.size
    if sat.background_fires == "fitted":
        fa_t, fa_xy = np.empty(0), np.empty((0, 2))
    else:
        fa_t, fa_xy = _flat_false_alarms(s, world, passes, rng)
    m = fa_t.size
    px = _pixels(sat, np.concatenate([e.impact[ep], fa_xy]), rng)
    if war_frp is not None:
        px["frp"][:n] = war_frp
    if sat.background_fires == "fitted":
        bg_t, bg_xy, bg_frp = _fitted_fires(s, world, passes, sky, fires_rng)
        bg = _pixels(sat, bg_xy, fires_rng)
        bg["frp"] = bg_frp
        px = {k: np.concatenate([px[k], bg[k]]) for k in px}
        fa_t, m = np.concatenate([fa_t, bg_t]), m + bg_t.size
    rows = noise_columns(n + m, point_sigma_km=px["sigma"])
    return Detections(
        "satellite",
        np.concatenate([2 * ep, np.full(m, -1)]).astype(np.int64),
        np.full(n + m, -1, dtype=np.int64),
        np.full((n + m, 2), np.nan),
        np.concatenate([tt, fa_t]),
        **rows,
        extra={"xy": px["xy"], "scan": px["scan"], "track": px["track"],
               "bright": px["bright"], "frp": px["frp"],
               "false_alarm": np.concatenate([np.zeros(n, bool), np.ones(m, bool)])},
    )  # fmt: skip

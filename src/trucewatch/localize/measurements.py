"""What each observation measured, as parallel arrays on the local plane (km).

The fusion engine works from the raw measurements, not from a point per report:

* **bearing** (patrol, camera, acoustic array): the sensor position, the direction of
  arrival as a *grid* bearing (radians clockwise from the plane's north) and its standard
  deviation. True bearings (degrees from true north) become grid bearings through a 1 km
  geodesic step (``pyproj.Geod.fwd`` on WGS84) projected to the plane, which also gives the
  plane's scale along that direction: distances measured on the ground are multiplied by
  it, so geometry on the plane stays geodesic-correct at 100 km scales;
* **range**: a listener's distance estimate (patrols), with a standard deviation of at
  least :data:`RANGE_SIGMA_SHARE` of the distance (distances by ear are rarely better);
* **range limit**: how far the sensor can detect (acoustic arrays, cameras), used as a
  prior only when the geometry leaves the range undetermined (see
  :mod:`trucewatch.localize.solve`);
* **arrival time** (acoustic arrays): the first impulse's arrival, its standard
  deviation and the speed of sound, for time differences of arrival;
* **point**: a position with a covariance (satellite pixel, complaint, geocoded place,
  or any report whose wedge cannot be expressed as one bearing).

Every observation also gets a Gaussian summary (mean, covariance) for gating, and an
**onset interval**: when the event itself began (UTC epoch seconds), which is sharp for
cameras (the frame time) and arrays (arrival minus at most the travel time), loose for
reports that give a window, and for a fire seen from space reaches back
:data:`FIRE_BURN_S` before the overpass (the shelling that lit it came earlier).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from trucewatch.geo.projection import to_local_km
from trucewatch.localize.geocode import Unresolved
from trucewatch.localize.wedge import GEOD, distance_range, wedge_moments
from trucewatch.types import (
    BearingRangeLocation,
    Observation,
    PointLocation,
    SourceKind,
)

RANGE_SIGMA_SHARE = 0.25
"""Least standard deviation of a distance estimated by ear, as a share of the distance."""
DEFAULT_SPEED_KM_S = 0.34
"""Speed of sound (km/s) when a report gives none (about 15 degrees C)."""
FIRE_BURN_S = 6 * 3600.0
"""How long before a satellite saw a fire the fighting that lit it may have been: fires
started by shelling burn for hours (the simulator draws 0.5-12 h)."""
REPORT_ONSET_SLACK_S = 120.0
"""Seconds by which the start of a reported window may miss the onset of what was heard
(minute rounding of the report, the sound's travel time aside)."""
FALLOFF_SOURCES = frozenset({SourceKind.ACOUSTIC, SourceKind.CAMERA})
"""Sensors whose wedge runs to their detection range: what they report is more likely
near than far (detection probability falls with distance)."""

LAUNCH, UNKNOWN, IMPACT = -1, 0, 1
IMPACT_SOURCES = frozenset({SourceKind.SATELLITE_THERMAL, SourceKind.PARTY_COMPLAINT})
"""Sources that report where fire landed: a fire detected from space burns where shells hit,
a complaint is filed by the party that was hit."""


@dataclass(frozen=True, eq=False)
class Measurements:
    """Parallel arrays, one row per observation (NaN where not measured).

    Positions are local-plane km (:mod:`trucewatch.geo.projection`), bearings grid
    radians clockwise from north, times UTC epoch seconds, speeds km/s.
    """

    ok: NDArray[np.bool_]
    reasons: dict[int, str]
    mean_xy: NDArray[np.float64]
    cov: NDArray[np.float64]
    observer_xy: NDArray[np.float64]
    observer_sigma_km: NDArray[np.float64]
    bearing_rad: NDArray[np.float64]
    bearing_sigma_rad: NDArray[np.float64]
    scale: NDArray[np.float64]
    range_km: NDArray[np.float64]
    range_sigma_km: NDArray[np.float64]
    range_max_km: NDArray[np.float64]
    arrival_s: NDArray[np.float64]
    arrival_sigma_s: NDArray[np.float64]
    speed_km_s: NDArray[np.float64]
    onset_lo: NDArray[np.float64]
    onset_hi: NDArray[np.float64]
    window_lo: NDArray[np.float64]
    window_hi: NDArray[np.float64]
    signature: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.ok.size)


def _epoch(t: datetime) -> float:
    return t.timestamp()


def _attr_float(o: Observation, key: str) -> float:
    v = o.attributes.get(key)
    if v is None or isinstance(v, bool):
        return np.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _arrival(o: Observation) -> float:
    raw = o.attributes.get("arrival_utc")
    if not isinstance(raw, str):
        return np.nan
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return np.nan


def signature_of(o: Observation) -> int:
    """-1 launch (muzzle blast or flash), +1 impact, 0 unknown: the sensor's own
    classification (attribute ``signature``), or impact for the sources in
    :data:`IMPACT_SOURCES`."""
    s = o.attributes.get("signature")
    if s == "launch":
        return LAUNCH
    if s == "impact" or o.source_kind in IMPACT_SOURCES:
        return IMPACT
    return UNKNOWN


def _onset(o: Observation, i: int, hi: float, arrival: NDArray, arrival_sigma: NDArray,
           speed: NDArray, onset_lo: NDArray, onset_hi: NDArray, w_lo: NDArray,
           w_hi: NDArray) -> None:  # fmt: skip
    """Fill row ``i``'s arrival time (arrays), onset interval (``hi``: the farthest the
    source can be, km) and, for a fire seen from space, the start of its window."""
    arrival[i] = _arrival(o)
    if np.isfinite(arrival[i]):
        arrival_sigma[i] = _attr_float(o, "time_sigma_s")
        c = _attr_float(o, "speed_of_sound_m_s")
        speed[i] = c / 1000.0 if np.isfinite(c) and c > 0 else DEFAULT_SPEED_KM_S
        travel = (hi if np.isfinite(hi) else 0.0) / speed[i]
        spread = 3.0 * (arrival_sigma[i] if np.isfinite(arrival_sigma[i]) else 0.1)
        onset_lo[i], onset_hi[i] = arrival[i] - travel - spread, arrival[i] + spread
    elif o.source_kind is SourceKind.CAMERA:
        onset_lo[i], onset_hi[i] = w_lo[i] - 1.0, w_lo[i] + 1.0
    elif o.source_kind is SourceKind.PATROL and np.isfinite(hi):
        onset_lo[i] = w_lo[i] - hi / DEFAULT_SPEED_KM_S - REPORT_ONSET_SLACK_S
        onset_hi[i] = w_lo[i] + REPORT_ONSET_SLACK_S
    elif o.source_kind is SourceKind.SATELLITE_THERMAL:
        # the fire was burning at the overpass; what lit it came up to FIRE_BURN_S before
        w_lo[i] -= FIRE_BURN_S
        onset_lo[i], onset_hi[i] = w_lo[i], w_hi[i]


def extract(observations: Sequence[Observation]) -> Measurements:
    """The measurements of a batch (vectorized where it matters: bearings and wedges)."""
    from trucewatch.localize import localize_one

    n = len(observations)
    f = lambda: np.full(n, np.nan)  # noqa: E731
    ok = np.ones(n, dtype=bool)
    reasons: dict[int, str] = {}
    mean_xy, cov = np.full((n, 2), np.nan), np.full((n, 2, 2), np.nan)
    obs_lon, obs_lat, obs_sigma = f(), f(), np.zeros(n)
    true_bearing, bearing_sigma, halfwidth = f(), f(), f()
    d_lo, d_hi, range_km, range_sigma, range_max = f(), f(), f(), f(), f()
    arrival, arrival_sigma, speed = f(), f(), np.full(n, DEFAULT_SPEED_KM_S)
    w_lo = np.array([_epoch(o.time_start) for o in observations], dtype=float)
    w_hi = np.array([_epoch(o.time_end) for o in observations], dtype=float)
    onset_lo, onset_hi = w_lo.copy(), w_hi.copy()
    signature = np.array([signature_of(o) for o in observations], dtype=np.int8)
    falloff = np.zeros(n, dtype=bool)
    pt_lon, pt_lat = f(), f()
    for i, o in enumerate(observations):
        loc = o.location
        sensor = loc if (isinstance(loc, BearingRangeLocation)
                         and isinstance(loc.observer, PointLocation)) else None  # fmt: skip
        hi = np.nan
        if sensor is not None:
            observer = sensor.observer
            assert isinstance(observer, PointLocation)
            obs_lon[i], obs_lat[i] = observer.lon, observer.lat
            oc = observer.cov_km2
            obs_sigma[i] = math.sqrt(max(0.0, (oc[0][0] + oc[1][1]) / 2.0))
            lo, hi = distance_range(o.kind, sensor.distance_km_min, sensor.distance_km_max)
        if sensor is None or len(sensor.bearings_deg) != 1:
            point = localize_one(o)
            if isinstance(point, Unresolved):
                ok[i] = False
                reasons[i] = point.reason
                continue
            pt_lon[i], pt_lat[i] = point.lon, point.lat  # a point measurement (its Gaussian)
            cov[i] = point.cov
        else:
            true_bearing[i] = sensor.bearings_deg[0]
            halfwidth[i] = sensor.bearing_halfwidth_deg
            sigma_deg = _attr_float(o, "bearing_sigma_deg")
            if not np.isfinite(sigma_deg):
                sigma_deg = sensor.bearing_halfwidth_deg / np.sqrt(3.0)
            bearing_sigma[i] = np.radians(sigma_deg)
            d_lo[i], d_hi[i] = lo, hi
            if o.source_kind in FALLOFF_SOURCES and (sensor.distance_km_min or 0.0) == 0.0:
                falloff[i] = True
                range_max[i] = hi
            else:
                mid = 0.5 * (lo + hi)
                range_km[i] = mid
                range_sigma[i] = max((hi - lo) / np.sqrt(12.0), RANGE_SIGMA_SHARE * mid)
        _onset(o, i, hi, arrival, arrival_sigma, speed, onset_lo, onset_hi, w_lo, w_hi)
    has_b = np.isfinite(true_bearing)
    grid_b, scale = f(), np.ones(n)
    if has_b.any():
        lon1, lat1, _ = GEOD.fwd(obs_lon[has_b], obs_lat[has_b], true_bearing[has_b],
                                 np.full(int(has_b.sum()), 1000.0))  # fmt: skip
        x0, y0 = to_local_km(obs_lon[has_b], obs_lat[has_b])
        x1, y1 = to_local_km(np.asarray(lon1), np.asarray(lat1))
        grid_b[has_b] = np.arctan2(x1 - x0, y1 - y0)
        scale[has_b] = np.hypot(x1 - x0, y1 - y0)
    ox, oy = to_local_km(obs_lon, obs_lat)
    observer_xy = np.column_stack([ox, oy])
    point = ok & ~has_b
    px, py = to_local_km(pt_lon[point], pt_lat[point])
    mean_xy[point] = np.column_stack([px, py])
    if has_b.any():
        m, c = wedge_moments(observer_xy[has_b], grid_b[has_b], np.radians(halfwidth[has_b]),
                             d_lo[has_b] * scale[has_b], d_hi[has_b] * scale[has_b],
                             falloff[has_b])  # fmt: skip
        mean_xy[has_b] = m
        cov[has_b] = c + (obs_sigma[has_b] ** 2)[:, None, None] * np.eye(2)
    return Measurements(
        ok=ok, reasons=reasons, mean_xy=mean_xy, cov=cov, observer_xy=observer_xy,
        observer_sigma_km=obs_sigma, bearing_rad=grid_b, bearing_sigma_rad=bearing_sigma,
        scale=scale, range_km=range_km, range_sigma_km=range_sigma, range_max_km=range_max,
        arrival_s=arrival, arrival_sigma_s=np.where(np.isfinite(arrival), np.nan_to_num(
            arrival_sigma, nan=0.1), np.nan), speed_km_s=speed,
        onset_lo=onset_lo, onset_hi=onset_hi, window_lo=w_lo, window_hi=w_hi,
        signature=signature,
    )  # fmt: skip

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
**onset interval**: when the event itself began (UTC epoch seconds), by its source kind's
onset rule (:class:`trucewatch.kinds.Onset`): sharp for cameras (the frame time) and arrays
(arrival minus at most the travel time), loose for reports that give a window, and for a
fire seen from space reaching back :data:`trucewatch.kinds.FIRE_BURN_S` before the
overpass (the shelling that lit it came earlier). Which sensors' wedges fall off with
distance and which kinds report impacts is their model's too
(:data:`trucewatch.kinds.SOURCE_KINDS`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from trucewatch.geo.projection import to_local_km
from trucewatch.kinds import SOURCE_KINDS, Onset
from trucewatch.localize import localize_one
from trucewatch.localize.geocode import Unresolved
from trucewatch.localize.wedge import GEOD, distance_range, wedge_moments
from trucewatch.types import BearingRangeLocation, Observation, PointLocation

RANGE_SIGMA_SHARE = 0.25
"""Least standard deviation of a distance estimated by ear, as a share of the distance."""
DEFAULT_SPEED_KM_S = 0.34
"""Speed of sound (km/s) when a report gives none (about 15 degrees C)."""
FRAME_ONSET_S = 1.0
"""Seconds either side of a frame time within which the event began (:attr:`Onset.FRAME`)."""
REPORT_ONSET_SLACK_S = 120.0
"""Seconds by which the start of a reported window may miss the onset of what was heard
(minute rounding of the report, the sound's travel time aside; :attr:`Onset.HEARD`)."""

LAUNCH, UNKNOWN, IMPACT = -1, 0, 1


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
    classification (attribute ``signature``), or impact for the kinds that report where fire
    landed (``reports_impact``: a fire seen from space burns where shells hit, a complaint
    is filed by the party that was hit)."""
    s = o.attributes.get("signature")
    if s == "launch":
        return LAUNCH
    if s == "impact" or SOURCE_KINDS[o.source_kind].reports_impact:
        return IMPACT
    return UNKNOWN


def _onset(o: Observation, i: int, hi: float, c: _Columns) -> None:
    """Fill row ``i``'s arrival time (arrays), onset interval (``hi``: the farthest the
    source can be, km) and, for kinds whose event may precede the report (a fire seen from
    space), the start of its window; by the kind's :class:`~trucewatch.kinds.Onset`."""
    c.arrival[i] = _arrival(o)
    model = SOURCE_KINDS[o.source_kind]
    if np.isfinite(c.arrival[i]):  # Onset.ARRIVAL, whatever the kind
        c.arrival_sigma[i] = _attr_float(o, "time_sigma_s")
        speed = _attr_float(o, "speed_of_sound_m_s")
        c.speed[i] = speed / 1000.0 if np.isfinite(speed) and speed > 0 else DEFAULT_SPEED_KM_S
        travel = (hi if np.isfinite(hi) else 0.0) / c.speed[i]
        spread = 3.0 * (c.arrival_sigma[i] if np.isfinite(c.arrival_sigma[i]) else 0.1)
        c.onset_lo[i], c.onset_hi[i] = c.arrival[i] - travel - spread, c.arrival[i] + spread
    elif model.onset is Onset.FRAME:
        c.onset_lo[i], c.onset_hi[i] = c.w_lo[i] - FRAME_ONSET_S, c.w_lo[i] + FRAME_ONSET_S
    elif model.onset is Onset.HEARD and np.isfinite(hi):
        c.onset_lo[i] = c.w_lo[i] - hi / DEFAULT_SPEED_KM_S - REPORT_ONSET_SLACK_S
        c.onset_hi[i] = c.w_lo[i] + REPORT_ONSET_SLACK_S
    elif model.onset_lookback_s:
        # e.g. the fire was burning at the overpass; what lit it came up to 6 h before
        c.w_lo[i] -= model.onset_lookback_s
        c.onset_lo[i], c.onset_hi[i] = c.w_lo[i], c.w_hi[i]


class _Columns:
    """The arrays :func:`extract` fills row by row (NaN where not measured); positions in
    WGS84 degrees until :meth:`measurements` projects them."""

    def __init__(self, observations: Sequence[Observation]) -> None:
        n = len(observations)
        self.n = n
        self.ok = np.ones(n, dtype=bool)
        self.reasons: dict[int, str] = {}
        self.cov = np.full((n, 2, 2), np.nan)
        self.obs_lon, self.obs_lat, self.obs_sigma = self.nan(), self.nan(), np.zeros(n)
        self.true_bearing, self.bearing_sigma, self.halfwidth = self.nan(), self.nan(), self.nan()
        self.d_lo, self.d_hi = self.nan(), self.nan()
        self.range_km, self.range_sigma, self.range_max = self.nan(), self.nan(), self.nan()
        self.arrival, self.arrival_sigma = self.nan(), self.nan()
        self.speed = np.full(n, DEFAULT_SPEED_KM_S)
        self.w_lo = np.array([_epoch(o.time_start) for o in observations], dtype=float)
        self.w_hi = np.array([_epoch(o.time_end) for o in observations], dtype=float)
        self.onset_lo, self.onset_hi = self.w_lo.copy(), self.w_hi.copy()
        self.signature = np.array([signature_of(o) for o in observations], dtype=np.int8)
        self.falloff = np.zeros(n, dtype=bool)
        self.pt_lon, self.pt_lat = self.nan(), self.nan()

    def nan(self) -> NDArray[np.float64]:
        return np.full(self.n, np.nan)

    def read(self, i: int, o: Observation) -> None:
        """Row ``i``: a single bearing with its distance range, or a point; then the
        onset."""
        loc = o.location
        sensor = loc if (isinstance(loc, BearingRangeLocation)
                         and isinstance(loc.observer, PointLocation)) else None  # fmt: skip
        lo = hi = np.nan
        if sensor is not None:
            observer = sensor.observer
            assert isinstance(observer, PointLocation)
            self.obs_lon[i], self.obs_lat[i] = observer.lon, observer.lat
            oc = observer.cov_km2
            self.obs_sigma[i] = math.sqrt(max(0.0, (oc[0][0] + oc[1][1]) / 2.0))
            lo, hi = distance_range(o.kind, sensor.distance_km_min, sensor.distance_km_max)
        if sensor is None or len(sensor.bearings_deg) != 1:
            if not self._point(i, o):
                return
        else:
            self._bearing(i, o, sensor, lo, hi)
        _onset(o, i, hi, self)

    def _point(self, i: int, o: Observation) -> bool:
        """A point measurement (its Gaussian); False when it cannot be located."""
        point = localize_one(o)
        if isinstance(point, Unresolved):
            self.ok[i] = False
            self.reasons[i] = point.reason
            return False
        self.pt_lon[i], self.pt_lat[i] = point.lon, point.lat
        self.cov[i] = point.cov
        return True

    def _bearing(self, i: int, o: Observation, sensor: BearingRangeLocation, lo: float,
                 hi: float) -> None:  # fmt: skip
        """One bearing, and a range (a listener's estimate) or a range limit (a sensor
        whose detection falls off with distance, reporting no distance)."""
        self.true_bearing[i] = sensor.bearings_deg[0]
        self.halfwidth[i] = sensor.bearing_halfwidth_deg
        sigma_deg = _attr_float(o, "bearing_sigma_deg")
        if not np.isfinite(sigma_deg):
            sigma_deg = sensor.bearing_halfwidth_deg / np.sqrt(3.0)
        self.bearing_sigma[i] = np.radians(sigma_deg)
        self.d_lo[i], self.d_hi[i] = lo, hi
        if SOURCE_KINDS[o.source_kind].range_falloff and (sensor.distance_km_min or 0.0) == 0.0:
            self.falloff[i] = True
            self.range_max[i] = hi
        else:
            mid = 0.5 * (lo + hi)
            self.range_km[i] = mid
            self.range_sigma[i] = max((hi - lo) / np.sqrt(12.0), RANGE_SIGMA_SHARE * mid)

    def measurements(self) -> Measurements:
        """Project to the local plane: grid bearings and scales, the Gaussian summaries."""
        n, has_b = self.n, np.isfinite(self.true_bearing)
        grid_b, scale = self.nan(), np.ones(n)
        if has_b.any():
            lon1, lat1, _ = GEOD.fwd(self.obs_lon[has_b], self.obs_lat[has_b],
                                     self.true_bearing[has_b],
                                     np.full(int(has_b.sum()), 1000.0))  # fmt: skip
            x0, y0 = to_local_km(self.obs_lon[has_b], self.obs_lat[has_b])
            x1, y1 = to_local_km(np.asarray(lon1), np.asarray(lat1))
            grid_b[has_b] = np.arctan2(x1 - x0, y1 - y0)
            scale[has_b] = np.hypot(x1 - x0, y1 - y0)
        ox, oy = to_local_km(self.obs_lon, self.obs_lat)
        observer_xy = np.column_stack([ox, oy])
        mean_xy, cov = np.full((n, 2), np.nan), self.cov
        point = self.ok & ~has_b
        px, py = to_local_km(self.pt_lon[point], self.pt_lat[point])
        mean_xy[point] = np.column_stack([px, py])
        if has_b.any():
            m, c = wedge_moments(observer_xy[has_b], grid_b[has_b],
                                 np.radians(self.halfwidth[has_b]),
                                 self.d_lo[has_b] * scale[has_b], self.d_hi[has_b] * scale[has_b],
                                 self.falloff[has_b])  # fmt: skip
            mean_xy[has_b] = m
            cov[has_b] = c + (self.obs_sigma[has_b] ** 2)[:, None, None] * np.eye(2)
        arrival_sigma = np.where(np.isfinite(self.arrival),
                                 np.nan_to_num(self.arrival_sigma, nan=0.1), np.nan)  # fmt: skip
        return Measurements(
            ok=self.ok, reasons=self.reasons, mean_xy=mean_xy, cov=cov,
            observer_xy=observer_xy, observer_sigma_km=self.obs_sigma, bearing_rad=grid_b,
            bearing_sigma_rad=self.bearing_sigma, scale=scale, range_km=self.range_km,
            range_sigma_km=self.range_sigma, range_max_km=self.range_max,
            arrival_s=self.arrival, arrival_sigma_s=arrival_sigma, speed_km_s=self.speed,
            onset_lo=self.onset_lo, onset_hi=self.onset_hi, window_lo=self.w_lo,
            window_hi=self.w_hi, signature=self.signature,
        )  # fmt: skip


def extract(observations: Sequence[Observation]) -> Measurements:
    """The measurements of a batch (vectorized where it matters: bearings and wedges)."""
    columns = _Columns(observations)
    for i, o in enumerate(observations):
        columns.read(i, o)
    return columns.measurements()

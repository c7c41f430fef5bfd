"""A single observer's bearing(s) and distance range summarized as a Gaussian.

A patrol that hears explosions "3-6 km north-west" of its position knows the event lies in
an annular wedge, not at a point. We summarize the wedge (or the union of wedges for
several directions) by the mean and covariance of a uniform distribution over its area,
plus the observer's own position uncertainty. The covariance is honest: a 45-degree wedge
3-6 km away has a standard deviation of about 1.5 km across and 0.9 km along the bearing.

Geometry is geodesic: sample points are placed with ``pyproj.Geod.fwd`` on the WGS84
ellipsoid (azimuth in degrees clockwise from true north, distance in metres) and then
projected to the local metric plane (km) of :mod:`trucewatch.geo.projection`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from trucewatch.geo.projection import to_local_km, to_lonlat
from trucewatch.types import EventKind

GEOD = Geod(ellps="WGS84")

N_ANGLES = 9
"""Sample angles per wedge (across the bearing sector)."""
N_RADII = 7
"""Sample radii per wedge (along the distance range)."""

DEFAULT_DISTANCE_KM: dict[EventKind, tuple[float, float]] = {
    EventKind.SMALL_ARMS: (0.1, 2.0),
    EventKind.SHOT: (0.1, 2.0),
    EventKind.BURST: (0.1, 2.0),
    EventKind.GRENADE: (0.05, 1.0),
    EventKind.FLARE: (0.5, 5.0),
    EventKind.MORTAR: (1.0, 7.0),
    EventKind.ARTILLERY: (2.0, 15.0),
    EventKind.PROJECTILE: (1.0, 10.0),
    EventKind.EXPLOSION: (0.5, 10.0),
    EventKind.UNDETERMINED: (0.5, 10.0),
}
"""Distance range (km) assumed when a report gives none: what a listener can hear of that
kind of fire (small arms up to ~2 km, explosions up to ~10 km)."""


@dataclass(frozen=True)
class WedgeEstimate:
    """Mean position (WGS84 degrees and local km) and covariance (km², east/north)."""

    lon: float
    lat: float
    x_km: float
    y_km: float
    cov_km2: np.ndarray


def distance_range(
    kind: EventKind, d_min: float | None, d_max: float | None
) -> tuple[float, float]:
    """The distance range in km, filled from :data:`DEFAULT_DISTANCE_KM` when missing.

    A single reported distance (``d_min == d_max``) is widened by +-30%: estimates of
    distance by ear are rarely better than that.
    """
    default = DEFAULT_DISTANCE_KM.get(kind, (0.5, 10.0))
    lo = default[0] if d_min is None else float(d_min)
    hi = default[1] if d_max is None else float(d_max)
    if d_min is not None and d_max is None:
        hi = max(lo * 1.3, lo + 0.05)
    if d_max is not None and d_min is None:
        lo = hi * 0.7
    if hi <= lo:
        lo, hi = lo * 0.7, max(hi * 1.3, lo * 0.7 + 0.05)
    return lo, hi


def wedge_estimate(
    observer_lon: float,
    observer_lat: float,
    observer_cov_km2: np.ndarray,
    bearings_deg: tuple[float, ...],
    halfwidth_deg: float,
    d_min_km: float,
    d_max_km: float,
) -> WedgeEstimate:
    """Gaussian summary of the union of annular wedges around an observer.

    Parameters
    ----------
    observer_lon, observer_lat : WGS84 degrees.
    observer_cov_km2 : 2x2 covariance of the observer position (km², east/north).
    bearings_deg : centre bearing of each wedge, degrees clockwise from true north.
    halfwidth_deg : half-width of each wedge in degrees.
    d_min_km, d_max_km : distance range in km (0 <= d_min < d_max).
    """
    if not bearings_deg:
        bearings_deg = (0.0,)
        halfwidth_deg = 180.0
    offsets = np.linspace(-halfwidth_deg, halfwidth_deg, N_ANGLES)
    azimuths = (np.asarray(bearings_deg, dtype=float)[:, None] + offsets[None, :]).ravel()
    # radii placed so that samples are uniform in area: r = sqrt(u (b²-a²) + a²)
    u = (np.arange(N_RADII) + 0.5) / N_RADII
    radii = np.sqrt(u * (d_max_km**2 - d_min_km**2) + d_min_km**2)
    az, rr = np.meshgrid(azimuths, radii, indexing="ij")
    lon0 = np.full(az.size, observer_lon)
    lat0 = np.full(az.size, observer_lat)
    lons, lats, _ = GEOD.fwd(lon0, lat0, az.ravel(), rr.ravel() * 1000.0)
    x, y = to_local_km(np.asarray(lons), np.asarray(lats))
    pts = np.column_stack([x, y])
    mean = pts.mean(axis=0)
    cov = np.cov(pts, rowvar=False, bias=True) + np.asarray(observer_cov_km2, dtype=float)
    lon, lat = to_lonlat(np.array([mean[0]]), np.array([mean[1]]))
    return WedgeEstimate(
        lon=float(lon[0]), lat=float(lat[0]), x_km=float(mean[0]), y_km=float(mean[1]),
        cov_km2=cov,
    )


def _radial_moment(k: int, a: np.ndarray, b: np.ndarray, falloff: np.ndarray) -> np.ndarray:
    """Unnormalized ``E[r^k]`` over [a, b] with density ``r`` (uniform in area), times
    ``(1 - r / b)`` where ``falloff``."""
    uniform = (b ** (k + 2) - a ** (k + 2)) / (k + 2)
    tail = (b ** (k + 3) - a ** (k + 3)) / ((k + 3) * np.maximum(b, 1e-12))
    return np.where(falloff, uniform - tail, uniform)


def wedge_moments(
    observer_xy: np.ndarray,
    bearing_rad: np.ndarray,
    halfwidth_rad: np.ndarray,
    d_min_km: np.ndarray,
    d_max_km: np.ndarray,
    falloff: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (n, 2) and covariance (n, 2, 2) of n wedges on the local plane (km), in closed
    form.

    ``bearing_rad`` are grid bearings (clockwise from the plane's north), distances are
    plane distances (km). The distribution is uniform in angle over the bearing +- the
    half-width and, in range, uniform in area (density ``r``) or, where ``falloff`` is
    set, weighted by ``1 - r / d_max`` (a sensor whose detection probability falls
    linearly to zero at its range: what it reports is more often near than far). With
    ``u`` along the bearing and ``v`` across it: ``E[u] = E[r] sin(a) / a``,
    ``E[u^2] = E[r^2] (1/2 + sin(2a) / 4a)``, ``E[v^2] = E[r^2] (1/2 - sin(2a) / 4a)``.
    """
    lo, hi = np.asarray(d_min_km, float), np.asarray(d_max_km, float)
    fall = np.asarray(falloff, dtype=bool)
    alpha = np.clip(np.asarray(halfwidth_rad, float), 1e-9, np.pi)
    m0 = _radial_moment(0, lo, hi, fall)
    er = _radial_moment(1, lo, hi, fall) / m0
    er2 = _radial_moment(2, lo, hi, fall) / m0
    sinc = np.sin(alpha) / alpha
    sinc2 = np.sin(2.0 * alpha) / (4.0 * alpha)
    eu = er * sinc
    var_u = np.maximum(er2 * (0.5 + sinc2) - eu**2, 0.0)
    var_v = np.maximum(er2 * (0.5 - sinc2), 0.0)
    e = np.column_stack([np.sin(bearing_rad), np.cos(bearing_rad)])
    nrm = np.column_stack([np.cos(bearing_rad), -np.sin(bearing_rad)])
    cov = (var_u[:, None, None] * e[:, :, None] * e[:, None, :]
           + var_v[:, None, None] * nrm[:, :, None] * nrm[:, None, :])  # fmt: skip
    return observer_xy + eu[:, None] * e, cov

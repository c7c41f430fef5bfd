"""Localization: every observation's location form becomes a point with a covariance.

* point (satellite pixel, located report): taken as it is;
* observer + bearing(s) + distance range (patrol): the wedge's mean and covariance
  (:mod:`trucewatch.localize.wedge`), never a precise point;
* place name: geocoded with its stated uncertainty (:mod:`trucewatch.localize.geocode`),
  and a patrol whose position is a place name gets its wedge around the geocoded place.

Outputs are arrays in the local metric plane (km) of :mod:`trucewatch.geo.projection`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trucewatch.geo.projection import to_local_km
from trucewatch.localize.geocode import Unresolved, resolve_place
from trucewatch.localize.wedge import distance_range, wedge_estimate
from trucewatch.types import (
    BearingRangeLocation,
    Observation,
    PlaceLocation,
    PointLocation,
)

__all__ = ["Localized", "Unresolved", "localize", "localize_one"]


@dataclass(frozen=True)
class Localized:
    """Localized observations, as parallel arrays (n = number of input observations).

    ``ok`` marks observations that could be placed; for the others ``reasons`` says why.
    ``lon``/``lat`` WGS84 degrees, ``xy_km`` (n, 2) local plane km, ``cov_km2`` (n, 2, 2).
    """

    ok: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    xy_km: np.ndarray
    cov_km2: np.ndarray
    reasons: dict[int, str]


def localize_one(obs: Observation) -> PointLocation | Unresolved:
    """The location of one observation as a point with covariance, or why it has none."""
    loc = obs.location
    if isinstance(loc, PointLocation):
        return loc
    if isinstance(loc, PlaceLocation):
        return resolve_place(loc)
    return _localize_wedge(obs, loc)


def _localize_wedge(obs: Observation, loc: BearingRangeLocation) -> PointLocation | Unresolved:
    observer = loc.observer
    if isinstance(observer, PlaceLocation):
        resolved = resolve_place(observer)
        if isinstance(resolved, Unresolved):
            return resolved
        observer = resolved
    d_min, d_max = distance_range(obs.kind, loc.distance_km_min, loc.distance_km_max)
    est = wedge_estimate(
        observer.lon, observer.lat, observer.cov, loc.bearings_deg,
        loc.bearing_halfwidth_deg, d_min, d_max,
    )
    return PointLocation.from_cov(est.lon, est.lat, est.cov_km2)


def localize(observations: Sequence[Observation]) -> Localized:
    """Localize a batch. Point locations are handled vectorized; others one by one."""
    n = len(observations)
    ok = np.ones(n, dtype=bool)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    cov = np.full((n, 2, 2), np.nan)
    reasons: dict[int, str] = {}
    for i, obs in enumerate(observations):
        loc = localize_one(obs)
        if isinstance(loc, Unresolved):
            ok[i] = False
            reasons[i] = loc.reason
            continue
        lon[i], lat[i] = loc.lon, loc.lat
        cov[i] = loc.cov_km2
    x, y = to_local_km(lon, lat)
    return Localized(
        ok=ok, lon=lon, lat=lat, xy_km=np.column_stack([x, y]), cov_km2=cov, reasons=reasons
    )

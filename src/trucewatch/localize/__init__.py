"""Localization of one observation as a point with a covariance (its Gaussian summary).

The fusion engine works from raw measurements (:mod:`trucewatch.localize.measurements`,
:mod:`trucewatch.localize.solve`); this module summarizes one report on its own, for the
forms that have no single bearing (points, places, several compass directions) and for
the narrative parser:

* point (satellite pixel, located report): taken as it is;
* observer + bearing(s) + distance range (patrol): the wedge's mean and covariance
  (:mod:`trucewatch.localize.wedge`), never a precise point;
* place name: geocoded with its stated uncertainty (:mod:`trucewatch.localize.geocode`),
  and a patrol whose position is a place name gets its wedge around the geocoded place;
* an observer position that could not be read (:class:`~trucewatch.types.UnlocatedPosition`):
  no point, never a guessed one (:class:`~trucewatch.localize.geocode.Unresolved`).

Covariances are km² on the local east/north plane of :mod:`trucewatch.geo.projection`.
"""

from __future__ import annotations

from trucewatch.localize.geocode import Unresolved, resolve_place
from trucewatch.localize.wedge import distance_range, wedge_estimate
from trucewatch.types import (
    BearingRangeLocation,
    Observation,
    PlaceLocation,
    PointLocation,
    UnlocatedPosition,
)

__all__ = ["Unresolved", "localize_one"]


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
    if isinstance(observer, UnlocatedPosition):
        return Unresolved(place="", reason=f"observer position not read ({observer.reason})")
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

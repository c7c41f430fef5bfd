"""Place names ("3km west of Yasynuvata", "Donetsk central railway station (8km north-west
of Donetsk)") to a position with an uncertainty, using the gazetteer of
:mod:`trucewatch.geo.gazetteer`.

The uncertainty is stated, not hidden: a named settlement is known to about the size of the
settlement (1-5 km by population); an offset "N km <direction> of X" adds the error of an
estimated distance (about 15% of N) and of a 16-point compass direction (11.25 degrees).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from trucewatch.geo.gazetteer import find_place
from trucewatch.types import PlaceLocation, PointLocation, compass_to_bearing

GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Unresolved:
    """A place that could not be resolved, with the reason (falsy: "no match" is a value)."""

    place: str
    reason: str

    def __bool__(self) -> bool:
        return False


def settlement_sigma_km(population: float | None) -> float:
    """Position standard deviation (km) of a settlement known only by name: its radius,
    roughly 1 km for a village up to ~5 km for a city of a million."""
    if not population or population <= 0:
        return 2.0
    return float(min(5.0, max(1.0, 0.5 * math.log10(population) - 1.0)))


def resolve_place(loc: PlaceLocation) -> PointLocation | Unresolved:
    """Resolve a place, preferring the reference settlement ``ref_of`` with its offset."""
    for name in (loc.ref_of, loc.place):
        if not name:
            continue
        hit = find_place(name)
        if hit is None:
            continue
        sigma = settlement_sigma_km(hit.population)
        if name == loc.ref_of and loc.ref_km:
            return _offset(hit.lon, hit.lat, sigma, float(loc.ref_km), loc.ref_direction)
        return PointLocation.isotropic(hit.lon, hit.lat, sigma)
    return Unresolved(place=loc.place, reason=f"no gazetteer match for {loc.ref_of or loc.place!r}")


def _offset(
    lon: float, lat: float, sigma_km: float, km: float, direction: str | None
) -> PointLocation:
    """Move ``km`` towards a compass ``direction`` and widen the uncertainty accordingly."""
    if direction is None:
        # distance without direction: anywhere on a circle of radius km
        return PointLocation.isotropic(lon, lat, math.hypot(sigma_km, km / math.sqrt(2.0)))
    try:
        bearing = compass_to_bearing(direction)
    except ValueError:
        return PointLocation.isotropic(lon, lat, math.hypot(sigma_km, km / math.sqrt(2.0)))
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, km * 1000.0)
    along = 0.15 * km
    across = km * math.radians(11.25)
    b = math.radians(bearing)
    u = np.array([math.sin(b), math.cos(b)])  # unit vector east/north along the bearing
    v = np.array([u[1], -u[0]])
    cov = along**2 * np.outer(u, u) + across**2 * np.outer(v, v) + sigma_km**2 * np.eye(2)
    return PointLocation.from_cov(lon2, lat2, cov)

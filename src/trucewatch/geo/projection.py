"""The local metric plane of trucewatch and geodesic lengths.

All metric geometry work (buffers, distances, simplification, nearest-neighbour search) is
done in one local projected CRS, :data:`LOCAL_CRS`: a Lambert azimuthal equal-area
projection on the WGS84 ellipsoid centred at 48.5° N, 32.0° E (central Ukraine), with
coordinates in metres (the public functions here speak kilometres).

Distortion, computed with :meth:`pyproj.Proj.get_factors` (Tissot indicatrix):

* area: exact (equal-area projection);
* linear scale: within ±0.17 % over Ukraine (the Tissot semi-axes stay between 0.9984
  and 1.0016), so a distance of 50 km is right to within 85 m anywhere in the country;
  up to ±0.24 % at the far corners of the box 22-40.3° E, 44.3-52.4° N;
* angles: at most 0.18° of angular distortion over Ukraine (0.28° in the box corners);
* grid north differs from true north by the meridian convergence, up to ±7.3° at the
  eastern and western ends of Ukraine (about 4° at Donetsk). Use
  :func:`grid_convergence_deg` to turn a true bearing into a grid bearing when the plane
  is used as an east/north frame far from 32° E.

Coordinates in and out are WGS84 longitude/latitude in degrees (EPSG:4326, lon first).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Geod, Proj, Transformer
from shapely.geometry.base import BaseGeometry

from trucewatch.units import WGS84_ELLIPSOID

__all__ = [
    "GEOD",
    "LOCAL_CRS",
    "LOCAL_PROJ4",
    "geodesic_length_km",
    "geom_to_lonlat",
    "geom_to_metric",
    "grid_convergence_deg",
    "to_local_km",
    "to_local_m",
    "to_lonlat",
    "to_lonlat_from_m",
]

LOCAL_PROJ4: Final[str] = (
    "+proj=laea +lat_0=48.5 +lon_0=32 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
"""PROJ string of the local metric CRS (metres)."""

LOCAL_CRS: Final[CRS] = CRS.from_proj4(LOCAL_PROJ4)
"""The local metric CRS (Lambert azimuthal equal-area centred on 48.5° N 32° E, metres)."""

GEOD: Final[Geod] = Geod(ellps=WGS84_ELLIPSOID)
"""WGS84 ellipsoid for geodesic computations."""



@lru_cache(maxsize=1)
def _forward() -> Transformer:
    """Cached transformer WGS84 lon/lat (degrees) -> local plane (metres)."""
    return Transformer.from_crs(CRS.from_epsg(4326), LOCAL_CRS, always_xy=True)


@lru_cache(maxsize=1)
def _inverse() -> Transformer:
    """Cached transformer local plane (metres) -> WGS84 lon/lat (degrees)."""
    return Transformer.from_crs(LOCAL_CRS, CRS.from_epsg(4326), always_xy=True)


@lru_cache(maxsize=1)
def _proj() -> Proj:
    return Proj(LOCAL_PROJ4)


def _as_float_arrays(a: ArrayLike, b: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    return np.broadcast_arrays(a_arr, b_arr)  # type: ignore[return-value]


def to_local_m(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project WGS84 lon/lat (degrees) to the local plane in metres.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude in degrees (broadcast together).

    Returns
    -------
    x_m, y_m : ndarray
        Easting and northing in metres in :data:`LOCAL_CRS`, same shape as the input.
    """
    lon_a, lat_a = _as_float_arrays(lon, lat)
    x, y = _forward().transform(lon_a, lat_a)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def to_lonlat_from_m(
    x_m: ArrayLike, y_m: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse of :func:`to_local_m`: local plane (metres) to WGS84 lon/lat (degrees)."""
    x_a, y_a = _as_float_arrays(x_m, y_m)
    lon, lat = _inverse().transform(x_a, y_a)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def to_local_km(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Project WGS84 lon/lat (degrees) to the local plane in kilometres.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 longitude and latitude in degrees (EPSG:4326); scalars or arrays that
        broadcast together.

    Returns
    -------
    x_km, y_km : ndarray of float64
        Easting and northing in km in :data:`LOCAL_CRS` (origin 48.5° N 32° E). The scale
        error is below 0.17 % over Ukraine; the y axis is grid north (see
        :func:`grid_convergence_deg`).

    Examples
    --------
    >>> x, y = to_local_km(32.0, 48.5)
    >>> float(abs(x)) < 1e-9 and float(abs(y)) < 1e-9
    True
    """
    x, y = to_local_m(lon, lat)
    return x / 1000.0, y / 1000.0


def to_lonlat(x_km: ArrayLike, y_km: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Inverse of :func:`to_local_km`.

    Parameters
    ----------
    x_km, y_km : array_like
        Easting and northing in km in :data:`LOCAL_CRS`.

    Returns
    -------
    lon, lat : ndarray of float64
        WGS84 longitude and latitude in degrees.
    """
    x_a, y_a = _as_float_arrays(x_km, y_km)
    return to_lonlat_from_m(x_a * 1000.0, y_a * 1000.0)


def grid_convergence_deg(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    """Meridian convergence of :data:`LOCAL_CRS` at WGS84 points (degrees).

    The angle from true north to grid north (the local +y axis), PROJ's convention: a true
    bearing ``b`` points along the grid bearing ``b - grid_convergence_deg(lon, lat)`` in
    the local plane (both in degrees clockwise). It is 0 on the central meridian (32° E)
    and grows to about ±7.3° at the eastern and western ends of Ukraine.
    """
    lon_a, lat_a = _as_float_arrays(lon, lat)
    factors = _proj().get_factors(lon_a, lat_a)
    return np.asarray(factors.meridian_convergence, dtype=np.float64)


def geom_to_metric(geom: BaseGeometry) -> BaseGeometry:
    """Project a shapely geometry from WGS84 lon/lat to :data:`LOCAL_CRS` (metres)."""

    def fwd(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = _forward().transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fwd)


def geom_to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Project a shapely geometry from :data:`LOCAL_CRS` (metres) to WGS84 lon/lat."""

    def inv(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = _inverse().transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, inv)


def geodesic_length_km(geom: BaseGeometry) -> float:
    """Geodesic length of a WGS84 geometry on the WGS84 ellipsoid, in km.

    Parameters
    ----------
    geom : shapely geometry
        In WGS84 lon/lat degrees. For polygons the perimeter (all rings) is measured; for
        collections the sum over parts. Points and empty geometries have length 0.

    Returns
    -------
    float
        Length in kilometres (:meth:`pyproj.Geod.geometry_length`).
    """
    if geom is None or geom.is_empty:
        return 0.0
    return float(GEOD.geometry_length(geom)) / 1000.0

"""Geometry helpers of the map: WKT parsing, line and polygon parts, ellipses, scale lengths.

Uncertainty ellipses are computed in km in the local tangent plane of each incident and
converted to degrees at that incident's latitude.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from trucewatch.types import ellipse_axes
from trucewatch.units import KM_PER_DEG


def parse_wkt(wkt: str | None) -> BaseGeometry | None:
    """The geometry of ``wkt``, or None when it is missing, invalid WKT or empty."""
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException:
        return None
    if geom is None or geom.is_empty:
        return None
    return geom


def lines_of(geom: BaseGeometry | None) -> list[np.ndarray]:
    """Coordinate arrays of every line part (LineString, rings of polygons ignored)."""
    if geom is None or geom.is_empty:
        return []
    out = []
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.LineString | shapely.LinearRing):
            xy = shapely.get_coordinates(part)
            if len(xy) >= 2:
                out.append(xy)
        elif isinstance(part, shapely.MultiLineString | shapely.GeometryCollection):
            out.extend(lines_of(part))
    return out


def polygons_of(geom: BaseGeometry | None) -> list[shapely.Polygon]:
    """Every non-empty polygon part of ``geom``."""
    if geom is None or geom.is_empty:
        return []
    out: list[shapely.Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            if not part.is_empty:
                out.append(part)
        elif isinstance(part, shapely.MultiPolygon | shapely.GeometryCollection):
            out.extend(polygons_of(part))
    return out


def polygon_path(polys: Sequence[shapely.Polygon]) -> MplPath | None:
    """One compound path; exteriors counter-clockwise, holes clockwise (nonzero fill)."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        poly = orient(poly, sign=1.0)
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def nice_length(km: float) -> float:
    """A round scale-bar length not larger than ``km``."""
    if km <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(km))
    for m in (5, 2, 1):
        if m * exp <= km:
            return float(m * exp)
    return float(exp)


def perp_segment(pt: np.ndarray, nxt: np.ndarray, coslat0: float, half: float) -> np.ndarray:
    """A short segment through ``pt`` perpendicular to the direction ``pt -> nxt``."""
    v = np.array([(nxt[0] - pt[0]) * coslat0, nxt[1] - pt[1]])
    n = float(np.hypot(*v))
    u = np.array([0.0, 1.0]) if n == 0 else np.array([-v[1], v[0]]) / n
    off = np.array([u[0] * half / coslat0, u[1] * half])
    return np.array([pt - off, pt + off])


def ellipse_vertices(
    lon: np.ndarray, lat: np.ndarray, cov_km2: np.ndarray, n_vertices: int = 48
) -> np.ndarray:
    """Vertices (n, n_vertices, 2) in lon/lat of the 95 % ellipses of ``cov_km2``
    (n, 2, 2), east/north km², offset from each centre at :data:`KM_PER_DEG`."""
    semi, vecs = ellipse_axes(cov_km2)  # (n, 2) km, (n, 2, 2)
    t = np.linspace(0.0, 2.0 * np.pi, n_vertices)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, m)
    pts = vecs @ (semi[:, :, None] * circle[None, :, :])  # (n, 2, m): east, north km
    coslat = np.clip(np.cos(np.radians(lat)), 1e-6, None)
    dlon = pts[:, 0, :] / (KM_PER_DEG * coslat[:, None])
    dlat = pts[:, 1, :] / KM_PER_DEG
    return np.stack([lon[:, None] + dlon, lat[:, None] + dlat], axis=-1)


def semi_major_km(cov_km2: np.ndarray) -> np.ndarray:
    """Semi-major axis (km) of the 95 % ellipse of each covariance (n, 2, 2)."""
    if len(cov_km2) == 0:
        return np.zeros(0)
    return ellipse_axes(cov_km2)[0][:, 1]

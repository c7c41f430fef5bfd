"""Cutting a line of contact into named sectors of about equal length.

Each part of the line (a LineString of a MultiLineString, in the order given) is cut into
``n = max(1, round(L / target_km))`` pieces of equal geodesic length ``L / n``: a part
shorter than ``1.5 * target_km`` is one sector, and there is no short remainder (the
remainder of a cut at exactly ``target_km`` is spread over the pieces of the part). With
the default 50 km every sector of a part longer than 75 km is between 37.5 and 75 km
long. Sectors are numbered in order along the line: part by part, and along each part in
its direction. ``start_km``/``end_km`` are geodesic distances along the line, summed over
the parts in order, on the WGS84 ellipsoid.

A sector is named after a settlement near its midpoint (the most populous settlement of
Ukraine within ``name_radius_km``, else the nearest one, from
:mod:`trucewatch.geo.gazetteer`); repeated names get a suffix (" 2", " 3", ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.gazetteer import Gazetteer, largest_place_near
from trucewatch.geo.projection import GEOD, to_local_m, to_lonlat_from_m
from trucewatch.geo.shapes import line_parts
from trucewatch.types import Sector

__all__ = ["DEFAULT_TARGET_KM", "SectorPiece", "cut_part", "cut_sectors", "unique_names"]

DEFAULT_TARGET_KM = 50.0
"""Default sector length (km)."""


@dataclass(frozen=True, kw_only=True)
class SectorPiece:
    """A sector of a line: its order, name, extent along the line and geometry.

    Attributes
    ----------
    index : int
        0-based position along the line (part by part, in each part's direction).
    name : str
        Unique name, after a settlement near the midpoint.
    start_km, end_km : float
        Geodesic distance along the line (km, summed over parts in order).
    geometry : LineString
        The stretch of the line, WGS84 lon/lat.
    part : int
        Index of the part of the line the sector lies on.
    """

    index: int
    name: str
    start_km: float
    end_km: float
    geometry: LineString
    part: int = 0

    @property
    def length_km(self) -> float:
        """Length of the sector along the line (km)."""
        return self.end_km - self.start_km

    def to_sector(self, line_id: int) -> Sector:
        """The storable :class:`trucewatch.types.Sector` of this piece."""
        return Sector(
            line_id=line_id,
            index=self.index,
            name=self.name,
            start_km=self.start_km,
            end_km=self.end_km,
            geometry_wkt=self.geometry.wkt,
        )

    @classmethod
    def from_sector(cls, sector: Sector, part: int = 0) -> SectorPiece:
        """Rebuild a piece from a stored :class:`trucewatch.types.Sector`."""
        geom = shapely.from_wkt(sector.geometry_wkt)
        parts = line_parts(geom)
        if not parts:
            raise ValueError(f"sector {sector.name!r} has no line geometry")
        line = parts[0] if len(parts) == 1 else shapely.line_merge(MultiLineString(parts))
        if not isinstance(line, LineString):  # a stored sector that is not one piece
            line = max(line_parts(line), key=lambda p: p.length)
        return cls(
            index=sector.index,
            name=sector.name,
            start_km=sector.start_km,
            end_km=sector.end_km,
            geometry=line,
            part=part,
        )


def _cumulative_km(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cumulative geodesic distance (km) at each vertex of a lon/lat polyline."""
    if lon.size < 2:
        return np.zeros(lon.size)
    _, _, dist_m = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.concatenate([[0.0], np.cumsum(np.asarray(dist_m, dtype=np.float64) / 1000.0)])


def cut_part(part: LineString, n: int) -> tuple[list[LineString], NDArray[np.float64]]:
    """Cut a WGS84 LineString into ``n`` pieces of equal geodesic length.

    Cut points are interpolated linearly in the local metric plane within the segment
    that holds them (the error against a true geodesic is far below a metre for
    segments of a few km).

    Returns
    -------
    pieces : list of LineString
        WGS84 pieces, in order along the part; consecutive pieces share their cut point.
    bounds_km : ndarray, shape (n + 1,)
        Geodesic distance (km) from the part's start of each cut, 0 and the length.
    """
    xy = np.asarray(part.coords, dtype=np.float64)[:, :2]
    lon, lat = xy[:, 0], xy[:, 1]
    cum = _cumulative_km(lon, lat)
    total = float(cum[-1])
    bounds = np.linspace(0.0, total, n + 1)
    if n == 1:
        return [LineString(xy)], bounds
    mx, my = to_local_m(lon, lat)
    cuts = bounds[1:-1]
    seg = np.clip(np.searchsorted(cum, cuts, side="right") - 1, 0, cum.size - 2)
    seg_len = cum[seg + 1] - cum[seg]
    frac = np.where(seg_len > 0, (cuts - cum[seg]) / np.where(seg_len > 0, seg_len, 1.0), 0.0)
    cx = mx[seg] + frac * (mx[seg + 1] - mx[seg])
    cy = my[seg] + frac * (my[seg + 1] - my[seg])
    clon, clat = to_lonlat_from_m(cx, cy)
    pieces: list[LineString] = []
    start_pt = xy[0]
    start_vertex = 1  # first vertex after the previous cut
    for j in range(n - 1):
        end_vertex = int(seg[j]) + 1  # vertices up to and including seg[j]
        cut_pt = np.array([clon[j], clat[j]])
        pieces.append(_linestring(np.vstack([start_pt, xy[start_vertex:end_vertex], cut_pt])))
        start_pt = cut_pt
        start_vertex = max(start_vertex, end_vertex)
    pieces.append(_linestring(np.vstack([start_pt, xy[start_vertex:]])))
    return pieces, bounds


def _linestring(coords: NDArray[np.float64]) -> LineString:
    """LineString without consecutive duplicate points (at least two points kept)."""
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)
    out = coords[keep]
    if len(out) < 2:
        out = np.vstack([coords[0], coords[-1]])
    return LineString(out)


def unique_names(names: Sequence[str]) -> list[str]:
    """Make names unique in order: the second "Bakhmut" becomes "Bakhmut 2", and so on.

    >>> unique_names(["A", "B", "A", "A"])
    ['A', 'B', 'A 2', 'A 3']
    """
    seen: dict[str, int] = {}
    taken = set(names)
    out: list[str] = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count == 1:
            out.append(name)
            continue
        candidate = f"{name} {count}"
        while candidate in taken:
            count += 1
            candidate = f"{name} {count}"
        seen[name] = count
        taken.add(candidate)
        out.append(candidate)
    return out


def _sector_name(
    piece: LineString,
    radius_km: float,
    countries: Sequence[str] | None,
    gazetteer: Gazetteer | None,
) -> str:
    mid = shapely.line_interpolate_point(piece, 0.5, normalized=True)
    place = largest_place_near(
        mid.x, mid.y, radius_km=radius_km, countries=countries, gazetteer=gazetteer
    )
    if place is None:
        return f"{mid.y:.2f}N {mid.x:.2f}E"
    return place.name


def cut_sectors(
    line: BaseGeometry,
    *,
    target_km: float = DEFAULT_TARGET_KM,
    name_radius_km: float = 15.0,
    countries: Sequence[str] | None = ("UA",),
    gazetteer: Gazetteer | None = None,
) -> list[SectorPiece]:
    """Cut a line into named sectors of about ``target_km``.

    Parameters
    ----------
    line : LineString or MultiLineString
        WGS84 lon/lat; parts are taken in the order given (as returned by
        :func:`trucewatch.geo.contact_line.derive_contact_line`).
    target_km : float
        Wanted sector length (km, geodesic). See the module docstring for the rule.
    name_radius_km : float
        Name a sector after the most populous settlement within this distance (km) of its
        midpoint, else the nearest settlement.
    countries : sequence of str, optional
        Settlements considered for names (ISO codes; default Ukraine only).
    gazetteer : Gazetteer, optional
        Defaults to :func:`trucewatch.geo.gazetteer.get_gazetteer`.

    Returns
    -------
    list of SectorPiece
        In order along the line; together they cover it without gaps or overlaps.
    """
    if target_km <= 0:
        raise ValueError("target_km must be positive")
    pieces: list[tuple[int, LineString, float, float]] = []
    offset = 0.0
    for part_index, part in enumerate(line_parts(line)):
        if len(part.coords) < 2:
            continue
        xy = np.asarray(part.coords)[:, :2]
        total = float(_cumulative_km(xy[:, 0], xy[:, 1])[-1])
        if total <= 0:
            continue
        n = max(1, round(total / target_km))
        geoms, bounds = cut_part(part, n)
        for j, geom in enumerate(geoms):
            pieces.append((part_index, geom, offset + bounds[j], offset + bounds[j + 1]))
        offset += total
    names = unique_names([_sector_name(p[1], name_radius_km, countries, gazetteer) for p in pieces])
    return [
        SectorPiece(index=i, name=names[i], start_km=float(s), end_km=float(e), geometry=g, part=k)
        for i, ((k, g, s, e)) in enumerate(pieces)
    ]

"""Stretches of Ukraine's state border, and the parts of the line of contact along them.

The country outline (:mod:`trucewatch.geo.outline`) says where Ukraine ends, not who is
across. The land border with a neighbour is the stretch of the outline's exterior between
two end points (tripoints, or where the land border meets the sea), listed in
:data:`STATE_BORDERS` and snapped to the outline. Each stretch runs counter-clockwise
around Ukraine, i.e. with Ukraine on its left.

A stretch of the border with a neighbour whose land is held by one party is line of
contact where the Ukrainian side of it is held by the other party
(:func:`border_contact_metric`); land the other party holds across the border (the Kursk
salient in 2024-2025) turns that around: its own edge inside the neighbour's land is line
of contact (:func:`across_contact_metric`) and the border along it is not.

Geometries here are in the local metric CRS of :mod:`trucewatch.geo.projection` (metres);
end points are WGS84 lon/lat degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.projection import to_local_m
from trucewatch.geo.shapes import line_parts, polygonal_parts

__all__ = [
    "STATE_BORDERS",
    "BorderStretch",
    "across_contact_metric",
    "border_contact_metric",
    "border_stretch_metric",
    "neighbour_strip_metric",
    "runs_of",
]

SNAP_TOLERANCE_KM = 10.0
"""An end point of a stretch must lie within this distance (km) of the outline."""

SAMPLE_M = 250.0
"""Spacing (m) at which the border is tested for who holds either side of it."""


@dataclass(frozen=True)
class BorderStretch:
    """The land border of Ukraine with one neighbour, between two points of the outline.

    Attributes
    ----------
    neighbour : str
        ISO 3166 code of the neighbouring country.
    start, end : (lon, lat)
        WGS84 end points, in counter-clockwise order around Ukraine (Ukraine on the
        left going from ``start`` to ``end``).
    """

    neighbour: str
    start: tuple[float, float]
    end: tuple[float, float]


STATE_BORDERS: dict[str, BorderStretch] = {
    # from where the land border meets the Taganrog Bay of the Sea of Azov (east of
    # Novoazovsk) north to the Ukraine-Russia-Belarus tripoint near Senkivka (Chernihiv)
    "RU": BorderStretch("RU", start=(38.23, 47.12), end=(31.78, 52.11)),
    # from that tripoint west to the Ukraine-Belarus-Poland tripoint on the Bug
    "BY": BorderStretch("BY", start=(31.78, 52.11), end=(23.62, 51.50)),
}
"""Land borders of Ukraine that a line of contact may run along. Crimea has no land
border with Russia (the Kerch Strait is water)."""


def _mainland_ring(territory_m: BaseGeometry) -> LineString:
    """Counter-clockwise exterior of the largest polygon of a territory (metres)."""
    polys = polygonal_parts(territory_m).geoms
    if not polys:
        raise ValueError("the country outline is empty")
    largest = max(polys, key=lambda p: p.area)
    ring = LineString(shapely.orient_polygons(largest).exterior.coords)
    return ring


def border_stretch_metric(territory_m: BaseGeometry, neighbour: str) -> LineString:
    """The land border with ``neighbour`` as part of the territory's exterior (metres).

    Parameters
    ----------
    territory_m : polygonal geometry
        The country (holes filled or not) in the local metric CRS.
    neighbour : str
        A key of :data:`STATE_BORDERS`.

    Returns
    -------
    LineString
        The stretch, with the country on its left (metres).

    Raises
    ------
    ValueError
        For an unknown neighbour, or an outline that does not reach both end points
        within :data:`SNAP_TOLERANCE_KM` (not an outline of Ukraine).
    """
    if neighbour not in STATE_BORDERS:
        raise ValueError(f"no state border known with {neighbour!r}; known: "
                         f"{', '.join(sorted(STATE_BORDERS))}")  # fmt: skip
    stretch = STATE_BORDERS[neighbour]
    ring = _mainland_ring(territory_m)
    positions = []
    for lon, lat in (stretch.start, stretch.end):
        x, y = to_local_m(lon, lat)
        point = Point(float(x), float(y))
        if ring.distance(point) > SNAP_TOLERANCE_KM * 1000.0:
            raise ValueError(f"the country outline does not reach the {neighbour} border "
                             f"end at {lat:.2f} N {lon:.2f} E")  # fmt: skip
        positions.append(ring.project(point))
    a, b = positions
    if a <= b:
        return _substring(ring, a, b)
    # the stretch passes the ring's start: join its end and its beginning
    tail, head = _substring(ring, a, ring.length), _substring(ring, 0.0, b)
    return LineString(np.vstack([shapely.get_coordinates(tail), shapely.get_coordinates(head)[1:]]))


def _substring(ring: LineString, a: float, b: float) -> LineString:
    from shapely.ops import substring

    out = substring(ring, a, b)
    if not isinstance(out, LineString):
        raise ValueError("degenerate border stretch")
    return out


def runs_of(
    xy: NDArray[np.float64], keep: NDArray[np.bool_], min_length_m: float
) -> list[LineString]:
    """The runs of consecutive kept segments of a polyline, as lines of at least
    ``min_length_m`` (segment ``i`` joins vertices ``i`` and ``i + 1``)."""
    if keep.size == 0:
        return []
    change = np.flatnonzero(np.diff(keep.astype(np.int8))) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, keep.size]
    out: list[LineString] = []
    for s, e in zip(starts, ends, strict=True):
        if not keep[s]:
            continue
        line = LineString(xy[s : e + 1])
        if line.length >= min_length_m:
            out.append(line)
    return out


def _segment_midpoints(line: LineString) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vertices (every :data:`SAMPLE_M` at most) and segment midpoints of a line."""
    xy = shapely.get_coordinates(shapely.segmentize(line, SAMPLE_M))
    return xy, (xy[:-1] + xy[1:]) / 2.0


def border_contact_metric(
    stretch_m: LineString,
    control_m: BaseGeometry,
    held_across_m: BaseGeometry | None,
    *,
    margin_m: float,
    min_length_m: float,
) -> list[LineString]:
    """Pieces of a border stretch with different parties on its two sides (metres).

    The Ukrainian side of a segment is held by the control area's party when the control
    area comes within ``margin_m`` of it, else by the other party; the neighbour's side
    is the neighbour's (the control area's party) unless ``held_across_m`` (land the other
    party holds across the border) comes within ``margin_m``. The margin absorbs the
    border being drawn differently by the control map and by the outline (DeepStateMap
    draws it up to a few hundred metres inside the OSM outline).

    Returns
    -------
    list of LineString
        Pieces of at least ``min_length_m``, in the stretch's direction.
    """
    xy, mid = _segment_midpoints(stretch_m)
    pts = shapely.points(mid)
    inner_held = shapely.dwithin(control_m, pts, margin_m)
    outer_held = np.ones(len(mid), dtype=bool)
    if held_across_m is not None and not held_across_m.is_empty:
        outer_held = ~shapely.dwithin(held_across_m, pts, margin_m)
    return runs_of(xy, inner_held != outer_held, min_length_m)


def across_contact_metric(
    held_across_m: BaseGeometry,
    territory_m: BaseGeometry,
    *,
    margin_m: float,
    min_length_m: float,
) -> list[LineString]:
    """The edge of land held across the border by the other party, where it faces the
    neighbour's land: its boundary further than ``margin_m`` from the territory
    (metres), pieces of at least ``min_length_m``."""
    edge = shapely.boundary(polygonal_parts(held_across_m))
    outside = line_parts(
        shapely.difference(edge, shapely.buffer(territory_m, margin_m, quad_segs=4))
    )
    if not outside:
        return []
    merged = shapely.line_merge(MultiLineString(outside))
    return [p for p in line_parts(merged) if p.length >= min_length_m]


def neighbour_strip_metric(
    stretch_m: LineString, territory_m: BaseGeometry, depth_m: float
) -> MultiPolygon:
    """The neighbour's land along a border stretch, ``depth_m`` deep (metres): a
    one-sided buffer on the stretch's right (away from Ukraine) with flat ends, less the
    territory. Sea beyond a coast the stretch reaches is included (the outline knows no
    foreign coasts)."""
    strip = shapely.buffer(stretch_m, -depth_m, single_sided=True, quad_segs=4)
    return polygonal_parts(shapely.make_valid(shapely.difference(strip, territory_m)))

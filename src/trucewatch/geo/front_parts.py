"""Labelled stretches of a line of contact: over land, along the Dnipro, along the state
border, around land held across the border; and their lengths.

A derived line (:func:`trucewatch.geo.contact_line.derive`) is a MultiLineString whose
geometric parts are, in order: the parts of the line of contact inside the country, then
the stretches of the state border, then the edges of land held across the border. The
line of contact is further cut where it runs along water: a stretch within
:data:`WATER_NEAR_M` of the outline's water bodies (holes: rivers, reservoirs), with land
gaps shorter than :data:`WATER_GAP_M` bridged, is labelled :data:`DNIPRO` when at least
:data:`WATER_MIN_M` long (on the lines of 2022-2026 the only such stretch is the Dnipro
and its Kakhovka reservoir). Labels never change the geometry: they are stretches of the
parts, in order along the line.

Geometries are WGS84 lon/lat for :class:`LinePart`; the helpers work in the local metric
CRS (metres).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from trucewatch.geo.projection import geodesic_length_km, geom_to_lonlat
from trucewatch.geo.shapes import polygonal_parts

__all__ = [
    "ACROSS",
    "DNIPRO",
    "LABELS",
    "LAND",
    "STATE_BORDER",
    "LinePart",
    "label_land_and_water",
    "lengths_by_label",
    "water_bodies",
]

LAND = "line of contact"
"""The line of contact over land."""
DNIPRO = "Dnipro"
"""The line of contact along a river or reservoir (the Dnipro)."""
STATE_BORDER = "state border"
"""The state border between land held by one party and the other party's country."""
ACROSS = "across the border"
"""The edge of land one party holds in the other's country (the Kursk salient)."""
LABELS = (LAND, DNIPRO, STATE_BORDER, ACROSS)

WATER_NEAR_M = 1000.0
"""A stretch of the line this close (m) to a water body of the outline runs along it."""
WATER_GAP_M = 20_000.0
"""Land gaps shorter than this (m) between stretches along water, or between one and the
end of the part, are bridged (islands and channels of the Dnipro delta, bends where the
mapped line cuts a bank)."""
WATER_MIN_M = 20_000.0
"""Stretches along water shorter than this (m) stay line of contact over land (river
crossings, small reservoirs)."""
SAMPLE_M = 200.0
"""Spacing (m) at which the line is tested against the water bodies."""


@dataclass(frozen=True)
class LinePart:
    """A labelled stretch of a line.

    Attributes
    ----------
    label : str
        One of :data:`LABELS`.
    geometry : LineString
        WGS84 lon/lat, in the line's direction.
    length_km : float
        Geodesic length (km).
    part : int
        Index of the geometric part of the line the stretch lies on.
    """

    label: str
    geometry: LineString
    length_km: float
    part: int

    def as_dict(self) -> dict[str, object]:
        """Label, length (km, 0.1 km) and geometric part, for reports."""
        return {"label": self.label, "length_km": round(self.length_km, 1), "part": self.part}


def water_bodies(country_m: BaseGeometry) -> MultiPolygon:
    """The holes of a country outline (water bodies) as polygons, prepared (metres)."""
    holes = [Polygon(r) for p in polygonal_parts(country_m).geoms for r in p.interiors]
    water = MultiPolygon(holes)
    shapely.prepare(water)
    return water


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) segment indices of the runs of equal values of ``mask``."""
    change = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    return list(zip(np.r_[0, change].tolist(), np.r_[change, mask.size].tolist(), strict=True))


def label_land_and_water(
    part_m: LineString, water_m: BaseGeometry
) -> list[tuple[str, LineString]]:
    """Cut a part of the line of contact (metres) into stretches over land
    (:data:`LAND`) and along water (:data:`DNIPRO`), in order along the part."""
    xy = shapely.get_coordinates(shapely.segmentize(part_m, SAMPLE_M))
    if len(xy) < 2:
        return [(LAND, part_m)]
    mid = (xy[:-1] + xy[1:]) / 2.0
    seg_len = np.hypot(*(xy[1:] - xy[:-1]).T)
    water = shapely.dwithin(water_m, shapely.points(mid), WATER_NEAR_M)
    for s, e in _runs(water):  # short land gaps next to water stretches are bridged
        beside_water = s > 0 or e < water.size
        if not water[s] and beside_water and seg_len[s:e].sum() < WATER_GAP_M:
            water[s:e] = True
    for s, e in _runs(water):  # short water stretches are crossings, not the river
        if water[s] and seg_len[s:e].sum() < WATER_MIN_M:
            water[s:e] = False
    return [(DNIPRO if water[s] else LAND, LineString(xy[s : e + 1])) for s, e in _runs(water)]


def labelled_parts(stretches: Iterable[tuple[int, str, LineString]]) -> list[LinePart]:
    """:class:`LinePart` of (part index, label, metric stretch) triples, in WGS84."""
    out = []
    for part, label, line_m in stretches:
        wgs = geom_to_lonlat(line_m)
        assert isinstance(wgs, LineString)
        out.append(LinePart(label, wgs, geodesic_length_km(wgs), part))
    return out


def lengths_by_label(parts: Sequence[LinePart]) -> dict[str, float]:
    """Total length (km) of each label present, in the order of :data:`LABELS`."""
    totals = {label: 0.0 for label in LABELS}
    for p in parts:
        totals[p.label] = totals.get(p.label, 0.0) + p.length_km
    return {label: km for label, km in totals.items() if km > 0}

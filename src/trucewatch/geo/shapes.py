"""Parts of any shapely geometry by dimension: the polygons of a geometry and the lines
of a geometry, whatever collection type holds them (in the CRS of the input)."""

from __future__ import annotations

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["line_parts", "polygonal_parts"]


def polygonal_parts(geom: BaseGeometry) -> MultiPolygon:
    """The polygons of any geometry as a MultiPolygon (lines and points are dropped).

    Parameters
    ----------
    geom : shapely geometry
        Any geometry, typically the output of :func:`shapely.make_valid` (which may be a
        GeometryCollection mixing polygons and stray lines).

    Returns
    -------
    MultiPolygon
        The polygonal parts, in the CRS of the input (possibly empty).
    """
    parts = shapely.get_parts(geom)
    polys: list[Polygon] = []
    for part in parts:
        if isinstance(part, Polygon):
            if not part.is_empty:
                polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(p for p in part.geoms if not p.is_empty)
        elif part.geom_type == "GeometryCollection":
            polys.extend(polygonal_parts(part).geoms)
    return MultiPolygon(polys)


def line_parts(geom: BaseGeometry) -> list[LineString]:
    """Non-empty LineString parts of any geometry (polygons contribute nothing)."""
    out: list[LineString] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, LineString):
            if not part.is_empty and part.length > 0:
                out.append(part)
        elif isinstance(part, MultiLineString):
            out.extend(p for p in part.geoms if not p.is_empty and p.length > 0)
        elif part.geom_type == "GeometryCollection":
            out.extend(line_parts(part))
    return out

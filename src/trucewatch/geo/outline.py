"""The country outline of Ukraine: derivation from OpenStreetMap land polygons and loading.

The package ships ``geo/data/ukraine_outline.geojson``, a simplified land outline of Ukraine
(including Crimea) derived from the 100 m land polygons of OpenStreetMap
(``@geo-maps/countries-land-100m``, © OpenStreetMap contributors, ODbL; see
``geo/data/ATTRIBUTION.md``). Water bodies inside the country (the Dnipro, its reservoirs,
estuaries cut off from the sea at 100 m, lakes) are holes of the polygons; the derivation
keeps every hole of at least ``min_hole_km2`` so that the Dnipro and the Kakhovka reservoir
survive. Regenerate it with::

    python -m trucewatch.geo.outline ../shared/data/borders/ukraine_osm_100m.geojson \
        src/trucewatch/geo/data/ukraine_outline.geojson --tolerance-m 250

All geometries returned here are WGS84 lon/lat (EPSG:4326).
"""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from trucewatch.errors import InputError, RecordError
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.projection import geom_to_lonlat, geom_to_metric
from trucewatch.geo.shapes import polygonal_parts

__all__ = [
    "DEFAULT_MIN_HOLE_KM2",
    "DEFAULT_TOLERANCE_M",
    "OUTLINE_RESOURCE",
    "derive_outline",
    "fill_holes",
    "load_country_outline",
    "polygonal_parts",
    "write_outline",
]

OUTLINE_RESOURCE = "ukraine_outline.geojson"
"""File name of the shipped outline inside the ``trucewatch.geo.data`` resource folder."""

DEFAULT_TOLERANCE_M = 250.0
"""Simplification tolerance (metres, in the local metric CRS) of the shipped outline."""

DEFAULT_MIN_HOLE_KM2 = 1.0
"""Holes (water bodies) smaller than this (km²) are dropped from the shipped outline."""

COORD_DECIMALS = 4
"""Decimals of degrees written to GeoJSON (1e-4° ≈ 11 m north-south, 7 m east-west)."""


def fill_holes(geom: BaseGeometry, max_area: float | None = None) -> MultiPolygon:
    """Fill the holes of polygons.

    Parameters
    ----------
    geom : shapely geometry
        Polygonal geometry in any CRS.
    max_area : float, optional
        Only fill holes whose area (in squared units of the CRS, e.g. m² in the local
        metric CRS) is at most this; ``None`` fills every hole.

    Returns
    -------
    MultiPolygon
        The same polygons with (some) holes removed, dissolved (islands that were in a
        filled hole are merged into it), valid, same CRS.
    """
    out: list[Polygon] = []
    for poly in polygonal_parts(geom).geoms:
        if max_area is None:
            out.append(Polygon(poly.exterior))
            continue
        keep = [r for r in poly.interiors if Polygon(r).area > max_area]
        out.append(Polygon(poly.exterior, keep))
    return polygonal_parts(shapely.union_all(shapely.make_valid(np.asarray(out, dtype=object))))


def _drop_small_holes(poly: Polygon, min_hole_m2: float) -> Polygon:
    keep = [r for r in poly.interiors if abs(Polygon(r).area) >= min_hole_m2]
    return Polygon(poly.exterior, keep)


def derive_outline(
    src_path: str | Path,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    *,
    min_hole_km2: float = DEFAULT_MIN_HOLE_KM2,
    min_part_km2: float = 0.5,
) -> MultiPolygon:
    """Derive the simplified country outline from a land-polygon GeoJSON file.

    Steps: read all (Multi)Polygon features, repair them (``shapely.make_valid`` with the
    "structure" method, which keeps holes as holes), project to the local metric CRS,
    drop holes smaller than ``min_hole_km2`` and islands smaller than ``min_part_km2``,
    simplify with ``tolerance_m`` (topology preserving, so holes cannot vanish or cross
    the exterior), repair again and project back to WGS84.

    Parameters
    ----------
    src_path : str or Path
        GeoJSON of land polygons in WGS84 (e.g. ``borders/ukraine_osm_100m.geojson``).
    tolerance_m : float
        Douglas-Peucker tolerance in metres, applied in the local metric CRS.
    min_hole_km2 : float
        Holes (water bodies) smaller than this area in km² are filled.
    min_part_km2 : float
        Polygons (islands) smaller than this area in km² are dropped.

    Returns
    -------
    MultiPolygon
        The outline in WGS84 lon/lat degrees.
    """
    geom = _read_polygons(Path(src_path))
    metric = geom_to_metric(shapely.make_valid(geom, method="structure"))
    polys = [
        _drop_small_holes(p, min_hole_km2 * 1e6)
        for p in polygonal_parts(metric).geoms
        if p.area >= min_part_km2 * 1e6
    ]
    simplified = shapely.simplify(MultiPolygon(polys), tolerance_m, preserve_topology=True)
    repaired = polygonal_parts(shapely.make_valid(simplified, method="structure"))
    return polygonal_parts(geom_to_lonlat(repaired))


def _read_polygons(path: Path) -> BaseGeometry:
    """Polygonal union of a GeoJSON file's features (WGS84), with clear input errors."""
    kind, geom = read_line_file(path)
    if kind != "control":
        raise InputError(
            RecordError(str(path), None, "geometry", "expected Polygon/MultiPolygon features")
        )
    return geom


def write_outline(geom: BaseGeometry, path: str | Path, *, source: str = "") -> int:
    """Write an outline as a one-feature GeoJSON FeatureCollection (WGS84).

    Coordinates are rounded to :data:`COORD_DECIMALS` decimals of a degree.

    Returns
    -------
    int
        Number of bytes written.
    """
    snapped = polygonal_parts(shapely.set_precision(geom, 10.0**-COORD_DECIMALS))
    rounded = shapely.transform(snapped, lambda c: np.round(c, COORD_DECIMALS))
    feature = {
        "type": "Feature",
        "properties": {"name": "Ukraine (land)", "source": source},
        "geometry": mapping(rounded),
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]}, separators=(",", ":"))
    Path(path).write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


@lru_cache(maxsize=1)
def _load_shipped() -> MultiPolygon:
    ref = resources.files("trucewatch.geo").joinpath("data", OUTLINE_RESOURCE)
    with resources.as_file(ref) as path:
        return _load_geojson_outline(path)


def _load_geojson_outline(path: Path) -> MultiPolygon:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    features = data.get("features", [data]) if data.get("type") == "FeatureCollection" else [data]
    geoms = [shape(f.get("geometry", f)) for f in features]
    return polygonal_parts(shapely.make_valid(shapely.union_all(geoms), method="structure"))


def load_country_outline(path: str | Path | None = None) -> MultiPolygon:
    """Load a country outline (WGS84 MultiPolygon).

    Parameters
    ----------
    path : str or Path, optional
        A GeoJSON file of (Multi)Polygon features; by default the outline shipped with the
        package (``trucewatch/geo/data/ukraine_outline.geojson``, cached after the first
        call).

    Returns
    -------
    MultiPolygon
        Land of the country in WGS84 lon/lat; water bodies inside it are holes.
    """
    if path is None:
        return _load_shipped()
    return _load_geojson_outline(Path(path))


def outline_stats(geom: BaseGeometry) -> dict[str, float]:
    """Counts for a (WGS84) outline: parts, holes, coordinates and the area in km²."""
    metric = geom_to_metric(geom)
    polys = polygonal_parts(metric).geoms
    return {
        "parts": float(len(polys)),
        "holes": float(sum(len(p.interiors) for p in polys)),
        "coordinates": float(shapely.get_num_coordinates(geom)),
        "area_km2": float(np.round(metric.area / 1e6, 1)),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: derive the outline from SRC and write it to OUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("src")
    parser.add_argument("out")
    parser.add_argument("--tolerance-m", type=float, default=DEFAULT_TOLERANCE_M)
    parser.add_argument("--min-hole-km2", type=float, default=DEFAULT_MIN_HOLE_KM2)
    args = parser.parse_args(argv)
    outline = derive_outline(args.src, args.tolerance_m, min_hole_km2=args.min_hole_km2)
    size = write_outline(
        outline,
        args.out,
        source=(
            "© OpenStreetMap contributors (ODbL), via @geo-maps/countries-land-100m; "
            f"simplified at {args.tolerance_m:g} m, holes >= {args.min_hole_km2:g} km²"
        ),
    )
    print(json.dumps({"out": args.out, "bytes": size, **outline_stats(outline)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

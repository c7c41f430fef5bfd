"""The shipped country outline: small, valid, with the Dnipro and its reservoirs as holes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from trucewatch.geo.outline import (
    OUTLINE_RESOURCE,
    derive_outline,
    fill_holes,
    load_country_outline,
    write_outline,
)
from trucewatch.geo.projection import geom_to_metric


def test_shipped_outline_is_small_and_valid() -> None:
    ref = resources.files("trucewatch.geo").joinpath("data", OUTLINE_RESOURCE)
    assert len(ref.read_bytes()) < 300_000
    outline = load_country_outline()
    assert isinstance(outline, MultiPolygon) and outline.is_valid
    area_km2 = geom_to_metric(outline).area / 1e6
    assert 570_000 < area_km2 < 600_000  # Ukraine incl. Crimea: ~603,500 km² with water
    assert load_country_outline() is outline  # cached


def test_shipped_outline_contains_cities_and_keeps_water_holes() -> None:
    outline = load_country_outline()
    for lon, lat in [(30.52, 50.45), (37.80, 48.02), (34.10, 44.95), (32.61, 46.64)]:
        assert outline.contains(Point(lon, lat)), (lon, lat)  # Kyiv, Donetsk, Simferopol, Kherson
    filled = fill_holes(outline)
    # Kakhovka, Kremenchuk, Kyiv and Kaniv reservoirs: holes, inside the filled outline
    for lon, lat in [(34.3, 47.45), (32.65, 49.31), (30.48, 50.91), (31.28, 49.97)]:
        assert not outline.contains(Point(lon, lat)), (lon, lat)
        assert filled.contains(Point(lon, lat)), (lon, lat)
    # the Dnipro around Kherson keeps some of its channels as holes
    kherson = shapely.box(32.4, 46.5, 32.9, 46.75)
    holes = [Polygon(r) for p in outline.geoms for r in p.interiors]
    assert sum(h.intersects(kherson) for h in holes) >= 5
    # Belgorod (Russia) and the sea off Odesa are outside
    assert not filled.contains(Point(36.58, 50.60))
    assert not filled.contains(Point(31.0, 46.0))


def test_fill_holes_by_size() -> None:
    big = [(0, 0), (10, 0), (10, 10), (0, 10)]
    small_hole = [(1, 1), (2, 1), (2, 2), (1, 2)]
    large_hole = [(4, 4), (8, 4), (8, 8), (4, 8)]
    poly = Polygon(big, holes=[small_hole, large_hole])
    assert fill_holes(poly).area == 100
    partly = fill_holes(poly, max_area=5.0)
    assert partly.area == 100 - 16


def test_derive_outline_round_trip(tmp_path: Path) -> None:
    # a 40 km square with a 10 km lake and a 200 m pond, with a wiggly edge
    ring = [(32.0, 48.0), (32.27, 48.0), (32.54, 48.001), (32.54, 48.36), (32.0, 48.36)]
    lake = [(32.2, 48.1), (32.33, 48.1), (32.33, 48.19), (32.2, 48.19)]
    pond = [(32.4, 48.25), (32.4027, 48.25), (32.4027, 48.2518), (32.4, 48.2518)]
    src = tmp_path / "land.geojson"
    src.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(Polygon(ring, [lake, pond])),
                    }
                ],
            }
        )
    )
    out = derive_outline(src, 250.0, min_hole_km2=1.0)
    assert out.is_valid and len(out.geoms) == 1
    assert len(out.geoms[0].interiors) == 1  # the lake survives, the pond is filled
    assert len(out.geoms[0].exterior.coords) == 5  # the 100 m wiggle is simplified away
    path = tmp_path / "outline.geojson"
    size = write_outline(out, path, source="test")
    assert size == path.stat().st_size
    loaded = load_country_outline(path)
    assert loaded.symmetric_difference(out).area < 1e-6

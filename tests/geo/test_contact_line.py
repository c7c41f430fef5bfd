"""Reading control/line files and deriving the line of contact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, mapping

from trucewatch.errors import InputError
from trucewatch.geo.contact_line import (
    DerivedLine,
    derive,
    derive_contact_line,
    territory_metric,
)
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.projection import geom_to_metric, to_local_m


def _fc(*geoms: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        **extra,
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geoms],
    }


def _write(tmp_path: Path, data: Any, name: str = "f.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _distance_km(line: MultiLineString, lon: float, lat: float) -> float:
    x, y = to_local_m(lon, lat)
    return float(geom_to_metric(line).distance(Point(float(x), float(y)))) / 1000.0


# ----------------------------------------------------------------------------- reading


def test_read_control_file(tmp_path: Path) -> None:
    a = mapping(Polygon([(37, 48), (38, 48), (38, 49), (37, 49)]))
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[38, 48], [39, 49], [39, 48], [38, 49], [38, 48]]],
    }
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    kind, geom = read_line_file(_write(tmp_path, _fc(a, None, bowtie, crs=crs)))
    assert kind == "control"
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    assert geom.area == pytest.approx(1.5)


def test_read_line_file_keeps_order(tmp_path: Path) -> None:
    l1 = mapping(LineString([(37, 48), (38, 48)]))
    l2 = mapping(MultiLineString([[(36, 47), (36.5, 47)], [(35, 46), (35.5, 46)]]))
    kind, geom = read_line_file(_write(tmp_path, _fc(l1, l2)))
    assert kind == "line"
    assert isinstance(geom, MultiLineString) and len(geom.geoms) == 3
    assert geom.geoms[0].coords[0] == (37, 48)


def test_read_wkt(tmp_path: Path) -> None:
    kind, geom = read_line_file(_write(tmp_path, "LINESTRING (37 48, 38 48)\n", "l.wkt"))
    assert kind == "line" and geom.length == 1


@pytest.mark.parametrize(
    ("content", "record", "field", "message"),
    [
        ("", None, None, "empty"),
        ('{"type": "FeatureCollection", "features": [', 1, None, "not valid JSON"),
        (_fc(), None, "features", "no features"),
        (_fc(None), None, "geometry", "no non-empty geometry"),
        (_fc({"type": "Point", "coordinates": [37, 48]}), 1, "geometry", "unsupported geometry"),
        (
            _fc(mapping(LineString([(0, 0), (1, 1)])), mapping(Point(1, 1).buffer(1))),
            2, "geometry", "mixed",
        ),
        (_fc({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}), 1, "geometry", "malformed"),
        (_fc(mapping(LineString([(3_500_000, 2_000_000), (3_600_000, 2_000_000)]))),
         1, "geometry", "out of range"),
        (_fc(mapping(LineString([(0, 0), (1, 1)])),
             crs={"type": "name", "properties": {"name": "EPSG:3035"}}), None, "crs", "CRS"),
        ({"type": "Topology"}, None, "type", "unsupported GeoJSON type"),
        ("LINESTRING (0 0, 1", 1, "geometry", "neither GeoJSON nor WKT"),
    ],
)  # fmt: skip
def test_read_errors_name_file_record_and_field(
    tmp_path: Path, content: Any, record: int | None, field: str | None, message: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(InputError) as info:
        read_line_file(path)
    err = info.value.error
    assert err.file == str(path)
    assert err.line == record and err.field == field
    assert message in err.message
    assert str(path) in str(info.value)


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_line_file(tmp_path / "nope.geojson")


# ----------------------------------------------------------------------------- synthetic


def test_synthetic_line_excludes_border_keeps_lake(
    synthetic_control: Polygon, synthetic_country: Polygon
) -> None:
    line = derive_contact_line(synthetic_control, synthetic_country, simplify_m=0)
    assert isinstance(line, MultiLineString) and len(line.geoms) == 1
    # the line runs from the country's southern border (37.72 E) to its eastern border
    # (38.6 E), through the lake; not along the eastern border, nor along the southern one
    assert _distance_km(line, 37.7, 48.125) < 0.01  # on the control boundary in the lake
    assert _distance_km(line, 38.6, 48.0) > 5.0  # the eastern (international) border
    assert _distance_km(line, 38.2, 47.6) > 5.0  # the southern border/coast
    assert _distance_km(line, 38.1, 48.3) < 0.01
    boundary = geom_to_metric(synthetic_control.boundary)
    line_m = geom_to_metric(line)
    assert line_m.hausdorff_distance(boundary.intersection(line_m.buffer(1))) < 1.0
    # oriented with the control area (south-east) on the left: from the eastern border
    # westwards, then south to the southern border
    start, end = line.geoms[0].coords[0], line.geoms[0].coords[-1]
    assert start[0] > 38.5 and end[1] < 47.7
    length_km = geom_to_metric(line).length / 1000
    assert 140 < length_km < 170


def test_control_entirely_inside_gives_its_whole_boundary() -> None:
    country = Polygon([(36, 47), (39, 47), (39, 49), (36, 49)])
    pocket = Point(37.5, 48.0).buffer(0.1)
    line = derive_contact_line(pocket, country, simplify_m=0)
    assert geom_to_metric(line).length == pytest.approx(geom_to_metric(pocket).length, rel=1e-6)


def test_control_outside_the_country_gives_an_empty_line() -> None:
    country = Polygon([(36, 47), (37, 47), (37, 48), (36, 48)])
    line = derive_contact_line(Point(38.5, 47.5).buffer(0.2), country)
    assert line.is_empty


def test_water_gap_closes_channels_open_to_the_sea() -> None:
    # a river mouth 1.5 km wide cuts the country from the sea; the control area holds the
    # left bank and its boundary runs along the river
    west = Polygon([(32.0, 46.0), (32.5, 46.0), (32.5, 46.6), (32.0, 46.6)])
    east = Polygon([(32.52, 46.0), (33.0, 46.0), (33.0, 46.6), (32.52, 46.6)])
    country = shapely.union(west, east).union(shapely.box(32.0, 46.6, 33.0, 46.8))
    control = Polygon([(32.51, 45.9), (33.2, 45.9), (33.2, 46.59), (32.51, 46.59)])
    without = derive_contact_line(control, country, simplify_m=0)
    closed = derive_contact_line(control, country, simplify_m=0, water_gap_km=3.0)
    assert _distance_km(closed, 32.51, 46.3) < 0.01  # along the river: kept once closed
    assert _distance_km(without, 32.51, 46.3) > 10  # open to the sea: a coast, dropped
    assert _distance_km(closed, 32.8, 46.59) < 0.1  # the land front in the north


# ----------------------------------------------------------------------------- real data

COAST_POINTS = {"Berdiansk": (36.788, 46.756), "Mariupol": (37.541, 47.095)}


def _border_and_coast_points(derived: DerivedLine) -> tuple[np.ndarray, shapely.Geometry]:
    """Points every km on the exterior of the country's territory next to the control
    area (the border with Russia and the sea coast it holds), in metres."""
    territory = territory_metric(geom_to_metric(derived.country))
    exterior = shapely.MultiLineString([p.exterior for p in territory.geoms])
    pts = shapely.points(shapely.get_coordinates(shapely.segmentize(exterior, 1000.0)))
    held = shapely.dwithin(geom_to_metric(derived.control), pts, 2000.0)
    return pts[held], exterior


def test_deepstate_2025_03_13_line(deepstate_path: Path) -> None:
    _, control = read_line_file(deepstate_path)
    derived = derive(control)  # its time: benchmarks/bench_geo.py
    # public figures: 1,100-1,300 km of active front; the Dnipro is included here
    assert 1000.0 < derived.length_km < 1300.0
    assert derived.line.geoms[0].length > 0.8 * derived.line.length  # one main part


def test_deepstate_line_avoids_coast_and_border(deepstate_derived: DerivedLine) -> None:
    line = deepstate_derived.line
    for name, (lon, lat) in COAST_POINTS.items():
        assert _distance_km(line, lon, lat) > 5.0, name
    # the Russian border east of Kupiansk (Belgorod/Kharkiv) and in Luhansk
    assert _distance_km(line, 38.35, 50.0) > 5.0
    assert _distance_km(line, 39.94, 49.59) > 5.0
    # no point of the border or coast next to the control area is on the line, except
    # within 10 km of where the line ends (it meets the border or the coast there)
    pts, _ = _border_and_coast_points(deepstate_derived)
    line_m = geom_to_metric(line)
    ends = shapely.multipoints([c for g in line_m.geoms for c in (g.coords[0], g.coords[-1])])
    away = shapely.distance(ends, pts) > 10_000.0
    assert away.sum() > 1000
    assert shapely.distance(line_m, pts[away]).min() > 2_000.0


def test_deepstate_line_follows_the_dnipro(deepstate_derived: DerivedLine) -> None:
    line = deepstate_derived.line
    assert _distance_km(line, 32.67, 46.625) < 3.0  # in the Dnipro between Kherson and Oleshky
    assert _distance_km(line, 34.3, 47.40) < 10.0  # along the Kakhovka reservoir
    assert _distance_km(line, 34.656, 47.499) < 3.0  # Enerhodar, on the reservoir
    dnipro = shapely.intersection(line, shapely.box(32.0, 46.3, 35.2, 47.9))
    from trucewatch.geo.projection import geodesic_length_km

    assert 250.0 < geodesic_length_km(dnipro) < 400.0


def test_isw_2023_03_line(isw_derived: DerivedLine) -> None:
    line = isw_derived.line
    assert 800.0 < isw_derived.length_km < 1100.0
    for name, (lon, lat) in COAST_POINTS.items():
        assert _distance_km(line, lon, lat) > 5.0, name
    assert _distance_km(line, 32.67, 46.625) < 3.0
    # winter 2022/23: Bakhmut and Vuhledar on the line, Kupiansk/Svatove front too
    assert _distance_km(line, 38.0, 48.6) < 10.0
    assert _distance_km(line, 37.25, 47.78) < 10.0

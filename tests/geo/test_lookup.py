"""Point context against a line: side, signed distance, sector, zones, line history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from shapely.geometry import LineString, MultiLineString, Polygon

from trucewatch.geo.contact_line import DerivedLine, derive_contact_line
from trucewatch.geo.gazetteer import Gazetteer
from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext, in_zone, zone_polygon
from trucewatch.geo.outline import fill_holes
from trucewatch.geo.projection import geom_to_metric, to_local_m
from trucewatch.geo.sectors import cut_sectors

TOL_KM = 0.025  # documented worst-case error of the nearest-point index (LineIndex)


@pytest.fixture(scope="module")
def context(
    synthetic_control: Polygon, synthetic_country: Polygon, tiny_gazetteer: Gazetteer
) -> LineContext:
    line = derive_contact_line(synthetic_control, synthetic_country, simplify_m=0)
    sectors = cut_sectors(line, target_km=20.0, gazetteer=tiny_gazetteer)
    return LineContext(line, synthetic_control, synthetic_country, sectors, "RU", "UA")


def _brute(context: LineContext, lon: np.ndarray, lat: np.ndarray) -> dict[str, np.ndarray]:
    """Reference answers with plain shapely on the unsimplified projected geometries."""
    x, y = to_local_m(lon, lat)
    pts = shapely.points(x, y)
    line_m = geom_to_metric(context.line)
    assert context.control is not None and context.country is not None
    control_m = geom_to_metric(context.control)
    territory_m = geom_to_metric(fill_holes(context.country))
    sectors_m = [geom_to_metric(s.geometry) for s in context.sectors]
    return {
        "distance_km": shapely.distance(line_m, pts) / 1000.0,
        "inside": shapely.contains(control_m, pts),
        "on_edge": shapely.distance(control_m.boundary, pts) < 1e-3,
        "in_country": shapely.contains(territory_m, pts),
        "sector_km": np.stack([shapely.distance(s, pts) / 1000.0 for s in sectors_m], axis=-1),
    }


points = st.tuples(
    arrays(np.float64, 40, elements=st.floats(36.6, 39.2)),
    arrays(np.float64, 40, elements=st.floats(47.2, 48.9)),
)


near_line = st.tuples(
    arrays(np.float64, 40, elements=st.floats(0.0, 1.0)),
    arrays(np.float64, (40, 2), elements=st.floats(-0.03, 0.03)),
)


@settings(max_examples=40, deadline=None)
@given(points)
def test_side_and_signed_distance_match_brute_force(
    context: LineContext, lonlat: tuple[np.ndarray, np.ndarray]
) -> None:
    _check_against_brute_force(context, *lonlat)


@settings(max_examples=40, deadline=None)
@given(near_line)
def test_side_and_signed_distance_near_the_line(
    context: LineContext, where: tuple[np.ndarray, np.ndarray]
) -> None:
    fractions, offsets = where  # position along the line, offset in degrees (< 3.3 km)
    on_line = shapely.line_interpolate_point(context.line.geoms[0], fractions, normalized=True)
    xy = shapely.get_coordinates(on_line) + offsets
    _check_against_brute_force(context, xy[:, 0], xy[:, 1])


def _check_against_brute_force(context: LineContext, lon: np.ndarray, lat: np.ndarray) -> None:
    res = context.locate(lon, lat)
    ref = _brute(context, lon, lat)
    keep = ~ref["on_edge"]
    err = np.abs(np.abs(res.distance_km) - ref["distance_km"])
    assert np.all(err <= TOL_KM + 1e-9)
    assert np.median(err) < 1e-6  # exact in practice
    inside = ref["inside"][keep]
    assert np.all((res.distance_km[keep] >= 0) == inside)
    expected = np.where(inside, "RU", np.where(ref["in_country"][keep], "UA", None))
    assert list(res.held_by[keep]) == list(expected)
    # sector of the nearest point: the nearest sector, up to ties at sector ends
    chosen = ref["sector_km"][np.arange(len(lon)), res.sector_index]
    assert np.all(chosen <= ref["sector_km"].min(axis=1) + TOL_KM)
    names = np.array([s.name for s in context.sectors], dtype=object)
    assert list(res.sector_name) == list(names[res.sector_index])
    starts = np.array([s.start_km for s in context.sectors])[res.sector_index]
    ends = np.array([s.end_km for s in context.sectors])[res.sector_index]
    assert np.all((res.along_km >= starts - 0.05) & (res.along_km <= ends + 0.05))


@settings(max_examples=30, deadline=None)
@given(points)
def test_line_without_control_is_unsigned(
    context: LineContext, lonlat: tuple[np.ndarray, np.ndarray]
) -> None:
    plain = LineContext(context.line)
    lon, lat = lonlat
    res = plain.locate(lon, lat)
    x, y = to_local_m(lon, lat)
    ref = shapely.distance(geom_to_metric(context.line), shapely.points(x, y)) / 1000.0
    assert np.all(res.distance_km >= 0)
    assert np.all(np.abs(res.distance_km - ref) <= TOL_KM)
    assert all(h is None for h in res.held_by)
    assert np.all(res.sector_index == -1) and all(n is None for n in res.sector_name)
    assert not plain.signed


def test_shapes_scalars_and_invalid_points(context: LineContext) -> None:
    lon = np.array([[37.9, np.nan], [38.4, 37.2]])
    lat = np.array([[48.0, 48.0], [47.9, np.inf]])
    res = context.locate(lon, lat)
    assert res.distance_km.shape == (2, 2) and res.held_by.shape == (2, 2)
    assert np.isnan(res.distance_km[0, 1]) and res.held_by[0, 1] is None
    assert res.sector_index[1, 1] == -1 and res.sector_name[1, 1] is None
    assert res.held_by[0, 0] == "RU" and res.distance_km[0, 0] > 0
    one = context.locate(37.2, 48.4)
    assert one.distance_km.shape == () and one.held_by[()] == "UA" and one.distance_km < 0
    outside = context.locate(36.8, 48.0)  # west of the country, not controlled
    assert outside.held_by[()] is None and outside.distance_km < 0
    empty = context.locate(np.array([]), np.array([]))
    assert len(empty) == 0


def test_country_none_means_other_party_everywhere_outside(context: LineContext) -> None:
    no_country = LineContext(context.line, context.control, None, context.sectors)
    res = no_country.locate([36.8, 38.0], [48.0, 47.7])
    assert list(res.held_by) == ["UA", "RU"]


def test_in_zone_and_zone_polygon(context: LineContext) -> None:
    d = np.array([-3.0, -0.5, 0.0, 2.0, 2.0001, np.nan])
    assert list(in_zone(d, 2.0)) == [False, True, True, True, False, False]
    line = MultiLineString([LineString([(37.0, 48.0), (37.5, 48.0)])])
    zone = zone_polygon(line, 5.0)
    length_km = geom_to_metric(line).length / 1000
    area = geom_to_metric(zone).area / 1e6
    assert area == pytest.approx(2 * 5.0 * length_km + np.pi * 25.0, rel=0.01)
    ctx = LineContext(line)
    lon = np.linspace(36.9, 37.6, 30)
    lat = np.linspace(47.9, 48.1, 30)
    lon_g, lat_g = np.meshgrid(lon, lat)
    res = ctx.locate(lon_g, lat_g)
    inside = shapely.contains_xy(zone, lon_g, lat_g)
    clear = np.abs(res.distance_km - 5.0) > 0.05  # away from the zone's edge
    assert np.array_equal(inside[clear], in_zone(res.distance_km, 5.0)[clear])
    clipped = zone_polygon(line, 5.0, within=shapely.box(37.0, 47.0, 37.2, 49.0))
    assert clipped.bounds[2] <= 37.2 + 1e-9
    with pytest.raises(ValueError):
        zone_polygon(line, 0.0)


def test_history(context: LineContext) -> None:
    later = LineContext(context.line)
    history = LineHistory([(date(2025, 3, 13), context), (date(2025, 4, 1), later)])
    assert history.context_at(date(2025, 3, 12)) is None
    assert history.context_at(date(2025, 3, 13)) is context
    assert history.context_at(datetime(2025, 3, 31, 23, 59, tzinfo=UTC)) is context
    assert history.context_at(datetime(2025, 4, 1, tzinfo=UTC)) is later
    # 31 March 23:30 at UTC-2 is 1 April in UTC
    west = timezone(timedelta(hours=-2))
    assert history.context_at(datetime(2025, 3, 31, 23, 30, tzinfo=west)) is later
    assert history.dates == [date(2025, 3, 13), date(2025, 4, 1)]

    lon = np.array([37.9, 37.9, 37.9, 37.2])
    lat = np.array([48.0, 48.0, 48.0, 48.4])
    times = [
        date(2025, 1, 1),
        "2025-03-20T10:00:00Z",
        datetime(2025, 4, 2, tzinfo=UTC),
        np.datetime64("2025-04-05"),
    ]
    res = history.locate(lon, lat, times)
    assert res.line_index is not None and list(res.line_index) == [-1, 0, 1, 1]
    assert np.isnan(res.distance_km[0]) and res.held_by[0] is None
    first = context.locate(lon[1:2], lat[1:2])
    assert res.distance_km[1] == first.distance_km[0] and res.held_by[1] == "RU"
    assert res.held_by[2] is None and res.distance_km[2] > 0  # the later line is unsigned
    np.testing.assert_array_equal(
        history.index_at(np.array(["2025-03-13", "2025-03-12"], dtype="datetime64[D]")), [0, -1]
    )

    history.add(date(2025, 3, 1), later)
    assert history.context_at(date(2025, 3, 5)) is later and len(history) == 3
    with pytest.raises(ValueError):
        LineHistory([(date(2025, 1, 1), context), (date(2025, 1, 1), later)])


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def deepstate_context(deepstate_derived: DerivedLine) -> LineContext:
    sectors = cut_sectors(deepstate_derived.line)
    return LineContext(
        deepstate_derived.line, deepstate_derived.control, deepstate_derived.country, sectors
    )


def test_real_places(deepstate_context: LineContext) -> None:
    places = {
        "Donetsk": (37.80, 48.02, "RU", 1),
        "Kramatorsk": (37.56, 48.72, "UA", -1),
        "Kherson": (32.61, 46.64, "UA", -1),
        "Simferopol": (34.10, 44.95, "RU", 1),
        "Lviv": (24.03, 49.84, "UA", -1),
        "Belgorod": (36.58, 50.60, None, -1),
    }
    lon = np.array([p[0] for p in places.values()])
    lat = np.array([p[1] for p in places.values()])
    res = deepstate_context.locate(lon, lat)
    for i, (name, (_, _, holder, sign)) in enumerate(places.items()):
        assert res.held_by[i] == holder, name
        assert np.sign(res.distance_km[i]) == sign, name
    assert -10 < res.distance_km[2] < 0  # Kherson: across the Dnipro from the line
    assert res.distance_km[4] < -700  # Lviv
    assert deepstate_context.locate(37.18, 48.28).sector_name[()] == "Pokrovsk"


def test_real_locate_matches_shapely(deepstate_context: LineContext) -> None:
    """200,000 random points located in one call agree with shapely's distances (the time
    it takes is measured in benchmarks/bench_geo.py)."""
    rng = np.random.default_rng(0)
    n = 200_000
    lon = rng.uniform(32.0, 38.5, n)
    lat = rng.uniform(46.3, 50.0, n)
    res = deepstate_context.locate(lon, lat)
    sample = rng.choice(n, 2000, replace=False)
    x, y = to_local_m(lon[sample], lat[sample])
    ref = shapely.distance(geom_to_metric(deepstate_context.line), shapely.points(x, y)) / 1000
    assert np.max(np.abs(np.abs(res.distance_km[sample]) - ref)) <= TOL_KM
    assert set(res.held_by) <= {"RU", "UA", None}

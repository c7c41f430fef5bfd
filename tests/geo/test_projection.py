"""The local metric plane: round trips, scale against geodesics, geodesic lengths."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon

from trucewatch.geo.outline import fill_holes, load_country_outline
from trucewatch.geo.projection import (
    GEOD,
    geodesic_length_km,
    geom_to_lonlat,
    geom_to_metric,
    grid_convergence_deg,
    to_local_km,
    to_lonlat,
)

lons = st.floats(22.0, 40.3)
lats = st.floats(44.3, 52.4)


def test_origin_is_the_centre() -> None:
    x, y = to_local_km(32.0, 48.5)
    assert abs(float(x)) < 1e-9 and abs(float(y)) < 1e-9


def test_vectorized_shapes_and_scalars() -> None:
    lon = np.array([[30.0, 31.0], [36.0, 37.5]])
    lat = np.full((2, 2), 48.0)
    x, y = to_local_km(lon, lat)
    assert x.shape == (2, 2) and y.shape == (2, 2)
    back_lon, back_lat = to_lonlat(x, y)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    x0, _ = to_local_km(37.8, 48.0)  # scalars broadcast to 0-d arrays
    assert np.ndim(x0) == 0


@settings(max_examples=200, deadline=None)
@given(lons, lats)
def test_round_trip(lon: float, lat: float) -> None:
    x, y = to_local_km(lon, lat)
    lon2, lat2 = to_lonlat(x, y)
    assert abs(float(lon2) - lon) < 1e-7 and abs(float(lat2) - lat) < 1e-7  # ~1 cm


_UKRAINE = fill_holes(load_country_outline())
shapely.prepare(_UKRAINE)


@settings(max_examples=200, deadline=None)
@given(lons, lats, st.floats(0.0, 360.0), st.floats(1.0, 100.0))
def test_planar_distance_matches_geodesic_within_0_17_percent_in_ukraine(
    lon: float, lat: float, az: float, km: float
) -> None:
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, km * 1000.0)
    assume(bool(shapely.contains_xy(_UKRAINE, [lon, lon2], [lat, lat2]).all()))
    x, y = to_local_km([lon, lon2], [lat, lat2])
    planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    assert planar == pytest.approx(km, rel=1.7e-3)


def test_geodesic_length_of_one_degree_of_latitude() -> None:
    line = LineString([(32.0, 48.0), (32.0, 49.0)])
    assert geodesic_length_km(line) == pytest.approx(111.2, abs=0.1)
    assert geodesic_length_km(Point(32, 48)) == 0.0
    assert geodesic_length_km(LineString()) == 0.0


def test_geometry_round_trip_and_area() -> None:
    square = Polygon([(32.0, 48.0), (33.0, 48.0), (33.0, 49.0), (32.0, 49.0)])
    dense = shapely.segmentize(square, 0.005)  # so that both edge models agree
    metric = geom_to_metric(dense)
    # equal-area projection: same area as on the ellipsoid
    geod_area = abs(GEOD.geometry_area_perimeter(dense)[0])
    assert metric.area == pytest.approx(geod_area, rel=1e-5)
    back = geom_to_lonlat(metric)
    assert back.equals_exact(dense, tolerance=1e-7)


@pytest.mark.parametrize(("lon", "lat"), [(32.0, 48.5), (37.8, 48.0), (24.0, 50.0)])
def test_grid_convergence_turns_true_into_grid_bearings(lon: float, lat: float) -> None:
    conv = float(grid_convergence_deg(lon, lat))
    for bearing in (0.0, 90.0, 225.0):
        lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, 5000.0)
        x, y = to_local_km([lon, lon2], [lat, lat2])
        grid = np.degrees(np.arctan2(x[1] - x[0], y[1] - y[0]))
        diff = (grid - (bearing - conv) + 180.0) % 360.0 - 180.0
        assert abs(diff) < 0.3  # angular distortion is below 0.2 deg
    if lon == 32.0:
        assert abs(conv) < 1e-6

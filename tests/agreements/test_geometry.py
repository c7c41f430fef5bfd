"""The geometry behind the scopes (distance to protected sites, the land/sea grid) and the
TOML line finder of the error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point, box

from trucewatch.agreements.model import Site
from trucewatch.agreements.sea import MASK_REGION, DefaultLand, GridLand
from trucewatch.agreements.sites import SiteIndex
from trucewatch.agreements.toml_lines import KeyLines

GEOD = Geod(ellps="WGS84")


@settings(max_examples=50, deadline=None)
@given(
    lon=st.floats(min_value=24.0, max_value=40.0),
    lat=st.floats(min_value=45.0, max_value=52.0),
    az=st.floats(min_value=0.0, max_value=360.0),
    km=st.floats(min_value=0.0, max_value=60.0),
)
def test_distance_to_a_point_site_is_geodesic(lon: float, lat: float, az: float,
                                               km: float) -> None:
    index = SiteIndex([Site(name="s", geometry=Point(lon, lat))])
    qlon, qlat, _ = GEOD.fwd(lon, lat, az, km * 1000.0)
    near = index.nearest([qlon], [qlat])
    assert near.index.tolist() == [0]
    assert near.distance_km[0] == pytest.approx(km, rel=0.005, abs=0.01)  # <0.2 % scale error


def test_nearest_of_several_sites_and_polygons() -> None:
    sites = [Site(name="a", geometry=Point(30.0, 50.0)),
             Site(name="b", geometry=box(31.0, 50.0, 31.1, 50.1))]
    near = SiteIndex(sites).nearest([30.01, 31.05, 31.2, np.nan], [50.0, 50.05, 50.05, 50.0])
    assert near.index.tolist() == [0, 1, 1, -1]
    assert near.distance_km[1] == 0.0  # inside the polygon
    assert near.distance_km[2] == pytest.approx(7.2, abs=0.1)  # 0.1 degree east of the edge
    assert np.isnan(near.distance_km[3])


def test_shipped_grid_covers_the_region() -> None:
    grid = GridLand.shipped()
    lon_min, lat_min, lon_max, lat_max = MASK_REGION
    rows, cols = grid.sea.shape
    assert (rows, cols) == (round((lat_max - lat_min) * 120), round((lon_max - lon_min) * 120))
    assert 0.1 < grid.sea.mean() < 0.5  # the Black Sea and the Sea of Azov, mostly land
    # outside the grid: land
    assert grid.is_land(np.array([10.0, 31.0]), np.array([46.0, 30.0])).tolist() == [True, True]


@pytest.mark.parametrize(
    ("lon", "lat", "land"),
    [(31.20, 46.20, False), (36.50, 46.00, False), (33.00, 43.50, False), (30.73, 46.47, True),
     (37.80, 48.00, True), (30.56, 50.45, True), (34.00, 47.30, True), (39.00, 45.04, True),
     (41.60, 41.60, True)],
)
def test_default_land(lon: float, lat: float, land: bool) -> None:
    assert DefaultLand().is_land(np.array([lon]), np.array([lat])).tolist() == [land]


def test_shipped_grid_is_the_packages_cut() -> None:
    globe = pytest.importorskip("global_land_mask.globe")  # only to re-derive the grid
    rng = np.random.default_rng(3)
    lon_min, lat_min, lon_max, lat_max = MASK_REGION
    lon = rng.uniform(lon_min, lon_max, 20000)
    lat = rng.uniform(lat_min, lat_max, 20000)
    assert (GridLand.shipped().is_land(lon, lat) == globe.is_land(lat, lon)).all()


def test_key_lines() -> None:
    text = (
        'name = "x"\n'
        '"quoted key" = 1\n'
        'assumptions = [\n  "a",\n  "b = c",\n]\n'
        'description = """\nmulti = line\n"""\n'
        "[sites]\n"
        "file = 'x.geojson'  # comment\n"
        "[[clauses]]\n"
        'id = "1"\n'
        "[[clauses]]\n"
        'id = "2"\n'
        "zone.name = 'z'\n"
        "parties = [{code = 'UA', name = 'Ukraine'}]\n"
    )
    kl = KeyLines(text)
    assert kl.line("name") == 1
    assert kl.line("quoted key") == 2
    assert kl.line("assumptions") == 3
    assert kl.line("b") is None  # inside an array, not a key
    assert kl.line("description") == 7
    assert kl.line("multi") is None  # inside a multi-line string
    assert kl.line("sites.file") == 11
    assert kl.line("sites.buffer_km") == 10  # falls back to the table
    assert kl.line("clauses[0].id") == 13
    assert kl.line("clauses[1].id") == 15
    assert kl.line("clauses[1].zone.name") == 16
    assert kl.line("clauses[1].text") == 14
    assert kl.line("clauses[1].parties[0].code") == 17
    assert kl.line("nothing") is None

"""Fixtures of the geo tests: real data under ../shared/data (skipped, saying why, when
absent) and small synthetic geometries that make the property tests fast."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiLineString, Polygon

from trucewatch.geo.contact_line import WHOLE_FRONT, DerivedLine, derive
from trucewatch.geo.gazetteer import Gazetteer, build_gazetteer
from trucewatch.geo.line_file import read_line_file

SHARED_DATA = Path(
    os.environ.get("TRUCEWATCH_SHARED_DATA")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
)
DEEPSTATE_2025_03_13 = SHARED_DATA / "control" / "deepstate" / "deepstatemap_data_20250313.geojson"
ISW_2023_03 = SHARED_DATA / "control" / "isw_russian_control_2023-03.geojson"
BORDERS = SHARED_DATA / "borders" / "ukraine_osm_100m.geojson"


def require(path: Path) -> Path:
    """The path, or skip the test saying which real data file is missing."""
    if not path.exists():
        pytest.skip(f"real data not available at {path} (needs ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def deepstate_path() -> Path:
    """DeepStateMap control area of 2025-03-13 (skips when the real data are absent)."""
    return require(DEEPSTATE_2025_03_13)


@pytest.fixture(scope="session")
def isw_path() -> Path:
    """ISW control area of March 2023 (skips when the real data are absent)."""
    return require(ISW_2023_03)


@pytest.fixture(scope="session")
def borders_path() -> Path:
    """OSM land polygons of Ukraine at 100 m (skips when the real data are absent)."""
    return require(BORDERS)


@pytest.fixture(scope="session")
def deepstate_derived(deepstate_path: Path) -> DerivedLine:
    """The line derived from the DeepStateMap control area of 2025-03-13."""
    _, control = read_line_file(deepstate_path)
    return derive(control)


@pytest.fixture(scope="session")
def isw_derived(isw_path: Path) -> DerivedLine:
    """The line derived from the ISW control area of March 2023."""
    _, control = read_line_file(isw_path)
    return derive(control)


# ----------------------------------------------------------------------------- synthetic
# A small "country" near Donetsk (37-38.6 E, 47.6-48.6 N) with a lake as a hole, and a
# control area that covers its south-east corner, crosses the lake and extends beyond the
# country's eastern border.

COUNTRY = Polygon(
    [(37.0, 47.6), (38.6, 47.6), (38.6, 48.6), (37.0, 48.6)],
    holes=[[(37.55, 48.05), (37.85, 48.05), (37.85, 48.2), (37.55, 48.2)]],
)
CONTROL = Polygon(
    [
        (37.7, 47.4), (38.9, 47.4), (38.9, 48.45), (38.3, 48.45), (38.1, 48.3),
        (37.95, 48.35), (37.8, 48.15), (37.6, 48.1), (37.62, 47.95), (37.75, 47.8),
    ]
)  # fmt: skip


@pytest.fixture(scope="session")
def synthetic_country() -> Polygon:
    return COUNTRY


@pytest.fixture(scope="session")
def synthetic_control() -> Polygon:
    return CONTROL


@pytest.fixture(scope="session")
def synthetic_line() -> MultiLineString:
    """A hand-made line with two parts (a wiggle and a short straight piece)."""
    return MultiLineString(
        [
            LineString([(37.0, 48.0), (37.3, 48.1), (37.5, 47.9), (37.9, 48.3), (38.4, 48.2)]),
            LineString([(37.2, 47.7), (37.6, 47.72)]),
        ]
    )


@pytest.fixture(scope="session")
def tiny_gazetteer() -> Gazetteer:
    """A handful of settlements, so that sector naming needs no GeoNames download."""
    rows = [
        ("Alpha", 37.05, 48.02, 5000, ["Альфа"]),
        ("Bravo", 37.35, 48.05, 120000, []),
        ("Charlie", 37.52, 47.93, 3000, []),
        ("Delta", 37.75, 48.2, 45000, []),
        ("Echo", 38.2, 48.25, 9000, []),
        ("Foxtrot", 37.4, 47.71, 1500, []),
    ]
    return build_gazetteer(
        [
            {
                "geonameid": i + 1,
                "name": name,
                "longitude": lon,
                "latitude": lat,
                "population": pop,
                "countrycode": "UA",
                "alternatenames": alts,
            }
            for i, (name, lon, lat, pop, alts) in enumerate(rows)
        ]
    )


@pytest.fixture(scope="session")
def deepstate_front(deepstate_path: Path) -> DerivedLine:
    """The whole front derived from the DeepStateMap control area of 2025-03-13."""
    _, control = read_line_file(deepstate_path)
    return derive(control, params=WHOLE_FRONT)

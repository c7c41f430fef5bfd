"""The whole front: the state border where Ukrainian-held land faces Russia, land held
across the border, labelled parts and their lengths, sectors over the border."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiLineString, Point, box

from trucewatch.geo.borders import STATE_BORDERS, border_stretch_metric
from trucewatch.geo.contact_line import WHOLE_FRONT, ContactLineParams, DerivedLine, derive
from trucewatch.geo.front_parts import ACROSS, DNIPRO, LAND, STATE_BORDER
from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.geo.outline import fill_holes, load_country_outline
from trucewatch.geo.projection import (
    geodesic_length_km,
    geom_to_lonlat,
    geom_to_metric,
    to_local_m,
)
from trucewatch.geo.sectors import cut_sectors

# A control area over the Luhansk border (Russian-held on both sides of it) and the
# south-east, so that the rest of the border with Russia is held by Ukraine.
LUHANSK = box(38.6, 47.0, 40.3, 49.7)
# Land held across the border, in the Kursk region near Sudzha (made up, not a map).
SALIENT = box(35.0, 51.15, 35.5, 51.45)


def _distance_km(line: MultiLineString, lon: float, lat: float) -> float:
    x, y = to_local_m(lon, lat)
    return float(geom_to_metric(line).distance(Point(float(x), float(y)))) / 1000.0


def _border_distance_km(line: MultiLineString, lon: float, lat: float) -> float:
    """Distance (km) from the line to the point of the border with Russia nearest to
    (lon, lat)."""
    stretch = border_stretch_metric(fill_holes(geom_to_metric(load_country_outline())), "RU")
    x, y = to_local_m(lon, lat)
    on_border = stretch.interpolate(stretch.project(Point(float(x), float(y))))
    return float(geom_to_metric(line).distance(on_border)) / 1000.0


@pytest.fixture(scope="module")
def territory_m() -> shapely.MultiPolygon:
    return fill_holes(geom_to_metric(load_country_outline()))


@pytest.fixture(scope="module")
def synthetic_front() -> DerivedLine:
    return derive(LUHANSK, params=WHOLE_FRONT)


# ----------------------------------------------------------------------------- stretches


def test_border_with_russia_runs_from_the_sea_of_azov_to_the_tripoint(territory_m) -> None:
    stretch = border_stretch_metric(territory_m, "RU")
    wgs = geom_to_lonlat(stretch)
    # about 1,970 km of land border on the ground; the 250 m outline is a little shorter
    assert 1850.0 < geodesic_length_km(wgs) < 2050.0
    (lon0, lat0), (lon1, lat1) = wgs.coords[0], wgs.coords[-1]
    assert abs(lon0 - 38.23) < 0.05 and abs(lat0 - 47.12) < 0.05  # Taganrog Bay
    assert abs(lon1 - 31.78) < 0.05 and abs(lat1 - 52.11) < 0.05  # the tripoint
    # Ukraine on the left: a point 2 km to the left of the middle is inside
    mid = stretch.interpolate(0.5, normalized=True)
    after = stretch.interpolate(stretch.project(mid) + 100.0)
    dx, dy = after.x - mid.x, after.y - mid.y
    norm = float(np.hypot(dx, dy))
    left = Point(mid.x - 2000.0 * dy / norm, mid.y + 2000.0 * dx / norm)
    assert territory_m.contains(left)


def test_unknown_neighbour_and_foreign_outline_are_clear_errors(territory_m) -> None:
    with pytest.raises(ValueError, match="no state border known with 'XX'"):
        border_stretch_metric(territory_m, "XX")
    elsewhere = geom_to_metric(box(36.0, 47.0, 37.0, 48.0))
    with pytest.raises(ValueError, match="does not reach the RU border"):
        border_stretch_metric(elsewhere, "RU")
    assert set(STATE_BORDERS) >= {"RU", "BY"}


# ----------------------------------------------------------------------------- synthetic


def test_border_held_by_ukraine_is_line_and_border_held_by_russia_is_not(
    synthetic_front: DerivedLine,
) -> None:
    line = synthetic_front.line
    labels = {p.label for p in synthetic_front.parts}
    assert labels >= {LAND, STATE_BORDER}
    assert _border_distance_km(line, 35.57, 50.44) < 1.0  # Sumy oblast border (Krasnopillia)
    assert _border_distance_km(line, 33.8, 52.3) < 1.0  # Chernihiv oblast border
    assert _border_distance_km(line, 36.6, 50.3) < 1.0  # Kharkiv oblast border
    assert _border_distance_km(line, 40.0, 49.0) > 5.0  # the border of the held Luhansk area
    border_km = synthetic_front.lengths_by_label()[STATE_BORDER]
    assert 1200.0 < border_km < 1700.0  # the border from the tripoint to 49.7 N


def test_belarus_is_left_out_unless_named(synthetic_front: DerivedLine, territory_m) -> None:
    belarus = border_stretch_metric(territory_m, "BY")
    pts = shapely.points(shapely.get_coordinates(shapely.segmentize(belarus, 1000.0)))
    tripoint = Point(*belarus.coords[0])
    away = shapely.distance(pts, tripoint) > 5000.0
    line_m = geom_to_metric(synthetic_front.line)
    assert shapely.distance(line_m, pts[away]).min() > 2000.0
    named = derive(LUHANSK, params=ContactLineParams(border_with=("RU", "BY")))
    extra = named.lengths_by_label()[STATE_BORDER] - synthetic_front.lengths_by_label()[
        STATE_BORDER
    ]
    assert extra == pytest.approx(geodesic_length_km(geom_to_lonlat(belarus)), rel=0.02)


def test_contact_only_keeps_the_old_line(synthetic_front: DerivedLine) -> None:
    only = derive(LUHANSK)
    assert {p.label for p in only.parts} <= {LAND, DNIPRO}
    n = len(only.line.geoms)
    front = list(synthetic_front.line.geoms)[:n]
    assert all(g.equals(h) for g, h in zip(only.line.geoms, front, strict=True))


def test_parts_add_up_and_are_in_line_order(synthetic_front: DerivedLine) -> None:
    total = sum(p.length_km for p in synthetic_front.parts)
    assert total == pytest.approx(synthetic_front.length_km, rel=1e-3)
    assert [p.part for p in synthetic_front.parts] == sorted(p.part for p in synthetic_front.parts)
    first_border = min(p.part for p in synthetic_front.parts if p.label == STATE_BORDER)
    assert all(p.label == STATE_BORDER for p in synthetic_front.parts if p.part >= first_border)


def test_sides_across_the_border(synthetic_front: DerivedLine) -> None:
    ctx = LineContext(synthetic_front.line, synthetic_front.control, synthetic_front.country)
    # Belgorod (Russia, 30 km from the border), Sumy (Ukraine), Gomel (Belarus)
    res = ctx.locate([36.59, 34.80, 30.98], [50.60, 50.91, 52.43])
    assert list(res.held_by) == ["RU", "UA", None]
    assert res.distance_km[0] > 20.0 and res.distance_km[1] < -20.0


def test_land_held_across_the_border_is_ringed_by_line() -> None:
    derived = derive(LUHANSK, params=WHOLE_FRONT, held_across=SALIENT)
    by_label = derived.lengths_by_label()
    # the box's three sides inside Russia: about 35 + 2 x 33 km
    assert 70.0 < by_label[ACROSS] < 130.0
    plain = derive(LUHANSK, params=WHOLE_FRONT).lengths_by_label()[STATE_BORDER]
    assert by_label[STATE_BORDER] < plain - 20.0  # the border along it is not line
    ctx = LineContext(derived.line, derived.control, derived.country)
    res = ctx.locate([35.25, 35.8], [51.35, 51.35])  # inside the salient; Russia east of it
    assert list(res.held_by) == ["UA", "RU"]
    assert _distance_km(derived.line, 35.25, 51.45) < 1.0  # its northern edge


# ----------------------------------------------------------------------------- real data


def test_deepstate_2025_03_13_whole_front(deepstate_front: DerivedLine) -> None:
    by_label = deepstate_front.lengths_by_label()
    assert set(by_label) == {LAND, DNIPRO, STATE_BORDER}
    assert 750.0 < by_label[LAND] < 900.0
    assert 250.0 < by_label[DNIPRO] < 350.0
    assert 850.0 < by_label[STATE_BORDER] < 1000.0
    # "almost 2,000 km" in March 2025
    assert 1900.0 < deepstate_front.length_km < 2200.0
    # the line of contact alone is what it was
    assert 1050.0 < by_label[LAND] + by_label[DNIPRO] < 1200.0
    assert _border_distance_km(deepstate_front.line, 35.57, 50.44) < 1.0  # Sumy oblast border
    assert _border_distance_km(deepstate_front.line, 39.94, 49.59) > 5.0  # Luhansk: RU both sides


def test_sectors_cover_the_border(deepstate_front: DerivedLine) -> None:
    sectors = cut_sectors(deepstate_front.line)
    border_parts = {p.part for p in deepstate_front.parts if p.label == STATE_BORDER}
    on_border = [s for s in sectors if s.part in border_parts]
    assert sum(s.length_km for s in on_border) == pytest.approx(
        deepstate_front.lengths_by_label()[STATE_BORDER], rel=1e-3
    )
    assert len({s.name for s in sectors}) == len(sectors)
    ctx = LineContext(deepstate_front.line, deepstate_front.control,
                      deepstate_front.country, sectors)  # fmt: skip
    history = LineHistory([(date(2025, 3, 13), ctx)])
    # shelling of border villages: Velyka Pysarivka, Esman, Semenivka (a few km inside)
    lon = np.array([35.48, 34.27, 32.58])
    lat = np.array([50.43, 51.88, 52.18])
    place = history.place_context(lon, lat, [date(2025, 3, 20)] * 3)
    names = {s.name for s in on_border}
    assert all(name in names for name in place.sector)
    assert list(place.held_by) == ["UA", "UA", "UA"]

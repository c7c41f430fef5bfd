"""Place names and the coast for maps: oblast labels inside their oblast's country, the
shipped coast along the sea, settlements by size."""

from __future__ import annotations

import shapely
from shapely.geometry import Point

from trucewatch.agreements.sea import DefaultLand
from trucewatch.geo import places
from trucewatch.geo.outline import fill_holes, load_country_outline


def test_oblast_labels_lie_in_ukraine_with_three_names() -> None:
    labels = places.oblast_labels()
    assert len(labels) == 25  # 24 oblasts and Crimea; Kyiv and Sevastopol are cities
    land = fill_holes(load_country_outline())
    for o in labels:
        assert land.contains(Point(o.lon, o.lat)), o
        assert set(o.names) == {"en", "uk", "ru"} and all(o.names.values())
    by_code = {o.admin1: o for o in labels}
    donetsk = by_code["05"]
    assert donetsk.names["uk"] == "Донецька область" and 37 < donetsk.lon < 39
    assert by_code["14"].names["en"] == "Luhansk Oblast" and by_code["14"].lon > 38.5


def test_the_coast_runs_between_land_and_sea() -> None:
    coast = places.load_coast()
    assert coast.length > 30  # degrees of shoreline: Black Sea and Sea of Azov
    land = DefaultLand()
    points = [coast.interpolate(f, normalized=True) for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
    for pt in points:
        # about 3 km either way there is land and sea
        ring = [shapely.affinity.translate(pt, dx, dy) for dx, dy in
                ((0.04, 0), (-0.04, 0), (0, 0.03), (0, -0.03))]  # fmt: skip
        flags = {bool(land.is_land([p.x], [p.y])[0]) for p in ring}
        assert flags == {True, False}, pt


def test_settlements_are_largest_first_above_the_threshold() -> None:
    towns = places.settlements(50_000)
    pops = [t["population"] for t in towns]
    assert pops == sorted(pops, reverse=True) and min(pops) >= 50_000
    assert towns[0]["name"] == "Kyiv"
    assert {"Kharkiv", "Donetsk", "Zaporizhzhya", "Belgorod"} <= {t["name"] for t in towns}
    assert len(places.settlements(2000)) > 3 * len(towns)


def test_shipped_places_are_what_the_derivation_makes() -> None:
    assert places.derive_settlements() == places.settlements(places.SHIPPED_MIN_POPULATION)
    points = places.derive_oblast_points()
    for o in places.oblast_labels():
        assert (o.lon, o.lat) == points[o.admin1]


def test_city_districts_are_not_settlements() -> None:
    names = {t["name"] for t in places.settlements(50_000)}
    assert {"Mariupol", "Kyiv", "Kharkiv", "Makiyivka", "Lysychansk"} <= names
    assert not {"Pravyi Bereh", "Saltivka", "Pozniaky", "Borshchahivka"} & names

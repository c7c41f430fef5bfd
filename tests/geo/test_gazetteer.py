"""Gazetteer: names in Latin and Cyrillic, nearest and largest places."""

from __future__ import annotations

import numpy as np
import pytest

from trucewatch.geo.gazetteer import (
    Gazetteer,
    find_place,
    get_gazetteer,
    largest_place_near,
    nearest_places,
    normalize_name,
)


@pytest.mark.parametrize("name", ["Donetsk", "donetsk", "Донецьк", "Донецк", "Donets'k", "DONETSK"])
def test_find_donetsk_in_any_script(name: str) -> None:
    place = find_place(name)
    assert place is not None
    assert place.name == "Donetsk" and place.country == "UA"
    assert place.lon == pytest.approx(37.80, abs=0.05) and place.lat == pytest.approx(
        48.02, abs=0.05
    )
    assert place.population > 500_000


def test_find_place_unknown_and_blank() -> None:
    assert find_place("Atlantis-on-Dnipro") is None
    assert find_place("   ") is None


def test_ambiguous_names_prefer_population_or_proximity() -> None:
    biggest = find_place("Pokrovske")
    assert biggest is not None
    near = find_place("Pokrovske", near=(38.14, 48.62))
    assert near is not None and near.lon == pytest.approx(38.14, abs=0.05)
    assert near.population <= biggest.population


def test_neighbours_near_the_border_are_included() -> None:
    belgorod = find_place("Belgorod")
    assert belgorod is not None and belgorod.country == "RU"
    assert find_place("Moscow") is None  # outside the box around Ukraine


def test_city_districts_are_left_out() -> None:
    gz = get_gazetteer()
    res = nearest_places(37.80, 48.00, gazetteer=gz)
    assert res.name == "Donetsk"  # not its district "Yuzivskyi"


def test_nearest_places_vectorized() -> None:
    lon = np.array([37.80, 32.62, 36.79])
    lat = np.array([48.02, 46.64, 46.76])
    res = nearest_places(lon, lat, min_population=50_000)
    assert list(res.name) == ["Donetsk", "Kherson", "Berdyansk"]
    assert np.all(res.distance_km < 3.0)
    three = nearest_places(lon, lat, k=3)
    assert three.name.shape == (3, 3)
    assert np.all(np.diff(three.distance_km, axis=1) >= 0)
    none = nearest_places([20.0], [60.0], max_km=10.0)
    assert none.index[0] == -1 and none.name[0] is None and np.isinf(none.distance_km[0])


def test_largest_place_near() -> None:
    place = largest_place_near(37.75, 48.0, radius_km=15.0)
    assert place is not None and place.name == "Donetsk"


def test_normalize_name() -> None:
    assert normalize_name("Kryvyi  Rih") == normalize_name("kryvyi-rih")
    assert normalize_name("Pokrovs’k") == "pokrovsk"


def test_name_keys_list_primary_and_alternate_names(tiny_gazetteer: Gazetteer) -> None:
    keys = {(k, tuple(idx), primary) for k, idx, primary in tiny_gazetteer.name_keys()}
    alpha = tiny_gazetteer.lookup("Alpha")
    assert ("alpha", tuple(alpha), True) in keys and ("альфа", tuple(alpha), False) in keys
    assert sum(primary for _, _, primary in keys) == len(tiny_gazetteer)


def test_a_name_geonames_gives_two_places() -> None:
    # GeoNames lists "Sloviansk" and "Слов'янськ" among Nikopol's alternate names too
    for name in ("Sloviansk", "Слов'янськ", "Славянск"):
        assert find_place(name).name == "Slovyansk"  # type: ignore[union-attr]
    assert find_place("Nikopol").name == "Nikopol"  # type: ignore[union-attr]

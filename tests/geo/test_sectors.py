"""Cutting a line into sectors: coverage without gaps, lengths near the target, names."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString

from trucewatch.geo.contact_line import DerivedLine
from trucewatch.geo.gazetteer import Gazetteer
from trucewatch.geo.projection import GEOD, geodesic_length_km, geom_to_metric
from trucewatch.geo.sectors import SectorPiece, cut_sectors, unique_names


def _check_partition(line: MultiLineString, sectors: list[SectorPiece], target: float) -> None:
    assert [s.index for s in sectors] == list(range(len(sectors)))
    # contiguous along the line, from 0 to its length
    assert sectors[0].start_km == 0.0
    for a, b in itertools.pairwise(sectors):
        assert b.start_km == pytest.approx(a.end_km, abs=1e-9)
    assert sectors[-1].end_km == pytest.approx(geodesic_length_km(line), rel=1e-9)
    for part_index, part in enumerate(line.geoms):
        pieces = [s for s in sectors if s.part == part_index]
        assert pieces, "every part has sectors"
        # no gap: the pieces chain from the part's start to its end
        assert pieces[0].geometry.coords[0] == pytest.approx(part.coords[0])
        assert pieces[-1].geometry.coords[-1] == pytest.approx(part.coords[-1])
        for a, b in itertools.pairwise(pieces):
            assert a.geometry.coords[-1] == b.geometry.coords[0]
        part_km = geodesic_length_km(part)
        n = len(pieces)
        assert n == max(1, round(part_km / target))
        for s in pieces:
            # pieces are equal shares of the part (to the cut interpolation, < 1 m)
            assert geodesic_length_km(s.geometry) == pytest.approx(s.length_km, abs=2e-3)
            assert s.length_km == pytest.approx(part_km / n, rel=1e-9)
            if n > 1:
                assert 0.75 * target - 1e-9 <= s.length_km <= 1.5 * target + 1e-9
    # together the pieces are the line (in the metric plane, within a metre)
    union = shapely.union_all([geom_to_metric(s.geometry) for s in sectors])
    assert union.hausdorff_distance(geom_to_metric(line)) < 1.0
    assert len({s.name for s in sectors}) == len(sectors)


def test_synthetic_line(synthetic_line: MultiLineString, tiny_gazetteer: Gazetteer) -> None:
    sectors = cut_sectors(synthetic_line, target_km=20.0, gazetteer=tiny_gazetteer)
    _check_partition(synthetic_line, sectors, 20.0)
    assert sectors == cut_sectors(synthetic_line, target_km=20.0, gazetteer=tiny_gazetteer)
    # the short second part (~30 km) is cut in two
    assert [s.part for s in sectors].count(1) == 2
    # names: the largest settlement within 15 km of the midpoint (Bravo, 120k, near the start)
    assert sectors[0].name in {"Alpha", "Bravo"}
    assert any(s.name.endswith(" 2") for s in sectors)  # repeated names get a suffix


def test_short_part_is_one_sector(tiny_gazetteer: Gazetteer) -> None:
    line = MultiLineString([LineString([(37.0, 48.0), (37.3, 48.0)])])  # ~22 km
    sectors = cut_sectors(line, target_km=50.0, gazetteer=tiny_gazetteer)
    assert len(sectors) == 1 and sectors[0].geometry.equals(line.geoms[0])


def test_rejects_bad_target(synthetic_line: MultiLineString) -> None:
    with pytest.raises(ValueError):
        cut_sectors(synthetic_line, target_km=0.0)


@st.composite
def polylines(draw: st.DrawFn) -> MultiLineString:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        lon = draw(st.floats(30.0, 38.0))
        lat = draw(st.floats(46.0, 50.0))
        coords = [(lon, lat)]
        for _ in range(draw(st.integers(1, 12))):
            az = draw(st.floats(0.0, 360.0))
            km = draw(st.floats(0.2, 60.0))
            lon, lat, _ = GEOD.fwd(lon, lat, az, km * 1000.0)
            coords.append((float(lon), float(lat)))
        parts.append(LineString(coords))
    return MultiLineString(parts)


@settings(max_examples=60, deadline=None)
@given(line=polylines(), target=st.floats(5.0, 80.0))
def test_property_partition(
    line: MultiLineString, target: float, tiny_gazetteer: Gazetteer
) -> None:
    sectors = cut_sectors(line, target_km=target, gazetteer=tiny_gazetteer)
    _check_partition(line, sectors, target)


def test_unique_names() -> None:
    assert unique_names(["A", "A 2", "A", "B", "A"]) == ["A", "A 2", "A 3", "B", "A 4"]


def test_sector_round_trip(synthetic_line: MultiLineString, tiny_gazetteer: Gazetteer) -> None:
    piece = cut_sectors(synthetic_line, target_km=20.0, gazetteer=tiny_gazetteer)[1]
    stored = piece.to_sector(line_id=7)
    assert stored.line_id == 7 and stored.name == piece.name
    back = SectorPiece.from_sector(stored)
    assert back.geometry.equals(piece.geometry) and back.start_km == piece.start_km


def test_sectors_of_the_deepstate_line(deepstate_derived: DerivedLine) -> None:
    sectors = cut_sectors(deepstate_derived.line)
    _check_partition(deepstate_derived.line, sectors, 50.0)
    assert 18 <= len(sectors) <= 30
    names = [s.name for s in sectors]
    # the main part runs from the north-east (Kharkiv region) to Kherson
    for expected in ("Kupiansk", "Pokrovsk", "Kherson"):
        hits = [n for n in names if n.split(" ")[0] in expected or expected in n]
        assert hits or expected == "Kupiansk", (expected, names)
    assert np.argmax([n == "Kherson" for n in names]) > np.argmax([n == "Pokrovsk" for n in names])

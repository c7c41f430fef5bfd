"""Partitioned fusion, the pure part: cells, halos, ownership and the merge."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trucewatch.fusion.calibration import FEATURES
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.pairing import PAIR_RANGE_KM
from trucewatch.fusion.partition import (
    Cell,
    CellResult,
    PartitionPlan,
    cell_result,
    front_axis,
    halo_for,
    merge_cells,
    split,
)
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

T0 = datetime(2025, 3, 13, tzinfo=UTC)


def _obs(uid: str, lon: float, lat: float, minutes: float, source: str = "cam1",
         kind: SourceKind = SourceKind.CAMERA) -> Observation:  # fmt: skip
    t = T0 + timedelta(minutes=minutes)
    return Observation(uid=uid, source_kind=kind, source_format=str(kind), source_id=source,
                       time_start=t, time_end=t, location=PointLocation.isotropic(lon, lat, 0.5),
                       kind=EventKind.EXPLOSION, reliability="B", credibility=2)  # fmt: skip


def test_halo_covers_pairing_and_the_arrays_alive_window():
    km, s = halo_for()
    assert km >= 2 * PAIR_RANGE_KM[1]
    assert s >= 6 * 3600


def test_an_observation_reaches_its_band_and_the_neighbours_within_the_halo():
    plan = PartitionPlan(band_km=100.0, halo_km=30.0, halo_s=3600.0)
    assert list(plan.bands_reached(50.0)) == [0]
    assert list(plan.bands_reached(80.0)) == [0, 1]
    assert list(plan.bands_reached(-10.0)) == [-1, 0]
    assert list(plan.windows_reached(86400.0 - 60)) == [0, 1]
    assert plan.read_bounds(1) == (86400.0 - 3600.0, 2 * 86400.0 + 3600.0)


def test_bad_plans_are_refused():
    with pytest.raises(ValueError, match="band_km"):
        PartitionPlan(band_km=0.0)


def test_the_front_axis_follows_the_line():
    diagonal = np.array([[32.0, 46.5], [34.0, 47.5], [36.0, 48.5], [38.0, 49.5]])
    ax = front_axis(diagonal)
    assert ax[0] > 0 and ax[1] > 0 and abs(np.hypot(*ax) - 1) < 1e-6
    assert front_axis(None) == (1.0, 0.0)


def test_split_sends_halo_observations_to_both_cells_and_owns_each_once():
    plan = PartitionPlan(band_km=100.0, halo_km=20.0, halo_s=3600.0)
    near_seam = _obs("a", 33.35, 48.5, 10)  # about 99 km east of the plane's origin
    far = _obs("b", 32.0, 48.5, 20)
    w = plan.window_of(T0.timestamp())
    cells, owner = split([near_seam, far], plan, w)
    holding = {c.band for c, members in cells.items() if near_seam in members}
    assert holding == {0, 1}
    assert owner["a"] == Cell(w, 0) and owner["b"] == Cell(w, 0)
    assert split([near_seam], plan, w + 1)[1] == {}  # not in that window's core


def _cell(window: int, band: int, incidents: list, arrays: list, sources: list) -> CellResult:
    x = np.zeros((len(incidents), len(FEATURES)))
    return CellResult(Cell(window, band), incidents, x, [], sources, arrays)


def test_merge_drops_duplicates_counts_conflicts_and_ignores_cell_order():
    obs = [_obs("a", 32.0, 48.5, 0), _obs("b", 32.0, 48.5, 0, source="cam2"),
           _obs("c", 34.0, 48.5, 300)]  # fmt: skip
    result = fuse_observations(obs)
    incs = result.incidents
    assert len(incs) == 2
    one = _cell(0, 0, [incs[0]], [()], [2])
    two = _cell(0, 1, [incs[0], incs[1]], [(), ()], [2, 1])
    a, b = merge_cells([one, two]), merge_cells([two, one])
    assert a.result.incidents == b.result.incidents == incs
    assert a.duplicates_dropped == 1 and a.seam_conflicts == 0
    clash = dataclasses.replace(incs[1], uid="other", observation_uids=incs[0].observation_uids)
    assert merge_cells([one, _cell(0, 1, [clash], [()], [1])]).seam_conflicts == 2


def test_array_alone_is_counted_over_every_cell():
    """An array heard alone in one cell and corroborated in another: the share is global,
    so the lone incident's feature is that of the pooled counts, log((1+1)/(1+1)) = 0."""
    obs = [_obs("a", 32.0, 48.5, 0, "arr1", SourceKind.ACOUSTIC)]
    inc = fuse_observations(obs).incidents[0]
    other = dataclasses.replace(inc, uid="x", observation_uids=("zz",))
    lone = _cell(0, 0, [inc], [("acoustic:arr1",)], [1])
    alone_only = merge_cells([lone]).result.features[0][FEATURES.index("array_alone")]
    assert alone_only == pytest.approx(np.log(2 / 1))
    pooled = merge_cells([lone, _cell(1, 0, [other], [("acoustic:arr1",)], [2])])
    x = pooled.result.features[[i.uid for i in pooled.result.incidents].index(inc.uid)]
    assert x[FEATURES.index("array_alone")] == pytest.approx(0.0)


def test_a_cell_keeps_only_what_it_owns():
    plan = PartitionPlan(band_km=100.0, halo_km=50.0, halo_s=7200.0)
    obs = [_obs("a", 32.0, 48.5, 0), _obs("b", 32.0, 48.5, 60 * 24.1)]
    result = fuse_observations(obs)
    w = plan.window_of(T0.timestamp())
    kept0 = cell_result(Cell(w, 0), obs, result, plan)
    kept1 = cell_result(Cell(w + 1, 0), obs, result, plan)
    assert [i.observation_uids for i in kept0.incidents] == [("a",)]
    assert [i.observation_uids for i in kept1.incidents] == [("b",)]

"""The confidence model's features (:func:`trucewatch.fusion.calibration.feature_matrix`)
and the calibration shipped with the package."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from trucewatch.fusion.calibration import COUNT_CAP, FEATURES, feature_matrix, shipped
from trucewatch.fusion.engine import _array_alone_log_odds, fuse_observations
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources import complaint
from trucewatch.types import SourceKind

KINDS = list(SOURCE_KINDS)


def _features(rounds: float = np.nan, **per_kind: int) -> dict[str, float]:
    """The features of one incident with ``per_kind`` independent sources (by kind value)
    and ``rounds`` counted."""
    counts = np.zeros((1, len(KINDS)))
    for name, n in per_kind.items():
        counts[0, KINDS.index(SourceKind(name))] = n
    x = feature_matrix(np.array([1.5]), np.array([-0.2]), counts, np.array([False]),
                       np.array([rounds]), np.array([0.7]))  # fmt: skip
    assert x.shape == (1, len(FEATURES))
    return dict(zip(FEATURES, x[0].tolist(), strict=True))


CORROBORATION = ("single_source", "source_kinds", "lone_array", "arrays_corroborated",
                 "satellite_only")  # fmt: skip


@pytest.mark.parametrize(("per_kind", "expected"), [
    ({"acoustic": 1}, (1, 1, 1, 0, 0)),  # one array alone: no time difference of arrival
    ({"acoustic": 2}, (0, 1, 0, 1, 0)),  # two arrays timed it
    ({"acoustic": 1, "camera": 1}, (0, 2, 0, 0, 0)),
    ({"camera": 1}, (1, 1, 0, 0, 0)),
    ({"satellite_thermal": 1}, (1, 1, 0, 0, 1)),
    ({"satellite_thermal": 2}, (0, 1, 0, 0, 1)),  # two satellites, still no other sensor
    ({"satellite_thermal": 1, "patrol": 1}, (0, 2, 0, 0, 0)),
    ({"patrol": 1, "acoustic": 3, "camera": 1, "party_complaint": 1, "open_source": 1},
     (0, COUNT_CAP, 0, 1, 0)),  # five kinds, capped
    ({}, (0, 0, 0, 0, 0)),
])  # fmt: skip
def test_corroboration_features(per_kind: dict[str, int], expected: tuple[int, ...]) -> None:
    f = _features(**per_kind)
    assert tuple(f[name] for name in CORROBORATION) == expected
    assert f["bias"] == 1.0 and f["admiralty"] == 1.5 and f["negative"] == -0.2
    assert f["array_alone"] == 0.7


def test_per_kind_counts_are_capped() -> None:
    f = _features(acoustic=7, camera=2)
    assert (f["n_acoustic"], f["n_camera"], f["n_patrol"]) == (COUNT_CAP, 2, 0)


@pytest.mark.parametrize(("rounds", "single"), [(1.0, 1.0), (2.0, 0.0), (np.nan, 0.0)])
def test_single_round_only_when_one_round_was_counted(rounds: float, single: float) -> None:
    assert _features(rounds, acoustic=1)["single_round"] == single


def test_array_alone_is_the_arrays_record_of_speaking_alone() -> None:
    # incidents 0-3; array 7 alone in 0 and 1, with array 8 in 2; camera 9 alone in 3
    pair_cluster = np.array([0, 1, 2, 2, 3])
    pair_source = np.array([7, 7, 7, 8, 9])
    n_sources = np.array([1, 1, 2, 1])
    is_array = np.array([True, True, True, True, False])
    same_day = np.zeros(4, dtype=np.int64)
    got = _array_alone_log_odds(pair_cluster, pair_source, n_sources, is_array, same_day)
    # array 7: alone in 2 of its 3 incidents -> (2 + 1) / (3 + 2) = 0.6, log-odds log 1.5
    np.testing.assert_allclose(got, [np.log(1.5), np.log(1.5), 0.0, 0.0])
    no_arrays = np.zeros(5, dtype=bool)
    assert not _array_alone_log_odds(pair_cluster, pair_source, n_sources, no_arrays,
                                     same_day).any()  # fmt: skip


def test_array_alone_counts_each_day_apart() -> None:
    """The array's record is of the incident's UTC day: what it did on other days (or
    whether they were fused at all) does not change it."""
    pair_cluster = np.array([0, 1, 2, 2, 3])
    pair_source = np.array([7, 7, 7, 8, 7])
    n_sources = np.array([1, 1, 2, 1])
    is_array = np.ones(5, dtype=bool)
    day = np.array([20_000, 20_000, 20_001, 20_001])
    got = _array_alone_log_odds(pair_cluster, pair_source, n_sources, is_array, day)
    # day 20000: array 7 alone in both of its incidents -> (2 + 1) / (0 + 1) = 3
    # day 20001: alone in 1 of 2 -> (1 + 1) / (1 + 1) = 1
    np.testing.assert_allclose(got, [np.log(3.0), np.log(3.0), 0.0, 0.0])
    first_day_only = _array_alone_log_odds(np.array([0, 1]), np.array([7, 7]),
                                           np.array([1, 1]), np.ones(2, dtype=bool),
                                           day[:2])  # fmt: skip
    np.testing.assert_allclose(first_day_only, got[:2])


def test_a_lone_complaint_is_an_uncorroborated_detection() -> None:
    record = {
        "format": "complaint", "complainant": "UA", "accused": "RU", "kind": "artillery",
        "time_start_utc": "2025-03-13T20:10:00Z", "time_end_utc": "2025-03-13T20:40:00Z",
        "lon": 37.71, "lat": 48.05, "location_sigma_km": 2.0,
    }  # fmt: skip
    result = fuse_observations([complaint.parse_record(record, json.dumps(record))])
    assert result.features is not None
    row = dict(zip(FEATURES, result.features[0].tolist(), strict=True))
    assert (row["single_source"], row["source_kinds"], row["lone_array"]) == (1.0, 1.0, 0.0)
    assert row["array_alone"] == 0.0


def test_shipped_calibration_matches_the_features() -> None:
    data = json.loads(resources.files("trucewatch.fusion").joinpath("data", "calibration.json")
                      .read_text(encoding="utf-8"))  # fmt: skip
    assert list(data["weights"]) == list(FEATURES)
    prov = data["provenance"]
    assert prov["fitted"] and prov["scenarios"] and prov["seeds"]
    assert {"incidents", "brier", "log_loss", "runs"} <= set(prov)
    assert sum(run["incidents"] for run in prov["runs"]) == prov["incidents"]
    assert not {11, 12, 13, 14} & set(prov["seeds"])  # the benchmark's scored seeds
    assert shipped().weights == data["weights"]

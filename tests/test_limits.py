"""The bounds of :mod:`trucewatch.limits`: each refuses what it should, names the field,
and lets real values through."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from trucewatch import limits
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Observation,
    PointLocation,
    SourceKind,
)


def _obs(**changes: object) -> Observation:
    t = datetime(2025, 8, 13, 6, tzinfo=UTC)
    base = Observation(
        uid="u", source_kind=SourceKind.PATROL, source_format="patrol", source_id="patrol:a",
        time_start=t, time_end=t + timedelta(hours=1),
        location=BearingRangeLocation(observer=PointLocation.isotropic(37.3, 48.3, 0.1),
                                      bearings_deg=(270.0,), distance_km_min=2.0,
                                      distance_km_max=4.0),
        kind=EventKind.MORTAR, count=3, weapon="mortar", reliability="B", credibility=2,
        payload="{}", payload_sha256="x", attributes={"event_index": 1},
    )  # fmt: skip
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_real_observation_passes() -> None:
    assert limits.observation_problem(_obs()) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"count": 2**40}, "events[1].count"),
        ({"weapon": "w" * 201}, "events[1].weapon"),
        ({"source_id": "a\x00b"}, "source_id"),
        ({"time_start": datetime(1800, 1, 1, tzinfo=UTC)}, "time_start"),
        ({"time_end": datetime(2025, 10, 1, tzinfo=UTC)}, "time_end"),
        ({"location": PointLocation(lon=37.0, lat=48.0, cov_km2=((1e300, 0.0), (0.0, 1.0)))},
         "location.sigma_km"),
        ({"location": BearingRangeLocation(observer=PointLocation.isotropic(37.3, 48.3, 0.1),
                                           bearings_deg=(), distance_km_max=1e151)},
         "events[1].distance_km_max"),
        ({"attributes": {"event_index": 1, "frp": float("nan")}}, "frp"),
        ({"attributes": {"event_index": 1, "x": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}},
         "x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"),  # the 16th level down
        ({"attributes": {"event_index": 1, "note": "\ud800"}}, "note"),
        ({"payload": "x" * (limits.MAX_RECORD_CHARS + 1)}, "record"),
    ],
)  # fmt: skip
def test_each_bound_names_its_field(changes: dict[str, object], field: str) -> None:
    problem = limits.observation_problem(_obs(**changes))
    assert problem is not None
    assert problem[0] == field, problem


def test_value_problem_walks_keys_and_depth() -> None:
    assert limits.value_problem({"a": {"b\x00": 1}}, "") == (
        "a.b\x00", "a NUL character is not allowed")
    assert limits.value_problem({"n": 2**60}, "")[0] == "n"  # type: ignore[index]
    assert limits.value_problem({"ok": [1, 2.5, "text", None, True]}, "") is None
    assert limits.depth_of([[[]]]) == 3


@pytest.mark.parametrize("year", [1969, 2100, 1, 9999])
def test_years_outside_the_window(year: int) -> None:
    assert limits.year_problem(datetime(year, 6, 1, tzinfo=UTC), "t") is not None

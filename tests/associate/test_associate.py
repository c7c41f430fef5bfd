"""Association: gated pairs and constrained agglomeration into one cluster per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from trucewatch.associate import Gates, cluster, thresholds
from trucewatch.fusion.engine import observation_context, observation_order
from trucewatch.localize.measurements import extract
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

T0 = datetime(2025, 8, 13, 8, 0, tzinfo=UTC)


def _report(uid: str, lon: float, lat: float, source: str, minutes: float = 0.0,
            kind: SourceKind = SourceKind.PATROL) -> Observation:  # fmt: skip
    t = T0 + timedelta(minutes=minutes)
    return Observation(
        uid=uid, source_kind=kind, source_format="patrol", source_id=source,
        time_start=t, time_end=t + timedelta(minutes=1),
        location=PointLocation.isotropic(lon, lat, 0.3), kind=EventKind.EXPLOSION,
        reliability="B", credibility=2,
    )  # fmt: skip


def _labels(observations: list[Observation]) -> dict[str, int]:
    obs = sorted(observations, key=observation_order)
    m = extract(obs)
    rows = np.flatnonzero(m.ok)
    labels = cluster(m, rows, observation_context(obs), Gates())
    return {obs[int(r)].uid: int(label) for r, label in zip(rows, labels, strict=True)}


def test_two_sources_at_one_place_and_time_are_one_event():
    labels = _labels([_report("a", 37.80, 48.00, "team-1"), _report("b", 37.801, 48.0, "team-2")])
    assert labels["a"] == labels["b"]


def test_one_directional_source_reports_an_event_once():
    """Two reports of the same patrol team are two events, however close."""
    labels = _labels([_report("a", 37.80, 48.00, "team-1"), _report("b", 37.801, 48.0, "team-1")])
    assert labels["a"] != labels["b"]


def test_far_apart_in_space_or_time_are_two_events():
    near_far = _labels([_report("a", 37.80, 48.0, "team-1"), _report("b", 38.30, 48.0, "team-2")])
    assert near_far["a"] != near_far["b"]
    early_late = _labels([_report("a", 37.80, 48.0, "team-1"),
                          _report("b", 37.80, 48.0, "team-2", minutes=240)])  # fmt: skip
    assert early_late["a"] != early_late["b"]


def test_the_order_of_the_input_does_not_change_the_clusters():
    reports = [_report(f"r{k}", 37.80 + 0.002 * k, 48.0, f"team-{k % 3}", minutes=k)
               for k in range(9)]  # fmt: skip
    forward = _labels(reports)
    backward = _labels(list(reversed(reports)))
    same = {(a, b) for a in forward for b in forward if forward[a] == forward[b]}
    assert same == {(a, b) for a in backward for b in backward if backward[a] == backward[b]}


def test_the_consistency_threshold_grows_with_the_cluster():
    t = thresholds(5)  # sizes 0..5
    assert t.shape == (6,) and np.all(np.diff(t[1:]) > 0)

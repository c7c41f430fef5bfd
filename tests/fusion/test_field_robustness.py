"""Echo rejection, launch-impact pairing and the activity context of the fusion engine."""

from __future__ import annotations

import json

import numpy as np

from trucewatch import sources
from trucewatch.fusion.attribution import P_SIDE, attribute_incident, place_log_odds
from trucewatch.fusion.context import ACTIVITY_KM, ACTIVITY_S, corroborated_activity
from trucewatch.fusion.echoes import ECHO_WINDOW_S, echo_primaries
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.pairing import PAIR_WINDOW_S, paired_partner


def _echo_inputs(arrivals, sources, durations, signatures, counts):
    n = len(arrivals)
    return (np.asarray(sources, np.int64), np.asarray(arrivals, float),
            np.asarray(durations, float), np.asarray(signatures, np.int8),
            np.asarray(counts, float), np.ones(n, bool))


def test_echo_is_a_later_copy_of_the_same_array_burst() -> None:
    # rows: direct burst; its echo 4 s later; an echo of the echo; another array at the
    # same time; the same array 4 s later but a different burst length; too late
    primary = echo_primaries(*_echo_inputs(
        arrivals=[100.0, 104.0, 109.0, 104.0, 104.5, 100.0 + ECHO_WINDOW_S + 1],
        sources=[1, 1, 1, 2, 1, 1],
        durations=[60.0, 60.0, 60.5, 60.0, 20.0, 60.0],
        signatures=[1, 1, 1, 1, 1, 1],
        counts=[12, 11, 13, 12, 12, 12],
    ))
    assert primary.tolist() == [-1, 0, 0, -1, -1, -1]


def test_echo_needs_the_same_signature_and_a_like_count() -> None:
    primary = echo_primaries(*_echo_inputs(
        arrivals=[0.0, 3.0, 0.0, 3.0], sources=[1, 1, 2, 2], durations=[10.0] * 4,
        signatures=[1, -1, 1, 1], counts=[4, 4, 4, 20],
    ))
    assert (primary == -1).all()


def _acoustic_record(uid: str, sensor: str, lon: float, arrival: str, bearing: float) -> str:
    return json.dumps({
        "format": "acoustic", "detection_id": uid, "sensor_id": sensor, "sensor_lon": lon,
        "sensor_lat": 48.5, "sensor_sigma_km": 0.01, "arrival_utc": arrival,
        "time_sigma_s": 0.2, "bearing_deg": bearing, "bearing_sigma_deg": 3.0,
        "range_max_km": 20.0, "speed_of_sound_m_s": 340.0, "kind": "explosion",
        "signature": "impact", "count": 8, "duration_s": 90.0, "reliability": "B",
        "credibility": 3})  # fmt: skip


def test_an_echo_joins_its_direct_arrival_instead_of_making_a_false_incident(tmp_path) -> None:
    path = tmp_path / "acoustic.jsonl"
    path.write_text("\n".join([
        _acoustic_record("direct", "array-1", 37.0, "2025-08-18T10:00:00Z", 90.0),
        _acoustic_record("echo", "array-1", 37.0, "2025-08-18T10:00:05Z", 200.0),
    ]) + "\n")  # fmt: skip
    observations = sources.read_file(path).observations
    incidents = fuse_observations(observations).incidents
    assert len(incidents) == 1
    assert len(incidents[0].observation_uids) == 2
    # without the echo's burst matching (another length), the echo stands alone
    path.write_text("\n".join([
        _acoustic_record("direct", "array-1", 37.0, "2025-08-18T10:00:00Z", 90.0),
        _acoustic_record("other", "array-1", 37.0, "2025-08-18T10:00:05Z", 200.0)
        .replace('"duration_s": 90.0', '"duration_s": 10.0'),
    ]) + "\n")  # fmt: skip
    assert len(fuse_observations(sources.read_file(path).observations).incidents) == 2


def test_pairs_are_mutual_nearest_launch_and_impact_within_window_and_range() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 50.0], [60.0, 0.0], [0.0, 0.2], [5.0, 5.0]])
    start = np.array([0.0, 30.0, 0.0, 10.0, 5.0, 1000.0])
    signature = np.array([-1, 1, 1, -1, 1, -1])
    partner = paired_partner(xy, start, signature)
    # 0 pairs with 1 (10 km, 30 s); 2 is 50 km from 0 and 3, 3 is 50+ km from 1; 4 is
    # too close to 0 (0.2 km); 5 is outside the time window of every impact
    assert partner[0] == 1 and partner[1] == 0
    assert partner[2] == partner[3] == partner[4] == partner[5] == -1
    assert PAIR_WINDOW_S < 1000.0


def test_a_busy_front_elsewhere_does_not_hide_the_partner() -> None:
    """Twenty impacts 300+ km away land closer in time to the launch than its own impact
    (which lands 40 s later, 12 km off): the partner is still found (only candidates in
    range count, however many others the front has)."""
    far = np.column_stack([np.linspace(300.0, 900.0, 20), np.zeros(20)])
    xy = np.vstack([[[0.0, 0.0], [12.0, 0.0]], far])
    start = np.concatenate([[0.0, 40.0], np.linspace(-5.0, 5.0, 20)])
    signature = np.concatenate([[-1, 1], np.ones(20, dtype=np.int64)])
    partner = paired_partner(xy, start, signature)
    assert partner[0] == 1 and partner[1] == 0


def test_unknown_signatures_are_never_paired() -> None:
    partner = paired_partner(np.array([[0.0, 0.0], [5.0, 0.0]]), np.array([0.0, 10.0]),
                             np.array([0, 1]))  # fmt: skip
    assert (partner == -1).all()


def test_the_paired_site_decides_what_a_straddling_ellipse_cannot() -> None:
    parties = ("UA", "RU")
    # an impact near the line, placed in UA-held land with 55% confidence: alone undecided
    alone = attribute_incident([], parties, held_by="UA", signature=1, side_probability=0.55)
    assert alone.party == "undetermined"
    # its launch lies clearly in RU-held land: RU fired
    launch = place_log_odds(parties, "RU", -1, 0.99)
    assert launch is not None and launch < 0
    paired = attribute_incident([], parties, held_by="UA", signature=1, side_probability=0.55,
                                paired_place=launch)  # fmt: skip
    assert paired.party == "RU" and paired.method == "place+pair"
    assert paired.probabilities["RU"] > P_SIDE * 0.9


def test_activity_counts_corroborated_neighbours_of_lone_incidents_only() -> None:
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [ACTIVITY_KM * 3, 0.0], [0.0, 0.0]])
    start = np.array([0.0, 60.0, 120.0, 0.0, ACTIVITY_S * 3])
    corroborated = np.array([False, True, True, False, False])
    activity = corroborated_activity(xy, start, corroborated)
    assert activity[0] == np.log1p(2)  # two corroborated neighbours
    assert activity[1] == activity[2] == 0.0  # corroborated incidents get 0
    assert activity[3] == 0.0  # far away in space
    assert activity[4] == 0.0  # far away in time

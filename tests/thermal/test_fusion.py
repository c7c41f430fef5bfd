"""The fusion hook returns the uids of war-related detections."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from trucewatch.thermal.fusion import war_fire_uids, war_fire_uids_from_records
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind


def test_uids_of_war_fires(synth, synthetic_baseline, line_context) -> None:
    rng = np.random.default_rng(3)
    lon, lat, day = synth.random_fires(rng, 2022, rate=0.01)
    days = np.repeat(np.arange(np.datetime64("2022-06-01"), np.datetime64("2022-07-01"), 2), 4)
    war_lon = np.full(days.size, synth.LINE_LON + 0.02)
    war_lat = np.tile([48.05, 48.06, 48.07, 48.08], days.size // 4)
    all_lon = np.concatenate([lon, war_lon])
    all_lat = np.concatenate([lat, war_lat])
    all_day = np.concatenate([day, days])
    uids = [f"u{i}" for i in range(all_lon.size)]
    war = war_fire_uids(uids, all_lon, all_lat, all_day, baseline=synthetic_baseline,
                        lines=line_context)  # fmt: skip
    planted = {f"u{i}" for i in range(lon.size, all_lon.size)}
    assert len(war & planted) >= 0.9 * len(planted)
    assert len(war - planted) <= 0.02 * lon.size


def test_from_records_skips_non_points(synthetic_baseline) -> None:
    t = datetime(2022, 6, 1, 10, tzinfo=UTC)

    def obs(uid: str, lon: float) -> Observation:
        return Observation(uid=uid, source_kind=SourceKind.SATELLITE_THERMAL,
                           source_format="firms", source_id="FIRMS", time_start=t, time_end=t,
                           location=PointLocation.isotropic(lon, 48.0, 0.3),
                           kind=EventKind.THERMAL_ANOMALY)  # fmt: skip

    assert war_fire_uids_from_records([obs("a", 30.0)], baseline=synthetic_baseline) == frozenset()
    assert war_fire_uids_from_records([], baseline=synthetic_baseline) == frozenset()

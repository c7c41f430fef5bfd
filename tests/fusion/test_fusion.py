"""First fusion: wedge localization, association gates, confidence and attribution."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from trucewatch.fusion.attribution import FlowReport, attribute
from trucewatch.fusion.confidence import combine, observation_probability, status_for
from trucewatch.fusion.engine import fuse_observations
from trucewatch.geo.history import PlaceContext
from trucewatch.localize import localize_one
from trucewatch.localize.wedge import distance_range, wedge_estimate
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Flow,
    IncidentStatus,
    Observation,
    PointLocation,
    SourceKind,
)

GEOD = Geod(ellps="WGS84")
T0 = datetime(2025, 8, 13, 8, 0, tzinfo=UTC)


def _patrol(uid: str, lon: float, lat: float, bearing: float, d: tuple[float, float],
            source: str = "team-1", flow: Flow | None = Flow.INCOMING,
            t: datetime = T0, count: int = 10) -> Observation:
    return Observation(
        uid=uid, source_kind=SourceKind.PATROL, source_format="patrol", source_id=source,
        time_start=t, time_end=t + timedelta(hours=1),
        location=BearingRangeLocation(
            observer=PointLocation.isotropic(lon, lat, 0.1), bearings_deg=(bearing,),
            distance_km_min=d[0], distance_km_max=d[1]),
        kind=EventKind.MORTAR, count=count, flow=flow, reliability="B", credibility=2,
    )


def _fire(uid: str, lon: float, lat: float, t: datetime = T0) -> Observation:
    return Observation(
        uid=uid, source_kind=SourceKind.SATELLITE_THERMAL, source_format="firms",
        source_id="FIRMS VIIRS N20", time_start=t, time_end=t,
        location=PointLocation.isotropic(lon, lat, 0.25), kind=EventKind.THERMAL_ANOMALY,
        count=1, reliability="B", credibility=3,
    )


class FakeLines:
    """Context lookup: west of 37.5 E held by UA, east by RU, line along 37.5 E."""

    def place_context(self, lon, lat, days):
        lon = np.asarray(lon)
        held = np.where(lon >= 37.5, "RU", "UA").astype(object)
        dist = (lon - 37.5) * 111.32 * np.cos(np.radians(np.asarray(lat)))
        return PlaceContext(held_by=held, distance_km=dist,
                            sector=np.full(len(lon), "Test", dtype=object))

    def parties(self, day: date):
        return ("RU", "UA")


@settings(max_examples=40, deadline=None)
@given(bearing=st.floats(0, 359.9), d_min=st.floats(0.5, 10), width=st.floats(0.5, 10))
def test_wedge_mean_lies_along_the_bearing_within_range(bearing, d_min, width):
    d_max = d_min + width
    est = wedge_estimate(37.0, 48.0, np.zeros((2, 2)), (bearing,), 11.25, d_min, d_max)
    az, _, dist_m = GEOD.inv(37.0, 48.0, est.lon, est.lat)
    assert d_min * 0.95 <= dist_m / 1000 <= d_max
    assert abs((az - bearing + 180) % 360 - 180) < 2.0
    # a wedge is not a point: spread across the bearing reflects the 22.5 degree width
    assert math.sqrt(np.linalg.eigvalsh(est.cov_km2)[1]) > 0.05 * d_min


def test_wedge_covariance_is_elongated_across_a_far_narrow_range():
    est = wedge_estimate(37.0, 48.0, np.zeros((2, 2)), (90.0,), 11.25, 9.0, 10.0)
    # looking east: along-bearing (x) spread small, across (y) spread large
    assert est.cov_km2[1, 1] > 4 * est.cov_km2[0, 0]


def test_distance_range_defaults_and_single_value():
    assert distance_range(EventKind.SMALL_ARMS, None, None) == (0.1, 2.0)
    lo, hi = distance_range(EventKind.MORTAR, 2.0, 2.0)
    assert lo < 2.0 < hi


def test_two_patrols_hearing_one_event_become_one_incident_located_between_them():
    event = (37.40, 48.00)
    obs = []
    for k, (az, dist) in enumerate([(270.0, 4.0), (180.0, 5.0)]):
        lon, lat, back = GEOD.fwd(event[0], event[1], az, dist * 1000)
        obs.append(_patrol(f"p{k}", lon, lat, back % 360, (dist * 0.7, dist * 1.3),
                           source=f"team-{k}"))
    result = fuse_observations(obs, FakeLines())
    assert len(result.incidents) == 1
    inc = result.incidents[0]
    _, _, err_m = GEOD.inv(event[0], event[1], inc.location.lon, inc.location.lat)
    single = localize_one(obs[0])
    assert err_m / 1000 < 2.0
    # two independent sources: more confident than one, and the ellipse shrinks
    assert inc.confidence > observation_probability("B", 2)
    assert np.trace(inc.location.cov) < np.trace(single.cov)
    assert inc.count == 10  # the same rounds heard twice are not 20
    assert inc.observation_uids == ("p0", "p1")


def test_far_apart_or_separate_in_time_are_separate_incidents():
    a = _fire("a", 37.0, 48.0)
    b = _fire("b", 37.3, 48.0)  # ~22 km away
    c = _fire("c", 37.0, 48.0, t=T0 + timedelta(hours=12))
    result = fuse_observations([a, b, c])
    assert len(result.incidents) == 3


def test_adjacent_pixels_of_one_fire_merge():
    a = _fire("a", 37.0, 48.0)
    b = _fire("b", 37.004, 48.001)  # ~300 m
    assert len(fuse_observations([a, b]).incidents) == 1


def test_incoming_and_outgoing_reports_are_not_merged():
    a = _patrol("a", 37.4, 48.0, 90.0, (3, 6), flow=Flow.INCOMING)
    b = _patrol("b", 37.4, 48.0, 90.0, (3, 6), flow=Flow.OUTGOING, source="team-2")
    assert len(fuse_observations([a, b]).incidents) == 2


def test_same_source_is_not_independent():
    one, n1 = combine([("patrol:1", 0.77)])
    twice, n2 = combine([("patrol:1", 0.77), ("patrol:1", 0.77)])
    two, n3 = combine([("patrol:1", 0.77), ("patrol:2", 0.77)])
    assert (one, n1) == (twice, n2)
    assert two > one and n3 == 2


@pytest.mark.parametrize(
    ("confidence", "sources", "status"),
    [(0.3, 1, IncidentStatus.UNVERIFIED), (0.6, 1, IncidentStatus.POSSIBLE),
     (0.8, 1, IncidentStatus.POSSIBLE), (0.95, 1, IncidentStatus.POSSIBLE),
     (0.79, 2, IncidentStatus.POSSIBLE), (0.8, 2, IncidentStatus.PROBABLE),
     (0.94, 2, IncidentStatus.PROBABLE), (0.95, 2, IncidentStatus.CONFIRMED)],
)  # fmt: skip
def test_status_thresholds(confidence, sources, status):
    assert status_for(confidence, sources) is status


def test_improbable_information_lowers_confidence():
    assert observation_probability("B", 5) < 0.5 < observation_probability("B", 1)


def test_attribution_from_flow():
    outgoing = attribute([FlowReport("patrol:1", Flow.OUTGOING, "UA")], ("RU", "UA"))
    assert outgoing.party == "UA" and outgoing.probabilities["UA"] == pytest.approx(0.8)
    incoming = attribute([FlowReport("patrol:1", Flow.INCOMING, "UA")], ("RU", "UA"))
    assert incoming.party == "RU"
    unknown = attribute([FlowReport("patrol:1", Flow.UNDETERMINED, "UA")], ("RU", "UA"))
    assert unknown.party == "undetermined"


def test_fused_incident_gets_context_and_attribution():
    obs = [_patrol("a", 37.40, 48.0, 90.0, (3, 6), flow=Flow.INCOMING)]
    inc = fuse_observations(obs, FakeLines()).incidents[0]
    assert inc.sector == "Test"
    assert inc.held_by in ("RU", "UA")
    assert inc.attribution.party == "RU"  # incoming at a UA-held post came from RU


def test_fusion_is_deterministic():
    obs = [_fire("a", 37.0, 48.0), _fire("b", 37.004, 48.001), _fire("c", 36.0, 47.0)]
    first = fuse_observations(obs)
    second = fuse_observations(list(reversed(obs)))
    assert [i.uid for i in first.incidents] == [i.uid for i in second.incidents]

"""Adjudication: the four labels, each for its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trucewatch.claims.adjudicate import adjudicate_items
from trucewatch.claims.coverage import presence_of
from trucewatch.claims.model import ItemClaim, Label
from trucewatch.types import (
    Attribution,
    BearingRangeLocation,
    EventKind,
    Incident,
    IncidentStatus,
    Observation,
    PointLocation,
    SourceKind,
)

T0 = datetime(2025, 4, 20, 10, tzinfo=UTC)
LON, LAT = 37.70, 48.00


def _incident(uid: str, party: str, lon: float = LON, kinds=(SourceKind.ACOUSTIC,)) -> Incident:
    return Incident(uid=uid, time_start=T0 + timedelta(minutes=10),
                    time_end=T0 + timedelta(minutes=12),
                    location=PointLocation.isotropic(lon, LAT, 0.5), kind=EventKind.ARTILLERY,
                    count=5, confidence=0.9, status=IncidentStatus.CONFIRMED,
                    attribution=Attribution(party=party, probabilities={party: 0.9}),
                    observation_uids=("o",), source_kinds=kinds)  # fmt: skip


def _array_report(lon: float) -> Observation:
    obs = PointLocation.isotropic(lon, LAT, 0.01)
    return Observation(uid=f"a{lon}", source_kind=SourceKind.ACOUSTIC, source_format="acoustic",
                       source_id=f"array-{lon}", time_start=T0, time_end=T0,
                       location=BearingRangeLocation(observer=obs, bearings_deg=(90.0,)),
                       kind=EventKind.ARTILLERY)  # fmt: skip


def _claim(cid: str, lon: float = LON, accused: str = "RU") -> ItemClaim:
    return ItemClaim(claim_id=cid, claimant="UA", accused=accused, stated_at=None,
                     time_start=T0, time_end=T0 + timedelta(hours=1), lon=lon, lat=LAT,
                     sigma_km=1.0, weapon="artillery")  # fmt: skip


def test_four_labels() -> None:
    incidents = [_incident("i-ru", "RU"), _incident("i-ua", "UA", lon=LON + 0.5)]
    presence = presence_of([_array_report(LON + 0.25), _array_report(LON + 0.3)])
    claims = [_claim("matches"), _claim("own-fire", lon=LON + 0.5),
              _claim("silent", lon=LON + 0.3), _claim("far", lon=LON + 2.0),
              _claim("complaint-only", lon=LON + 1.0)]  # fmt: skip
    only_party = _incident("i-c", "RU", lon=LON + 1.0, kinds=(SourceKind.PARTY_COMPLAINT,))
    v = {x.claim_id: x for x in adjudicate_items(claims, [*incidents, only_party], presence)}
    assert v["matches"].label is Label.CORROBORATED and v["matches"].incidents[0] == "i-ru"
    assert v["own-fire"].label is Label.PARTLY and "UA" in v["own-fire"].reason
    assert v["silent"].label is Label.CONTRADICTED and v["silent"].coverage >= 0.5
    assert v["far"].label is Label.NOT_VERIFIABLE and v["far"].coverage == 0.0
    # an incident of party complaints alone corroborates nothing
    assert v["complaint-only"].label is not Label.CORROBORATED


def test_no_incidents_and_no_sensors() -> None:
    (v,) = adjudicate_items([_claim("x")], [], presence_of([]))
    assert v.label is Label.NOT_VERIFIABLE and v.coverage == 0.0

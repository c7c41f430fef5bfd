"""The one encoding of an incident (trucewatch.codec.incident_record) and JSON values."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from enum import Enum

import numpy as np

from trucewatch.codec import ellipse_to_dict, finite, incident_record, json_value
from trucewatch.types import (
    Attribution,
    Ellipse,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)


def incident(**changes: object) -> Incident:
    fields: dict[str, object] = dict(
        uid="u1",
        time_start=datetime(2025, 8, 12, 14, 0, 5, 250_000, tzinfo=UTC),
        time_end=datetime(2025, 8, 12, 14, 5, tzinfo=UTC),
        location=PointLocation(lon=37.5, lat=48.1, cov_km2=((2.0, 0.7), (0.7, 1.0))),
        kind=EventKind.ARTILLERY, count=3, confidence=0.8, status=IncidentStatus.PROBABLE,
        attribution=Attribution(party="RU", probabilities={"RU": 0.8}, method="m"),
        observation_uids=("o1", "o2"), source_kinds=(SourceKind.PATROL, SourceKind.ACOUSTIC),
        sector="S1", held_by="UA", line_distance_km=-2.5,
        assessment={"agreement_verdict": "violation", "score": math.nan},
    )  # fmt: skip
    fields.update(changes)
    return Incident(**fields)  # type: ignore[arg-type]


def test_record_keys_and_values() -> None:
    r = incident_record(incident())
    assert list(r) == [
        "uid", "time_start", "time_end", "lon", "lat", "cov_km2", "ellipse", "kind", "count",
        "confidence", "status", "attribution", "sources", "observations", "observation_count",
        "sector", "held_by", "line_distance_km", "verdict", "assessment",
    ]  # fmt: skip
    assert r["time_start"] == "2025-08-12T14:00:05.250000Z"
    assert (r["kind"], r["status"]) == ("artillery", "probable")
    assert r["sources"] == ["patrol", "acoustic"]
    assert (r["observations"], r["observation_count"]) == (["o1", "o2"], 2)
    assert r["attribution"] == {"party": "RU", "probabilities": {"RU": 0.8}, "method": "m"}
    assert r["verdict"] == "violation"
    assert r["assessment"]["score"] is None  # JSON has no NaN
    ell = Ellipse.from_cov(np.array([[2.0, 0.7], [0.7, 1.0]]))
    assert r["ellipse"]["semi_major_km"] == ell.semi_major_km
    json.dumps(r, allow_nan=False)


def test_record_options_and_missing_values() -> None:
    r = incident_record(incident(confidence=math.inf, line_distance_km=None, assessment={}),
                        observation_count=7, timespec="seconds")  # fmt: skip
    assert r["time_start"] == "2025-08-12T14:00:05Z"
    assert r["observation_count"] == 7 and r["observations"] == ["o1", "o2"]
    assert r["confidence"] is None and r["line_distance_km"] is None and r["verdict"] is None


def test_ellipse_of_a_non_finite_covariance_has_no_axes() -> None:
    ell = ellipse_to_dict(((math.nan, 0.0), (0.0, 1.0)))
    assert ell == {"semi_major_km": None, "semi_minor_km": None, "orientation_deg": None,
                   "confidence": 0.95}  # fmt: skip


class _Colour(Enum):
    RED = "red"


def test_json_value() -> None:
    value = {
        1: [math.nan, np.float64(2.5), np.int64(3)],
        "t": datetime(2025, 8, 12, 17, 0, 1, 999, tzinfo=UTC),
        "d": date(2025, 8, 12),
        "s": {"b", "a"},
        "e": _Colour.RED,
        "o": (True, None, math.inf),
    }
    assert json_value(value) == {
        "1": [None, 2.5, 3],
        "t": "2025-08-12T17:00:01Z",
        "d": "2025-08-12",
        "s": ["a", "b"],
        "e": "red",
        "o": [True, None, None],
    }
    assert finite(math.nan) is None and finite(1) == 1.0 and finite(None) is None

"""The incident list's features (built from stored rows) carry the core's 95% ellipse and
the same properties as a feature built from the incident."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pytest

from trucewatch.api.present import FEATURE_PROPERTIES, feature_from_row, incident_feature
from trucewatch.types import (
    Attribution,
    Ellipse,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)

RNG = np.random.default_rng(1)
COVS = [
    np.array([[1.0, 0.0], [0.0, 1.0]]),
    np.array([[4.0, 0.0], [0.0, 1.0]]),
    np.array([[1.0, 0.0], [0.0, 4.0]]),
    np.array([[2.0, 0.7], [0.7, 1.0]]),
    np.array([[1.0, -0.9], [-0.9, 1.0]]),
    np.zeros((2, 2)),
    *[(lambda a: a @ a.T)(RNG.normal(size=(2, 2))) for _ in range(50)],
]


def _row(cov: np.ndarray) -> SimpleNamespace:
    """A stored ``incidents`` row (SQLite: naive UTC times)."""
    return SimpleNamespace(
        uid="u1", time_start=datetime(2025, 8, 12, 14, 0), time_end=datetime(2025, 8, 12, 14, 5),
        lon=37.5, lat=48.1, cov_ee=float(cov[0, 0]), cov_en=float(cov[0, 1]),
        cov_nn=float(cov[1, 1]), kind="artillery", count=3, confidence=0.8, status="probable",
        attribution_party="RU",
        attribution={"party": "RU", "probabilities": {"RU": 0.8, "UA": 0.1}, "method": "m"},
        source_kinds=["patrol", "acoustic"], sector="S1", held_by="UA", line_distance_km=-2.5,
        assessment={"agreement_verdict": "violation"},
    )  # fmt: skip


@pytest.mark.parametrize("cov", COVS)
def test_row_feature_has_the_core_ellipse(cov: np.ndarray) -> None:
    core = Ellipse.from_cov(cov, 0.95)
    ellipse = feature_from_row(_row(cov), 2)["properties"]["ellipse"]
    assert ellipse == {"semi_major_km": core.semi_major_km, "semi_minor_km": core.semi_minor_km,
                       "orientation_deg": core.orientation_deg, "confidence": 0.95}  # fmt: skip


def test_row_feature_without_a_finite_covariance_has_no_ellipse() -> None:
    ellipse = feature_from_row(_row(np.array([[np.nan, 0.0], [0.0, 1.0]])), 0)["properties"]
    assert ellipse["ellipse"]["semi_major_km"] is None


def test_row_feature_equals_the_incident_feature() -> None:
    cov = COVS[3]
    inc = Incident(
        uid="u1", time_start=datetime(2025, 8, 12, 14, 0, tzinfo=UTC),
        time_end=datetime(2025, 8, 12, 14, 5, tzinfo=UTC),
        location=PointLocation.from_cov(37.5, 48.1, cov), kind=EventKind.ARTILLERY, count=3,
        confidence=0.8, status=IncidentStatus.PROBABLE,
        attribution=Attribution(party="RU", probabilities={"RU": 0.8, "UA": 0.1}, method="m"),
        observation_uids=("o1", "o2"), source_kinds=(SourceKind.PATROL, SourceKind.ACOUSTIC),
        sector="S1", held_by="UA", line_distance_km=-2.5,
        assessment={"agreement_verdict": "violation"},
    )  # fmt: skip
    from_row = feature_from_row(_row(cov), 2)
    assert incident_feature(inc).model_dump(mode="json") == from_row
    assert tuple(from_row["properties"]) == FEATURE_PROPERTIES
    assert from_row["properties"]["time_start"] == "2025-08-12T14:00:00Z"
    assert from_row["properties"]["verdict"] == "violation"

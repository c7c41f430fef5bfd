"""A party is one source, however its complaints arrive (file or liaison submission)."""

from __future__ import annotations

import json

from trucewatch.app.roles import as_complaint
from trucewatch.fusion.calibration import FEATURES
from trucewatch.fusion.engine import fuse_observations
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources import complaint, patrol
from trucewatch.types import SourceKind

FILED = {
    "format": "complaint", "complainant": "UA", "accused": "RU", "kind": "artillery",
    "time_start_utc": "2025-03-13T20:10:00Z", "time_end_utc": "2025-03-13T20:40:00Z",
    "lon": 37.71, "lat": 48.05, "location_sigma_km": 2.0,
}  # fmt: skip
SUBMITTED = {  # a patrol record sent by UA's liaison (local time, Europe/Kyiv: UTC+2)
    "date": "2025-03-13", "time_start": "22:15", "time_end": "22:35",
    "observer_lon": 37.70, "observer_lat": 48.02,
    "events": [{"kind": "artillery", "directions": ["north"],
                "distance_km_min": 2, "distance_km_max": 5}],
}  # fmt: skip


def test_liaison_submission_is_graded_and_named_as_the_party_complaint() -> None:
    (record,) = patrol.parse_record(SUBMITTED, json.dumps(SUBMITTED))
    submitted = as_complaint(record, "UA")
    model = SOURCE_KINDS[SourceKind.PARTY_COMPLAINT]
    assert submitted.source_kind is SourceKind.PARTY_COMPLAINT
    assert submitted.source_id == model.source_id("UA") == "complaint:UA"
    assert (submitted.reliability, submitted.credibility) == ("C", 4)


def test_complaint_file_and_liaison_submission_count_the_party_once() -> None:
    filed = complaint.parse_record(FILED, json.dumps(FILED))
    (record,) = patrol.parse_record(SUBMITTED, json.dumps(SUBMITTED))
    submitted = as_complaint(record, "UA")
    result = fuse_observations([filed, submitted])
    assert len(result.incidents) == 1
    assert set(result.incidents[0].observation_uids) == {filed.uid, submitted.uid}
    assert result.features is not None
    assert result.features[0, FEATURES.index("n_party_complaint")] == 1.0

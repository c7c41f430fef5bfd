"""The simulator's input formats: sniffing, reading, errors naming line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trucewatch.errors import InputError
from trucewatch.ids import observation_uid
from trucewatch.sources import REGISTRY, read_file, read_head, sniff_format
from trucewatch.types import BearingRangeLocation, PlaceLocation, PointLocation, SourceKind

DATA = Path(__file__).parent / "data"
FIXTURES = {"acoustic": "acoustic_sample.jsonl", "camera": "camera_sample.jsonl",
            "complaint": "complaint_sample.jsonl"}  # fmt: skip


@pytest.mark.parametrize(("name", "fixture"), sorted(FIXTURES.items()))
def test_sniff_and_read(name: str, fixture: str) -> None:
    path = DATA / fixture
    head = read_head(path)
    for other, module in REGISTRY.items():
        assert module.sniff(path, head) is (other == name), other
    assert sniff_format(path) == name
    result = read_file(path)
    assert result.errors == [] and result.observations
    lines = [x for x in path.read_text().splitlines() if x.strip()]
    assert result.read == len(lines) == len(result.observations)
    for obs, line in zip(result.observations, lines, strict=True):
        assert obs.uid == observation_uid(name, line, 0)
        assert obs.payload == line and obs.source_format == name
        assert obs.time_start <= obs.time_end and obs.time_start.utcoffset().total_seconds() == 0


def test_acoustic_observation() -> None:
    obs = read_file(DATA / "acoustic_sample.jsonl").observations[0]
    assert obs.source_kind is SourceKind.ACOUSTIC
    loc = obs.location
    assert isinstance(loc, BearingRangeLocation) and isinstance(loc.observer, PointLocation)
    assert loc.bearings_deg == (123.4,)
    assert loc.bearing_halfwidth_deg == pytest.approx(3.0 * 3**0.5)
    assert loc.distance_km_max == 19.5
    # the window goes back by the longest travel time of the sound
    assert (obs.time_end - obs.time_start).total_seconds() == pytest.approx(19.5 / 0.34 + 300.0)
    assert obs.attributes["time_sigma_s"] == 0.1
    assert obs.attributes["detection_id"] == "AC-07-000123"


def test_complaint_with_place_only() -> None:
    obs = read_file(DATA / "complaint_sample.jsonl").observations[1]
    assert obs.source_kind is SourceKind.PARTY_COMPLAINT
    assert isinstance(obs.location, PlaceLocation) and obs.location.place == "Huliaipole"
    assert obs.source_id == "complaint:RU"
    assert obs.attributes["accused"] == "UA"


@pytest.mark.parametrize(
    ("fixture", "record", "field"),
    [
        ("a.jsonl", {"format": "acoustic", "sensor_id": "x", "sensor_lon": 37, "sensor_lat": 48},
         "arrival_utc"),
        ("a.jsonl", {"format": "acoustic", "sensor_id": "x", "sensor_lon": 37, "sensor_lat": 95,
                     "arrival_utc": "2025-03-13T10:00:00Z"}, "sensor_lat"),
        ("c.jsonl", {"format": "camera", "camera_id": "c", "camera_lon": 37, "camera_lat": 48,
                     "time_start_utc": "2025-03-13T10:00:00"}, "time_start_utc"),
        ("p.jsonl", {"format": "complaint", "complainant": "UA",
                     "time_start_utc": "2025-03-13T10:00:00Z"}, "lon"),
        ("p.jsonl", {"format": "complaint", "complainant": "UA", "lon": 37, "lat": 48,
                     "time_start_utc": "2025-03-13T10:00:00Z", "count": 0}, "count"),
    ],
)
def test_bad_record_names_line_and_field(
    tmp_path: Path, fixture: str, record: dict, field: str
) -> None:
    short = {"a": "acoustic", "c": "camera", "p": "complaint"}
    good = (DATA / FIXTURES[short[fixture[0]]]).read_text().splitlines()[0]
    path = tmp_path / fixture
    path.write_text(good + "\n" + json.dumps(record) + "\n")
    with pytest.raises(InputError) as err:
        read_file(path)
    assert err.value.error.line == 2 and err.value.error.field == field
    assert len(read_file(path, skip_bad=True).observations) == 1

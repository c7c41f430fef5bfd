"""Exports of incidents: the registry of formats, GeoJSON and CSV files."""

from __future__ import annotations

import csv as std_csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trucewatch.codec import incident_record
from trucewatch.export import FORMATS, csv, geojson, write_incidents
from trucewatch.types import (
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)


def incident(uid: str, minute: int) -> Incident:
    return Incident(
        uid=uid, time_start=datetime(2025, 8, 12, 14, minute, tzinfo=UTC),
        time_end=datetime(2025, 8, 12, 14, minute + 1, tzinfo=UTC),
        location=PointLocation(lon=37.5, lat=48.1, cov_km2=((4.0, 0.0), (0.0, 1.0))),
        kind=EventKind.MORTAR, count=2, confidence=0.75, status=IncidentStatus.POSSIBLE,
        attribution=Attribution(party="UA", probabilities={"UA": 0.7}, method="m"),
        observation_uids=("o1",), source_kinds=(SourceKind.PATROL, SourceKind.CAMERA),
        sector="S2", held_by="RU", line_distance_km=1.25,
    )  # fmt: skip


INCIDENTS = [incident("a", 0), incident("b", 10)]


def test_registry() -> None:
    assert list(FORMATS) == ["geojson", "csv"]
    assert FORMATS["geojson"] is geojson.FORMAT and FORMATS["csv"] is csv.FORMAT
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.suffix == f".{name}" and "/" in fmt.media_type


def test_geojson_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "incidents.geojson"
    assert write_incidents(INCIDENTS, path, "geojson") == 2
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 2
    feature = doc["features"][0]
    assert feature["id"] == "a"
    assert feature["geometry"] == {"type": "Point", "coordinates": [37.5, 48.1]}
    assert tuple(feature["properties"]) == geojson.PROPERTIES
    assert feature["properties"]["ellipse"]["orientation_deg"] == 90.0
    assert feature["properties"]["observations"] == ["o1"]


def test_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    assert write_incidents(INCIDENTS, path, "csv") == 2
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 3  # header and two rows, CSV line ends
    rows = list(std_csv.DictReader(raw.decode("utf-8").splitlines()))
    assert tuple(rows[0]) == csv.COLUMNS
    assert rows[1]["uid"] == "b" and rows[1]["sources"] == "patrol;camera"
    assert (rows[0]["semi_major_km"], rows[0]["orientation_deg"]) == ("4.895", "90.0")
    assert rows[0]["observations"] == "1"


def test_csv_with_other_columns_and_line_ends() -> None:
    text = csv.encode([incident_record(INCIDENTS[0])], columns=("uid", "verdict"),
                      lineterminator="\n")  # fmt: skip
    assert text == "uid,verdict\na,\n"


def test_encode_equals_the_file(tmp_path: Path) -> None:
    for name, fmt in FORMATS.items():
        path = tmp_path / f"x{fmt.suffix}"
        write_incidents(INCIDENTS, path, name)
        text = fmt.encode(incident_record(i) for i in INCIDENTS)
        assert path.read_bytes() == text.encode("utf-8")


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kml"):
        write_incidents(INCIDENTS, tmp_path / "x.kml", "kml")

"""Exports of incidents: the registry of formats, GeoJSON and the flat CSV; the GDAL
formats are opened with GDAL and GeoPandas in test_gdal_formats.py."""

from __future__ import annotations

import csv as std_csv
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from trucewatch.codec import incident_record
from trucewatch.export import FORMATS, csv, flat, geojson, write_incidents
from trucewatch.geo.gazetteer import UA_OBLASTS, get_gazetteer, oblast_of
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
    assert list(FORMATS) == ["geojson", "csv", "gpkg", "kml", "parquet"]
    assert FORMATS["geojson"] is geojson.FORMAT and FORMATS["csv"] is csv.FORMAT
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.suffix == f".{name}" and "/" in fmt.media_type
        assert (fmt.write is None) != (fmt.write_path is None)


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
    assert tuple(rows[0]) == csv.COLUMNS == flat.COLUMNS
    assert rows[1]["uid"] == "b" and rows[1]["sources"] == "patrol;camera"
    assert rows[0]["precision_km"] == "4.9" and rows[0]["geo_precision"] == "2"
    assert rows[0]["observations"] == "1"
    assert (rows[0]["latitude"], rows[0]["longitude"]) == ("48.1", "37.5")
    assert rows[0]["event_type"] == "Explosions/Remote violence"
    assert (rows[0]["sub_event_type"], rows[0]["event_date"]) == ("mortar", "2025-08-12")
    assert (rows[0]["responsible_party"], rows[0]["responsible_probability"]) == ("UA", "0.7")
    assert rows[0]["country"] == "UA" and rows[0]["oblast"] == "Donetsk"
    assert rows[0]["settlement"] and float(rows[0]["settlement_km"]) < 15
    assert rows[0]["raion"] == ""


def test_flat_row_verdict_clause_and_rounding() -> None:
    here = PointLocation(lon=37.123456789012, lat=48.98765432101,
                         cov_km2=((0.25, 0.0), (0.0, 0.25)))
    inc = replace(INCIDENTS[0], location=here, assessment={
        "agreement_verdict": "violation", "agreements": [
            {"agreement": "other", "verdict": "permitted", "clause": "1"},
            {"agreement": "truce", "verdict": "violation", "clause": "2.1"}]})  # fmt: skip
    (row,) = flat.rows([incident_record(inc)])
    assert (row["verdict"], row["agreement"], row["clause"]) == ("violation", "truce", "2.1")
    assert (row["latitude"], row["longitude"]) == (48.98765, 37.12346)
    assert row["geo_precision"] == 1
    vague = PointLocation(lon=37.5, lat=48.1, cov_km2=((400.0, 0.0), (0.0, 1.0)))
    far = replace(INCIDENTS[0], location=vague)
    assert flat.rows([incident_record(far)])[0]["geo_precision"] == 3


def test_oblast_codes_match_the_gazetteer() -> None:
    """Each GeoNames first-level code's largest settlement is the oblast's centre."""
    gz = get_gazetteer()
    capitals = {"05": "Donetsk", "14": "Luhansk", "26": "Zaporizhzhya", "08": "Kherson",
                "07": "Kharkiv", "13": "Bila Tserkva", "12": "Kyiv",
                "11": "Simferopol"}  # fmt: skip
    for code, capital in capitals.items():
        ua = np.flatnonzero((gz.country == "UA") & (gz.admin1 == code))
        assert gz.name[ua[np.argmax(gz.population[ua])]] == capital, code
    assert set(UA_OBLASTS) == set(gz.admin1[gz.country == "UA"])
    assert oblast_of("RU", "05") is None


def test_csv_with_other_columns_and_line_ends() -> None:
    text = csv.encode([incident_record(INCIDENTS[0])], columns=("uid", "verdict"),
                      lineterminator="\n")  # fmt: skip
    assert text == "uid,verdict\na,\n"


def test_bytes_equal_the_file(tmp_path: Path) -> None:
    for name, fmt in FORMATS.items():
        if fmt.write is None:
            continue
        path = tmp_path / f"x{fmt.suffix}"
        write_incidents(INCIDENTS, path, name)
        assert path.read_bytes() == fmt.to_bytes(incident_record(i) for i in INCIDENTS)
        assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("old")
    broken = replace(INCIDENTS[0], location=None)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        write_incidents([INCIDENTS[0], broken], path, "csv")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="shp"):
        write_incidents(INCIDENTS, tmp_path / "x.shp", "shp")

"""Reading FIRMS CSV files into columns: both shapes, bad rows skipped and reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trucewatch.errors import InputError
from trucewatch.thermal.columns import FireTable, read_firms_columns

FULL = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,"
    "version,bright_ti5,frp,daynight,instrument\n"
    "49.72786,37.61411,302.74,0.63,0.54,2025-08-12,00:26:00,N20,nominal,2.0NRT,283.17,1.41,N,VIIRS\n"
    "50.45148,33.84904,308.72,0.42,0.45,2025-08-12,1304,N20,h,2.0NRT,283.34,1.02,D,VIIRS\n"
    "50.1,33.8,308.72,0.42,0.45,2025-08-13,26,N20,low,2.0NRT,283.34,,D,VIIRS\n"
)
MINIMAL = "\ufeffLATITUDE,LONGITUDE,ACQ_DATE\n47.1005,37.6171,2022-01-01\n47.2,37.5,2022-01-02\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_full_shape(tmp_path: Path) -> None:
    t = read_firms_columns(write(tmp_path, "f.csv", FULL))
    assert len(t) == 3
    assert t.time_s.tolist() == [26 * 60, 13 * 3600 + 4 * 60, 26 * 60]
    assert t.confidence.tolist() == [1, 2, 0]
    assert t.frp[0] == pytest.approx(1.41) and np.isnan(t.frp[2])
    assert t.instruments[t.instrument[0]] == "VIIRS"
    assert t.day.tolist()[0].isoformat() == "2025-08-12"
    assert t.row.tolist() == [2, 3, 4]


def test_minimal_shape_with_bom_and_upper_case(tmp_path: Path) -> None:
    t = read_firms_columns(write(tmp_path, "m.csv", MINIMAL))
    assert len(t) == 2
    assert (t.time_s == -1).all() and not t.has_time.any()
    assert t.lat.tolist() == [47.1005, 47.2]
    assert t.instruments[t.instrument[0]] == ""


def test_bad_rows_are_skipped_and_named(tmp_path: Path) -> None:
    text = MINIMAL + "x,37.6,2022-01-03\n\n48,37,2022-13-01\n95,37,2022-01-04\n48,37,2022-01-05\n"
    t = read_firms_columns(write(tmp_path, "b.csv", text))
    assert len(t) == 3
    assert t.skipped == 3
    assert t.row.tolist() == [2, 3, 8]
    messages = [str(e) for e in t.errors]
    assert "line 4, field 'LATITUDE'".lower() in messages[0].lower()
    assert "acq_date" in messages[1].lower() and "line 6" in messages[1]
    assert "outside" in messages[2]


def test_directory_and_concat(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", MINIMAL)
    write(tmp_path, "b.csv", FULL)
    t = read_firms_columns(tmp_path)
    assert len(t) == 5
    assert t.source.tolist() == [0, 0, 1, 1, 1]
    assert set(t.instruments) == {"", "VIIRS"}


def test_missing_column_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="acq_date"):
        read_firms_columns(write(tmp_path, "x.csv", "latitude,longitude\n1,2\n"))


def test_from_arrays_and_take() -> None:
    t = FireTable.from_arrays([30.0, 31.0], [48.0, 49.0], ["2022-01-01", "2022-01-02"])
    s = t.take(np.array([False, True]))
    assert len(s) == 1 and s.lon[0] == 31.0

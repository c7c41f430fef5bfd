"""NASA FIRMS CSV: both shapes, times, uncertainty, attributes, bad rows."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.errors import InputError, RecordError
from trucewatch.ids import observation_uid
from trucewatch.sources import firms, read_file
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind

VIIRS_HEADER = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,"
    "version,bright_ti5,frp,daynight,instrument"
)
VIIRS_ROW = (
    "49.72786,37.61411,302.74,0.63,0.54,2025-08-12,00:26:00,N20,nominal,2.0NRT,283.17,1.41,N,VIIRS"
)
MODIS_HEADER = (
    "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,"
    "confidence,version,bright_t31,frp,daynight"
)
MODIS_ROWS = [
    "48.5,37.9,310.2,1.0,1.0,2022-03-01,26,T,MODIS,71,6.1NRT,290.1,12.5,N",
    "48.6,38.0,325.7,2.1,1.4,2022-03-01,1304,Aqua,MODIS,100,6.1NRT,295.3,40.2,D",
]


def _only(items: list[Observation | RecordError]) -> Observation:
    assert len(items) == 1
    assert isinstance(items[0], Observation), items[0]
    return items[0]


def _errors(path: Path) -> list[RecordError]:
    return [x for x in firms.read(path) if isinstance(x, RecordError)]


# ----------------------------------------------------------------- good input


def test_viirs_row(write: Callable[..., Path]) -> None:
    obs = _only(list(firms.read(write("v.csv", f"{VIIRS_HEADER}\n{VIIRS_ROW}\n"))))
    assert obs.source_kind is SourceKind.SATELLITE_THERMAL
    assert obs.kind is EventKind.THERMAL_ANOMALY
    assert obs.source_format == "firms"
    assert obs.source_id == "FIRMS VIIRS N20"
    assert obs.count == 1
    assert obs.time_start == obs.time_end == datetime(2025, 8, 12, 0, 26, tzinfo=UTC)
    assert isinstance(obs.location, PointLocation)
    assert (obs.location.lon, obs.location.lat) == (37.61411, 49.72786)
    sigma = math.sqrt(obs.location.cov_km2[0][0])
    assert sigma == pytest.approx(firms.SIGMA_FACTOR * 0.63 / math.sqrt(12))
    assert obs.location.cov_km2[1][1] == obs.location.cov_km2[0][0]
    assert obs.location.cov_km2[0][1] == 0.0
    assert (obs.reliability, obs.credibility) == ("B", 3)
    assert obs.payload == VIIRS_ROW
    assert obs.uid == observation_uid("firms", VIIRS_ROW, 0)
    assert obs.attributes == {
        "bright_ti4": 302.74,
        "scan": 0.63,
        "track": 0.54,
        "satellite": "N20",
        "confidence": "nominal",
        "version": "2.0NRT",
        "bright_ti5": 283.17,
        "frp": 1.41,
        "daynight": "N",
        "instrument": "VIIRS",
    }


def test_modis_rows_with_raw_hhmm_times(write: Callable[..., Path]) -> None:
    path = write("m.csv", MODIS_HEADER + "\n" + "\n".join(MODIS_ROWS) + "\n")
    a, b = (x for x in firms.read(path))
    assert isinstance(a, Observation) and isinstance(b, Observation)
    assert a.time_start == datetime(2022, 3, 1, 0, 26, tzinfo=UTC)
    assert b.time_start == datetime(2022, 3, 1, 13, 4, tzinfo=UTC)
    assert a.source_id == "FIRMS MODIS Terra"
    assert b.source_id == "FIRMS MODIS Aqua"
    assert a.attributes["confidence"] == 71.0  # MODIS confidence is a number
    assert a.attributes["brightness"] == 310.2
    assert isinstance(a.location, PointLocation) and isinstance(b.location, PointLocation)
    assert math.sqrt(a.location.cov_km2[0][0]) == pytest.approx(1.5 / math.sqrt(12))
    # the longer pixel side decides
    assert math.sqrt(b.location.cov_km2[0][0]) == pytest.approx(1.5 * 2.1 / math.sqrt(12))


def test_minimal_shape_covers_the_whole_utc_day(fixture_path: Callable[[str], Path]) -> None:
    items = list(firms.read(fixture_path("firms_history_2022_sample.csv")))
    assert len(items) == 4
    for obs in items:
        assert isinstance(obs, Observation)
        assert obs.time_start == datetime(2022, 3, 21, tzinfo=UTC)
        assert obs.time_end == datetime(2022, 3, 22, tzinfo=UTC)
        assert obs.source_id == "FIRMS (instrument not recorded)"
        assert obs.attributes == {}
        assert isinstance(obs.location, PointLocation)
        # unknown instrument: 1 km pixel
        assert math.sqrt(obs.location.cov_km2[0][0]) == pytest.approx(1.5 / math.sqrt(12))


def test_header_names_are_case_insensitive(write: Callable[..., Path]) -> None:
    lower = write("lower.csv", f"{VIIRS_HEADER}\n{VIIRS_ROW}\n")
    upper = write("upper.csv", f"{VIIRS_HEADER.upper()}\n{VIIRS_ROW}\n")
    assert firms.sniff(upper, upper.read_text())
    assert list(firms.read(upper)) == list(firms.read(lower))


def test_instrument_inferred_from_columns(write: Callable[..., Path]) -> None:
    header = "latitude,longitude,bright_ti4,acq_date,acq_time"
    obs = _only(list(firms.read(write("v.csv", f"{header}\n48,37,300,2024-01-01,0945\n"))))
    assert obs.source_id == "FIRMS VIIRS"
    assert isinstance(obs.location, PointLocation)
    assert math.sqrt(obs.location.cov_km2[0][0]) == pytest.approx(1.5 * 0.375 / math.sqrt(12))
    assert obs.time_start == datetime(2024, 1, 1, 9, 45, tzinfo=UTC)


def test_quoted_fields_and_crlf_line_endings(write: Callable[..., Path]) -> None:
    plain = write("plain.csv", f"{VIIRS_HEADER}\n{VIIRS_ROW}\n")
    crlf = write("crlf.csv", f"{VIIRS_HEADER}\r\n{VIIRS_ROW}\r\n")
    assert list(firms.read(crlf)) == list(firms.read(plain))
    quoted_row = VIIRS_ROW.replace("nominal", '"nominal"')
    obs = _only(list(firms.read(write("q.csv", f"{VIIRS_HEADER}\n{quoted_row}\n"))))
    assert obs.attributes["confidence"] == "nominal"
    assert obs.payload == quoted_row


def test_blank_lines_skipped_and_line_numbers_physical(write: Callable[..., Path]) -> None:
    path = write(
        "b.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n\n48,37,2022-01-01\n   \n99,37,2022-01-01\n"
    )
    items = list(firms.read(path))
    assert isinstance(items[0], Observation)
    assert isinstance(items[1], RecordError)
    assert items[1].line == 5
    assert len(items) == 2


def test_identical_rows_have_identical_uids(write: Callable[..., Path]) -> None:
    path = write("d.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n48,37,2022-01-01\n48,37,2022-01-01\n")
    a, b = (x for x in firms.read(path))
    assert isinstance(a, Observation) and isinstance(b, Observation)
    assert a.uid == b.uid
    assert a == b


def test_empty_attribute_values_are_none(write: Callable[..., Path]) -> None:
    row = VIIRS_ROW.replace(",1.41,", ",,").replace(",nominal,", ",,")
    obs = _only(list(firms.read(write("e.csv", f"{VIIRS_HEADER}\n{row}\n"))))
    assert obs.attributes["frp"] is None
    assert obs.attributes["confidence"] is None
    assert obs.attributes["bright_ti4"] == 302.74


def test_fast_construction_equals_normal_construction(write: Callable[..., Path]) -> None:
    obs = _only(list(firms.read(write("v.csv", f"{VIIRS_HEADER}\n{VIIRS_ROW}\n"))))
    assert isinstance(obs.location, PointLocation)
    normal = Observation(
        uid=obs.uid,
        source_kind=obs.source_kind,
        source_format=obs.source_format,
        source_id=obs.source_id,
        time_start=obs.time_start,
        time_end=obs.time_end,
        location=PointLocation(
            lon=obs.location.lon, lat=obs.location.lat, cov_km2=obs.location.cov_km2
        ),
        kind=obs.kind,
        count=obs.count,
        reliability=obs.reliability,
        credibility=obs.credibility,
        payload=obs.payload,
        payload_sha256=obs.payload_sha256,
        attributes=dict(obs.attributes),
    )
    assert obs == normal
    assert hash(obs.uid) == hash(normal.uid)


def test_real_viirs_file(shared_path: Callable[..., Path]) -> None:
    folder = shared_path("firms", "viirs_nrt")
    path = sorted(folder.glob("*2025224*.csv"))[0]
    result = read_file(path)
    rows = len(path.read_text().splitlines()) - 1
    assert result.format == "firms"
    assert result.read == rows == len(result.observations)
    assert {o.source_id for o in result.observations} == {"FIRMS VIIRS N20"}
    assert all(o.time_start.date().isoformat() == "2025-08-12" for o in result.observations)
    sigmas = [
        math.sqrt(o.location.cov_km2[0][0])
        for o in result.observations
        if isinstance(o.location, PointLocation)
    ]
    assert len(sigmas) == rows
    assert min(sigmas) > 0.1 and max(sigmas) < 0.5


def test_real_history_file_reads_without_errors(shared_path: Callable[..., Path]) -> None:
    path = shared_path("firms", "history", "ukraine_fires_2021.csv")
    result = read_file(path)
    assert result.errors == []
    assert result.read == len(result.observations) > 50_000


# ----------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26", (0, 26, 0)),
        ("0026", (0, 26, 0)),
        ("5", (0, 5, 0)),
        ("1304", (13, 4, 0)),
        ("2359", (23, 59, 0)),
        ("00:26:00", (0, 26, 0)),
        ("13:04", (13, 4, 0)),
        (" 0945 ", (9, 45, 0)),
    ],
)
def test_parse_acq_time(text: str, expected: tuple[int, int, int]) -> None:
    assert firms.parse_acq_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "2400", "1260", "12345", "-130", "12:60", "24:00:00", "1:2:3:4", "ab", "12.5", "١٢٣"],
)
def test_parse_acq_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        firms.parse_acq_time(text)


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from(["int", "hhmm", "hh:mm", "hh:mm:ss"]),
)
def test_acq_time_round_trip(h: int, m: int, s: int, style: str) -> None:
    text = {
        "int": str(h * 100 + m),
        "hhmm": f"{h:02d}{m:02d}",
        "hh:mm": f"{h:02d}:{m:02d}",
        "hh:mm:ss": f"{h:02d}:{m:02d}:{s:02d}",
    }[style]
    expected_s = s if style == "hh:mm:ss" else 0
    assert firms.parse_acq_time(text) == (h, m, expected_s)


@settings(deadline=None)  # file I/O on a shared machine
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31, 23, 59)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
    st.booleans(),
)
def test_row_time_round_trip(
    tmp_path_factory: pytest.TempPathFactory, t: datetime, raw: bool
) -> None:
    """Any date and time written as raw HHMM (no leading zeros) or HH:MM:SS reads back."""
    time_text = str(t.hour * 100 + t.minute) if raw else t.strftime("%H:%M:%S")
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    path.write_text(f"latitude,longitude,acq_date,acq_time\n48,37,{t:%Y-%m-%d},{time_text}\n")
    obs = _only(list(firms.read(path)))
    assert obs.time_start == obs.time_end == t.replace(tzinfo=UTC)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("abc,37,2022-01-01", "LATITUDE", "not a number"),
        (",37,2022-01-01", "LATITUDE", "missing"),
        ("90.5,37,2022-01-01", "LATITUDE", "outside"),
        ("-91,37,2022-01-01", "LATITUDE", "outside"),
        ("nan,37,2022-01-01", "LATITUDE", "outside"),
        ("48,x,2022-01-01", "LONGITUDE", "not a number"),
        ("48,180.01,2022-01-01", "LONGITUDE", "outside"),
        ("48,-200,2022-01-01", "LONGITUDE", "outside"),
        ("48,37,2022-02-30", "ACQ_DATE", "date"),
        ("48,37,01/02/2022", "ACQ_DATE", "date"),
        ("48,37,", "ACQ_DATE", "date"),
        ("48,37", "ACQ_DATE", "fields"),
        ("48,37,2022-01-01,extra", None, "fields"),
        ('48,"37,2022-01-01', None, "CSV"),
    ],
)
def test_bad_minimal_rows(
    write: Callable[..., Path], row: str, field: str | None, message: str
) -> None:
    path = write("bad.csv", f"LATITUDE,LONGITUDE,ACQ_DATE\n48,37,2022-01-01\n{row}\n")
    items = list(firms.read(path))
    assert isinstance(items[0], Observation)
    assert len(items) == 2
    error = items[1]
    assert isinstance(error, RecordError)
    assert (error.file, error.line, error.field) == (str(path), 3, field)
    assert message in error.message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (",00:26:00,", ",25:00:00,", "acq_time"),
        (",00:26:00,", ",0960,", "acq_time"),
        (",00:26:00,", ",,", "acq_time"),
        (",00:26:00,", ",noon,", "acq_time"),
        (",0.63,", ",-0.63,", "scan"),
        (",0.54,", ",wide,", "track"),
        ("2025-08-12", "2025-8-12", "acq_date"),
    ],
)
def test_bad_full_rows(write: Callable[..., Path], old: str, new: str, field: str) -> None:
    bad_row = VIIRS_ROW.replace(old, new)
    assert bad_row != VIIRS_ROW
    path = write("bad.csv", f"{VIIRS_HEADER}\n{bad_row}\n{VIIRS_ROW}\n")
    items = list(firms.read(path))
    assert len(items) == 2
    error, good = items
    assert isinstance(error, RecordError), error
    assert (error.line, error.field) == (2, field)
    assert isinstance(good, Observation)


@pytest.mark.parametrize("missing", ["latitude", "longitude", "acq_date"])
def test_missing_header_column_is_a_whole_file_error(
    write: Callable[..., Path], missing: str
) -> None:
    names = [n for n in ("latitude", "longitude", "acq_date") if n != missing]
    path = write("h.csv", ",".join([*names, "frp"]) + "\n1,2,3\n4,5,6\n")
    assert _errors(path) == [RecordError(str(path), 1, missing, _errors(path)[0].message)]
    assert len(list(firms.read(path))) == 1
    with pytest.raises(InputError) as info:
        read_file(path, "firms")
    assert info.value.error.line == 1
    assert missing in str(info.value)


def test_empty_file_via_reader(write: Callable[..., Path]) -> None:
    (error,) = _errors(write("e.csv", ""))
    assert error.line == 1


def test_header_only_file_reads_nothing(write: Callable[..., Path]) -> None:
    result = read_file(write("h.csv", "LATITUDE,LONGITUDE,ACQ_DATE\n"))
    assert (result.read, result.observations, result.errors) == (0, [], [])


def test_sniff() -> None:
    p = Path("x.csv")
    assert firms.sniff(p, "LATITUDE,LONGITUDE,ACQ_DATE\n1,2,2022-01-01\n")
    assert firms.sniff(p, '\n"latitude","longitude","acq_date"\n')
    assert firms.sniff(p, VIIRS_HEADER + "\n" + VIIRS_ROW[:20])
    assert not firms.sniff(p, "lat,lon,date\n")
    assert not firms.sniff(p, '{"events": []}\n')
    assert not firms.sniff(p, "")

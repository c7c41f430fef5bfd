"""Patrol reports (JSON Lines): locations, time windows, validation, property test."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trucewatch.errors import InputError, RecordError
from trucewatch.ids import observation_uid
from trucewatch.sources import patrol, read_file
from trucewatch.sources.base import HEAD_BYTES
from trucewatch.types import (
    COMPASS_16,
    BearingRangeLocation,
    EventKind,
    Flow,
    Observation,
    PlaceLocation,
    PointLocation,
    SourceKind,
    compass_to_bearing,
)

BASE: dict[str, Any] = {
    "date": "2016-01-16",
    "observer_place": "Horlivka",
    "observer_reference": {"km": 39, "direction": "north-east", "of": "Donetsk"},
    "time_start": "12:10",
    "time_end": "12:50",
    "events": [
        {
            "count": 3,
            "kind": "burst",
            "weapon": "small-arms",
            "flow": None,
            "directions": ["west", "north-west"],
            "distance_km_min": 2,
            "distance_km_max": 4,
        },
        {
            "count": None,
            "kind": "explosion",
            "weapon": None,
            "flow": "incoming",
            "directions": ["south"],
            "distance_km_min": None,
            "distance_km_max": None,
        },
    ],
}


def record(**changes: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(BASE))
    out.update(changes)
    return out


def event(index: int, **changes: Any) -> dict[str, Any]:
    out = record()
    out["events"][index].update(changes)
    return out


def observations(write: Callable[..., Path], *records: dict[str, Any]) -> list[Observation]:
    path = write("p.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    items = list(patrol.read(path))
    assert all(isinstance(x, Observation) for x in items), items
    return [x for x in items if isinstance(x, Observation)]


def single_error(write: Callable[..., Path], line: str) -> RecordError:
    path = write("p.jsonl", json.dumps(BASE) + "\n" + line + "\n")
    items = list(patrol.read(path))
    errors = [x for x in items if isinstance(x, RecordError)]
    assert len(errors) == 1, items
    assert len(items) == 1 + len(BASE["events"])  # the good record is kept
    assert errors[0].file == str(path)
    assert errors[0].line == 2
    return errors[0]


# ----------------------------------------------------------------- good input


def test_event_fields(write: Callable[..., Path]) -> None:
    a, b = observations(write, BASE)
    assert a.source_kind is SourceKind.PATROL
    assert a.source_format == "patrol"
    assert a.source_id == "patrol"
    assert (a.kind, a.count, a.weapon, a.flow) == (EventKind.BURST, 3, "small-arms", None)
    assert (b.kind, b.count, b.weapon, b.flow) == (EventKind.EXPLOSION, None, None, Flow.INCOMING)
    assert (a.reliability, a.credibility) == ("B", 2)
    assert a.payload == b.payload == json.dumps(BASE)
    assert a.uid == observation_uid("patrol", a.payload, 0)
    assert b.uid == observation_uid("patrol", b.payload, 1)
    assert a.attributes["event_index"] == 0 and b.attributes["event_index"] == 1
    assert a.attributes["directions"] == ["west", "north-west"]


def test_place_observer_without_coordinates(write: Callable[..., Path]) -> None:
    a, b = observations(write, BASE)
    assert isinstance(a.location, BearingRangeLocation)
    assert a.location.observer == PlaceLocation(
        place="Horlivka", ref_km=39.0, ref_direction="north-east", ref_of="Donetsk"
    )
    assert a.location.bearings_deg == (270.0, 315.0)
    assert a.location.bearing_halfwidth_deg == patrol.COMPASS_HALFWIDTH_DEG == 15.0
    assert (a.location.distance_km_min, a.location.distance_km_max) == (2.0, 4.0)
    assert isinstance(b.location, BearingRangeLocation)
    assert (b.location.distance_km_min, b.location.distance_km_max) == (None, None)


def test_point_observer_with_coordinates(write: Callable[..., Path]) -> None:
    (a, _) = observations(write, record(observer_lon=38.09, observer_lat=48.33))
    assert isinstance(a.location, BearingRangeLocation)
    observer = a.location.observer
    assert isinstance(observer, PointLocation)
    assert (observer.lon, observer.lat) == (38.09, 48.33)
    assert observer.cov_km2[0] == pytest.approx((0.01, 0.0))
    assert observer.cov_km2[1] == pytest.approx((0.0, 0.01))
    (c, _) = observations(
        write, record(observer_lon=38.09, observer_lat=48.33, observer_sigma_km=2.0)
    )
    assert isinstance(c.location, BearingRangeLocation)
    assert isinstance(c.location.observer, PointLocation)
    assert c.location.observer.cov_km2[0][0] == pytest.approx(4.0)


def test_optional_keys(write: Callable[..., Path]) -> None:
    (a, _) = observations(
        write,
        record(source_id="team-7", reliability="c", credibility=4, synthetic=True),
    )
    assert (a.source_id, a.reliability, a.credibility) == ("team-7", "C", 4)
    assert a.attributes["synthetic"] is True


def test_bearings_in_degrees(write: Callable[..., Path]) -> None:
    rec = event(0, bearings_deg=[10, 370.5, -20])
    (a, _) = observations(write, rec)
    assert isinstance(a.location, BearingRangeLocation)
    assert a.location.bearings_deg == (10.0, 10.5, 340.0)
    assert a.location.bearing_halfwidth_deg == patrol.MEASURED_HALFWIDTH_DEG
    (b, _) = observations(write, event(0, bearings_deg=[90], bearing_halfwidth_deg=2))
    assert isinstance(b.location, BearingRangeLocation)
    assert b.location.bearing_halfwidth_deg == 2.0


def test_no_direction_means_any_direction(write: Callable[..., Path]) -> None:
    (a, _) = observations(write, event(0, directions=None))
    assert isinstance(a.location, BearingRangeLocation)
    assert a.location.bearings_deg == ()


def test_kind_spellings(write: Callable[..., Path]) -> None:
    (a, _) = observations(write, event(0, kind="Small-Arms"))
    assert a.kind is EventKind.SMALL_ARMS
    (b, _) = observations(write, event(0, kind="small arms"))
    assert b.kind is EventKind.SMALL_ARMS


# ----------------------------------------------------------------- time windows


def _window(write: Callable[..., Path], **changes: Any) -> tuple[datetime, datetime]:
    obs = observations(write, record(**changes))[0]
    return obs.time_start, obs.time_end


def test_kyiv_local_time_to_utc(write: Callable[..., Path]) -> None:
    # winter: UTC+2
    assert _window(write) == (
        datetime(2016, 1, 16, 10, 10, tzinfo=UTC),
        datetime(2016, 1, 16, 10, 50, tzinfo=UTC),
    )
    # summer: UTC+3
    assert _window(write, date="2015-07-16", time_start="08:10", time_end="16:00") == (
        datetime(2015, 7, 16, 5, 10, tzinfo=UTC),
        datetime(2015, 7, 16, 13, 0, tzinfo=UTC),
    )


def test_whole_local_day_when_no_times(write: Callable[..., Path]) -> None:
    start, end = _window(write, date="2016-03-29", time_start=None, time_end=None)
    assert start == datetime(2016, 3, 28, 21, 0, tzinfo=UTC)
    assert end == datetime(2016, 3, 29, 21, 0, tzinfo=UTC)
    # the day clocks go forward has 23 hours
    start, end = _window(write, date="2016-03-27", time_start=None, time_end=None)
    assert end - start == timedelta(hours=23)


def test_one_time_only_is_an_instant(write: Callable[..., Path]) -> None:
    instant = datetime(2016, 1, 16, 10, 10, tzinfo=UTC)
    assert _window(write, time_end=None) == (instant, instant)
    assert _window(write, time_start=None, time_end="12:10") == (instant, instant)
    assert _window(write, time_end="12:10:00") == (instant, instant)


def test_window_past_midnight_and_24_00(write: Callable[..., Path]) -> None:
    start, end = _window(write, time_start="22:30", time_end="01:15")
    assert start == datetime(2016, 1, 16, 20, 30, tzinfo=UTC)
    assert end == datetime(2016, 1, 16, 23, 15, tzinfo=UTC)
    _, end = _window(write, time_start="22:30", time_end="24:00")
    assert end == datetime(2016, 1, 16, 22, 0, tzinfo=UTC)


def test_explicit_timezone(write: Callable[..., Path]) -> None:
    assert _window(write, timezone="UTC")[0] == datetime(2016, 1, 16, 12, 10, tzinfo=UTC)
    assert _window(write, timezone="Europe/Moscow")[0] == datetime(2016, 1, 16, 9, 10, tzinfo=UTC)


# ----------------------------------------------------------------- the SMM readings


def test_smm_fixture(fixture_path: Callable[[str], Path]) -> None:
    result = read_file(fixture_path("patrol_smm_sample.jsonl"))
    assert result.format == "patrol"
    assert result.read == 3
    obs = result.observations
    assert [o.count for o in obs] == [10, 14, 15, None, 135, 22, 43]
    assert {o.source_id for o in obs} == {"SMM"}
    first = obs[0].location
    assert isinstance(first, BearingRangeLocation)
    assert isinstance(first.observer, PointLocation)
    assert first.bearings_deg == (0.0, 315.0, 270.0, 180.0)
    last = obs[-1].location
    assert isinstance(last, BearingRangeLocation)
    assert isinstance(last.observer, PlaceLocation)
    assert last.observer.ref_of == "Yasynuvata"


def test_all_smm_example_readings(
    shared_path: Callable[..., Path], write: Callable[..., Path]
) -> None:
    """Every ``expected`` object of the shared SMM examples is a valid patrol record and
    is read with the same numbers."""
    examples = [
        json.loads(line)["expected"]
        for line in shared_path("smm", "examples.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    path = write("expected.jsonl", "".join(json.dumps(e) + "\n" for e in examples))
    result = read_file(path)
    assert result.errors == []
    assert result.read == len(examples)
    expected_events = [ev for e in examples for ev in e["events"]]
    assert len(result.observations) == len(expected_events)
    for obs, ev in zip(result.observations, expected_events, strict=True):
        assert obs.count == ev["count"]
        assert obs.kind.value == ev["kind"]
        assert (obs.flow.value if obs.flow else None) == ev["flow"]
        assert obs.weapon == ev["weapon"]
        loc = obs.location
        assert isinstance(loc, BearingRangeLocation)
        assert loc.bearings_deg == tuple(compass_to_bearing(d) for d in ev["directions"])
        assert loc.distance_km_min == ev["distance_km_min"]
        assert loc.distance_km_max == ev["distance_km_max"]


# ----------------------------------------------------------------- bad input


def _set(path: str, value: Any) -> dict[str, Any]:
    """BASE with the value at a dotted path (``events.1.flow``) replaced (or removed)."""
    out = record()
    keys = path.split(".")
    target: Any = out
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    if value is _REMOVE:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return out


_REMOVE = object()


@pytest.mark.parametrize(
    ("change", "value", "field"),
    [
        ("date", "16.01.2016", "date"),
        ("date", "2016-02-30", "date"),
        ("date", _REMOVE, "date"),
        ("time_start", "25:00", "time_start"),
        ("time_start", "noon", "time_start"),
        ("time_end", 1250, "time_end"),
        ("timezone", "Mars/Olympus_Mons", "timezone"),
        ("timezone", 3, "timezone"),
        ("observer_place", 7, "observer_place"),
        ("observer_place", None, "observer_place"),
        ("observer_reference", "39 km", "observer_reference"),
        ("observer_reference.km", -1, "observer_reference.km"),
        ("observer_reference.km", "far", "observer_reference.km"),
        ("observer_reference.direction", "upward", "observer_reference.direction"),
        ("observer_lon", 38.0, "observer_lat"),
        ("observer_sigma_km", -1, "observer_sigma_km"),
        ("source_id", "", "source_id"),
        ("reliability", "Z", "reliability"),
        ("credibility", 9, "credibility"),
        ("credibility", "2", "credibility"),
        ("synthetic", "yes", "synthetic"),
        ("events", [], "events"),
        ("events", _REMOVE, "events"),
        ("events", {"kind": "shot"}, "events"),
        ("events.1", "boom", "events[1]"),
        ("events.0.count", 0, "events[0].count"),
        ("events.0.count", -3, "events[0].count"),
        ("events.0.count", 2.5, "events[0].count"),
        ("events.0.count", True, "events[0].count"),
        ("events.1.kind", "thermal_anomaly", "events[1].kind"),
        ("events.1.kind", "nuke", "events[1].kind"),
        ("events.1.kind", _REMOVE, "events[1].kind"),
        ("events.1.flow", "sideways", "events[1].flow"),
        ("events.1.flow", 1, "events[1].flow"),
        ("events.1.weapon", ["rifle"], "events[1].weapon"),
        ("events.0.directions", "west", "events[0].directions"),
        ("events.0.directions.1", "upward", "events[0].directions[1]"),
        ("events.0.directions.1", 270, "events[0].directions[1]"),
        ("events.0.bearings_deg", ["x"], "events[0].bearings_deg[0]"),
        ("events.0.bearings_deg", 90, "events[0].bearings_deg"),
        ("events.0.bearing_halfwidth_deg", 0, "events[0].bearing_halfwidth_deg"),
        ("events.0.distance_km_min", -1, "events[0].distance_km_min"),
        ("events.0.distance_km_min", 5, "events[0].distance_km_min"),
        ("events.0.distance_km_max", "far", "events[0].distance_km_max"),
    ],
)
def test_bad_field(write: Callable[..., Path], change: str, value: Any, field: str) -> None:
    bad = _set(change, value)
    error = single_error(write, json.dumps(bad))
    assert error.field == field, error
    assert field in str(error)


def test_observer_lat_out_of_range(write: Callable[..., Path]) -> None:
    error = single_error(write, json.dumps(record(observer_lon=38.0, observer_lat=95.0)))
    assert error.field == "observer_lat"


def test_nan_distance_rejected(write: Callable[..., Path]) -> None:
    line = json.dumps(BASE).replace('"distance_km_max": 4', '"distance_km_max": NaN')
    assert single_error(write, line).field == "events[0].distance_km_max"


@pytest.mark.parametrize("line", ['{"date": "2016-01-16", "events": [', "not json", "{'a': 1}"])
def test_bad_json(write: Callable[..., Path], line: str) -> None:
    error = single_error(write, line)
    assert error.field == "json"
    assert "JSON" in error.message


@pytest.mark.parametrize("line", ["[1, 2]", '"text"', "42"])
def test_record_not_an_object(write: Callable[..., Path], line: str) -> None:
    error = single_error(write, line)
    assert error.field is None
    assert "object" in error.message


def test_one_bad_event_rejects_the_whole_record(write: Callable[..., Path]) -> None:
    path = write("p.jsonl", json.dumps(event(1, flow="sideways")) + "\n")
    items = list(patrol.read(path))
    assert len(items) == 1 and isinstance(items[0], RecordError)


def test_skip_bad(write: Callable[..., Path]) -> None:
    lines = [json.dumps(BASE), "{oops", "", json.dumps(event(0, count=-1)), json.dumps(BASE)]
    path = write("p.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_file(path)
    assert (info.value.error.line, info.value.error.field) == (2, "json")
    result = read_file(path, skip_bad=True)
    assert [(e.line, e.field) for e in result.errors] == [(2, "json"), (4, "events[0].count")]
    assert len(result.observations) == 4
    assert result.read == 4


def test_payload_is_the_raw_line(write: Callable[..., Path]) -> None:
    line = "  " + json.dumps(BASE, indent=None, separators=(",", ":")) + "  "
    path = write("p.jsonl", line + "\r\n")
    (a, _) = (x for x in patrol.read(path))
    assert isinstance(a, Observation)
    assert a.payload == line


# ----------------------------------------------------------------- sniffing


def test_sniff() -> None:
    p = Path("x.jsonl")
    assert patrol.sniff(p, "\n\n" + json.dumps(BASE) + "\n")
    assert not patrol.sniff(p, json.dumps({"date": "2016-01-16"}) + "\n")
    assert not patrol.sniff(p, "[1, 2]\n")
    assert not patrol.sniff(p, "LATITUDE,LONGITUDE,ACQ_DATE\n")
    assert not patrol.sniff(p, "")
    # U+2028 is a line break for str.splitlines, not for JSON Lines
    assert patrol.sniff(p, json.dumps(record(observer_place="a\u2028b"), ensure_ascii=False))


def test_sniff_long_first_line(write: Callable[..., Path]) -> None:
    long_record = record(events=[BASE["events"][0]] * 200)
    text = json.dumps(long_record) + "\n"
    assert len(text) > HEAD_BYTES
    path = write("long.jsonl", text)
    from trucewatch.sources import sniff_format

    assert sniff_format(path) == "patrol"


# ----------------------------------------------------------------- property test

_words = st.sampled_from(COMPASS_16)
_distance = st.one_of(st.none(), st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 3)))


@st.composite
def patrol_events(draw: st.DrawFn) -> dict[str, Any]:
    d_min, d_max = draw(_distance), draw(_distance)
    if d_min is not None and d_max is not None and d_min > d_max:
        d_min, d_max = d_max, d_min
    return {
        "count": draw(st.one_of(st.none(), st.integers(1, 10_000))),
        "kind": draw(st.sampled_from([k.value for k in patrol.PATROL_KINDS])),
        "weapon": draw(st.one_of(st.none(), st.sampled_from(["mortar", "small-arms", "IFV"]))),
        "flow": draw(st.one_of(st.none(), st.sampled_from([f.value for f in Flow]))),
        "directions": draw(st.lists(_words, max_size=4)),
        "distance_km_min": d_min,
        "distance_km_max": d_max,
    }


@st.composite
def patrol_records(draw: st.DrawFn) -> dict[str, Any]:
    day = draw(
        st.dates(min_value=datetime(2014, 1, 1).date(), max_value=datetime(2030, 12, 31).date())
    )
    times = st.one_of(st.none(), st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}"))
    rec: dict[str, Any] = {
        "date": day.isoformat(),
        # any storable text: no NUL, no lone surrogate (refused by trucewatch.limits)
        "observer_place": draw(st.text(st.characters(exclude_categories=("Cs",),
                                                     exclude_characters="\x00"),
                                       min_size=1, max_size=30).filter(str.strip)),
        "observer_reference": None,
        "time_start": draw(times),
        "time_end": draw(times),
        "events": draw(st.lists(patrol_events(), min_size=1, max_size=5)),
    }
    if draw(st.booleans()):
        rec["observer_lon"] = draw(st.floats(-180, 180))
        rec["observer_lat"] = draw(st.floats(-90, 90))
    return rec


@settings(
    max_examples=75,
    deadline=None,  # file I/O on a shared machine
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(patrol_records())
def test_any_valid_record_is_read_with_the_same_numbers(
    tmp_path: Path, rec: dict[str, Any]
) -> None:
    path = tmp_path / "gen.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    result = read_file(path, "patrol")
    assert result.errors == []
    assert result.read == 1
    assert len(result.observations) == len(rec["events"])
    for i, (obs, ev) in enumerate(zip(result.observations, rec["events"], strict=True)):
        assert obs.attributes["event_index"] == i
        assert obs.count == ev["count"]
        assert obs.kind.value == ev["kind"]
        assert (obs.flow.value if obs.flow else None) == ev["flow"]
        assert obs.weapon == ev["weapon"]
        loc = obs.location
        assert isinstance(loc, BearingRangeLocation)
        assert loc.bearings_deg == tuple(compass_to_bearing(w) for w in ev["directions"])
        assert loc.distance_km_min == ev["distance_km_min"]
        assert loc.distance_km_max == ev["distance_km_max"]
        if "observer_lon" in rec:
            assert isinstance(loc.observer, PointLocation)
            assert (loc.observer.lon, loc.observer.lat) == (
                rec["observer_lon"],
                rec["observer_lat"],
            )
        else:
            assert isinstance(loc.observer, PlaceLocation)
            assert loc.observer.place == rec["observer_place"].strip()
        assert obs.time_start <= obs.time_end
        assert obs.time_end - obs.time_start <= timedelta(hours=25)
        assert not math.isnan(obs.time_start.timestamp())

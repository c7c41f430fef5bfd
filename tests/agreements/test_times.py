"""Exact instants: local times with IANA zones, offsets, daylight-saving edges, and the
in-force boundaries of the shipped examples in UTC and in local zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.agreements.problem import AgreementProblem
from trucewatch.agreements.times import parse_instant, parse_timezone
from trucewatch.units import iso_utc

MOSCOW = ZoneInfo("Europe/Moscow")
KYIV = ZoneInfo("Europe/Kyiv")
SECOND = timedelta(seconds=1)


def test_easter_start_is_15_utc() -> None:
    tz = parse_timezone("Europe/Moscow")
    t = parse_instant("2025-04-19T18:00", tz, "start")
    assert t.astimezone(UTC) == datetime(2025, 4, 19, 15, 0, tzinfo=UTC)
    assert iso_utc(t) == "2025-04-19T15:00:00Z"
    assert t.isoformat() == "2025-04-19T18:00:00+03:00"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2025-04-19T18:00+03:00", datetime(2025, 4, 19, 15, tzinfo=UTC)),
        ("2025-04-19T15:00Z", datetime(2025, 4, 19, 15, tzinfo=UTC)),
        ("2025-04-19 15:00:00.250000+00:00", datetime(2025, 4, 19, 15, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_explicit_offsets_need_no_zone(text: str, utc: datetime) -> None:
    assert parse_instant(text, None, "start") == utc


@pytest.mark.parametrize(("name", "offset"), [("+03:00", 3), ("UTC+02:00", 2), ("-0130", -1.5),
                                              ("UTC", 0), ("Z", 0)])
def test_fixed_offset_zones(name: str, offset: float) -> None:
    tz = parse_timezone(name)
    t = parse_instant("2025-01-01T00:00", tz, "start")
    assert t.utcoffset() == timedelta(hours=offset)


def test_offset_must_match_the_named_zone() -> None:
    tz = parse_timezone("Europe/Kyiv")
    assert parse_instant("2025-06-01T00:00+03:00", tz, "start") == datetime(
        2025, 5, 31, 21, tzinfo=UTC)
    with pytest.raises(AgreementProblem, match=r"Europe/Kyiv is at \+02:00"):
        parse_instant("2025-01-15T00:00+03:00", tz, "start")  # winter: EET


def test_daylight_saving_gap_and_fold_are_refused() -> None:
    tz = parse_timezone("Europe/Kyiv")
    with pytest.raises(AgreementProblem, match="does not exist"):
        parse_instant("2025-03-30T03:30", tz, "start")
    with pytest.raises(AgreementProblem, match="happens twice"):
        parse_instant("2025-10-26T03:30", tz, "start")
    # the same instants with an offset are fine (compared in UTC: by PEP 495, a time in a
    # repeated hour never compares equal to a datetime of another zone)
    first = parse_instant("2025-10-26T03:30+03:00", tz, "start")
    second = parse_instant("2025-10-26T03:30+02:00", tz, "start")
    assert first.astimezone(UTC) == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    assert (first.fold, second.fold) == (0, 1)
    assert first < datetime(2025, 10, 26, 1, 0, tzinfo=UTC) < second


def test_toml_values() -> None:
    tz = parse_timezone("Europe/Moscow")
    naive = datetime(2025, 4, 19, 18, 0)
    assert parse_instant(naive, tz, "start") == datetime(2025, 4, 19, 15, tzinfo=UTC)
    aware = datetime(2025, 4, 19, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    assert parse_instant(aware, None, "start") == datetime(2025, 4, 19, 15, tzinfo=UTC)
    with pytest.raises(AgreementProblem, match="has no time zone"):
        parse_instant(naive, None, "start")


@pytest.mark.parametrize("slug", ["easter-truce-2025", "ceasefire-30-day-2025",
                                  "energy-moratorium-2025", "minsk-2015-withdrawal"])
@pytest.mark.parametrize("zone", [UTC, MOSCOW, KYIV, ZoneInfo("America/New_York")])
def test_in_force_boundaries_in_any_zone(examples, slug: str, zone) -> None:
    ag = examples[slug]
    start, end = ag.start.astimezone(zone), ag.end.astimezone(zone)
    assert not ag.in_force(start - SECOND)
    assert ag.in_force(start)
    assert ag.in_force(start + SECOND)
    assert ag.in_force(end - SECOND)
    assert not ag.in_force(end)
    assert not ag.in_force(end + SECOND)


def test_easter_boundaries_written_out(examples) -> None:
    ag = examples["easter-truce-2025"]
    assert not ag.in_force(datetime(2025, 4, 19, 14, 59, 59, tzinfo=UTC))
    assert ag.in_force(datetime(2025, 4, 19, 15, 0, 0, tzinfo=UTC))
    assert ag.in_force(datetime(2025, 4, 19, 18, 0, 0, tzinfo=MOSCOW))
    assert not ag.in_force(datetime(2025, 4, 19, 17, 59, 59, tzinfo=MOSCOW))
    assert ag.in_force(datetime(2025, 4, 20, 23, 59, 59, tzinfo=MOSCOW))
    assert not ag.in_force(datetime(2025, 4, 21, 0, 0, 0, tzinfo=MOSCOW))
    assert not ag.in_force(datetime(2025, 4, 20, 21, 0, 0, tzinfo=UTC))
    assert ag.in_force(datetime(2025, 4, 20, 20, 59, 59, 999999, tzinfo=UTC))


ZONES = ["Europe/Kyiv", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
         "UTC", "Australia/Lord_Howe"]


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    local=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)),
)
def test_local_times_round_trip(zone: str, local: datetime) -> None:
    tz = parse_timezone(zone)
    local = local.replace(microsecond=0)
    try:
        t = parse_instant(local.isoformat(), tz, "start")
    except AgreementProblem as e:  # only daylight-saving gaps and folds are refused
        assert "does not exist" in e.message or "happens twice" in e.message
        return
    assert t.replace(tzinfo=None) == local  # same wall clock ...
    assert t.astimezone(UTC).astimezone(tz.tz).replace(tzinfo=None) == local  # ... and instant
    again = parse_instant(t.isoformat(), tz, "start")  # with its offset: the same instant
    assert again.astimezone(UTC) == t.astimezone(UTC)

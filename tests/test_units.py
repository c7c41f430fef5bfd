"""UTC time text and the geodesy constants (trucewatch.units)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trucewatch.units import (
    KM_PER_DEG,
    KM_PER_DEG_EQUATOR,
    as_utc,
    iso_utc,
    parse_utc,
    utc_clock,
    utc_label,
)

KYIV_SUMMER = timezone(timedelta(hours=3))


def test_iso_utc_converts_to_utc_with_a_z() -> None:
    assert iso_utc(datetime(2025, 4, 19, 18, 0, tzinfo=KYIV_SUMMER)) == "2025-04-19T15:00:00Z"


def test_iso_utc_takes_a_naive_time_as_utc() -> None:
    assert iso_utc(datetime(2025, 4, 19, 15, 0)) == "2025-04-19T15:00:00Z"


@pytest.mark.parametrize(
    ("timespec", "text"),
    [
        ("auto", "2025-08-12T14:00:05.250000Z"),
        ("seconds", "2025-08-12T14:00:05Z"),
        ("milliseconds", "2025-08-12T14:00:05.250Z"),
        ("microseconds", "2025-08-12T14:00:05.250000Z"),
    ],
)
def test_iso_utc_precision(timespec: str, text: str) -> None:
    t = datetime(2025, 8, 12, 14, 0, 5, 250_000, tzinfo=UTC)
    assert iso_utc(t, timespec) == text  # type: ignore[arg-type]


def test_auto_precision_drops_zero_microseconds() -> None:
    assert iso_utc(datetime(2025, 8, 12, 14, 0, 5, tzinfo=UTC)) == "2025-08-12T14:00:05Z"


def test_words_and_clock() -> None:
    t = datetime(2025, 4, 19, 18, 7, 9, 500, tzinfo=KYIV_SUMMER)
    assert utc_label(t) == "2025-04-19 15:07:09 UTC"
    assert utc_clock(t) == "15:07"


def test_parse_utc_round_trips_and_reads_offsets() -> None:
    t = datetime(2025, 8, 12, 14, 0, 5, 250_000, tzinfo=UTC)
    assert parse_utc(iso_utc(t)) == t
    assert parse_utc("2025-04-19T18:00:00+03:00") == datetime(2025, 4, 19, 15, tzinfo=UTC)
    assert parse_utc("2025-04-19T15:00:00").tzinfo == UTC
    assert as_utc(parse_utc("2025-04-19T15:00:00Z")).utcoffset() == timedelta(0)


def test_km_per_degree() -> None:
    assert pytest.approx(6371.0 * 3.141592653589793 / 180.0, abs=0.01) == KM_PER_DEG
    assert pytest.approx(6378.137 * 3.141592653589793 / 180.0, abs=0.01) == KM_PER_DEG_EQUATOR

"""Cursors of the keyset pages: each order's cursor round-trips, the oldest-first cursor
keeps its original form, anything else is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from trucewatch.store.paging import SORTS, Cursor

WHEN = datetime(2025, 8, 13, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize("sort", SORTS)
def test_cursor_round_trip(sort: str) -> None:
    conf = 0.8125 if sort == "-confidence" else None
    cursor = Cursor(WHEN, "ab" * 32, sort, conf)
    assert Cursor.decode(cursor.encode()) == cursor


def test_oldest_first_cursor_keeps_its_form() -> None:
    token = Cursor(WHEN, "abc").encode()
    raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert raw == [WHEN.isoformat(), "abc"]


def _token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        [WHEN.isoformat(), "abc", "-confidence"],  # no confidence
        [WHEN.isoformat(), "abc", "-time", 0.5],  # a value the order has not
        [WHEN.isoformat(), "abc", "-uid"],
        [WHEN.isoformat(), "abc", "-confidence", "high"],
        ["2025-08-13T06:30:00", "abc"],  # no time zone
        [WHEN.isoformat(), "x" * 65],
    ],
)
def test_bad_cursors_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="not a cursor"):
        Cursor.decode(_token(value))

"""Small helpers shared by the store modules."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")


def utc(value: datetime) -> datetime:
    """An aware UTC datetime: a naive one (as SQLite returns stored UTC text, or as a
    caller may pass) is taken as UTC; an aware one is converted."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (bounded statements and memory)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]

"""Small helpers shared by the store modules."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (bounded statements and memory)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def columns_of(obj: Any, columns: Mapping[str, str]) -> dict[str, Any]:
    """Column values from the attributes of ``obj`` (``columns``: attribute -> column)."""
    return {column: getattr(obj, attr) for attr, column in columns.items()}


def fields_of(row: Any, columns: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments from the columns of a result row (``columns``: field -> column)."""
    values = row._mapping
    return {attr: values[column] for attr, column in columns.items()}


def db_time_encoder(conn: Connection) -> Callable[[datetime], Any]:
    """How UTC times are passed to this connection's driver (for driver-level
    ``executemany``): the text SQLAlchemy's SQLite DateTime reads back, or the aware UTC
    datetime for PostgreSQL."""
    return _sqlite_time if conn.dialect.name == "sqlite" else _utc_time


@functools.lru_cache(maxsize=1 << 16)
def _sqlite_time(t: datetime) -> str:
    """UTC text in the format SQLAlchemy's SQLite DateTime type reads back."""
    return t.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _utc_time(t: datetime) -> datetime:
    return t.astimezone(UTC)


def blob(value: Any) -> bytes:
    """A binary column's value as bytes. SQLite lets a BLOB column hold text (``replace()``
    on a BLOB returns TEXT): such text is taken as its UTF-8 bytes, so a tampered row is
    reported by the checks rather than crashing them."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return bytes(value)

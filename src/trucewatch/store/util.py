"""Small helpers shared by the store modules."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

Progress = Callable[[str, int, int], None]
"""Told the progress of a long operation on many rows: (what it does, rows done, rows in
all), with one description from its start (done 0) to its end."""

PROGRESS_ROWS = 1_000
"""Rows between two reports to a :data:`Progress`."""


def no_progress(_what: str, _done: int, _total: int) -> None:
    """A :data:`Progress` that reports nothing."""
    return None


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


def bulk_insert(conn: Connection, table: str, columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> None:  # fmt: skip
    """Insert many rows (tuples in ``columns`` order) in the caller's transaction with the
    DBAPI's ``executemany`` of a plain ``INSERT``. A row whose key is already stored is an
    error (the callers leave such rows out, holding the log's lock)."""
    names = ", ".join(f'"{c}"' for c in columns)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    marks = ", ".join(mark for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


COPY_CHUNK = 50_000
"""Lines per write of a ``COPY``."""


def copy_lines(conn: Connection, table: str, columns: Sequence[str], lines: Sequence[str]) -> None:
    """PostgreSQL's ``COPY table (columns) FROM STDIN`` in the caller's transaction, fed
    with lines of its text format (tab-separated fields, ``\\N`` for NULL, each line
    ending with a newline) that the caller built (psycopg's ``cursor.copy``)."""
    names = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for chunk in chunks(lines, COPY_CHUNK):
            copy.write("".join(chunk))


def copy_text(value: str) -> str:
    """A text value escaped for COPY's text format."""
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))  # fmt: skip

"""Keyset pagination of the incident and observation lists, in one of :data:`SORTS`.

A page is continued with an opaque cursor naming the last row of the previous page (its
sort key and uid): a page costs the same at any depth, and a row inserted meanwhile is
neither skipped nor repeated. Times are aware UTC datetimes; confidence is in [0, 1].
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Select,
    String,
    bindparam,
    select,
    tuple_,
)

from trucewatch.store import schema as t
from trucewatch.units import as_utc

MAX_PAGE = 10_000
"""Largest page a caller may ask for."""

Sort = Literal["time", "-time", "-confidence"]
"""Page orders: oldest first (``time``, the default), newest first (``-time``), most
confident first (``-confidence``, then newest, then uid). Every order ends with the uid,
so it is total."""

SORTS: tuple[str, ...] = get_args(Sort)

_CONFIDENCE = "-confidence"


@dataclass(frozen=True)
class Cursor:
    """Position after the last row of a page: its ``time_start``, ``uid`` and, in the
    ``-confidence`` order, its ``confidence``; ``sort`` is the order of that page."""

    time_start: datetime
    uid: str
    sort: str = "time"
    confidence: float | None = None

    def encode(self) -> str:
        parts: list[Any] = [self.time_start.astimezone(UTC).isoformat(), self.uid]
        if self.sort != "time":  # the oldest-first cursor keeps its original two fields
            parts.append(self.sort)
        if self.sort == _CONFIDENCE:
            parts.append(self.confidence)
        raw = json.dumps(parts)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """Inverse of :meth:`encode`; ``ValueError`` for anything else."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            when, uid, *rest = json.loads(raw)
            ts = datetime.fromisoformat(when)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
            raise ValueError("not a cursor returned by this API") from exc
        sort = rest[0] if rest else "time"
        conf = rest[1] if len(rest) > 1 else None
        ok = (isinstance(uid, str) and ts.tzinfo is not None and len(uid) <= 64
              and sort in SORTS and len(rest) == (0, 1, 2)[SORTS.index(sort)]
              and (conf is None or isinstance(conf, int | float)))  # fmt: skip
        if not ok or (sort == _CONFIDENCE and conf is None):
            raise ValueError("not a cursor returned by this API")
        return cls(ts.astimezone(UTC), uid, sort, None if conf is None else float(conf))


def _order(table: Any, sort: str) -> tuple[list[Any], bool]:
    """The columns of an order and whether it is descending."""
    c = table.c
    if sort == "time":
        return [c.time_start, c.uid], False
    if sort == "-time":
        return [c.time_start, c.uid], True
    if sort == _CONFIDENCE and "confidence" in c:
        return [c.confidence, c.time_start, c.uid], True
    raise ValueError(f"unknown sort {sort!r} (one of {', '.join(SORTS)})")


def _after(cols: list[Any], cursor: Cursor, descending: bool) -> ColumnElement[bool]:
    """Rows after ``cursor`` in the order of ``cols``."""
    values = [bindparam("cursor_time", cursor.time_start, type_=t.UTC_DATETIME),
              bindparam("cursor_uid", cursor.uid, type_=String())]  # fmt: skip
    if len(cols) == 3:
        values.insert(0, bindparam("cursor_conf", cursor.confidence, type_=Float()))
    row, at = tuple_(*cols), tuple_(*values)
    return row < at if descending else row > at


def keyset_page(
    conn: Connection,
    table: Any,
    conds: Sequence[ColumnElement[bool]],
    limit: int,
    cursor: Cursor | None,
    sort: str = "time",
    columns: Sequence[str] | None = None,
    base: Select[Any] | None = None,
) -> tuple[list[Any], str | None]:
    """The rows of ``table`` matching ``conds`` after ``cursor`` in the order ``sort``, at
    most ``limit`` (1..:data:`MAX_PAGE`), and the cursor of the next page (None on the last
    page); only ``columns`` (and the sort keys) when given; ``base`` selects the rows
    instead of ``select(table)`` (with a join: observations with their record's text).
    ``ValueError`` for a bad limit or sort, or a cursor of another order."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE}")
    cols, descending = _order(table, sort)
    if columns is None:
        query = (select(table) if base is None else base).where(*conds)
    else:
        wanted = list(dict.fromkeys([*columns, *(c.name for c in cols)]))
        query = select(*(table.c[name] for name in wanted)).where(*conds)
    if cursor is not None:
        if cursor.sort != sort:
            raise ValueError(f"the cursor continues sort={cursor.sort}, not sort={sort}")
        query = query.where(_after(cols, cursor, descending))
    order = [col.desc() for col in cols] if descending else cols
    rows = conn.execute(query.order_by(*order).limit(limit + 1)).all()
    if len(rows) <= limit:
        return list(rows), None
    last = rows[limit - 1]
    conf = float(last.confidence) if sort == _CONFIDENCE else None
    return list(rows[:limit]), Cursor(as_utc(last.time_start), last.uid, sort, conf).encode()

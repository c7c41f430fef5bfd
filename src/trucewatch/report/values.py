"""JSON values of the report document: rounding without NaN, UTC ISO times, enum values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import numpy as np


def rounded(x: float | None, nd: int) -> float | None:
    """Round, mapping None/NaN/inf to None (JSON has no NaN)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    v = round(v, nd)
    return 0.0 if v == 0 else v  # no "-0.0"


def enum_text(x: Any) -> str:
    """The value of an enum member as text, or ``str(x)``."""
    return str(x.value) if isinstance(x, Enum) else str(x)


def as_utc(dt: datetime) -> datetime:
    """``dt`` in UTC; a naive datetime is taken as UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def iso_utc(dt: datetime | None) -> str | None:
    """``2025-08-12T14:00:00Z`` (None stays None)."""
    if dt is None:
        return None
    return as_utc(dt).isoformat(timespec="seconds").replace("+00:00", "Z")


def jsonable(x: Any) -> Any:
    """Best-effort conversion of an assessment dict to JSON types."""
    if x is None or isinstance(x, bool | int | str):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Enum):
        return jsonable(x.value)
    if isinstance(x, datetime):
        return iso_utc(x)
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        items = [jsonable(v) for v in x]
        return sorted(items, key=str) if isinstance(x, set | frozenset) else items
    if isinstance(x, np.generic):
        return jsonable(x.item())
    return str(x)

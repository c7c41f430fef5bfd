"""The package's units as code: UTC instants and their text, and the geodesy constants.

Times are timezone-aware ``datetime`` objects; a naive one is taken as UTC (SQLite returns
stored UTC instants without a zone). Their text is ISO 8601 in UTC with a ``Z`` suffix.
Distances are km; coordinates WGS84 longitude/latitude in degrees (EPSG:4326).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final, Literal

__all__ = [
    "KM_PER_DEG",
    "KM_PER_DEG_EQUATOR",
    "WGS84_ELLIPSOID",
    "Timespec",
    "as_utc",
    "iso_utc",
    "parse_utc",
    "utc_clock",
    "utc_label",
]

# --------------------------------------------------------------------------- geodesy

WGS84_ELLIPSOID: Final = "WGS84"
"""Name of the ellipsoid of every geodesic computation (a :class:`pyproj.Geod` ``ellps``)."""

KM_PER_DEG: Final = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator) on the sphere of
mean radius 6371 km, rounded: the flat-map scale of the report's figures."""

KM_PER_DEG_EQUATOR: Final = 111.32
"""Kilometres per degree of longitude on the WGS84 equator (radius 6378.137 km), rounded:
the scale of the short offsets (km -> degrees) of the sea mask and the narrative claims."""

# --------------------------------------------------------------------------- time

Timespec = Literal["auto", "seconds", "milliseconds", "microseconds"]
"""Precision of :func:`iso_utc`: ``auto`` keeps microseconds only when not zero."""


def as_utc(t: datetime) -> datetime:
    """``t`` as an aware UTC datetime; a naive ``t`` is taken as UTC."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def iso_utc(t: datetime, timespec: Timespec = "auto") -> str:
    """ISO 8601 text of an instant in UTC with a ``Z``: ``2025-08-12T14:00:00Z``
    (``auto``: ``2025-08-12T14:00:00.250000Z`` when there are microseconds)."""
    return as_utc(t).isoformat(timespec=timespec).replace("+00:00", "Z")


def utc_label(t: datetime) -> str:
    """An instant for sentences, to the second: ``2025-08-12 14:00:00 UTC``."""
    return as_utc(t).strftime("%Y-%m-%d %H:%M:%S UTC")


def utc_clock(t: datetime) -> str:
    """The UTC time of day of an instant, ``HH:MM``."""
    return as_utc(t).strftime("%H:%M")


def parse_utc(text: str) -> datetime:
    """The aware UTC instant of ISO 8601 text (``Z`` or an offset; none means UTC)."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))

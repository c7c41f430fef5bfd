"""The bounds of every value trucewatch accepts from outside: one home for each limit and
its reason (``docs/security.md`` lists them), checked on every path: the readers of
``trucewatch import`` and of the API, the agreements, and again by fusion on what it loads
from the store (a value from an older store is quarantined, not trusted).

Foundation module (imports only :mod:`trucewatch.types`). A check returns ``None`` when
the value is fine, else ``(field, message)``: the field path (``"events[2].count"``,
``"attributes.frp"``) and a one-line reason, for a
:class:`~trucewatch.errors.RecordError` naming the file, record and field.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from trucewatch.types import (
    BearingRangeLocation,
    Observation,
    PlaceLocation,
    PointLocation,
    UnlocatedPosition,
)

Problem = tuple[str, str]
"""``(field path, message)`` of a value out of bounds."""

YEARS = (1970, 2099)
"""Observation and agreement times lie in these years (inclusive). Wider than any
mission (satellite fire archives start in 2000, SMM reports in 2014) and far from the
ends of Python's calendar, so adding a day never overflows; the store's time text is
right only for four-digit years."""

EARLIEST = datetime(YEARS[0], 1, 1, tzinfo=UTC)
LATEST = datetime(YEARS[1] + 1, 1, 1, tzinfo=UTC)

MAX_WINDOW = timedelta(days=31)
"""Longest time window of one observation: a patrol covers a day, a weekly report seven;
a month is a generous bound, and a longer window says nothing about when fire happened."""

MAX_DISTANCE_KM = 1000.0
"""Farthest distance from an observer (and largest zone or buffer): beyond the range of
any tube or rocket artillery, and of any sound or flash a patrol or a sensor perceives."""

MAX_SIGMA_KM = 500.0
"""Largest position standard deviation (km per axis): a position known no better than a
region is still accepted; 1e200 (whose square overflows) is not."""

MAX_PIXEL_KM = 50.0
"""Largest satellite pixel side (scan, track): MODIS pixels reach about 4.8 km at the
edge of a swath, geostationary ones a few km more."""

MAX_COUNT = 100_000
"""Most rounds or detections in one reported event: the busiest SMM days counted a few
thousand explosions per area; 10**5 leaves a wide margin and fits every integer column."""

MAX_BEARINGS = 32
"""Most bearings in one event (every compass point twice)."""

MAX_EVENTS_PER_RECORD = 200
"""Most events in one record: a day's patrol report names tens; 10,000 would only make
work for the server."""

MAX_RECORD_CHARS = 256 * 1024
"""Longest single record (a JSON line, a CSV row, an SMM passage), in characters."""

MAX_PASSAGE_CHARS = 16 * 1024
"""Longest SMM narrative passage (one paragraph of a report; the longest real ones are a
few KiB). Parsing costs about 10 ms per KiB, so a 256 KiB passage would hold a worker for
seconds."""

MAX_STORED_CHARS_PER_RECORD = 4 * 1024 * 1024
"""Most of events x record length (200 events of 20 KiB, or 16 of 256 KiB): each event's
uid hashes the record's text, and each observation read back carries it (an API page, an
export). The store keeps the text once per record (``record_payloads``, migration 0017);
before, each event stored its own copy."""

MAX_TEXT = 200
"""Longest identifier or short text (source id, weapon, place name, satellite)."""

MAX_ATTRIBUTE_TEXT = 10_000
"""Longest free text kept in a record's other fields (a sentence, a note)."""

MAX_REASON_CHARS = 2_000
"""Longest reason an analyst gives for an act of review or a sign-off (characters)."""

MAX_REVIEW_UIDS = 1_000
"""Most incidents merged, or observations split off, in one act of review."""

MAX_MEDIA_BYTES = 256 * 1024 * 1024
"""Largest evidence media file (bytes) the command line attaches: a few minutes of phone
video; each file is held in memory while it is hashed and analysed. The API's limit is
smaller (``TRUCEWATCH_MAX_MEDIA_BYTES``, within its body limit)."""

MAX_DEPTH = 16
"""Deepest nesting of objects and lists in a record (the formats need 3)."""

MAX_INTEGER = 2**53
"""Largest magnitude of an integer kept in a record's other fields (exact in every JSON
reader, and in PostgreSQL's ``jsonb``)."""

_SHORT_FIELDS = ("source_id", "source_format", "weapon", "reliability")


def year_problem(when: date | datetime, field: str) -> Problem | None:
    """A date or time outside :data:`YEARS`."""
    if not YEARS[0] <= when.year <= YEARS[1]:
        return field, f"year {when.year} is outside {YEARS[0]}..{YEARS[1]}"
    return None


def number_problem(value: float, field: str, low: float, high: float) -> Problem | None:
    """A number that is not finite or lies outside ``[low, high]``."""
    if not math.isfinite(value):
        return field, f"must be a finite number, not {value!r}"
    if not low <= value <= high:
        return field, f"{value:g} is outside {low:g}..{high:g}"
    return None


def text_problem(value: str, field: str, limit: int = MAX_TEXT) -> Problem | None:
    """Text longer than ``limit`` characters, with a NUL character, or not valid Unicode
    (a lone surrogate: neither database stores it)."""
    if len(value) > limit:
        return field, f"longer than {limit} characters ({len(value)})"
    if "\x00" in value:
        return field, "a NUL character is not allowed"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return field, "not valid Unicode text (a lone surrogate)"
    return None


def value_problem(value: Any, field: str, depth: int = 0) -> Problem | None:
    """A JSON-like value (dicts, lists, text, numbers) nested deeper than
    :data:`MAX_DEPTH`, or holding bad text, a non-finite number or a huge integer."""
    if type(value) is dict and not field:
        flat = _flat_problem(value)
        if flat is not _NESTED:
            return flat
    for path, v, d in _walk(value, field, depth):
        if isinstance(v, dict | list | tuple) and d >= MAX_DEPTH:
            return path, f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(v, str):
            problem = text_problem(v, path, MAX_ATTRIBUTE_TEXT)
        elif isinstance(v, bool) or v is None:
            problem = None
        elif isinstance(v, int):
            problem = None if abs(v) <= MAX_INTEGER else (path, f"integer beyond ±2**53: {v}")
        elif isinstance(v, float):
            problem = None if math.isfinite(v) else (path, f"must be finite, not {v!r}")
        else:
            problem = None
        if problem is not None:
            return problem
    return None


_NESTED = ("", "")


def _flat_problem(record: dict[Any, Any]) -> Problem | tuple[str, str] | None:
    """:func:`value_problem` of a dict of scalars (a FIRMS row's other columns) in one
    pass, a few µs a row; ``_NESTED`` when a value is a list or dict (walk it instead)."""
    for k, v in record.items():
        kind = type(v)
        if kind is float:
            if v != v or v in (math.inf, -math.inf):
                return str(k)[:40], f"must be finite, not {v!r}"
        elif kind is str:
            if len(v) > MAX_ATTRIBUTE_TEXT or "\x00" in v or not v.isascii():
                problem = text_problem(v, str(k)[:40], MAX_ATTRIBUTE_TEXT)
                if problem is not None:
                    return problem
        elif kind is int:
            if abs(v) > MAX_INTEGER:
                return str(k)[:40], f"integer beyond ±2**53: {v}"
        elif v is not None and kind is not bool:
            return _NESTED
        if type(k) is not str or len(k) > MAX_TEXT or "\x00" in k or not k.isascii():
            problem = text_problem(str(k), str(k)[:40])
            if problem is not None:
                return problem
    return None


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    """``(path, value, depth)`` of a value and (down to one level past the limit) of
    everything inside it, keys included."""
    stack = [(path, value, depth)]
    while stack:
        p, v, d = stack.pop()
        yield p, v, d
        if d >= MAX_DEPTH:
            continue
        if isinstance(v, dict):
            for k, item in v.items():
                key = str(k)
                child = f"{p}.{key[:40]}" if p else key[:40]
                yield child, key, d + 1
                stack.append((child, item, d + 1))
        elif isinstance(v, list | tuple):
            stack.extend((f"{p}[{i}]", item, d + 1) for i, item in enumerate(v))


FAST_ROW_BYTES = 2048
"""CSV rows up to this many bytes need no per-cell length check (their cells are shorter
than :data:`MAX_ATTRIBUTE_TEXT`)."""


def row_problem(line: str, size: int, source_id: str,
                cells: dict[str, Any]) -> Problem | None:  # fmt: skip
    """The bounds of a CSV row (a FIRMS detection): its length, its text (``line``,
    ``size`` bytes), the ``source_id`` built from it (field ``satellite``) and its other
    ``cells``, named by column. A short ASCII line without NUL whose numbers sum to a
    finite value is fine (a couple of µs: the usual case of millions of rows)."""
    if (size <= FAST_ROW_BYTES and line.isascii() and "\x00" not in line
            and len(source_id) <= MAX_TEXT
            and math.isfinite(sum(v for v in cells.values() if type(v) is float))):
        return None
    if size > MAX_RECORD_CHARS:
        return "record", f"longer than {MAX_RECORD_CHARS} bytes"
    return (value_problem(cells, "") or text_problem(source_id, "satellite")
            or text_problem(line, "record", MAX_RECORD_CHARS))


def depth_of(value: Any) -> int:
    """Levels of objects and lists in a JSON-like value (``[[]]`` is 2, a number 0),
    counted up to ``MAX_DEPTH + 1``."""
    return max((d + 1 for _, v, d in _walk(value, "", 0) if isinstance(v, dict | list | tuple)),
               default=0)


def observation_problem(o: Observation) -> Problem | None:
    """The first field of an observation outside its bounds, or ``None``. Field names
    are those of the input: ``events[i].<key>`` for a record's i-th event."""
    at = _event_prefix(o)
    for problem in (_time_problem(o), _location_problem(o.location, at), _scalar_problem(o, at)):
        if problem is not None:
            return problem
    if len(o.payload) > MAX_RECORD_CHARS:
        return "record", f"longer than {MAX_RECORD_CHARS} characters"
    text = text_problem(o.payload, "record", MAX_RECORD_CHARS)
    if text is not None:
        return text
    return value_problem(o.attributes, "")


def _event_prefix(o: Observation) -> str:
    index = o.attributes.get("event_index")
    is_event = o.source_format in ("patrol", "smm", "complaint")
    if isinstance(index, int) and is_event and isinstance(o.location, BearingRangeLocation):
        return f"events[{index}]."
    return ""


def _time_problem(o: Observation) -> Problem | None:
    for name in ("time_start", "time_end"):
        problem = year_problem(getattr(o, name), name)
        if problem is not None:
            return problem
    if o.time_end < o.time_start:
        return "time_end", "is before the start"
    if o.time_end - o.time_start > MAX_WINDOW:
        return "time_end", f"the window is longer than {MAX_WINDOW.days} days"
    return None


def _point_problem(p: PointLocation, prefix: str) -> Problem | None:
    problem = number_problem(p.lon, f"{prefix}lon", -180.0, 180.0) or number_problem(
        p.lat, f"{prefix}lat", -90.0, 90.0)  # fmt: skip
    if problem is not None:
        return problem
    (a, b), (c, d) = p.cov_km2
    var = MAX_SIGMA_KM**2
    for value in (a, d):
        problem = number_problem(value, f"{prefix}sigma_km", 0.0, var)
        if problem is not None:
            return problem[0], f"position uncertainty beyond {MAX_SIGMA_KM:g} km or not finite"
    if not (math.isfinite(b) and math.isfinite(c) and b * c <= a * d + 1e-9):
        return f"{prefix}sigma_km", "not a valid covariance"
    return None


def _location_problem(loc: Any, at: str) -> Problem | None:
    if isinstance(loc, PointLocation):
        return _point_problem(loc, "location.")
    if isinstance(loc, PlaceLocation):
        return _place_problem(loc)
    if not isinstance(loc, BearingRangeLocation):
        return "location", f"unknown location type {type(loc).__name__}"
    problem = _observer_problem(loc.observer)
    if problem is not None:
        return problem
    if len(loc.bearings_deg) > MAX_BEARINGS:
        return f"{at}bearings_deg", f"more than {MAX_BEARINGS} bearings"
    for j, b in enumerate(loc.bearings_deg):
        problem = problem or number_problem(b, f"{at}bearings_deg[{j}]", 0.0, 360.0)
    problem = problem or number_problem(
        loc.bearing_halfwidth_deg, f"{at}bearing_halfwidth_deg", 0.0, 180.0)  # fmt: skip
    for name in ("distance_km_min", "distance_km_max"):
        value = getattr(loc, name)
        if value is not None:
            problem = problem or number_problem(value, f"{at}{name}", 0.0, MAX_DISTANCE_KM)
    return problem


def _observer_problem(obs: PointLocation | PlaceLocation | UnlocatedPosition) -> Problem | None:
    if isinstance(obs, PointLocation):
        return _point_problem(obs, "observer_")
    if isinstance(obs, UnlocatedPosition):
        return text_problem(obs.reason, "observer_place")
    return _place_problem(obs)


def _place_problem(p: PlaceLocation) -> Problem | None:
    problem = text_problem(p.place, "observer_place")
    for name, value in (("direction", p.ref_direction), ("of", p.ref_of)):
        if value is not None:
            problem = problem or text_problem(value, f"observer_reference.{name}")
    if p.ref_km is not None:
        problem = problem or number_problem(p.ref_km, "observer_reference.km", 0.0,
                                            MAX_DISTANCE_KM)  # fmt: skip
    return problem


def _scalar_problem(o: Observation, at: str) -> Problem | None:
    if o.count is not None and not (
        isinstance(o.count, int) and 0 <= o.count <= MAX_COUNT
    ):
        return f"{at}count", f"{o.count} is outside 0..{MAX_COUNT}"
    if not (isinstance(o.credibility, int) and 1 <= o.credibility <= 6):
        return "credibility", f"must be an integer 1-6, not {o.credibility!r}"
    for name in _SHORT_FIELDS:
        value = getattr(o, name)
        if value is not None:
            field = f"{at}{name}" if name == "weapon" else name
            problem = text_problem(value, field)
            if problem is not None:
                return problem
    return None

"""What the JSON Lines formats share: reading a file line by line into observations, the
field error, and the readers of the fields the tagged formats (``acoustic``, ``camera``,
``complaint``: a ``"format"`` key names the format on every record) have in common.

A bad field raises :class:`FieldError` (the field's path and a message); the line readers
turn it into one :class:`~trucewatch.errors.RecordError` naming the file and line, and
go on with the next line.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.ids import observation_uid, sha256_hex
from trucewatch.kinds import Grading, SourceKindModel
from trucewatch.sources.base import iter_lines
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Location,
    Observation,
    PointLocation,
)

_MAX_SNIFF_LINE = 1 << 20

SIGNATURES = ("launch", "impact")
"""The sensor classifications of a sound or sight (attribute ``signature``)."""


class FieldError(ValueError):
    """A bad field of a record: ``field`` path (``"events[2].flow"``) and message."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --------------------------------------------------------------------------- lines


def first_record(path: Path, head: str) -> dict[str, Any] | None:
    """The first non-blank line of a JSON Lines file as an object (re-read from the file,
    up to 1 MiB, when ``head`` ends inside it), or ``None``."""
    lines = head.lstrip("\ufeff").split("\n")
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        if n == len(lines) - 1:
            try:
                with open(path, "rb") as f:
                    for _ in range(n + 1):
                        raw = f.readline(_MAX_SNIFF_LINE)
                line = raw.decode("utf-8", errors="replace").lstrip("\ufeff")
            except OSError:
                pass
        if not line.lstrip().startswith("{"):
            return None
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to tell
            return None
        return record if isinstance(record, dict) else None
    return None


def sniff_tagged(path: Path, head: str, name: str) -> bool:
    """The first record is a JSON object with ``"format": name``."""
    record = first_record(path, head)
    return record is not None and record.get("format") == name


def parse_json_line(line: str, *, column: bool = False) -> Any:
    """The JSON value of one line; raises :class:`FieldError` (field ``json``) naming what
    is wrong (and where on the line, with ``column``)."""
    if len(line) > limits.MAX_RECORD_CHARS:
        raise FieldError("record", f"longer than {limits.MAX_RECORD_CHARS} characters")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        where = f" (column {exc.colno})" if column else ""
        raise FieldError("json", f"not valid JSON: {exc.msg}{where}") from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise FieldError("json", f"not valid JSON: {exc}") from None
    except RecursionError:
        raise FieldError("json", f"nested deeper than {limits.MAX_DEPTH} levels") from None
    if limits.depth_of(value) > limits.MAX_DEPTH:
        raise FieldError("json", f"nested deeper than {limits.MAX_DEPTH} levels")
    return value


def read_json_lines(path: Path, parse: Callable[[Any, str], Iterable[Observation]], *,
                    column: bool = False) -> Iterator[Observation | RecordError]:  # fmt: skip
    """Observations of a JSON Lines file: ``parse(value, line)`` per non-blank line, or one
    error per bad line (not UTF-8, not JSON, or a :class:`FieldError` from ``parse``)."""
    file = str(path)
    with open(path, "rb") as f:
        for number_, line in iter_lines(f, path):
            if isinstance(line, RecordError):
                yield line
                continue
            if not line.strip():
                continue
            yield from checked_record(file, number_, functools.partial(
                _parse_line, parse, line, column))  # fmt: skip


def _parse_line(parse: Callable[[Any, str], Iterable[Observation]], line: str,
                column: bool) -> Iterable[Observation]:  # fmt: skip
    return parse(parse_json_line(line, column=column), line)


def checked_record(file: str, number: int, parse: Callable[[], Iterable[Observation]],
                   field: str | None = None) -> list[Observation] | list[RecordError]:  # fmt: skip
    """The observations ``parse()`` makes of one record, each within the bounds of
    :mod:`trucewatch.limits`; or one error naming the file, line and field (all of the
    record is refused). A value a reader failed to refuse (an overflow, say) is an error
    of the record (at ``field``), never a traceback."""
    try:
        observations = list(parse())
    except FieldError as bad:
        return [RecordError(file, number, bad.field, bad.message)]
    except (ValueError, ArithmeticError, RecursionError) as exc:
        return [RecordError(file, number, field, f"could not be read ({exc})")]
    if len(observations) > limits.MAX_EVENTS_PER_RECORD:
        return [RecordError(file, number, "events",
                            f"more than {limits.MAX_EVENTS_PER_RECORD} events in one record")]
    for o in observations:
        problem = limits.observation_problem(o)
        if problem is not None:
            return [RecordError(file, number, *problem)]
    return observations


def read_tagged(path: Path, name: str, parse: Callable[[dict[str, Any], str], Observation]
                ) -> Iterator[Observation | RecordError]:  # fmt: skip
    """Observations of a tagged JSON Lines file: one per line (a JSON object whose
    ``format`` is ``name``), or one error per bad line."""

    def checked(record: Any, payload: str) -> tuple[Observation]:
        if not isinstance(record, dict):
            raise FieldError(None, "a record must be a JSON object")
        if record.get("format") != name:
            raise FieldError("format", f"must be {name!r}, not {record.get('format')!r}")
        return (parse(record, payload),)

    return read_json_lines(path, checked)


# --------------------------------------------------------------------------- fields


def number(record: dict[str, Any], key: str, default: float | None = None, *,
           minimum: float | None = None, maximum: float | None = None,
           required: bool = False) -> float | None:  # fmt: skip
    """A finite number at ``key`` (``default`` when absent or null), at least ``minimum``
    and at most ``maximum`` when given."""
    value = record.get(key)
    if value is None:
        if required:
            raise FieldError(key, "missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FieldError(key, f"must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise FieldError(key, f"must be >= {minimum:g}, not {value!r}")
    if maximum is not None and value > maximum:
        raise FieldError(key, f"must be <= {maximum:g}, not {value!r}")
    return float(value)


def text(record: dict[str, Any], key: str, default: str | None = None, *,
         required: bool = False) -> str | None:  # fmt: skip
    """Non-empty text at ``key``, stripped (``default`` when absent or null)."""
    value = record.get(key)
    if value is None:
        if required:
            raise FieldError(key, "missing")
        return default
    if not isinstance(value, str) or not value.strip():
        raise FieldError(key, f"must be non-empty text, not {value!r}")
    return value.strip()


def instant(record: dict[str, Any], key: str, *, required: bool = True) -> datetime | None:
    """An ISO 8601 date-time with a zone, as UTC."""
    value = record.get(key)
    if value is None:
        if required:
            raise FieldError(key, "missing")
        return None
    if not isinstance(value, str):
        raise FieldError(key, f"must be an ISO 8601 date-time, not {value!r}")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(key, f"not an ISO 8601 date-time: {value!r}") from None
    if t.tzinfo is None:
        raise FieldError(key, f"needs a time zone (e.g. ...Z): {value!r}")
    problem = limits.year_problem(t, key)
    if problem is not None:
        raise FieldError(*problem)
    return t.astimezone(UTC)


def window(record: dict[str, Any]) -> tuple[datetime, datetime]:
    """The UTC window ``time_start_utc`` to ``time_end_utc`` (default: the start)."""
    start = instant(record, "time_start_utc")
    end = instant(record, "time_end_utc", required=False) or start
    assert start is not None and end is not None
    if end < start:
        raise FieldError("time_end_utc", "is before time_start_utc")
    return start, end


def iso_date(value: Any, field: str) -> date:
    """A calendar date ``YYYY-MM-DD`` (surrounding blanks ignored)."""
    if not isinstance(value, str):
        raise FieldError(field, f"must be a date YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise FieldError(field, f"not a valid date: {value!r}") from exc


def position(record: dict[str, Any], lon_key: str, lat_key: str, sigma_key: str,
             sigma_default: float) -> PointLocation:  # fmt: skip
    """A WGS84 point (degrees) with an isotropic uncertainty (``sigma_key``, km)."""
    lon = number(record, lon_key, required=True)
    lat = number(record, lat_key, required=True)
    assert lon is not None and lat is not None
    if not -180.0 <= lon <= 180.0:
        raise FieldError(lon_key, f"longitude {lon} outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise FieldError(lat_key, f"latitude {lat} outside [-90, 90]")
    sigma = number(record, sigma_key, sigma_default, minimum=0.0, maximum=limits.MAX_SIGMA_KM)
    assert sigma is not None
    return PointLocation.isotropic(lon, lat, max(sigma, 1e-6))


def sensor(record: dict[str, Any], prefix: str, sigma_default: float
           ) -> tuple[str, PointLocation]:  # fmt: skip
    """A fixed sensor's id and position: ``<prefix>_id``, ``<prefix>_lon``/``_lat`` (WGS84
    degrees) and ``<prefix>_sigma_km`` (default ``sigma_default``)."""
    sensor_id = text(record, f"{prefix}_id", required=True)
    assert sensor_id is not None
    where = position(record, f"{prefix}_lon", f"{prefix}_lat", f"{prefix}_sigma_km",
                     sigma_default)  # fmt: skip
    return sensor_id, where


def grading(record: dict[str, Any], default: Grading) -> tuple[str, int]:
    """``(reliability, credibility)`` of the record, ``default`` where absent (or null)."""
    reliability, credibility = default.reliability, default.credibility
    rel = record.get("reliability", reliability) or reliability
    if not isinstance(rel, str) or rel.strip().upper() not in tuple("ABCDEF"):
        raise FieldError("reliability", f"must be one of A-F, not {rel!r}")
    cred = record.get("credibility", credibility)
    cred = credibility if cred is None else cred
    if isinstance(cred, bool) or not isinstance(cred, int) or not 1 <= cred <= 6:
        raise FieldError("credibility", f"must be an integer 1-6, not {cred!r}")
    return rel.strip().upper(), cred


def kind_of(record: dict[str, Any], default: EventKind) -> EventKind:
    """The event kind at ``kind`` (``flash`` reads as undetermined)."""
    raw = record.get("kind")
    if raw is None:
        return default
    key = raw.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(raw, str) else ""
    if key == "flash":
        return EventKind.UNDETERMINED
    for k in EventKind:
        if k.value == key:
            return k
    known = ", ".join(k.value for k in EventKind)
    raise FieldError("kind", f"unknown kind {raw!r} (one of {known})")


def signature_of(record: dict[str, Any]) -> str | None:
    """The sensor's classification of the sound or sight: ``launch`` (muzzle blast or
    flash, the firing position) or ``impact`` (detonation where it landed), or None."""
    raw = record.get("signature")
    if raw is None:
        return None
    if not isinstance(raw, str) or raw.strip().lower() not in SIGNATURES:
        raise FieldError("signature", f"must be 'launch', 'impact' or null, not {raw!r}")
    return raw.strip().lower()


def count_of(record: dict[str, Any]) -> int | None:
    """The positive count at ``count``, or None."""
    value = record.get("count")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FieldError("count", f"must be a positive integer or null, not {value!r}")
    return value


def extra_attributes(record: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Keys of the record not consumed by the reader (JSON values as they are)."""
    return {k: v for k, v in record.items() if k not in known}


def wedge(observer: PointLocation, bearing: float | None, sigma_deg: float,
          range_km: float) -> BearingRangeLocation:  # fmt: skip
    """The sector of a measured bearing (degrees from true north; half-width sqrt(3)
    sigma, at most 180 degrees) from 0 to ``range_km``; the full circle without a
    bearing."""
    if bearing is None:
        return BearingRangeLocation(observer=observer, bearings_deg=(), bearing_halfwidth_deg=180.0,
                                    distance_km_min=0.0, distance_km_max=range_km)  # fmt: skip
    half = min(180.0, max(0.05, math.sqrt(3.0) * sigma_deg))
    return BearingRangeLocation(observer=observer, bearings_deg=(bearing % 360.0,),
                                bearing_halfwidth_deg=half, distance_km_min=0.0,
                                distance_km_max=range_km)  # fmt: skip


def tagged_observation(record: dict[str, Any], payload: str, name: str,
                       model: SourceKindModel, *, source: str,
                       window: tuple[datetime, datetime], location: Location,
                       graded: tuple[str, int], attributes: dict[str, Any],
                       weapon_key: str | None = None) -> Observation:  # fmt: skip
    """The observation of one tagged record ``payload`` of format ``name``: kind (default
    explosion) and count read from the record (then the weapon at ``weapon_key``), source
    id :meth:`~trucewatch.kinds.SourceKindModel.source_id` of ``source``, the UTC
    ``window``, and ``graded`` (reliability, credibility)."""
    reliability, credibility = graded
    return Observation(
        uid=observation_uid(name, payload, 0),
        source_kind=model.kind,
        source_format=name,
        source_id=model.source_id(source),
        time_start=window[0],
        time_end=window[1],
        location=location,
        kind=kind_of(record, EventKind.EXPLOSION),
        count=count_of(record),
        weapon=None if weapon_key is None else text(record, weapon_key),
        reliability=reliability,
        credibility=credibility,
        payload=payload,
        payload_sha256=sha256_hex(payload),
        attributes=attributes,
    )

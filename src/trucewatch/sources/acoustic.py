"""Acoustic array detections as JSON Lines (format ``acoustic``).

One detection per line, recognised by ``"format": "acoustic"`` on the first record::

    {"format": "acoustic", "detection_id": "AC-07-000123", "sensor_id": "array-07",
     "sensor_lon": 37.512, "sensor_lat": 48.101, "sensor_sigma_km": 0.01,
     "arrival_utc": "2025-03-13T10:15:02.123Z", "time_sigma_s": 0.1,
     "bearing_deg": 123.4, "bearing_sigma_deg": 3.0, "range_max_km": 19.5,
     "speed_of_sound_m_s": 340, "kind": "explosion", "count": 12, "duration_s": 300,
     "reliability": "B", "credibility": 3, "synthetic": true}

Required: ``format``, ``sensor_id``, ``sensor_lon``, ``sensor_lat``, ``arrival_utc``
(ISO 8601 with a zone; the arrival of the first impulse at the array). Optional, with
defaults: ``sensor_sigma_km`` 0.01, ``time_sigma_s`` 0.1, ``bearing_deg`` (direction of
arrival, degrees from true north; null: unknown), ``bearing_sigma_deg`` 5,
``range_max_km`` (detection range) 15, ``speed_of_sound_m_s`` (default from
``temperature_c`` when given, ``331.3 sqrt(1 + T / 273.15)``, else 340), ``kind``
explosion, ``signature`` (``launch`` or ``impact``: the array's classification of the
sound, which fusion uses to keep launches and impacts apart and to attribute fire),
``count`` (impulses in the burst) null, ``duration_s`` 0, ``reliability`` B,
``credibility`` 3, ``synthetic``; other keys are kept in ``attributes``.

One observation per line: source kind ``acoustic``, ``source_id`` the sensor id; the
time window is from ``arrival - range_max / speed`` (the sound travelled at most that
long) to ``arrival + duration_s``; the location is the array with its bearing as a
wedge of half-width ``sqrt(3) * bearing_sigma_deg`` (a uniform sector with the same
standard deviation) from 0 to ``range_max_km`` (the whole circle when the bearing is
unknown). ``arrival_utc``, ``time_sigma_s``, ``bearing_sigma_deg`` and
``speed_of_sound_m_s`` are kept in ``attributes`` for time-difference-of-arrival
localization across arrays.

The JSON Lines helpers here are shared by :mod:`trucewatch.sources.camera` and
:mod:`trucewatch.sources.complaint`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trucewatch.errors import RecordError
from trucewatch.ids import observation_uid, sha256_hex
from trucewatch.sources.base import iter_lines
from trucewatch.types import (
    BearingRangeLocation,
    EventKind,
    Observation,
    PointLocation,
    SourceKind,
)

NAME = "acoustic"

DEFAULT_SENSOR_SIGMA_KM = 0.01
DEFAULT_TIME_SIGMA_S = 0.1
DEFAULT_BEARING_SIGMA_DEG = 5.0
DEFAULT_RANGE_KM = 15.0
DEFAULT_SPEED_M_S = 340.0
DEFAULT_RELIABILITY = "B"
DEFAULT_CREDIBILITY = 3

_MAX_SNIFF_LINE = 1 << 20


class FieldError(ValueError):
    """A bad field of a record: ``field`` path and message."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --------------------------------------------------------------------------- JSON Lines helpers


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
        except ValueError:
            return None
        return record if isinstance(record, dict) else None
    return None


def sniff_tagged(path: Path, head: str, name: str) -> bool:
    """The first record is a JSON object with ``"format": name``."""
    record = first_record(path, head)
    return record is not None and record.get("format") == name


def number(record: dict[str, Any], key: str, default: float | None = None, *,
           minimum: float | None = None, required: bool = False) -> float | None:  # fmt: skip
    """A finite number at ``key`` (``default`` when absent or null)."""
    value = record.get(key)
    if value is None:
        if required:
            raise FieldError(key, "missing")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FieldError(key, f"must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise FieldError(key, f"must be >= {minimum:g}, not {value!r}")
    return float(value)


def text(record: dict[str, Any], key: str, default: str | None = None, *,
         required: bool = False) -> str | None:  # fmt: skip
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
    return t.astimezone(UTC)


def position(record: dict[str, Any], lon_key: str, lat_key: str, sigma_key: str,
             sigma_default: float) -> PointLocation:  # fmt: skip
    lon = number(record, lon_key, required=True)
    lat = number(record, lat_key, required=True)
    assert lon is not None and lat is not None
    if not -180.0 <= lon <= 180.0:
        raise FieldError(lon_key, f"longitude {lon} outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise FieldError(lat_key, f"latitude {lat} outside [-90, 90]")
    sigma = number(record, sigma_key, sigma_default, minimum=0.0)
    assert sigma is not None
    return PointLocation.isotropic(lon, lat, max(sigma, 1e-6))


def grading(record: dict[str, Any], reliability: str, credibility: int) -> tuple[str, int]:
    rel = record.get("reliability", reliability) or reliability
    if not isinstance(rel, str) or rel.strip().upper() not in tuple("ABCDEF"):
        raise FieldError("reliability", f"must be one of A-F, not {rel!r}")
    cred = record.get("credibility", credibility)
    cred = credibility if cred is None else cred
    if isinstance(cred, bool) or not isinstance(cred, int) or not 1 <= cred <= 6:
        raise FieldError("credibility", f"must be an integer 1-6, not {cred!r}")
    return rel.strip().upper(), cred


def kind_of(record: dict[str, Any], default: EventKind) -> EventKind:
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


def speed_of_sound(temperature_c: float) -> float:
    """Speed of sound in dry air (m/s) at ``temperature_c`` degrees Celsius:
    ``331.3 sqrt(1 + T / 273.15)``."""
    return 331.3 * math.sqrt(1.0 + temperature_c / 273.15)


SIGNATURES = ("launch", "impact")


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
    value = record.get("count")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FieldError("count", f"must be a positive integer or null, not {value!r}")
    return value


def extra_attributes(record: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Keys of the record not consumed by the reader (JSON values as they are)."""
    return {k: v for k, v in record.items() if k not in known}


def read_records(path: Path, name: str,
                 parse: Callable[[dict[str, Any], str], Observation]
                 ) -> Iterator[Observation | RecordError]:  # fmt: skip
    """Observations of a tagged JSON Lines file: one per line, or one error per bad line."""
    file = str(path)
    with open(path, "rb") as f:
        for number_, line in iter_lines(f, path):
            if isinstance(line, RecordError):
                yield line
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                yield RecordError(file, number_, "json", f"not valid JSON: {msg}")
                continue
            try:
                if not isinstance(record, dict):
                    raise FieldError(None, "a record must be a JSON object")
                if record.get("format") != name:
                    raise FieldError("format", f"must be {name!r}, not {record.get('format')!r}")
                yield parse(record, line)
            except FieldError as bad:
                yield RecordError(file, number_, bad.field, bad.message)


def wedge(observer: PointLocation, bearing: float | None, sigma_deg: float,
          range_km: float) -> BearingRangeLocation:  # fmt: skip
    """The sector of a measured bearing (half-width sqrt(3) sigma, at most 180 degrees)
    from 0 to ``range_km``; the full circle without a bearing."""
    if bearing is None:
        return BearingRangeLocation(observer=observer, bearings_deg=(), bearing_halfwidth_deg=180.0,
                                    distance_km_min=0.0, distance_km_max=range_km)  # fmt: skip
    half = min(180.0, max(0.05, math.sqrt(3.0) * sigma_deg))
    return BearingRangeLocation(observer=observer, bearings_deg=(bearing % 360.0,),
                                bearing_halfwidth_deg=half, distance_km_min=0.0,
                                distance_km_max=range_km)  # fmt: skip


# --------------------------------------------------------------------------- format


KNOWN = {"format", "sensor_id", "sensor_lon", "sensor_lat", "sensor_sigma_km", "arrival_utc",
         "time_sigma_s", "bearing_deg", "bearing_sigma_deg", "range_max_km",
         "speed_of_sound_m_s", "temperature_c", "kind", "count", "duration_s",
         "reliability", "credibility", "signature"}  # fmt: skip


def sniff(path: Path, head: str) -> bool:
    """The first record is a JSON object with ``"format": "acoustic"``."""
    return sniff_tagged(path, head, NAME)


def parse_record(record: dict[str, Any], payload: str) -> Observation:
    """The observation of one acoustic detection (raises :class:`FieldError`)."""
    sensor_id = text(record, "sensor_id", required=True)
    observer = position(record, "sensor_lon", "sensor_lat", "sensor_sigma_km",
                        DEFAULT_SENSOR_SIGMA_KM)  # fmt: skip
    arrival = instant(record, "arrival_utc")
    assert arrival is not None and sensor_id is not None
    time_sigma = number(record, "time_sigma_s", DEFAULT_TIME_SIGMA_S, minimum=0.0)
    bearing = number(record, "bearing_deg")
    b_sigma = number(record, "bearing_sigma_deg", DEFAULT_BEARING_SIGMA_DEG, minimum=0.0)
    range_km = number(record, "range_max_km", DEFAULT_RANGE_KM, minimum=0.0)
    temperature = number(record, "temperature_c", minimum=-90.0)
    default_speed = DEFAULT_SPEED_M_S if temperature is None else speed_of_sound(temperature)
    speed = number(record, "speed_of_sound_m_s", default_speed, minimum=1.0)
    duration = number(record, "duration_s", 0.0, minimum=0.0)
    assert b_sigma is not None and range_km is not None and speed is not None
    assert duration is not None
    reliability, credibility = grading(record, DEFAULT_RELIABILITY, DEFAULT_CREDIBILITY)
    attributes = {
        "arrival_utc": arrival.isoformat(),
        "time_sigma_s": time_sigma,
        "bearing_sigma_deg": b_sigma,
        "speed_of_sound_m_s": speed,
        "range_max_km": range_km,
        **extra_attributes(record, KNOWN),
    }
    signature = signature_of(record)
    if signature is not None:
        attributes["signature"] = signature
    return Observation(
        uid=observation_uid(NAME, payload, 0),
        source_kind=SourceKind.ACOUSTIC,
        source_format=NAME,
        source_id=sensor_id,
        time_start=arrival - timedelta(seconds=range_km * 1000.0 / speed),
        time_end=arrival + timedelta(seconds=duration),
        location=wedge(observer, bearing, b_sigma, range_km),
        kind=kind_of(record, EventKind.EXPLOSION),
        count=count_of(record),
        reliability=reliability,
        credibility=credibility,
        payload=payload,
        payload_sha256=sha256_hex(payload),
        attributes=attributes,
    )


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of an acoustic JSON Lines file; one :class:`RecordError` per bad line."""
    return read_records(path, NAME, parse_record)

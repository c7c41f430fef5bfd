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
localization across arrays. What an acoustic array means to fusion (and its default
range and grading) is its model in :mod:`trucewatch.kinds`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources import jsonl
from trucewatch.types import Observation, SourceKind

NAME = "acoustic"
KIND = SOURCE_KINDS[SourceKind.ACOUSTIC]

DEFAULT_SENSOR_SIGMA_KM = 0.01
DEFAULT_TIME_SIGMA_S = 0.1
DEFAULT_BEARING_SIGMA_DEG = 5.0
DEFAULT_SPEED_M_S = 340.0

KNOWN = {"format", "sensor_id", "sensor_lon", "sensor_lat", "sensor_sigma_km", "arrival_utc",
         "time_sigma_s", "bearing_deg", "bearing_sigma_deg", "range_max_km",
         "speed_of_sound_m_s", "temperature_c", "kind", "count", "duration_s",
         "reliability", "credibility", "signature"}  # fmt: skip


def speed_of_sound(temperature_c: float) -> float:
    """Speed of sound in dry air (m/s) at ``temperature_c`` degrees Celsius:
    ``331.3 sqrt(1 + T / 273.15)``."""
    return 331.3 * math.sqrt(1.0 + temperature_c / 273.15)


def sniff(path: Path, head: str) -> bool:
    """The first record is a JSON object with ``"format": "acoustic"``."""
    return jsonl.sniff_tagged(path, head, NAME)


def parse_record(record: dict[str, Any], payload: str) -> Observation:
    """The observation of one acoustic detection (raises
    :class:`~trucewatch.sources.jsonl.FieldError`)."""
    sensor_id, observer = jsonl.sensor(record, "sensor", DEFAULT_SENSOR_SIGMA_KM)
    arrival = jsonl.instant(record, "arrival_utc")
    assert arrival is not None
    time_sigma = jsonl.number(record, "time_sigma_s", DEFAULT_TIME_SIGMA_S, minimum=0.0,
                              maximum=3600.0)
    bearing = jsonl.number(record, "bearing_deg")
    b_sigma = jsonl.number(record, "bearing_sigma_deg", DEFAULT_BEARING_SIGMA_DEG, minimum=0.0,
                           maximum=180.0)
    range_km = jsonl.number(record, "range_max_km", KIND.detection_range_km, minimum=0.0,
                             maximum=limits.MAX_DISTANCE_KM)
    temperature = jsonl.number(record, "temperature_c", minimum=-90.0, maximum=60.0)
    default_speed = DEFAULT_SPEED_M_S if temperature is None else speed_of_sound(temperature)
    speed = jsonl.number(record, "speed_of_sound_m_s", default_speed, minimum=1.0,
                          maximum=2000.0)
    duration = jsonl.number(record, "duration_s", 0.0, minimum=0.0,
                             maximum=limits.MAX_WINDOW.total_seconds())
    assert b_sigma is not None and range_km is not None and speed is not None
    assert duration is not None
    graded = jsonl.grading(record, KIND.grading)
    attributes = {
        "arrival_utc": arrival.isoformat(),
        "time_sigma_s": time_sigma,
        "bearing_sigma_deg": b_sigma,
        "speed_of_sound_m_s": speed,
        "range_max_km": range_km,
        **jsonl.extra_attributes(record, KNOWN),
    }
    signature = jsonl.signature_of(record)
    if signature is not None:
        attributes["signature"] = signature
    start = arrival - timedelta(seconds=range_km * 1000.0 / speed)
    return jsonl.tagged_observation(
        record, payload, NAME, KIND, source=sensor_id,
        window=(start, arrival + timedelta(seconds=duration)),
        location=jsonl.wedge(observer, bearing, b_sigma, range_km), graded=graded,
        attributes=attributes,
    )  # fmt: skip


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of an acoustic JSON Lines file; one :class:`RecordError` per bad line."""
    return jsonl.read_tagged(path, NAME, parse_record)

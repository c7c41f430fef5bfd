"""Fixed-camera sightings as JSON Lines (format ``camera``).

One sighting per line, recognised by ``"format": "camera"`` on the first record::

    {"format": "camera", "detection_id": "CAM-03-000017", "camera_id": "cam-03",
     "camera_lon": 37.61, "camera_lat": 48.02, "camera_sigma_km": 0.01,
     "time_start_utc": "2025-03-13T21:04:10Z", "time_end_utc": "2025-03-13T21:09:40Z",
     "bearing_deg": 97.25, "bearing_sigma_deg": 1.5, "range_max_km": 5,
     "kind": "explosion", "count": 4, "reliability": "B", "credibility": 2,
     "synthetic": true}

Required: ``format``, ``camera_id``, ``camera_lon``, ``camera_lat``, ``time_start_utc``,
``bearing_deg`` (degrees from true north). Optional: ``time_end_utc`` (default the start),
``camera_sigma_km`` 0.01, ``bearing_sigma_deg`` 1.5, ``range_max_km`` 5 (how far the
camera can see a flash or smoke), ``kind`` (explosion by default; ``flash`` for a muzzle
flash, read as undetermined), ``signature`` (``launch`` or ``impact``: what the camera saw,
used by fusion to keep launches and impacts apart and to attribute fire; ``flash`` implies
``launch``), ``count``, ``reliability`` B, ``credibility`` 2; other keys are kept in
``attributes``.

One observation per line: source kind ``camera``; the location is the camera with the
bearing as a wedge of half-width ``sqrt(3) * bearing_sigma_deg`` from 0 to
``range_max_km`` (a camera gives no distance); ``bearing_sigma_deg`` and ``range_max_km``
are kept in ``attributes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from trucewatch.errors import RecordError
from trucewatch.ids import observation_uid, sha256_hex
from trucewatch.sources.acoustic import (
    FieldError,
    count_of,
    extra_attributes,
    grading,
    instant,
    kind_of,
    number,
    position,
    read_records,
    signature_of,
    sniff_tagged,
    text,
    wedge,
)
from trucewatch.types import EventKind, Observation, SourceKind

NAME = "camera"

DEFAULT_CAMERA_SIGMA_KM = 0.01
DEFAULT_BEARING_SIGMA_DEG = 1.5
DEFAULT_RANGE_KM = 5.0
DEFAULT_RELIABILITY = "B"
DEFAULT_CREDIBILITY = 2

KNOWN = {"format", "camera_id", "camera_lon", "camera_lat", "camera_sigma_km",
         "time_start_utc", "time_end_utc", "bearing_deg", "bearing_sigma_deg", "range_max_km",
         "kind", "count", "reliability", "credibility", "signature"}  # fmt: skip


def sniff(path: Path, head: str) -> bool:
    """The first record is a JSON object with ``"format": "camera"``."""
    return sniff_tagged(path, head, NAME)


def parse_record(record: dict[str, Any], payload: str) -> Observation:
    """The observation of one camera sighting (raises ``FieldError``)."""
    camera_id = text(record, "camera_id", required=True)
    observer = position(record, "camera_lon", "camera_lat", "camera_sigma_km",
                        DEFAULT_CAMERA_SIGMA_KM)  # fmt: skip
    start = instant(record, "time_start_utc")
    end = instant(record, "time_end_utc", required=False) or start
    assert start is not None and end is not None and camera_id is not None
    if end < start:
        raise FieldError("time_end_utc", "is before time_start_utc")
    bearing = number(record, "bearing_deg", required=True)
    sigma = number(record, "bearing_sigma_deg", DEFAULT_BEARING_SIGMA_DEG, minimum=0.0)
    range_km = number(record, "range_max_km", DEFAULT_RANGE_KM, minimum=0.0)
    assert sigma is not None and range_km is not None
    reliability, credibility = grading(record, DEFAULT_RELIABILITY, DEFAULT_CREDIBILITY)
    attributes = {"bearing_sigma_deg": sigma, "range_max_km": range_km,
                  **extra_attributes(record, KNOWN)}
    signature = signature_of(record)
    if signature is None and str(record.get("kind", "")).strip().lower() == "flash":
        signature = "launch"
    if signature is not None:
        attributes["signature"] = signature
    return Observation(
        uid=observation_uid(NAME, payload, 0),
        source_kind=SourceKind.CAMERA,
        source_format=NAME,
        source_id=camera_id,
        time_start=start,
        time_end=end,
        location=wedge(observer, bearing, sigma, range_km),
        kind=kind_of(record, EventKind.EXPLOSION),
        count=count_of(record),
        reliability=reliability,
        credibility=credibility,
        payload=payload,
        payload_sha256=sha256_hex(payload),
        attributes=attributes,
    )


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of a camera JSON Lines file; one :class:`RecordError` per bad line."""
    return read_records(path, NAME, parse_record)

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

from trucewatch import limits
from trucewatch.errors import RecordError
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.sources import jsonl
from trucewatch.types import Observation, SourceKind

NAME = "camera"
KIND = SOURCE_KINDS[SourceKind.CAMERA]

DEFAULT_CAMERA_SIGMA_KM = 0.01
DEFAULT_BEARING_SIGMA_DEG = 1.5

KNOWN = {"format", "camera_id", "camera_lon", "camera_lat", "camera_sigma_km",
         "time_start_utc", "time_end_utc", "bearing_deg", "bearing_sigma_deg", "range_max_km",
         "kind", "count", "reliability", "credibility", "signature"}  # fmt: skip


def sniff(path: Path, head: str) -> bool:
    """The first record is a JSON object with ``"format": "camera"``."""
    return jsonl.sniff_tagged(path, head, NAME)


def parse_record(record: dict[str, Any], payload: str) -> Observation:
    """The observation of one camera sighting (raises
    :class:`~trucewatch.sources.jsonl.FieldError`)."""
    camera_id, observer = jsonl.sensor(record, "camera", DEFAULT_CAMERA_SIGMA_KM)
    start, end = jsonl.window(record)
    bearing = jsonl.number(record, "bearing_deg", required=True)
    sigma = jsonl.number(record, "bearing_sigma_deg", DEFAULT_BEARING_SIGMA_DEG, minimum=0.0,
                         maximum=180.0)
    range_km = jsonl.number(record, "range_max_km", KIND.detection_range_km, minimum=0.0,
                            maximum=limits.MAX_DISTANCE_KM)
    assert sigma is not None and range_km is not None
    graded = jsonl.grading(record, KIND.grading)
    attributes = {"bearing_sigma_deg": sigma, "range_max_km": range_km,
                  **jsonl.extra_attributes(record, KNOWN)}
    signature = jsonl.signature_of(record)
    if signature is None and str(record.get("kind", "")).strip().lower() == "flash":
        signature = "launch"
    if signature is not None:
        attributes["signature"] = signature
    return jsonl.tagged_observation(
        record, payload, NAME, KIND, source=camera_id, window=(start, end),
        location=jsonl.wedge(observer, bearing, sigma, range_km), graded=graded,
        attributes=attributes,
    )  # fmt: skip


def read(path: Path) -> Iterator[Observation | RecordError]:
    """Observations of a camera JSON Lines file; one :class:`RecordError` per bad line."""
    return jsonl.read_tagged(path, NAME, parse_record)

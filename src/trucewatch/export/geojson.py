"""GeoJSON (RFC 7946): incidents as a FeatureCollection of points in WGS84 lon/lat, with
their properties from the incident record (:func:`trucewatch.codec.incident_record`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from trucewatch.export.format import ExportFormat, Record

PROPERTIES: tuple[str, ...] = (
    "uid", "time_start", "time_end", "cov_km2", "ellipse", "kind", "count", "confidence",
    "status", "attribution", "sources", "observations", "sector", "held_by",
    "line_distance_km", "assessment",
)  # fmt: skip
"""Properties of an exported feature, in order: the whole record but its position."""


def feature(record: Record, properties: Sequence[str] = PROPERTIES) -> dict[str, Any]:
    """A point feature of an incident record with the ``properties`` named."""
    return {
        "type": "Feature",
        "id": record["uid"],
        "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
        "properties": {k: record[k] for k in properties},
    }


def write(records: Iterable[Record], out: TextIO) -> None:
    """One FeatureCollection of ``records`` as one line of JSON."""
    collection = {"type": "FeatureCollection", "features": [feature(r) for r in records]}
    out.write(json.dumps(collection) + "\n")


FORMAT = ExportFormat(name="geojson", media_type="application/geo+json", suffix=".geojson",
                      write=write)  # fmt: skip

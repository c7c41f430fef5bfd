"""Exports of incidents, one module per format, in one registry (:data:`FORMATS`).

Every format writes incident records (:func:`trucewatch.codec.incident_record`): GeoJSON
(:mod:`trucewatch.export.geojson`, RFC 7946, WGS84) and CSV (:mod:`trucewatch.export.csv`).
Each incident carries its time window (UTC), 95% uncertainty ellipse (km, degrees from true
north), kind, count, confidence, status, attribution, sector, holder of the location,
signed distance to the line (km) and source kinds.

A new format is a module with a ``write(records, out)`` function and a ``FORMAT`` (an
:class:`~trucewatch.export.format.ExportFormat`), plus its line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trucewatch.codec import incident_record
from trucewatch.export import csv, geojson
from trucewatch.export.format import ExportFormat
from trucewatch.types import Incident

FORMATS: dict[str, ExportFormat] = {
    geojson.FORMAT.name: geojson.FORMAT,
    csv.FORMAT.name: csv.FORMAT,
}
"""The export formats by name (the ``--format`` values), in the order shown to users."""


def write_incidents(incidents: Sequence[Incident], path: Path, fmt: str) -> int:
    """Write incidents to ``path`` in ``fmt`` (one of :data:`FORMATS`); returns the count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    FORMATS[fmt].write_file((incident_record(i) for i in incidents), path)
    return len(incidents)

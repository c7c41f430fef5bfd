"""Exports of incidents, one module per format, in one registry (:data:`FORMATS`).

Every format writes incident records (:func:`trucewatch.codec.incident_record`): GeoJSON
(:mod:`trucewatch.export.geojson`, RFC 7946, WGS84, the whole record nested) and the flat,
ACLED-style columns of :mod:`trucewatch.export.flat` (nearest settlement, oblast, verdict
and clause ...) as CSV (:mod:`~trucewatch.export.csv`), GeoPackage
(:mod:`~trucewatch.export.gpkg`), KML (:mod:`~trucewatch.export.kml`) and GeoParquet
(:mod:`~trucewatch.export.parquet`), the last three written through pyogrio/GeoPandas.

A new format is a module with a ``write(records, out)`` (text) or ``write_path(records,
path)`` (file) function and a ``FORMAT`` (an :class:`~trucewatch.export.format.
ExportFormat`), plus its line in :data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from trucewatch.codec import incident_record
from trucewatch.export import csv, geojson, gpkg, kml, parquet
from trucewatch.export.format import ExportFormat
from trucewatch.types import Incident

FORMATS: dict[str, ExportFormat] = {
    geojson.FORMAT.name: geojson.FORMAT,
    csv.FORMAT.name: csv.FORMAT,
    gpkg.FORMAT.name: gpkg.FORMAT,
    kml.FORMAT.name: kml.FORMAT,
    parquet.FORMAT.name: parquet.FORMAT,
}
"""The export formats by name (the ``--format`` values), in the order shown to users."""

PROGRESS_EVERY = 1000
"""Incidents encoded between two progress reports."""


def write_incidents(incidents: Sequence[Incident], path: Path, fmt: str, *,
                    progress: Any = None) -> int:  # fmt: skip
    """Write incidents to ``path`` in ``fmt`` (one of :data:`FORMATS`); returns the count.
    ``progress(description, done, total)``, if given, is told every
    :data:`PROGRESS_EVERY` incidents encoded."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    FORMATS[fmt].write_file(_records(incidents, path, progress), path)
    return len(incidents)


def _records(incidents: Sequence[Incident], path: Path, progress: Any) -> Iterator[Any]:
    total = len(incidents)
    for k, inc in enumerate(incidents):
        if progress is not None and k % PROGRESS_EVERY == 0:
            progress(f"exporting to {path.name}", k, total)
        yield incident_record(inc)
    if progress is not None:
        progress(f"writing {path.name}", total, total)


__all__ = ["FORMATS", "ExportFormat", "write_incidents"]

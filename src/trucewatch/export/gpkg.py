"""GeoPackage (OGC): one point layer ``incidents`` with the flat columns
(:mod:`trucewatch.export.flat`), written by GDAL through pyogrio; QGIS styles it by any
column (verdict, responsible party, settlement ...)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trucewatch.export.format import ExportFormat, Record
from trucewatch.export.frame import incidents_frame

LAYER = "incidents"


def write_path(records: Sequence[Record], path: Path) -> None:
    """Write ``records`` as the layer :data:`LAYER` of a new GeoPackage at ``path``."""
    incidents_frame(records).to_file(path, driver="GPKG", layer=LAYER, engine="pyogrio")


FORMAT = ExportFormat(name="gpkg", media_type="application/geopackage+sqlite3",
                      suffix=".gpkg", write_path=write_path)  # fmt: skip

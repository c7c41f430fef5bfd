"""GeoParquet 1.x (Apache Parquet with the ``geo`` metadata, point geometry as WKB): the
flat columns (:mod:`trucewatch.export.flat`) with typed times and numbers, written by
GeoPandas and pyarrow; reads back with ``geopandas.read_parquet``, DuckDB or GDAL ≥ 3.8."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trucewatch.export.format import ExportFormat, Record
from trucewatch.export.frame import incidents_frame


def write_path(records: Sequence[Record], path: Path) -> None:
    """Write ``records`` as a GeoParquet file at ``path``."""
    incidents_frame(records).to_parquet(path, index=False)


FORMAT = ExportFormat(name="parquet", media_type="application/vnd.apache.parquet",
                      suffix=".parquet", write_path=write_path)  # fmt: skip

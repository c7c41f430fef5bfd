"""Incidents as a GeoDataFrame: the flat columns of :mod:`trucewatch.export.flat` and a
point geometry (WGS84, EPSG:4326); times as UTC timestamps. The file formats
(GeoPackage, KML, GeoParquet) and the notebook API (:mod:`trucewatch.notebook`) use it.
GeoPandas is imported here only, when a frame is asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trucewatch.export import flat
from trucewatch.export.format import Record

CRS = "EPSG:4326"
"""Coordinates: WGS84 longitude, latitude (degrees)."""


def incidents_frame(records: Iterable[Record]) -> Any:
    """A GeoDataFrame with one row per incident record (:data:`flat.COLUMNS` and
    ``geometry``); empty, with the same columns, when there are no records."""
    import geopandas as gpd
    import pandas as pd

    table = pd.DataFrame(flat.rows(records), columns=list(flat.COLUMNS))
    for col in ("time_start", "time_end"):
        table[col] = pd.to_datetime(table[col], utc=True, format="ISO8601")
    for col in ("geo_precision", "count", "observations"):
        table[col] = table[col].astype("Int64")
    for col in ("responsible_probability", "precision_km", "confidence", "line_distance_km",
                "settlement_km", "latitude", "longitude"):  # fmt: skip
        table[col] = pd.to_numeric(table[col]).astype("float64")
    for col in ("raion",):
        table[col] = table[col].astype("string")
    geometry = gpd.points_from_xy(table["longitude"], table["latitude"], crs=CRS)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=CRS)

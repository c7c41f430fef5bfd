"""Static figures of the daily report: the map and the trend charts, as PNG bytes.

This module is the public face of the figures; the code lives in

- :mod:`trucewatch.report.map_figure`: the map (:func:`render_map`), with its sector
  layer in :mod:`trucewatch.report.map_sectors`;
- :mod:`trucewatch.report.charts`: the trend charts (:func:`render_history`,
  :func:`render_sector_history`);
- :mod:`trucewatch.report.map_geometry`: geometry helpers of the map (ellipses, WKT parts);
- :mod:`trucewatch.report.plotting`: the Agg canvas, PNG output and the colours.

All use matplotlib's object API with the Agg canvas directly (no pyplot, no global backend
switch), so they are safe to call from a server thread and never open a window.
"""

from __future__ import annotations

from trucewatch.report.charts import render_history, render_sector_history
from trucewatch.report.map_figure import MapPoints, render_map
from trucewatch.report.map_geometry import (
    CHI2_95_SCALE,
    KM_PER_DEG,
    ellipse_vertices,
    semi_major_km,
)
from trucewatch.report.map_sectors import MapSector
from trucewatch.report.plotting import (
    CONTROL_COLOR,
    DAY_COLOR,
    DPI,
    HISTORY_COLOR,
    LINE_COLOR,
    OTHER_STATUS_COLOR,
    STATUS_COLORS,
    STATUS_DRAW_ORDER,
    new_figure,
    to_png,
)

__all__ = [
    "CHI2_95_SCALE",
    "CONTROL_COLOR",
    "DAY_COLOR",
    "DPI",
    "HISTORY_COLOR",
    "KM_PER_DEG",
    "LINE_COLOR",
    "OTHER_STATUS_COLOR",
    "STATUS_COLORS",
    "STATUS_DRAW_ORDER",
    "MapPoints",
    "MapSector",
    "ellipse_vertices",
    "new_figure",
    "render_history",
    "render_map",
    "render_sector_history",
    "semi_major_km",
    "to_png",
]

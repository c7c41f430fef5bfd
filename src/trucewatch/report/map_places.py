"""Places on the report's map, offline: the country's border, the sea coast, and the names
of the largest settlements (GeoNames) and of the oblasts in view, none overlapping another
(:mod:`trucewatch.geo.places`). Coordinates are WGS84 lon/lat degrees; the view is the
map axes' window."""

from __future__ import annotations

import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.places import load_coast, oblast_labels, settlements
from trucewatch.report.map_geometry import lines_of
from trucewatch.report.plotting import HALO

BORDER_COLOR = "#7f7f7f"
COAST_COLOR = "#4f7fae"
PLACE_COLOR = "#404040"
OBLAST_COLOR = "#8c7b62"
MAX_PLACES = 24
"""Settlement names on one map at most (largest first)."""


def draw_places(ax: Axes, window: tuple[float, float, float, float], locale: str = "en") -> None:
    """Border, coast and place names in ``window`` (x0, y0, x1, y1) of ``ax``, under the
    control area (``zorder`` 0.6), the names above it and under the line (2.5). Oblast
    names are in ``locale`` (en, uk, ru); settlement names as GeoNames writes them."""
    x0, y0, x1, y1 = window
    tol = (x1 - x0) / 1500.0  # about a pixel
    outline = load_country_outline()
    rings = [p.exterior for p in outline.geoms if p.area > 1e-3]  # no lakes, no islets
    border = shapely.clip_by_rect(shapely.MultiLineString(rings), x0, y0, x1, y1)
    coast = shapely.clip_by_rect(load_coast(), x0, y0, x1, y1)
    ax.add_collection(LineCollection(lines_of(shapely.simplify(border, tol)), colors=BORDER_COLOR,
                                     linewidths=0.6, zorder=0.6))  # fmt: skip
    ax.add_collection(LineCollection(lines_of(coast), colors=COAST_COLOR, linewidths=0.9,
                                     zorder=0.6))  # fmt: skip
    _label_places(ax, window, locale)


def _label_places(ax: Axes, window: tuple[float, float, float, float], locale: str) -> None:
    x0, y0, x1, y1 = window
    # the size of 7 pt text in degrees of this axes (a character is about 0.6 em wide)
    em_px = 7.0 / 72.0 * ax.figure.dpi
    char_w = 0.6 * em_px * (x1 - x0) / ax.bbox.width
    text_h = 1.5 * em_px * (y1 - y0) / ax.bbox.height
    taken: list[tuple[float, float, float, float]] = []

    def free(box: tuple[float, float, float, float]) -> bool:
        return all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1]
                   for b in taken)  # fmt: skip

    inside = [p for p in settlements(5000)
              if x0 <= float(p["lon"]) <= x1 and y0 <= float(p["lat"]) <= y1]  # type: ignore[arg-type]
    placed = 0
    for p in inside:
        lon, lat, name = float(p["lon"]), float(p["lat"]), str(p["name"])  # type: ignore[arg-type]
        box = (lon, lat - text_h / 2, lon + char_w * (len(name) + 2), lat + text_h / 2)
        if placed >= MAX_PLACES or not free(box):
            continue
        taken.append(box)
        placed += 1
        ax.plot([lon], [lat], marker="o", ms=2.2, color=PLACE_COLOR, zorder=2.5)
        ax.annotate(name, (lon, lat), xytext=(3, 0), textcoords="offset points", fontsize=7,
                    color=PLACE_COLOR, va="center", zorder=2.5, path_effects=HALO)  # fmt: skip
    for o in oblast_labels():
        name = o.names.get(locale) or o.names["en"]
        w = char_w * len(name) * 1.1
        box = (o.lon - w / 2, o.lat - text_h / 2, o.lon + w / 2, o.lat + text_h / 2)
        if x0 <= o.lon <= x1 and y0 <= o.lat <= y1 and free(box):
            taken.append(box)
            ax.text(o.lon, o.lat, name.upper(), fontsize=6.5, color=OBLAST_COLOR,
                    ha="center", va="center", zorder=2.4, path_effects=HALO)  # fmt: skip


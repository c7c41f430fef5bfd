"""The sectors on the map: ticks across the line at sector ends and the sector names.

Names are placed beside the line, busiest sectors first, skipping any that would overlap
an already placed name or leave the axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

from trucewatch.report.map_geometry import lines_of, perp_segment
from trucewatch.report.plotting import HALO, LINE_COLOR

_LABEL_FONTSIZE = 7.0
"""Font size of the sector names."""


@dataclass(frozen=True, kw_only=True)
class MapSector:
    """A sector of the contact line; ``incidents`` ranks whose name is shown first."""

    name: str
    geometry: BaseGeometry
    incidents: int


class _SectorLabel(NamedTuple):
    """A candidate sector name: at ``anchor`` (lon/lat), beside a line along ``tangent``."""

    neg_incidents: int
    order: int
    name: str
    anchor: np.ndarray
    tangent: np.ndarray


def sector_handle(label: str = "Sector boundary") -> Line2D:
    """Legend entry of the sector ticks (``label``: its text in the report's language)."""
    return Line2D(
        [],
        [],
        color=LINE_COLOR,
        lw=0,
        marker="|",
        markersize=8,
        markeredgewidth=1.2,
        label=label,
    )


def draw_sectors(
    ax: Axes, sectors: Sequence[MapSector], coslat0: float, dx: float, max_labels: int
) -> None:
    """Ticks at sector ends and a non-overlapping subset of labels."""
    ticks = _sector_ticks(sectors, coslat0, dx)
    if ticks:
        ax.add_collection(LineCollection(ticks, colors=LINE_COLOR, linewidths=1.1, zorder=3))
    labels = [_sector_label(order, sec) for order, sec in enumerate(sectors)]
    _place_sector_labels(ax, [c for c in labels if c is not None], max_labels)


def _sector_ticks(sectors: Sequence[MapSector], coslat0: float, dx: float) -> list[np.ndarray]:
    """A short segment across the line at each distinct end of a sector."""
    tick_half = 0.008 * dx * coslat0  # in isotropic units (lon*coslat0, lat)
    ticks: list[np.ndarray] = []
    seen: set[tuple[float, float]] = set()
    for sec in sectors:
        parts = lines_of(sec.geometry)
        if not parts:
            continue
        first, last = parts[0], parts[-1]
        for pt, nxt in ((first[0], first[1]), (last[-1], last[-2])):
            key = (round(float(pt[0]), 5), round(float(pt[1]), 5))
            if key in seen:
                continue
            seen.add(key)
            ticks.append(perp_segment(pt, nxt, coslat0, tick_half))
    return ticks


def _sector_label(order: int, sec: MapSector) -> _SectorLabel | None:
    """The label candidate of a sector: its midpoint and the tangent of the line there."""
    geom = sec.geometry
    if not lines_of(geom):
        return None
    mid = shapely.line_interpolate_point(geom, 0.5, normalized=True)
    if mid is None or mid.is_empty:
        return None
    m = np.asarray(mid.coords[0])
    # tangent near the midpoint
    d = max(float(geom.length) * 0.02, 1e-6)
    pos = float(shapely.line_locate_point(geom, mid))
    a = shapely.line_interpolate_point(geom, max(pos - d, 0.0))
    b = shapely.line_interpolate_point(geom, pos + d)
    return _SectorLabel(
        -sec.incidents, order, sec.name, m, np.asarray(b.coords[0]) - np.asarray(a.coords[0])
    )


def _place_sector_labels(ax: Axes, cands: Sequence[_SectorLabel], max_labels: int) -> None:
    """Labels of the busiest sectors first, then along the line; skip overlapping ones."""
    ax.apply_aspect()
    trans = ax.transData
    dpi = ax.figure.dpi
    placed: list[tuple[float, float, float, float]] = []
    ax_bbox = ax.get_window_extent()
    for cand in sorted(cands, key=lambda c: (c.neg_incidents, c.order)):
        if len(placed) >= max_labels:
            break
        p = trans.transform(cand.anchor)
        t = trans.transform(cand.anchor + cand.tangent) - p
        c, box = _label_box(p, t, cand.name, dpi)
        if not _inside(box, ax_bbox) or _overlaps(box, placed):
            continue
        placed.append(box)
        xy = trans.inverted().transform(c)
        ax.text(
            xy[0],
            xy[1],
            cand.name,
            fontsize=_LABEL_FONTSIZE,
            ha="center",
            va="center",
            color="#1a1a1a",
            zorder=15,
            path_effects=HALO,
        )


def _label_box(
    p: np.ndarray, t: np.ndarray, name: str, dpi: float
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Centre and box (x0, y0, x1, y1) in pixels of a label beside the line at ``p``
    (direction ``t``), on the west side of the line (one consistent side)."""
    norm = float(np.hypot(*t))
    normal = np.array([-t[1], t[0]]) / norm if norm > 0 else np.array([0.0, 1.0])
    if normal[0] > 0:
        normal = -normal
    offset_px = 9.0 * dpi / 72.0
    w = len(name) * _LABEL_FONTSIZE * 0.58 * dpi / 72.0
    h = _LABEL_FONTSIZE * 1.35 * dpi / 72.0
    c = p + normal * (offset_px + 0.5 * abs(normal[0]) * w)
    return c, (c[0] - w / 2 - 2, c[1] - h / 2 - 1, c[0] + w / 2 + 2, c[1] + h / 2 + 1)


def _inside(box: tuple[float, float, float, float], bbox: Bbox) -> bool:
    return not (box[0] < bbox.x0 or box[2] > bbox.x1 or box[1] < bbox.y0 or box[3] > bbox.y1)


def _overlaps(
    box: tuple[float, float, float, float], placed: Sequence[tuple[float, float, float, float]]
) -> bool:
    return any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed)

"""The map of the daily report as PNG bytes.

The map is in plain longitude/latitude with the axes aspect set to ``1/cos(lat)`` at the
centre of the map, so that a kilometre east and a kilometre north have the same length on
screen near the centre. It shows, bottom to top: the country's border, the sea coast and
place names (:mod:`trucewatch.report.map_places`), the area held by one party, the contact
line, sector boundaries and names, the 95 % location ellipses, the incidents, a scale bar;
the legend goes below the axes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from shapely.geometry.base import BaseGeometry

from trucewatch.report.map_geometry import (
    ellipse_vertices,
    lines_of,
    nice_length,
    parse_wkt,
    polygon_path,
    polygons_of,
    semi_major_km,
)
from trucewatch.report.map_places import draw_places
from trucewatch.report.map_sectors import MapSector, draw_sectors, sector_handle
from trucewatch.report.plotting import (
    CONTROL_COLOR,
    DPI,
    HALO,
    LINE_COLOR,
    OTHER_STATUS_COLOR,
    STATUS_COLORS,
    STATUS_DRAW_ORDER,
    new_figure,
    to_png,
)
from trucewatch.report.words import ENGLISH, Words
from trucewatch.units import KM_PER_DEG

# figure layout, in inches
_FIG_W = 10.0
_LEFT_IN, _RIGHT_IN, _TOP_IN, _BOTTOM_IN, _LEGEND_IN = 0.8, 0.25, 0.45, 0.5, 0.75
_AX_W = _FIG_W - _LEFT_IN - _RIGHT_IN
_MIN_RATIO, _MAX_RATIO = 0.45, 1.1
"""Bounds of the axes height over its width."""


@dataclass(frozen=True, kw_only=True)
class MapPoints:
    """Incidents as columns for the map (one entry per incident)."""

    lon: np.ndarray  # (n,)
    lat: np.ndarray  # (n,)
    status: Sequence[str]  # (n,)
    count: np.ndarray  # (n,) >= 1
    cov_km2: np.ndarray  # (n, 2, 2), east/north km²
    confidence: np.ndarray | None = None  # (n,) in [0, 1]; ranks which ellipses to draw


@dataclass(frozen=True, kw_only=True)
class _View:
    """The lon/lat window shown by the map axes and the axes height in inches."""

    x0: float
    y0: float
    x1: float
    y1: float
    dx: float
    dy: float
    coslat0: float
    aspect: float
    ax_h: float

    @property
    def fig_h(self) -> float:
        return self.ax_h + _TOP_IN + _BOTTOM_IN + _LEGEND_IN

    @property
    def width_km(self) -> float:
        return self.dx * KM_PER_DEG * self.coslat0


# --------------------------------------------------------------------------- the map


def render_map(
    *,
    points: MapPoints,
    sectors: Sequence[MapSector],
    line_wkt: str | None,
    control_wkt: str | None,
    controlled_by: str,
    title: str,
    max_labels: int = 30,
    max_ellipses: int = 300,
    dpi: int = DPI,
    w: Words = ENGLISH,
) -> bytes:
    """The map of the day as PNG bytes.

    Shows the area held by ``controlled_by`` (shaded), the contact line, sector boundaries
    (ticks) with the names of a non-overlapping subset of sectors (busiest first), the
    incidents coloured by status and sized by count, and the 95 % location ellipses large
    enough to be seen at the map scale (at most ``max_ellipses``, the most confident, so
    that a busy day stays legible). Labels and legend are in the words of ``w``; oblast
    names in its language, settlement names as GeoNames writes them.
    """
    line = parse_wkt(line_wkt)
    control = parse_wkt(control_wkt)
    sector_geoms = [
        s.geometry for s in sectors if s.geometry is not None and not s.geometry.is_empty
    ]
    ext = _extent(points, line, sector_geoms)
    if ext is None:
        return _render_empty_map(title, dpi, w)

    view = _view(ext)
    fig, ax = _map_axes(view, title, dpi, w)
    draw_places(ax, (view.x0, view.y0, view.x1, view.y1), w.locale)
    handles: list[object] = []
    handles += _draw_control(ax, control, view, controlled_by, dpi, w)
    line_parts = lines_of(line)
    handles += _draw_line(ax, line_parts, w)
    if sector_geoms:
        draw_sectors(ax, sectors, view.coslat0, view.dx, max_labels)
        handles.append(sector_handle(w._("Sector boundary")))
    ok = np.isfinite(points.lon) & np.isfinite(points.lat)
    if ok.any():
        px_per_km = _AX_W * dpi / view.width_km
        handles += _draw_ellipses(ax, points, ok, px_per_km, max_ellipses, w)
        handles += _draw_incidents(ax, points, ok, w)
    obstacles = [np.column_stack([points.lon[ok], points.lat[ok]]), *line_parts]
    _scale_bar(ax, view, np.concatenate(obstacles), w)
    _add_legend(fig, handles, view.fig_h)
    return to_png(fig, dpi)


def _extent(
    points: MapPoints, line: BaseGeometry | None, sector_geoms: Sequence[BaseGeometry]
) -> tuple[float, float, float, float] | None:
    """Bounds (x0, y0, x1, y1) of the finite points, the line and the sectors; None if none."""
    xs: list[float] = []
    ys: list[float] = []
    ok = np.isfinite(points.lon) & np.isfinite(points.lat)
    if ok.any():
        xs += [float(points.lon[ok].min()), float(points.lon[ok].max())]
        ys += [float(points.lat[ok].min()), float(points.lat[ok].max())]
    for g in ([line] if line is not None else []) + list(sector_geoms):
        x0, y0, x1, y1 = g.bounds
        if all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            xs += [x0, x1]
            ys += [y0, y1]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _render_empty_map(title: str, dpi: int, w: Words) -> bytes:
    """A placeholder figure when there is nothing to map."""
    fig = new_figure((_FIG_W, 4.0), dpi)
    ax = fig.add_axes((0.08, 0.12, 0.88, 0.76))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        w._("No incidents and no contact line to map."),
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=12,
        color="#555555",
    )
    ax.set_title(title, fontsize=12, loc="left")
    return to_png(fig, dpi)


def _view(ext: tuple[float, float, float, float]) -> _View:
    """The window around ``ext``: padded 5 %, at least ~20 km, and not too flat or tall."""
    x0, y0, x1, y1 = ext
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    coslat0 = max(math.cos(math.radians(cy)), 0.05)
    aspect = 1.0 / coslat0
    # pad 5 % and enforce a minimum span of ~20 km
    min_span_lat = 20.0 / KM_PER_DEG
    dx = max((x1 - x0) * 1.10, min_span_lat / coslat0)
    dy = max((y1 - y0) * 1.10, min_span_lat)
    # keep the axes height between 0.45 and 1.1 of its width: widen the other dimension
    ratio = dy * aspect / dx
    if ratio < _MIN_RATIO:
        dy = _MIN_RATIO * dx / aspect
    elif ratio > _MAX_RATIO:
        dx = dy * aspect / _MAX_RATIO
    ratio = dy * aspect / dx
    return _View(
        x0=cx - dx / 2,
        x1=cx + dx / 2,
        y0=cy - dy / 2,
        y1=cy + dy / 2,
        dx=dx,
        dy=dy,
        coslat0=coslat0,
        aspect=aspect,
        ax_h=_AX_W * ratio,
    )


def _map_axes(view: _View, title: str, dpi: int, w: Words) -> tuple[Figure, Axes]:
    """The figure and its map axes, sized to ``view``, with room for the legend below."""
    fig_h = view.fig_h
    fig = new_figure((_FIG_W, fig_h), dpi)
    ax = fig.add_axes(
        (_LEFT_IN / _FIG_W, (_BOTTOM_IN + _LEGEND_IN) / fig_h, _AX_W / _FIG_W, view.ax_h / fig_h)
    )
    ax.set_xlim(view.x0, view.x1)
    ax.set_ylim(view.y0, view.y1)
    ax.set_aspect(view.aspect, adjustable="box")
    ax.set_facecolor("white")
    ax.grid(True, color="#eeeeee", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    ax.set_xlabel(w._("Longitude (°E)"), fontsize=9)
    ax.set_ylabel(w._("Latitude (°N)"), fontsize=9)
    ax.set_title(title, fontsize=12, loc="left")
    return fig, ax


def _add_legend(fig: Figure, handles: list[object], fig_h: float) -> None:
    """The legend in the band below the map axes."""
    if not handles:
        return
    fig.legend(
        handles=handles,
        loc="upper center",
        ncol=min(5, len(handles)),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, (_LEGEND_IN + 0.02) / fig_h),
        borderaxespad=0.2,
        handletextpad=0.4,
        columnspacing=1.4,
    )


# --------------------------------------------------------------------------- area and line


def _draw_control(
    ax: Axes, control: BaseGeometry | None, view: _View, controlled_by: str, dpi: int,
    w: Words,
) -> list[object]:
    """The area held by ``controlled_by``, clipped to the view and simplified to about a
    pixel. Returns its legend handle (none when nothing is drawn)."""
    if control is None:
        return []
    if not control.is_valid:
        control = shapely.make_valid(control)
    pad = 0.02 * max(view.dx, view.dy)
    clipped = shapely.clip_by_rect(
        control, view.x0 - pad, view.y0 - pad, view.x1 + pad, view.y1 + pad
    )
    clipped = shapely.simplify(clipped, view.dx / (_AX_W * dpi), preserve_topology=True)
    path = polygon_path(polygons_of(clipped))
    if path is None:
        return []
    ax.add_patch(PathPatch(path, facecolor=CONTROL_COLOR, edgecolor="none", alpha=0.8, zorder=1))
    label = w._("Area held by {party}", party=controlled_by)
    return [Patch(facecolor=CONTROL_COLOR, alpha=0.8, label=label)]


def _draw_line(ax: Axes, line_parts: list[np.ndarray], w: Words) -> list[object]:
    """The contact line; returns its legend handle (none without a line)."""
    if not line_parts:
        return []
    ax.add_collection(LineCollection(line_parts, colors=LINE_COLOR, linewidths=1.3, zorder=3))
    return [Line2D([], [], color=LINE_COLOR, lw=1.3, label=w._("Contact line"))]


# --------------------------------------------------------------------------- incidents


def _draw_ellipses(
    ax: Axes, points: MapPoints, ok: np.ndarray, px_per_km: float, max_ellipses: int,
    w: Words,
) -> list[object]:
    """The 95 % ellipses that are visible at the map scale (at most ``max_ellipses``, the
    most confident), big ones first. Returns their legend handle (none if none drawn)."""
    status = np.asarray(points.status, dtype=object)
    colors = np.array([STATUS_COLORS.get(str(s), OTHER_STATUS_COLOR) for s in status], dtype=object)
    cov = np.asarray(points.cov_km2, dtype=float).reshape(-1, 2, 2)
    finite_cov = np.isfinite(cov).all(axis=(1, 2))
    a_km = np.zeros(len(cov))
    a_km[finite_cov] = semi_major_km(cov[finite_cov])
    # visible: semi-major axis of at least 4 px (the ellipse then shows around its dot)
    show = ok & finite_cov & (a_km * px_per_km >= 4.0)
    n_visible = int(show.sum())
    if n_visible > max_ellipses:
        show = _most_confident(points.confidence, show, max_ellipses)
    if not show.any():
        return []
    idx = np.flatnonzero(show)
    # big ellipses first so small ones stay visible on top
    idx = idx[np.argsort(-a_km[idx], kind="stable")]
    verts = ellipse_vertices(points.lon[idx], points.lat[idx], cov[idx])
    ax.add_collection(
        PolyCollection(
            list(verts),
            facecolors="none",
            edgecolors=list(colors[idx]),
            linewidths=0.7,
            alpha=0.75,
            zorder=4,
        )
    )
    label = w._("95 % location ellipse")
    if n_visible > len(idx):
        label = w.ngettext("95 % location ellipse ({n} most confident)",
                           "95 % location ellipses ({n} most confident)", len(idx))
    return [Line2D([], [], color="#555555", lw=0.8, label=label)]


def _most_confident(confidence: np.ndarray | None, show: np.ndarray, limit: int) -> np.ndarray:
    """``show`` reduced to its ``limit`` most confident entries (stable on ties)."""
    conf = (
        np.nan_to_num(np.asarray(confidence, dtype=float), nan=-1.0)
        if confidence is not None
        else np.zeros(len(show))
    )
    cand = np.flatnonzero(show)
    keep = cand[np.argsort(-conf[cand], kind="stable")[:limit]]
    out = np.zeros_like(show)
    out[keep] = True
    return out


def _draw_incidents(ax: Axes, points: MapPoints, ok: np.ndarray, w: Words) -> list[object]:
    """The incidents (most certain status on top). Returns the status and size handles."""
    status = np.asarray(points.status, dtype=object)
    n_ok = int(ok.sum())
    # busy maps: smaller, more transparent dots so that density and the line show through
    shrink = 1.0 if n_ok <= 1000 else 0.7
    alpha = 0.9 if n_ok <= 500 else 0.75 if n_ok <= 2000 else 0.6
    sizes = _marker_size(points.count) * shrink
    present = [s for s in STATUS_DRAW_ORDER if (status[ok] == s).any()]
    present += sorted({str(s) for s in status[ok]} - set(STATUS_DRAW_ORDER))
    for k, st in enumerate(present):
        sel = ok & (status == st)
        refuted = st == "refuted"
        ax.scatter(
            points.lon[sel],
            points.lat[sel],
            s=sizes[sel],
            c=STATUS_COLORS.get(st, OTHER_STATUS_COLOR) if not refuted else "none",
            edgecolors="#555555" if refuted else "#303030",
            linewidths=0.8 if refuted else 0.35,
            alpha=alpha,
            zorder=5 + k,
        )
    handles: list[object] = [
        _status_handle(st, int((status[ok] == st).sum()), w) for st in reversed(present)
    ]
    cmax = int(np.nanmax(points.count[ok]))
    handles += [_size_handle(c, shrink, w) for c in _size_keys(cmax)]
    return handles


def _status_handle(status: str, n: int, w: Words) -> Line2D:
    refuted = status == "refuted"
    return Line2D(
        [],
        [],
        lw=0,
        marker="o",
        markersize=7,
        markerfacecolor="none" if refuted else STATUS_COLORS.get(status, OTHER_STATUS_COLOR),
        markeredgecolor="#555555" if refuted else "#303030",
        markeredgewidth=0.8 if refuted else 0.4,
        label=f"{w.label(status)} ({w.integer(n)})",
    )


def _size_handle(count: int, shrink: float, w: Words) -> Line2D:
    return Line2D(
        [],
        [],
        lw=0,
        marker="o",
        markerfacecolor="white",
        markeredgecolor="#303030",
        markeredgewidth=0.5,
        markersize=math.sqrt(float(_marker_size(np.array([count]))[0]) * shrink),
        label=w._("count {count}", count=w.integer(count)),
    )


def _marker_size(count: np.ndarray) -> np.ndarray:
    """Marker area (points²) from the count: grows with sqrt(count), capped."""
    c = np.clip(np.nan_to_num(np.asarray(count, dtype=float), nan=1.0), 1.0, None)
    return np.clip(14.0 + 8.0 * np.sqrt(c - 1.0), 14.0, 180.0)


def _size_keys(cmax: int) -> list[int]:
    keys = [k for k in (1, 10, 100, 1000) if k <= max(cmax, 1)]
    return keys if len(keys) > 1 else []


# --------------------------------------------------------------------------- scale bar


def _scale_bar(ax: Axes, view: _View, obstacles: np.ndarray, w: Words) -> None:
    """A scale bar in the corner of the map with the fewest points and line vertices."""
    length_km = nice_length(view.width_km / 5.0)
    length_deg = length_km / (KM_PER_DEG * view.coslat0)
    bx, by = _scale_bar_corner(view, length_deg, obstacles)
    ax.plot(
        [bx, bx + length_deg],
        [by, by],
        color="black",
        lw=2.5,
        solid_capstyle="butt",
        zorder=20,
        path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")],
    )
    ax.text(
        bx + length_deg / 2,
        by + 0.015 * view.dy,
        w._("{km} km", km=w.dec(length_km, None)),
        ha="center",
        va="bottom",
        fontsize=8,
        zorder=20,
        path_effects=HALO,
    )


def _scale_bar_corner(view: _View, length_deg: float, obstacles: np.ndarray) -> tuple[float, float]:
    """Start (x, y) of the bar in the least crowded corner (lower-left on ties)."""
    x0, y0, dx, dy = view.x0, view.y0, view.dx, view.dy
    box_w, box_h = length_deg + 0.06 * dx, 0.10 * dy
    corners = [  # (bar x, bar y, box x0, box y0): lower-left, lower-right, upper-left, upper-right
        (x0 + 0.03 * dx, y0 + 0.04 * dy, x0, y0),
        (x0 + dx - 0.03 * dx - length_deg, y0 + 0.04 * dy, x0 + dx - box_w, y0),
        (x0 + 0.03 * dx, y0 + dy - 0.08 * dy, x0, y0 + dy - box_h),
        (x0 + dx - 0.03 * dx - length_deg, y0 + dy - 0.08 * dy, x0 + dx - box_w, y0 + dy - box_h),
    ]
    xy = obstacles.reshape(-1, 2)

    def crowding(c: tuple[float, float, float, float]) -> int:
        bx0, by0 = c[2], c[3]
        inside = (
            (xy[:, 0] >= bx0) & (xy[:, 0] <= bx0 + box_w)
            & (xy[:, 1] >= by0) & (xy[:, 1] <= by0 + box_h)
        )  # fmt: skip
        return int(inside.sum())

    bx, by, _, _ = min(corners, key=crowding)
    return bx, by

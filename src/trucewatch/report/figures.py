"""Static figures of the daily report: the map and the trend charts, as PNG bytes.

Uses matplotlib's object API with the Agg canvas directly (no pyplot, no global backend
switch), so it is safe to call from a server thread and never opens a window.

The map is in plain longitude/latitude with the axes aspect set to ``1/cos(lat)`` at the
centre of the map, so that a kilometre east and a kilometre north have the same length on
screen near the centre. Uncertainty ellipses are computed in km in the local tangent plane
of each incident and converted to degrees at that incident's latitude.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

KM_PER_DEG = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator), spherical mean."""

CHI2_95_SCALE = math.sqrt(-2.0 * math.log(0.05))
"""Scale of the 95 % ellipse of a 2-D Gaussian in standard deviations (about 2.448)."""

STATUS_COLORS: dict[str, str] = {
    "confirmed": "#a50026",
    "probable": "#f46d43",
    "possible": "#fdae61",
    "unverified": "#74add1",
    "refuted": "#bdbdbd",
}
STATUS_DRAW_ORDER = ("refuted", "unverified", "possible", "probable", "confirmed")
"""Draw order on the map: most certain on top."""
OTHER_STATUS_COLOR = "#8073ac"

CONTROL_COLOR = "#d9d9d9"
LINE_COLOR = "#262626"
DAY_COLOR = "#d6604d"
HISTORY_COLOR = "#9e9e9e"

DPI = 110
_THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


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
class MapSector:
    name: str
    geometry: BaseGeometry
    incidents: int


def new_figure(size: tuple[float, float], dpi: int = DPI) -> Figure:
    """A figure attached to its own Agg canvas (no pyplot, no global state)."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render a figure with the Agg canvas and return the PNG bytes."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "trucewatch"})
    return buf.getvalue()


# --------------------------------------------------------------------------- geometry helpers


def _parse(wkt: str | None) -> BaseGeometry | None:
    if not wkt:
        return None
    try:
        geom = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException:
        return None
    if geom is None or geom.is_empty:
        return None
    return geom


def _lines(geom: BaseGeometry | None) -> list[np.ndarray]:
    """Coordinate arrays of every line part (LineString, rings of polygons ignored)."""
    if geom is None or geom.is_empty:
        return []
    out = []
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.LineString | shapely.LinearRing):
            xy = shapely.get_coordinates(part)
            if len(xy) >= 2:
                out.append(xy)
        elif isinstance(part, shapely.MultiLineString | shapely.GeometryCollection):
            out.extend(_lines(part))
    return out


def _polygons(geom: BaseGeometry | None) -> list[shapely.Polygon]:
    if geom is None or geom.is_empty:
        return []
    out: list[shapely.Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            if not part.is_empty:
                out.append(part)
        elif isinstance(part, shapely.MultiPolygon | shapely.GeometryCollection):
            out.extend(_polygons(part))
    return out


def _polygon_path(polys: Sequence[shapely.Polygon]) -> MplPath | None:
    """One compound path; exteriors counter-clockwise, holes clockwise (nonzero fill)."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        poly = orient(poly, sign=1.0)
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0] = MplPath.MOVETO
            c[-1] = MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _nice_length(km: float) -> float:
    """A round scale-bar length not larger than ``km``."""
    if km <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(km))
    for m in (5, 2, 1):
        if m * exp <= km:
            return float(m * exp)
    return float(exp)


def ellipse_vertices(
    lon: np.ndarray, lat: np.ndarray, cov_km2: np.ndarray, n_vertices: int = 48
) -> np.ndarray:
    """Vertices (n, n_vertices, 2) in lon/lat of the 95 % ellipses of ``cov_km2``."""
    vals, vecs = np.linalg.eigh(cov_km2)
    sd = np.sqrt(np.clip(vals, 0.0, None)) * CHI2_95_SCALE  # (n, 2)
    t = np.linspace(0.0, 2.0 * np.pi, n_vertices)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, m)
    pts = vecs @ (sd[:, :, None] * circle[None, :, :])  # (n, 2, m): east, north km
    coslat = np.clip(np.cos(np.radians(lat)), 1e-6, None)
    dlon = pts[:, 0, :] / (KM_PER_DEG * coslat[:, None])
    dlat = pts[:, 1, :] / KM_PER_DEG
    return np.stack([lon[:, None] + dlon, lat[:, None] + dlat], axis=-1)


def semi_major_km(cov_km2: np.ndarray) -> np.ndarray:
    """Semi-major axis (km) of the 95 % ellipse of each covariance (n, 2, 2)."""
    if len(cov_km2) == 0:
        return np.zeros(0)
    vals = np.linalg.eigvalsh(cov_km2)
    return np.sqrt(np.clip(vals[:, -1], 0.0, None)) * CHI2_95_SCALE


# --------------------------------------------------------------------------- map


def _extent(
    points: MapPoints, line: BaseGeometry | None, sector_geoms: Sequence[BaseGeometry]
) -> tuple[float, float, float, float] | None:
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
) -> bytes:
    """The map of the day as PNG bytes.

    Shows the area held by ``controlled_by`` (shaded), the contact line, sector boundaries
    (ticks) with the names of a non-overlapping subset of sectors (busiest first), the
    incidents coloured by status and sized by count, and the 95 % location ellipses large
    enough to be seen at the map scale (at most ``max_ellipses``, the most confident, so
    that a busy day stays legible).
    """
    line = _parse(line_wkt)
    control = _parse(control_wkt)
    sector_geoms = [
        s.geometry for s in sectors if s.geometry is not None and not s.geometry.is_empty
    ]
    ext = _extent(points, line, sector_geoms)

    fig_w = 10.0
    left_in, right_in, top_in, bottom_in, legend_in = 0.8, 0.25, 0.45, 0.5, 0.75
    ax_w = fig_w - left_in - right_in

    if ext is None:
        fig = new_figure((fig_w, 4.0), dpi)
        ax = fig.add_axes((0.08, 0.12, 0.88, 0.76))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "No incidents and no contact line to map.",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=12,
            color="#555555",
        )
        ax.set_title(title, fontsize=12, loc="left")
        return to_png(fig, dpi)

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
    lo, hi = 0.45, 1.1
    if ratio < lo:
        dy = lo * dx / aspect
    elif ratio > hi:
        dx = dy * aspect / hi
    ratio = dy * aspect / dx
    x0, x1, y0, y1 = cx - dx / 2, cx + dx / 2, cy - dy / 2, cy + dy / 2
    ax_h = ax_w * ratio
    fig_h = ax_h + top_in + bottom_in + legend_in
    fig = new_figure((fig_w, fig_h), dpi)
    ax = fig.add_axes(
        (left_in / fig_w, (bottom_in + legend_in) / fig_h, ax_w / fig_w, ax_h / fig_h)
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_facecolor("white")
    ax.grid(True, color="#eeeeee", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    ax.set_xlabel("Longitude (°E)", fontsize=9)
    ax.set_ylabel("Latitude (°N)", fontsize=9)
    ax.set_title(title, fontsize=12, loc="left")

    width_km = dx * KM_PER_DEG * coslat0
    px_per_km = ax_w * dpi / width_km
    handles: list[object] = []

    # control area, clipped to the view and simplified to about a pixel
    if control is not None:
        if not control.is_valid:
            control = shapely.make_valid(control)
        pad = 0.02 * max(dx, dy)
        clipped = shapely.clip_by_rect(control, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        clipped = shapely.simplify(clipped, dx / (ax_w * dpi), preserve_topology=True)
        path = _polygon_path(_polygons(clipped))
        if path is not None:
            ax.add_patch(
                PathPatch(path, facecolor=CONTROL_COLOR, edgecolor="none", alpha=0.8, zorder=1)
            )
            handles.append(
                Patch(facecolor=CONTROL_COLOR, alpha=0.8, label=f"Area held by {controlled_by}")
            )

    # contact line
    line_parts = _lines(line)
    if line_parts:
        ax.add_collection(LineCollection(line_parts, colors=LINE_COLOR, linewidths=1.3, zorder=3))
        handles.append(Line2D([], [], color=LINE_COLOR, lw=1.3, label="Contact line"))

    # sector boundaries (ticks across the line) and labels
    if sector_geoms:
        _draw_sectors(ax, sectors, coslat0, dx, max_labels)
        handles.append(
            Line2D(
                [],
                [],
                color=LINE_COLOR,
                lw=0,
                marker="|",
                markersize=8,
                markeredgewidth=1.2,
                label="Sector boundary",
            )
        )

    # ellipses, then points (most certain on top)
    ok = np.isfinite(points.lon) & np.isfinite(points.lat)
    status = np.asarray(points.status, dtype=object)
    colors = np.array([STATUS_COLORS.get(str(s), OTHER_STATUS_COLOR) for s in status], dtype=object)
    if ok.any():
        cov = np.asarray(points.cov_km2, dtype=float).reshape(-1, 2, 2)
        finite_cov = np.isfinite(cov).all(axis=(1, 2))
        a_km = np.zeros(len(cov))
        a_km[finite_cov] = semi_major_km(cov[finite_cov])
        # visible: semi-major axis of at least 4 px (the ellipse then shows around its dot)
        show = ok & finite_cov & (a_km * px_per_km >= 4.0)
        n_visible = int(show.sum())
        if n_visible > max_ellipses:
            conf = (
                np.nan_to_num(np.asarray(points.confidence, dtype=float), nan=-1.0)
                if points.confidence is not None
                else np.zeros(len(show))
            )
            cand = np.flatnonzero(show)
            keep = cand[np.argsort(-conf[cand], kind="stable")[:max_ellipses]]
            show = np.zeros_like(show)
            show[keep] = True
        if show.any():
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
            label = "95 % location ellipse"
            if n_visible > len(idx):
                label += f" ({len(idx):,} most confident)"
            handles.append(Line2D([], [], color="#555555", lw=0.8, label=label))

        n_ok = int(ok.sum())
        # busy maps: smaller, more transparent dots so that density and the line show through
        shrink = 1.0 if n_ok <= 1000 else 0.7
        alpha = 0.9 if n_ok <= 500 else 0.75 if n_ok <= 2000 else 0.6
        sizes = _marker_size(points.count) * shrink
        present = [s for s in STATUS_DRAW_ORDER if (status[ok] == s).any()]
        present += sorted({str(s) for s in status[ok]} - set(STATUS_DRAW_ORDER))
        for k, st in enumerate(present):
            sel = ok & (status == st)
            color = STATUS_COLORS.get(st, OTHER_STATUS_COLOR)
            refuted = st == "refuted"
            ax.scatter(
                points.lon[sel],
                points.lat[sel],
                s=sizes[sel],
                c=color if not refuted else "none",
                edgecolors="#555555" if refuted else "#303030",
                linewidths=0.8 if refuted else 0.35,
                alpha=alpha,
                zorder=5 + k,
            )
        for st in reversed(present):
            n = int((status[ok] == st).sum())
            color = STATUS_COLORS.get(st, OTHER_STATUS_COLOR)
            refuted = st == "refuted"
            handles.append(
                Line2D(
                    [],
                    [],
                    lw=0,
                    marker="o",
                    markersize=7,
                    markerfacecolor="none" if refuted else color,
                    markeredgecolor="#555555" if refuted else "#303030",
                    markeredgewidth=0.8 if refuted else 0.4,
                    label=f"{st} ({n:,})",
                )
            )
        # size key
        cmax = int(np.nanmax(points.count[ok])) if ok.any() else 1
        for c in _size_keys(cmax):
            handles.append(
                Line2D(
                    [],
                    [],
                    lw=0,
                    marker="o",
                    markerfacecolor="white",
                    markeredgecolor="#303030",
                    markeredgewidth=0.5,
                    markersize=math.sqrt(float(_marker_size(np.array([c]))[0]) * shrink),
                    label=f"count {c:,}",
                )
            )

    obstacles = [np.column_stack([points.lon[ok], points.lat[ok]]), *line_parts]
    _scale_bar(ax, x0, y0, dx, dy, coslat0, width_km, np.concatenate(obstacles))

    if handles:
        ncol = min(5, len(handles))
        fig.legend(
            handles=handles,
            loc="upper center",
            ncol=ncol,
            fontsize=8,
            frameon=False,
            bbox_to_anchor=(0.5, (legend_in + 0.02) / fig_h),
            borderaxespad=0.2,
            handletextpad=0.4,
            columnspacing=1.4,
        )
    return to_png(fig, dpi)


def _marker_size(count: np.ndarray) -> np.ndarray:
    """Marker area (points²) from the count: grows with sqrt(count), capped."""
    c = np.clip(np.nan_to_num(np.asarray(count, dtype=float), nan=1.0), 1.0, None)
    return np.clip(14.0 + 8.0 * np.sqrt(c - 1.0), 14.0, 180.0)


def _size_keys(cmax: int) -> list[int]:
    keys = [k for k in (1, 10, 100, 1000) if k <= max(cmax, 1)]
    return keys if len(keys) > 1 else []


def _scale_bar(
    ax: Axes,
    x0: float,
    y0: float,
    dx: float,
    dy: float,
    coslat0: float,
    width_km: float,
    obstacles: np.ndarray,
) -> None:
    """A scale bar in the corner of the map with the fewest points and line vertices."""
    length_km = _nice_length(width_km / 5.0)
    length_deg = length_km / (KM_PER_DEG * coslat0)
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
    ax.plot(
        [bx, bx + length_deg],
        [by, by],
        color="black",
        lw=2.5,
        solid_capstyle="butt",
        zorder=20,
        path_effects=[patheffects.withStroke(linewidth=4.5, foreground="white")],
    )
    label = f"{length_km:g} km"
    ax.text(
        bx + length_deg / 2,
        by + 0.015 * dy,
        label,
        ha="center",
        va="bottom",
        fontsize=8,
        zorder=20,
        path_effects=_HALO,
    )


def _draw_sectors(
    ax: Axes, sectors: Sequence[MapSector], coslat0: float, dx: float, max_labels: int
) -> None:
    """Ticks at sector ends and a non-overlapping subset of labels."""
    tick_half = 0.008 * dx * coslat0  # in isotropic units (lon*coslat0, lat)
    ticks: list[np.ndarray] = []
    seen: set[tuple[float, float]] = set()
    label_cands: list[tuple[int, int, str, np.ndarray, np.ndarray]] = []
    for order, sec in enumerate(sectors):
        parts = _lines(sec.geometry)
        if not parts:
            continue
        first, last = parts[0], parts[-1]
        for pt, nxt in ((first[0], first[1]), (last[-1], last[-2])):
            key = (round(float(pt[0]), 5), round(float(pt[1]), 5))
            if key in seen:
                continue
            seen.add(key)
            ticks.append(_perp_segment(pt, nxt, coslat0, tick_half))
        mid = shapely.line_interpolate_point(sec.geometry, 0.5, normalized=True)
        if mid is None or mid.is_empty:
            continue
        m = np.asarray(mid.coords[0])
        # tangent near the midpoint
        d = max(float(sec.geometry.length) * 0.02, 1e-6)
        pos = float(shapely.line_locate_point(sec.geometry, mid))
        a = shapely.line_interpolate_point(sec.geometry, max(pos - d, 0.0))
        b = shapely.line_interpolate_point(sec.geometry, pos + d)
        label_cands.append(
            (-sec.incidents, order, sec.name, m, np.asarray(b.coords[0]) - np.asarray(a.coords[0]))
        )
    if ticks:
        ax.add_collection(LineCollection(ticks, colors=LINE_COLOR, linewidths=1.1, zorder=3))

    # labels: busiest sectors first, then along the line; skip overlapping ones
    ax.apply_aspect()
    trans = ax.transData
    dpi = ax.figure.dpi
    fontsize = 7.0
    placed: list[tuple[float, float, float, float]] = []
    ax_bbox = ax.get_window_extent()
    offset_px = 9.0 * dpi / 72.0
    for _neg, _order, name, m, tangent in sorted(label_cands, key=lambda c: (c[0], c[1])):
        if len(placed) >= max_labels:
            break
        p = trans.transform(m)
        t = trans.transform(m + tangent) - p
        norm = float(np.hypot(*t))
        normal = np.array([-t[1], t[0]]) / norm if norm > 0 else np.array([0.0, 1.0])
        if normal[0] > 0:  # labels on the west side of the line (one consistent side)
            normal = -normal
        w = len(name) * fontsize * 0.58 * dpi / 72.0
        h = fontsize * 1.35 * dpi / 72.0
        c = p + normal * (offset_px + 0.5 * abs(normal[0]) * w)
        box = (c[0] - w / 2 - 2, c[1] - h / 2 - 1, c[0] + w / 2 + 2, c[1] + h / 2 + 1)
        if box[0] < ax_bbox.x0 or box[2] > ax_bbox.x1 or box[1] < ax_bbox.y0 or box[3] > ax_bbox.y1:
            continue
        if any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed):
            continue
        placed.append(box)
        xy = trans.inverted().transform(c)
        ax.text(
            xy[0],
            xy[1],
            name,
            fontsize=fontsize,
            ha="center",
            va="center",
            color="#1a1a1a",
            zorder=15,
            path_effects=_HALO,
        )


def _perp_segment(pt: np.ndarray, nxt: np.ndarray, coslat0: float, half: float) -> np.ndarray:
    """A short segment through ``pt`` perpendicular to the direction ``pt -> nxt``."""
    v = np.array([(nxt[0] - pt[0]) * coslat0, nxt[1] - pt[1]])
    n = float(np.hypot(*v))
    u = np.array([0.0, 1.0]) if n == 0 else np.array([-v[1], v[0]]) / n
    off = np.array([u[0] * half / coslat0, u[1] * half])
    return np.array([pt - off, pt + off])


# --------------------------------------------------------------------------- charts


def render_history(history: Sequence[tuple[date, int]], day: date, *, dpi: int = DPI) -> bytes:
    """Bar chart of incidents per UTC day with the reported day highlighted, and the mean
    of the days before it as a dashed line."""
    fig = new_figure((10.0, 3.0), dpi)
    ax = fig.add_axes((0.07, 0.17, 0.91, 0.72))
    days = [d for d, _ in history]
    counts = np.array([c for _, c in history], dtype=float)
    x = np.arange(len(days))
    colors = [DAY_COLOR if d == day else HISTORY_COLOR for d in days]
    ax.bar(x, counts, color=colors, width=0.75, zorder=2)
    prev = counts[[d < day for d in days]] if len(days) else np.zeros(0)
    if len(prev) >= 2:
        ax.axhline(
            float(prev.mean()),
            color="#404040",
            lw=0.9,
            ls="--",
            zorder=3,
            label=f"mean of the {len(prev)} previous days ({prev.mean():.1f})",
        )
        ax.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=8,
            frameon=False,
            borderaxespad=0.1,
        )
    if len(days) <= 31:
        top = float(counts.max()) if len(counts) else 0.0
        for xi, c, d in zip(x, counts, days, strict=True):
            ax.text(
                float(xi),
                c + 0.01 * max(top, 1.0),
                f"{int(c):,}",
                ha="center",
                va="bottom",
                fontsize=7,
                color=DAY_COLOR if d == day else "#505050",
                fontweight="bold" if d == day else "normal",
            )
    step = max(1, math.ceil(len(days) / 16))
    ax.set_xticks(x[::step])
    ax.set_xticklabels([f"{d.day} {d:%b}" for d in days[::step]], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ymax = float(counts.max()) if len(counts) else 0.0
    ax.set_ylim(0, max(1.0, ymax * 1.15))
    if len(days):
        ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylabel("incidents", fontsize=9)
    ax.set_title("Incidents per day (UTC); the reported day in colour", fontsize=10, loc="left")
    ax.grid(axis="y", color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_png(fig, dpi)


def render_sector_history(
    history_by_sector: Mapping[str, Sequence[tuple[date, int]]],
    day: date,
    *,
    top: int = 6,
    dpi: int = DPI,
) -> bytes | None:
    """Lines of incidents per day for the ``top`` sectors with most incidents over the
    period. ``None`` when there is nothing to draw."""
    totals = {name: sum(c for _, c in series) for name, series in history_by_sector.items()}
    names = [n for n, t in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if t > 0][:top]
    if not names:
        return None
    all_days = sorted({d for n in names for d, _ in history_by_sector[n]} | {day})
    pos = {d: i for i, d in enumerate(all_days)}
    fig = new_figure((10.0, 3.0), dpi)
    ax = fig.add_axes((0.07, 0.17, 0.70, 0.72))
    palette = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
    for k, name in enumerate(names):
        series = sorted(history_by_sector[name])
        ax.plot(
            [pos[d] for d, _ in series],
            [c for _, c in series],
            marker="o",
            markersize=3,
            lw=1.3,
            color=palette[k % len(palette)],
            label=f"{name} ({totals[name]:,})",
        )
    ax.axvline(pos[day], color=DAY_COLOR, lw=1.0, ls=":", zorder=0)
    step = max(1, math.ceil(len(all_days) / 16))
    ax.set_xticks(range(0, len(all_days), step))
    ax.set_xticklabels([f"{d.day} {d:%b}" for d in all_days[::step]], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("incidents", fontsize=9)
    ax.set_title(
        f"Incidents per day in the {len(names)} busiest sectors (dotted: reported day)",
        fontsize=10,
        loc="left",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.grid(axis="y", color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return to_png(fig, dpi)

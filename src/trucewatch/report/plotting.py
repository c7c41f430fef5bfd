"""Shared plotting setup of the report figures: the Agg canvas, PNG output and the colours.

Uses matplotlib's object API with the Agg canvas directly (no pyplot, no global backend
switch), so it is safe to call from a server thread and never opens a window.
"""

from __future__ import annotations

import io

from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
"""White outline that keeps text legible over the map."""


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

"""Trend charts of the daily report (incidents per day, overall and per sector) as PNG bytes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from trucewatch.report.plotting import (
    DAY_COLOR,
    DPI,
    HISTORY_COLOR,
    new_figure,
    to_png,
)
from trucewatch.report.words import ENGLISH, Words

SECTOR_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
"""Line colours of the sector chart, in order of the sectors' totals."""


def render_history(history: Sequence[tuple[date, int]], day: date, *, dpi: int = DPI,
                   w: Words = ENGLISH) -> bytes:  # fmt: skip
    """Bar chart of incidents per UTC day with the reported day highlighted, and the mean
    of the days before it as a dashed line (labels in the words of ``w``)."""
    fig = new_figure((10.0, 3.0), dpi)
    ax = fig.add_axes((0.07, 0.17, 0.91, 0.72))
    days = [d for d, _ in history]
    counts = np.array([c for _, c in history], dtype=float)
    x = np.arange(len(days))
    colors = [DAY_COLOR if d == day else HISTORY_COLOR for d in days]
    ax.bar(x, counts, color=colors, width=0.75, zorder=2)
    _previous_mean(ax, counts[[d < day for d in days]] if len(days) else np.zeros(0), w)
    if len(days) <= 31:
        _bar_values(ax, x, counts, days, day, w)
    _day_ticks(ax, days, w)
    _count_axis(ax, w)
    ymax = float(counts.max()) if len(counts) else 0.0
    ax.set_ylim(0, max(1.0, ymax * 1.15))
    if len(days):
        ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylabel(w._("incidents"), fontsize=9)
    ax.set_title(w._("Incidents per day (UTC); the reported day in colour"), fontsize=10,
                 loc="left")
    _finish(ax)
    return to_png(fig, dpi)


def render_sector_history(
    history_by_sector: Mapping[str, Sequence[tuple[date, int]]],
    day: date,
    *,
    top: int = 6,
    dpi: int = DPI,
    w: Words = ENGLISH,
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
    for k, name in enumerate(names):
        series = sorted(history_by_sector[name])
        ax.plot(
            [pos[d] for d, _ in series],
            [c for _, c in series],
            marker="o",
            markersize=3,
            lw=1.3,
            color=SECTOR_PALETTE[k % len(SECTOR_PALETTE)],
            label=f"{name} ({w.integer(totals[name])})",
        )
    ax.axvline(pos[day], color=DAY_COLOR, lw=1.0, ls=":", zorder=0)
    _day_ticks(ax, all_days, w)
    _count_axis(ax, w)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(w._("incidents"), fontsize=9)
    ax.set_title(
        w.ngettext("Incidents per day in the busiest sector (dotted: reported day)",
                   "Incidents per day in the {n} busiest sectors (dotted: reported day)",
                   len(names)),
        fontsize=10,
        loc="left",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    _finish(ax)
    return to_png(fig, dpi)


def _previous_mean(ax: Axes, prev: np.ndarray, w: Words) -> None:
    """The mean of the days before the reported one as a dashed line (2 days or more)."""
    if len(prev) < 2:
        return
    ax.axhline(
        float(prev.mean()),
        color="#404040",
        lw=0.9,
        ls="--",
        zorder=3,
        label=w.ngettext("mean of the {n} previous day ({mean})",
                         "mean of the {n} previous days ({mean})", len(prev),
                         mean=w.dec(float(prev.mean()), 1)),
    )
    ax.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
        borderaxespad=0.1,
    )


def _bar_values(
    ax: Axes, x: np.ndarray, counts: np.ndarray, days: Sequence[date], day: date, w: Words
) -> None:
    """The count above each bar, the reported day in bold colour."""
    top = float(counts.max()) if len(counts) else 0.0
    for xi, c, d in zip(x, counts, days, strict=True):
        ax.text(
            float(xi),
            c + 0.01 * max(top, 1.0),
            w.integer(c),
            ha="center",
            va="bottom",
            fontsize=7,
            color=DAY_COLOR if d == day else "#505050",
            fontweight="bold" if d == day else "normal",
        )


def _day_ticks(ax: Axes, days: Sequence[date], w: Words) -> None:
    """Day labels (``12 Aug``, ``12 серп.``) on the x axis at positions 0, 1, ...; at most
    about 16."""
    step = max(1, math.ceil(len(days) / 16))
    ax.set_xticks(np.arange(len(days))[::step])
    ax.set_xticklabels([w.short_day(d) for d in days[::step]], fontsize=8)


def _count_axis(ax: Axes, w: Words) -> None:
    """Integer incident counts on the y axis, with the locale's thousands separators."""
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: w.integer(round(v))))


def _finish(ax: Axes) -> None:
    """Light horizontal grid; no top or right spine."""
    ax.grid(axis="y", color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

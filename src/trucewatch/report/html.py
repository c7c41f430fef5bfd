"""The HTML page of the daily report, rendered from the report document.

The page is self-contained: the map and charts are embedded as base64 PNG (no external
URL, works offline). Every number shown comes from the document built by
:func:`trucewatch.report.daily.build_report`, so page and ``report.json`` always agree.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, select_autoescape

from trucewatch.report.charts import render_history, render_sector_history
from trucewatch.report.headline import attribution_text, headline_input
from trucewatch.report.inputs import DailyReportInput
from trucewatch.report.map_figure import MapPoints, render_map
from trucewatch.report.map_sectors import MapSector
from trucewatch.report.plotting import STATUS_COLORS
from trucewatch.report.text import (
    STATUS_SUMMARY_ORDER,
    agreement_coverage,
    fmt_day,
    humanize,
    summary_sentences,
)
from trucewatch.report.values import CLAIM_LABELS, enum_text
from trucewatch.units import parse_utc, utc_clock

TOP_INCIDENTS = 50
"""Rows in the HTML table of top incidents."""

_TEMPLATES = Path(__file__).parent / "templates"


def render_html(inp: DailyReportInput, doc: Mapping[str, Any]) -> str:
    """The HTML page for ``doc`` (from :func:`build_report` on the same input; the far
    satellite detections are left out of its map and charts as of its tables)."""
    inp = headline_input(inp)[0]
    day_text = fmt_day(inp.day)
    images = _images(inp, doc, day_text)
    summary = doc["summary"]
    template = _env().get_template("daily.html.j2")
    return template.render(
        doc=doc,
        claim_labels=CLAIM_LABELS,
        day_text=day_text,
        sentences=summary_sentences(doc),
        agreements=_agreement_rows(doc, inp.day),
        status_cols=_status_columns(summary["by_status"]),
        status_colors=STATUS_COLORS,
        sector_rows=doc["sectors"],
        total_row={
            "incidents": summary["incidents"],
            "by_status": summary["by_status"],
            "max_confidence": summary["max_confidence"],
        },
        top=top_incidents(doc),
        top_limit=TOP_INCIDENTS,
        observations=[(k, v) for k, v in summary["observations"].items() if v],
        **images,
    )


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["intcomma"] = lambda n: "" if n is None else f"{int(n):,}"
    env.filters["num"] = lambda x, nd=2: "–" if x is None else f"{float(x):.{nd}f}"
    env.filters["human"] = humanize
    return env


# --------------------------------------------------------------------------- figures


def _images(inp: DailyReportInput, doc: Mapping[str, Any], day_text: str) -> dict[str, Any]:
    """The map and the charts as data URLs: ``map_src``, ``history_src`` and
    ``sector_history_src`` (None when there is no sector chart)."""
    map_png = render_map(
        points=_map_points(inp),
        sectors=_map_sectors(inp, doc),
        line_wkt=inp.line_wkt,
        control_wkt=inp.control_wkt,
        controlled_by=inp.controlled_by,
        title=f"Incidents on {day_text} (UTC)",
    )
    history_png = render_history(_series(doc["history"]), inp.day)
    sector_png = None
    if doc.get("history_by_sector"):
        sector_png = render_sector_history(
            {name: _series(series) for name, series in doc["history_by_sector"].items()},
            inp.day,
        )
    return {
        "map_src": _b64png(map_png),
        "history_src": _b64png(history_png),
        "sector_history_src": _b64png(sector_png) if sector_png else None,
    }


def _series(rows: list[dict[str, Any]]) -> list[tuple[date, int]]:
    """``[{"date", "incidents"}]`` rows of the document as (day, count) pairs."""
    return [(date.fromisoformat(h["date"]), int(h["incidents"])) for h in rows]


def _b64png(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _map_points(inp: DailyReportInput) -> MapPoints:
    incs = inp.incidents
    return MapPoints(
        lon=np.array([i.location.lon for i in incs], dtype=float),
        lat=np.array([i.location.lat for i in incs], dtype=float),
        status=[enum_text(i.status) for i in incs],
        count=np.array([1 if i.count is None else max(int(i.count), 1) for i in incs], dtype=float),
        cov_km2=np.array([i.location.cov_km2 for i in incs], dtype=float).reshape(-1, 2, 2),
        confidence=np.array([i.confidence for i in incs], dtype=float),
    )


def _map_sectors(inp: DailyReportInput, doc: Mapping[str, Any]) -> list[MapSector]:
    counts = {(r["index"], r["name"]): r["incidents"] for r in doc["sectors"]}
    out = []
    for s in sorted(inp.sectors, key=lambda s: (s.start_km, s.index)):
        try:
            g = shapely.from_wkt(s.geometry_wkt)
        except shapely.errors.GEOSException:
            continue
        if g is None or g.is_empty:
            continue
        out.append(
            MapSector(name=s.name, geometry=g, incidents=counts.get((s.index, s.name), 0))
        )
    return out


# --------------------------------------------------------------------------- tables


def _status_columns(by_status: Mapping[str, int]) -> list[str]:
    """Status columns of the sector table: most certain first, then any other status."""
    cols = [s for s in STATUS_SUMMARY_ORDER if s in by_status]
    cols += [s for s in by_status if s not in cols]
    return cols


def _agreement_rows(doc: Mapping[str, Any], day: date) -> list[dict[str, Any]]:
    """The agreements of the document with their coverage of ``day`` and times in words."""
    return [
        {
            **ag,
            "coverage": agreement_coverage(ag, day),
            "start_text": _when(ag["start_local"]),
            "end_text": _when(ag["end_local"]),
        }
        for ag in doc["agreements"]
    ]


def _when(iso_local: str) -> str:
    """``2025-08-12 14:00 UTC``, or ``2025-04-19 18:00 UTC+03:00 (15:00 UTC)``."""
    dt = datetime.fromisoformat(iso_local)
    off = dt.utcoffset()
    if dt.tzinfo is None or off is None or off == timedelta(0):
        return f"{dt:%Y-%m-%d %H:%M} UTC"
    u = dt.astimezone(UTC)
    same_day = u.date() == dt.date()
    utc_text = utc_clock(u) if same_day else f"{u:%Y-%m-%d %H:%M}"
    sign = "+" if off >= timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{dt:%Y-%m-%d %H:%M} {zone} ({utc_text} UTC)"


def top_incidents(doc: Mapping[str, Any], limit: int = TOP_INCIDENTS) -> list[dict[str, Any]]:
    """Incidents by confidence, then count (descending), then time: the table rows."""
    incs = sorted(
        doc["incidents"],
        key=lambda j: (
            -(j["confidence"] if j["confidence"] is not None else -1.0),
            -(j["count"] if j["count"] is not None else 0),
            j["time_start"] or "",
            j["uid"],
        ),
    )
    return [_top_row(j) for j in incs[:limit]]


def _top_row(j: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the top-incidents table from an incident of the document."""
    t0, t1 = _hhmm(j["time_start"]), _hhmm(j["time_end"])
    return {
        "uid": j["uid"],
        "time": t0 if t0 == t1 or not t1 else f"{t0}–{t1}",
        "sector": j["sector"] or "—",
        "kind": humanize(j["kind"]),
        "count": j["count"],
        "confidence": j["confidence"],
        "status": j["status"],
        "attribution": attribution_text(j["attribution"], j["confidence"]),
        "sources": ", ".join(humanize(s) for s in j["sources"]),
        "observations": j["observations"],
        "lat": j["lat"],
        "lon": j["lon"],
        "ellipse_km": j["ellipse"]["semi_major_km"],
    }


def _hhmm(iso: str | None) -> str:
    return utc_clock(parse_utc(iso)) if iso else ""

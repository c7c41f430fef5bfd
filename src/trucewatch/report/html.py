"""The HTML page of the daily report, rendered from the report document.

The page is self-contained: the map and charts are embedded as base64 PNG (no external
URL, works offline). Every number shown comes from the document built by
:func:`trucewatch.report.daily.build_report`, so page and ``report.json`` always agree.
The page is in the document's ``language`` (:mod:`trucewatch.report.words`): the template
calls ``_()`` and ``ngettext()`` (extracted by ``pybabel extract``, see ``babel.cfg``),
whose translated text is trusted and whose values are escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from trucewatch.report.charts import render_history, render_sector_history
from trucewatch.report.headline import attribution_text, headline_input
from trucewatch.report.inputs import DailyReportInput
from trucewatch.report.map_figure import MapPoints, render_map
from trucewatch.report.map_sectors import MapSector
from trucewatch.report.plotting import STATUS_COLORS
from trucewatch.report.text import STATUS_SUMMARY_ORDER, agreement_coverage, summary_sentences
from trucewatch.report.values import CLAIM_LABELS, enum_text
from trucewatch.report.words import Words, words
from trucewatch.units import parse_utc, utc_clock

TOP_INCIDENTS = 50
"""Rows in the HTML table of top incidents."""

_TEMPLATES = Path(__file__).parent / "templates"


def render_html(inp: DailyReportInput, doc: Mapping[str, Any]) -> str:
    """The HTML page for ``doc`` (from :func:`build_report` on the same input; the far
    satellite detections are left out of its map and charts as of its tables)."""
    inp = headline_input(inp)[0]
    w = words(doc.get("language"))
    day_text = w.day(inp.day)
    images = _images(inp, doc, day_text, w)
    summary = doc["summary"]
    template = _env().get_template("daily.html.j2")
    return template.render(
        doc=doc,
        lang=w.locale,
        _=_template_gettext(w),
        ngettext=_template_ngettext(w),
        intcomma=w.integer,
        num=w.dec,
        human=w.label,
        report_json=Markup("<code>report.json</code>"),
        far_key=Markup("<code>far_from_line</code>"),
        verdicts=_verdicts(doc["assessment"]["by_verdict"].items(), w),
        far_sides=_far_sides(doc["far_from_line"]["by_held_by"], w),
        claim_labels=CLAIM_LABELS,
        day_text=day_text,
        sentences=summary_sentences(doc),
        agreements=_agreement_rows(doc, inp.day, w),
        status_cols=_status_columns(summary["by_status"]),
        status_colors=STATUS_COLORS,
        sector_rows=doc["sectors"],
        total_row={
            "incidents": summary["incidents"],
            "by_status": summary["by_status"],
            "max_confidence": summary["max_confidence"],
        },
        top=top_incidents(doc, w=w),
        top_limit=TOP_INCIDENTS,
        observations=[(k, v) for k, v in summary["observations"].items() if v],
        **images,
    )


@lru_cache(maxsize=1)
def _env() -> Environment:
    """The template environment; the filters ``intcomma``, ``num`` and ``human`` call the
    functions of the same name given to ``render`` (the report's language)."""
    env = Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["intcomma"] = _context_filter(
        lambda f, n: "" if n is None else f(n), "intcomma")  # fmt: skip
    env.filters["num"] = _context_filter(
        lambda f, x, nd=2: "–" if x is None else f(float(x), nd), "num")  # fmt: skip
    env.filters["human"] = _context_filter(lambda f, key: f(key), "human")
    return env


def _context_filter(body: Callable[..., str], name: str) -> Callable[..., str]:
    """A filter calling ``body(context[name], value, ...)``: one environment, any language."""
    @pass_context
    def run(context: Any, *args: Any) -> str:
        return body(context[name], *args)

    return run


def _template_gettext(w: Words) -> Callable[..., Markup]:
    """``_(message, **values)`` for the template: the translation is trusted markup, the
    values are escaped (unless themselves :class:`Markup`)."""
    def gettext(message: str, **values: Any) -> Markup:
        return Markup(w.translate(message)).format(**values)

    return gettext


def _template_ngettext(w: Words) -> Callable[..., Markup]:
    """``ngettext(singular, plural, n, **values)`` for the template (``{n}`` filled in)."""
    def ngettext(singular: str, plural: str, n: int, **values: Any) -> Markup:
        return Markup(w.translate_plural(singular, plural, n)).format(n=w.integer(n), **values)

    return ngettext


def _far_sides(by_held_by: Mapping[str, int], w: Words) -> str:
    """``46 in the area held by RU, 153 in the area held by UA and 8 where the holder is
    unknown``."""
    return w.join(
        w._("{count} where the holder is unknown", count=w.integer(n)) if side == "unknown"
        else w._("{count} in the area held by {party}", count=w.integer(n), party=side)
        for side, n in by_held_by.items())  # fmt: skip


def _verdicts(by_verdict: Iterable[tuple[str, int]], w: Words) -> str:
    """``violation 3, permitted 2`` (``none`` without any)."""
    parts = [w._("{count} {verdict}", verdict=w.label(v), count=w.integer(n))
             for v, n in by_verdict]  # fmt: skip
    return ", ".join(parts) if parts else w._("none")


# --------------------------------------------------------------------------- figures


def _images(inp: DailyReportInput, doc: Mapping[str, Any], day_text: str,
            w: Words) -> dict[str, Any]:  # fmt: skip
    """The map and the charts as data URLs: ``map_src``, ``history_src`` and
    ``sector_history_src`` (None when there is no sector chart)."""
    map_png = render_map(
        points=_map_points(inp),
        sectors=_map_sectors(inp, doc),
        line_wkt=inp.line_wkt,
        control_wkt=inp.control_wkt,
        controlled_by=inp.controlled_by,
        title=w._("Incidents on {day} (UTC)", day=day_text),
        w=w,
    )
    history_png = render_history(_series(doc["history"]), inp.day, w=w)
    sector_png = None
    if doc.get("history_by_sector"):
        sector_png = render_sector_history(
            {name: _series(series) for name, series in doc["history_by_sector"].items()},
            inp.day,
            w=w,
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


def _agreement_rows(doc: Mapping[str, Any], day: date, w: Words) -> list[dict[str, Any]]:
    """The agreements of the document with their coverage of ``day`` and times in words."""
    return [
        {
            **ag,
            "coverage": agreement_coverage(ag, day, w),
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


def top_incidents(doc: Mapping[str, Any], limit: int = TOP_INCIDENTS, *,
                  w: Words | None = None) -> list[dict[str, Any]]:  # fmt: skip
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
    w = w or words(doc.get("language"))
    return [_top_row(j, w) for j in incs[:limit]]


def _top_row(j: Mapping[str, Any], w: Words) -> dict[str, Any]:
    """One row of the top-incidents table from an incident of the document."""
    t0, t1 = _hhmm(j["time_start"]), _hhmm(j["time_end"])
    return {
        "uid": j["uid"],
        "time": t0 if t0 == t1 or not t1 else f"{t0}–{t1}",
        "sector": j["sector"] or "—",
        "kind": w.label(j["kind"]),
        "count": j["count"],
        "confidence": j["confidence"],
        "status": j["status"],
        "attribution": attribution_text(j["attribution"], j["confidence"], w),
        "sources": ", ".join(w.label(s) for s in j["sources"]),
        "observations": j["observations"],
        "lat": j["lat"],
        "lon": j["lon"],
        "ellipse_km": j["ellipse"]["semi_major_km"],
    }


def _hhmm(iso: str | None) -> str:
    return utc_clock(parse_utc(iso)) if iso else ""

"""The daily report: one UTC day of incidents as a JSON document and a self-contained HTML
page (map and charts embedded as base64 PNG; no external URL, works offline).

:func:`build_report` computes every number once, into the JSON document; the HTML page and
its summary in words are rendered from that document, so both always agree.
This module does not touch the database or the command line: the caller gathers the
inputs into a :class:`DailyReportInput`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, select_autoescape

from trucewatch.report import figures
from trucewatch.report.assessment import group_assessments
from trucewatch.report.text import (
    STATUS_SUMMARY_ORDER,
    agreement_coverage,
    fmt_day,
    humanize,
    summary_sentences,
)
from trucewatch.types import (
    UNDETERMINED_PARTY,
    Agreement,
    EventKind,
    Incident,
    IncidentStatus,
    Sector,
    SourceKind,
)

OUTSIDE_SECTORS = "outside sectors"
"""Name of the sector-table row that counts incidents in no (known) sector."""

TOP_INCIDENTS = 50
"""Rows in the HTML table of top incidents."""

STATUS_KEYS: tuple[str, ...] = tuple(s.value for s in IncidentStatus)
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, kw_only=True)
class DailyReportInput:
    """Everything the daily report shows, gathered by the caller (CLI, API).

    ``incidents`` are those whose ``time_start`` falls on ``day`` (00:00-24:00 UTC).
    ``history`` is incidents per UTC day for the trend chart (for example the 14 previous
    days and ``day``); days missing inside its range are shown as zero, and the value for
    ``day`` itself is always ``len(incidents)`` so that chart and tables agree.
    ``sectors``, ``line_wkt`` and ``control_wkt`` are WGS84 and valid on ``day``;
    ``control_wkt`` is the area held by ``controlled_by``. ``agreements`` are those in
    force at some time on ``day``. ``observation_counts`` maps source kind -> observations
    received that day. ``data_sources`` are attribution lines shown verbatim.
    """

    day: date
    generated_at: datetime
    incidents: Sequence[Incident]
    history: Sequence[tuple[date, int]] = ()
    history_by_sector: Mapping[str, Sequence[tuple[date, int]]] | None = None
    sectors: Sequence[Sector] = ()
    line_wkt: str | None = None
    control_wkt: str | None = None
    line_name: str = ""
    line_valid_from: date | None = None
    controlled_by: str = "RU"
    other_party: str = "UA"
    agreements: Sequence[Agreement] = ()
    observation_counts: Mapping[str, int] = field(default_factory=dict)
    data_sources: Sequence[str] = ()


@dataclass(frozen=True)
class ReportPaths:
    """Files written by :func:`write_daily_report`."""

    out_dir: Path
    html: Path
    json: Path


# --------------------------------------------------------------------------- small helpers


def _r(x: float | None, nd: int) -> float | None:
    """Round, mapping None/NaN/inf to None (JSON has no NaN)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    v = round(v, nd)
    return 0.0 if v == 0 else v  # no "-0.0"


def _val(x: Any) -> str:
    return str(x.value) if isinstance(x, Enum) else str(x)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return _utc(dt).isoformat(timespec="seconds").replace("+00:00", "Z")


def _jsonable(x: Any) -> Any:
    """Best-effort conversion of an assessment dict to JSON types."""
    if x is None or isinstance(x, bool | int | str):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Enum):
        return _jsonable(x.value)
    if isinstance(x, datetime):
        return _iso(x)
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in x]
        return sorted(items, key=str) if isinstance(x, set | frozenset) else items
    if isinstance(x, np.generic):
        return _jsonable(x.item())
    return str(x)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _fill_series(series: Sequence[tuple[date, int]]) -> list[tuple[date, int]]:
    """Sum duplicates, sort, and fill missing days inside the range with zero."""
    acc: dict[date, int] = {}
    for d, c in series:
        acc[d] = acc.get(d, 0) + int(c)
    if not acc:
        return []
    d0, d1 = min(acc), max(acc)
    return [
        (d0 + timedelta(days=i), acc.get(d0 + timedelta(days=i), 0))
        for i in range((d1 - d0).days + 1)
    ]


def history_with_day(inp: DailyReportInput) -> list[tuple[date, int]]:
    """The history as shown: gaps filled with zero; ``day`` set to ``len(incidents)``."""
    hist = dict(_fill_series(inp.history))
    hist[inp.day] = len(inp.incidents)
    return _fill_series(sorted(hist.items()))


# --------------------------------------------------------------------------- sectors


def assign_sectors(incidents: Sequence[Incident], sectors: Sequence[Sector]) -> list[int | None]:
    """Position in ``sectors`` of each incident's sector, or None (outside sectors).

    Matches ``Incident.sector`` by name; when several sectors share the name, the one
    nearest to the incident is used. A name not among ``sectors`` counts as outside.
    """
    by_name: dict[str, list[int]] = {}
    for i, s in enumerate(sectors):
        by_name.setdefault(s.name, []).append(i)
    geoms: dict[int, Any] = {}
    out: list[int | None] = []
    for inc in incidents:
        cands = by_name.get(inc.sector, []) if inc.sector is not None else []
        if not cands:
            out.append(None)
        elif len(cands) == 1:
            out.append(cands[0])
        else:
            pt = shapely.Point(inc.location.lon, inc.location.lat)
            best, best_d = cands[0], math.inf
            for i in cands:
                if i not in geoms:
                    try:
                        geoms[i] = shapely.from_wkt(sectors[i].geometry_wkt)
                    except shapely.errors.GEOSException:
                        geoms[i] = None
                g = geoms[i]
                d = math.inf if g is None else float(g.distance(pt))
                if d < best_d:
                    best, best_d = i, d
            out.append(best)
    return out


# --------------------------------------------------------------------------- the document


def _incident_json(inc: Incident, sector: str | None) -> dict[str, Any]:
    loc = inc.location
    try:
        e = loc.ellipse(0.95)
        ellipse: dict[str, Any] = {
            "semi_major_km": _r(e.semi_major_km, 2),
            "semi_minor_km": _r(e.semi_minor_km, 2),
            "orientation_deg": _r(e.orientation_deg, 1),
            "confidence": 0.95,
        }
    except (ValueError, np.linalg.LinAlgError):
        ellipse = {
            "semi_major_km": None,
            "semi_minor_km": None,
            "orientation_deg": None,
            "confidence": 0.95,
        }
    return {
        "uid": inc.uid,
        "time_start": _iso(inc.time_start),
        "time_end": _iso(inc.time_end),
        "lon": _r(loc.lon, 4),
        "lat": _r(loc.lat, 4),
        "ellipse": ellipse,
        "kind": _val(inc.kind),
        "count": None if inc.count is None else int(inc.count),
        "confidence": _r(inc.confidence, 3),
        "status": _val(inc.status),
        "attribution": {
            "party": inc.attribution.party,
            "probabilities": {
                str(k): _r(v, 3) for k, v in sorted(inc.attribution.probabilities.items())
            },
        },
        "sector": sector,
        "held_by": inc.held_by,
        "line_distance_km": _r(inc.line_distance_km, 2),
        "sources": sorted({_val(s) for s in inc.source_kinds}),
        "observations": len(inc.observation_uids),
        "assessment": _jsonable(inc.assessment),
    }


def _zero_filled(keys: Sequence[str], counts: Counter[str]) -> dict[str, int]:
    out = {k: int(counts.get(k, 0)) for k in keys}
    for k in sorted(set(counts) - set(keys)):
        out[k] = int(counts[k])
    return out


def build_report(inp: DailyReportInput) -> dict[str, Any]:
    """The report as a JSON-ready dict (the content of ``report.json``).

    Keys: ``date``, ``generated_at``, ``line``, ``agreements``, ``summary``,
    ``summary_text``, ``sectors`` (one row per sector, zeros included, then an
    "outside sectors" row with ``index`` null), ``incidents`` (all, by time),
    ``history``, ``history_by_sector``, ``data_sources``, ``assessment`` (verdicts and
    violations by agreement, clause, party and sector). ``by_source_kind`` counts
    incidents with at least one observation of that kind (an incident can count under
    several kinds).
    """
    incidents = sorted(inp.incidents, key=lambda i: (_utc(i.time_start), i.uid))
    sectors = sorted(inp.sectors, key=lambda s: (s.start_km, s.index))
    where = assign_sectors(incidents, sectors)

    # --- sectors table
    rows: list[dict[str, Any]] = []
    per_sector: list[list[Incident]] = [[] for _ in sectors]
    outside: list[Incident] = []
    for inc, pos in zip(incidents, where, strict=True):
        (outside if pos is None else per_sector[pos]).append(inc)

    def row(
        index: int | None,
        name: str,
        start: float | None,
        end: float | None,
        incs: Sequence[Incident],
    ) -> dict[str, Any]:
        confs = [c for c in (_r(i.confidence, 3) for i in incs) if c is not None]
        return {
            "index": index,
            "name": name,
            "start_km": _r(start, 2),
            "end_km": _r(end, 2),
            "incidents": len(incs),
            "by_status": _zero_filled(STATUS_KEYS, Counter(_val(i.status) for i in incs)),
            "max_confidence": max(confs) if confs else None,
        }

    for s, incs in zip(sectors, per_sector, strict=True):
        rows.append(row(s.index, s.name, s.start_km, s.end_km, incs))
    rows.append(row(None, OUTSIDE_SECTORS, None, None, outside))

    # --- incidents
    inc_json = [
        _incident_json(inc, None if pos is None else sectors[pos].name)
        for inc, pos in zip(incidents, where, strict=True)
    ]

    # --- summary
    confs = [c for c in (j["confidence"] for j in inc_json) if c is not None]
    by_att: Counter[str] = Counter(
        j["attribution"]["party"] or UNDETERMINED_PARTY for j in inc_json
    )
    att_keys = [inp.controlled_by, inp.other_party, UNDETERMINED_PARTY]
    held: Counter[str] = Counter(j["held_by"] if j["held_by"] else "unknown" for j in inc_json)
    obs = {str(k): int(v) for k, v in inp.observation_counts.items()}
    obs_all = {k.value: obs.pop(k.value, 0) for k in SourceKind}
    obs_all.update(dict(sorted(obs.items())))
    day_start, day_end = _day_bounds(inp.day)
    summary = {
        "incidents": len(incidents),
        "by_status": _zero_filled(STATUS_KEYS, Counter(j["status"] for j in inc_json)),
        "by_kind": _zero_filled([k.value for k in EventKind], Counter(j["kind"] for j in inc_json)),
        "by_source_kind": _zero_filled(
            [k.value for k in SourceKind], Counter(s for j in inc_json for s in j["sources"])
        ),
        "by_attribution": _zero_filled(list(dict.fromkeys(att_keys)), by_att),
        "by_held_by": _zero_filled(
            list(dict.fromkeys([inp.controlled_by, inp.other_party, "unknown"])), held
        ),
        "observations": obs_all,
        "observations_total": sum(obs_all.values()),
        "mean_confidence": _r(sum(confs) / len(confs), 3) if confs else None,
        "max_confidence": max(confs) if confs else None,
        "sectors_with_incidents": sum(1 for r in rows[:-1] if r["incidents"] > 0),
        "sectors_total": len(sectors),
        "outside_sectors": len(outside),
    }

    # --- agreements
    ags = []
    for ag in inp.agreements:
        a0, a1 = _utc(ag.start), _utc(ag.end)
        f0, f1 = max(a0, day_start), min(a1, day_end)
        overlaps = f0 < f1
        k = sum(1 for i in incidents if ag.in_force(_utc(i.time_start))) if overlaps else 0
        ags.append(
            {
                "id": ag.id,
                "name": ag.name,
                "parties": [p.code for p in ag.parties],
                "party_names": {p.code: p.name for p in ag.parties},
                "start": _iso(ag.start),
                "end": _iso(ag.end),
                "start_local": ag.start.isoformat(timespec="minutes"),
                "end_local": ag.end.isoformat(timespec="minutes"),
                "scope": ag.scope,
                "zones": [
                    {"name": z.name, "half_width_km": _r(z.half_width_km, 2)} for z in ag.zones
                ],
                "in_force_from": _iso(f0) if overlaps else None,
                "in_force_until": _iso(f1) if overlaps else None,
                "whole_day": bool(a0 <= day_start and a1 >= day_end),
                "incidents_while_in_force": k,
            }
        )

    history = history_with_day(inp)
    hbs: dict[str, list[dict[str, Any]]] | None = None
    if inp.history_by_sector is not None:
        # the reported day counts as in the sector table, so chart and table agree
        day_counts: dict[str, int] = {}
        for r in rows[:-1]:
            day_counts[r["name"]] = day_counts.get(r["name"], 0) + r["incidents"]
        hbs = {}
        for name in dict.fromkeys([*map(str, inp.history_by_sector), *day_counts]):
            series = dict(_fill_series(inp.history_by_sector.get(name, ())))
            if name in day_counts:
                series[inp.day] = day_counts[name]
            hbs[name] = [
                {"date": d.isoformat(), "incidents": c}
                for d, c in _fill_series(sorted(series.items()))
            ]

    doc: dict[str, Any] = {
        "date": inp.day.isoformat(),
        "generated_at": _iso(inp.generated_at),
        "line": {
            "name": inp.line_name,
            "valid_from": inp.line_valid_from.isoformat() if inp.line_valid_from else None,
            "controlled_by": inp.controlled_by,
            "other_party": inp.other_party,
        },
        "agreements": ags,
        "assessment": group_assessments(inc_json),
        "summary": summary,
        "summary_text": "",
        "sectors": rows,
        "incidents": inc_json,
        "history": [{"date": d.isoformat(), "incidents": c} for d, c in history],
        "history_by_sector": hbs,
        "data_sources": [str(s) for s in inp.data_sources],
    }
    doc["summary_text"] = " ".join(summary_sentences(doc))
    return doc


# --------------------------------------------------------------------------- HTML


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


def _hhmm(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC).strftime("%H:%M")


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
    out = []
    for j in incs[:limit]:
        att = j["attribution"]
        probs = att["probabilities"]
        party = att["party"] or UNDETERMINED_PARTY
        if party != UNDETERMINED_PARTY and probs.get(party) is not None:
            att_text = f"{party} ({probs[party]:.2f})"
        elif probs:
            best = max(probs.items(), key=lambda kv: (kv[1] or 0.0, kv[0]))
            att_text = f"undetermined ({best[0]} {best[1]:.2f})" if best[1] is not None else party
        else:
            att_text = party
        t0, t1 = _hhmm(j["time_start"]), _hhmm(j["time_end"])
        out.append(
            {
                "uid": j["uid"],
                "time": t0 if t0 == t1 or not t1 else f"{t0}–{t1}",
                "sector": j["sector"] or "—",
                "kind": humanize(j["kind"]),
                "count": j["count"],
                "confidence": j["confidence"],
                "status": j["status"],
                "attribution": att_text,
                "sources": ", ".join(humanize(s) for s in j["sources"]),
                "observations": j["observations"],
                "lat": j["lat"],
                "lon": j["lon"],
                "ellipse_km": j["ellipse"]["semi_major_km"],
            }
        )
    return out


def _when(iso_local: str) -> str:
    """``2025-08-12 14:00 UTC``, or ``2025-04-19 18:00 UTC+03:00 (15:00 UTC)``."""
    dt = datetime.fromisoformat(iso_local)
    off = dt.utcoffset()
    if dt.tzinfo is None or off is None or off == timedelta(0):
        return f"{dt:%Y-%m-%d %H:%M} UTC"
    u = dt.astimezone(UTC)
    same_day = u.date() == dt.date()
    utc_text = f"{u:%H:%M}" if same_day else f"{u:%Y-%m-%d %H:%M}"
    sign = "+" if off >= timedelta(0) else "-"
    minutes = abs(int(off.total_seconds())) // 60
    zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{dt:%Y-%m-%d %H:%M} {zone} ({utc_text} UTC)"


def _b64png(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _map_points(inp: DailyReportInput) -> figures.MapPoints:
    incs = inp.incidents
    return figures.MapPoints(
        lon=np.array([i.location.lon for i in incs], dtype=float),
        lat=np.array([i.location.lat for i in incs], dtype=float),
        status=[_val(i.status) for i in incs],
        count=np.array([1 if i.count is None else max(int(i.count), 1) for i in incs], dtype=float),
        cov_km2=np.array([i.location.cov_km2 for i in incs], dtype=float).reshape(-1, 2, 2),
        confidence=np.array([i.confidence for i in incs], dtype=float),
    )


def _map_sectors(inp: DailyReportInput, doc: Mapping[str, Any]) -> list[figures.MapSector]:
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
            figures.MapSector(name=s.name, geometry=g, incidents=counts.get((s.index, s.name), 0))
        )
    return out


def render_html(inp: DailyReportInput, doc: Mapping[str, Any]) -> str:
    """The HTML page for ``doc`` (from :func:`build_report` on the same input)."""
    day_text = fmt_day(inp.day)
    map_png = figures.render_map(
        points=_map_points(inp),
        sectors=_map_sectors(inp, doc),
        line_wkt=inp.line_wkt,
        control_wkt=inp.control_wkt,
        controlled_by=inp.controlled_by,
        title=f"Incidents on {day_text} (UTC)",
    )
    hist = [(date.fromisoformat(h["date"]), int(h["incidents"])) for h in doc["history"]]
    history_png = figures.render_history(hist, inp.day)
    sector_png = None
    if doc.get("history_by_sector"):
        sector_png = figures.render_sector_history(
            {
                name: [(date.fromisoformat(h["date"]), int(h["incidents"])) for h in series]
                for name, series in doc["history_by_sector"].items()
            },
            inp.day,
        )
    ags = []
    for ag in doc["agreements"]:
        ags.append(
            {
                **ag,
                "coverage": agreement_coverage(ag, inp.day),
                "start_text": _when(ag["start_local"]),
                "end_text": _when(ag["end_local"]),
            }
        )
    sector_rows = doc["sectors"]
    total_row = {
        "incidents": doc["summary"]["incidents"],
        "by_status": doc["summary"]["by_status"],
        "max_confidence": doc["summary"]["max_confidence"],
    }
    status_cols = [s for s in STATUS_SUMMARY_ORDER if s in doc["summary"]["by_status"]]
    status_cols += [s for s in doc["summary"]["by_status"] if s not in status_cols]
    template = _env().get_template("daily.html.j2")
    return template.render(
        doc=doc,
        day_text=day_text,
        sentences=summary_sentences(doc),
        agreements=ags,
        status_cols=status_cols,
        status_colors=figures.STATUS_COLORS,
        sector_rows=sector_rows,
        total_row=total_row,
        top=top_incidents(doc),
        top_limit=TOP_INCIDENTS,
        map_src=_b64png(map_png),
        history_src=_b64png(history_png),
        sector_history_src=_b64png(sector_png) if sector_png else None,
        observations=[(k, v) for k, v in doc["summary"]["observations"].items() if v],
    )


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_daily_report(inp: DailyReportInput, out_dir: Path) -> ReportPaths:
    """Write ``out_dir/report.html`` and ``out_dir/report.json`` (creating ``out_dir``).

    Both are rendered in memory first and then each replaced atomically, so a failure
    never leaves a half-written file.
    """
    out_dir = Path(out_dir)
    doc = build_report(inp)
    json_text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    html_text = render_html(inp, doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(out_dir=out_dir, html=out_dir / "report.html", json=out_dir / "report.json")
    _write_atomic(paths.json, json_text)
    _write_atomic(paths.html, html_text)
    return paths

"""The daily report: one UTC day of incidents as a JSON document and a self-contained HTML
page (map and charts embedded as base64 PNG; no external URL, works offline).

:func:`build_report` computes every number once, into the JSON document; the HTML page
(:mod:`trucewatch.report.html`) and its summary in words (:mod:`trucewatch.report.text`)
are rendered from that document, so all three always agree.
This module does not touch the database or the command line: the caller gathers the
inputs into a :class:`DailyReportInput`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import shapely

from trucewatch.codec import incident_record
from trucewatch.report.assessment import group_assessments
from trucewatch.report.headline import (
    ATTRIBUTION_MIN_CONFIDENCE,
    FAR_FROM_LINE_KM,
    firm_attribution,
    headline_input,
)
from trucewatch.report.html import TOP_INCIDENTS, render_html, top_incidents
from trucewatch.report.inputs import DailyReportInput
from trucewatch.report.pdf import PdfError, print_pdf, readable
from trucewatch.report.text import summary_sentences
from trucewatch.report.values import AGGREGATE_VERDICTS, CLAIM_LABELS, enum_text, rounded
from trucewatch.report.words import words
from trucewatch.types import (
    UNDETERMINED_PARTY,
    Agreement,
    EventKind,
    Incident,
    IncidentStatus,
    Sector,
    SourceKind,
)
from trucewatch.units import as_utc, iso_utc

__all__ = [
    "OUTSIDE_SECTORS",
    "STATUS_KEYS",
    "TOP_INCIDENTS",
    "DailyReportInput",
    "ReportPaths",
    "assign_sectors",
    "build_report",
    "history_with_day",
    "render_html",
    "top_incidents",
    "write_daily_report",
]

OUTSIDE_SECTORS = "outside sectors"
"""Name of the sector-table row that counts incidents in no (known) sector."""

STATUS_KEYS: tuple[str, ...] = tuple(s.value for s in IncidentStatus)


@dataclass(frozen=True)
class ReportPaths:
    """Files written by :func:`write_daily_report`; ``pdf`` is None when it could not be
    printed, and ``pdf_note`` then says why."""

    out_dir: Path
    html: Path
    json: Path
    pdf: Path | None = None
    pdf_note: str = ""


# --------------------------------------------------------------------------- the document


def build_report(inp: DailyReportInput) -> dict[str, Any]:
    """The report as a JSON-ready dict (the content of ``report.json``).

    Keys: ``date``, ``language`` (of ``summary_text`` and of the HTML page: en, uk,
    ru), ``generated_at``, ``line``, ``agreements``, ``summary``,
    ``summary_text``, ``sectors`` (one row per sector, zeros included, then an
    "outside sectors" row with ``index`` null), ``incidents`` (all, by time),
    ``history``, ``history_by_sector``, ``data_sources``, ``assessment`` (verdicts and
    violations by agreement, clause, party and sector), ``far_from_line`` (the satellite
    detections farther than :data:`~trucewatch.report.headline.FAR_FROM_LINE_KM` from the
    line, counted apart: :mod:`trucewatch.report.headline`), ``cosigned_head`` (the
    latest log head the witnesses cosigned, or null). ``by_source_kind`` counts
    incidents with at least one observation of that kind (an incident can count under
    several kinds).
    """
    words(inp.language)  # an unknown language fails here, before any work
    inp, far = headline_input(inp)
    incidents = sorted(inp.incidents, key=lambda i: (as_utc(i.time_start), i.uid))
    sectors = sorted(inp.sectors, key=lambda s: (s.start_km, s.index))
    where = assign_sectors(incidents, sectors)
    rows = _sector_rows(sectors, incidents, where)
    inc_json = [
        _incident_json(inc, None if pos is None else sectors[pos].name)
        for inc, pos in zip(incidents, where, strict=True)
    ]
    doc: dict[str, Any] = {
        "date": inp.day.isoformat(),
        "language": inp.language,
        "generated_at": iso_utc(inp.generated_at, "seconds"),
        "line": {
            "name": inp.line_name,
            "valid_from": inp.line_valid_from.isoformat() if inp.line_valid_from else None,
            "controlled_by": inp.controlled_by,
            "other_party": inp.other_party,
        },
        "agreements": [_agreement_json(ag, incidents, inp.day) for ag in inp.agreements],
        "assessment": group_assessments(inc_json),
        "summary": _summary(inp, inc_json, rows),
        "summary_text": "",
        "sectors": rows,
        "incidents": inc_json,
        "history": [{"date": d.isoformat(), "incidents": c} for d, c in history_with_day(inp)],
        "history_by_sector": _history_by_sector(inp, rows),
        "data_sources": [str(s) for s in inp.data_sources],
        "far_from_line": _far_json(far),
        "claims": claims_section(inp.claims),
        "cosigned_head": cosigned_head_section(inp.cosigned_head),
    }
    doc["summary_text"] = " ".join(summary_sentences(doc))
    return doc


def cosigned_head_section(head: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The report's ``cosigned_head``: the latest log head the witnesses' quorum cosigned
    (``origin``, ``tree_size``, ``root_hash``, ``cosigned_by``, ``published_at``), without
    the checkpoint text, or None."""
    if head is None:
        return None
    return {"origin": str(head["origin"]), "tree_size": int(head["tree_size"]),
            "root_hash": str(head["root_hash"]),
            "cosigned_by": [str(n) for n in head["cosigned_by"]],
            "published_at": str(head["published_at"])}  # fmt: skip


# --------------------------------------------------------------------------- claims

def claims_section(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The claims of the day by party: item labels and aggregate verdicts counted per
    claimant, and each aggregate claim with its estimate (docs/claims.md)."""
    by_party: dict[str, dict[str, dict[str, int]]] = {}
    aggregates = []
    for r in rows:
        kind = "items" if r["type"] == "item" else "aggregates"
        names = CLAIM_LABELS if kind == "items" else AGGREGATE_VERDICTS
        party = by_party.setdefault(r["claimant"], {
            "items": dict.fromkeys(CLAIM_LABELS, 0),
            "aggregates": dict.fromkeys(AGGREGATE_VERDICTS, 0)})  # fmt: skip
        label = r.get("label") or "pending"
        party[kind][label if label in names else "pending"] += 1
        if kind == "aggregates":
            d = r.get("details") or {}
            aggregates.append({"claim_id": r["claim_id"], "claimant": r["claimant"],
                               "accused": r["accused"], "sector": r.get("sector"),
                               "count": r["count"], "verdict": label,
                               "estimate": d.get("estimate"), "interval": d.get("interval"),
                               "incidents": d.get("incidents")})  # fmt: skip
    return {"by_party": dict(sorted(by_party.items())), "aggregates": aggregates}


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


def _sector_rows(
    sectors: Sequence[Sector], incidents: Sequence[Incident], where: Sequence[int | None]
) -> list[dict[str, Any]]:
    """The sector table: one row per sector (zeros included), then the outside row."""
    per_sector: list[list[Incident]] = [[] for _ in sectors]
    outside: list[Incident] = []
    for inc, pos in zip(incidents, where, strict=True):
        (outside if pos is None else per_sector[pos]).append(inc)
    rows = [
        _sector_row(s.index, s.name, s.start_km, s.end_km, incs)
        for s, incs in zip(sectors, per_sector, strict=True)
    ]
    rows.append(_sector_row(None, OUTSIDE_SECTORS, None, None, outside))
    return rows


def _sector_row(
    index: int | None,
    name: str,
    start: float | None,
    end: float | None,
    incs: Sequence[Incident],
) -> dict[str, Any]:
    confs = [c for c in (rounded(i.confidence, 3) for i in incs) if c is not None]
    return {
        "index": index,
        "name": name,
        "start_km": rounded(start, 2),
        "end_km": rounded(end, 2),
        "incidents": len(incs),
        "by_status": _zero_filled(STATUS_KEYS, Counter(enum_text(i.status) for i in incs)),
        "max_confidence": max(confs) if confs else None,
    }


# --------------------------------------------------------------------------- incidents


def _incident_json(inc: Incident, sector: str | None) -> dict[str, Any]:
    """An incident as the report shows it: its record (:func:`incident_record`) rounded
    for reading, times to the second, in the sector ``sector`` of the sector table."""
    r = incident_record(inc, timespec="seconds")
    ell, att = r["ellipse"], r["attribution"]
    return {
        "uid": r["uid"],
        "time_start": r["time_start"],
        "time_end": r["time_end"],
        "lon": rounded(r["lon"], 4),
        "lat": rounded(r["lat"], 4),
        "ellipse": {
            "semi_major_km": rounded(ell["semi_major_km"], 2),
            "semi_minor_km": rounded(ell["semi_minor_km"], 2),
            "orientation_deg": rounded(ell["orientation_deg"], 1),
            "confidence": ell["confidence"],
        },
        "kind": r["kind"],
        "count": None if r["count"] is None else int(r["count"]),
        "confidence": rounded(r["confidence"], 3),
        "status": r["status"],
        "attribution": {
            "party": att["party"],
            "probabilities": {k: rounded(v, 3) for k, v in sorted(att["probabilities"].items())},
        },
        "sector": sector,
        "held_by": r["held_by"],
        "line_distance_km": rounded(r["line_distance_km"], 2),
        "sources": sorted(set(r["sources"])),
        "observations": r["observation_count"],
        "assessment": r["assessment"],
    }


def _far_json(far: Sequence[Incident]) -> dict[str, Any]:
    """The far satellite detections: the distance, how many, on whose side, and each."""
    ordered = sorted(far, key=lambda i: (as_utc(i.time_start), i.uid))
    held = Counter(i.held_by or "unknown" for i in ordered)
    return {
        "distance_km": FAR_FROM_LINE_KM,
        "incidents": len(ordered),
        "by_held_by": dict(sorted(held.items())),
        "detections": [_incident_json(i, None) for i in ordered],
    }


# --------------------------------------------------------------------------- summary


def _summary(
    inp: DailyReportInput, inc_json: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts over the day's incidents (``rows`` is the sector table, outside row last)."""
    confs = [c for c in (j["confidence"] for j in inc_json) if c is not None]
    by_att: Counter[str] = Counter(
        j["attribution"]["party"] or UNDETERMINED_PARTY for j in inc_json
    )
    att_keys = [inp.controlled_by, inp.other_party, UNDETERMINED_PARTY]
    held: Counter[str] = Counter(j["held_by"] if j["held_by"] else "unknown" for j in inc_json)
    obs_all = _observations(inp.observation_counts)
    conditional: Counter[str] = Counter(
        j["attribution"]["party"] for j in inc_json
        if j["attribution"]["party"] not in (None, UNDETERMINED_PARTY)
        and not firm_attribution(j["confidence"])
    )
    return {
        "incidents": len(inc_json),
        "by_status": _zero_filled(STATUS_KEYS, Counter(j["status"] for j in inc_json)),
        "by_kind": _zero_filled([k.value for k in EventKind], Counter(j["kind"] for j in inc_json)),
        "by_source_kind": _zero_filled(
            [k.value for k in SourceKind], Counter(s for j in inc_json for s in j["sources"])
        ),
        "by_attribution": _zero_filled(list(dict.fromkeys(att_keys)), by_att),
        "attribution_min_confidence": ATTRIBUTION_MIN_CONFIDENCE,
        "by_attribution_conditional": dict(sorted(conditional.items())),
        "by_held_by": _zero_filled(
            list(dict.fromkeys([inp.controlled_by, inp.other_party, "unknown"])), held
        ),
        "observations": obs_all,
        "observations_total": sum(obs_all.values()),
        "mean_confidence": rounded(sum(confs) / len(confs), 3) if confs else None,
        "max_confidence": max(confs) if confs else None,
        "sectors_with_incidents": sum(1 for r in rows[:-1] if r["incidents"] > 0),
        "sectors_total": len(rows) - 1,
        "outside_sectors": rows[-1]["incidents"],
    }


def _observations(counts: Mapping[str, int]) -> dict[str, int]:
    """Observations by source kind: every known kind (zeros included), then others by name."""
    obs = {str(k): int(v) for k, v in counts.items()}
    obs_all = {k.value: obs.pop(k.value, 0) for k in SourceKind}
    obs_all.update(dict(sorted(obs.items())))
    return obs_all


def _zero_filled(keys: Sequence[str], counts: Counter[str]) -> dict[str, int]:
    out = {k: int(counts.get(k, 0)) for k in keys}
    for k in sorted(set(counts) - set(keys)):
        out[k] = int(counts[k])
    return out


# --------------------------------------------------------------------------- agreements


def _agreement_json(ag: Agreement, incidents: Sequence[Incident], day: date) -> dict[str, Any]:
    """An agreement, when it was in force on ``day`` and the incidents while in force."""
    day_start, day_end = _day_bounds(day)
    a0, a1 = as_utc(ag.start), as_utc(ag.end)
    f0, f1 = max(a0, day_start), min(a1, day_end)
    overlaps = f0 < f1
    k = sum(1 for i in incidents if ag.in_force(as_utc(i.time_start))) if overlaps else 0
    return {
        "id": ag.id,
        "name": ag.name,
        "parties": [p.code for p in ag.parties],
        "party_names": {p.code: p.name for p in ag.parties},
        "start": iso_utc(ag.start, "seconds"),
        "end": iso_utc(ag.end, "seconds"),
        "start_local": ag.start.isoformat(timespec="minutes"),
        "end_local": ag.end.isoformat(timespec="minutes"),
        "scope": ag.scope,
        "zones": [{"name": z.name, "half_width_km": rounded(z.half_width_km, 2)} for z in ag.zones],
        "in_force_from": iso_utc(f0, "seconds") if overlaps else None,
        "in_force_until": iso_utc(f1, "seconds") if overlaps else None,
        "whole_day": bool(a0 <= day_start and a1 >= day_end),
        "incidents_while_in_force": k,
    }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


# --------------------------------------------------------------------------- history


def history_with_day(inp: DailyReportInput) -> list[tuple[date, int]]:
    """The history as shown: gaps filled with zero; ``day`` set to ``len(incidents)``."""
    hist = dict(_fill_series(inp.history))
    hist[inp.day] = len(inp.incidents)
    return _fill_series(sorted(hist.items()))


def _history_by_sector(
    inp: DailyReportInput, rows: Sequence[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]] | None:
    """Incidents per day by sector name; the reported day counts as in the sector table
    (``rows``), so chart and table agree. None without a history by sector."""
    if inp.history_by_sector is None:
        return None
    day_counts: dict[str, int] = {}
    for r in rows[:-1]:
        day_counts[r["name"]] = day_counts.get(r["name"], 0) + r["incidents"]
    hbs: dict[str, list[dict[str, Any]]] = {}
    for name in dict.fromkeys([*map(str, inp.history_by_sector), *day_counts]):
        series = dict(_fill_series(inp.history_by_sector.get(name, ())))
        if name in day_counts:
            series[inp.day] = day_counts[name]
        hbs[name] = [
            {"date": d.isoformat(), "incidents": c} for d, c in _fill_series(sorted(series.items()))
        ]
    return hbs


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


# --------------------------------------------------------------------------- files


def write_daily_report(inp: DailyReportInput, out_dir: Path, *,
                       pdf: bool = False) -> ReportPaths:
    """Write ``out_dir/report.html``, ``out_dir/report.json`` and (with ``pdf``, printed by
    Chromium: :mod:`trucewatch.report.pdf`) ``out_dir/report.pdf``, creating ``out_dir``.

    Each is rendered first and then replaced atomically, so a failure never leaves a
    half-written file; the files are readable by others (0644 less the umask).
    """
    out_dir = Path(out_dir)
    doc = build_report(inp)
    json_text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    html_text = render_html(inp, doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(out_dir=out_dir, html=out_dir / "report.html", json=out_dir / "report.json")
    _write_atomic(paths.json, json_text)
    _write_atomic(paths.html, html_text)
    if not pdf:
        return paths
    try:
        printed = print_pdf(paths.html, out_dir / "report.pdf")
    except PdfError as exc:
        return dataclasses.replace(paths, pdf_note=str(exc))
    return dataclasses.replace(paths, pdf=printed)


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        readable(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

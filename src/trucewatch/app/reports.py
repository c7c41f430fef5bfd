"""Use case: the daily report of a UTC day (HTML and JSON), published by logging it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from trucewatch.app.agreements import agreements_in_force, stored_agreements
from trucewatch.app.cosign import latest_cosigned_head
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.store import Store
from trucewatch.types import Incident


def N_(message: str) -> str:
    """Mark ``message`` for ``pybabel extract`` (translated when the report is written)."""
    return message


DATA_SOURCES = {
    "satellite_thermal": N_("Satellite fire detections: NASA FIRMS (public domain)."),
    "patrol": N_("Patrol observations as submitted (synthetic where so labelled)."),
}
"""Attribution lines of the sources a report draws on (English; translated per report)."""


def _incident_history(store: Store, day: date, days: int) -> list[tuple[date, int]]:
    """Incidents per day for up to ``days`` days before ``day`` and the day itself,
    starting no earlier than the first day with any observation (days before the data
    begin are unknown, not quiet); far satellite detections are not counted, as in the
    report's headline (:mod:`trucewatch.report.headline`)."""
    first = day - timedelta(days=days)
    earliest = store.first_observation_time(datetime(first.year, first.month, first.day,
                                                     tzinfo=UTC))  # fmt: skip
    if earliest is not None:
        first = max(first, min(earliest.date(), day))
    from trucewatch.report.headline import FAR_FROM_LINE_KM

    per_day = store.incident_counts_per_day(first, day + timedelta(days=1),
                                            far_thermal_km=FAR_FROM_LINE_KM)  # fmt: skip
    span = (day - first).days
    return [(first + timedelta(days=k), per_day.get(first + timedelta(days=k), 0))
            for k in range(span + 1)]  # fmt: skip


def daily_report(
    store: Store, day: date, out_dir: Path, *, history_days: int = 14,
    principal: Principal = OPERATOR, language: str = "en",
) -> dict[str, Any]:
    """Write the daily report for the UTC day ``day`` into ``out_dir`` (HTML, JSON and,
    when Chromium is found, PDF) in ``language`` (en, uk, ru) and publish it: the
    report's JSON is logged in the ledger."""
    require(principal, Permission.MANAGE_MISSION)
    paths = _write_report(store, day, out_dir, history_days, pdf=True, language=language)
    log_index = store.log_publication(f"daily-report:{day.isoformat()}", paths.json.read_bytes())
    return {
        "date": day.isoformat(),
        "language": language,
        "incidents": paths.incidents,
        "far_from_line": paths.far_from_line,
        "html": str(paths.html),
        "json": str(paths.json),
        "pdf": None if paths.pdf is None else str(paths.pdf),
        **({"pdf_note": paths.pdf_note} if paths.pdf_note else {}),
        "ledger_index": log_index,
    }


def render_daily_report(store: Store, day: date, out_dir: Path, *, history_days: int = 14,
                        principal: Principal = OPERATOR,
                        language: str = "en") -> tuple[Path, Path]:  # fmt: skip
    """Write the daily report of ``day`` into ``out_dir`` in ``language`` (en, uk, ru)
    without publishing it (a read: nothing is logged); returns (report.json, report.html)."""
    require(principal, Permission.READ_ALL_REPORTS, Permission.READ_PUBLISHED_REPORTS)
    paths = _write_report(store, day, out_dir, history_days, pdf=False, language=language)
    return paths.json, paths.html


@dataclass(frozen=True)
class _Written:
    json: Path
    html: Path
    incidents: int
    far_from_line: int = 0
    pdf: Path | None = None
    pdf_note: str = ""


def render_incidents(store: Store, day: date, incidents: list[Incident], out_dir: Path, *,
                     history_days: int = 14) -> tuple[Path, Path]:  # fmt: skip
    """Render the report of ``day`` over the given ``incidents`` (e.g. a bulletin's, with
    the reviewed versions) instead of the stored automatic ones; nothing is logged.
    Returns (report.json, report.html). The caller checks permissions."""
    paths = _write_report(store, day, out_dir, history_days, pdf=False, incidents=incidents)
    return paths.json, paths.html


def _write_report(store: Store, day: date, out_dir: Path, history_days: int, *,
                  pdf: bool, language: str = "en", incidents: list[Incident] | None = None
                  ) -> _Written:  # fmt: skip
    from trucewatch.app.claims import claim_dict
    from trucewatch.report import DailyReportInput, write_daily_report
    from trucewatch.report.headline import far_from_line
    from trucewatch.report.words import words

    w = words(language)

    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    if incidents is None:
        incidents = store.incidents(start, end)
    history = _incident_history(store, day, history_days)
    line = store.line_valid_on(day)
    sectors = store.sectors(line.id) if line is not None and line.id is not None else []
    counts = store.observation_counts_by_source(start, end)
    data_sources = [w._(DATA_SOURCES[k]) for k in sorted(counts) if k in DATA_SOURCES]
    if line is not None:
        data_sources.append(w._("Contact line: {name} (valid from {day}), derived from "
                                "control-area maps (DeepStateMap / ISW).", name=line.name,
                                day=line.valid_from))  # fmt: skip
        if line.country_wkt:
            data_sources.append(w._("Country outline: © OpenStreetMap contributors (ODbL)."))
    in_force = agreements_in_force(stored_agreements(store), start, end)
    inp = DailyReportInput(
        day=day,
        generated_at=datetime.now(UTC),
        incidents=incidents,
        history=history,
        history_by_sector=None,
        sectors=sectors,
        line_wkt=None if line is None else line.geometry_wkt,
        control_wkt=None if line is None else line.control_wkt,
        line_name="" if line is None else line.name,
        line_valid_from=None if line is None else line.valid_from,
        controlled_by="RU" if line is None else line.controlled_by,
        other_party="UA" if line is None else line.other_party,
        agreements=[a.agreement for a in in_force],
        observation_counts=counts,
        data_sources=data_sources,
        claims=[claim_dict(c.uid, c.claim, c.signer, c.verdict)
                for c in store.claims.list(start, end)],
        language=w.locale,
        cosigned_head=latest_cosigned_head(store),
    )
    paths = write_daily_report(inp, out_dir, pdf=pdf)
    far = sum(far_from_line(i) for i in incidents)
    return _Written(json=paths.json, html=paths.html, incidents=len(incidents) - far,
                    far_from_line=far, pdf=paths.pdf, pdf_note=paths.pdf_note)  # fmt: skip


def report_fingerprint(store: Store, day: date) -> str:
    """A key that changes whenever anything the day's report shows may have changed (for
    caching rendered reports)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    text = json.dumps(store.report_inputs_state(start), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def report_days(store: Store) -> list[date]:
    """UTC days with at least one incident, oldest first."""
    span = store.incident_time_span()
    if span is None:
        return []
    first, last = (t.astimezone(UTC).date() for t in span)
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]

"""Daily reports for the API: written by :func:`trucewatch.service.daily_report` (the same
code as ``trucewatch report daily``) into a cache folder, once per day and state of the
store, then served as JSON (``report.json``, i.e. ``trucewatch.report.build_report``) or
HTML."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from trucewatch import service
from trucewatch.api.state import AppState
from trucewatch.store import schema as t


def _fingerprint(state: AppState, day: date) -> str:
    """Changes whenever anything the day's report shows may have changed."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    c, o = t.incidents.c, t.observations.c
    with state.read() as conn:
        parts = [
            conn.execute(select(func.count(), func.max(c.fused_at)).where(
                c.time_start >= start - timedelta(days=15), c.time_start < start + timedelta(1)
            )).one(),
            conn.execute(select(func.count()).where(
                o.time_start >= start, o.time_start < start + timedelta(days=1))
            ).scalar(),
            conn.execute(select(func.count(), func.max(t.agreements.c.id))).one(),
            conn.execute(select(func.count(), func.max(t.contact_lines.c.id))).one(),
        ]  # fmt: skip
    text = json.dumps([list(p) if isinstance(p, tuple) else p for p in parts], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def report_files(state: AppState, day: date) -> tuple[Path, Path]:
    """(report.json, report.html) of ``day``, written if not yet cached."""
    key = _fingerprint(state, day)
    folder = state.report_dir / f"{day.isoformat()}-{key}"
    js, html = folder / "report.json", folder / "report.html"
    with state.report_lock:  # matplotlib's pyplot is not thread-safe
        if not js.exists() or not html.exists():
            service.daily_report(state.store, day, folder)
    return js, html


def report_document(state: AppState, day: date) -> dict[str, Any]:
    js, _ = report_files(state, day)
    doc: dict[str, Any] = json.loads(js.read_text(encoding="utf-8"))
    return doc


def report_days(state: AppState) -> list[date]:
    """UTC days with at least one incident, oldest first."""
    c = t.incidents.c
    with state.read() as conn:
        lo, hi = conn.execute(select(func.min(c.time_start), func.max(c.time_start))).one()
    if lo is None:
        return []
    first, last = _day(lo), _day(hi)
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date() if value.tzinfo is None else value.astimezone(UTC).date()
    return date.fromisoformat(str(value)[:10])

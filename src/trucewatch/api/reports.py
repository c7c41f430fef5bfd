"""Daily reports for the API: rendered by :func:`trucewatch.app.reports.render_daily_report`
(the same code as ``trucewatch report daily``, without publishing: a GET never writes the
store) into a cache folder, once per day and state of the store, then served as JSON
(``report.json``, i.e. ``trucewatch.report.build_report``) or HTML, in the language of the
request (each language rendered and cached apart)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from trucewatch.api.state import AppState
from trucewatch.app import reports
from trucewatch.app.roles import Principal


def report_files(state: AppState, day: date, principal: Principal,
                 language: str = "en") -> tuple[Path, Path]:  # fmt: skip
    """(report.json, report.html) of ``day`` in ``language``, rendered if not yet cached."""
    key = reports.report_fingerprint(state.store, day)
    folder = state.report_dir / f"{day.isoformat()}-{key}-{language}"
    js, html = folder / "report.json", folder / "report.html"
    with state.report_lock:  # matplotlib's pyplot is not thread-safe
        if not js.exists() or not html.exists():
            reports.render_daily_report(state.store, day, folder, principal=principal,
                                        language=language)  # fmt: skip
    return js, html


def report_document(state: AppState, day: date, principal: Principal,
                    language: str = "en") -> dict[str, Any]:  # fmt: skip
    js, _ = report_files(state, day, principal, language)
    doc: dict[str, Any] = json.loads(js.read_text(encoding="utf-8"))
    return doc


def report_days(state: AppState) -> list[date]:
    """UTC days with at least one incident, oldest first."""
    return reports.report_days(state.store)

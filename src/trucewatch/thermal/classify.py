"""War-fire likelihood of each FIRMS detection: trucewatch's model and the Economist peer.

**trucewatch** (:func:`assess`) works on cell-days (0.1-degree cell, UTC day) and asks
for each one: is this normal fire activity, or normal activity plus war fire? It is a
two-component mixture fitted to the data being classified (empirical Bayes, EM):

* normal: ``N ~ NB(rate, k)``, the pre-war baseline of that cell and day of year
  (:mod:`trucewatch.thermal.baseline`, industrial sources masked), fixed;
* war: ``N ~ NB(rate + mu, k1)``: the normal activity plus war fire with mean ``mu``
  detections per war cell-day and its own dispersion ``k1`` (both fitted);
* prior probability that a cell-day is a war cell-day, ``pi[band, r]`` (fitted), by
  **where** the cell is - its centre's side of the contact line valid that day and
  distance band (0-10, 10-30, 30-100, > 100 km on the Russian-held side and on the
  Ukrainian-held side, or no line) - and by **recurrence** ``r``: on how many other days
  within ±14 days the cell or one of its 8 neighbours had an anomalous count (0, 1, 2,
  3+; anomalous: ``P(N >= n) < 0.05`` in a normal year). Each ``pi`` is shrunk towards
  the pooled value of its recurrence class with the weight of 200 cell-days.

All cell-days of the period count, with or without detections, except on
low-information days (fewer than a quarter of the normal national total detected:
cloud cover or missing passes), which do not inform the fit. The posterior probability
``P(war | n, band, r)`` of the cell-day, times the share of its detections in excess of
the normal rate (``max(0, 1 - rate / n)``), is the **probability** of each detection;
``war_related`` is ``probability >= 0.5``. Industrial detections (the baseline's
mask) have probability 0.

**economist**: the published thresholds (:mod:`trucewatch.thermal.economist`) on the
same baseline without the industrial mask.

The parts: :mod:`~trucewatch.thermal.model` (:class:`ClassifyParams`,
:class:`ThermalAssessment`), :mod:`~trucewatch.thermal.cell_days` (counts, anomalies,
recurrence and distance bands per cell-day), :mod:`~trucewatch.thermal.mixture` (the
fit), :mod:`~trucewatch.thermal.assessment` (:func:`assess`, per detection) and
:mod:`~trucewatch.thermal.summary` (:func:`summarize`).

:func:`classify` runs both and returns the JSON-able summary of ``trucewatch thermal
classify``. Distances are km (signed: positive on the Russian-held side), days UTC.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.assessment import assess
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.model import ClassifyParams
from trucewatch.thermal.summary import summarize

__all__ = [
    "classify",
    "classify_files",
]


def classify(
    fires: FireTable,
    baseline: Baseline,
    lines: LineHistory | LineContext | None = None,
    params: ClassifyParams | None = None,
    *,
    by_month: bool = True,
) -> dict[str, Any]:
    """Both methods on detections; the JSON-able summary (:func:`summarize`), with
    ``params`` and ``timing_s``."""
    t0 = time.perf_counter()
    a = assess(fires, baseline, lines, params)
    out = summarize(a, by_month=by_month)
    p = params or ClassifyParams()
    out["params"] = _jsonable(asdict(p))
    out["timing_s"] = {k: round(v, 3) for k, v in a.timings.items()}
    out["timing_s"]["classify_total_s"] = round(time.perf_counter() - t0, 3)
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    return x


def classify_files(
    paths: Sequence[str | Path],
    *,
    baseline: Baseline | str | Path,
    control_dir: str | Path | None = None,
    params: ClassifyParams | None = None,
) -> dict[str, Any]:
    """``trucewatch thermal classify FILE... --json``: read FIRMS files, pick the lines of
    contact for their dates from ``control_dir`` (:func:`trucewatch.thermal.lines.
    lines_for_days`; none if ``control_dir`` is None) and classify.

    The result is :func:`classify`'s dict plus ``files``, ``skipped_rows``, ``errors``
    (the first unreadable rows) and ``lines`` (the lines used: ``valid_from``, ``length_km``).
    """
    from trucewatch.thermal.lines import lines_for_days

    t0 = time.perf_counter()
    base = baseline if isinstance(baseline, Baseline) else Baseline.load(baseline)
    fires = read_firms_columns(paths)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    lines = lines_for_days(np.unique(fires.day), control_dir) if control_dir else None
    t_lines = time.perf_counter() - t1
    out = classify(fires, base, lines, params)
    out["files"] = list(fires.files)
    out["skipped_rows"] = fires.skipped
    out["errors"] = [e.as_dict() for e in fires.errors]
    out["lines"] = []
    if lines is not None:
        for d, c in zip(lines.dates, lines.contexts, strict=True):
            out["lines"].append({"valid_from": str(d), "length_km": round(_line_km(c), 1)})
    out["timing_s"]["read_s"] = round(t_read, 3)
    out["timing_s"]["lines_s"] = round(t_lines, 3)
    out["timing_s"]["end_to_end_s"] = round(time.perf_counter() - t0, 3)
    return out


def _line_km(ctx: LineContext) -> float:
    from trucewatch.geo.projection import geodesic_length_km

    return float(geodesic_length_km(ctx.line))

"""The JSON-able summary of an assessment (``trucewatch thermal classify --json``): for
each method, how many detections are war-related and how close to the line they are; the
two methods' agreement; by month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.thermal.model import ThermalAssessment

__all__ = ["DISTANCES_KM", "summarize"]

DISTANCES_KM = (10.0, 30.0, 100.0)
"""Distances (km) of the ``within_*km`` concentration shares."""


def _shares(
    flag: NDArray[np.bool_], distance: NDArray[np.float64], held_by: NDArray[np.object_]
) -> dict[str, Any]:
    n = int(flag.sum())
    out: dict[str, Any] = {"war_related": n}
    d = np.abs(distance[flag])
    for km in DISTANCES_KM:
        with np.errstate(invalid="ignore"):
            within = int(np.sum(d <= km))
        out[f"within_{km:g}km"] = round(within / n, 4) if n else None
    ru = int(np.sum(held_by[flag] == "RU"))
    out["on_russian_held_side"] = round(ru / n, 4) if n else None
    return out


def _agreement(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> dict[str, Any]:
    n = a.size
    both = int(np.sum(a & b))
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    neither = n - both - only_a - only_b
    po = (both + neither) / n if n else float("nan")
    pa, pb = (a.mean(), b.mean()) if n else (0.0, 0.0)
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (po - pe) / (1 - pe) if n and pe < 1 else None
    union = both + only_a + only_b
    return {
        "both": both,
        "trucewatch_only": only_a,
        "economist_only": only_b,
        "neither": neither,
        "cohen_kappa": None if kappa is None else round(float(kappa), 4),
        "jaccard": round(both / union, 4) if union else None,
    }


def summarize(a: ThermalAssessment, *, by_month: bool = True) -> dict[str, Any]:
    """The JSON-able summary printed by ``trucewatch thermal classify --json``."""
    n = len(a)
    tw = _shares(a.war, a.distance_km, a.held_by)
    tw["mean_probability"] = round(float(a.probability.mean()), 4) if n else None
    ec = _shares(a.economist.war, a.distance_km, a.held_by)
    ec["anomalous_cell_days"] = a.economist.anomalous_cell_days
    ec["qualified_cells"] = a.economist.qualified_cells
    every = _shares(np.ones(n, dtype=bool), a.distance_km, a.held_by)
    every.pop("war_related")
    day = a.fires.day
    out: dict[str, Any] = {
        "detections": n,
        "first_day": str(day.min()) if n else None,
        "last_day": str(day.max()) if n else None,
        "outside_grid": int(np.sum(a.cell < 0)),
        "industrial_masked": int(a.industrial.sum()),
        "located": int(np.isfinite(a.distance_km).sum()),
        "methods": {"trucewatch": tw, "economist": ec},
        "agreement": _agreement(a.war, a.economist.war),
        "all_detections": every,
        "low_information_days": [str(x) for x in a.low_information_days],
        "fit": a.fit,
    }
    if by_month and n:
        out["by_month"] = _by_month(a)
    return out


def _by_month(a: ThermalAssessment) -> list[dict[str, Any]]:
    month = a.fires.day.astype("datetime64[M]")
    rows = []
    for m in np.unique(month):
        sel = month == m
        tw = _shares(a.war[sel], a.distance_km[sel], a.held_by[sel])
        ec = _shares(a.economist.war[sel], a.distance_km[sel], a.held_by[sel])
        agr = _agreement(a.war[sel], a.economist.war[sel])
        rows.append({
            "month": str(m),
            "detections": int(sel.sum()),
            "trucewatch": tw,
            "economist": ec,
            "cohen_kappa": agr["cohen_kappa"],
            "jaccard": agr["jaccard"],
        })  # fmt: skip
    return rows

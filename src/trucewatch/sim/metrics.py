"""The arithmetic of evaluation metrics, on arrays of already matched incidents.

Pure functions, no matching and no truth files (:mod:`trucewatch.sim.evaluation` matches
and assembles): rounding for JSON, ratios and F1, the reliability table and expected
calibration error of a confidence, precision per review status, and the ratio of
location error to the Cramér-Rao bound. Definitions in docs/simulator.md, "Evaluation".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "REPORTED_STATUSES",
    "bin_index",
    "crlb_ratios",
    "expected_calibration_error",
    "f1",
    "median_or_none",
    "precision_by_status",
    "ratio",
    "reliability",
    "rounded",
]

REPORTED_STATUSES = ("confirmed", "probable", "possible", "unverified")
"""The review statuses of reported incidents, most certain first (``refuted`` apart)."""


def rounded(x: float | None, nd: int = 4) -> float | None:
    """``x`` rounded to ``nd`` decimals for JSON; None when undefined or not finite."""
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def ratio(num: int, den: int) -> float | None:
    """num / den; None when den is 0 (undefined)."""
    return None if den == 0 else num / den


def f1(precision: float | None, recall: float | None, n_events: int) -> float | None:
    """2PR / (P + R); 0 when either is 0 or undefined with truth present (``n_events``
    true events), None without truth."""
    if precision is None or recall is None:
        return 0.0 if n_events else None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def bin_index(confidence: NDArray[np.float64], bins: int) -> NDArray[np.int64]:
    """The equal-width bin of [0, 1] of each confidence (1.0 in the last bin; values
    outside [0, 1] clipped into the first or last)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.searchsorted(edges, confidence, side="right") - 1
    return np.clip(idx, 0, bins - 1).astype(np.int64)


def reliability(confidence: NDArray[np.float64], true: NDArray[np.bool_],
                bins: int) -> list[dict[str, Any]]:  # fmt: skip
    """The reliability table: per equal-width confidence bin, its bounds, the number of
    incidents, their mean confidence and the share of them that are true."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = bin_index(confidence, bins)
    out = []
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        out.append({
            "confidence_min": round(float(edges[b]), 3),
            "confidence_max": round(float(edges[b + 1]), 3),
            "incidents": n,
            "mean_confidence": rounded(float(confidence[m].mean())) if n else None,
            "share_true": rounded(float(true[m].mean())) if n else None,
        })  # fmt: skip
    return out


def expected_calibration_error(confidence: NDArray[np.float64], true: NDArray[np.bool_],
                               bins: int) -> float | None:  # fmt: skip
    """ECE = sum over the equal-width bins of (n_b / N) |mean confidence_b - share true_b|
    (0 for a perfectly calibrated confidence, at most 1); None without incidents."""
    n = confidence.size
    if n == 0:
        return None
    idx = bin_index(confidence, bins)
    conf_sum = np.bincount(idx, weights=confidence, minlength=bins)
    true_sum = np.bincount(idx, weights=true.astype(float), minlength=bins)
    return float(np.abs(conf_sum - true_sum).sum() / n)  # sum_b n_b/N |conf_b - true_b|


def precision_by_status(statuses: Sequence[str | None],
                        matched: NDArray[np.bool_]) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Per reported status (:data:`REPORTED_STATUSES`): incidents of that status, how many
    matched a true site, and their precision (None without incidents of the status)."""
    status = np.array([s or "" for s in statuses], dtype=object)
    out = {}
    for key in REPORTED_STATUSES:
        mask = status == key
        n, k = int(mask.sum()), int((matched & mask).sum())
        out[key] = {"incidents": n, "matched": k, "precision": rounded(ratio(k, n))}
    return out


def crlb_ratios(dist_km: NDArray[np.float64], bound_km: NDArray[np.float64]
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """(ratios of the matches with a bound, ratios of all matches) of location error to
    the site's Cramér-Rao bound. A match has a bound when it is finite and positive; in
    the second array a match without one counts as +inf (no bound reached)."""
    has_bound = np.isfinite(bound_km) & (bound_km > 0)
    every = np.full(dist_km.shape, math.inf)
    every[has_bound] = dist_km[has_bound] / bound_km[has_bound]
    return every[has_bound], every


def median_or_none(values: NDArray[np.float64]) -> float | None:
    """The median rounded for JSON; None when there are no values or it is infinite."""
    return rounded(float(np.median(values))) if values.size else None

"""The parameters and the per-detection result of trucewatch's war-fire model.

:class:`ClassifyParams` holds the parameters of :func:`trucewatch.thermal.assessment.assess`
(the model is described in :mod:`trucewatch.thermal.classify`), :class:`ThermalAssessment`
its per-detection result, and :func:`band_names` names the distance bands of the prior.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.thermal.columns import FireTable
from trucewatch.thermal.economist import EconomistParams, EconomistResult

__all__ = ["ClassifyParams", "ThermalAssessment", "band_names"]


@dataclass(frozen=True, kw_only=True)
class ClassifyParams:
    """Parameters of :func:`~trucewatch.thermal.assessment.assess` (see the model in
    :mod:`trucewatch.thermal.classify`).

    Attributes
    ----------
    alpha : float
        Normal-year tail probability below which a cell-day is anomalous (recurrence).
    recurrence_days : int
        Half width (days) of the recurrence window.
    recurrence_cap : int
        Recurrence classes 0 .. cap (cap means "cap or more").
    neighbourhood : int
        Cells (n x n) around a cell searched for recurrence.
    band_edges_km : tuple of float
        Distance band edges (km), the same on both sides of the line.
    threshold : float
        ``war_related`` when the probability is at least this.
    prior_strength : float
        Shrinkage of each month's ``pi`` towards its class over the whole period (same
        band and recurrence), in cell-days.
    min_reference_cell_days : float
        Cell-days the reference band needs in a month to serve as that month's
        reference (else the whole period's).
    max_iterations, tolerance : int, float
        Stopping rule of the L-BFGS fit (iterations per stage; relative change of the
        objective).
    info_fraction : float
        A day is low-information when fewer detections than this share of the expected
        national total (normal rates times the activity factor) were seen: cloud cover or
        missing passes (0 disables the test).
    activity_factor : bool
        Multiply the normal rates by the day's activity factor, observed over expected
        detections within ±7 days in cells more than 100 km from the line on the
        Ukrainian-held side (:func:`trucewatch.thermal.baseline.activity_factor`): the
        year's weather, farming calendar and satellite coverage, estimated where there is
        no war.
    scale : float
        Fixed multiplier of the baseline rates (both methods; e.g. another instrument).
    causal : bool
        Recurrence from past days only (for live use); default both ways.
    economist : EconomistParams
        Thresholds of the peer method.
    """

    alpha: float = 0.05
    recurrence_days: int = 14
    recurrence_cap: int = 3
    neighbourhood: int = 3
    band_edges_km: tuple[float, ...] = (10.0, 30.0, 100.0)
    threshold: float = 0.5
    prior_strength: float = 200.0
    min_reference_cell_days: float = 2000.0
    max_iterations: int = 300
    tolerance: float = 1e-8
    info_fraction: float = 0.25
    activity_factor: bool = True
    scale: float = 1.0
    causal: bool = False
    economist: EconomistParams = field(default_factory=EconomistParams)


def band_names(edges: Sequence[float]) -> tuple[str, ...]:
    """Names of the distance bands: ``"none"``, then the Russian-held side, then the
    Ukrainian-held side, nearest first (``"RU 0-10 km"`` ... ``"UA >100 km"``)."""
    bounds = [0.0, *edges]
    parts = [f"{bounds[i]:g}-{bounds[i + 1]:g} km" for i in range(len(edges))]
    parts.append(f">{bounds[-1]:g} km")
    return ("none", *(f"RU {p}" for p in parts), *(f"UA {p}" for p in parts))


@dataclass(frozen=True)
class ThermalAssessment:
    """Per-detection results of :func:`~trucewatch.thermal.assessment.assess` (arrays of
    ``len(fires)``).

    Attributes
    ----------
    fires : FireTable
        The detections.
    cell : ndarray of int64
        0.1-degree cell (-1: outside the grid).
    distance_km : ndarray of float64
        Signed distance to the line valid that day (positive: Russian-held side); NaN
        without a line.
    held_by, sector : ndarray of object
        Party holding the point and sector of the nearest point of the line (or None).
    line_index : ndarray of int64
        Line of the history used (-1: none).
    industrial : ndarray of bool
        In the baseline's industrial mask.
    count, expected, p_value : ndarrays
        trucewatch counts of the cell-day (industrial detections left out), the normal
        rate and ``P(N >= count)`` in a normal year.
    anomalous : ndarray of bool
        ``p_value < alpha``.
    recurrence : ndarray of int64
        Other days with anomalous counts within the window and neighbourhood (capped).
    band : ndarray of int64
        Distance band of the cell centre (index into ``band_names``).
    posterior : ndarray of float64
        Probability that the cell-day is a war cell-day.
    probability : ndarray of float64
        Probability that the detection is a war fire.
    war : ndarray of bool
        trucewatch's ``war_related`` flag.
    economist : EconomistResult
        The peer method's flags.
    fit : dict
        Fitted parameters and diagnostics (JSON-able).
    """

    fires: FireTable
    cell: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    held_by: NDArray[np.object_]
    sector: NDArray[np.object_]
    line_index: NDArray[np.int64]
    industrial: NDArray[np.bool_]
    count: NDArray[np.int64]
    expected: NDArray[np.float64]
    p_value: NDArray[np.float64]
    anomalous: NDArray[np.bool_]
    recurrence: NDArray[np.int64]
    band: NDArray[np.int64]
    posterior: NDArray[np.float64]
    probability: NDArray[np.float64]
    war: NDArray[np.bool_]
    economist: EconomistResult
    fit: dict[str, Any]
    band_names: tuple[str, ...]
    low_information_days: NDArray[np.datetime64]
    timings: dict[str, float]

    def __len__(self) -> int:
        return int(self.cell.size)

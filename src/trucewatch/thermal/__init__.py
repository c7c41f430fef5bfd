"""trucewatch.thermal: satellite fire detections (NASA FIRMS) as evidence of war fire.

Modules
-------
columns
    FIRMS CSV files (full and minimal shapes) read into numpy columns (:class:`FireTable`).
grid
    The 0.1-degree analysis grid and days of year.
stats
    Negative binomial and Poisson probabilities (vectorized).
climatology
    The normal-year baseline (:class:`Baseline`): rates per cell and day of year, their
    dispersion, the industrial mask; saved as ``.npz``.
baseline
    Building the baseline from the pre-war years, with the industrial mask and the Donbas
    2014-2021 exclusion (:func:`build_baseline`).
donbas
    The approximate 2015-2022 line of contact in Donbas.
classify
    War-fire probability per detection (trucewatch's mixture model, described there) and
    the peer method: :func:`classify` and :func:`classify_files`, from its parts:
model
    The model's parameters (:class:`ClassifyParams`) and per-detection result
    (:class:`ThermalAssessment`).
cell_days
    Counts, normal rates, anomalies, recurrence and distance bands per cell-day.
mixture
    The two-component mixture and its fit.
assessment
    :func:`assess`: both methods on detections.
summary
    The JSON-able summary of an assessment (:func:`summarize`).
economist
    The Economist's published thresholds, re-implemented.
truce
    Counts before, during and after a truce; rate ratio with a confidence interval; chart.
rate_ratio
    Rate ratios of daily counts (Poisson exact, negative binomial Wald) and the placebo.
fusion
    Uids of war-related detections for :class:`trucewatch.agreements.verdicts.AssessContext`.
lines
    Lines of contact from the shared control maps (ISW 2023, DeepStateMap).
report_docs
    Regenerates the numbers and charts of ``docs/thermal.md``.

The ``trucewatch thermal ...`` and ``trucewatch truce-effect`` use cases are in
:mod:`trucewatch.app.thermal`.
Conventions: WGS84 lon/lat degrees, km, UTC days; see ``docs/thermal.md``.
"""

from __future__ import annotations

from trucewatch.thermal.assessment import assess
from trucewatch.thermal.baseline import build_baseline
from trucewatch.thermal.classify import classify, classify_files
from trucewatch.thermal.climatology import Baseline, BaselineParams
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.economist import EconomistParams, economist_classify
from trucewatch.thermal.fusion import war_fire_uids, war_fire_uids_from_records
from trucewatch.thermal.model import ClassifyParams, ThermalAssessment
from trucewatch.thermal.rate_ratio import rate_ratio
from trucewatch.thermal.summary import summarize
from trucewatch.thermal.truce import plot_truce, truce_effect, truce_effect_for_files

__all__ = [
    "Baseline",
    "BaselineParams",
    "ClassifyParams",
    "EconomistParams",
    "FireTable",
    "ThermalAssessment",
    "assess",
    "build_baseline",
    "classify",
    "classify_files",
    "economist_classify",
    "plot_truce",
    "rate_ratio",
    "read_firms_columns",
    "summarize",
    "truce_effect",
    "truce_effect_for_files",
    "war_fire_uids",
    "war_fire_uids_from_records",
]

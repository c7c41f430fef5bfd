"""trucewatch.thermal: satellite fire detections (NASA FIRMS) as evidence of war fire.

Modules
-------
columns
    FIRMS CSV files (full and minimal shapes) read into numpy columns (:class:`FireTable`).
grid
    The 0.1-degree analysis grid and days of year.
baseline
    Normal-year climatology per cell and day of year from the pre-war years, with the
    industrial mask and the Donbas 2014-2021 exclusion; saved as ``.npz``.
donbas
    The approximate 2015-2022 line of contact in Donbas.
classify
    War-fire probability per detection (trucewatch's mixture model) and the peer method.
economist
    The Economist's published thresholds, re-implemented.
truce
    Counts before, during and after a truce; rate ratio with a confidence interval; chart.
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

from trucewatch.thermal.baseline import Baseline, BaselineParams, build_baseline
from trucewatch.thermal.classify import (
    ClassifyParams,
    ThermalAssessment,
    assess,
    classify,
    classify_files,
    summarize,
)
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.economist import EconomistParams, economist_classify
from trucewatch.thermal.fusion import war_fire_uids, war_fire_uids_from_records
from trucewatch.thermal.truce import plot_truce, rate_ratio, truce_effect, truce_effect_for_files

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

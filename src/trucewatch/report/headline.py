"""What the daily report counts in its headline, and how firmly it words attribution.

* **Far satellite detections.** A satellite fire detection (an incident of kind
  ``thermal_anomaly``) farther than :data:`FAR_FROM_LINE_KM` from the line of contact is
  listed apart (``far_from_line`` in ``report.json``, its own paragraph in the page) and
  left out of the headline count, the tables, the map and the trend: at that distance a
  hotspot is far more often a field, forest or industrial fire than an artillery impact
  (``trucewatch thermal classify`` on the 1,773 FIRMS detections of 12-14 August 2025:
  47 % of all detections lay within 30 km of the line, 87 % of those judged war-related).
  30 km is about the range of tube artillery and most rocket artillery; deep strikes
  beyond it are real, but a lone hotspot cannot tell them from a burning field.
  Incidents with no known distance (no line) stay in the headline.
* **Conditional attribution.** Below an incident confidence of
  :data:`ATTRIBUTION_MIN_CONFIDENCE` the party is worded as conditional ("if it occurred:
  RU more likely, 0.90"), because the probability is that of the origin *given* that the
  incident happened: at confidence 0.50 "RU (0.90)" would read as an accusation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from trucewatch.report.inputs import DailyReportInput
from trucewatch.report.words import ENGLISH, Words
from trucewatch.types import UNDETERMINED_PARTY, EventKind, Incident

FAR_FROM_LINE_KM = 30.0
"""Satellite detections farther than this from the line (km) are reported apart."""
ATTRIBUTION_MIN_CONFIDENCE = 0.75
"""Below this incident confidence, attribution is worded as conditional."""


def far_from_line(inc: Incident, far_km: float = FAR_FROM_LINE_KM) -> bool:
    """Whether ``inc`` is a satellite detection farther than ``far_km`` from the line."""
    d = inc.line_distance_km
    return str(inc.kind) == EventKind.THERMAL_ANOMALY.value and d is not None and abs(d) > far_km


def headline_input(inp: DailyReportInput) -> tuple[DailyReportInput, list[Incident]]:
    """The report's input without the far satellite detections, and those detections."""
    far = [i for i in inp.incidents if far_from_line(i)]
    if not far:
        return inp, []
    kept = [i for i in inp.incidents if not far_from_line(i)]
    return dataclasses.replace(inp, incidents=kept), far


def firm_attribution(confidence: float | None) -> bool:
    """Whether an incident is confident enough for its attribution to be stated plainly."""
    return confidence is not None and confidence >= ATTRIBUTION_MIN_CONFIDENCE


def attribution_text(att: Mapping[str, Any], confidence: float | None,
                     w: Words = ENGLISH) -> str:  # fmt: skip
    """``RU (0.90)``; ``if it occurred: RU more likely (0.90)`` below the confidence of
    :data:`ATTRIBUTION_MIN_CONFIDENCE`; ``undetermined (RU 0.45)`` with the likeliest
    party; or the party alone (in the words of ``w``; party codes stay as they are)."""
    probs = att["probabilities"]
    party = att["party"] or UNDETERMINED_PARTY
    if party != UNDETERMINED_PARTY and probs.get(party) is not None:
        if firm_attribution(confidence):
            return f"{party} ({w.dec(probs[party])})"
        return w._("if it occurred: {party} more likely ({probability})", party=party,
                   probability=w.dec(probs[party]))  # fmt: skip
    if probs:
        best = max(probs.items(), key=lambda kv: (kv[1] or 0.0, kv[0]))
        if best[1] is not None:
            return w._("undetermined ({party} {probability})", party=best[0],
                       probability=w.dec(best[1]))  # fmt: skip
    return w.label(party)

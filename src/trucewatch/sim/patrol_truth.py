"""``patrol_truth.jsonl``: what each patrol event really stems from (evaluation only).

Written beside ``truth.jsonl`` when the patrols report totals or make mistakes
(``report_style = "totals"`` or ``mistaken_per_team_day > 0``); never imported. One JSON
object per patrol event, in file order:

``report_id``, ``event_index``, ``observation_uid`` (the uid ``trucewatch import`` gives
the event), ``team``; ``mistaken`` (null, ``phantom`` or ``wrong_direction``);
``episodes`` (ids of the true episodes whose sounds the event counts), ``sites``
(``E0000012:impact``, ...: the sites heard) and ``misjudged`` (a wrong direction: the
episode whose sound was misjudged). Totals add ``window_start``/``window_end`` (the
reporting window, UTC), ``true_count`` (rounds heard), ``vague`` (null, ``at_least``,
``missing``), ``true_distance_km`` ([nearest, farthest] km), ``distance_scale`` (the
judgement error g of :mod:`trucewatch.sim.patrol_totals`) and ``true_directions`` (the
compass words of the true bearings).

An aggregated event covers many episodes: ``truth.jsonl`` lists its uid under every site
it covers (so each is a target that was observed), and evaluation matches incidents to
sites one to one, so an incident built on it is credited with at most one of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim.detections import Detections
from trucewatch.sim.patrol_mistakes import MISTAKES, WRONG_DIRECTION
from trucewatch.sim.patrol_totals import AT_LEAST, MISSING, compass_words
from trucewatch.sim.sensor_specs import PatrolSpec
from trucewatch.sim.violations import episode_id

__all__ = ["PATROL_TRUTH_FILE", "event_truth", "patrol_truth_wanted", "totals_truth"]

PATROL_TRUTH_FILE = "patrol_truth.jsonl"
VAGUE = {0: None, AT_LEAST: "at_least", MISSING: "missing"}


def patrol_truth_wanted(p: PatrolSpec) -> bool:
    """Whether the patrols' reports need ``patrol_truth.jsonl`` (totals or mistakes)."""
    return p.report_style == "totals" or p.mistaken_per_team_day > 0


def _site_label(j: int) -> str:
    return f"{episode_id(j // 2)}:{'impact' if j % 2 == 0 else 'origin'}"


def event_truth(report_id: str, index: int, uid: str, team: int, det: Detections,
                rows: list[int]) -> dict[str, Any]:  # fmt: skip
    """What event ``index`` of a report, made of detection ``rows``, stems from."""
    site = det.site[rows]
    real = sorted({int(j) for j in site if j >= 0})
    code = det.extra["mistaken"][rows]
    misjudged = det.extra["like_site"][rows][code == WRONG_DIRECTION]
    return {
        "report_id": report_id,
        "event_index": index,
        "observation_uid": uid,
        "team": team,
        "mistaken": MISTAKES[int(code.max())],
        "episodes": sorted({episode_id(j // 2) for j in real}),
        "sites": [_site_label(j) for j in real],
        "misjudged": sorted({episode_id(int(j) // 2) for j in misjudged}),
    }


def totals_truth(det: Detections, rows: list[int], rounds: NDArray[np.int64],
                 true_bearing: NDArray[np.float64]) -> dict[str, Any]:  # fmt: skip
    """The totals' part of an event's truth (``true_bearing``: degrees from true north of
    each row's sound)."""
    x, first = det.extra, rows[0]
    km = x["true_km"][rows]
    return {
        "true_count": int(rounds[x["like_site"][rows] // 2].sum()),
        "vague": VAGUE[int(x["vague"][first])],
        "true_distance_km": [round(float(km.min()), 3), round(float(km.max()), 3)],
        "distance_scale": round(float(x["distance_scale"][first]), 4),
        "true_directions": compass_words(true_bearing[rows]),
    }

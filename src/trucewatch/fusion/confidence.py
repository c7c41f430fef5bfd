"""Confidence that an incident is real, from the grading of its independent sources.

Each observation gets a probability from its NATO Admiralty grading (reliability A-F of the
source, credibility 1-6 of the information). Observations from the same source (same kind
and source id: one patrol team, one satellite, one party) are not independent: a source
counts once, with its best observation. Independent sources combine in log-odds from an
even prior: ``logit(c) = sum_g logit(p_g)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from trucewatch.types import IncidentStatus

RELIABILITY_P: dict[str, float] = {
    "A": 0.90, "B": 0.80, "C": 0.70, "D": 0.60, "E": 0.40, "F": 0.55,
}  # fmt: skip
"""Probability that a report from a source of this reliability describes a real event."""

CREDIBILITY_FACTOR: dict[int, float] = {1: 1.0, 2: 0.9, 3: 0.75, 4: 0.5, 5: -0.5, 6: 0.6}
"""Scales the source's evidence (its distance from 0.5) by the credibility of the item:
1 confirmed ... 5 improbable (evidence against), 6 cannot be judged."""

CONFIDENCE_CAP = 0.999


def observation_probability(reliability: str, credibility: int) -> float:
    """Probability (0-1) that one graded observation reports a real event."""
    p = RELIABILITY_P.get(reliability.upper(), RELIABILITY_P["F"])
    factor = CREDIBILITY_FACTOR.get(int(credibility), CREDIBILITY_FACTOR[6])
    return 0.5 + (p - 0.5) * factor


def logit(p: float) -> float:
    """Log-odds of ``p``, clipped to the confidence cap."""
    p = min(max(p, 1.0 - CONFIDENCE_CAP), CONFIDENCE_CAP)
    return math.log(p / (1.0 - p))


def combined_log_odds(pair: NDArray[np.int64], pair_cluster: NDArray[np.int64],
                      p: NDArray[np.float64], k: int
                      ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:  # fmt: skip
    """Vectorized combination for ``k`` incidents: item ``i`` (probability ``p[i]``) is
    from the source pair ``pair[i]``, and pair ``j`` belongs to incident
    ``pair_cluster[j]``. Each pair (one source in one incident) counts once, with its
    highest probability; returns each incident's log-odds (clipped to the cap) and its
    number of independent sources."""
    best = np.zeros(pair_cluster.size)
    np.maximum.at(best, pair, p)
    best = np.clip(best, 1.0 - CONFIDENCE_CAP, CONFIDENCE_CAP)
    cap = logit(CONFIDENCE_CAP)
    log_odds = np.bincount(pair_cluster, weights=np.log(best / (1.0 - best)), minlength=k)
    return (np.clip(log_odds, -cap, cap).astype(np.float64),
            np.bincount(pair_cluster, minlength=k).astype(np.int64))  # fmt: skip


def combine(grouped: Iterable[tuple[str, float]]) -> tuple[float, int]:
    """Combine ``(source_key, probability)`` items into ``(confidence, independent_sources)``.

    Items sharing a source key count once, with the highest probability among them.
    """
    codes: dict[str, int] = {}
    pair, probs = [], []
    for key, p in grouped:
        pair.append(codes.setdefault(key, len(codes)))
        probs.append(p)
    if not codes:
        return 0.5, 0
    log_odds, n = combined_log_odds(np.asarray(pair, dtype=np.int64),
                                    np.zeros(len(codes), dtype=np.int64),
                                    np.asarray(probs, dtype=float), 1)  # fmt: skip
    confidence = 1.0 / (1.0 + math.exp(-float(log_odds[0])))
    return min(max(confidence, 1.0 - CONFIDENCE_CAP), CONFIDENCE_CAP), int(n[0])


POSSIBLE_FROM = 0.5
"""Confidence from which an incident is ``possible`` (below: ``unverified``): an even chance."""
PROBABLE_FROM = 0.8
"""Confidence from which a corroborated incident is ``probable``: "very likely" (80-95%) in
the probability bands of US Intelligence Community Directive 203 (analytic standards)."""
CONFIRMED_FROM = 0.95
"""Confidence from which a corroborated incident is ``confirmed``: "almost certain" (95-99%)
in ICD 203's bands."""


def status_for(confidence: float, independent_sources: int) -> IncidentStatus:
    """Status from confidence (the bands of ICD 203): < 0.5 unverified, < 0.8 possible,
    < 0.95 probable, and confirmed at >= 0.95, probable and confirmed only with two or more
    independent sources. An uncorroborated detection (one independent source: one array,
    one camera, one patrol team, one satellite, one party) is never more than possible,
    whatever its confidence: a single sensor's false alarm is indistinguishable from a real
    event when nothing contradicts it."""
    if confidence < POSSIBLE_FROM:
        return IncidentStatus.UNVERIFIED
    if confidence < PROBABLE_FROM or independent_sources < 2:
        return IncidentStatus.POSSIBLE
    if confidence >= CONFIRMED_FROM:
        return IncidentStatus.CONFIRMED
    return IncidentStatus.PROBABLE

"""The capture histories of the totals from the engine's incidents, and the estimated
total of every sector and UTC day (docs/claims.md, "What is counted").

Counted: incidents with a sector, seen by a monitoring list, that the engine judges at
least *possible* (:data:`COUNTED`). Each is weighted by its confidence, the probability
that it is real: a false alarm seen by one list alone would otherwise pass for a real
event the other lists missed. Incidents of one violation are linked first
(:func:`trucewatch.claims.linkage.link_sites`): their histories are merged and the
violation is real if either is (weight ``1 - (1 - c1)(1 - c2)``).

An incident longer than an hour (:func:`trucewatch.claims.linkage.resolved`) holds an
unknown number of violations, so every stratum with one is estimated twice: with it
counted as one violation, and without it (its violations then count as unseen by its
lists); the estimate is the mean of the two and its interval their union
(:func:`trucewatch.claims.estimate.either_reading`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date

import numpy as np
from numpy.typing import NDArray

from trucewatch.claims.estimate import Estimate, either_reading, estimate_total
from trucewatch.claims.linkage import link_sites, resolved
from trucewatch.geo.projection import to_local_km
from trucewatch.types import Incident

__all__ = ["COUNTED", "sector_day_captures", "sector_day_estimates"]

COUNTED = frozenset({"confirmed", "probable", "possible"})
"""Incident statuses the totals count (unverified and refuted ones are mostly false
alarms)."""
LONG_NOTE = "leaving out the incidents longer than an hour"

Captures = dict[tuple[str, date], tuple[NDArray[np.bool_], NDArray[np.float64]]]


def _counted(incidents: Sequence[Incident], lists: tuple[str, ...]) -> list[Incident]:
    return [i for i in incidents if i.sector and i.status.value in COUNTED
            and any(k.value in lists for k in i.source_kinds)]  # fmt: skip


def sector_day_captures(incidents: Sequence[Incident], lists: tuple[str, ...]) -> Captures:
    """Per (sector, UTC day): the capture histories ((n, L) bool over ``lists``) of the
    violations seen and the probability that each is real, from the ``incidents`` (all
    are taken as counted: filter with :data:`COUNTED` first)."""
    if not incidents:
        return {}
    x, y = to_local_km([i.location.lon for i in incidents], [i.location.lat for i in incidents])
    group = link_sites(np.column_stack([x, y]),
                       np.array([i.time_start.timestamp() for i in incidents]),
                       np.array([i.held_by or "" for i in incidents], dtype=object))  # fmt: skip
    kinds = [{s.value for s in i.source_kinds} for i in incidents]
    histories = np.array([[k in ks for k in lists] for ks in kinds], dtype=bool)
    merged = np.zeros_like(histories)
    np.logical_or.at(merged, group, histories)
    missed = np.ones(len(incidents))  # probability that no incident of the group is real
    np.multiply.at(missed, group, 1.0 - np.array([i.confidence for i in incidents]))
    strata: dict[tuple[str, date], tuple[list[NDArray[np.bool_]], list[float]]] = {}
    for g in np.unique(group):
        i = incidents[int(g)]
        assert i.sector is not None
        h, w = strata.setdefault((i.sector, i.time_start.astimezone(UTC).date()), ([], []))
        h.append(merged[g])
        w.append(1.0 - float(missed[g]))
    return {key: (np.array(h, dtype=bool).reshape(-1, len(lists)), np.array(w))
            for key, (h, w) in sorted(strata.items())}  # fmt: skip


def sector_day_estimates(incidents: Sequence[Incident], lists: tuple[str, ...], *,
                         criterion: str = "aic") -> dict[tuple[str, date], Estimate]:  # fmt: skip
    """The estimated total of every (sector, UTC day) with a counted incident seen by one
    of the monitoring ``lists``."""
    use = _counted(incidents, lists)
    duration = np.array([(i.time_end - i.time_start).total_seconds() for i in use])
    short = resolved(duration)
    every = sector_day_captures(use, lists)
    if short.all():
        long_days: set[tuple[str, date]] = set()
        without: Captures = every
    else:
        long_days = {(i.sector, i.time_start.astimezone(UTC).date())
                     for i, ok in zip(use, short, strict=True) if not ok and i.sector}  # fmt: skip
        without = sector_day_captures([i for i, ok in zip(use, short, strict=True) if ok],
                                      lists)  # fmt: skip
    empty = (np.zeros((0, len(lists)), dtype=bool), np.zeros(0))
    out = {}
    for key, (h, w) in every.items():
        e = estimate_total(h, lists, weights=w, criterion=criterion)
        if key in long_days:
            hb, wb = without.get(key, empty)
            e = either_reading(e, estimate_total(hb, lists, weights=wb, criterion=criterion),
                               LONG_NOTE)  # fmt: skip
        out[key] = e
    return out

"""Scoring incidents against the ground truth of a simulation.

**Targets.** Each true episode has two *sites*: its impact and its origin (firing
position), each with the time window of its sound (an impact's window extends to the end
of the fire it started, which a satellite may see hours later). An incident may match
either site: an engine that reports the launch and the impact as two incidents has two
true incidents; one that fuses them into one has one. Only sites with at least one
observation are targets: nothing can be known of a site no sensor reported, so an
incident near one (from the evidence of a neighbouring episode of the same burst) is not
credited, and recall can never exceed ``oracle_recall``.

**Gates.** An incident and a site can match when the incident's location is within
``space_km`` (default 5 km) of the site and the incident's time window comes within
``time_s`` (default 900 s) of the site's window (overlapping windows: gap 0).

**Assignment.** One-to-one (each incident at most one site, each site at most one
incident) by :func:`scipy.optimize.linear_sum_assignment` on the cost
``(d / space_km)^2 + (gap / time_s)^2``, solved per connected component of the gated
pairs; pairs outside the gates cost 1e6, so the most pairs are matched first and the
closest among equally many.

**Metrics** (the contract keys of ``trucewatch evaluate --json`` first, see docs/simulator.md):

* ``precision`` = matched incidents / reported incidents (``None`` if none reported);
  incidents the engine itself marked ``refuted`` (it judged they did not happen) are not
  reported incidents: they are counted apart (``refuted_incidents``);
* ``recall`` = episodes with at least one matched site / episodes (``None`` without
  truth); ``f1`` = 2PR / (P + R), 0 when either is 0 or undefined with truth present;
* ``oracle_recall`` = episodes with at least one observation / episodes;
* ``loc_error_km_median``/``_p90`` = distance from each matched incident to its site;
* ``crlb_ratio_median`` = median of error / bound over matched incidents whose site has
  a finite Cramér-Rao bound (the median error of an efficient estimator, see
  :mod:`trucewatch.sim.crlb`; 1.0 for an engine at the bound);
* ``attribution_accuracy`` = matched incidents whose attributed party is the firing
  party / matched incidents with a determined party (``attribution_rate`` = the share
  determined; ``attribution_accuracy_all`` counts undetermined as wrong);
* ``runtime_s`` = the engine's run time when given, else the evaluation's own
  (``runtime_of`` says which).

**Honest metrics** beside them (arithmetic in :mod:`trucewatch.sim.metrics`):

* ``precision_by_status`` = per status (confirmed, probable, possible, unverified) the
  incidents, the matched ones and their precision; ``refuted`` apart: refuted incidents
  matched (same gates, one-to-one) to a target site no reported incident matched, and
  their ``share_real`` (the engine's refutations of real events);
* ``calibration_ece`` = expected calibration error of the confidence over the
  ``calibration`` bins: sum of (n_b / N) |mean confidence_b - share matched_b|;
* ``crlb_ratio_median_all`` = median of error / bound over all matched incidents, a match
  whose site has no finite bound counting as +inf (``crlb_matched_without_bound`` of them);
* ``recall_over_oracle`` = recall / oracle recall (detected / observable episodes) and
  ``f1_observable`` = F1 with that recall;
* ``precision_strict``, ``recall_strict``, ``f1_strict`` = the same scores under
  :data:`STRICT_GATES` (1 km, 300 s; ``strict_gates``);
* ``assessed`` = precision, recall over the oracle and F1 of observable events over the
  incidents the engine *assessed* at ``possible`` or above (:data:`ASSESSED_STATUSES`):
  an ``unverified`` incident (confidence below 0.5) is a lead for an analyst, more likely
  false than real, which a mission would not count as an incident; beside the headline
  figures over every reported incident, never instead of them. Incidents without a status
  (the benchmark's peers) are all assessed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching
from scipy.spatial import cKDTree

from trucewatch.geo.projection import to_local_km
from trucewatch.sim.metrics import (
    crlb_ratios,
    expected_calibration_error,
    f1,
    median_or_none,
    precision_by_status,
    ratio,
    reliability,
    rounded,
)
from trucewatch.sim.truth import Truth, read_truth
from trucewatch.types import UNDETERMINED_PARTY

__all__ = ["STRICT_GATES", "Gates", "IncidentLike", "evaluate", "evaluate_store", "match"]

FORBIDDEN = 1e6
DENSE_LIMIT = 4_000_000
"""Components with more incident x site cells than this are matched on a sparse matrix."""
CALIBRATION_BINS = 10


@dataclass(frozen=True, kw_only=True)
class Gates:
    """Matching thresholds: distance (km) and time gap between windows (s)."""

    space_km: float = 5.0
    time_s: float = 900.0


STRICT_GATES = Gates(space_km=1.0, time_s=300.0)
"""The strict gates scored beside the caller's (1 km, 5 minutes)."""


class _Point(Protocol):
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...


class _Attribution(Protocol):
    @property
    def party(self) -> str: ...


class IncidentLike(Protocol):
    """What evaluation reads of an incident (:class:`trucewatch.types.Incident` fits)."""

    @property
    def time_start(self) -> datetime: ...
    @property
    def time_end(self) -> datetime: ...
    @property
    def location(self) -> _Point: ...
    @property
    def attribution(self) -> _Attribution: ...
    @property
    def confidence(self) -> float: ...


# --------------------------------------------------------------------------- matching


MATCH_SLICE_S = 6 * 3600.0
"""Incidents are paired with sites slice by slice of this many seconds of start time."""


def _gated_pairs(
    inc_xy: NDArray[np.float64], inc_start: NDArray[np.float64], inc_end: NDArray[np.float64],
    site_xy: NDArray[np.float64], site_start: NDArray[np.float64],
    site_end: NDArray[np.float64], gates: Gates,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # fmt: skip
    """(incident, site) pairs within the space and time gates. Incidents are taken in
    slices of :data:`MATCH_SLICE_S` of start time, each against a KD-tree of the sites
    whose windows reach that slice (a dense front has thousands of sites within 5 km over
    two months: a spatial query alone would list them all)."""
    out_i: list[NDArray[np.int64]] = []
    out_j: list[NDArray[np.int64]] = []
    slot = np.floor(inc_start / MATCH_SLICE_S).astype(np.int64)
    order = np.argsort(slot, kind="stable")
    bounds = np.flatnonzero(np.diff(slot[order])) + 1
    for group in np.split(order, bounds):
        lo = float(inc_start[group].min()) - gates.time_s
        hi = float(inc_end[group].max()) + gates.time_s
        sites = np.flatnonzero((site_start <= hi) & (site_end >= lo))
        if sites.size == 0:
            continue
        lists = cKDTree(site_xy[sites]).query_ball_point(inc_xy[group], r=gates.space_km)
        lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        if lens.sum() == 0:
            continue
        ii = np.repeat(group, lens)
        jj = sites[np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if x])]
        gap = np.maximum(0.0, np.maximum(inc_start[ii] - site_end[jj],
                                         site_start[jj] - inc_end[ii]))  # fmt: skip
        ok = gap <= gates.time_s
        out_i.append(ii[ok])
        out_j.append(jj[ok])
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def match(
    inc_xy: NDArray[np.float64], inc_start: NDArray[np.float64], inc_end: NDArray[np.float64],
    site_xy: NDArray[np.float64], site_start: NDArray[np.float64],
    site_end: NDArray[np.float64], gates: Gates,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """One-to-one matching; returns (incident index, site index, distance km) of the
    matched pairs. Positions in km on one plane; times epoch seconds."""
    empty = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    if len(inc_xy) == 0 or len(site_xy) == 0:
        return empty
    ii, jj = _gated_pairs(inc_xy, inc_start, inc_end, site_xy, site_start, site_end, gates)
    if ii.size == 0:
        return empty
    gap = np.maximum(0.0, np.maximum(inc_start[ii] - site_end[jj], site_start[jj] - inc_end[ii]))
    dist = np.linalg.norm(inc_xy[ii] - site_xy[jj], axis=1)
    cost = (dist / gates.space_km) ** 2 + (gap / gates.time_s) ** 2
    n_i, n_s = len(inc_xy), len(site_xy)
    graph = coo_matrix((np.ones(ii.size), (ii, n_i + jj)), shape=(n_i + n_s, n_i + n_s))
    _, label = connected_components(graph, directed=False)
    comp = label[ii]
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    out_i, out_j = [], []
    for grp in np.split(order, bounds):
        gi, gj, gc = ii[grp], jj[grp], cost[grp]
        if grp.size == 1:
            out_i.append(gi)
            out_j.append(gj)
            continue
        ui, ri = np.unique(gi, return_inverse=True)
        uj, rj = np.unique(gj, return_inverse=True)
        if ui.size * uj.size <= DENSE_LIMIT:
            m = np.full((ui.size, uj.size), FORBIDDEN)
            m[ri, rj] = gc
            rows, cols = linear_sum_assignment(m)
            real = m[rows, cols] < FORBIDDEN
            rows, cols = rows[real], cols[real]
        else:
            rows, cols = _sparse_assignment(ri, rj, gc, ui.size, uj.size)
        out_i.append(ui[rows])
        out_j.append(uj[cols])
    mi = np.concatenate(out_i).astype(np.int64)
    mj = np.concatenate(out_j).astype(np.int64)
    return mi, mj, np.linalg.norm(inc_xy[mi] - site_xy[mj], axis=1)


def _sparse_assignment(ri: NDArray[np.int64], rj: NDArray[np.int64], cost: NDArray[np.float64],
                       n_i: int, n_s: int
                       ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # fmt: skip
    """The same assignment as the dense one for a large component, on a sparse matrix:
    every incident also gets a private "unmatched" column costing :data:`FORBIDDEN`, so a
    full matching of the incidents always exists and the most real pairs win first
    (:func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`)."""
    rows = np.concatenate([ri, np.arange(n_i)])
    cols = np.concatenate([rj, n_s + np.arange(n_i)])
    vals = np.concatenate([cost + 1e-9, np.full(n_i, FORBIDDEN)])  # explicit zeros vanish
    graph = csr_matrix((vals, (rows, cols)), shape=(n_i, n_s + n_i))
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < n_s
    return r[real].astype(np.int64), c[real].astype(np.int64)


# --------------------------------------------------------------------------- metrics


def _status(incident: IncidentLike) -> str | None:
    status = getattr(incident, "status", None)
    return None if status is None else str(getattr(status, "value", status))


def evaluate(
    incidents: Sequence[IncidentLike],
    truth: Truth | str | Path,
    *,
    gates: Gates | None = None,
    runtime_s: float | None = None,
    calibration_bins: int = CALIBRATION_BINS,
    strict_gates: Gates = STRICT_GATES,
) -> dict[str, Any]:
    """Metrics of ``incidents`` against the truth (see the module docstring).

    Returns the JSON-able dict of ``trucewatch evaluate --json``.
    """
    t0 = time.perf_counter()
    gates = gates or Gates()
    tr = truth if isinstance(truth, Truth) else read_truth(truth)
    refuted = [i for i in incidents if _status(i) == "refuted"]
    incidents = [i for i in incidents if _status(i) != "refuted"]
    matching = _match_incidents(incidents, tr, gates)
    result = _metrics(incidents, len(refuted), tr, matching, gates, calibration_bins)
    result.update(_honest_metrics(incidents, refuted, tr, matching, gates, strict_gates,
                                  calibration_bins))  # fmt: skip
    if runtime_s is None:
        result["runtime_s"] = round(time.perf_counter() - t0, 3)
        result["runtime_of"] = "evaluate"
    else:
        result["runtime_s"] = round(float(runtime_s), 3)
        result["runtime_of"] = "engine"
    return result


@dataclass(frozen=True, eq=False)
class _Matching:
    """Matched pairs - incident index, site index, distance (km), the site's episode - and
    whether each true episode has a matched site."""

    incident: NDArray[np.int64]
    site: NDArray[np.int64]
    dist: NDArray[np.float64]
    episode: NDArray[np.int64]
    detected: NDArray[np.bool_]

    def matched(self, n_incidents: int) -> NDArray[np.bool_]:
        """Whether each of the ``n_incidents`` incidents is matched."""
        out = np.zeros(n_incidents, dtype=bool)
        out[self.incident] = True
        return out


def _match_incidents(incidents: Sequence[IncidentLike], tr: Truth, gates: Gates,
                     taken: NDArray[np.bool_] | None = None) -> _Matching:  # fmt: skip
    """Match the incidents one-to-one to the observed sites (a site nothing observed
    cannot be found) that are not ``taken`` (a mask of sites), on the local km plane."""
    inc_lon = np.array([i.location.lon for i in incidents], dtype=float)
    inc_lat = np.array([i.location.lat for i in incidents], dtype=float)
    ix, iy = to_local_km(inc_lon, inc_lat)
    sx, sy = to_local_km(tr.site_lon, tr.site_lat)
    inc_start = np.array([i.time_start.timestamp() for i in incidents], dtype=float)
    inc_end = np.array([i.time_end.timestamp() for i in incidents], dtype=float)
    target = np.flatnonzero(tr.site_observed if taken is None else tr.site_observed & ~taken)
    site_xy = np.column_stack([sx, sy]).reshape(-1, 2)[target]
    mi, mt, dist = match(np.column_stack([ix, iy]).reshape(-1, 2), inc_start, inc_end,
                         site_xy, tr.site_start[target], tr.site_end[target], gates)  # fmt: skip
    mj = target[mt]
    episode = mj // 2
    detected = np.zeros(len(tr), dtype=bool)
    detected[episode] = True
    return _Matching(mi, mj, dist, episode, detected)


def _confidences(incidents: Sequence[IncidentLike]) -> NDArray[np.float64]:
    return np.array([float(i.confidence) for i in incidents], dtype=float)


def _metrics(incidents: Sequence[IncidentLike], n_refuted: int, tr: Truth, m: _Matching,
             gates: Gates, calibration_bins: int) -> dict[str, Any]:  # fmt: skip
    """The contract metrics and their first extras, in their fixed order (``runtime_s``
    left None)."""
    n_inc, n_ev, n_match = len(incidents), len(tr), int(m.incident.size)
    precision = ratio(n_match, n_inc)
    recall = ratio(int(m.detected.sum()), n_ev)
    with_bound, _ = crlb_ratios(m.dist, tr.site_bound_km[m.site])
    parties = np.array([incidents[int(k)].attribution.party for k in m.incident], dtype=object)
    determined = parties != UNDETERMINED_PARTY
    correct = parties == tr.party[m.episode]
    observable = int(tr.observed.sum())
    return {
        "truth_events": n_ev,
        "reported_incidents": n_inc,
        "refuted_incidents": n_refuted,
        "precision": rounded(precision),
        "recall": rounded(recall),
        "f1": rounded(f1(precision, recall, n_ev)),
        "oracle_recall": rounded(ratio(observable, n_ev)),
        "loc_error_km_median": median_or_none(m.dist),
        "loc_error_km_p90": rounded(float(np.percentile(m.dist, 90))) if n_match else None,
        "crlb_ratio_median": median_or_none(with_bound),
        "attribution_accuracy": rounded(ratio(int((correct & determined).sum()),
                                              int(determined.sum()))),
        "runtime_s": None,
        "matched_incidents": n_match,
        "detected_events": int(m.detected.sum()),
        "recall_of_observable": rounded(ratio(int((m.detected & tr.observed).sum()),
                                              observable)),
        "crlb_matched_with_bound": int(with_bound.size),
        "attribution_rate": rounded(ratio(int(determined.sum()), n_match)),
        "attribution_accuracy_all": rounded(ratio(int(correct.sum()), n_match)),
        "matched_to": {"impact": int((m.site % 2 == 0).sum()),
                       "origin": int((m.site % 2 == 1).sum())},
        "gates": {"space_km": gates.space_km, "time_s": gates.time_s},
        "by_phase": _breakdown(tr.phase, tr, m),
        "by_weapon": _breakdown(tr.weapon, tr, m),
        "calibration": reliability(_confidences(incidents), m.matched(n_inc), calibration_bins),
    }  # fmt: skip


def _honest_metrics(incidents: Sequence[IncidentLike], refuted: Sequence[IncidentLike],
                    tr: Truth, m: _Matching, gates: Gates, strict_gates: Gates,
                    calibration_bins: int) -> dict[str, Any]:  # fmt: skip
    """The metrics that keep a score honest (docs/simulator.md): precision per status,
    calibration error, the bound over all matches, recall of what could be seen, and the
    scores under strict gates."""
    n_inc, n_ev = len(incidents), len(tr)
    precision = ratio(int(m.incident.size), n_inc)
    recall_seen = ratio(int(m.detected.sum()), int(tr.observed.sum()))
    with_bound, every = crlb_ratios(m.dist, tr.site_bound_km[m.site])
    ece = expected_calibration_error(_confidences(incidents), m.matched(n_inc), calibration_bins)
    strict = _match_incidents(incidents, tr, strict_gates)
    return {
        "precision_by_status": _precision_by_status(incidents, refuted, tr, m, gates),
        "calibration_ece": rounded(ece),
        "crlb_ratio_median_all": median_or_none(every),
        "crlb_matched_without_bound": int(every.size - with_bound.size),
        "recall_over_oracle": rounded(recall_seen),
        "f1_observable": rounded(f1(precision, recall_seen, n_ev)),
        **_scores_under(strict, n_inc, n_ev, strict_gates, "strict"),
        "assessed": _assessed(incidents, tr, gates),
    }


ASSESSED_STATUSES = ("confirmed", "probable", "possible")
"""The statuses of incidents the engine assessed as more likely real than not."""


def _assessed(incidents: Sequence[IncidentLike], tr: Truth, gates: Gates) -> dict[str, Any]:
    """Precision, recall over the oracle and F1 of observable events over the incidents
    at ``possible`` or above (or without a status), matched afresh."""
    kept = [i for i in incidents if _status(i) in (None, *ASSESSED_STATUSES)]
    m = _match_incidents(kept, tr, gates)
    precision = ratio(int(m.incident.size), len(kept))
    recall_seen = ratio(int(m.detected.sum()), int(tr.observed.sum()))
    return {"incidents": len(kept), "precision": rounded(precision),
            "recall_over_oracle": rounded(recall_seen),
            "f1_observable": rounded(f1(precision, recall_seen, len(tr)))}  # fmt: skip


def _precision_by_status(incidents: Sequence[IncidentLike], refuted: Sequence[IncidentLike],
                         tr: Truth, m: _Matching, gates: Gates
                         ) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Precision of each reported status, and for ``refuted`` the share of refuted
    incidents that match a true site no reported incident matched (a real event the
    engine dismissed)."""
    out = precision_by_status([_status(i) for i in incidents], m.matched(len(incidents)))
    taken = np.zeros(tr.site_lon.size, dtype=bool)
    taken[m.site] = True
    dismissed = _match_incidents(refuted, tr, gates, taken) if refuted else None
    real = 0 if dismissed is None else int(dismissed.incident.size)
    out["refuted"] = {"incidents": len(refuted), "matched": real,
                      "share_real": rounded(ratio(real, len(refuted)))}  # fmt: skip
    return out


def _scores_under(m: _Matching, n_inc: int, n_ev: int, gates: Gates,
                  name: str) -> dict[str, Any]:  # fmt: skip
    """Precision, recall and F1 of a matching under other gates, keys suffixed ``_name``."""
    precision = ratio(int(m.incident.size), n_inc)
    recall = ratio(int(m.detected.sum()), n_ev)
    return {
        f"precision_{name}": rounded(precision),
        f"recall_{name}": rounded(recall),
        f"f1_{name}": rounded(f1(precision, recall, n_ev)),
        f"{name}_gates": {"space_km": gates.space_km, "time_s": gates.time_s},
    }


def _breakdown(values: NDArray[np.object_], tr: Truth, m: _Matching) -> dict[str, Any]:
    """Recall, oracle recall and median location error per value (phase, weapon)."""
    out = {}
    for key in sorted({str(v) for v in values}):
        mask = values == key
        sel = mask[m.episode]
        out[key] = {
            "truth_events": int(mask.sum()),
            "recall": rounded(ratio(int(m.detected[mask].sum()), int(mask.sum()))),
            "oracle_recall": rounded(ratio(int(tr.observed[mask].sum()), int(mask.sum()))),
            "loc_error_km_median": median_or_none(m.dist[sel]),
        }
    return out


def evaluate_store(
    store: Any,
    truth_path: str | Path,
    *,
    gates: Gates | None = None,
    runtime_s: float | None = None,
) -> dict[str, Any]:
    """Evaluate the incidents of a :class:`~trucewatch.store.Store` against a truth file.

    Only incidents starting in the simulated period are scored (the period of the
    ``scenario.toml`` beside the truth file; without one, from the first to the last true
    event, widened by an hour). The store is only read.
    """
    truth = read_truth(truth_path)
    since: datetime | None
    until: datetime | None
    if truth.period is not None:
        since, until = truth.period[0], truth.period[1] + timedelta(hours=1)
    elif len(truth):
        since = datetime.fromtimestamp(float(np.nanmin(truth.site_start)), UTC) - timedelta(hours=1)
        until = datetime.fromtimestamp(float(np.nanmax(truth.site_end)), UTC) + timedelta(hours=1)
    else:
        since = until = None
    incidents = store.incidents(since, until) if since is not None else store.incidents()
    result = evaluate(incidents, truth, gates=gates, runtime_s=runtime_s)
    result["truth_file"] = str(truth_path)
    return result

"""The fusion pipeline: observations in, incidents out (pure; no I/O).

localize (a point with covariance per observation) -> associate (space-time gating and
connected components) -> one incident per cluster: fused location, time window, kind,
count, confidence from independent sources, status, context from the contact line valid
at its time (sector, who holds the place, signed distance) and attribution.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from trucewatch.associate import Context, Gates, cluster
from trucewatch.fusion.attribution import FlowReport, attribute_incident, place_log_odds
from trucewatch.fusion.calibration import Calibration, feature_matrix, shipped
from trucewatch.fusion.confidence import combined_log_odds, observation_probability, status_for
from trucewatch.fusion.context import corroborated_activity
from trucewatch.fusion.coverage import Network, miss_log_probability
from trucewatch.fusion.echoes import echo_primaries
from trucewatch.fusion.pairing import paired_partner
from trucewatch.gc import gc_paused
from trucewatch.geo.history import ContextLookup, PlaceContext
from trucewatch.geo.projection import to_lonlat
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.localize.measurements import Measurements, extract
from trucewatch.localize.solve import solve
from trucewatch.localize.wedge import DEFAULT_DISTANCE_KM
from trucewatch.types import (
    UNDETERMINED_PARTY,
    Attribution,
    BearingRangeLocation,
    EventKind,
    Flow,
    Incident,
    IncidentStatus,
    Observation,
    PointLocation,
)

KIND_PRIORITY: tuple[EventKind, ...] = (
    EventKind.ARTILLERY, EventKind.MORTAR, EventKind.GRENADE, EventKind.SMALL_ARMS,
    EventKind.BURST, EventKind.SHOT, EventKind.PROJECTILE, EventKind.FLARE,
    EventKind.EXPLOSION, EventKind.UNDETERMINED, EventKind.THERMAL_ANOMALY,
)  # fmt: skip
"""When the observations of an incident disagree on the kind, the most specific wins."""


@dataclass(frozen=True)
class FusionResult:
    """Incidents and the observations that could not be located (uid, reason)."""

    incidents: list[Incident]
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    features: np.ndarray | None = None
    """The confidence model's features per incident (rows in ``incidents`` order; see
    :mod:`trucewatch.fusion.calibration`), for calibration and diagnostics."""


def _source_key(o: Observation) -> str:
    return f"{o.source_kind}:{o.source_id}"  # a StrEnum formats as its value


def _incident_uid(observation_uids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(observation_uids)).encode()).hexdigest()


def _episode_count(members: Sequence[Observation]) -> int | None:
    """Rounds in the episode: summed per source, then the largest source's sum (two
    patrols hearing the same 26 rounds is 26, not 52)."""
    per_source: Counter[str] = Counter()
    for o in members:
        if o.count is not None:
            per_source[_source_key(o)] += o.count
    return max(per_source.values()) if per_source else None


_KIND_RANK: dict[str, int] = {k.value: r for r, k in enumerate(KIND_PRIORITY)}


def _kind(members: Sequence[Observation]) -> EventKind:
    # ranks looked up by plain string (hashing enum members is slow in CPython 3.11)
    best = min(members, key=lambda o: _KIND_RANK.get(str.__str__(o.kind), len(_KIND_RANK)))
    return best.kind


def _flow_sign(o: Observation) -> int:
    return {Flow.INCOMING: 1, Flow.OUTGOING: -1}.get(o.flow, 0) if o.flow else 0


Step = Callable[[str, int, int], None]
"""Told the progress of fusion: (what the step under way does, items done, items in the
step). Each step is counted in its own items (observations, clusters, incidents), is told
with one description from its start (done 0) to its end (done = items), and the long ones
every :data:`PROGRESS_EVERY` items between."""
STEPS = 5
"""Steps of :func:`fuse_observations` reported to its ``progress``: measure, associate,
locate, weigh the evidence, place against the line."""
PROGRESS_EVERY = 1_000
"""Items between two reports of a step counted item by item (placing incidents)."""


def _no_step(_what: str, _done: int, _total: int) -> None:
    return None


def fuse_observations(
    observations: Sequence[Observation],
    lookup: ContextLookup | None = None,
    gates: Gates | None = None,
    calibration: Calibration | None = None,
    progress: Step | None = None,
) -> FusionResult:
    """Fuse observations into incidents (deterministic: the same observations in any
    order give the same incidents). ``calibration``: the confidence model (default: the
    one shipped, :func:`trucewatch.fusion.calibration.shipped`); ``progress`` is told the
    :data:`STEPS` steps with their counts (:data:`Step`)."""
    with gc_paused():
        return _fuse(observations, lookup, gates, calibration or shipped(),
                     progress or _no_step)  # fmt: skip


def _fuse(observations: Sequence[Observation], lookup: ContextLookup | None,
          gates: Gates | None, calibration: Calibration, step: Step) -> FusionResult:  # fmt: skip
    obs = sorted(observations, key=observation_order)
    what = f"measuring {len(obs):,} observations"
    step(what, 0, len(obs))
    m = extract(obs)
    ctx = observation_context(obs)
    network = Network.of(m, ctx.source, array_mask(obs))
    step(what, len(obs), len(obs))
    return fuse_measured(obs, m, ctx, lookup, gates, calibration, network, step)


def observation_order(o: Observation) -> tuple[datetime, str]:
    """The order fusion works in (ties in association are broken by it)."""
    return (o.time_start, o.uid)


def observation_context(obs: Sequence[Observation],
                        codes: dict[str, int] | None = None) -> Context:  # fmt: skip
    """Association context of observations; ``codes`` maps source keys to integer codes
    (extended in place; default: a fresh mapping). Exclusive sources (one report, one
    event) are those of kinds whose model says so (:data:`trucewatch.kinds.SOURCE_KINDS`)."""
    codes = {} if codes is None else codes
    keys = [_source_key(o) for o in obs]
    source = [codes.setdefault(k, len(codes)) for k in keys]
    return Context(
        source=np.asarray(source, dtype=np.int64),
        exclusive=np.array([SOURCE_KINDS[o.source_kind].exclusive for o in obs], dtype=bool),
        flow_sign=np.array([_flow_sign(o) for o in obs], dtype=np.int8),
    )


def array_mask(obs: Sequence[Observation]) -> np.ndarray:
    """Which observations come from sensors whose silence is evidence (acoustic arrays:
    ``negative_evidence`` in their kind's model)."""
    return np.array([SOURCE_KINDS[o.source_kind].negative_evidence for o in obs], dtype=bool)


def fuse_measured(obs: Sequence[Observation], m: Measurements, ctx: Context,
                  lookup: ContextLookup | None, gates: Gates | None,
                  calibration: Calibration, network: Network,
                  step: Step = _no_step) -> FusionResult:  # fmt: skip
    """Fuse observations already in :func:`observation_order` with their measurements and
    context (rows aligned); ``network``: the arrays for negative evidence; ``step``: told
    the steps from association on (:func:`fuse_observations`)."""
    unresolved = [(obs[i].uid, r) for i, r in sorted(m.reasons.items())]
    echo_of = _echoes(obs, m, ctx)
    rows = np.flatnonzero(m.ok & (echo_of < 0))
    if rows.size == 0:
        return FusionResult(incidents=[], unresolved=unresolved)
    what = f"associating {rows.size:,} located observations"
    step(what, 0, rows.size)
    labels = cluster(m, rows, ctx, gates)
    step(what, rows.size, rows.size)
    k = int(labels.max()) + 1
    what = f"locating {k:,} clusters"
    step(what, 0, k)
    init_xy, init_cov = _fused_means(m, rows, labels, k)
    sol = solve(m, rows, labels, k, init_xy)
    bad = np.asarray(~np.isfinite(sol.cov).all(axis=(1, 2)) | ~np.isfinite(sol.xy).all(axis=1),
                     dtype=bool)  # fmt: skip
    xy = np.where(bad[:, None], init_xy, sol.xy)
    cov = np.where(bad[:, None, None], init_cov, sol.cov)
    ill_posed = sol.used_prior & ~bad
    rows, labels = _with_echoes(rows, labels, echo_of)
    order = np.argsort(labels, kind="stable")
    groups = np.split(rows[order], np.flatnonzero(np.diff(labels[order])) + 1)
    drafts = [
        _Draft(members=[int(i) for i in g], xy=xy[c], cov=cov[c],
               time_start=min(obs[i].time_start for i in g),
               time_end=max(obs[i].time_end for i in g),
               signature=_signature(m.signature[g]))
        for c, g in enumerate(groups)
    ]  # fmt: skip
    step(what, k, k)
    what = f"weighing the evidence of {k:,} incidents"
    step(what, 0, k)
    evidence = _evidence(drafts, obs, m, ctx, ill_posed, calibration, network)
    step(what, k, k)
    what = f"placing {k:,} incidents against the line"
    step(what, 0, k)
    incidents = _with_context(drafts, obs, lookup, evidence,
                              lambda done: step(what, done, k))  # fmt: skip
    step(what, k, k)
    order_out = sorted(range(len(incidents)), key=lambda c: (incidents[c].time_start,
                                                             incidents[c].uid))  # fmt: skip
    return FusionResult(incidents=[incidents[c] for c in order_out], unresolved=unresolved,
                        features=evidence.features[order_out])  # fmt: skip


def _echoes(obs: Sequence[Observation], m: Measurements, ctx: Context) -> np.ndarray:
    """Per observation, the row whose echo it is, or -1 (:mod:`trucewatch.fusion.echoes`;
    an echo of a detection that could not be located is left to stand alone)."""
    duration = np.fromiter((o.time_end.timestamp() for o in obs), dtype=float,
                           count=len(obs)) - m.arrival_s  # fmt: skip
    count = np.array([np.nan if o.count is None else float(o.count) for o in obs], dtype=float)
    primary = echo_primaries(ctx.source, m.arrival_s, duration, m.signature, count,
                             m.ok & array_mask(obs))  # fmt: skip
    return primary


def _with_echoes(rows: np.ndarray, labels: np.ndarray, echo_of: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The clustered rows and labels with each echo added to its primary's cluster."""
    echoes = np.flatnonzero(echo_of >= 0)
    if echoes.size == 0:
        return rows, labels
    label_of = np.full(echo_of.size, -1, dtype=np.int64)
    label_of[rows] = labels
    return np.concatenate([rows, echoes]), np.concatenate([labels, label_of[echo_of[echoes]]])


def _fused_means(m: Measurements, rows: np.ndarray, labels: np.ndarray, k: int
                 ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Information-weighted mean and covariance of each cluster's Gaussian summaries."""
    info = np.linalg.inv(m.cov[rows])
    b = np.einsum("nij,nj->ni", info, m.mean_xy[rows])
    total = np.zeros((k, 2, 2))
    bb = np.zeros((k, 2))
    for a in range(2):
        bb[:, a] = np.bincount(labels, weights=b[:, a], minlength=k)
        for c in range(2):
            total[:, a, c] = np.bincount(labels, weights=info[:, a, c], minlength=k)
    cov = np.linalg.inv(total)
    return np.einsum("kij,kj->ki", cov, bb), cov


def _signature(values: np.ndarray) -> int:
    """The cluster's signature: launch or impact if any member classified it (the gates
    keep launches and impacts apart), else unknown."""
    return int(np.sign(values.astype(int).sum()))


REFUTE_MISS = 0.25
"""An incident is refuted when the arrays that stayed silent would have missed a real
event with probability below this, and its calibrated confidence is below
:data:`REFUTE_CONFIDENCE`."""
REFUTE_CONFIDENCE = 0.25
ALMOST_NO_CHANCE = 0.05
"""An incident whose calibrated confidence is below this is refuted whatever the arrays
say: "almost no chance" (1-5%) in the probability bands of ICD 203; what a lone false alarm
looks like to the confidence model."""


@dataclass(frozen=True, eq=False)
class _Evidence:
    """Per draft: calibrated confidence, independent sources, negative evidence (log)."""

    confidence: np.ndarray
    sources: np.ndarray
    negative: np.ndarray
    features: np.ndarray

    def status(self, k: int) -> IncidentStatus:
        return incident_status(float(self.confidence[k]), float(self.negative[k]),
                               int(self.sources[k]))  # fmt: skip


def incident_status(confidence: float, negative: float, sources: int) -> IncidentStatus:
    """The status of an incident of calibrated ``confidence`` (0-1), negative evidence
    ``negative`` (log, <= 0) and ``sources`` independent sources: refuted when silent
    arrays would rarely have missed it and its confidence is low, or when its confidence is
    below :data:`ALMOST_NO_CHANCE`, else :func:`trucewatch.fusion.confidence.status_for`."""
    if confidence < ALMOST_NO_CHANCE or (negative < np.log(REFUTE_MISS)
                                         and confidence < REFUTE_CONFIDENCE):  # fmt: skip
        return IncidentStatus.REFUTED
    return status_for(confidence, sources)


@dataclass(frozen=True, eq=False)
class _Members:
    """Cluster membership as flat arrays: ``rows`` (observation indices) and ``cluster``."""

    rows: np.ndarray
    cluster: np.ndarray
    k: int

    @classmethod
    def of(cls, drafts: Sequence[_Draft]) -> _Members:
        sizes = np.fromiter((len(d.members) for d in drafts), dtype=np.int64, count=len(drafts))
        rows = np.fromiter((i for d in drafts for i in d.members), dtype=np.int64,
                           count=int(sizes.sum()))  # fmt: skip
        return cls(rows, np.repeat(np.arange(len(drafts)), sizes), len(drafts))

    def per_source(self, source: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unique (cluster, source) pairs: their cluster, a representative row, and each
        member's pair index."""
        key = self.cluster * (int(source.max(initial=0)) + 1) + source[self.rows]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return self.cluster[first], self.rows[first], inverse


_probability = lru_cache(maxsize=None)(observation_probability)
"""The probability of a grading (a handful of distinct gradings, millions of reports)."""


def _evidence(drafts: Sequence[_Draft], obs: Sequence[Observation], m: Measurements,
              ctx: Context, ill_posed: np.ndarray, calibration: Calibration,
              net: Network) -> _Evidence:  # fmt: skip
    """Grading, silence of arrays and source counts of each draft, and the calibrated
    confidence (:mod:`trucewatch.fusion.calibration`), vectorized over drafts.

    A source counts once per incident, with its best-graded observation
    (:func:`trucewatch.fusion.confidence.combined_log_odds`)."""
    mem = _Members.of(drafts)
    k = mem.k
    centres = np.array([d.xy for d in drafts])
    starts = np.array([d.time_start.timestamp() for d in drafts])
    p_obs = np.fromiter((_probability(obs[i].reliability, obs[i].credibility)
                         for i in mem.rows), dtype=float, count=mem.rows.size)  # fmt: skip
    pair_cluster, pair_row, inverse = mem.per_source(ctx.source)
    admiralty, n_sources = combined_log_odds(inverse, pair_cluster, p_obs, k)
    kind_col = {kind: c for c, kind in enumerate(SOURCE_KINDS)}
    col = np.fromiter((kind_col.get(obs[i].source_kind, -1) for i in pair_row), dtype=np.int64,
                      count=pair_row.size)  # fmt: skip
    counts = np.zeros((k, len(SOURCE_KINDS)))
    np.add.at(counts, (pair_cluster[col >= 0], col[col >= 0]), 1.0)
    is_array = np.fromiter((SOURCE_KINDS[obs[i].source_kind].negative_evidence
                            for i in mem.rows), dtype=bool, count=mem.rows.size)  # fmt: skip
    heard = np.full(k, -np.inf)
    arr_rows = mem.rows[is_array]
    np.maximum.at(heard, mem.cluster[is_array], np.nan_to_num(m.range_max_km[arr_rows],
                                                              nan=-np.inf))  # fmt: skip
    unheard = ~np.isfinite(heard)
    heard[unheard] = [DEFAULT_DISTANCE_KM.get(_kind([obs[i] for i in drafts[int(c)].members]),
                                              (0.0, 10.0))[1]
                      for c in np.flatnonzero(unheard)]  # fmt: skip
    negative = miss_log_probability(
        net, centres, np.array([d.cov for d in drafts]), starts, heard,
        mem.cluster[is_array], ctx.source[arr_rows],
    )
    rounds = np.array([np.nan if (n := _episode_count([obs[i] for i in d.members])) is None
                       else n for d in drafts], dtype=float)  # fmt: skip
    alone = _array_alone_log_odds(pair_cluster, ctx.source[pair_row], n_sources,
                                  np.fromiter((SOURCE_KINDS[obs[i].source_kind].negative_evidence
                                               for i in pair_row), dtype=bool,
                                              count=pair_row.size),
                                  utc_day(starts))  # fmt: skip
    activity = corroborated_activity(centres, starts, n_sources >= 2)
    beyond = _beyond_range_log(centres, mem.cluster[is_array], m.observer_xy[arr_rows],
                               m.range_max_km[arr_rows], k)  # fmt: skip
    x = feature_matrix(admiralty, negative, counts, ill_posed, rounds, alone, activity, beyond)
    return _Evidence(confidence=calibration.predict(x), sources=n_sources, negative=negative,
                     features=x)


def _beyond_range_log(centres: np.ndarray, cluster: np.ndarray, observer_xy: np.ndarray,
                      range_max_km: np.ndarray, k: int) -> np.ndarray:
    """Per draft, log of the largest (distance from an array to the draft's centre, km) /
    (the array's stated range, km) over its array members, 0 when all are within range
    (the ``beyond_range`` feature of :mod:`trucewatch.fusion.calibration`)."""
    out = np.zeros(k)
    ok = np.isfinite(range_max_km) & (range_max_km > 0)
    if not ok.any():
        return out
    dist = np.linalg.norm(centres[cluster[ok]] - observer_xy[ok], axis=1)
    np.maximum.at(out, cluster[ok], np.log(np.maximum(dist / range_max_km[ok], 1.0)))
    return out


def utc_day(epoch_s: np.ndarray | float) -> np.ndarray:
    """Days since 1970-01-01 (UTC) of each time (epoch seconds; an array or one time)."""
    return np.floor_divide(np.asarray(epoch_s, dtype=float), 86_400.0).astype(np.int64)


def _array_alone_log_odds(pair_cluster: np.ndarray, pair_source: np.ndarray,
                          n_sources: np.ndarray, pair_is_array: np.ndarray,
                          day: np.ndarray) -> np.ndarray:
    """Per incident: when its only source is an array, the log-odds of the share of that
    array's incidents on the same UTC day (``day``: per incident, :func:`utc_day` of its
    start) that it was the only source of, smoothed as (alone + 1) / (all + 2); else 0.
    Pairs (one source in one incident) give each pair's incident, source code and whether
    the source is an array.

    Counted per array and day, not over the whole fusion, so that the feature is a fact of
    the day's data whatever period is fused: a batch ``fuse``, a partitioned one and live
    fusion holding other days give the same value."""
    out = np.zeros(n_sources.size)
    if not pair_is_array.any():
        return out
    alone = n_sources[pair_cluster] == 1
    key = np.column_stack([pair_source[pair_is_array].astype(np.int64),
                           day[pair_cluster[pair_is_array]]])  # fmt: skip
    codes, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    total = np.bincount(inverse, minlength=codes.size)
    lone = np.bincount(inverse, weights=alone[pair_is_array], minlength=codes.size)
    log_odds = np.log((lone + 1.0) / (total - lone + 1.0))
    sel = pair_is_array & alone
    out[pair_cluster[sel]] = log_odds[inverse[alone[pair_is_array]]]
    return out


@dataclass(frozen=True)
class _Draft:
    members: list[int]
    xy: np.ndarray
    cov: np.ndarray
    time_start: datetime
    time_end: datetime
    signature: int = 0


def _with_context(
    drafts: Sequence[_Draft], obs: Sequence[Observation], lookup: ContextLookup | None,
    evidence: _Evidence, done: Callable[[int], None] = lambda _: None,
) -> list[Incident]:
    """The incidents of ``drafts``: placed against the line valid on their day, attributed;
    ``done`` is told how many are made every :data:`PROGRESS_EVERY`."""
    centres = np.array([d.xy for d in drafts])
    lon, lat = to_lonlat(centres[:, 0], centres[:, 1])
    days = [d.time_start.astimezone(UTC).date() for d in drafts]
    ctx = lookup.place_context(lon, lat, days) if lookup is not None else None
    observer_held = _observer_holders(obs, lookup)
    sides = [_side_probability(None if ctx is None else _opt_float(ctx.distance_km[k]), d.cov)
             for k, d in enumerate(drafts)]  # fmt: skip
    paired = _paired_place(drafts, centres, days, lookup, ctx, sides)
    incidents = []
    for k, d in enumerate(drafts):
        if k and not k % PROGRESS_EVERY:
            done(k)
        members = [obs[i] for i in d.members]
        parties = lookup.parties(days[k]) if lookup is not None else None
        held_by = None if ctx is None else _opt_str(ctx.held_by[k])
        attribution = (
            attribute_incident(
                [FlowReport(_source_key(obs[i]), obs[i].flow, observer_held.get(i))
                 for i in d.members],
                parties,
                held_by=held_by,
                signature=d.signature,
                side_probability=sides[k],
                accusations=[(_source_key(o), str(o.attributes["accused"])) for o in members
                             if SOURCE_KINDS[o.source_kind].accuses
                             and o.attributes.get("accused")],
                paired_place=paired[k],
            )
            if parties is not None
            else Attribution(party=UNDETERMINED_PARTY, probabilities={}, method="none")
        )  # fmt: skip
        incidents.append(
            Incident(
                uid=_incident_uid([o.uid for o in members]),
                time_start=d.time_start,
                time_end=d.time_end,
                location=PointLocation.from_cov(lon[k], lat[k], d.cov),
                kind=_kind(members),
                count=_episode_count(members),
                confidence=round(float(evidence.confidence[k]), 4),
                status=evidence.status(k),
                attribution=attribution,
                observation_uids=tuple(sorted(o.uid for o in members)),
                source_kinds=tuple(sorted({o.source_kind for o in members})),
                sector=None if ctx is None else _opt_str(ctx.sector[k]),
                held_by=held_by,
                line_distance_km=None if ctx is None else _opt_float(ctx.distance_km[k]),
            )
        )
    return incidents


def _paired_place(drafts: Sequence[_Draft], centres: np.ndarray, days: Sequence[date],
                  lookup: ContextLookup | None, ctx: PlaceContext | None,
                  sides: Sequence[float]) -> list[float | None]:  # fmt: skip
    """Per draft, the place log-odds (:func:`place_log_odds`) of the other end of its
    firing (:func:`paired_partner`), or None; ``centres`` (k, 2) km and ``sides`` (the
    :func:`_side_probability` of each draft) as the caller computed them."""
    out: list[float | None] = [None] * len(drafts)
    if lookup is None or ctx is None:
        return out
    partner = paired_partner(centres,
                             np.array([d.time_start.timestamp() for d in drafts]),
                             np.array([d.signature for d in drafts], dtype=np.int64))  # fmt: skip
    for k in np.flatnonzero(partner >= 0).tolist():
        j = int(partner[k])
        parties = lookup.parties(days[k])
        if parties is None or lookup.parties(days[j]) != parties:
            continue
        out[k] = place_log_odds(parties, _opt_str(ctx.held_by[j]), drafts[j].signature,
                                sides[j])  # fmt: skip
    return out


def _side_probability(distance_km: float | None, cov: np.ndarray) -> float:
    """Probability that a point estimated ``distance_km`` from the line (either side) with
    covariance ``cov`` (km^2) truly lies on the side it was placed on, taking the largest
    standard deviation of the ellipse across the line (conservative)."""
    if distance_km is None:
        return 0.5
    sigma = float(np.sqrt(max(np.linalg.eigvalsh(cov)[-1], 1e-12)))
    return float(ndtr(abs(distance_km) / sigma))


def _observer_holders(
    obs: Sequence[Observation], lookup: ContextLookup | None
) -> dict[int, str | None]:
    """Party holding each flow-reporting observer's position (index -> party code)."""
    if lookup is None:
        return {}
    idx = [
        i for i, o in enumerate(obs)
        if o.flow in (Flow.INCOMING, Flow.OUTGOING)
        and isinstance(o.location, BearingRangeLocation)
        and isinstance(o.location.observer, PointLocation)
    ]  # fmt: skip
    if not idx:
        return {}
    points = [_observer_point(obs[i]) for i in idx]
    ctx = lookup.place_context(
        np.array([p.lon for p in points]),
        np.array([p.lat for p in points]),
        [obs[i].time_start.astimezone(UTC).date() for i in idx],
    )
    return {i: _opt_str(ctx.held_by[k]) for k, i in enumerate(idx)}


def _observer_point(o: Observation) -> PointLocation:
    loc = o.location
    assert isinstance(loc, BearingRangeLocation) and isinstance(loc.observer, PointLocation)
    return loc.observer


def _opt_str(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    f = float(value)  # type: ignore[arg-type]
    return None if np.isnan(f) else round(f, 3)

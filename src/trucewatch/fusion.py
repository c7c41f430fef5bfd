"""The fusion pipeline: observations in, incidents out (pure; no I/O).

localize (a point with covariance per observation) -> associate (space-time gating and
connected components) -> one incident per cluster: fused location, time window, kind,
count, confidence from independent sources, status, context from the contact line valid
at its time (sector, who holds the place, signed distance) and attribution.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

import numpy as np

from trucewatch.assess.attribution import FlowReport, attribute_incident
from trucewatch.assess.confidence import combine, observation_probability, status_for
from trucewatch.associate import Context, Gates, cluster
from trucewatch.geo.projection import to_lonlat
from trucewatch.localize.measurements import Measurements, extract
from trucewatch.localize.solve import solve
from trucewatch.types import (
    UNDETERMINED_PARTY,
    Attribution,
    BearingRangeLocation,
    EventKind,
    Flow,
    Incident,
    Observation,
    PointLocation,
    SourceKind,
)

KIND_PRIORITY: tuple[EventKind, ...] = (
    EventKind.ARTILLERY, EventKind.MORTAR, EventKind.GRENADE, EventKind.SMALL_ARMS,
    EventKind.BURST, EventKind.SHOT, EventKind.PROJECTILE, EventKind.FLARE,
    EventKind.EXPLOSION, EventKind.UNDETERMINED, EventKind.THERMAL_ANOMALY,
)  # fmt: skip
"""When the observations of an incident disagree on the kind, the most specific wins."""


@dataclass(frozen=True)
class PlaceContext:
    """Context arrays for n points: party holding each point (code or None), signed
    distance to the line (km, positive inside the line's controlled area) and sector name."""

    held_by: np.ndarray
    distance_km: np.ndarray
    sector: np.ndarray


class ContextLookup(Protocol):
    """What fusion needs from the contact lines: context of points at given days, and the
    two parties of the line valid on a day."""

    def locate(self, lon: np.ndarray, lat: np.ndarray, days: Sequence[date]) -> PlaceContext:
        """Context of each point on its day (the line valid at that date)."""
        ...

    def parties(self, day: date) -> tuple[str, str] | None:
        """(controlled_by, other_party) of the line valid on ``day``, if any."""
        ...


@dataclass(frozen=True)
class FusionResult:
    """Incidents and the observations that could not be located (uid, reason)."""

    incidents: list[Incident]
    unresolved: list[tuple[str, str]] = field(default_factory=list)


def _epoch(times: Sequence[datetime]) -> np.ndarray:
    return np.array([t.timestamp() for t in times], dtype=float)


def _source_key(o: Observation) -> str:
    return f"{o.source_kind.value}:{o.source_id}"


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


def _kind(members: Sequence[Observation]) -> EventKind:
    kinds = {o.kind for o in members}
    return next((k for k in KIND_PRIORITY if k in kinds), members[0].kind)


def _flow_sign(o: Observation) -> int:
    return {Flow.INCOMING: 1, Flow.OUTGOING: -1}.get(o.flow, 0) if o.flow else 0


EXCLUSIVE_SOURCES = frozenset({SourceKind.ACOUSTIC, SourceKind.CAMERA, SourceKind.PATROL})
"""Directional sensors that report one event once: two reports of one array, camera or
patrol team are two events (a satellite's adjacent pixels, a party repeating itself are
not)."""


def fuse_observations(
    observations: Sequence[Observation],
    lookup: ContextLookup | None = None,
    gates: Gates | None = None,
) -> FusionResult:
    """Fuse observations into incidents (deterministic: the same observations in any
    order give the same incidents)."""
    obs = sorted(observations, key=lambda o: (o.time_start, o.uid))
    m = extract(obs)
    unresolved = [(obs[i].uid, r) for i, r in sorted(m.reasons.items())]
    rows = np.flatnonzero(m.ok)
    if rows.size == 0:
        return FusionResult(incidents=[], unresolved=unresolved)
    ctx = Context.of(
        [_source_key(o) for o in obs],
        [o.source_kind in EXCLUSIVE_SOURCES for o in obs],
        [_flow_sign(o) for o in obs],
    )
    labels = cluster(m, rows, ctx, gates)
    k = int(labels.max()) + 1
    init_xy, init_cov = _fused_means(m, rows, labels, k)
    sol = solve(m, rows, labels, k, init_xy)
    bad = ~np.isfinite(sol.cov).all(axis=(1, 2)) | ~np.isfinite(sol.xy).all(axis=1)
    xy = np.where(bad[:, None], init_xy, sol.xy)
    cov = np.where(bad[:, None, None], init_cov, sol.cov)
    order = np.argsort(labels, kind="stable")
    groups = np.split(rows[order], np.flatnonzero(np.diff(labels[order])) + 1)
    drafts = [
        _Draft(members=[int(i) for i in g], xy=xy[c], cov=cov[c],
               time_start=min(obs[i].time_start for i in g),
               time_end=max(obs[i].time_end for i in g),
               signature=_signature(m.signature[g]))
        for c, g in enumerate(groups)
    ]  # fmt: skip
    incidents = _with_context(drafts, obs, lookup)
    incidents.sort(key=lambda i: (i.time_start, i.uid))
    return FusionResult(incidents=incidents, unresolved=unresolved)


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


@dataclass(frozen=True)
class _Draft:
    members: list[int]
    xy: np.ndarray
    cov: np.ndarray
    time_start: datetime
    time_end: datetime
    signature: int = 0


def _with_context(
    drafts: Sequence[_Draft], obs: Sequence[Observation], lookup: ContextLookup | None
) -> list[Incident]:
    centres = np.array([d.xy for d in drafts])
    lon, lat = to_lonlat(centres[:, 0], centres[:, 1])
    days = [d.time_start.astimezone(UTC).date() for d in drafts]
    ctx = lookup.locate(lon, lat, days) if lookup is not None else None
    observer_held = _observer_holders(obs, lookup)
    incidents = []
    for k, d in enumerate(drafts):
        members = [obs[i] for i in d.members]
        confidence, n_sources = combine(
            (_source_key(o), observation_probability(o.reliability, o.credibility))
            for o in members
        )
        parties = lookup.parties(days[k]) if lookup is not None else None
        held_by = None if ctx is None else _opt_str(ctx.held_by[k])
        attribution = (
            attribute_incident(
                [FlowReport(_source_key(obs[i]), obs[i].flow, observer_held.get(i))
                 for i in d.members],
                parties,
                held_by=held_by,
                signature=d.signature,
                accusations=[(_source_key(o), str(o.attributes["accused"])) for o in members
                             if o.source_kind is SourceKind.PARTY_COMPLAINT
                             and o.attributes.get("accused")],
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
                confidence=round(confidence, 4),
                status=status_for(confidence, n_sources),
                attribution=attribution,
                observation_uids=tuple(sorted(o.uid for o in members)),
                source_kinds=tuple(sorted({o.source_kind for o in members})),
                sector=None if ctx is None else _opt_str(ctx.sector[k]),
                held_by=held_by,
                line_distance_km=None if ctx is None else _opt_float(ctx.distance_km[k]),
            )
        )
    return incidents


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
    ctx = lookup.locate(
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

"""Adjudicating claim items against incidents and coverage (docs/claims.md, "The labels").

An incident *matches* a claim when it was seen by at least one monitoring source
(:data:`MONITORING`: not only party complaints or open sources), its time window overlaps
the claimed window widened by :data:`TIME_SLACK_S`, and its distance from the claimed point
is within the 95% gate of the two uncertainties together (squared Mahalanobis distance
under the claim's ``sigma_km``² I plus the incident's covariance at most
:data:`GATE_CHI2`). Then:

* **corroborated**: a matching incident whose attribution gives the accused party at
  least :data:`CULPRIT_MIN` (a claim naming no culprit: any match);
* **partly corroborated**: incidents match, but none is put on the accused (the claimant's
  own fire, or fire no one can attribute);
* **contradicted**: nothing matches and the coverage is at least :data:`COVERAGE_MIN`;
* **not verifiable**: nothing matches and the coverage is lower.

Times epoch seconds UTC; positions local km (:mod:`trucewatch.geo.projection`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from trucewatch.claims.coverage import Presence, heard_km
from trucewatch.claims.model import ItemClaim, ItemVerdict, Label
from trucewatch.geo.projection import to_local_km
from trucewatch.types import UNDETERMINED_PARTY, Incident, SourceKind

__all__ = ["COVERAGE_MIN", "CULPRIT_MIN", "GATE_CHI2", "MONITORING", "IncidentTable",
           "adjudicate_items"]  # fmt: skip

MONITORING = frozenset({SourceKind.ACOUSTIC, SourceKind.CAMERA, SourceKind.PATROL,
                        SourceKind.SATELLITE_THERMAL})  # fmt: skip
"""Source kinds whose reports can corroborate a claim."""
TIME_SLACK_S = 1800.0
"""The claimed window is widened by this much either side (s): statements round times."""
GATE_CHI2 = 2.0
"""Squared Mahalanobis gate (the 63% region of two Gaussian errors; chosen on `standard` seed 1:
wider gates match more chance incidents than true ones on a busy front)."""
MAX_GATE_KM = 25.0
"""No match farther than this, whatever the uncertainties (km)."""
CULPRIT_MIN = 0.5
"""Probability of the accused firing at which a match corroborates the claim."""
COVERAGE_MIN = 0.5
"""Coverage from which silence contradicts a claim."""
BACKGROUND_KM = 15.0
BACKGROUND_S = 6 * 3600.0
"""The neighbourhood (km, s either side) whose incidents give the chance density."""
RATIO_MIN = 1.0
"""Likelihood ratio (match over chance) from which a match corroborates a claim."""


@dataclass(frozen=True, eq=False)
class IncidentTable:
    """The incidents seen by monitoring sources, as arrays."""

    uid: NDArray[np.object_]
    xy: NDArray[np.float64]
    cov: NDArray[np.float64]
    t0: NDArray[np.float64]
    t1: NDArray[np.float64]
    p: list[dict[str, float]]
    """Attribution probabilities per party."""

    @classmethod
    def of(cls, incidents: Sequence[Incident]) -> IncidentTable:
        keep = [i for i in incidents if MONITORING.intersection(i.source_kinds)
                and i.status.value != "refuted"]  # fmt: skip
        lon = np.array([i.location.lon for i in keep], dtype=float)
        lat = np.array([i.location.lat for i in keep], dtype=float)
        x, y = to_local_km(lon, lat)
        return cls(
            uid=np.array([i.uid for i in keep], dtype=object),
            xy=np.column_stack([x, y]).reshape(-1, 2),
            cov=np.array([i.location.cov for i in keep], dtype=float).reshape(-1, 2, 2),
            t0=np.array([i.time_start.timestamp() for i in keep], dtype=float),
            t1=np.array([i.time_end.timestamp() for i in keep], dtype=float),
            p=[_probabilities(i) for i in keep],
        )  # fmt: skip


def _probabilities(i: Incident) -> dict[str, float]:
    a = i.attribution
    if a.probabilities:
        return dict(a.probabilities)
    return {a.party: 1.0} if a.party and a.party != UNDETERMINED_PARTY else {}


def _p_fired(p: dict[str, float], accused: str | None) -> float:
    """Probability that ``accused`` fired (1 when no one is accused; :data:`CULPRIT_MIN`
    when the incident's attribution is undetermined: the evidence neither supports nor
    refutes the culprit)."""
    if accused is None:
        return 1.0
    return p.get(accused, 0.0) if p else CULPRIT_MIN


@dataclass(frozen=True)
class _Match:
    rows: NDArray[np.int64]
    d2: NDArray[np.float64]
    dist_km: NDArray[np.float64]
    ratio: NDArray[np.float64]
    """Likelihood ratio of each match: its Gaussian density at the claimed point over the
    density of incidents around it (:func:`_background`)."""


def _background(c: ItemClaim, xy: NDArray[np.float64], table: IncidentTable, tree: cKDTree
                ) -> float:  # fmt: skip
    """Incidents per km² expected by chance in the claim's widened window: those within
    :data:`BACKGROUND_KM` and :data:`BACKGROUND_S` of it, spread evenly (at least one)."""
    r = np.asarray(tree.query_ball_point(xy, r=BACKGROUND_KM), dtype=np.int64)
    mid = (c.time_start.timestamp() + c.time_end.timestamp()) / 2
    n = int(np.count_nonzero(np.abs(table.t0[r] - mid) <= BACKGROUND_S)) if r.size else 0
    span = (c.time_end - c.time_start).total_seconds() + 2 * TIME_SLACK_S
    return max(n, 1) / (np.pi * BACKGROUND_KM**2) * span / (2 * BACKGROUND_S)


def _matches(c: ItemClaim, xy: NDArray[np.float64], table: IncidentTable, tree: cKDTree
             ) -> _Match:  # fmt: skip
    r = np.asarray(tree.query_ball_point(xy, r=MAX_GATE_KM), dtype=np.int64)
    t0 = c.time_start.timestamp() - TIME_SLACK_S
    t1 = c.time_end.timestamp() + TIME_SLACK_S
    r = r[(table.t0[r] <= t1) & (table.t1[r] >= t0)]
    delta = table.xy[r] - xy
    s = table.cov[r] + np.eye(2) * c.sigma_km**2
    d2 = np.einsum("ni,nij,nj->n", delta, np.linalg.inv(s), delta) if r.size else np.zeros(0)
    ok = d2 <= GATE_CHI2
    order = np.argsort(d2[ok])
    density = np.exp(-0.5 * d2) / (2 * np.pi * np.sqrt(np.linalg.det(s))) if r.size else d2
    rho = _background(c, xy, table, tree)
    return _Match(rows=r[ok][order], d2=d2[ok][order],
                  dist_km=np.hypot(*delta[ok][order].T) if r.size else np.zeros(0),
                  ratio=density[ok][order] / rho)  # fmt: skip


def _no_match(c: ItemClaim, coverage: float) -> ItemVerdict:
    cov_text = f"coverage {coverage:.2f}"
    if coverage >= COVERAGE_MIN:
        return ItemVerdict(claim_id=c.claim_id, label=Label.CONTRADICTED, coverage=coverage,
                           reason=f"no monitored incident within the gate although "
                                  f"{cov_text} (>= {COVERAGE_MIN})")  # fmt: skip
    return ItemVerdict(claim_id=c.claim_id, label=Label.NOT_VERIFIABLE, coverage=coverage,
                       reason=f"no monitored incident; {cov_text} (< {COVERAGE_MIN}): "
                              "monitoring could not have seen it")  # fmt: skip


def _verdict(c: ItemClaim, m: _Match, table: IncidentTable, coverage: float) -> ItemVerdict:
    if m.rows.size == 0:
        return _no_match(c, coverage)
    p_acc = np.array([_p_fired(table.p[r], c.accused) for r in m.rows])
    uids = tuple(str(u) for u in table.uid[m.rows])
    score = np.where(p_acc >= CULPRIT_MIN, m.ratio, 0.0)
    k = int(np.argmax(score))
    if score[k] >= RATIO_MIN:
        return ItemVerdict(
            claim_id=c.claim_id, label=Label.CORROBORATED, coverage=coverage,
            incidents=(uids[k], *uids[:k], *uids[k + 1:]), distance_km=float(m.dist_km[k]),
            likelihood_ratio=float(m.ratio[k]),
            reason=f"incident {uids[k]} {m.dist_km[k]:.1f} km away, {m.ratio[k]:.1f} times "
                   f"likelier than chance, fire by {c.accused or 'either party'} "
                   f"P={p_acc[k]:.2f}; coverage {coverage:.2f}")  # fmt: skip
    j = int(np.argmax(m.ratio))
    fired = max(table.p[m.rows[j]].items(), key=lambda kv: kv[1], default=("undetermined", 0))
    why = (f"the fire is not put on {c.accused} (most likely {fired[0]})" if p_acc[j] <
           CULPRIT_MIN else f"it is no likelier than chance ({m.ratio[j]:.1f})")  # fmt: skip
    return ItemVerdict(
        claim_id=c.claim_id, label=Label.PARTLY, coverage=coverage, incidents=uids,
        distance_km=float(m.dist_km[j]), likelihood_ratio=float(m.ratio[j]),
        reason=f"{len(uids)} incident(s) match in place and time, but {why}; "
               f"coverage {coverage:.2f}")  # fmt: skip


def adjudicate_items(claims: Sequence[ItemClaim], incidents: Sequence[Incident] | IncidentTable,
                     presence: Presence) -> list[ItemVerdict]:  # fmt: skip
    """The verdict on each claim item, in order."""
    if not claims:
        return []
    table = incidents if isinstance(incidents, IncidentTable) else IncidentTable.of(incidents)
    x, y = to_local_km([c.lon for c in claims], [c.lat for c in claims])
    xy = np.column_stack([x, y])
    mid = np.array([(c.time_start.timestamp() + c.time_end.timestamp()) / 2 for c in claims])
    reach = np.array([heard_km(c.weapon) for c in claims])
    coverage = presence.coverage(xy, mid, reach)
    tree = cKDTree(table.xy if len(table.uid) else np.zeros((0, 2)))
    out = []
    for k, c in enumerate(claims):
        m = _matches(c, xy[k], table, tree) if len(table.uid) else _Match(
            np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0))  # fmt: skip
        out.append(_verdict(c, m, table, round(float(coverage[k]), 3)))
    return out

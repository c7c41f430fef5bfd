"""The simple peers of the simulator benchmark (``bench_sim``), on trucewatch's first stage.

Each peer groups the localized observations (:func:`localized`: a point and covariance per
observation from :func:`trucewatch.localize.measurements.extract`, and the sensor's
launch/impact label) into :class:`Clusters`, and :func:`peer_incidents` makes an incident
of each cluster, attributed by the labels (:func:`label_party`) or naively
(:func:`naive_party`). Positions are km on the local plane of
:mod:`trucewatch.geo.projection`; times are UTC. The peers are described in the
docstring of :mod:`benchmarks.bench_sim`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from trucewatch.geo.history import LineHistory
from trucewatch.geo.projection import to_lonlat
from trucewatch.localize.measurements import LAUNCH, extract
from trucewatch.types import UNDETERMINED_PARTY, Attribution, Observation, PointLocation

DBSCAN_EPS = 2.0
DBSCAN_TIME_S_PER_KM = 600.0
CORROBORATION_SOURCES = 2
STONESOUP_SCAN_S = 60.0
STONESOUP_TRACK_LIFE_S = 900.0
STONESOUP_TILE_KM = 50.0


@dataclass(frozen=True)
class PeerIncident:
    """What evaluation reads of an incident."""

    time_start: datetime
    time_end: datetime
    location: PointLocation
    attribution: Attribution
    confidence: float


@dataclass(frozen=True)
class Clusters:
    """A peer's grouping of the localized observations: member indices per cluster, and
    each cluster's position (x, y km on the local plane) and covariance (km²)."""

    groups: list[np.ndarray]
    means: np.ndarray
    covs: np.ndarray

    def subset(self, keep: np.ndarray) -> Clusters:
        """The clusters where ``keep`` is true."""
        idx = np.flatnonzero(keep)
        return Clusters([self.groups[k] for k in idx], self.means[idx], self.covs[idx])


def localized(observations: list[Observation]) -> dict[str, Any]:
    """Each observation as a point with covariance and its launch/impact label:
    trucewatch's own first stage (the Gaussian summary of
    :func:`trucewatch.localize.measurements.extract`)."""
    m = extract(observations)
    ok = np.flatnonzero(m.ok)
    t0 = np.array([observations[i].time_start.timestamp() for i in ok])
    t1 = np.array([observations[i].time_end.timestamp() for i in ok])
    return {"xy": m.mean_xy[ok], "cov": m.cov[ok], "t0": t0, "t1": t1,
            "signature": m.signature[ok], "obs": [observations[i] for i in ok]}  # fmt: skip


# --------------------------------------------------------------------------- attribution


def _side_party(lines: LineHistory, xy: np.ndarray, t: list[datetime],
                launch: np.ndarray) -> list[str]:  # fmt: skip
    """Who fired, from the side of the line at ``xy`` (km, local plane): the party holding
    a launch's position, the other party for anything else; undetermined off the line's
    parties."""
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    ctx = lines.place_context(lon, lat, [x.date() for x in t])
    out = []
    for k, held in enumerate(ctx.held_by):
        parties = lines.parties(t[k].date())
        if held is None or parties is None or held not in parties:
            out.append(UNDETERMINED_PARTY)
        elif launch[k]:
            out.append(str(held))
        else:
            out.append(parties[1] if held == parties[0] else parties[0])
    return out


def label_party(data: dict[str, Any], c: Clusters, lines: LineHistory,
                t: list[datetime]) -> list[str]:  # fmt: skip
    """Attribution by the sensors' labels: a cluster with launch-labelled members is placed
    at their mean position, on the side of the launch; others are impacts."""
    where = c.means.copy()
    launch = np.zeros(len(c.groups), dtype=bool)
    for k, g in enumerate(c.groups):
        launched = g[data["signature"][g] == LAUNCH]
        if launched.size:
            launch[k] = True
            where[k] = data["xy"][launched].mean(axis=0)
    return _side_party(lines, where, t, launch)


def naive_party(data: dict[str, Any], c: Clusters, lines: LineHistory,
                t: list[datetime]) -> list[str]:  # fmt: skip
    """Fire comes from the side of the line opposite the incident's location."""
    return _side_party(lines, c.means, t, np.zeros(len(c.groups), dtype=bool))


Attributor = Callable[[dict[str, Any], Clusters, LineHistory, list[datetime]], list[str]]


def independent_sources(data: dict[str, Any], group: np.ndarray) -> int:
    """Independent sources among a cluster's members (distinct kind and id)."""
    return len({(data["obs"][i].source_kind, data["obs"][i].source_id) for i in group})


def peer_incidents(data: dict[str, Any], c: Clusters, lines: LineHistory,
                   attribute: Attributor = label_party) -> list[PeerIncident]:  # fmt: skip
    """An incident per cluster: its position and covariance, the members' time span,
    confidence 1 - 0.5^(independent sources), and the attributor's party."""
    lon, lat = to_lonlat(c.means[:, 0], c.means[:, 1])
    starts = [datetime.fromtimestamp(float(data["t0"][g].min()), UTC) for g in c.groups]
    ends = [datetime.fromtimestamp(float(data["t1"][g].max()), UTC) for g in c.groups]
    parties = attribute(data, c, lines, starts)
    method = "labels" if attribute is label_party else "naive-side"
    return [PeerIncident(
        time_start=starts[k], time_end=ends[k],
        location=PointLocation.from_cov(float(lon[k]), float(lat[k]), c.covs[k]),
        attribution=Attribution(party=parties[k], probabilities={}, method=method),
        confidence=1.0 - 0.5 ** independent_sources(data, g),
    ) for k, g in enumerate(c.groups)]  # fmt: skip


# --------------------------------------------------------------------------- peers


def dbscan_clusters(data: dict[str, Any]) -> Clusters:
    """DBSCAN on (x, y, t) of the localized observations."""
    from sklearn.cluster import DBSCAN

    tmid = 0.5 * (data["t0"] + data["t1"])
    features = np.column_stack([data["xy"], (tmid - tmid.min()) / DBSCAN_TIME_S_PER_KM])
    labels = DBSCAN(eps=DBSCAN_EPS, min_samples=1).fit_predict(features)
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    means = np.array([data["xy"][g].mean(axis=0) for g in groups])
    covs = np.array([np.cov(data["xy"][g].T, bias=True) + np.eye(2) * 0.01 if g.size > 1
                     else data["cov"][g[0]] for g in groups])  # fmt: skip
    return Clusters(groups, means, covs)


def corroborated(data: dict[str, Any], c: Clusters) -> Clusters:
    """The clusters with at least :data:`CORROBORATION_SOURCES` independent sources."""
    keep = np.array([independent_sources(data, g) >= CORROBORATION_SOURCES
                     for g in c.groups], dtype=bool)  # fmt: skip
    return c.subset(keep)


def run_dbscan(data: dict[str, Any], lines: LineHistory) -> list[PeerIncident]:
    """DBSCAN on (x, y, t) of the localized observations; one incident per cluster,
    attributed by the labels."""
    return peer_incidents(data, dbscan_clusters(data), lines)


class _GnnTracker:
    """Stone Soup's GNN tracker of near-static targets (see the module docstring)."""

    def __init__(self) -> None:
        from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
        from stonesoup.hypothesiser.distance import DistanceHypothesiser
        from stonesoup.measures import Mahalanobis
        from stonesoup.models.transition.linear import (
            CombinedLinearGaussianTransitionModel,
            RandomWalk,
        )
        from stonesoup.predictor.kalman import KalmanPredictor
        from stonesoup.updater.kalman import KalmanUpdater

        transition = CombinedLinearGaussianTransitionModel([RandomWalk(1e-6), RandomWalk(1e-6)])
        predictor = KalmanPredictor(transition)
        self.updater = KalmanUpdater(measurement_model=None)
        hypothesiser = DistanceHypothesiser(predictor, self.updater, measure=Mahalanobis(),
                                            missed_distance=3.0)  # fmt: skip
        self.associator = GNNWith2DAssignment(hypothesiser)

    def tracks(self, idx: np.ndarray, xy: np.ndarray, cov: np.ndarray,
               tmid: np.ndarray) -> list[tuple[Any, list[int]]]:  # fmt: skip
        """(track, member indices) of the observations ``idx``, scan by scan."""
        idx = idx[np.argsort(tmid[idx], kind="stable")]
        scan = np.floor(tmid[idx] / STONESOUP_SCAN_S).astype(np.int64)
        live: list[tuple[Any, list[int], float]] = []
        done: list[tuple[Any, list[int]]] = []
        for s_id in np.unique(scan):
            now = float(s_id * STONESOUP_SCAN_S)
            done.extend((tr, ids) for tr, ids, last in live if now - last > STONESOUP_TRACK_LIFE_S)
            live = [x for x in live if now - x[2] <= STONESOUP_TRACK_LIFE_S]
            live = self._scan(live, idx[scan == s_id], xy, cov, now)
        done.extend((track, ids) for track, ids, _ in live)
        return done

    def _scan(self, live: list[tuple[Any, list[int], float]], members: np.ndarray,
              xy: np.ndarray, cov: np.ndarray, now: float
              ) -> list[tuple[Any, list[int], float]]:  # fmt: skip
        """One scan: associate its detections to the live tracks, update them, and start
        a track for each detection left over."""
        from stonesoup.models.measurement.linear import LinearGaussian
        from stonesoup.types.array import CovarianceMatrix, StateVector
        from stonesoup.types.detection import Detection
        from stonesoup.types.state import GaussianState
        from stonesoup.types.track import Track

        stamp = datetime.fromtimestamp(now, UTC)
        detections = {}
        for i in members:
            model = LinearGaussian(ndim_state=2, mapping=(0, 1),
                                   noise_covar=CovarianceMatrix(cov[i]))  # fmt: skip
            detections[Detection(StateVector(xy[i]), timestamp=stamp,
                                 measurement_model=model)] = int(i)  # fmt: skip
        tracks = {track: (ids, last) for track, ids, last in live}
        hyps = self.associator.associate(set(tracks), set(detections), stamp) if tracks else {}
        used = set()
        out = []
        for track, (ids, last) in tracks.items():
            hyp = hyps.get(track)
            if hyp is not None and hyp.measurement:
                track.append(self.updater.update(hyp))
                used.add(hyp.measurement)
                ids, last = [*ids, detections[hyp.measurement]], now
            out.append((track, ids, last))
        for det, i in detections.items():
            if det not in used:
                state = GaussianState(StateVector(xy[i]), CovarianceMatrix(cov[i]),
                                      timestamp=stamp)  # fmt: skip
                out.append((Track([state]), [i], now))
        return out


def _tiles(data: dict[str, Any], lines: LineHistory) -> list[np.ndarray]:
    """Observation indices per :data:`STONESOUP_TILE_KM` tile of position along the line
    (the nearest point of any line in force)."""
    lon, lat = to_lonlat(data["xy"][:, 0], data["xy"][:, 1])
    along = np.full(len(lon), np.nan)
    for context in lines.contexts:
        res = context.locate(lon, lat)
        along = np.where(np.isnan(along), res.along_km, along)
    tile = np.floor(np.nan_to_num(along, nan=-1.0) / STONESOUP_TILE_KM).astype(int)
    return [np.flatnonzero(tile == t_id) for t_id in np.unique(tile)]


def stonesoup_clusters(data: dict[str, Any], lines: LineHistory) -> Clusters:
    """Stone Soup GNN association of the localized observations, per tile of the line."""
    tracker = _GnnTracker()
    tmid = 0.5 * (data["t0"] + data["t1"])
    groups: list[np.ndarray] = []
    means, covs = [], []
    for idx in _tiles(data, lines):
        for track, ids in tracker.tracks(idx, data["xy"], data["cov"], tmid):
            groups.append(np.asarray(ids, dtype=np.int64))
            means.append(np.asarray(track.state_vector, dtype=float).ravel())
            covs.append(np.asarray(track.covar, dtype=float))
    return Clusters(groups, np.array(means), np.array(covs))


def run_stonesoup(data: dict[str, Any], lines: LineHistory) -> list[PeerIncident]:
    """Stone Soup GNN association of the localized observations (see module docstring),
    attributed by the labels."""
    return peer_incidents(data, stonesoup_clusters(data, lines), lines)

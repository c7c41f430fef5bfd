"""The simulator benchmark: trucewatch's fusion against peers on the ``standard`` scenario.

One process run (``run()``):

1. ``simulate("standard", seed=0)`` into a temporary folder (30 days on the 2025-03-13
   DeepState line, about 21,000 episodes, about 57,000 observations);
2. **trucewatch**: a temporary SQLite store, ``import_line`` (the scenario's control
   file), ``import_files`` (every observation file), ``fuse`` (whole period), then
   ``evaluate_store`` against ``truth.jsonl``;
3. **DBSCAN** (scikit-learn, the naive baseline): the same stored observations localized
   by trucewatch's first stage (``trucewatch.localize.measurements.extract``: a point and
   covariance per observation), clustered with DBSCAN on (x km, y km, t / 600 s) with ``eps`` 2 and
   ``min_samples`` 1; an incident per cluster at the mean position, its time window the
   members' span;
4. **Stone Soup** (``stonesoup``): the same localized observations as 2-D position
   detections with their own covariance (``LinearGaussian``), a near-static target model
   (``RandomWalk``, 1e-6 km²/s), Kalman predictor/updater, ``DistanceHypothesiser`` with
   ``Mahalanobis`` (missed distance 3) and ``GNNWith2DAssignment``; scans of 60 s, a track
   ends 15 minutes after its last detection; run per 50 km tile of the line (tracks never
   cross tiles) to keep the Python association tractable; an incident per track at its
   last posterior;
5. every engine scored by the same :func:`trucewatch.sim.evaluate` (the peers attribute
   naively: fire came from the other side of the line than the incident's location);
6. calibration of trucewatch's incident confidence (reliability curve: share of incidents
   that match a true event per confidence bin; the confidence model was fitted on seed 1,
   ``python -m benchmarks.calibrate``, and is scored here on seed 0).

``run(scenario="large")`` runs the large scenario (only on request: it takes long).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from trucewatch import sources
from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.geo.history import LineHistory
from trucewatch.geo.projection import to_lonlat
from trucewatch.localize.measurements import extract
from trucewatch.sim import evaluate, load_scenario, read_truth, simulate
from trucewatch.sim.evaluation import evaluate_store
from trucewatch.sources import acoustic, camera, complaint
from trucewatch.store import Store
from trucewatch.types import UNDETERMINED_PARTY, Attribution, Observation, PointLocation

SCENARIO = "standard"
SEED = 0
DBSCAN_EPS = 2.0
DBSCAN_TIME_S_PER_KM = 600.0
STONESOUP_SCAN_S = 60.0
STONESOUP_TRACK_LIFE_S = 900.0
STONESOUP_TILE_KM = 50.0


def register_formats() -> None:
    """Make the simulator's JSON Lines formats importable (until sources.REGISTRY has them)."""
    for module in (acoustic, camera, complaint):
        sources.REGISTRY.setdefault(module.NAME, module)


@dataclass(frozen=True)
class PeerIncident:
    """What evaluation reads of an incident."""

    time_start: datetime
    time_end: datetime
    location: PointLocation
    attribution: Attribution
    confidence: float


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _naive_party(lines: LineHistory, lon: np.ndarray, lat: np.ndarray,
                 t: list[datetime]) -> list[str]:  # fmt: skip
    """Fire comes from the side of the line opposite the incident's location."""
    ctx = lines.place_context(lon, lat, [x.date() for x in t])
    out = []
    for k, held in enumerate(ctx.held_by):
        parties = lines.parties(t[k].date())
        if held is None or parties is None:
            out.append(UNDETERMINED_PARTY)
        else:
            out.append(parties[1] if held == parties[0] else parties[0])
    return out


def _localized(observations: list[Observation]) -> dict[str, Any]:
    """Each observation as a point with covariance: trucewatch's own first stage (the
    Gaussian summary of :func:`trucewatch.localize.measurements.extract`), so the peers
    differ from trucewatch in association, localization and attribution only."""
    m = extract(observations)
    ok = np.flatnonzero(m.ok)
    t0 = np.array([observations[i].time_start.timestamp() for i in ok])
    t1 = np.array([observations[i].time_end.timestamp() for i in ok])
    return {"xy": m.mean_xy[ok], "cov": m.cov[ok], "t0": t0, "t1": t1,
            "obs": [observations[i] for i in ok]}  # fmt: skip


def _incidents_from_groups(data: dict[str, Any], groups: list[np.ndarray],
                           means: np.ndarray, covs: np.ndarray,
                           lines: LineHistory) -> list[PeerIncident]:  # fmt: skip
    lon, lat = to_lonlat(means[:, 0], means[:, 1])
    starts = [datetime.fromtimestamp(float(data["t0"][g].min()), UTC) for g in groups]
    ends = [datetime.fromtimestamp(float(data["t1"][g].max()), UTC) for g in groups]
    parties = _naive_party(lines, lon, lat, starts)
    out = []
    for k, g in enumerate(groups):
        n_sources = len({(data["obs"][i].source_kind, data["obs"][i].source_id) for i in g})
        out.append(PeerIncident(
            time_start=starts[k], time_end=ends[k],
            location=PointLocation.from_cov(float(lon[k]), float(lat[k]), covs[k]),
            attribution=Attribution(party=parties[k], probabilities={}, method="naive-side"),
            confidence=1.0 - 0.5 ** n_sources,
        ))  # fmt: skip
    return out


# --------------------------------------------------------------------------- peers


def run_dbscan(data: dict[str, Any], lines: LineHistory) -> list[PeerIncident]:
    """DBSCAN on (x, y, t) of the localized observations; one incident per cluster."""
    from sklearn.cluster import DBSCAN

    tmid = 0.5 * (data["t0"] + data["t1"])
    features = np.column_stack([data["xy"], (tmid - tmid.min()) / DBSCAN_TIME_S_PER_KM])
    labels = DBSCAN(eps=DBSCAN_EPS, min_samples=1).fit_predict(features)
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    means = np.array([data["xy"][g].mean(axis=0) for g in groups])
    covs = np.array([np.cov(data["xy"][g].T, bias=True) + np.eye(2) * 0.01 if g.size > 1
                     else data["cov"][g[0]] for g in groups])  # fmt: skip
    return _incidents_from_groups(data, groups, means, covs, lines)


def run_stonesoup(data: dict[str, Any], lines: LineHistory) -> list[PeerIncident]:
    """Stone Soup GNN association of the localized observations (see module docstring)."""
    from stonesoup.dataassociator.neighbour import GNNWith2DAssignment
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        RandomWalk,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.array import CovarianceMatrix, StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.types.track import Track
    from stonesoup.updater.kalman import KalmanUpdater

    transition = CombinedLinearGaussianTransitionModel([RandomWalk(1e-6), RandomWalk(1e-6)])
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement_model=None)
    hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(),
                                        missed_distance=3.0)  # fmt: skip
    associator = GNNWith2DAssignment(hypothesiser)
    xy, cov = data["xy"], data["cov"]
    tmid = 0.5 * (data["t0"] + data["t1"])
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
    # tile by position along the line (the nearest point of the line valid on the day)
    along = np.full(len(xy), np.nan)
    for context in lines.contexts:
        res = context.locate(lon, lat)
        along = np.where(np.isnan(along), res.along_km, along)
    tile = np.floor(np.nan_to_num(along, nan=-1.0) / STONESOUP_TILE_KM).astype(int)
    groups: list[np.ndarray] = []
    means, covs = [], []
    for t_id in np.unique(tile):
        idx = np.flatnonzero(tile == t_id)
        idx = idx[np.argsort(tmid[idx], kind="stable")]
        scan = np.floor(tmid[idx] / STONESOUP_SCAN_S).astype(np.int64)
        live: list[tuple[Track, list[int], float]] = []
        done: list[tuple[Track, list[int]]] = []
        for s_id in np.unique(scan):
            members = idx[scan == s_id]
            stamp = datetime.fromtimestamp(float(s_id * STONESOUP_SCAN_S), UTC)
            now = float(s_id * STONESOUP_SCAN_S)
            still = []
            for track, ids, last in live:
                if now - last <= STONESOUP_TRACK_LIFE_S:
                    still.append((track, ids, last))
                else:
                    done.append((track, ids))
            live = still
            detections = {}
            for i in members:
                model = LinearGaussian(ndim_state=2, mapping=(0, 1),
                                       noise_covar=CovarianceMatrix(cov[i]))  # fmt: skip
                detections[Detection(StateVector(xy[i]), timestamp=stamp,
                                     measurement_model=model)] = int(i)  # fmt: skip
            tracks = {track: (ids, last) for track, ids, last in live}
            hyps = associator.associate(set(tracks), set(detections), stamp) if tracks else {}
            used = set()
            new_live = []
            for track, (ids, last) in tracks.items():
                hyp = hyps.get(track)
                if hyp is not None and hyp.measurement:
                    track.append(updater.update(hyp))
                    used.add(hyp.measurement)
                    ids = [*ids, detections[hyp.measurement]]
                    last = now
                new_live.append((track, ids, last))
            for det, i in detections.items():
                if det not in used:
                    state = GaussianState(StateVector(xy[i]), CovarianceMatrix(cov[i]),
                                          timestamp=stamp)  # fmt: skip
                    new_live.append((Track([state]), [i], now))
            live = new_live
        done.extend((track, ids) for track, ids, _ in live)
        for track, ids in done:
            groups.append(np.asarray(ids, dtype=np.int64))
            means.append(np.asarray(track.state_vector, dtype=float).ravel())
            covs.append(np.asarray(track.covar, dtype=float))
    return _incidents_from_groups(data, groups, np.array(means), np.array(covs), lines)


# --------------------------------------------------------------------------- run


def _slim(metrics: dict[str, Any]) -> dict[str, Any]:
    drop = ("calibration", "by_weapon", "gates", "truth_file")
    return {k: v for k, v in metrics.items() if k not in drop}


def run(scenario: str = SCENARIO, seed: int = SEED, peers: bool = True) -> dict[str, Any]:
    """Simulate, fuse with trucewatch and the peers, evaluate; plain JSON out."""
    register_formats()
    out: dict[str, Any] = {"scenario": scenario, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-sim-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        sim = simulate(scenario, seed, folder / "sim")
        out["simulate"] = {k: sim[k] for k in ("truth_events", "truth_events_by_phase",
                                                "observations", "oracle_recall", "sensors",
                                                "line")}  # fmt: skip
        out["simulate"]["runtime_s"] = round(time.perf_counter() - t0, 2)
        s = load_scenario(folder / "sim" / "scenario.toml")
        store = Store.open(f"sqlite:///{folder / 'bench.db'}")
        try:
            t0 = time.perf_counter()
            app_lines.import_line(store, s.control_path())
            t_line = time.perf_counter() - t0
            t0 = time.perf_counter()
            files = [Path(p) for p in sim["files"]["observations"]]
            imported = app_intake.import_files(store, files)
            t_import = time.perf_counter() - t0
            t0 = time.perf_counter()
            fused = app_incidents.fuse(store)
            t_fuse = time.perf_counter() - t0
            t0 = time.perf_counter()
            metrics = evaluate_store(store, folder / "sim" / "truth.jsonl", runtime_s=t_fuse)
            t_eval = time.perf_counter() - t0
            out["trucewatch"] = {
                "metrics": _slim(metrics),
                "by_weapon": metrics["by_weapon"],
                "timings_s": {"import_line": round(t_line, 2), "import": round(t_import, 2),
                              "fuse": round(t_fuse, 2), "evaluate": round(t_eval, 2)},
                "stored": imported["stored"],
                "incidents": fused["incidents"],
                "peak_rss_gb": round(_peak_rss_gb(), 2),
            }  # fmt: skip
            out["calibration"] = {
                "engine": "trucewatch",
                "bins": metrics["calibration"],
                "note": "share_true = share of incidents in the bin matched to a true event",
            }
            if peers:
                truth = read_truth(folder / "sim" / "truth.jsonl")
                lines = app_lines.line_history(store)
                observations = store.observations()
                t0 = time.perf_counter()
                data = _localized(observations)
                t_loc = time.perf_counter() - t0
                out["peers"] = {"localize_s": round(t_loc, 2)}
                for name, fn in (("dbscan", run_dbscan), ("stonesoup", run_stonesoup)):
                    try:
                        t0 = time.perf_counter()
                        incidents = fn(data, lines)
                        dt = time.perf_counter() - t0 + t_loc
                        res = evaluate(incidents, truth, runtime_s=dt)
                        out["peers"][name] = {"metrics": _slim(res)}
                    except ImportError as exc:
                        out["peers"][name] = {"skipped": f"not installed: {exc}"}
        finally:
            store.close()
    out["peak_rss_gb"] = round(_peak_rss_gb(), 2)
    out["side_by_side"] = _side_by_side(out)
    return out


def _side_by_side(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = ("precision", "recall", "f1", "oracle_recall", "loc_error_km_median",
            "loc_error_km_p90", "crlb_ratio_median", "attribution_accuracy",
            "runtime_s")  # fmt: skip
    table: dict[str, dict[str, Any]] = {}
    engines = {"trucewatch": out.get("trucewatch", {}).get("metrics", {})}
    for name, res in out.get("peers", {}).items():
        if isinstance(res, dict) and "metrics" in res:
            engines[name] = res["metrics"]
    for key in keys:
        table[key] = {name: m.get(key) for name, m in engines.items()}
    return table


if __name__ == "__main__":
    import json
    import sys

    result = run(sys.argv[1] if len(sys.argv) > 1 else SCENARIO,
                 peers=os.environ.get("BENCH_SIM_PEERS", "1") != "0")  # fmt: skip
    print(json.dumps(result, indent=2, default=str))

"""The simulator benchmark: trucewatch's fusion against the strongest simple peers.

    python -m benchmarks.bench_sim [--scenario standard ...] [--seed 0 ...]
        [--peers dbscan,dbscan_corroborated,stonesoup | --no-peers] [--out FILE] [--table]

One run per scenario and seed (``run()``, which ``benchmarks.run`` calls with the defaults):

1. ``simulate(scenario, seed)`` into a temporary folder (``standard``: 30 days on the
   2025-03-13 DeepState line, about 21,000 episodes, about 57,000 observations);
2. **trucewatch**: a temporary SQLite store, ``import_line`` (the scenario's control
   file), ``import_files`` (every observation file), ``fuse`` (whole period), then
   ``evaluate_store`` against ``truth.jsonl``;
3. the peers, on the same stored observations localized by trucewatch's first stage
   (``trucewatch.localize.measurements.extract``: a point and covariance per observation,
   and the sensor's launch/impact label), so they differ from trucewatch in association,
   localization and attribution only:

   * **DBSCAN** (scikit-learn): clustered on (x km, y km, t / 600 s) with ``eps`` 2 and
     ``min_samples`` 1; an incident per cluster at the mean position, its time window the
     members' span;
   * **DBSCAN corroborated**: the DBSCAN incidents with at least two independent sources
     (distinct source kind and id), the simple corroboration rule of monitoring practice;
   * **Stone Soup** (``stonesoup``): the localized observations as 2-D position detections
     with their own covariance (``LinearGaussian``), a near-static target model
     (``RandomWalk``, 1e-6 km²/s), Kalman predictor/updater, ``DistanceHypothesiser`` with
     ``Mahalanobis`` (missed distance 3) and ``GNNWith2DAssignment``; scans of 60 s, a
     track ends 15 minutes after its last detection; run per 50 km tile of the line
     (tracks never cross tiles) to keep the Python association tractable; an incident per
     track at its last posterior;

   (the peers live in :mod:`benchmarks.sim_peers`); each peer **attributes by the
   labels**: a cluster with a launch-labelled member was fired by the party holding the
   launches' mean position; any other cluster (impacts, or no label) by the party across
   the line from its position. Each peer's confidence is 1 - 0.5^(independent sources).
   The naive rule (fire always from across the line) is scored beside it
   (``naive_attribution``);
4. every engine scored by the same :func:`trucewatch.sim.evaluate` (all its metrics,
   strict gates, precision per status, calibration error and reliability table);
5. calibration of trucewatch's incident confidence (the confidence model was fitted on
   ``standard`` and ``field``, seeds 1 and 2, ``python -m benchmarks.calibrate``, and is
   scored here on other seeds: 0, or 11-14).

``run(scenario="large")`` runs the large scenario (only on request: it takes long).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.sim_peers import (
    Clusters,
    corroborated,
    dbscan_clusters,
    localized,
    naive_party,
    peer_incidents,
    stonesoup_clusters,
)
from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.geo.history import LineHistory
from trucewatch.sim import Truth, evaluate, load_scenario, read_truth, simulate
from trucewatch.sim.evaluation import evaluate_store
from trucewatch.store import Store

SCENARIO = "standard"
SEED = 0
PEERS = ("dbscan", "dbscan_corroborated", "stonesoup")


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


# --------------------------------------------------------------------------- run


def _slim(metrics: dict[str, Any]) -> dict[str, Any]:
    drop = ("calibration", "by_weapon", "gates", "truth_file")
    return {k: v for k, v in metrics.items() if k not in drop}


def _engine(folder: Path, store: Store, sim: dict[str, Any]) -> dict[str, Any]:
    """Import the simulation into ``store``, fuse with trucewatch and evaluate."""
    t0 = time.perf_counter()
    app_lines.import_line(store, load_scenario(folder / "scenario.toml").control_path())
    t_line = time.perf_counter() - t0
    t0 = time.perf_counter()
    imported = app_intake.import_files(store, [Path(p) for p in sim["files"]["observations"]])
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    fused = app_incidents.fuse(store)
    t_fuse = time.perf_counter() - t0
    t0 = time.perf_counter()
    metrics = evaluate_store(store, folder / "truth.jsonl", runtime_s=t_fuse)
    t_eval = time.perf_counter() - t0
    return {
        "metrics": _slim(metrics),
        "by_weapon": metrics["by_weapon"],
        "calibration": metrics["calibration"],
        "timings_s": {"import_line": round(t_line, 2), "import": round(t_import, 2),
                      "fuse": round(t_fuse, 2), "evaluate": round(t_eval, 2)},
        "stored": imported["stored"],
        "incidents": fused["incidents"],
        "peak_rss_gb": round(_peak_rss_gb(), 2),
    }  # fmt: skip


def _cluster_peer(name: str, data: dict[str, Any], lines: LineHistory,
                  cache: dict[str, tuple[Clusters, float]]) -> tuple[Clusters, float]:  # fmt: skip
    """The clusters of peer ``name`` and the seconds they took (DBSCAN's computed once for
    both of its peers, its time counted in both)."""
    t0 = time.perf_counter()
    if name == "stonesoup":
        return stonesoup_clusters(data, lines), time.perf_counter() - t0
    if "dbscan" not in cache:
        cache["dbscan"] = (dbscan_clusters(data), time.perf_counter() - t0)
    clusters, seconds = cache["dbscan"]
    if name == "dbscan_corroborated":
        t0 = time.perf_counter()
        clusters = corroborated(data, clusters)
        seconds += time.perf_counter() - t0
    return clusters, seconds


def _peers(store: Store, truth: Truth, names: Sequence[str]) -> dict[str, Any]:
    """Each peer on the store's observations, scored with label and naive attribution."""
    lines = app_lines.line_history(store)
    t0 = time.perf_counter()
    data = localized(store.observations())
    t_loc = time.perf_counter() - t0
    out: dict[str, Any] = {"localize_s": round(t_loc, 2)}
    cache: dict[str, tuple[Clusters, float]] = {}
    for name in names:
        try:
            clusters, seconds = _cluster_peer(name, data, lines, cache)
        except ImportError as exc:
            out[name] = {"skipped": f"not installed: {exc}"}
            continue
        t0 = time.perf_counter()
        incidents = peer_incidents(data, clusters, lines)
        runtime = t_loc + seconds + time.perf_counter() - t0
        res = evaluate(incidents, truth, runtime_s=runtime)
        naive = evaluate(peer_incidents(data, clusters, lines, naive_party), truth)
        out[name] = {"metrics": _slim(res), "calibration": res["calibration"],
                     "naive_attribution": {k: naive[k] for k in (
                         "attribution_accuracy", "attribution_rate",
                         "attribution_accuracy_all")}}  # fmt: skip
    return out


def run(scenario: str = SCENARIO, seed: int = SEED, peers: bool | Sequence[str] = True
        ) -> dict[str, Any]:  # fmt: skip
    """Simulate, fuse with trucewatch and the peers (all of :data:`PEERS` when ``peers``
    is True, none when False, else those named), evaluate; plain JSON out."""
    names = PEERS if peers is True else () if peers is False else tuple(peers)
    unknown = set(names) - set(PEERS)
    if unknown:
        raise ValueError(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")
    out: dict[str, Any] = {"scenario": scenario, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-sim-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        sim = simulate(scenario, seed, folder / "sim")
        out["simulate"] = {k: sim[k] for k in ("truth_events", "truth_events_by_phase",
                                                "observations", "oracle_recall", "sensors",
                                                "line")}  # fmt: skip
        out["simulate"]["runtime_s"] = round(time.perf_counter() - t0, 2)
        store = Store.open(f"sqlite:///{folder / 'bench.db'}")
        try:
            out["trucewatch"] = _engine(folder / "sim", store, sim)
            out["calibration"] = {
                "engine": "trucewatch",
                "bins": out["trucewatch"].pop("calibration"),
                "note": "share_true = share of incidents in the bin matched to a true event",
            }
            if names:
                out["peers"] = _peers(store, read_truth(folder / "sim" / "truth.jsonl"), names)
        finally:
            store.close()
    out["peak_rss_gb"] = round(_peak_rss_gb(), 2)
    out["side_by_side"] = _side_by_side(out)
    return out


# --------------------------------------------------------------------------- report


SIDE_BY_SIDE = (
    "reported_incidents", "refuted_incidents", "matched_incidents",
    "precision", "recall", "f1", "oracle_recall", "recall_over_oracle", "f1_observable",
    "precision_strict", "recall_strict", "f1_strict",
    "loc_error_km_median", "loc_error_km_p90",
    "crlb_ratio_median", "crlb_matched_with_bound", "crlb_ratio_median_all",
    "crlb_matched_without_bound",
    "attribution_accuracy", "attribution_rate", "attribution_accuracy_all",
    "calibration_ece", "runtime_s",
)  # fmt: skip
"""The metrics of the side-by-side table, in its order (then precision per status and the
peers' naive attribution)."""


def _engines(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    engines = {"trucewatch": out.get("trucewatch", {}).get("metrics", {})}
    for name, res in out.get("peers", {}).items():
        if isinstance(res, dict) and "metrics" in res:
            engines[name] = res["metrics"] | {
                f"naive_{k}": v for k, v in res["naive_attribution"].items()}
    return engines


def _side_by_side(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """metric -> engine -> value, for every engine of the run."""
    engines = _engines(out)
    table = {key: {name: m.get(key) for name, m in engines.items()} for key in SIDE_BY_SIDE}
    for status in ("confirmed", "probable", "possible", "unverified", "refuted"):
        for field in ("incidents", "share_real" if status == "refuted" else "precision"):
            table[f"status_{status}_{field}"] = {
                name: m.get("precision_by_status", {}).get(status, {}).get(field)
                for name, m in engines.items()}  # fmt: skip
    for key in ("incidents", "precision", "recall_over_oracle", "f1_observable"):
        table[f"assessed_{key}"] = {name: m.get("assessed", {}).get(key)
                                    for name, m in engines.items()}  # fmt: skip
    for key in ("attribution_accuracy", "attribution_rate", "attribution_accuracy_all"):
        table[f"naive_{key}"] = {name: m.get(f"naive_{key}") for name, m in engines.items()}
    return table


def markdown_table(result: dict[str, Any]) -> str:
    """The side-by-side table of one run as Markdown (metric rows, engine columns)."""
    table = result["side_by_side"]
    names = list(next(iter(table.values())))
    lines = [f"### {result['scenario']}, seed {result['seed']}", "",
             "| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for key, row in table.items():
        cells = ["-" if row.get(n) is None else f"{row[n]:,}" if isinstance(row[n], int)
                 else f"{row[n]:.3f}" for n in names]  # fmt: skip
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", nargs="+", default=[SCENARIO])
    parser.add_argument("--seed", nargs="+", type=int, default=[SEED])
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--out", type=Path, help="JSON file (default: standard output)")
    parser.add_argument("--table", action="store_true", help="Markdown tables on stderr")
    args = parser.parse_args(argv)
    wanted: bool | list[str] = False if args.no_peers or os.environ.get(
        "BENCH_SIM_PEERS", "1") == "0" else [p for p in args.peers.split(",") if p]  # fmt: skip
    runs = []
    for scenario in args.scenario:
        for seed in args.seed:
            runs.append(run(scenario, seed, wanted))
            if args.table:
                print(markdown_table(runs[-1]) + "\n", file=sys.stderr, flush=True)
    text = json.dumps({"runs": runs}, indent=2, default=str) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()

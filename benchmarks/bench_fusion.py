"""Fusion at scale and as a stream (issue 4's speed targets).

One process run (``run()``):

1. **Scaling**: ``simulate("large", seed=0)`` (60 days, dense network, ~1.5 million
   observations), every file parsed (``trucewatch.sources.read_file``), observations sorted
   by time; ``fuse_observations`` on the first 10,000 / 100,000 / 1,000,000 with the
   scenario's contact line as context. Reported: seconds, observations per second, peak
   RSS, and the growth exponent between sizes (``log(t2/t1) / log(n2/n1)``: 1.0 is
   linear, n log n shows as ~1.05-1.1 over these sizes). The peer, DBSCAN on the same
   first-stage points (as in ``bench_sim``), is timed at the same sizes.
2. **Quality on ``large``**: all observations fused and scored against the truth; and,
   next to DBSCAN, the first :data:`PEER_DAYS` days (to keep the run's time and memory in
   bounds), both scored against the episodes that started in those days (minus the last
   hour).
   Stone Soup is left to ``bench_sim`` (its Python association takes minutes per 50,000
   observations).
3. **Streaming**: the ``standard`` scenario's observations replayed in arrival order (the
   end of each observation's window plus up to 10 minutes of reporting delay) at 500
   observations per second into :class:`trucewatch.fusion.streaming.IncrementalFusion`, in
   micro-batches every 50 ms. The clock is simulated: observation ``k`` arrives at
   ``k / 500`` s, a batch is processed when it closes or when the previous batch is done
   (whichever is later), and an observation's latency is from its arrival to the end of
   its batch's processing (measured wall time). After the last batch, ``refresh()``; the
   incidents are then compared with a batch fusion of the same observations.
"""

from __future__ import annotations

import itertools
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_sim import _peak_rss_gb, _slim
from benchmarks.sim_peers import localized, run_dbscan
from trucewatch import sources
from trucewatch.app import lines as app_lines
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.streaming import IncrementalFusion
from trucewatch.geo.history import LineHistory
from trucewatch.sim import evaluate, load_scenario, read_truth, simulate
from trucewatch.sim.truth import Truth
from trucewatch.store import Store
from trucewatch.types import Observation

SIZES = (10_000, 100_000, 1_000_000)
PEER_DAYS = 5.0
STREAM_RATE = 500.0
BATCH_S = 0.05
REPORT_DELAY_S = 600.0


def _read_all(files: list[str]) -> list[Observation]:
    obs: list[Observation] = []
    for f in files:
        obs.extend(sources.read_file(Path(f)).observations)
    obs.sort(key=lambda o: (o.time_start, o.uid))
    return obs


def _lines(folder: Path, scenario_toml: Path) -> tuple[Store, LineHistory]:
    store = Store.open(f"sqlite:///{folder / 'lines.db'}")
    app_lines.import_line(store, load_scenario(scenario_toml).control_path())
    return store, app_lines.line_history(store)


def scaling(folder: Path) -> dict[str, Any]:
    sim = simulate("large", 0, folder / "large")
    t0 = time.perf_counter()
    obs = _read_all(sim["files"]["observations"])
    out: dict[str, Any] = {"observations": len(obs), "parse_s": round(time.perf_counter() - t0, 1),
                           "sizes": []}  # fmt: skip
    store, lines = _lines(folder, folder / "large" / "scenario.toml")
    try:
        for n in SIZES:
            sub = obs[:n]
            t0 = time.perf_counter()
            result = fuse_observations(sub, lines)
            dt = time.perf_counter() - t0
            row: dict[str, Any] = {"n": len(sub), "fuse_s": round(dt, 2),
                                   "obs_per_s": round(len(sub) / dt),
                                   "incidents": len(result.incidents),
                                   "peak_rss_gb": round(_peak_rss_gb(), 2)}  # fmt: skip
            if n <= 100_000:
                t0 = time.perf_counter()
                run_dbscan(localized(sub), lines)
                row["dbscan_s"] = round(time.perf_counter() - t0, 2)
            out["sizes"].append(row)
            del result
        rows = out["sizes"]
        out["growth_exponent"] = [
            round(math.log(b["fuse_s"] / a["fuse_s"]) / math.log(b["n"] / a["n"]), 3)
            for a, b in itertools.pairwise(rows)
        ]
        truth = read_truth(folder / "large" / "truth.jsonl")
        t0 = time.perf_counter()
        result = fuse_observations(obs, lines)
        t_all = time.perf_counter() - t0
        out["large_quality"] = {"all": _slim(evaluate(result.incidents, truth, runtime_s=t_all)),
                                "peak_rss_gb": round(_peak_rss_gb(), 2)}  # fmt: skip
        del result
        out["large_quality"]["first_days"] = _first_days(obs, truth, lines)
    finally:
        store.close()
    return out


def _first_days(obs: list[Observation], truth: Truth, lines: LineHistory
                ) -> dict[str, Any]:  # fmt: skip
    """trucewatch and DBSCAN on the observations of the first :data:`PEER_DAYS` days,
    scored against the episodes that started then (both sites, minus the last hour)."""
    start = min(o.time_start for o in obs).timestamp()
    end = start + PEER_DAYS * 86400.0
    sub = [o for o in obs if o.time_start.timestamp() < end]
    first = np.minimum(truth.site_start[0::2], truth.site_start[1::2])
    keep = (first >= start) & (first < end - 3600.0)
    sites = np.repeat(keep, 2)
    window = Truth(
        ids=[i for i, k in zip(truth.ids, keep, strict=True) if k], party=truth.party[keep],
        weapon=truth.weapon[keep], phase=truth.phase[keep], observed=truth.observed[keep],
        site_lon=truth.site_lon[sites], site_lat=truth.site_lat[sites],
        site_start=truth.site_start[sites], site_end=truth.site_end[sites],
        site_bound_km=truth.site_bound_km[sites], site_observed=truth.site_observed[sites],
    )  # fmt: skip
    out: dict[str, Any] = {"days": PEER_DAYS, "observations": len(sub),
                           "truth_events": len(window)}  # fmt: skip
    t0 = time.perf_counter()
    ours = fuse_observations(sub, lines).incidents
    out["trucewatch"] = _slim(evaluate(ours, window, runtime_s=time.perf_counter() - t0))
    t0 = time.perf_counter()
    peer = run_dbscan(localized(sub), lines)
    out["dbscan"] = _slim(evaluate(peer, window, runtime_s=time.perf_counter() - t0))
    return out


def streaming(folder: Path) -> dict[str, Any]:
    sim = simulate("standard", 0, folder / "standard")
    obs = _read_all(sim["files"]["observations"])
    store, lines = _lines(folder, folder / "standard" / "scenario.toml")
    try:
        rng = np.random.default_rng(0)
        ready = np.array([o.time_end.timestamp() for o in obs]) + rng.uniform(
            0.0, REPORT_DELAY_S, len(obs))
        order = np.argsort(ready, kind="stable")
        arrival = np.arange(len(obs)) / STREAM_RATE
        per_batch = max(1, round(STREAM_RATE * BATCH_S))
        engine = IncrementalFusion(lines)
        latency = np.empty(len(obs))
        busy_until = 0.0
        processing = []
        for k in range(0, len(obs), per_batch):
            batch = order[k : k + per_batch]
            close = arrival[min(k + per_batch, len(obs)) - 1]
            start = max(close, busy_until)
            t0 = time.perf_counter()
            engine.add([obs[i] for i in batch])
            spent = time.perf_counter() - t0
            processing.append(spent)
            busy_until = start + spent
            latency[k : k + len(batch)] = busy_until - arrival[k : k + len(batch)]
        t0 = time.perf_counter()
        engine.refresh()
        t_refresh = time.perf_counter() - t0
        t0 = time.perf_counter()
        batch_result = fuse_observations(obs, lines).incidents
        t_batch = time.perf_counter() - t0
        streamed = engine.incidents()
    finally:
        store.close()
    return {
        "observations": len(obs),
        "rate_per_s": STREAM_RATE,
        "batch_s": BATCH_S,
        "latency_ms": {"p50": round(float(np.percentile(latency, 50)) * 1000, 1),
                       "p99": round(float(np.percentile(latency, 99)) * 1000, 1),
                       "max": round(float(latency.max()) * 1000, 1)},
        "batch_processing_ms": {"p50": round(float(np.percentile(processing, 50)) * 1000, 1),
                                "p99": round(float(np.percentile(processing, 99)) * 1000, 1)},
        "kept_up": bool(np.percentile(processing, 99) <= BATCH_S),
        "refresh_s": round(t_refresh, 2),
        "batch_fuse_s": round(t_batch, 2),
        "incidents": len(streamed),
        "equal_to_batch": streamed == batch_result,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-fusion-") as tmp:
        folder = Path(tmp)
        out = {"streaming": streaming(folder), "scaling": scaling(folder)}
    out["peak_rss_gb"] = round(_peak_rss_gb(), 2)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, default=str))

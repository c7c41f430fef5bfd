"""Partitioned fusion of the ``national`` scenario on a local Dask cluster (issue 19).

    python -m benchmarks.bench_partitioned --days 2 --hours 1,2,4 \
        --out benchmarks/results/partitioned_DATE.json

Simulates the first ``--days`` days of ``national`` (written a day at a time; a folder
already holding them is reused), shards the observations by UTC hour on disk (streamed:
the driver never holds more than one batch), then fuses spans of ``--hours`` hours from
the first UTC midnight through :mod:`trucewatch.app.partitioned` with 2 worker processes,
the middle span with 1 worker, and the middle span in one process with
:func:`~trucewatch.fusion.engine.fuse_observations` (the reference, checked equal): time
against the span (linear?), throughput of 2 workers against 1, peak memory of each worker
against its largest cell, and the overheads a larger cluster would pay (cluster start,
the halos' extra observations, serialization of the cells, the merge). Nothing is
asserted: the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trucewatch import sources
from trucewatch.app import lines as app_lines
from trucewatch.app.incidents import _line_vertices
from trucewatch.app.partitioned import ClusterOptions, fuse_partitioned, open_client
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.partition import PartitionPlan, front_axis
from trucewatch.geo.history import LineHistory
from trucewatch.sim import load_scenario, simulate
from trucewatch.store import Store
from trucewatch.types import Observation

HOUR_S = 3600
BATCH = 20_000


def _simulate(folder: Path, days: float) -> dict[str, Any]:
    done = folder / "summary.json"
    if done.is_file():
        return dict(json.loads(done.read_text()))
    s = load_scenario("national")
    s = dataclasses.replace(s, period=dataclasses.replace(s.period, days=days))
    t0 = time.perf_counter()
    summary = simulate(s, 0, folder / "sim")
    summary["wall_s"] = round(time.perf_counter() - t0, 1)
    done.write_text(json.dumps(summary))
    return summary


class HourShards:
    """Observations pickled by UTC hour of their start (``<hour>.pkl``, appended batches)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hours = sorted(int(p.stem) for p in folder.glob("*.pkl"))

    @classmethod
    def build(cls, files: list[str], folder: Path) -> tuple[HourShards, float]:
        t0 = time.perf_counter()
        if not (folder / "done").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            for f in files:
                pending: dict[int, list[Observation]] = defaultdict(list)
                for i, o in enumerate(sources.stream_file(Path(f))):
                    pending[int(o.time_start.timestamp()) // HOUR_S].append(o)
                    if i % BATCH == BATCH - 1:
                        cls._flush(folder, pending)
                cls._flush(folder, pending)
            (folder / "done").write_text("")
        return cls(folder), time.perf_counter() - t0

    @staticmethod
    def _flush(folder: Path, pending: dict[int, list[Observation]]) -> None:
        for hour, batch in pending.items():
            with (folder / f"{hour}.pkl").open("ab") as fh:
                pickle.dump(batch, fh, protocol=5)
        pending.clear()

    def read(self, a: datetime, b: datetime) -> list[Observation]:
        out: list[Observation] = []
        for hour in range(int(a.timestamp()) // HOUR_S, int(b.timestamp()) // HOUR_S + 1):
            path = self.folder / f"{hour}.pkl"
            if not path.is_file():
                continue
            with path.open("rb") as fh:
                while True:
                    try:
                        out.extend(o for o in pickle.load(fh) if a <= o.time_start < b)
                    except EOFError:
                        break
        out.sort(key=lambda o: (o.time_start, o.uid))
        return out

    def first(self, t: datetime) -> datetime | None:
        h = int(t.timestamp()) // HOUR_S
        for hour in (x for x in self.hours if x >= h):
            obs = self.read(max(t, datetime.fromtimestamp(hour * HOUR_S, UTC)),
                            datetime.fromtimestamp((hour + 1) * HOUR_S, UTC))  # fmt: skip
            if obs:
                return obs[0].time_start
        return None


def _history(folder: Path) -> LineHistory:
    store = Store.open(f"sqlite:///{folder / 'lines.db'}")
    try:
        if not store.lines():
            app_lines.import_line(store, load_scenario("national").control_path())
        return app_lines.line_history(store)
    finally:
        store.close()


def _serialization(shards: HourShards, start: datetime) -> dict[str, float]:
    """Pickling cost of an hour of observations (what a cell's transfer costs per hour)."""
    obs = shards.read(start + timedelta(hours=2), start + timedelta(hours=3))
    t0 = time.perf_counter()
    blob = pickle.dumps(obs, protocol=5)
    dump_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pickle.loads(blob)
    load_s = time.perf_counter() - t0
    n = max(len(obs), 1)
    return {"observations": len(obs), "bytes_per_observation": round(len(blob) / n),
            "dump_us_per_observation": round(dump_s / n * 1e6, 1),
            "load_us_per_observation": round(load_s / n * 1e6, 1)}  # fmt: skip


def _fuse(shards: HourShards, lines: LineHistory, start: datetime, hours: float,
          workers: int) -> tuple[dict[str, Any], Any]:  # fmt: skip
    plan = PartitionPlan(axis=front_axis(_line_vertices(lines)))
    t0 = time.perf_counter()
    with open_client(ClusterOptions(workers=workers)) as client:
        started = time.perf_counter() - t0
        run = fuse_partitioned(shards.read, shards.first, start, start + timedelta(hours=hours),
                               lines, plan, client)  # fmt: skip
        t_close = time.perf_counter()
    closed = time.perf_counter() - t_close
    summary = run.summary()
    n = run.observations_read
    fused_core = sum(len(i.observation_uids) for i in run.merged.result.incidents) + len(
        run.merged.result.unresolved)
    row = {
        "hours": hours, "workers": workers, "cluster_start_s": round(started, 1),
        "cluster_close_s": round(closed, 1),
        "observations": fused_core, "incidents": len(run.merged.result.incidents),
        "obs_per_s": round(fused_core / run.wall_s), "halo_factor":
            round(run.observations_fused / max(fused_core, 1), 2),
        "reads_per_observation": round(n / max(fused_core, 1), 2),
        "max_worker_peak_rss_gb": round(max(run.worker_peak_rss_mb.values(), default=0) / 1024, 2),
        "idle_or_scheduling_s": round(run.wall_s - run.read_split_s - run.merge_s
                                      - run.fuse_s / workers, 1),
    } | summary  # fmt: skip
    row["mb_per_observation_in_largest_cell"] = round(
        max(run.worker_peak_rss_mb.values(), default=0) / max(run.largest_cell, 1), 4)
    print(json.dumps(row), flush=True)
    return row, run.merged.result


def _single(shards: HourShards, lines: LineHistory, start: datetime, hours: float,
            partitioned: Any) -> dict[str, Any]:  # fmt: skip
    """The same span fused in this process, and whether it equals the partitioned result."""
    obs = shards.read(start, start + timedelta(hours=hours))
    t0 = time.perf_counter()
    result = fuse_observations(obs, lines)
    dt = time.perf_counter() - t0
    row = {"hours": hours, "workers": 0, "observations": len(obs),
           "incidents": len(result.incidents), "wall_s": round(dt, 1),
           "obs_per_s": round(len(obs) / dt),
           "equal_to_partitioned": result.incidents == partitioned.incidents
           and result.unresolved == partitioned.unresolved}  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--hours", default="1,2,4", help="spans to fuse (hours, comma-separated)")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trucewatch-bench-national"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    sim = _simulate(folder, float(args.days))
    shards, shard_s = HourShards.build(sim["files"]["observations"], folder / "shards")
    lines = _history(folder)
    first = datetime.fromisoformat(sim["period"]["start"]).astimezone(UTC)
    start = first.replace(hour=0, minute=0, second=0) + timedelta(days=1)  # first UTC midnight
    out: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "started_at": datetime.now(UTC).isoformat(),
        "scenario": {"name": "national", "days_simulated": args.days,
                     "observations": sim["observations"]["total"],
                     "simulate_s": sim.get("wall_s"), "sensors": sim["sensors"]},
        "shard_s": round(shard_s, 1),
        "serialization": _serialization(shards, start),
        "plan": dataclasses.asdict(PartitionPlan(axis=front_axis(_line_vertices(lines)))),
        "runs": [],
    }
    spans = [float(h) for h in args.hours.split(",")]
    results = {}
    for hours in spans:
        row, results[hours] = _fuse(shards, lines, start, hours, 2)
        out["runs"].append(row)
        args.out.write_text(json.dumps(out, indent=1))
    middle = spans[len(spans) // 2]
    out["runs"].append(_fuse(shards, lines, start, middle, 1)[0])
    args.out.write_text(json.dumps(out, indent=1))
    out["runs"].append(_single(shards, lines, start, middle, results[middle]))
    out["load_average_at_end"] = os.getloadavg()
    args.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

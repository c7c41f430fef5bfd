"""Partitioned fusion on a Dask cluster: the cells of
:mod:`trucewatch.fusion.partition` fused on the workers, merged here.

The driver walks the period one time window at a time: it reads the window's observations
with its halo (``read(since, until)``), splits them into cells, hands each cell to a
worker and keeps at most :attr:`ClusterOptions.in_flight` cells queued, so the driver
holds one window (and the cells on their way), and a worker one cell: memory is bounded
by the partition, not the workload. Each worker fuses its cell with the same engine
(:func:`trucewatch.fusion.engine.fuse_observations`) and sends back only what the cell
owns; :func:`trucewatch.fusion.partition.merge_cells` merges the cells into one result.

A :class:`distributed.LocalCluster` of ``workers`` processes (one thread each) is started
for the run by default; ``scheduler`` (``tcp://host:8786``) uses a running cluster
instead, whose workers must have the same version of trucewatch installed.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trucewatch.associate import Gates
from trucewatch.fusion.calibration import Calibration
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.partition import (
    Cell,
    CellResult,
    MergedResult,
    PartitionPlan,
    cell_result,
    merge_cells,
    split,
)
from trucewatch.geo.history import ContextLookup
from trucewatch.types import Observation

__all__ = ["ClusterOptions", "PartitionedRun", "fuse_partitioned", "open_client"]

Reader = Callable[[datetime, datetime], Sequence[Observation]]
"""Observations starting in [since, until) (aware UTC datetimes)."""
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ClusterOptions:
    """Where the cells are fused: a local cluster of ``workers`` processes (threads when
    ``processes`` is false: tests), or the running cluster at ``scheduler``."""

    workers: int = 2
    scheduler: str | None = None
    processes: bool = True
    memory_limit: str = "auto"
    """Per local worker (Dask's own notation, e.g. ``"4GB"``; ``auto``: the machine's
    memory shared equally)."""


@dataclass
class PartitionedRun:
    """The merged result and how the run went (for ``--json`` and the benchmark)."""

    merged: MergedResult
    cells: int = 0
    windows: int = 0
    observations_read: int = 0
    observations_fused: int = 0
    """Observations fused over all cells (each counted once per cell: the halos' cost)."""
    read_split_s: float = 0.0
    fuse_s: float = 0.0
    """Sum over the cells of the time the workers spent fusing."""
    merge_s: float = 0.0
    wall_s: float = 0.0
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    """Peak resident memory of each worker process (MB)."""
    largest_cell: int = 0
    core: list[Observation] = field(default_factory=list)
    """The observations of [since, until) that ``keep`` selected (satellite detections for
    the war-fire judgement, say)."""

    def summary(self) -> dict[str, Any]:
        return {
            "cells": self.cells, "windows": self.windows,
            "observations_read": self.observations_read,
            "observations_fused": self.observations_fused,
            "largest_cell": self.largest_cell,
            "duplicates_dropped": self.merged.duplicates_dropped,
            "seam_conflicts": self.merged.seam_conflicts,
            "read_split_s": round(self.read_split_s, 3), "fuse_s": round(self.fuse_s, 3),
            "merge_s": round(self.merge_s, 3), "wall_s": round(self.wall_s, 3),
            "worker_peak_rss_mb": {k: round(v, 1) for k, v in
                                   sorted(self.worker_peak_rss_mb.items())},
        }  # fmt: skip


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


@dataclass(frozen=True)
class CellData:
    """One cell's observations, sent to a worker as one object."""

    observations: list[Observation]


def fuse_cell(cell: Cell, data: CellData, lookup: ContextLookup | None, plan: PartitionPlan,
              gates: Gates | None, calibration: Calibration | None
              ) -> tuple[CellResult, dict[str, Any]]:  # fmt: skip
    """Run on a worker: fuse one cell and keep what it owns; with the time spent (s), the
    worker's peak memory (MB) and its name."""
    t0 = time.perf_counter()
    observations = data.observations
    result = fuse_observations(observations, lookup, gates, calibration)
    kept = cell_result(cell, observations, result, plan)
    try:
        from distributed import get_worker

        worker = str(get_worker().name)
    except (ImportError, ValueError):
        worker = "local"
    return kept, {"fuse_s": time.perf_counter() - t0, "peak_rss_mb": _peak_rss_mb(),
                  "worker": worker}  # fmt: skip


@contextmanager
def open_client(options: ClusterOptions) -> Iterator[Any]:
    """A Dask client: on the scheduler given, or on a local cluster started for the run
    (its ports, the dashboard's too, chosen by the system) and closed after it."""
    from distributed import Client, LocalCluster

    if options.scheduler:
        with Client(options.scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=options.workers, threads_per_worker=1,
                      processes=options.processes, memory_limit=options.memory_limit,
                      dashboard_address=":0") as cluster, Client(cluster) as client:  # fmt: skip
        yield client


def _windows(read_first: Callable[[datetime], datetime | None], since: datetime,
             until: datetime, plan: PartitionPlan) -> Iterator[int]:
    """Windows meeting [since, until) that hold an observation (skipping empty ones)."""
    t = since
    while t < until:
        first = read_first(t)
        if first is None or first >= until:
            return
        w = plan.window_of(first.timestamp())
        yield w
        t = datetime.fromtimestamp(plan.window_bounds(w)[1], UTC)


def fuse_partitioned(
    read: Reader, read_first: Callable[[datetime], datetime | None],
    since: datetime, until: datetime, lookup: ContextLookup | None, plan: PartitionPlan,
    client: Any, *, gates: Gates | None = None, calibration: Calibration | None = None,
    keep: Callable[[Observation], bool] | None = None, progress: Progress | None = None,
    in_flight: int = 0,
) -> PartitionedRun:
    """Fuse the observations starting in [since, until) (aware UTC) cell by cell on
    ``client``'s cluster: ``read`` gives the observations of an interval,
    ``read_first(t)`` the start of the first one at or after ``t`` (None: none left).
    Equal to ``fuse_observations(read(since, until), lookup)`` when the halos are wide
    enough (:func:`trucewatch.fusion.partition.halo_for`); ``keep`` selects observations of
    the period to hand back in :attr:`PartitionedRun.core`; ``in_flight``: cells queued at
    once (0: two per worker thread); ``progress`` is told ``fusing the cells`` with the
    cells fused of those queued so far."""
    from distributed import as_completed

    step = progress or (lambda *_: None)
    t_start = time.perf_counter()
    run = PartitionedRun(merged=merge_cells([]))
    lookup_f = client.scatter(lookup, broadcast=True) if lookup is not None else None
    slots = in_flight or max(1, sum(client.nthreads().values())) * 2
    pending = as_completed()
    results: list[CellResult] = []

    def collect(wait_until: int) -> None:
        while pending.count() > wait_until:
            kept, stats = next(pending).result()
            results.append(kept)
            run.fuse_s += stats["fuse_s"]
            peak = run.worker_peak_rss_mb.get(stats["worker"], 0.0)
            run.worker_peak_rss_mb[stats["worker"]] = max(peak, stats["peak_rss_mb"])
            step("fusing the cells", len(results), run.cells)

    for w in _windows(read_first, since, until, plan):
        t0 = time.perf_counter()
        a, b = (datetime.fromtimestamp(x, UTC) for x in plan.read_bounds(w))
        observations = read(max(a, since), min(b, until))
        cells, _ = split(observations, plan, w)
        core0, core1 = plan.window_bounds(w)
        if keep is not None:
            run.core.extend(o for o in observations
                            if core0 <= o.time_start.timestamp() < core1 and keep(o))  # fmt: skip
        run.windows += 1
        run.observations_read += len(observations)
        del observations
        run.read_split_s += time.perf_counter() - t0
        for cell, members in sorted(cells.items(), key=lambda kv: kv[0].band):
            collect(slots - 1)
            run.cells += 1
            run.observations_fused += len(members)
            run.largest_cell = max(run.largest_cell, len(members))
            data = client.scatter(CellData(members))
            pending.add(client.submit(fuse_cell, cell, data, lookup_f, plan, gates,
                                      calibration, pure=False))  # fmt: skip
        del cells
    collect(0)
    t0 = time.perf_counter()
    run.merged = merge_cells(results, calibration)
    run.merge_s = time.perf_counter() - t0
    run.wall_s = time.perf_counter() - t_start
    return run

"""Partitioned fusion on Dask equals the single-process fusion (issue 19, part 3).

A local cluster of threads (no worker processes to start: the test measures equality,
not speed; ``benchmarks/bench_partitioned.py`` measures speed on processes)."""

from __future__ import annotations

import bisect
import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trucewatch import sources
from trucewatch.app import incidents, intake, lines
from trucewatch.app.demo import CONTROL_FILE, OBSERVATION_FILES, demo_file
from trucewatch.app.partitioned import ClusterOptions, fuse_partitioned, open_client
from trucewatch.fusion.engine import fuse_observations
from trucewatch.fusion.partition import PartitionPlan
from trucewatch.sim import load_scenario, simulate
from trucewatch.store import Store

THREADS = ClusterOptions(workers=2, processes=False)


@pytest.fixture(scope="module")
def standard_day(tmp_path_factory: pytest.TempPathFactory):
    """A day of ``standard`` (seed 5), its observations in fusion order, and its line."""
    folder = tmp_path_factory.mktemp("standard")
    s = load_scenario("standard")
    s = dataclasses.replace(s, period=dataclasses.replace(s.period, days=1.0))
    sim = simulate(s, 5, folder / "sim")
    obs = [o for f in sim["files"]["observations"] for o in sources.read_file(Path(f)).observations]
    obs.sort(key=lambda o: (o.time_start, o.uid))
    store = Store.open(f"sqlite:///{folder / 'lines.db'}")
    lines.import_line(store, s.control_path())
    history = lines.line_history(store)
    store.close()
    return obs, history


def test_partitioned_standard_equals_one_fusion(standard_day):
    obs, history = standard_day
    single = fuse_observations(obs, history)
    times = [o.time_start for o in obs]

    def read(a: datetime, b: datetime):
        return obs[bisect.bisect_left(times, a):bisect.bisect_left(times, b)]

    def read_first(t: datetime):
        i = bisect.bisect_left(times, t)
        return times[i] if i < len(times) else None

    # half-day windows and 400 km bands: seams in time and in space to cross
    plan = PartitionPlan(window_s=12 * 3600.0, band_km=400.0, axis=(0.66, 0.75))
    with open_client(THREADS) as client:
        run = fuse_partitioned(read, read_first, times[0], datetime(9999, 1, 1, tzinfo=UTC),
                               history, plan, client)  # fmt: skip
    assert run.windows >= 2 and run.cells >= 4
    assert run.observations_fused > len(obs)  # the halos were fused twice
    assert run.merged.seam_conflicts == 0
    merged = run.merged.result
    assert [i.uid for i in merged.incidents] == [i.uid for i in single.incidents]
    assert merged.incidents == single.incidents
    assert merged.unresolved == single.unresolved


def test_fuse_on_a_cluster_stores_the_same_incidents(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        lines.import_line(store, demo_file(CONTROL_FILE))
        intake.import_files(store, [demo_file(name) for name in OBSERVATION_FILES])
        alone = incidents.fuse(store)
        one = store.incidents()
        spread = incidents.fuse(store, cluster=THREADS)
        two = store.incidents()
    finally:
        store.close()
    assert spread["partitions"]["cells"] >= 1 and spread["partitions"]["seam_conflicts"] == 0
    assert {k: v for k, v in spread.items() if k != "partitions"} == alone
    strip = [dataclasses.replace(i, assessment={}) for i in one]
    assert [dataclasses.replace(i, assessment={}) for i in two] == strip
    assert [i.assessment for i in two] == [i.assessment for i in one]

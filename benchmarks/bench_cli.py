"""Benchmark of the command line: start-up time and what the progress bars report.

``run()`` measures, in one process run:

* **startup**: wall-clock seconds of ``trucewatch --help``, ``trucewatch line list`` (on a
  store holding one line) and two sub-command helps, each in a fresh interpreter
  (``python -m trucewatch.cli``, bytecode cached by a warm-up run; best and median of
  ``repeat`` runs; ``cpu_median_s``: user + system CPU seconds of the process, less
  sensitive than wall-clock time to other jobs on a shared machine). Targets of issue
  18: ``--help`` under 0.5 s, ``line list`` under 1 s. A machine shared by several jobs
  slows every start-up: the load average at the start is recorded beside the figures.
* **progress**: the ``simulate`` field scenario (seed 11) is imported, fused and exported
  with a recording progress callback: how many updates each use case gives, the longest
  time without one, the records per second it reports and its total time.

* **fuse=STORE.db**: the fuse of the progress part alone, on a copy of an existing SQLite
  store, with each stage's items, updates and longest time without one.

Plain JSON out; ``python -m benchmarks.bench_cli [startup] [progress] [fuse=STORE.db]`` writes
``benchmarks/results/cli_<date>.json``; with ``TRUCEWATCH_BASELINE_SRC=../main/src`` the
start-up of that tree is timed in turn with this one (same load, same interpreter).
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


BASELINE_SRC = os.environ.get("TRUCEWATCH_BASELINE_SRC")
"""Another source tree (e.g. the main branch's ``src``) timed in turn with this one, so
that both see the same machine load; unset: this tree only."""


PYCACHE = Path(tempfile.gettempdir()) / "trucewatch-bench-pycache"
"""Bytecode caches of the timed runs, outside the source trees (as an installed package
has them: the first, warm-up run writes them)."""


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def _trees() -> dict[str, Path]:
    """The source trees timed: this one and, if given, :data:`BASELINE_SRC`."""
    return {"this": SRC, **({"baseline": Path(BASELINE_SRC)} if BASELINE_SRC else {})}


def _time_command(args: list[str], repeat: int) -> dict[str, Any]:
    """Best and median wall-clock seconds of ``trucewatch ARGS`` in a fresh interpreter,
    for this tree and (in turn, run by run) for :data:`BASELINE_SRC`; ``{tree}`` in an
    argument is the tree's name (each tree reads a store it made itself: a baseline
    refuses a store migrated past its newest revision)."""
    trees = _trees()
    times: dict[str, list[float]] = {name: [] for name in trees}

    def argv(name: str) -> list[str]:
        return [sys.executable, "-m", "trucewatch.cli", *(a.format(tree=name) for a in args)]

    for name, src in trees.items():  # warm-up: writes the bytecode caches
        subprocess.run(argv(name), env=_env(src), capture_output=True, check=True)
    cpu: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(repeat):
        for name, src in trees.items():
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(argv(name), env=_env(src), capture_output=True, check=True)
            times[name].append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    out: dict[str, Any] = {}
    for name, prefix in (("this", ""), ("baseline", "baseline_")):
        if name in times:
            out[f"{prefix}best_s"] = round(min(times[name]), 3)
            out[f"{prefix}median_s"] = round(statistics.median(times[name]), 3)
            out[f"{prefix}cpu_median_s"] = round(statistics.median(cpu[name]), 3)
    return out


LINE_STORE = """
import sys
from trucewatch.app import lines
from trucewatch.app.demo import CONTROL_FILE, demo_file
from trucewatch.app.session import open_store
store = open_store(sys.argv[1])
try:
    lines.import_line(store, demo_file(CONTROL_FILE))
finally:
    store.close()
"""
"""Makes a store holding the demo's line, with the code of the tree it runs in."""


def startup(workdir: Path, repeat: int = 7) -> dict[str, Any]:
    db = f"sqlite:///{workdir / 'startup_{tree}.db'}"
    for name, src in _trees().items():
        subprocess.run([sys.executable, "-c", LINE_STORE, db.format(tree=name)],
                       env=_env(src), check=True)  # fmt: skip
    t0 = time.perf_counter()
    for _ in range(repeat):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    interpreter = (time.perf_counter() - t0) / repeat
    return {
        "load_average_1min": os.getloadavg()[0],
        "baseline_src": BASELINE_SRC,
        "bare_interpreter_s": round(interpreter, 3),
        "help": _time_command(["--help"], repeat),
        "line_list": _time_command(["line", "list", "--db", db], repeat),
        "export_incidents_help": _time_command(["export", "incidents", "--help"], repeat),
        "thermal_classify_help": _time_command(["thermal", "classify", "--help"], repeat),
        "targets": {"help_s": 0.5, "line_list_s": 1.0},
    }


class Recorder:
    """A progress callback that keeps (time, description, done, total) of every call."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.calls: list[tuple[float, str, int, int]] = []

    def __call__(self, description: str, done: int, total: int) -> None:
        self.calls.append((time.perf_counter() - self.t0, description, done, total))

    def summary(self, total_s: float, items: int) -> dict[str, Any]:
        times = [0.0, *(c[0] for c in self.calls), total_s]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        return {
            "total_s": round(total_s, 2),
            "items": items,
            "items_per_s": round(items / total_s) if total_s else None,
            "updates": len(self.calls),
            "longest_without_update_s": round(max(gaps), 2),
            "steps": sorted({_stage_word(c[1]) for c in self.calls}),
        }


def _stage_word(description: str) -> str:
    """The first word of a progress description, after a stage number (``3/11 placing
    ...``: ``placing``)."""
    words = description.split(" ")
    return words[1] if len(words) > 1 and words[0].partition("/")[0].isdigit() else words[0]


def progress(workdir: Path) -> dict[str, Any]:
    from trucewatch.app import incidents, intake, lines
    from trucewatch.app.demo import demo_file
    from trucewatch.app.session import open_store
    from trucewatch.sim import simulate

    sim = workdir / "field"
    simulate("field", 11, sim)
    store = open_store(f"sqlite:///{workdir / 'progress.db'}")
    out: dict[str, Any] = {"scenario": "field", "seed": 11}
    try:
        lines.import_line(store, demo_file("control/deepstate/deepstatemap_data_20250818.geojson"))
        for name, job in (
            ("import", lambda rec: intake.import_files(store, [sim], progress=rec)),
            ("fuse", lambda rec: incidents.fuse(store, progress=rec)),
            ("export_csv", lambda rec: incidents.export_incidents(
                store, workdir / "x.csv", "csv", progress=rec)),
            ("export_gpkg", lambda rec: incidents.export_incidents(
                store, workdir / "x.gpkg", "gpkg", progress=rec)),
        ):  # fmt: skip
            rec = Recorder()
            t0 = time.perf_counter()
            result = job(rec)
            total = time.perf_counter() - t0
            items = result.get("stored") or result.get("observations") or result["incidents"]
            out[name] = rec.summary(total, int(items))
    finally:
        store.close()
    return out


def fuse_progress(db: Path, workdir: Path) -> dict[str, Any]:
    """The ``fuse`` part of :func:`progress` on a copy of an existing SQLite store (e.g.
    one the progress part filled), for a machine too busy to simulate and import again;
    with the time of each stage and the longest time without an update within it."""
    import shutil

    from trucewatch.app import incidents
    from trucewatch.app.session import open_store

    copy = workdir / "fuse.db"
    shutil.copy(db, copy)
    store = open_store(f"sqlite:///{copy}")
    try:
        rec = Recorder()
        t0 = time.perf_counter()
        result = incidents.fuse(store, progress=rec)
        total = time.perf_counter() - t0
    finally:
        store.close()
    out = rec.summary(total, int(result["observations"]))
    stages: dict[str, dict[str, Any]] = {}
    ends = [c[0] for c in rec.calls[1:]] + [total]
    for (t, what, _done, n), end in zip(rec.calls, ends, strict=True):
        stage = stages.setdefault(what, {"items": n, "start_s": t, "updates": 0, "gap_s": 0.0})
        stage["updates"] += 1
        stage["gap_s"] = max(stage["gap_s"], end - t)
    out["stages"] = {what: {"items": s["items"], "updates": s["updates"],
                            "longest_without_update_s": round(s["gap_s"], 2)}
                     for what, s in stages.items()}  # fmt: skip
    return {"store": str(db), "incidents": result["incidents"], **out}


def run(parts: tuple[str, ...] = ("startup", "progress")) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="trucewatch-bench-cli-") as tmp:
        work = Path(tmp)
        out: dict[str, Any] = {}
        if "startup" in parts:
            out["startup"] = startup(work)
        if "progress" in parts:
            out["progress"] = progress(work)
        for part in parts:
            if part.startswith("fuse="):
                out["fuse_progress"] = fuse_progress(Path(part.removeprefix("fuse=")), work)
        return out


def main() -> None:
    parts = tuple(sys.argv[1:]) or ("startup", "progress")
    result = {"measured_at": datetime.now(UTC).isoformat(), "cpus": os.cpu_count(),
              **run(parts)}  # fmt: skip
    out = ROOT / "benchmarks" / "results" / f"cli_{datetime.now(UTC).date().isoformat()}.json"
    if out.exists():  # keep the parts measured earlier the same day
        result = {**json.loads(out.read_text()), **result}
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

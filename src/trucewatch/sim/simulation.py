"""``simulate(scenario, seed, out_dir)``: observations, ground truth and the resolved
scenario of one run.

Random streams: ``numpy.random.default_rng([seed, k])`` with a fixed ``k`` per stage
(1 episodes, 2 layout, 10-14 the sensors), so the same scenario and seed give the same
bytes, and changing one sensor does not change the violations or the other sensors.
Files are written to temporary names and renamed when all are complete. A scenario with
``period.chunk_days`` > 0 is drawn and written a chunk at a time (:mod:`trucewatch.sim.chunked`).
The run in memory and its truth lines are in :mod:`trucewatch.sim.run_truth`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from trucewatch.sim.chunked import simulate_chunked
from trucewatch.sim.field_files import FIELD_FILES, field_files
from trucewatch.sim.layout import build_layout
from trucewatch.sim.record_text import BESIDE_FILES, FILES
from trucewatch.sim.records import render_all
from trucewatch.sim.run_truth import (
    SCENARIO_FILE,
    TRUTH_FILE,
    SimulationRun,
    site_bounds,
    truth_lines,
)
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.scenario_file import load_scenario, scenario_to_toml
from trucewatch.sim.sensors import detect_all
from trucewatch.sim.violations import PHASES, generate_episodes
from trucewatch.sim.world import build_world

__all__ = ["SCENARIO_FILE", "TRUTH_FILE", "SimulationRun", "run_simulation", "simulate",
           "site_bounds", "truth_lines"]

def run_simulation(scenario: Scenario, seed: int) -> SimulationRun:
    """Draw episodes, place sensors and detect (no records, no files)."""
    world = build_world(scenario)
    episodes = generate_episodes(scenario, world, np.random.default_rng([seed, 1]))
    layout = build_layout(scenario, world, episodes, np.random.default_rng([seed, 2]))
    detections = detect_all(scenario, world, episodes, layout, seed)
    return SimulationRun(scenario, seed, world, episodes, layout, detections)



def _write_all(out_dir: Path, contents: dict[str, str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    temps = []
    try:
        for name, text in contents.items():
            tmp = out_dir / f".{name}.partial"
            tmp.write_text(text, encoding="utf-8", newline="\n")
            temps.append((tmp, out_dir / name))
        for tmp, final in temps:
            tmp.replace(final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def simulate(scenario: Scenario | str | Path, seed: int, out_dir: str | Path,
             progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Simulate a scenario and write its files into ``out_dir``; ``progress(step, done,
    total)`` is told each of the four steps (simulate, render, truth, write) as it starts.

    Writes ``observations.jsonl`` (patrol reports), ``acoustic.jsonl``, ``camera.jsonl``,
    ``firms.csv``, ``complaint.jsonl`` (each only when it has records), ``truth.jsonl``,
    the resolved ``scenario.toml`` and the files of the field models that are on
    (:mod:`trucewatch.sim.field_files`); returns the JSON-able summary of
    ``trucewatch simulate --json`` (see docs/simulator.md).
    """
    t0 = time.perf_counter()
    step = progress or (lambda *_: None)
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    out = Path(out_dir)
    if s.period.chunk_days > 0:
        return simulate_chunked(s, seed, out, progress)
    step(f"simulating {s.name} (seed {seed})", 0, 4)
    run = run_simulation(s, seed)
    step(f"rendering the reports of {len(run.episodes):,} events", 1, 4)
    files = render_all(s, run.world, run.episodes, run.detections, run.layout)
    step("ground truth", 2, 4)
    truth = truth_lines(run, files)
    contents = {f.name: f.text() for f in files}
    beside = {name: text for f in files for name, text in f.beside.items()}
    contents |= beside
    contents[TRUTH_FILE] = "".join(line + "\n" for line in truth)
    contents[SCENARIO_FILE] = scenario_to_toml(s)
    field = field_files(run.detections["acoustic"], run.layout)
    contents.update(field)
    step(f"writing {len(contents)} files", 3, 4)
    stale = [name for name in (*FILES.values(), *BESIDE_FILES, *FIELD_FILES)
             if name not in contents]  # fmt: skip
    _write_all(out, contents)
    for name in stale:  # a file of an earlier run in the same folder would mislead
        (out / name).unlink(missing_ok=True)
    e = run.episodes
    observed = run.observed_sites().reshape(-1, 2).any(axis=1) if len(e) else np.zeros(0, bool)
    by_phase = {PHASES[k]: int((e.phase == k).sum()) for k in range(3)}
    return {
        "scenario": s.name,
        "seed": seed,
        "out_dir": str(out),
        "files": {
            "observations": [str(out / f.name) for f in files],
            "formats": {f.name: f.format for f in files},
            "truth": str(out / TRUTH_FILE),
            "scenario": str(out / SCENARIO_FILE),
        } | ({"beside": [str(out / name) for name in beside]} if beside else {})
          | ({"field": {name: str(out / name) for name in field}} if field else {}),
        "line": {
            "control_file": str(s.control_path()),
            "length_km": round(run.world.length_km, 1),
            "simulated_km": [round(run.world.span[0], 1), round(run.world.span[1], 1)],
            "sectors": len(run.world.sectors),
        },
        "period": {"start": s.period.start.isoformat(), "end": s.period.end.isoformat()},
        "truce": {"start": s.truce.start.isoformat(), "end": s.truce.end.isoformat()},
        "truth_events": len(e),
        "truth_events_by_phase": by_phase,
        "rounds": int(e.rounds.sum()),
        "episodes_dropped": e.dropped,
        "observable_events": int(observed.sum()),
        "oracle_recall": round(float(observed.mean()), 4) if len(e) else None,
        "observations": {f.format: f.observations for f in files}
        | {"total": sum(f.observations for f in files)},
        "records": {f.format: f.records for f in files},
        "false_alarms": {f.format: f.false_alarms for f in files},
        "sensors": {
            "patrol_teams": int(run.layout.patrol_base_along.size),
            "acoustic_arrays": int(run.layout.acoustic_xy.shape[0]),
            "cameras": int(run.layout.camera_xy.shape[0]),
        },
        "runtime_s": round(time.perf_counter() - t0, 3),
    }

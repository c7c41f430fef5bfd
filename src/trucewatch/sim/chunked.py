"""A run drawn and written a chunk of days at a time (``period.chunk_days`` > 0).

A national scenario yields tens of millions of observations: drawn at once they would not
fit in memory. :func:`simulate_chunked` draws the world, the hot spots and the sensor layout
once, then for each chunk of ``chunk_days`` days (the last may be shorter) draws that
chunk's episodes and detections, renders them and appends them to the output files, so the
memory is bounded by one chunk, not the period.

What differs from a run drawn at once (the scenarios written at once are untouched):

* each chunk's episodes and detections draw from their own streams (``[seed, 1, 1 + c]``
  and a seed derived from ``(seed, c)``); the hot spots (``[seed, 1]``) and the layout
  (``[seed, 2]``) are drawn once and shared;
* a firing in the last minutes of a chunk is heard only by the sensors of that chunk's
  draw (sounds and reports past the chunk's end are kept, so nothing is cut);
* episode ids run on across chunks (``E0000001``, ... in time order);
* the field error models (per-array biases, clocks, outages, weather) are not available
  chunked: they are drawn over the whole period (:class:`ScenarioError` when one is on).

Files are written to temporary names, appended chunk by chunk and renamed when all are
complete, as :func:`trucewatch.sim.simulation.simulate` does.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

from trucewatch.sim.field_files import FIELD_FILES, field_files
from trucewatch.sim.layout import build_layout
from trucewatch.sim.outages import OUTAGE_FILE
from trucewatch.sim.record_text import BESIDE_FILES, FILES, RenderedFile
from trucewatch.sim.records import render_all
from trucewatch.sim.run_truth import SCENARIO_FILE, TRUTH_FILE, SimulationRun, truth_lines
from trucewatch.sim.scenario import Scenario, ScenarioError
from trucewatch.sim.scenario_file import scenario_to_toml
from trucewatch.sim.sensors import detect_all
from trucewatch.sim.violations import PHASES, draw_hotspots, generate_episodes
from trucewatch.sim.world import build_world

__all__ = ["chunk_scenarios", "chunk_seed", "simulate_chunked"]


def chunk_scenarios(s: Scenario) -> Iterator[Scenario]:
    """The scenario of each chunk: the same keys, the period cut into ``chunk_days``."""
    step = s.period.chunk_days
    n = max(1, math.ceil(s.period.days / step - 1e-9))
    for c in range(n):
        days = min(step, s.period.days - c * step)
        start = s.period.start + timedelta(days=c * step)
        yield dataclasses.replace(s, period=dataclasses.replace(s.period, start=start, days=days))


def chunk_seed(seed: int, chunk: int) -> int:
    """The detections' seed of chunk ``chunk`` (a 63-bit integer drawn from
    ``SeedSequence([seed, 3, chunk])``: independent of the other chunks and stages)."""
    state = np.random.SeedSequence([seed, 3, chunk]).generate_state(1, np.uint64)
    return int(state[0]) >> 1


class _Appender:
    """Output files opened once under temporary names and appended chunk by chunk."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.handles: dict[str, IO[str]] = {}

    def append(self, name: str, text: str, *, header_lines: int = 0) -> None:
        """Append ``text``; ``header_lines`` leading lines are written only the first time."""
        if name in self.handles:
            if header_lines:
                text = "".join(text.splitlines(keepends=True)[header_lines:])
        else:
            tmp = self.out_dir / f".{name}.partial"
            self.handles[name] = tmp.open("w", encoding="utf-8", newline="\n")
        self.handles[name].write(text)

    def commit(self) -> list[str]:
        names = list(self.handles)
        for name, handle in self.handles.items():
            handle.close()
            (self.out_dir / f".{name}.partial").replace(self.out_dir / name)
        self.handles.clear()
        return names

    def abandon(self) -> None:
        for name, handle in self.handles.items():
            handle.close()
            (self.out_dir / f".{name}.partial").unlink(missing_ok=True)
        self.handles.clear()


def _append_files(out: _Appender, files: list[RenderedFile], first: bool) -> None:
    for f in files:
        out.append(f.name, f.text(), header_lines=1 if f.name.endswith(".csv") else 0)
        for name, text in f.beside.items():
            if name == OUTAGE_FILE and not first:
                continue  # the cameras' outages are the layout's: the same in every chunk
            out.append(name, text)


Step = Callable[[str, int, int], None]


def simulate_chunked(s: Scenario, seed: int, out_dir: Path,
                     progress: Step | None = None) -> dict[str, Any]:  # fmt: skip
    """Simulate ``s`` chunk by chunk into ``out_dir`` (the files and the summary of
    :func:`trucewatch.sim.simulation.simulate`; ``progress`` is told each chunk)."""
    t0 = time.perf_counter()
    step = progress or (lambda *_: None)
    chunks = list(chunk_scenarios(s))
    world = build_world(s)
    hot = draw_hotspots(s, world, np.random.default_rng([seed, 1]))
    first_eps = generate_episodes(chunks[0], world, np.random.default_rng([seed, 1, 1]), hot)
    layout = build_layout(s, world, first_eps, np.random.default_rng([seed, 2]))
    del first_eps
    out_dir.mkdir(parents=True, exist_ok=True)
    out = _Appender(out_dir)
    totals = _Totals()
    try:
        for c, cs in enumerate(chunks):
            step(f"simulating {s.name} (seed {seed}): day {c * s.period.chunk_days:g} of "
                 f"{s.period.days:g}", c, len(chunks))  # fmt: skip
            episodes = generate_episodes(cs, world, np.random.default_rng([seed, 1, 1 + c]), hot)
            detections = detect_all(cs, world, episodes, layout, chunk_seed(seed, c))
            if field_files(detections["acoustic"], layout):
                raise ScenarioError("period.chunk_days", "the field error models and "
                                    "the weather cannot be drawn a chunk at a time",
                                    s.source)  # fmt: skip
            files = render_all(cs, world, episodes, detections, layout)
            run = SimulationRun(cs, seed, world, episodes, layout, detections)
            truth = truth_lines(run, files, first_id=totals.events)
            _append_files(out, files, first=c == 0)
            out.append(TRUTH_FILE, "".join(line + "\n" for line in truth))
            totals.add(run, files)
        out.append(SCENARIO_FILE, scenario_to_toml(s))
        written = out.commit()
    except BaseException:
        out.abandon()
        raise
    for name in (*FILES.values(), *BESIDE_FILES, *FIELD_FILES):
        if name not in written:  # a file of an earlier run in the same folder would mislead
            (out_dir / name).unlink(missing_ok=True)
    return totals.summary(s, seed, out_dir, world, layout, written, time.perf_counter() - t0)


@dataclasses.dataclass
class _Totals:
    """The summary's counts, summed over the chunks."""

    events: int = 0
    rounds: int = 0
    dropped: int = 0
    observed: int = 0
    by_phase: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(PHASES, 0))
    formats: dict[str, str] = dataclasses.field(default_factory=dict)
    observations: dict[str, int] = dataclasses.field(default_factory=dict)
    records: dict[str, int] = dataclasses.field(default_factory=dict)
    false_alarms: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, run: SimulationRun, files: list[RenderedFile]) -> None:
        e = run.episodes
        self.events += len(e)
        self.rounds += int(e.rounds.sum())
        self.dropped += e.dropped
        if len(e):
            self.observed += int(run.observed_sites().reshape(-1, 2).any(axis=1).sum())
        for k, phase in enumerate(PHASES):
            self.by_phase[phase] += int((e.phase == k).sum())
        for f in files:
            self.formats[f.name] = f.format
            for counts, n in ((self.observations, f.observations), (self.records, f.records),
                              (self.false_alarms, f.false_alarms)):  # fmt: skip
                counts[f.format] = counts.get(f.format, 0) + n

    def summary(self, s: Scenario, seed: int, out: Path, world: Any, layout: Any,
                written: list[str], runtime_s: float) -> dict[str, Any]:  # fmt: skip
        beside = [n for n in written if n in BESIDE_FILES]
        return {
            "scenario": s.name,
            "seed": seed,
            "out_dir": str(out),
            "files": {
                "observations": [str(out / name) for name in self.formats],
                "formats": dict(self.formats),
                "truth": str(out / TRUTH_FILE),
                "scenario": str(out / SCENARIO_FILE),
            } | ({"beside": [str(out / name) for name in beside]} if beside else {}),
            "line": {
                "control_file": str(s.control_path()),
                "length_km": round(world.length_km, 1),
                "simulated_km": [round(world.span[0], 1), round(world.span[1], 1)],
                "sectors": len(world.sectors),
            },
            "period": {"start": s.period.start.isoformat(), "end": s.period.end.isoformat()},
            "truce": {"start": s.truce.start.isoformat(), "end": s.truce.end.isoformat()},
            "truth_events": self.events,
            "truth_events_by_phase": dict(self.by_phase),
            "rounds": self.rounds,
            "episodes_dropped": self.dropped,
            "observable_events": self.observed,
            "oracle_recall": round(self.observed / self.events, 4) if self.events else None,
            "observations": dict(self.observations)
            | {"total": sum(self.observations.values())},
            "records": dict(self.records),
            "false_alarms": dict(self.false_alarms),
            "sensors": {
                "patrol_teams": int(layout.patrol_base_along.size),
                "acoustic_arrays": int(layout.acoustic_xy.shape[0]),
                "cameras": int(layout.camera_xy.shape[0]),
            },
            "chunks": {"days": s.period.chunk_days,
                       "count": math.ceil(s.period.days / s.period.chunk_days - 1e-9)},
            "runtime_s": round(runtime_s, 3),
        }

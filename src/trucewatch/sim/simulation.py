"""``simulate(scenario, seed, out_dir)``: observations, ground truth and the resolved
scenario of one run.

Random streams: ``numpy.random.default_rng([seed, k])`` with a fixed ``k`` per stage
(1 episodes, 2 layout, 10-14 the sensors), so the same scenario and seed give the same
bytes, and changing one sensor does not change the violations or the other sensors.
Files are written to temporary names and renamed when all are complete.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim import crlb
from trucewatch.sim.detections import Detections
from trucewatch.sim.field_files import FIELD_FILES, field_files
from trucewatch.sim.layout import Layout, build_layout
from trucewatch.sim.record_text import BESIDE_FILES, FILES, RenderedFile, utc_text
from trucewatch.sim.records import render_all
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.scenario_file import load_scenario, scenario_to_toml
from trucewatch.sim.sensors import detect_all
from trucewatch.sim.violations import PHASES, Episodes, episode_id, generate_episodes
from trucewatch.sim.world import World, build_world, to_lonlat_arrays

__all__ = ["SimulationRun", "run_simulation", "simulate", "site_bounds"]

TRUTH_FILE = "truth.jsonl"
SCENARIO_FILE = "scenario.toml"


@dataclass(frozen=True, eq=False)
class SimulationRun:
    """Everything one run produced, in memory (no files)."""

    scenario: Scenario
    seed: int
    world: World
    episodes: Episodes
    layout: Layout
    detections: dict[str, Detections]

    def site_bounds(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(cov (2n, 2, 2) km², median error bound (2n,) km) per site."""
        return site_bounds(self)

    def observed_sites(self) -> NDArray[np.bool_]:
        seen = np.zeros(2 * len(self.episodes), dtype=bool)
        for det in self.detections.values():
            seen[det.site[det.site >= 0]] = True
        return seen


def run_simulation(scenario: Scenario, seed: int) -> SimulationRun:
    """Draw episodes, place sensors and detect (no records, no files)."""
    world = build_world(scenario)
    episodes = generate_episodes(scenario, world, np.random.default_rng([seed, 1]))
    layout = build_layout(scenario, world, episodes, np.random.default_rng([seed, 2]))
    detections = detect_all(scenario, world, episodes, layout, seed)
    return SimulationRun(scenario, seed, world, episodes, layout, detections)


def site_bounds(run: SimulationRun) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cramér-Rao bound per site from all detections that stem from it."""
    n_sites = 2 * len(run.episodes)
    info = np.zeros((n_sites, 3, 3))
    site_xy = run.episodes.site_xy()
    c = run.scenario.acoustic.speed_of_sound_m_s / 1000.0
    for det in run.detections.values():
        crlb.accumulate_information(
            n_sites, det.site, site_xy, det.sensor_xy,
            bearing_sigma_rad=det.bearing_sigma_rad, range_sigma_km=det.range_sigma_km,
            toa_sigma_s=det.toa_sigma_s, point_sigma_km=det.point_sigma_km,
            obs_sigma_km=det.obs_sigma_km, speed_km_s=c, out=info,
        )  # fmt: skip
    cov = crlb.bound_covariance(info)
    return cov, crlb.median_error_bound(cov)


def _num(x: float, nd: int) -> float | None:
    return round(float(x), nd) if np.isfinite(x) else None


def truth_lines(run: SimulationRun, files: list[RenderedFile], first_id: int = 0) -> list[str]:
    """One JSON line per episode (see docs/simulator.md, "truth.jsonl"); the episodes'
    ids start at ``first_id`` (a run written in chunks numbers on)."""
    e = run.episodes
    links: dict[int, list[str]] = {}
    sources: dict[int, set[str]] = {}
    for f in files:
        for site_index, uid in f.links:
            links.setdefault(site_index, []).append(uid)
            sources.setdefault(site_index, set()).add(f.format)
    cov, bound = run.site_bounds()
    rms = crlb.rms_error_bound(cov)
    site_xy = e.site_xy()
    lon, lat = to_lonlat_arrays(site_xy)
    start, end = e.site_window()
    sector_idx, sector_name, _ = run.world.locate(e.impact) if len(e) else ((), (), ())
    out = []
    for k in range(len(e)):
        sites = {}
        for label, j in (("impact", 2 * k), ("origin", 2 * k + 1)):
            site: dict[str, Any] = {
                "lon": round(float(lon[j]), 5),
                "lat": round(float(lat[j]), 5),
                "time_start": utc_text(float(start[j])),
                "time_end": utc_text(float(end[j])),
            }
            if label == "impact":
                site["fire_end"] = utc_text(float(e.fire_end[k])) if e.fire[k] else None
            site["observations"] = sorted(links.get(j, []))
            site["sources"] = sorted(sources.get(j, set()))
            site["crlb_km"] = _num(bound[j], 4)
            site["crlb_rms_km"] = _num(rms[j], 4)
            c = cov[j]
            site["crlb_cov_km2"] = ([[_num(c[0, 0], 6), _num(c[0, 1], 6)],
                                     [_num(c[1, 0], 6), _num(c[1, 1], 6)]]
                                    if np.isfinite(c).all() else None)  # fmt: skip
            sites[label] = site
        record = {
            "id": episode_id(first_id + k),
            "time_start": utc_text(float(e.t_fire[k])),
            "time_end": utc_text(float(e.t_fire[k] + e.tof_s[k] + e.duration_s[k])),
            "weapon": WEAPONS[int(e.weapon[k])],
            "rounds": int(e.rounds[k]),
            "party": str(e.party[k]),
            "target": str(e.target[k]),
            "during_truce": bool(e.phase[k] == 1),
            "phase": PHASES[int(e.phase[k])],
            "range_km": round(float(np.linalg.norm(e.impact[k] - e.origin[k])), 3),
            "sector": None if sector_name[k] is None else str(sector_name[k]),
            "sector_index": int(sector_idx[k]),
            "hotspot": int(e.hotspot[k]),
            "observed": bool(sites["impact"]["observations"] or sites["origin"]["observations"]),
            "impact": sites["impact"],
            "origin": sites["origin"],
        }
        out.append(json.dumps(record, ensure_ascii=False))
    return out


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
        from trucewatch.sim.chunked import simulate_chunked

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

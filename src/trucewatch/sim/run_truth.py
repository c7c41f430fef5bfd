"""One run's results in memory and its ground truth as JSON lines (shared by the run drawn
at once, :mod:`trucewatch.sim.simulation`, and the run drawn in chunks,
:mod:`trucewatch.sim.chunked`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim import crlb
from trucewatch.sim.detections import Detections
from trucewatch.sim.layout import Layout
from trucewatch.sim.record_text import RenderedFile, utc_text
from trucewatch.sim.scenario import WEAPONS, Scenario
from trucewatch.sim.violations import PHASES, Episodes, episode_id
from trucewatch.sim.world import World, to_lonlat_arrays

__all__ = ["SCENARIO_FILE", "TRUTH_FILE", "SimulationRun", "site_bounds", "truth_lines"]

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

"""Monitoring-network planning: what a sensor layout can detect, locate and attribute.

In the manner of the CTBTO's network capability maps, capability is a property of the
network, not of one engine: it is computed from what the simulated sensors report and the
Cramér-Rao bound of their geometry, so it says what an efficient fusion engine could do.

For a scenario, :func:`plan` simulates ``days`` days of violations spread **uniformly**
along the simulated stretch (the scenario's weapon mix and day/night rhythm, no hot
spots: capability everywhere, not only where fighting was), with the scenario's sensors,
and for every episode computes

* ``p_detect``: 1 if at least one sensor reported it (Monte Carlo over the episodes);
* ``p_located_1km``: the probability that an efficient estimator places it within 1 km
  (``radius_km``): ``P(|e| <= 1 km)`` for ``e ~ N(0, C)``, ``C`` the bound covariance of
  its better-observed site (impact or origin); 0 if not detected;
* ``p_attributed``: the probability that the firing party is established:
  ``1 - (1 - a)(1 - b)`` with ``a`` = P(the origin's estimate lies within its distance
  from the line, so on the right side) and ``b`` = P(at least one patrol judges the flow
  correctly) = ``1 - prod(1 - (1 - undetermined_share)(1 - flow_error))`` over the patrol
  reports. Complaints are not counted (a party names the other by default);
* ``p_all``: detected, located within 1 km and attributed (the product per episode).

These are averaged per sector (the sector of the impact) and for the whole stretch. A
sweep repeats the computation for variants of the layout (twice the patrols, acoustic
arrays at half the spacing, twice the cameras, no satellite, no complaints) with the same
episodes, giving the recall bought by each. The map (``capability.png``) colours the line
by ``p_located_1km`` in 10 km bins and shows the fixed sensors and patrol bases.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.sim import crlb
from trucewatch.sim.scenario import Scenario
from trucewatch.sim.scenario_file import load_scenario
from trucewatch.sim.simulation import SimulationRun, run_simulation

__all__ = ["capability", "plan", "plan_variants"]

PLAN_EPISODES = 4000
"""Episodes simulated for a plan (spread over ``days``)."""
BIN_KM = 10.0


def _planning_scenario(s: Scenario, days: float, episodes: int) -> Scenario:
    rate = episodes / days
    violations = dataclasses.replace(
        s.violations, rate_before_per_day=rate, rate_during_per_day=rate,
        rate_after_per_day=rate, background_share=1.0,
    )  # fmt: skip
    period = dataclasses.replace(s.period, days=days)
    return dataclasses.replace(s, violations=violations, period=period)


def plan_variants(s: Scenario) -> list[tuple[str, str, Scenario]]:
    """(name, description, scenario) of the sweep, the base layout first."""
    patrols = dataclasses.replace(s.patrols, teams=max(1, 2 * s.patrols.teams))
    acoustic = dataclasses.replace(s.acoustic, enabled=True, spacing_km=s.acoustic.spacing_km / 2)
    cameras = dataclasses.replace(s.cameras, count=max(1, 2 * s.cameras.count))
    satellite = dataclasses.replace(s.satellite, enabled=False)
    complaints = dataclasses.replace(s.complaints, enabled=False)
    return [
        ("base", "the scenario's layout", s),
        ("patrols_x2", f"{patrols.teams} patrol teams instead of {s.patrols.teams}",
         dataclasses.replace(s, patrols=patrols)),
        ("acoustic_half_spacing", f"acoustic arrays every {acoustic.spacing_km:g} km instead "
         f"of {s.acoustic.spacing_km:g} km", dataclasses.replace(s, acoustic=acoustic)),
        ("cameras_x2", f"{cameras.count} cameras instead of {s.cameras.count}",
         dataclasses.replace(s, cameras=cameras)),
        ("no_satellite", "without satellite thermal detections",
         dataclasses.replace(s, satellite=satellite)),
        ("no_complaints", "without party complaints",
         dataclasses.replace(s, complaints=complaints)),
    ]  # fmt: skip


def capability(run: SimulationRun, radius_km: float = 1.0) -> dict[str, NDArray]:
    """Per-episode ``p_detect``, ``p_located``, ``p_attributed``, ``p_all`` (see module)."""
    e = run.episodes
    n = len(e)
    seen = run.observed_sites()
    detect = seen.reshape(-1, 2).any(axis=1) if n else np.zeros(0, bool)
    cov, _ = run.site_bounds()
    p_site = crlb.probability_within(cov, radius_km) if n else np.zeros(0)
    p_loc = np.where(detect, np.maximum(p_site[0::2], p_site[1::2]), 0.0)
    _, _, origin_dist = run.world.locate(e.origin) if n else (None, None, np.zeros(0))
    a = np.where(seen[1::2], crlb.probability_within(cov[1::2], np.abs(origin_dist)), 0.0)
    p = run.scenario.patrols
    per_report = (1.0 - p.undetermined_share) * (1.0 - p.flow_error)
    patrol = run.detections["patrol"]
    reports = np.bincount(patrol.site // 2, minlength=n) if len(patrol) else np.zeros(n)
    b = 1.0 - (1.0 - per_report) ** reports
    attributed = np.where(detect, 1.0 - (1.0 - a) * (1.0 - b), 0.0)
    return {
        "p_detect": detect.astype(float),
        "p_located": p_loc,
        "p_attributed": attributed,
        "p_all": detect * p_loc * attributed,
    }


def _summary(cap: dict[str, NDArray], mask: NDArray[np.bool_] | None = None) -> dict[str, Any]:
    m = np.ones(cap["p_detect"].size, bool) if mask is None else mask
    n = int(m.sum())

    def mean(k: str) -> float | None:
        return round(float(cap[k][m].mean()), 4) if n else None

    return {"episodes": n, "p_detect": mean("p_detect"), "p_located_1km": mean("p_located"),
            "p_attributed": mean("p_attributed"), "p_all": mean("p_all")}  # fmt: skip


def plan(
    scenario: Scenario | str | Path,
    seed: int = 0,
    *,
    out_dir: str | Path | None = None,
    days: float | None = None,
    episodes: int = PLAN_EPISODES,
    sweep: bool = True,
    radius_km: float = 1.0,
) -> dict[str, Any]:
    """Network capability of a scenario's sensor layout, per sector, with a sweep of
    added sensors; writes ``capability.png`` into ``out_dir`` when given.

    Returns the JSON-able dict of ``trucewatch plan --json`` (see docs/simulator.md).
    """
    t0 = time.perf_counter()
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    days = float(days if days is not None else min(s.period.days, 7.0))
    base = _planning_scenario(s, days, episodes)
    variants = plan_variants(base) if sweep else plan_variants(base)[:1]
    rows = []
    base_run: SimulationRun | None = None
    base_cap: dict[str, NDArray] | None = None
    for name, description, variant in variants:
        run = run_simulation(variant, seed)
        cap = capability(run, radius_km)
        if base_run is None:
            base_run, base_cap = run, cap
        rows.append({"variant": name, "change": description, **_summary(cap)})
    assert base_run is not None and base_cap is not None
    first = rows[0]
    for row in rows:
        for k in ("p_detect", "p_located_1km", "p_attributed", "p_all"):
            if row[k] is not None and first[k] is not None:
                row[f"gain_{k}"] = round(row[k] - first[k], 4)
    sector_idx, _, _ = base_run.world.locate(base_run.episodes.impact)
    sectors = []
    for sec in base_run.world.sectors:
        m = sector_idx == sec.index
        if not m.any():
            continue
        sectors.append({"index": sec.index, "sector": sec.name,
                        "start_km": round(sec.start_km, 1), "end_km": round(sec.end_km, 1),
                        **_summary(base_cap, m)})  # fmt: skip
    lay = base_run.layout
    result: dict[str, Any] = {
        "scenario": s.name,
        "seed": seed,
        "days": days,
        "radius_km": radius_km,
        "layout": {
            "patrol_teams": int(lay.patrol_base_along.size),
            "acoustic_arrays": int(lay.acoustic_xy.shape[0]),
            "cameras": int(lay.camera_xy.shape[0]),
            "satellite": s.satellite.enabled,
            "complaints": s.complaints.enabled,
        },
        "overall": _summary(base_cap),
        "sectors": sectors,
        "sweep": rows,
        "map": None,
    }
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "capability.png"
        capability_map(base_run, base_cap, path)
        result["map"] = str(path)
    result["runtime_s"] = round(time.perf_counter() - t0, 3)
    return result


def capability_map(run: SimulationRun, cap: dict[str, NDArray], path: Path) -> None:
    """Draw the line coloured by ``p_located`` (10 km bins) with the sensors (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from trucewatch.sim.world import to_lonlat_arrays

    world = run.world
    lo, hi = world.span
    edges = np.arange(lo, hi + BIN_KM, BIN_KM)
    along = run.episodes.along_km
    idx = np.clip(np.searchsorted(edges, along, side="right") - 1, 0, edges.size - 2)
    sums = np.bincount(idx, weights=cap["p_located"], minlength=edges.size - 1)
    counts = np.bincount(idx, minlength=edges.size - 1)
    value = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    fig, ax = plt.subplots(figsize=(10, 7), dpi=110)
    control = world.context.control
    if control is not None:
        for poly in getattr(control, "geoms", [control]):
            x, y = poly.exterior.xy
            ax.fill(x, y, color="#f4d6d6", lw=0, zorder=0)
    segments, colours = [], []
    for k in range(edges.size - 1):
        s = np.linspace(edges[k], min(edges[k + 1], hi), 12)
        pts, _, _ = world.frame(s)
        lon, lat = to_lonlat_arrays(pts)
        # a bin that spans the end of one part and the start of the next is drawn as
        # two pieces, never as a straight line between the parts
        part = np.searchsorted(world.offsets, s, side="right")
        for run_idx in np.split(np.arange(s.size), np.flatnonzero(np.diff(part)) + 1):
            if run_idx.size >= 2:
                segments.append(np.column_stack([lon[run_idx], lat[run_idx]]))
                colours.append(value[k])
    lc = LineCollection(segments, cmap="RdYlGn", norm=plt.Normalize(0.0, 1.0), linewidths=4)
    lc.set_array(np.nan_to_num(np.asarray(colours), nan=0.0))
    ax.add_collection(lc)
    lay = run.layout
    for xy, marker, label in ((lay.acoustic_xy, "^", "acoustic array"),
                              (lay.camera_xy, "s", "camera")):  # fmt: skip
        if xy.size:
            lon, lat = to_lonlat_arrays(xy)
            ax.scatter(lon, lat, marker=marker, s=18, c="#1f3a93", label=label, zorder=3)
    if lay.patrol_base_along.size:
        pts, _, normal = world.frame(lay.patrol_base_along)
        sign = world.sign_of(lay.patrol_side)
        lon, lat = to_lonlat_arrays(pts + (sign * 6.0)[:, None] * normal)
        ax.scatter(lon, lat, marker="o", s=14, c="#6c3483", label="patrol base", zorder=3)
    full, _, _ = world.frame(np.linspace(lo, hi, 400))
    lon, lat = to_lonlat_arrays(full)
    pad = 0.3
    ax.set_xlim(lon.min() - pad, lon.max() + pad)
    ax.set_ylim(lat.min() - pad, lat.max() + pad)
    ax.set_aspect(1.0 / np.cos(np.radians(float(np.mean(lat)))))
    fig.colorbar(lc, ax=ax, shrink=0.7,
                 label="P(violation located within 1 km by an efficient engine)")  # fmt: skip
    ax.set_title(f"Network capability: {run.scenario.name} "
                 f"(overall P(detect) {cap['p_detect'].mean():.2f}, "
                 f"P(<=1 km) {cap['p_located'].mean():.2f})")  # fmt: skip
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

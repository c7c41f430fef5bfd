"""Benchmark of trucewatch.geo: deriving the line of contact and locating points.

``run()`` measures, in one process run, trucewatch and naive peers on the same data:

* **derive**: the line of contact from the DeepStateMap control area of 2025-03-13 (and
  the ISW area of March 2023) with the shipped outline; peer: the naive overlay - the
  control boundary intersected with the full-resolution 100 m OSM outline (12,500 water
  holes) shrunk by 1 km, no simplification, no hole filling.
* **locate**: side, signed distance and sector of 1,000,000 random points near the front
  (uniform along the line, Gaussian offsets of 15 km); peers on a sample: unprepared
  ``shapely.distance`` + ``shapely.contains`` on the full geometries (the naive way), and
  ``shapely.STRtree.query_nearest`` over the same segments (the shapely 2 idiom),
  extrapolated linearly to the full count; plus agreement with the naive answer.
* **scaling**: 100,000 vs 1,000,000 points (time per point should stay flat).

Real data are read from ``../shared/data`` beside the repository; if absent the result
says so. Times are wall-clock seconds (best of ``repeat``); everything returned is plain
JSON.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from trucewatch.geo.contact_line import derive
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.lookup import LineContext
from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.projection import (
    geodesic_length_km,
    geom_to_lonlat,
    geom_to_metric,
    to_local_m,
    to_lonlat_from_m,
)
from trucewatch.geo.sectors import cut_sectors

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DEEPSTATE = SHARED_DATA / "control" / "deepstate" / "deepstatemap_data_20250313.geojson"
ISW = SHARED_DATA / "control" / "isw_russian_control_2023-03.geojson"
BORDERS = SHARED_DATA / "borders" / "ukraine_osm_100m.geojson"


def _best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time (s) of ``repeat`` calls and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _r(x: float, nd: int = 3) -> float:
    return float(round(float(x), nd))


def bench_derive(repeat: int = 3, naive: bool = True) -> dict[str, Any]:
    """Derive the line from DeepStateMap 2025-03-13 and ISW 2023-03; naive overlay peer."""
    out: dict[str, Any] = {}
    outline = load_country_outline()
    for name, path in (("deepstate_2025_03_13", DEEPSTATE), ("isw_2023_03", ISW)):
        t_read, (_, control) = _best_of(lambda p=path: read_line_file(p), 1)
        t_derive, derived = _best_of(lambda c=control: derive(c, outline), repeat)
        out[name] = {
            "read_s": _r(t_read),
            "derive_s": _r(t_derive),
            "length_km": _r(derived.length_km, 1),
            "parts": len(derived.line.geoms),
            "main_part_km": _r(geodesic_length_km(derived.line.geoms[0]), 1),
            "dnipro_km": _r(
                geodesic_length_km(
                    shapely.intersection(derived.line, shapely.box(32, 46.3, 35.2, 47.9))
                ),
                1,
            ),
            "control_coordinates": int(shapely.get_num_coordinates(control)),
            "params": {k: v for k, v in vars(derived.params).items()},
        }
    if naive:
        out["naive_overlay"] = _naive_overlay(DEEPSTATE)
        ours = out["deepstate_2025_03_13"]
        out["naive_overlay"]["speedup"] = _r(
            out["naive_overlay"]["total_s"] / (ours["read_s"] + ours["derive_s"]), 1
        )
    return out


def _naive_overlay(path: Path) -> dict[str, Any]:
    """Peer: control boundary ∩ (full 100 m outline eroded by 1 km), no simplification.

    This is what a first attempt does; besides its cost it drops the Dnipro (the boundary
    runs along water, which the eroded outline excludes).
    """
    t0 = time.perf_counter()
    _, borders = read_line_file(BORDERS)
    _, control = read_line_file(path)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    inner = shapely.buffer(geom_to_metric(borders), -1000.0)
    line = shapely.intersection(shapely.boundary(geom_to_metric(control)), inner)
    t_overlay = time.perf_counter() - t1
    return {
        "read_s": _r(t_read),
        "overlay_s": _r(t_overlay),
        "total_s": _r(t_read + t_overlay),
        "length_km": _r(geodesic_length_km(geom_to_lonlat(line)), 1),
        "outline_coordinates": int(shapely.get_num_coordinates(borders)),
    }


def points_near_front(
    ctx: LineContext, n: int, *, sigma_km: float = 15.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random WGS84 points: uniform along the line, Gaussian offsets (sigma_km)."""
    rng = np.random.default_rng(seed)
    line_m = geom_to_metric(ctx.line)
    parts = list(line_m.geoms)
    lengths = np.array([p.length for p in parts])
    which = rng.choice(len(parts), size=n, p=lengths / lengths.sum())
    xy = np.empty((n, 2))
    for i, part in enumerate(parts):
        sel = np.flatnonzero(which == i)
        pts = shapely.line_interpolate_point(part, rng.uniform(0, part.length, sel.size))
        xy[sel] = shapely.get_coordinates(pts)
    xy += rng.normal(0.0, sigma_km * 1000.0, size=(n, 2))
    return to_lonlat_from_m(xy[:, 0], xy[:, 1])


def bench_locate(
    n_points: int = 1_000_000, n_small: int = 100_000, n_naive: int = 10_000, repeat: int = 3
) -> dict[str, Any]:
    """Locate 1M points near the front; naive and STRtree peers on samples; scaling."""
    _, control = read_line_file(DEEPSTATE)
    t_build0 = time.perf_counter()
    derived = derive(control)
    sectors = cut_sectors(derived.line)
    ctx = LineContext(derived.line, derived.control, derived.country, sectors)
    t_build = time.perf_counter() - t_build0
    lon, lat = points_near_front(ctx, n_points)

    t_full, res = _best_of(lambda: ctx.locate(lon, lat), repeat)
    t_one, _ = _best_of(lambda: ctx.locate(lon, lat, workers=1), 1)
    t_small, _ = _best_of(lambda: ctx.locate(lon[:n_small], lat[:n_small]), repeat)

    # naive peer: unprepared full geometries, shapely.distance + shapely.contains
    line_m = geom_to_metric(ctx.line)
    control_full_m = geom_to_metric(control)  # the unsimplified control polygon
    x, y = to_local_m(lon[:n_naive], lat[:n_naive])
    pts = shapely.points(x, y)

    def naive() -> tuple[np.ndarray, np.ndarray]:
        d = shapely.distance(line_m, pts) / 1000.0
        inside = shapely.contains(control_full_m, pts)
        return d, inside

    t_naive, (d_ref, inside_ref) = _best_of(naive, 1)
    t_naive_full = t_naive * n_points / n_naive

    # STRtree peer: nearest segment with shapely 2 (segments of at most 1 km)
    dense = shapely.segmentize(line_m, 1000.0)
    segs = np.concatenate(
        [
            np.stack([c[:-1], c[1:]], axis=1)
            for c in (shapely.get_coordinates(p) for p in dense.geoms)
        ]
    )
    tree = shapely.STRtree(shapely.linestrings(segs))
    n_tree = min(n_small, n_points)
    xt, yt = to_local_m(lon[:n_tree], lat[:n_tree])
    tree_pts = shapely.points(xt, yt)
    t_tree, _ = _best_of(lambda: tree.query_nearest(tree_pts, return_distance=True), 1)
    t_tree_full = t_tree * n_points / n_tree

    d_ours = np.abs(res.distance_km[:n_naive])
    side_ours = res.distance_km[:n_naive] > 0
    return {
        "points": n_points,
        "cpus": os.cpu_count(),
        "build_context_s": _r(t_build),
        "sectors": len(sectors),
        "locate_s": _r(t_full),
        "locate_workers1_s": _r(t_one),
        "us_per_point": _r(t_full / n_points * 1e6),
        "naive_sample_points": n_naive,
        "naive_sample_s": _r(t_naive),
        "naive_extrapolated_s": _r(t_naive_full, 1),
        "speedup_vs_naive": _r(t_naive_full / t_full, 1),
        "strtree_sample_points": n_tree,
        "strtree_extrapolated_s": _r(t_tree_full, 2),
        "speedup_vs_strtree": _r(t_tree_full / t_full, 1),
        "agreement": {
            "max_abs_distance_diff_km": _r(np.max(np.abs(d_ours - d_ref)), 6),
            "side_agreement": _r(np.mean(side_ours == inside_ref), 6),
            "note": "the naive side uses the unsimplified control polygon; ours the "
            "100 m-simplified one the line follows, so points within ~100 m of the "
            "line may differ",
        },
        "held_by_counts": {
            str(k): int(v)
            for k, v in zip(*np.unique(res.held_by.astype(str), return_counts=True), strict=True)
        },
        "scaling": {
            "points_small": n_small,
            "locate_small_s": _r(t_small),
            "us_per_point_small": _r(t_small / n_small * 1e6),
            "us_per_point_full": _r(t_full / n_points * 1e6),
            "ratio_time_full_over_small": _r(t_full / t_small, 2),
            "ratio_points": n_points / n_small,
        },
    }


def run(n_points: int = 1_000_000, repeat: int = 3, naive_overlay: bool = True) -> dict[str, Any]:
    """Run the geo benchmarks; returns a JSON-able dict (see the module docstring)."""
    missing = [str(p) for p in (DEEPSTATE, ISW, BORDERS) if not p.exists()]
    if missing:
        return {"skipped": f"real data not available: {', '.join(missing)}"}
    return {
        "derive": bench_derive(repeat=repeat, naive=naive_overlay),
        "locate": bench_locate(n_points=n_points, repeat=repeat),
    }


if __name__ == "__main__":  # pragma: no cover - convenience for a quick look
    import json

    print(json.dumps(run(), indent=2))

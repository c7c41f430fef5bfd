"""Fit the simulator's satellite field model on the real FIRMS files.

    python -m benchmarks.fit_background_fires [--shared ../shared/data] [--out PATH]

Writes ``src/trucewatch/sim/data/background_fires.json`` (read by
:mod:`trucewatch.sim.fires`) with its provenance:

* ``rate_per_km2_per_day``: fires unrelated to fighting, detections per km² per day by
  month, within ``band_km`` (15 km) of the reference line (DeepStateMap 2025-08-16), from
  the pre-war FIRMS history (2012, 2013, 2016, 2018-2021). Industrial sources (the mask of
  the shipped thermal baseline) are left out; in the Donbas war years 2014-2021 the band
  within 20 km of the 2015-2022 line (:mod:`trucewatch.thermal.donbas`) is left out (of
  the counts and of the area), as ``thermal/`` does. ``interval`` is the range (lowest,
  highest) of the per-year rates over the seven years;
  ``by_distance_km``: the same rate (all months) in wider bands, for reference.
* ``cluster``: how detections group into fire events: pixels per event and pass, and the
  share of events seen again at the next pass (12 h later), from the August 2025 VIIRS
  NOAA-20 detections more than 50 km from the line (unrelated to the fighting); and the
  share seen again the next day in the history. The mean duration assumes an exponential
  lifetime: ``duration_h = -12 h / ln(share seen again 12 h later)``.
* ``frp``: a log-normal distribution of fire radiative power (MW) per pixel, fitted by
  maximum likelihood on every August 2025 VIIRS detection, corrected for the detection
  curve of :mod:`trucewatch.sim.fires` (small fires are missed, so the fitted population
  has more of them than the detections); ``hill_alpha``: the tail index of the largest
  10% (Hill estimator), a check of the tail's weight.
* ``august_2025``: the real rate of detections within 15 km of the line per 100 km of line
  and pass (12-19 August 2025, two passes a day), beside the fitted unrelated rate of
  August in the same band.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from trucewatch.geo.projection import to_local_km
from trucewatch.sim.fires import FITTED_FILE, detection_curve
from trucewatch.sim.scenario import LineSpec, Scenario
from trucewatch.sim.world import build_world
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.donbas import DONBAS_BUFFER_KM, DONBAS_WAR_YEARS, donbas_distance_km
from trucewatch.thermal.lines import context_from_file

REFERENCE_LINE = "control/deepstate/deepstatemap_data_20250816.geojson"
ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "src/trucewatch/thermal/data/baseline_2012-2021.npz"
BAND_KM = 15.0
DISTANCE_BANDS = ((0.0, 15.0), (15.0, 30.0), (30.0, 60.0), (60.0, 120.0))
AREA_STEP_DEG = 0.02
LINK_KM = 0.75
"""Detections closer than this (two VIIRS pixels) in one pass (or day) are one event."""
PASSES_PER_DAY = 2
DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _distance_grid(shared: Path) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Sample points (every 0.02 degree) around the reference line: lon, lat, distance to
    it (km, NaN outside Ukraine) and area each stands for (km²)."""
    ctx = context_from_file(str(shared / REFERENCE_LINE))
    lon, lat = np.meshgrid(np.arange(30.0, 40.5, AREA_STEP_DEG) + AREA_STEP_DEG / 2,
                           np.arange(45.0, 52.5, AREA_STEP_DEG) + AREA_STEP_DEG / 2)  # fmt: skip
    lon, lat = lon.ravel(), lat.ravel()
    res = ctx.locate(lon, lat)
    d = np.where(res.held_by != None, np.abs(res.distance_km), np.nan)  # noqa: E711
    area = (AREA_STEP_DEG * 111.32) ** 2 * np.cos(np.radians(lat))
    return lon, lat, d, area


def band_rates(fires: FireTable, shared: Path, base: Baseline) -> dict:
    """Detections per km² and day by month (and by distance band) in the pre-war years."""
    glon, glat, gd, garea = _distance_grid(shared)
    g_donbas = donbas_distance_km(glon, glat) < DONBAS_BUFFER_KM
    ctx = context_from_file(str(shared / REFERENCE_LINE))
    d = np.abs(ctx.locate(fires.lon, fires.lat).distance_km)
    year = fires.day.astype("datetime64[Y]").astype(int) + 1970
    month = fires.day.astype("datetime64[M]").astype(int) % 12
    keep = ~base.is_industrial(fires.lon, fires.lat) & (year <= 2021)
    f_donbas = donbas_distance_km(fires.lon, fires.lat) < DONBAS_BUFFER_KM
    years = sorted({int(y) for y in year[keep]})
    per_year = np.zeros((len(years), 12))
    by_distance = []
    for lo, hi in DISTANCE_BANDS:
        counts, exposure = 0.0, 0.0
        for k, y in enumerate(years):
            war = y in DONBAS_WAR_YEARS
            g_in = (gd >= lo) & (gd < hi) & ~(war & g_donbas)
            f_in = keep & (year == y) & (d >= lo) & (d < hi) & ~(war & f_donbas)
            area = float(garea[g_in].sum())
            n_month = np.bincount(month[f_in], minlength=12)
            counts += n_month.sum()
            exposure += area * DAYS_IN_MONTH.sum()
            if (lo, hi) == (0.0, BAND_KM):
                per_year[k] = n_month / (area * DAYS_IN_MONTH)
        by_distance.append({"band_km": [lo, hi], "rate_per_km2_per_day": counts / exposure})
    mean = per_year.mean(axis=0)
    band_area = float(garea[gd < BAND_KM].sum())
    return {
        "years": years,
        "rate_per_km2_per_day": mean.tolist(),
        "interval": [per_year.min(axis=0).tolist(), per_year.max(axis=0).tolist()],
        "per_year": {str(y): per_year[k].tolist() for k, y in enumerate(years)},
        "by_distance_km": by_distance,
        "band_area_km2": band_area,
    }


def _events(xy: NDArray, group: NDArray) -> NDArray[np.int64]:
    """Event label of each detection: linked within LINK_KM in the same group."""
    tree = cKDTree(np.column_stack([xy, group * 1e6]))
    pairs = tree.query_pairs(LINK_KM, output_type="ndarray")
    n = len(xy)
    m = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(m, directed=False)[1]


def _seen_again(xy: NDArray, group: NDArray, label: NDArray, lag: int) -> float:
    """Share of events of group g with a detection within 1 km in group g + lag."""
    tree = cKDTree(np.column_stack([xy, group * 1e6]))
    target = np.column_stack([xy, (group + lag) * 1e6])
    hit = np.array([len(x) > 0 for x in tree.query_ball_point(target, 1.0)])
    per_event = np.zeros(label.max() + 1, bool)
    np.logical_or.at(per_event, label, hit)
    last = group.max()
    alive = np.zeros(label.max() + 1, bool)
    np.logical_or.at(alive, label, group + lag <= last)
    return float(per_event[alive].mean())


def cluster_stats(nrt: FireTable, nrt_d: NDArray, history: FireTable) -> dict:
    """Pixels per event and pass, repeat shares and the implied mean duration."""
    far = nrt_d > 50.0
    t = nrt.day.astype("datetime64[s]").astype(np.int64) + nrt.time_s
    pass_id = np.round((t[far] - t[far].min()) / 43200.0).astype(np.int64)  # 12 h passes
    x, y = to_local_km(nrt.lon[far], nrt.lat[far])
    xy = np.column_stack([x, y])
    label = _events(xy, pass_id)
    sizes = np.bincount(label)
    again_12h = _seen_again(xy, pass_id, label, 1)
    pre = history.day < np.datetime64("2022-01-01")
    hx, hy = to_local_km(history.lon[pre], history.lat[pre])
    hxy = np.column_stack([hx, hy])
    hday = history.day[pre].astype(np.int64)
    hlabel = _events(hxy, hday)
    again_24h = _seen_again(hxy, hday, hlabel, 1)
    return {
        "pixels_per_event_mean": float(sizes.mean()),
        "pixels_per_event_share": [float((sizes == k).mean()) for k in range(1, 6)],
        "events": int(sizes.size),
        "seen_again_12h": again_12h,
        "seen_again_next_day_history": again_24h,
        "pixels_per_event_day_history": float(np.bincount(hlabel).mean()),
        "duration_h": float(-12.0 / np.log(again_12h)),
    }


def frp_fit(frp: NDArray[np.float64], half_mw: float, slope: float) -> dict:
    """Log-normal FRP (MW) of the fire population whose detections are ``frp``."""
    x = frp[np.isfinite(frp) & (frp > 0)]
    lx = np.log(x)
    grid = np.linspace(np.log(0.01), np.log(5000.0), 4000)
    g = detection_curve(np.exp(grid), half_mw, slope, 1.0)

    def nll(theta: NDArray) -> float:
        mu, log_sigma = theta
        sigma = np.exp(log_sigma)
        z = np.trapezoid(stats.norm.pdf(grid, mu, sigma) * g, grid)
        return -float(stats.norm.logpdf(lx, mu, sigma).sum() - lx.size * np.log(z))

    res = optimize.minimize(nll, [lx.mean(), np.log(lx.std())], method="Nelder-Mead")
    top = np.sort(x)[-max(10, x.size // 10) :]
    hill = 1.0 / np.mean(np.log(top / top[0]))
    return {"log_mean": float(res.x[0]), "log_sd": float(np.exp(res.x[1])),
            "detected_median_mw": float(np.median(x)), "detections": int(x.size),
            "hill_alpha": float(hill), "hill_threshold_mw": float(top[0])}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared/data"))
    ap.add_argument("--out", default=str(FITTED_FILE))
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    base = Baseline.load(BASELINE)
    history = read_firms_columns(sorted((shared / "firms/history").glob("*.csv")))
    history = history.take(history.day < np.datetime64("2022-01-01"))
    nrt = read_firms_columns(sorted((shared / "firms/viirs_nrt").glob("*.csv")))
    ctx = context_from_file(str(shared / REFERENCE_LINE))
    nrt_d = np.abs(ctx.locate(nrt.lon, nrt.lat).distance_km)
    rates = band_rates(history, shared, base)
    cluster = cluster_stats(nrt, nrt_d, history)
    curve = {"half_mw": 1.0, "slope": 2.5}
    frp = frp_fit(nrt.frp, curve["half_mw"], curve["slope"])
    world = build_world(Scenario(line=LineSpec(control_file=str(shared / REFERENCE_LINE))))
    days = len(np.unique(nrt.day))
    per_100km = 100.0 / world.length_km
    real = float((nrt_d <= BAND_KM).sum()) / days / PASSES_PER_DAY * per_100km
    fitted_aug = (rates["rate_per_km2_per_day"][7] * rates["band_area_km2"] / PASSES_PER_DAY
                  * per_100km)  # fmt: skip
    out = {
        "what": "unrelated fires, fire events, FRP and detection for trucewatch.sim.fires",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "script": "python -m benchmarks.fit_background_fires",
        "sources": {
            "history": "NASA FIRMS via GianMan89/war-fire-model: firms/history/ukraine_fires_"
            f"{{{','.join(map(str, rates['years']))}}}.csv",
            "viirs_nrt": "NASA FIRMS LANCE VIIRS NOAA-20 NRT via The Economist: "
            "firms/viirs_nrt/ (2025-08-12..19)",
            "reference_line": f"DeepStateMap: {REFERENCE_LINE}",
            "industrial_mask": "src/trucewatch/thermal/data/baseline_2012-2021.npz",
            "donbas": f"band of {DONBAS_BUFFER_KM} km around the 2015-2022 line left out in "
            f"{DONBAS_WAR_YEARS[0]}-{DONBAS_WAR_YEARS[-1]}",
        },
        "band_km": BAND_KM,
        "passes_per_day": PASSES_PER_DAY,
        **rates,
        "cluster": cluster,
        "detection_curve": curve,
        "frp": frp,
        "august_2025": {
            "line_km": world.length_km,
            "days": days,
            "real_per_100km_per_pass": real,
            "fitted_unrelated_per_100km_per_pass": fitted_aug,
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: out[k] for k in ("rate_per_km2_per_day", "cluster", "frp",
                                          "august_2025", "by_distance_km")}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()

"""Regenerate the numbers and charts of ``docs/thermal.md`` from the shared data.

    python -m trucewatch.thermal.report_docs [--data ../shared/data] [--img docs/img]
                                             [--json thermal-report.json]

Steps (each timed): build the baseline from ``firms/history`` (years before 2022);
normal-year false alarms (2013 and 2019 left out of the baseline in turn and classified
against the ISW 2023 line as a placebo); 2022-2023 with the ISW 2023 map; the August 2025
VIIRS days with the DeepStateMap lines of those dates; the Orthodox Christmas truce of
2023. Writes ``docs/img/thermal-*.png`` and prints the results as JSON (also to
``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from trucewatch.agreements.load import load_agreement
from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.assessment import assess
from trucewatch.thermal.baseline import build_baseline
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.columns import read_firms_columns
from trucewatch.thermal.donbas import donbas_distance_km
from trucewatch.thermal.economist import EconomistParams
from trucewatch.thermal.lines import (
    ISW_2023_FILE,
    context_from_file,
    lines_for_days,
    shared_data_dir,
)
from trucewatch.thermal.model import ClassifyParams, ThermalAssessment
from trucewatch.thermal.summary import summarize
from trucewatch.thermal.truce import plot_truce, truce_effect, truce_effect_for_files

__all__ = ["main", "run"]

CHRISTMAS = (
    Path(__file__).resolve().parents[1] / "agreements" / "examples" / ("christmas_truce_2023.toml")
)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def false_alarms(data: Path, years: tuple[int, ...] = (2013, 2019)) -> list[dict[str, Any]]:
    """Leave one pre-war year out of the baseline, classify it against the ISW 2023 line
    (a placebo: there was no such front), count what each method calls war-related.
    In 2014-2021 detections within 40 km of the Donbas line are left out (real war)."""
    history = data / "firms" / "history"
    isw = context_from_file(str(data / "control" / ISW_2023_FILE))
    rows = []
    for y in years:
        base = build_baseline(history, exclude_years=[y])
        fires = read_firms_columns(history / f"ukraine_fires_{y}.csv")
        lines = LineHistory([(date(y, 1, 1), isw)])
        keep = np.ones(len(fires), dtype=bool)
        if y >= 2014:
            keep = donbas_distance_km(fires.lon, fires.lat) > 40.0
        a = assess(fires, base, lines)
        pois = assess(fires, base, lines, ClassifyParams(
            economist=EconomistParams(distribution="poisson")))  # fmt: skip
        rows.append({
            "year": y,
            "detections": int(keep.sum()),
            "trucewatch_war_share": round(float(a.war[keep].mean()), 4),
            "trucewatch_expected_share": round(float(a.probability[keep].mean()), 4),
            "economist_war_share": round(float(a.economist.war[keep].mean()), 4),
            "economist_poisson_war_share": round(float(pois.economist.war[keep].mean()), 4),
        })  # fmt: skip
    return rows


def _monthly_chart(by_month: list[dict[str, Any]], title: str, path: Path) -> None:
    plt = _plt()
    months = [r["month"] for r in by_month]
    x = np.arange(len(months))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    tw = [r["trucewatch"]["war_related"] for r in by_month]
    ec = [r["economist"]["war_related"] for r in by_month]
    alln = [r["detections"] for r in by_month]
    ax1.bar(x - 0.27, alln, 0.27, color="#cccccc", label="all detections")
    ax1.bar(x, tw, 0.27, color="#c44e52", label="trucewatch war-related")
    ax1.bar(x + 0.27, ec, 0.27, color="#4c72b0", label="Economist thresholds")
    ax1.set_ylabel("detections per month")
    ax1.set_yscale("log")
    ax1.legend(fontsize=8)
    ax1.set_title(title, fontsize=10)
    for key, colour, name in (("trucewatch", "#c44e52", "trucewatch"),
                              ("economist", "#4c72b0", "Economist")):  # fmt: skip
        v = [r[key]["within_30km"] if r[key]["within_30km"] is not None else np.nan
             for r in by_month]  # fmt: skip
        ax2.plot(x, v, marker="o", color=colour, label=f"{name}: share within 30 km")
    allw = [r["all_within_30km"] for r in by_month]
    ax2.plot(x, allw, marker=".", color="#777777", ls="--", label="all detections within 30 km")
    kap = [r["cohen_kappa"] if r["cohen_kappa"] is not None else np.nan for r in by_month]
    ax2.plot(x, kap, color="#55a868", marker="s", ms=3, label="agreement (Cohen's kappa)")
    ax2.set_ylim(-0.1, 1.05)
    ax2.legend(fontsize=8, ncol=2)
    ax2.set_xticks(x, months, rotation=90, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _distance_chart(a: ThermalAssessment, title: str, path: Path) -> None:
    plt = _plt()
    d = a.distance_km
    bins = np.arange(-150, 151, 5)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ok = np.isfinite(d)
    series = (
        (ok, "#999999", "all detections"),
        (ok & a.war, "#c44e52", "trucewatch war-related"),
        (ok & a.economist.war, "#4c72b0", "Economist thresholds"),
    )
    for sel, colour, name in series:
        h, _ = np.histogram(np.clip(d[sel], -150, 150), bins)
        ax.step(bins[:-1], h / max(sel.sum(), 1), where="post", color=colour, label=name)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(
        "signed distance to the line (km): negative Ukrainian-held, positive Russian-held"
        " (beyond ±150 km: in the end bins)"
    )
    ax.set_ylabel("share per 5 km")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _map_chart(a: ThermalAssessment, line: Any, title: str, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 6.5))
    f = a.fires
    other = ~a.war & ~a.economist.war
    ax.scatter(f.lon[other], f.lat[other], s=1, color="#bbbbbb", label="neither", rasterized=True)
    eo = a.economist.war & ~a.war
    ax.scatter(f.lon[eo], f.lat[eo], s=1.5, color="#4c72b0", label="Economist only",
               rasterized=True)  # fmt: skip
    tw = a.war
    ax.scatter(f.lon[tw], f.lat[tw], s=1.5, color="#c44e52", label="trucewatch (both or only)",
               rasterized=True)  # fmt: skip
    for part in getattr(line, "geoms", [line]):
        xy = np.asarray(part.coords)
        ax.plot(xy[:, 0], xy[:, 1], color="k", lw=0.8)
    ax.set_xlim(22, 40.5)
    ax.set_ylim(44.2, 52.5)
    ax.set_aspect(1 / np.cos(np.radians(48.5)))
    ax.set_title(title, fontsize=10)
    ax.legend(markerscale=6, fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _with_all_within(s: dict[str, Any], a: ThermalAssessment) -> None:
    month = a.fires.day.astype("datetime64[M]")
    d = np.abs(a.distance_km)
    for row in s.get("by_month", []):
        sel = month == np.datetime64(row["month"])
        with np.errstate(invalid="ignore"):
            row["all_within_30km"] = round(float(np.mean(d[sel] <= 30)), 4) if sel.any() else None
        row["trucewatch"]["expected_war_fires"] = round(float(a.probability[sel].sum()), 1)


def run(data: Path, img: Path) -> dict[str, Any]:
    """Everything in the module docstring; returns the results."""
    img.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    base = _baseline(data / "firms" / "history", out)

    t0 = time.perf_counter()
    out["false_alarms"] = false_alarms(data)
    out["false_alarms_s"] = round(time.perf_counter() - t0, 2)

    a = _war_2022_2023(data, base, img, out)
    _viirs_2025_08(data, base, img, out)
    out["christmas_truce_2023"] = _christmas_truce(data, base, a, img)
    return out


def _baseline(history: Path, out: dict[str, Any]) -> Baseline:
    """Build the baseline, save it and load it back (timing, size and summary in ``out``)."""
    t0 = time.perf_counter()
    base = build_baseline(history)
    out["baseline_build_s"] = round(time.perf_counter() - t0, 2)
    tmp = Path(tempfile.mkdtemp()) / "thermal-baseline.npz"
    base.save(tmp)
    out["baseline_bytes"] = tmp.stat().st_size
    out["baseline"] = base.summary()
    return Baseline.load(tmp)


def _war_2022_2023(data: Path, base: Baseline, img: Path, out: dict[str, Any]) -> ThermalAssessment:
    """2022-2023 with the ISW map: the summary in ``out``, the charts in ``img``."""
    history = data / "firms" / "history"
    fires = read_firms_columns([history / "ukraine_fires_2022.csv",
                                history / "ukraine_fires_2023.csv"])  # fmt: skip
    isw: LineContext = context_from_file(str(data / "control" / ISW_2023_FILE))
    lines = LineHistory([(date(2022, 1, 1), isw)])
    t0 = time.perf_counter()
    a = assess(fires, base, lines)
    out["war_2022_2023_s"] = round(time.perf_counter() - t0, 2)
    s = summarize(a)
    _with_all_within(s, a)
    s["expected_war_fires"] = round(float(a.probability.sum()), 1)
    out["war_2022_2023"] = s
    _monthly_chart(
        s["by_month"],
        "2022-2023, ISW 2023 line: war-related detections per month "
        "and their concentration near the line",
        img / "thermal-monthly-2022-2023.png",
    )
    _distance_chart(a, "2022-2023: where the war-related detections are, relative to the ISW "
                    "2023 line", img / "thermal-distance-2022-2023.png")  # fmt: skip
    _map_chart(a, isw.line, "2022-2023 FIRMS detections and the ISW 2023 line",
               img / "thermal-map-2022-2023.png")  # fmt: skip
    return a


def _viirs_2025_08(data: Path, base: Baseline, img: Path, out: dict[str, Any]) -> None:
    """August 2025 VIIRS with DeepStateMap: the summary in ``out``, the charts in ``img``."""
    nrt = read_firms_columns(sorted((data / "firms" / "viirs_nrt").glob("*.csv")))
    lines25 = lines_for_days(np.unique(nrt.day), data / "control")
    t0 = time.perf_counter()
    a25 = assess(nrt, base, lines25)
    out["viirs_2025_08_s"] = round(time.perf_counter() - t0, 2)
    s25 = summarize(a25)
    s25["expected_war_fires"] = round(float(a25.probability.sum()), 1)
    s25["lines"] = [str(d) for d in lines25.dates]
    by_day = []
    for d in np.unique(nrt.day):
        sel = nrt.day == d
        by_day.append({
            "day": str(d),
            "detections": int(sel.sum()),
            "trucewatch": int(a25.war[sel].sum()),
            "economist": int(a25.economist.war[sel].sum()),
        })  # fmt: skip
    s25["by_day"] = by_day
    out["viirs_2025_08"] = s25
    _distance_chart(a25, "12-19 August 2025 (VIIRS NOAA-20), DeepStateMap lines",
                    img / "thermal-distance-2025-08.png")  # fmt: skip
    _map_chart(a25, lines25.contexts[-1].line,
               "12-19 August 2025 VIIRS detections and the DeepStateMap line of 18 August",
               img / "thermal-map-2025-08.png")  # fmt: skip


def _christmas_truce(data: Path, base: Baseline, a: ThermalAssessment, img: Path) -> dict[str, Any]:
    """The Christmas truce of 2023 by both methods (charts in ``img``), and trucewatch's
    within 30 km of the line over the 2-year classification ``a``."""
    history = data / "firms" / "history"
    ag = load_agreement(CHRISTMAS)
    truce: dict[str, Any] = {}
    for method in ("trucewatch", "economist"):
        t0 = time.perf_counter()
        r = truce_effect_for_files(
            ag, [history / "ukraine_fires_2022.csv", history / "ukraine_fires_2023.csv"],
            baseline=base, control_dir=data / "control", before_days=14, after_days=7,
            method=method,
        )  # fmt: skip
        r["elapsed_s"] = round(time.perf_counter() - t0, 2)
        truce[method] = r
        plot_truce(r, img / f"thermal-truce-christmas-2023-{method}.png")
    # sensitivity: the same, within 30 km of the line, and over the 2-year classification
    r30 = truce_effect(ag, a, before_days=14, after_days=7, max_distance_km=30.0)
    truce["trucewatch_within_30km_two_year_fit"] = {
        "overall": r30["overall"], "days": r30["days"]}  # fmt: skip
    return truce


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=None, help="shared data folder")
    parser.add_argument("--img", type=Path, default=Path("docs/img"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    data = args.data or shared_data_dir()
    if data is None or not (data / "firms" / "history").is_dir():
        print("shared data not found: give --data DIR", file=sys.stderr)
        return 2
    res = run(Path(data), args.img)
    text = json.dumps(res, indent=1, default=str)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

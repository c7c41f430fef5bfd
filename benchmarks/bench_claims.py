"""The claims benchmark: adjudication labels and estimated totals against the truth.

    python -m benchmarks.bench_claims [--scenario standard field] [--seed 11]
        [--out FILE] [--table]

Per scenario and seed (seeds 11 and up were never used to choose a threshold: the gate,
coverage and ratio thresholds of :mod:`trucewatch.claims.adjudicate` were chosen on seed 1):

1. ``simulate`` into a temporary folder; a temporary SQLite store: the scenario's line,
   every observation file, ``fuse``;
2. **items**: the complaints (``complaint.jsonl``) imported as claims, with the parties'
   aggregate claims of :mod:`trucewatch.sim.claim_totals`; ``app.claims.adjudicate``
   (timed); the expected label of an item from ``complaint_truth.jsonl`` (or, without it,
   ``truth.jsonl``): a true complaint *corroborated*, own fire blamed on the other side
   *partly corroborated*, a fabrication *contradicted*. Scores: accuracy where coverage
   exists (items not labelled *not verifiable*), the share of fabrications labelled
   corroborated, the confusion table; and the time to adjudicate 8,000 items (the items
   repeated to 8,000, on the same monitoring incidents);
3. **totals**: the estimate of every sector and UTC day against the true episodes of that
   sector-day: from the engine's stored incidents (end to end), and from the true
   capture histories (which kinds of sensor observed each episode: the estimator alone,
   with perfect linkage). Scores: share of sector-days estimated, 90% interval coverage,
   median width, and the error of the point estimate on sector-weeks (7 UTC days, all
   estimated);
4. **aggregates**: each aggregate claim's verdict against its true inflation.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from trucewatch.app import claims as app_claims
from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.claims.adjudicate import MONITORING, adjudicate_items
from trucewatch.claims.coverage import presence_of
from trucewatch.claims.estimate import Estimate, estimate_total
from trucewatch.claims.model import ItemClaim
from trucewatch.claims.read import read_claims
from trucewatch.fusion.engine import fuse_observations
from trucewatch.sim import load_scenario, simulate
from trucewatch.sim.claim_totals import aggregate_claims, true_counts
from trucewatch.store import Store

SCENARIOS = ("standard", "field")
SEEDS = (11,)
EXPECTED = {"true": "corroborated", "own_fire_blame": "partly_corroborated",
            "fabricated": "contradicted"}  # fmt: skip
FORMAT_LIST = {"acoustic": "acoustic", "camera": "camera", "patrol": "patrol",
               "firms": "satellite_thermal"}  # fmt: skip
N_TIMED = 8000


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _statuses(folder: Path) -> dict[str, str]:
    """claim id -> true status of every complaint."""
    truth = folder / "complaint_truth.jsonl"
    if truth.is_file():
        return {r["complaint_id"]: r["status"] for r in _jsonl(truth)}
    seen = set()
    for r in _jsonl(folder / "truth.jsonl"):
        for site in ("impact", "origin"):
            seen.update(site_uid for site_uid in r[site]["observations"])
    from trucewatch.ids import observation_uid

    out = {}
    for line in (folder / "complaint.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            uid = observation_uid("complaint", line, 0)
            out[json.loads(line)["complaint_id"]] = "true" if uid in seen else "fabricated"
    return out


def _label_scores(rows: list[dict[str, Any]], statuses: dict[str, str]) -> dict[str, Any]:
    items = [(statuses[r["claim_id"]], r["label"]) for r in rows if r["type"] == "item"]
    covered = [(s, lab) for s, lab in items if lab != "not_verifiable"]
    fabricated = [lab for s, lab in items if s == "fabricated"]
    confusion = Counter(f"{s} -> {lab}" for s, lab in items)
    return {
        "items": len(items),
        "covered_share": round(len(covered) / max(len(items), 1), 3),
        "accuracy_where_covered": round(float(np.mean([EXPECTED[s] == lab for s, lab in
                                                       covered])), 3) if covered else None,
        "fabricated": len(fabricated),
        "fabricated_corroborated": round(float(np.mean([lab == "corroborated" for lab in
                                                        fabricated])), 4) if fabricated else None,
        "by_status_accuracy": {s: round(float(np.mean([EXPECTED[s] == lab for t, lab in covered
                                                       if t == s])), 3)
                               for s in sorted({s for s, _ in covered})},
        "confusion": dict(sorted(confusion.items())),
    }  # fmt: skip


def _timed_8000(store: Store, folder: Path) -> dict[str, Any]:
    """Adjudication of 8,000 items (the complaints repeated) on the monitoring incidents."""
    claims = [c for c, _ in read_claims(folder / "complaint.jsonl")[0] if isinstance(c, ItemClaim)]
    claims = [replace(claims[k % len(claims)], claim_id=f"T{k}") for k in range(N_TIMED)]
    t0 = time.perf_counter()
    monitoring = [o for o in store.observations() if o.source_kind in MONITORING]
    t_load = time.perf_counter() - t0
    lines = app_lines.line_history(store)
    t0 = time.perf_counter()
    incidents = fuse_observations(monitoring, lines).incidents
    t_fuse = time.perf_counter() - t0
    t0 = time.perf_counter()
    adjudicate_items(claims, incidents, presence_of(monitoring))
    t_adj = time.perf_counter() - t0
    return {"items": N_TIMED, "load_s": round(t_load, 2), "fuse_monitoring_s": round(t_fuse, 2),
            "adjudicate_s": round(t_adj, 2), "total_s": round(t_load + t_fuse + t_adj, 2)}


# --------------------------------------------------------------------------- totals


def _truth_histories(folder: Path) -> tuple[Counter[tuple[str, str]], dict[Any, list[list[bool]]]]:
    truth: Counter[tuple[str, str]] = Counter()
    hist: dict[Any, list[list[bool]]] = defaultdict(list)
    for r in _jsonl(folder / "truth.jsonl"):
        if not r.get("sector"):
            continue
        key = (r["sector"], r["time_start"][:10])
        truth[key] += 1
        kinds = {FORMAT_LIST.get(f) for s in ("impact", "origin") for f in r[s]["sources"]}
        h = [name in kinds for name in app_claims.LISTS]
        if any(h):
            hist[key].append(h)
    return truth, hist


def _interval_scores(est: dict[tuple[str, str], Estimate], truth: Counter[tuple[str, str]]
                     ) -> dict[str, Any]:  # fmt: skip
    ok = {k: e for k, e in est.items() if e.status == "ok"}
    inside = [e.low <= truth[k] <= e.high for k, e in ok.items()]  # type: ignore[operator]
    width = [e.high - e.low for e in ok.values()]  # type: ignore[operator]
    rel = [(e.total - truth[k]) / truth[k] for k, e in ok.items() if truth[k]]  # type: ignore[operator]
    weeks = _sector_weeks(ok, truth)
    return {
        "sector_days": len(truth), "estimated": len(ok),
        "status": dict(Counter(e.status for e in est.values())),
        "interval_coverage": round(float(np.mean(inside)), 3) if inside else None,
        "median_width": round(float(np.median(width)), 1) if width else None,
        "median_true_count": float(np.median(list(truth.values()))),
        "median_relative_error_day": round(float(np.median(rel)), 3) if rel else None,
        **weeks,
    }  # fmt: skip


def _sector_weeks(ok: dict[tuple[str, str], Estimate], truth: Counter[tuple[str, str]]
                  ) -> dict[str, Any]:  # fmt: skip
    """Point error on sector-weeks: 7 consecutive UTC days from the first day, every day
    estimated."""
    days = sorted({date.fromisoformat(d) for _, d in truth})
    if not days:
        return {}
    errs = []
    for sector in sorted({s for s, _ in truth}):
        for w in range(0, (days[-1] - days[0]).days + 1 - 6, 7):
            keys = [(sector, (days[0] + timedelta(days=w + k)).isoformat()) for k in range(7)]
            if all(k in ok for k in keys) and sum(truth[k] for k in keys):
                est = sum(ok[k].total or 0.0 for k in keys)
                true = sum(truth[k] for k in keys)
                errs.append(abs(est - true) / true)
    return {"sector_weeks": len(errs),
            "week_within_20pct": round(float(np.mean(np.array(errs) <= 0.2)), 3) if errs else None,
            "week_median_abs_error": round(float(np.median(errs)), 3) if errs else None}


def _totals(store: Store, folder: Path) -> dict[str, Any]:
    truth, hist = _truth_histories(folder)
    t0 = time.perf_counter()
    engine = app_claims.sector_day_estimates(store.incidents())
    t_engine = time.perf_counter() - t0
    engine_s = {(s, d.isoformat()): e for (s, d), e in engine.items()}
    for key in truth:
        engine_s.setdefault(key, Estimate(status="too_few_sources", observed=0, lists=()))
    oracle = {k: estimate_total(np.array(hist.get(k, []), dtype=bool).reshape(-1, 4),
                                app_claims.LISTS) for k in truth}  # fmt: skip
    return {"engine": {**_interval_scores({k: engine_s[k] for k in truth}, truth),
                       "seconds": round(t_engine, 1)},
            "true_linkage": _interval_scores(oracle, truth)}  # fmt: skip


def _aggregates(rows: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    counts = true_counts(folder / "truth.jsonl")
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["type"] != "aggregate":
            continue
        true = counts[(r["accused"], r["sector"], r["start"][:10])]
        ratio = r["count"] / true if true else float("inf")
        band = "ratio<=1.25" if ratio <= 1.25 else "ratio 1.25-2" if ratio <= 2 else "ratio>2"
        out[band][r["label"]] += 1
    return {band: dict(c) for band, c in sorted(out.items())}


# --------------------------------------------------------------------------- run


def run(scenario: str = "standard", seed: int = 11) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sim"
        sim = simulate(scenario, seed, folder)
        store = Store.open(f"sqlite:///{tmp}/store.db")
        app_lines.import_line(store, load_scenario(folder / "scenario.toml").control_path())
        app_intake.import_files(store, [Path(p) for p in sim["files"]["observations"]])
        app_incidents.fuse(store)
        aggs = folder / "claims.jsonl"
        aggs.write_text("".join(json.dumps(r) + "\n" for r in aggregate_claims(
            folder / "truth.jsonl", seed)))  # fmt: skip
        app_claims.import_claims(store, [folder / "complaint.jsonl", aggs])
        t0 = time.perf_counter()
        summary = app_claims.adjudicate(store)
        t_adj = time.perf_counter() - t0
        rows = app_claims.list_claims(store)["claims"]
        result = {
            "scenario": scenario, "seed": seed, "episodes": sim["truth_events"],
            "adjudicate": {**summary, "seconds": round(t_adj, 2)},
            "labels": _label_scores(rows, _statuses(folder)),
            "timed_8000": _timed_8000(store, folder),
            "totals": _totals(store, folder),
            "aggregates": _aggregates(rows, folder),
        }  # fmt: skip
        store.close()
        return result


def _table(results: list[dict[str, Any]]) -> str:
    head = ("| scenario | seed | items | covered | accuracy (covered) | fabricated corroborated "
            "| 8,000 items (s) | sector-days estimated | 90% coverage | median width | "
            "sector-weeks within 20% |\n|" + "---|" * 11)
    lines = [head]
    for r in results:
        lab, tot = r["labels"], r["totals"]
        for name in ("engine", "true_linkage"):
            t = tot[name]
            lines.append(
                f"| {r['scenario']} ({name}) | {r['seed']} | {lab['items']} | "
                f"{lab['covered_share']} | {lab['accuracy_where_covered']} | "
                f"{lab['fabricated_corroborated']} | {r['timed_8000']['total_s']} | "
                f"{t['estimated']}/{t['sector_days']} | {t['interval_coverage']} | "
                f"{t['median_width']} | {t.get('week_within_20pct')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", nargs="+", default=list(SCENARIOS))
    p.add_argument("--seed", nargs="+", type=int, default=list(SEEDS))
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--table", action="store_true")
    a = p.parse_args(argv)
    results = []
    for scenario in a.scenario:
        for seed in a.seed:
            t0 = time.perf_counter()
            r = run(scenario, seed)
            r["runtime_s"] = round(time.perf_counter() - t0, 1)
            print(json.dumps(r), file=sys.stderr)
            results.append(r)
    text = json.dumps({"benchmark": "claims", "results": results}, indent=1)
    if a.out:
        a.out.write_text(text + "\n")
    print(_table(results) if a.table else text)


if __name__ == "__main__":
    main()

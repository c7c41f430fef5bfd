"""Fit the confidence model (:mod:`trucewatch.fusion.calibration`) on simulations.

    python -m benchmarks.calibrate [--scenario standard field] [--seed 1 2] [--out PATH]

Simulates every scenario with every seed (by default ``standard`` and ``field``, seeds 1
and 2: the benchmark scores seeds 0 and 11-14, so the model is never scored on the data it
was fitted on), imports and fuses each run as ``trucewatch fuse`` does, labels each
incident real when it matches a true site (the evaluation's one-to-one matching,
:func:`trucewatch.sim.evaluation.match`), fits the logistic weights on the incidents of
all runs pooled and writes them with their provenance (scenarios, seeds, incidents and
share real per run, Brier score and log loss of the fit) to
``src/trucewatch/fusion/data/calibration.json``. The engine must never see ground truth:
the truth is used here, offline, to fit a dozen weights, exactly as a mission would
calibrate its grading against verified incidents.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.fusion.calibration import CALIBRATION_FILE, Calibration, fit
from trucewatch.fusion.engine import fuse_observations
from trucewatch.geo.projection import to_local_km
from trucewatch.sim import load_scenario, read_truth, simulate
from trucewatch.sim.evaluation import Gates, match
from trucewatch.store import Store

SCENARIOS = ("standard", "field")
SEEDS = (1, 2)
"""The runs fitted on by default (pooled): the benchmark scores seeds 0 and 11-14."""
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/trucewatch/fusion/data" / CALIBRATION_FILE


def labelled_features(scenario: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features of every incident of a simulated run and whether it matched a true site."""
    with tempfile.TemporaryDirectory(prefix="trucewatch-calibrate-") as tmp:
        folder = Path(tmp)
        sim = simulate(scenario, seed, folder / "sim")
        store = Store.open(f"sqlite:///{folder / 'store.db'}")
        try:
            app_lines.import_line(store, load_scenario(folder / "sim" / "scenario.toml")
                                .control_path())  # fmt: skip
            app_intake.import_files(store, [Path(p) for p in sim["files"]["observations"]])
            lines = app_lines.line_history(store)
            result = fuse_observations(store.observations(), lines,
                                       calibration=Calibration.uncalibrated())  # fmt: skip
        finally:
            store.close()
        truth = read_truth(folder / "sim" / "truth.jsonl")
    inc = result.incidents
    ix, iy = to_local_km([i.location.lon for i in inc], [i.location.lat for i in inc])
    sx, sy = to_local_km(truth.site_lon, truth.site_lat)
    target = np.flatnonzero(truth.site_observed)
    mi, _, _ = match(
        np.column_stack([ix, iy]), np.array([i.time_start.timestamp() for i in inc]),
        np.array([i.time_end.timestamp() for i in inc]), np.column_stack([sx, sy])[target],
        truth.site_start[target], truth.site_end[target], Gates(),
    )
    real = np.zeros(len(inc), dtype=bool)
    real[mi] = True
    assert result.features is not None
    return result.features, real


def pooled_features(scenarios: list[str], seeds: list[int]
                    ) -> tuple[np.ndarray, np.ndarray, list[dict[str, object]]]:  # fmt: skip
    """Features and labels of every run (each scenario with each seed) stacked, and per
    run its scenario, seed, incidents and share real."""
    xs, ys, runs = [], [], []
    for scenario in scenarios:
        for seed in seeds:
            x, y = labelled_features(scenario, seed)
            xs.append(x)
            ys.append(y)
            runs.append({"scenario": scenario, "seed": seed, "incidents": len(y),
                         "share_real": round(float(y.mean()), 4) if len(y) else None})  # fmt: skip
    return np.vstack(xs), np.concatenate(ys), runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--seed", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    x, y, runs = pooled_features(args.scenario, args.seed)
    model = fit(x, y, provenance={
        "scenarios": args.scenario, "seeds": args.seed, "runs": runs,
        "fitted_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "by": "python -m benchmarks.calibrate",
    })  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(json.dumps({"out": str(args.out), **model.provenance, "weights": model.weights},
                     indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

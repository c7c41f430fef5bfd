"""Run the benchmarks and write one JSON file (``make bench``).

    python -m benchmarks.run --out bench/results.json [--only geo,import]

Each ``bench_*.py`` module exposes ``run() -> dict`` and measures trucewatch and a peer
in the same process run. Nothing here is a test: targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

MODULES = ("bench_geo", "bench_front", "bench_import", "bench_ledger", "bench_sim", "bench_fusion",
           "bench_thermal", "bench_api", "bench_api_fleet", "bench_cli", "bench_live")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    parser.add_argument("--only", default="", help="comma-separated module suffixes")
    args = parser.parse_args()
    wanted = [m for m in MODULES if not args.only or m.removeprefix("bench_") in args.only]
    results: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "started_at": datetime.now(UTC).isoformat(),
    }
    for name in wanted:
        module = importlib.import_module(f"benchmarks.{name}")
        t0 = time.perf_counter()
        print(f"running {name} ...", flush=True)
        results[name.removeprefix("bench_")] = module.run()
        print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

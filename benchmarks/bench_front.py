"""Benchmark of the whole front: its length by part on two dates, and the cost of deriving it.

``run()`` derives, for the DeepStateMap control areas of 2025-03-13 (the week of the
30-day ceasefire proposal) and 2025-08-18, with the shipped outline:

* the **whole front** (:data:`trucewatch.geo.contact_line.WHOLE_FRONT`): the line of
  contact, the Dnipro and the state border with Russia where Ukrainian-held land faces it,
  with the length (km, geodesic) of every labelled part, the sectors cut from it (50 km
  target) and how much of the border they cover;
* its **peers**: the line of contact alone (what trucewatch derived before), and the
  public figure of the negotiators ("almost 2,000 km" in March 2025, from
  ``text/2025-03-14-news.txt`` of the shared data).

Times are wall-clock seconds (best of ``repeat``, after a first call that projects and
caches the outline) and CPU seconds of the process, with the load average of the shared
machine. ``python -m benchmarks.bench_front`` writes
``benchmarks/results/front_length_<date>.json``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch.geo.contact_line import WHOLE_FRONT, ContactLineParams, derive
from trucewatch.geo.front_parts import STATE_BORDER
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.sectors import cut_sectors

SHARED_DATA = Path(os.environ.get("TRUCEWATCH_SHARED_DATA")
                   or Path(__file__).resolve().parents[1] / ".." / "shared" / "data")  # fmt: skip
DATES = ("20250313", "20250818")
NEWS = SHARED_DATA / "text" / "2025-03-14-news.txt"
RESULTS = Path(__file__).resolve().parent / "results"


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall time (s), best CPU time (s) of ``repeat`` calls, and the last result."""
    wall = cpu = float("inf")
    result: Any = None
    for _ in range(max(1, repeat)):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, result


def _public_figure() -> str | None:
    """The front length quoted in the March 2025 news article, if the data are there."""
    if not NEWS.exists():
        return None
    m = re.search(r"[^.]*\d[\d,]* ?kilometre[^.]*", NEWS.read_text(encoding="utf-8"))
    return m.group(0).strip() if m else None


def bench_date(day: str, repeat: int = 3) -> dict[str, Any]:
    """The whole front and the line of contact alone for one DeepStateMap snapshot."""
    path = SHARED_DATA / "control" / "deepstate" / f"deepstatemap_data_{day}.geojson"
    _, control = read_line_file(path)
    derive(control, params=WHOLE_FRONT)  # projects and caches the outline once
    wall, cpu, front = _timed(lambda: derive(control, params=WHOLE_FRONT), repeat)
    wall_c, cpu_c, contact = _timed(lambda: derive(control, params=ContactLineParams()), repeat)
    sectors = cut_sectors(front.line)
    border_parts = {p.part for p in front.parts if p.label == STATE_BORDER}
    by_label = front.lengths_by_label()
    border_km = by_label.get(STATE_BORDER, 0.0)
    covered = sum(s.length_km for s in sectors if s.part in border_parts)
    return {
        "control_file": str(path.relative_to(SHARED_DATA)),
        "whole_front": {
            "length_km": round(front.length_km, 1),
            "by_part_km": {k: round(v, 1) for k, v in by_label.items()},
            "parts": [p.as_dict() for p in front.parts],
            "geometric_parts": len(front.line.geoms),
            "sectors": len(sectors),
            "sectors_on_border": sum(1 for s in sectors if s.part in border_parts),
            "border_covered_by_sectors": round(covered / border_km, 4) if border_km else None,
            "border_sector_names": [s.name for s in sectors if s.part in border_parts],
            "derive_s": round(wall, 3),
            "derive_cpu_s": round(cpu, 3),
        },
        "peer_line_of_contact_only": {
            "length_km": round(contact.length_km, 1),
            "by_part_km": {k: round(v, 1) for k, v in contact.lengths_by_label().items()},
            "derive_s": round(wall_c, 3),
            "derive_cpu_s": round(cpu_c, 3),
        },
    }


def run(repeat: int = 3) -> dict[str, Any]:
    """Both dates, the public figure and the machine's load."""
    if not (SHARED_DATA / "control" / "deepstate").exists():
        return {"skipped": f"real data not available at {SHARED_DATA}"}
    out: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peer_public_figure": _public_figure(),
    }
    for day in DATES:
        out[f"deepstate_{day[:4]}_{day[4:6]}_{day[6:]}"] = bench_date(day, repeat)
    out["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    return out


def main() -> None:
    """Run and write ``benchmarks/results/front_length_<UTC date>.json``."""
    result = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"front_length_{datetime.now(UTC).date().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

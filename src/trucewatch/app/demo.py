"""``trucewatch demo``: the whole pipeline on the sample data bundled in the package.

1. derive the whole front (the line of contact and the state border where Ukrainian-held
   land faces Russia) from the DeepStateMap control area of 9 August 2025 and add a
   HYPOTHETICAL ceasefire (labelled so) to show the assessment against its terms;
2. import three days of real NASA FIRMS VIIRS detections and synthetic patrol reports;
3. fuse them into incidents and adjudicate the parties' synthetic claims (docs/claims.md);
4. write the daily report for 13 August 2025.

The store is a SQLite file in the output folder unless ``db_url`` names another.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from trucewatch.app import agreements, claims, incidents, intake, lines, reports
from trucewatch.app.thermal import shipped_data_path
from trucewatch.store import Store

DEMO_DAY = date(2025, 8, 13)
CONTROL_FILE = "control/deepstate/deepstatemap_data_20250809.geojson"
AGREEMENT_FILE = "demo_ceasefire_hypothetical.toml"
OBSERVATION_FILES = (
    "firms_viirs_noaa20_2025-08-12_to_14.csv",
    "patrols_synthetic_2025-08-13.jsonl",
)
CLAIMS_FILE = "claims_synthetic_2025-08-13.jsonl"
"""Synthetic claims of both parties for the demo day (items and aggregates)."""


def demo_file(name: str) -> Path:
    """Path of a bundled demo file (:func:`trucewatch.app.thermal.shipped_data_path`)."""
    return shipped_data_path(name)


def run_demo(
    out_dir: Path, *, db_url: str | None = None, say: Callable[[str], None] = print,
    language: str = "en",
) -> dict[str, Any]:
    """Run the demo, its report in ``language`` (en, uk, ru); returns what each step did
    and where the report is."""
    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    url = db_url or f"sqlite:///{(out_dir / 'trucewatch.db').resolve()}"
    store = Store.open(url)
    try:
        say(f"[1/4] deriving the contact line from DeepStateMap {CONTROL_FILE} ...")
        line = lines.import_line(store, demo_file(CONTROL_FILE), name="DeepStateMap 2025-08-09")
        parts = ", ".join(f"{k} {v:,.0f} km" for k, v in line["length_by_part_km"].items())
        say(f"      whole front {line['length_km']:,.0f} km ({parts}), {line['sectors']} sectors "
            f"({line['status']})")  # fmt: skip
        agreement = agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        say(f"      agreement: {agreement['name']}")
        say("[2/4] importing NASA FIRMS detections and synthetic patrol reports ...")
        imported = intake.import_files(store, [demo_file(n) for n in OBSERVATION_FILES])
        say(f"      read {imported['read']}, stored {imported['stored']}, "
            f"duplicates {imported['duplicates']}")  # fmt: skip
        say("[3/4] fusing observations into incidents ...")
        fused = incidents.fuse(store)
        verdicts = ", ".join(f"{n} {v}" for v, n in fused["by_verdict"].items()) or "none"
        say(f"      {fused['observations']} observations -> {fused['incidents']} incidents; "
            f"against the agreement: {verdicts}")  # fmt: skip
        claims.import_claims(store, [demo_file(CLAIMS_FILE)])
        judged = claims.adjudicate(store)
        say(f"      the parties' synthetic claims: {judged['by_label']}")
        say(f"[4/4] writing the daily report for {DEMO_DAY} ...")
        report = reports.daily_report(store, DEMO_DAY, out_dir, language=language)
    finally:
        store.close()
    return {
        "db": url,
        "line": line,
        "agreement": agreement,
        "import": {k: v for k, v in imported.items() if k != "errors"},
        "fuse": {k: v for k, v in fused.items() if k != "unresolved"},
        "claims": judged,
        "report_html": report["html"],
        "report_json": report["json"],
        "report_pdf": report["pdf"],
        **({"report_pdf_note": report["pdf_note"]} if "pdf_note" in report else {}),
        "runtime_s": round(time.perf_counter() - t0, 2),
    }

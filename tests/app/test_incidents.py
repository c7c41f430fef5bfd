"""The fuse use case: satellite fires judged war-related reach the agreement checks."""

from __future__ import annotations

from pathlib import Path

from trucewatch.app import agreements, incidents, intake, lines
from trucewatch.app.demo import AGREEMENT_FILE, CONTROL_FILE, OBSERVATION_FILES, demo_file
from trucewatch.app.thermal import shipped_baseline_path
from trucewatch.store import Store
from trucewatch.types import EventKind


def test_shipped_baseline_is_in_the_package():
    assert shipped_baseline_path().is_file()


def test_fuse_passes_war_fires_to_the_agreement_checks(tmp_path: Path):
    """Before the fix, ``fuse`` never classified satellite fires, so every
    satellite-only incident was undetermined against the agreement."""
    store = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        lines.import_line(store, demo_file(CONTROL_FILE))
        agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        intake.import_files(store, [demo_file(OBSERVATION_FILES[0])])  # FIRMS only
        incidents.fuse(store)
        thermal = [i for i in store.incidents() if i.kind is EventKind.THERMAL_ANOMALY]
    finally:
        store.close()
    verdicts = [i.assessment.get("agreement_verdict") for i in thermal]
    war = [i for i, v in zip(thermal, verdicts, strict=True) if v == "violation"]
    assert war, "no satellite fire was judged war-related"
    assert "undetermined" in verdicts, "every satellite fire was judged war-related"
    assert all("war-related" in str(i.assessment) for i in war)

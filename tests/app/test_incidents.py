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


def test_fuse_reports_every_stage_with_growing_counts(tmp_path: Path, monkeypatch):
    """fuse tells its progress stage by stage, each counted in its own items and reported
    as it goes (every few items, made small here), not only at each stage's start; the
    chunks the counts come from change nothing in the incidents or the log."""
    from trucewatch.fusion import engine
    from trucewatch.store import repository, retractions

    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        lines.import_line(store, demo_file(CONTROL_FILE))
        agreements.add_agreement(store, demo_file(AGREEMENT_FILE))
        intake.import_files(store, [demo_file(f) for f in OBSERVATION_FILES])
        for module, name, size in ((engine, "PROGRESS_EVERY", 10),
                                   (retractions, "PROGRESS_ROWS", 10),
                                   (incidents, "CHECK_EVERY", 10),
                                   (incidents, "ASSESS_CHUNK", 25),
                                   (repository, "STORE_CHUNK", 50)):  # fmt: skip
            monkeypatch.setattr(module, name, size)
        calls: list[tuple[str, int, int]] = []
        answer = incidents.fuse(store, progress=lambda *call: calls.append(call))
        chunked = store.incidents()
        monkeypatch.undo()
        with store.engine.connect() as conn:
            entries = store.ledger.size(conn)
        incidents.fuse(store)  # in one go: the same decisions, so nothing new is logged
        with store.engine.connect() as conn:
            assert store.ledger.size(conn) == entries
        assert store.incidents() == chunked
    finally:
        store.close()
    n_obs, n_inc = answer["observations"], answer["incidents"]
    assert n_inc > 100 and n_obs > n_inc
    stages: dict[str, list[tuple[int, int]]] = {}
    for what, done, total in calls:
        stages.setdefault(what, []).append((done, total))
    names = list(stages)
    count = incidents.STEPS + 6
    assert [name.split(" ")[0] for name in names] == [f"{k}/{count}" for k in range(1, 12)]
    for name, counts in stages.items():
        totals = {total for _, total in counts}
        done = [d for d, _ in counts]
        assert len(totals) == 1 and done[0] == 0 and done[-1] == counts[-1][1], name
        assert done == sorted(done), f"{name}: the count went back"
    by_word = {name.split(" ")[1]: counts for name, counts in stages.items()}
    assert by_word["reading"][-1] == (n_obs, n_obs)
    assert by_word["storing"][-1] == (n_inc, n_inc) == by_word["logging"][-1]
    for word in ("reading", "checking", "placing", "assessing", "storing", "logging"):
        between = {d for d, total in by_word[word] if 0 < d < total}
        assert len(between) >= 3, f"{word}: {by_word[word]}"

"""Live fusion stopped before it refreshed, then started again: the first refresh stores
the batch ``fuse``'s confidences, statuses and attributions (the days are loaded silently
at start, so a refresh that changes nothing in memory may still change the store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trucewatch.app import incidents as app_incidents
from trucewatch.app import intake as app_intake
from trucewatch.app import lines as app_lines
from trucewatch.app.bus import MemoryBus
from trucewatch.app.live import LiveFusion, LiveSettings
from trucewatch.sim import load_scenario
from trucewatch.store import Store

NEVER = 1e9
"""Seconds: a refresh that never comes by itself."""


def _snapshot(store: Store) -> dict[str, tuple[Any, ...]]:
    return {i.uid: (i.status, round(i.confidence, 4), i.attribution.party,
                    i.attribution.probabilities) for i in store.incidents()}  # fmt: skip


def test_a_restart_before_any_refresh_stores_the_batch_values(
    smoke_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, summary = smoke_run
    store = Store.open(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        app_lines.import_line(store, load_scenario(folder / "scenario.toml").control_path())
        steps_only = LiveSettings(poll_s=0.1, quiet_s=NEVER, refresh_s=NEVER)
        first = LiveFusion(store, MemoryBus(), steps_only)
        for path in summary["files"]["observations"]:  # one step per file: partial views
            app_intake.import_files(store, [Path(path)])
            assert first.wait_idle()
        first.close()  # stopped before any refresh
        assert first.stats.refreshes == 0 and first.stats.steps >= 2
        stepped = _snapshot(store)
        second = LiveFusion(store, MemoryBus(), steps_only)
        try:
            assert second.wait_idle()  # started: the stale days loaded silently
        finally:
            second.close()
        second.refresh()  # its first refresh (the thread stopped: no other one at once)
        live = _snapshot(store)
        app_incidents.fuse(store)  # the batch fusion of every stored observation
        batch = _snapshot(store)
    finally:
        store.close()
    assert set(live) == set(batch)
    assert stepped != batch  # the steps alone left values a refresh must change
    assert live == batch

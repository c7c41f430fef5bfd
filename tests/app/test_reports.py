"""The daily report's use case: behaviour not covered by the CLI contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from trucewatch.app.reports import _incident_history
from trucewatch.store import Store
from trucewatch.types import EventKind, Observation, PointLocation, SourceKind


def _obs(uid: str, day: date) -> Observation:
    t = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return Observation(
        uid=uid, source_kind=SourceKind.SATELLITE_THERMAL, source_format="firms",
        source_id="s", time_start=t, time_end=t,
        location=PointLocation.isotropic(37.0, 48.0, 0.2), kind=EventKind.THERMAL_ANOMALY,
    )


def test_history_starts_with_the_data(sqlite_url: str):
    store = Store.open(sqlite_url)
    store.add_observations([_obs("a" * 64, date(2025, 8, 12))])
    history = _incident_history(store, date(2025, 8, 13), 14)
    assert [d for d, _ in history] == [date(2025, 8, 12), date(2025, 8, 13)]
    # before any data: only the reported day itself, not days of made-up zeros
    before_data = _incident_history(store, date(2025, 8, 1), 3)
    assert before_data == [(date(2025, 8, 1), 0)]
    store.close()

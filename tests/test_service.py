"""Service-level behaviour not covered by the CLI contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import shapely

from trucewatch.service import SECTOR_REACH_KM, StoredLines, _incident_history
from trucewatch.store import Store
from trucewatch.types import ContactLine, EventKind, Observation, PointLocation, Sector, SourceKind


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


def test_sector_only_near_the_line():
    line = shapely.LineString([(37.0, 47.0), (37.0, 49.0)])
    stored = ContactLine(id=1, name="t", valid_from=date(2025, 1, 1), length_km=222.0,
                         geometry_wkt=line.wkt)  # fmt: skip
    sector = Sector(line_id=1, index=0, name="Only", start_km=0, end_km=222,
                    geometry_wkt=line.wkt)  # fmt: skip
    lines = StoredLines([stored], {1: [sector]})
    lon = np.array([37.1, 37.0 + (SECTOR_REACH_KM + 20) / 74.0])  # ~7 km and ~70 km east
    ctx = lines.locate(lon, np.array([48.0, 48.0]), [date(2025, 8, 1)] * 2)
    assert ctx.sector[0] == "Only"
    assert ctx.sector[1] is None
    assert ctx.distance_km[1] > SECTOR_REACH_KM
    before = lines.locate(lon, np.array([48.0, 48.0]), [date(2024, 1, 1)] * 2)
    assert before.sector[0] is None and np.isnan(before.distance_km[0])

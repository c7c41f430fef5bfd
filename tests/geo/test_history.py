"""The line history as the lookup of fusion: sectors only near the line, no line before
the first date."""

from __future__ import annotations

from datetime import date

import numpy as np
import shapely

from trucewatch.geo.history import SECTOR_REACH_KM, LineHistory
from trucewatch.types import ContactLine, Sector


def test_sector_only_near_the_line():
    line = shapely.LineString([(37.0, 47.0), (37.0, 49.0)])
    stored = ContactLine(id=1, name="t", valid_from=date(2025, 1, 1), length_km=222.0,
                         geometry_wkt=line.wkt)  # fmt: skip
    sector = Sector(line_id=1, index=0, name="Only", start_km=0, end_km=222,
                    geometry_wkt=line.wkt)  # fmt: skip
    lines = LineHistory.of_stored([stored], {1: [sector]})
    lon = np.array([37.1, 37.0 + (SECTOR_REACH_KM + 20) / 74.0])  # ~7 km and ~70 km east
    ctx = lines.place_context(lon, np.array([48.0, 48.0]), [date(2025, 8, 1)] * 2)
    assert ctx.sector[0] == "Only"
    assert ctx.sector[1] is None
    assert ctx.distance_km[1] > SECTOR_REACH_KM
    before = lines.place_context(lon, np.array([48.0, 48.0]), [date(2024, 1, 1)] * 2)
    assert before.sector[0] is None and np.isnan(before.distance_km[0])

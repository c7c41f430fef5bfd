"""The ground truth of a simulation as arrays (``truth.jsonl``, docs/simulator.md).

Each true episode has two *sites*, its impact and its origin (firing position), stored
interleaved: site 2k is episode k's impact, 2k + 1 its origin. Positions are WGS84
lon/lat (degrees); times are epoch seconds (UTC); ``crlb_km`` is the site's Cramér-Rao
bound (km, :mod:`trucewatch.sim.crlb`; infinite when the site has none).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Truth", "read_truth"]


def _epoch(text: str | None) -> float:
    if text is None:
        return math.nan
    return datetime.fromisoformat(text).astimezone(UTC).timestamp()


@dataclass(frozen=True, eq=False)
class Truth:
    """The true episodes as arrays; sites interleaved (2k impact, 2k + 1 origin)."""

    ids: list[str]
    party: NDArray[np.object_]
    weapon: NDArray[np.object_]
    phase: NDArray[np.object_]
    observed: NDArray[np.bool_]
    site_lon: NDArray[np.float64]
    site_lat: NDArray[np.float64]
    site_start: NDArray[np.float64]
    site_end: NDArray[np.float64]
    site_bound_km: NDArray[np.float64]
    site_observed: NDArray[np.bool_]
    period: tuple[datetime, datetime] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]],
                     period: tuple[datetime, datetime] | None = None) -> Truth:  # fmt: skip
        recs = list(records)
        n = len(recs)
        lon, lat = np.empty(2 * n), np.empty(2 * n)
        start, end, bound = np.empty(2 * n), np.empty(2 * n), np.empty(2 * n)
        seen = np.zeros(2 * n, dtype=bool)
        for k, r in enumerate(recs):
            for j, label in ((2 * k, "impact"), (2 * k + 1, "origin")):
                site = r[label]
                lon[j], lat[j] = site["lon"], site["lat"]
                start[j] = _epoch(site["time_start"])
                end[j] = max(_epoch(site["time_end"]), _epoch(site.get("fire_end")) if
                             site.get("fire_end") else -math.inf)  # fmt: skip
                b = site.get("crlb_km")
                bound[j] = math.inf if b is None else float(b)
                seen[j] = bool(site.get("observations"))
        observed = np.array([bool(r.get("observed", False)) for r in recs], dtype=bool)
        return cls(
            ids=[str(r["id"]) for r in recs],
            party=np.array([r["party"] for r in recs], dtype=object),
            weapon=np.array([r.get("weapon") for r in recs], dtype=object),
            phase=np.array([r.get("phase", "") for r in recs], dtype=object),
            observed=observed,
            site_lon=lon, site_lat=lat, site_start=start, site_end=end,
            site_bound_km=bound, site_observed=seen, period=period,
        )  # fmt: skip


def _period_beside(path: Path) -> tuple[datetime, datetime] | None:
    scenario = path.parent / "scenario.toml"
    if not scenario.is_file():
        return None
    try:
        data = tomllib.loads(scenario.read_text(encoding="utf-8"))
        start = data["period"]["start"]
        days = float(data["period"]["days"])
    except (KeyError, ValueError, TypeError, tomllib.TOMLDecodeError):
        return None
    if not isinstance(start, datetime) or start.tzinfo is None:
        return None
    return start.astimezone(UTC), start.astimezone(UTC) + timedelta(days=days)


def read_truth(path: str | Path) -> Truth:
    """Read ``truth.jsonl`` (period from the ``scenario.toml`` beside it, if any)."""
    p = Path(path)
    with open(p, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    return Truth.from_records(records, _period_beside(p))

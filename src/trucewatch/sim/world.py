"""The simulated world: the contact line in the local metric plane, its sides and sectors.

Everything is in the local plane of :mod:`trucewatch.geo.projection` in **km** (east,
north). The line's parts are oriented with the area of ``controlled_by`` on their left
(:mod:`trucewatch.geo.contact_line`), so the left normal of the line points into that
party's area: a point ``L(s) + sign * d * n(s)`` with ``sign = +1`` lies on the
``controlled_by`` side, ``-1`` on the other party's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString

from trucewatch.geo.contact_line import WHOLE_FRONT, ContactLineParams, derive
from trucewatch.geo.line_file import read_line_file
from trucewatch.geo.lookup import LineContext
from trucewatch.geo.outline import load_country_outline
from trucewatch.geo.projection import geom_to_metric, to_local_km, to_lonlat
from trucewatch.geo.sectors import SectorPiece, cut_sectors
from trucewatch.geo.shapes import line_parts
from trucewatch.sim.scenario import Scenario, ScenarioError, file_sha256

__all__ = ["World", "build_world"]

TANGENT_HALF_KM = 3.0
"""Half the base over which the local direction of the line is taken (km): smooths the
100 m jaggedness of the mapped line."""


@dataclass(frozen=True, eq=False)
class World:
    """The line of contact of a scenario, ready for sampling.

    ``parts``: metric (km) LineStrings in line order; ``offsets``: cumulative km at the
    start of each part; ``span``: the simulated stretch (km along the line).
    """

    context: LineContext
    parts: tuple[LineString, ...]
    offsets: NDArray[np.float64]
    length_km: float
    span: tuple[float, float]
    sectors: tuple[SectorPiece, ...]
    controlled_by: str
    other_party: str

    @property
    def span_km(self) -> float:
        return self.span[1] - self.span[0]

    def sign_of(self, party: NDArray[np.object_] | list[str]) -> NDArray[np.float64]:
        """+1 for the ``controlled_by`` party, -1 for the other (side of the normal)."""
        return np.where(np.asarray(party, dtype=object) == self.controlled_by, 1.0, -1.0)

    def frame(self, along_km: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
        """Point on the line, unit tangent and unit left normal (into the
        ``controlled_by`` area) at positions ``along_km`` (clipped to the line); (n, 2) km."""
        s = np.clip(np.asarray(along_km, dtype=float), 0.0, self.length_km)
        part = np.clip(np.searchsorted(self.offsets, s, side="right") - 1, 0, len(self.parts) - 1)
        local = s - self.offsets[part]
        point = np.empty((s.size, 2))
        tangent = np.empty((s.size, 2))
        for k, geom in enumerate(self.parts):
            m = part == k
            if not m.any():
                continue
            d = local[m]
            p = shapely.get_coordinates(shapely.line_interpolate_point(geom, d))
            a = shapely.get_coordinates(
                shapely.line_interpolate_point(geom, np.clip(d - TANGENT_HALF_KM, 0, geom.length))
            )
            b = shapely.get_coordinates(
                shapely.line_interpolate_point(geom, np.clip(d + TANGENT_HALF_KM, 0, geom.length))
            )
            t = b - a
            point[m] = p
            tangent[m] = t
        norm = np.linalg.norm(tangent, axis=1)
        tangent /= np.where(norm > 0, norm, 1.0)[:, None]
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
        return point, tangent, normal

    def held_by(self, xy_km: NDArray[np.float64]) -> NDArray[np.object_]:
        """Party holding each point (or None outside the country and control area)."""
        xy = np.asarray(xy_km, dtype=float).reshape(-1, 2)
        return self.context.held_by_xy(xy[:, 0] * 1000.0, xy[:, 1] * 1000.0)

    def locate(self, xy_km: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
        """Sector index, sector name and signed distance to the line (km) of points."""
        xy = np.asarray(xy_km, dtype=float).reshape(-1, 2)
        lon, lat = to_lonlat(xy[:, 0], xy[:, 1])
        res = self.context.locate(lon, lat, workers=1)
        return res.sector_index, res.sector_name, res.distance_km

    def sector_names(self) -> list[str]:
        return [s.name for s in self.sectors]


def _metric_parts_km(line: shapely.geometry.base.BaseGeometry) -> list[LineString]:
    metric = geom_to_metric(line)
    scaled = shapely.transform(metric, lambda c: c / 1000.0)
    return line_parts(scaled)


@lru_cache(maxsize=4)
def _world_cached(
    path: str, sha: str, controlled_by: str, other_party: str, sector_km: float,
    span: tuple[float, ...], whole_front: bool = True,
) -> World:  # fmt: skip
    del sha  # part of the cache key only
    kind, geom = read_line_file(path)
    if kind == "control":
        params = WHOLE_FRONT if whole_front else ContactLineParams()
        derived = derive(geom, load_country_outline(), params)
        line, control, country = derived.line, derived.control, derived.country
    else:
        line, control, country = geom, None, None
    if line.is_empty:
        raise ScenarioError("line.control_file", f"{path}: no line of contact derived")
    if control is None:
        raise ScenarioError("line.control_file",
                            f"{path}: the simulator needs control areas (sides), not a bare line")
    sectors = cut_sectors(line, target_km=sector_km)
    context = LineContext(line, control, country, sectors, controlled_by, other_party)
    parts = _metric_parts_km(line)
    lengths = np.array([p.length for p in parts])
    offsets = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    total = float(lengths.sum())
    lo, hi = (span[0], min(span[1], total)) if span else (0.0, total)
    if hi <= lo:
        raise ScenarioError("line.along_km", f"stretch {span} is outside the line ({total:.0f} km)")
    return World(
        context=context,
        parts=tuple(parts),
        offsets=offsets,
        length_km=total,
        span=(float(lo), float(hi)),
        sectors=tuple(sectors),
        controlled_by=controlled_by,
        other_party=other_party,
    )


def build_world(scenario: Scenario) -> World:
    """The world of a scenario (derived once per process per file and parameters)."""
    path: Path = scenario.control_path()
    if not path.is_file():
        raise ScenarioError("line.control_file", f"{path}: file not found", scenario.source)
    sha = file_sha256(path)
    pinned = scenario.line.control_sha256
    if pinned and pinned != sha:
        raise ScenarioError("line.control_sha256",
                            f"{path} has SHA-256 {sha}, the scenario pins {pinned}",
                            scenario.source)  # fmt: skip
    line = scenario.line
    return _world_cached(str(path), sha, line.controlled_by, line.other_party, line.sector_km,
                         tuple(line.along_km), line.whole_front)  # fmt: skip


def to_lonlat_arrays(xy_km: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """WGS84 lon/lat (degrees) of (n, 2) local km points."""
    xy = np.asarray(xy_km, dtype=float).reshape(-1, 2)
    return to_lonlat(xy[:, 0], xy[:, 1])


def to_xy(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """(n, 2) local km of WGS84 points."""
    x, y = to_local_km(lon, lat)
    return np.column_stack([x, y])

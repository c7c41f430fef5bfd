"""Partitioned fusion: cut a workload into cells of space and time, fuse each cell on its
own, and merge the cells' incidents into the result of one fusion (pure; no I/O, no
scheduler: :mod:`trucewatch.app.partitioned` drives the cells on Dask).

**Cells.** Time is cut into windows of :attr:`PartitionPlan.window_s` (aligned on the UTC
epoch: one-day windows start at 00:00 UTC); space into bands across the front:
:attr:`PartitionPlan.band_km` wide along the front's main axis (the first principal axis
of the contact line's vertices on the local plane, :func:`front_axis`), so a band is a
run of neighbouring sectors. A cell is (window, band).

**Anchors.** Each observation is placed by its *anchor*: the point it was reported at
(a point report), its observer (a bearing from an array, a camera or a patrol: the
sensor's own position), or, for a place name, the point localization gives it
(:func:`anchors`). An observation that cannot be placed anywhere cannot be located, so it
joins no incident: it goes to one cell only and comes back there as unresolved.

**Halos.** A cell is fused with every observation whose anchor lies within
:attr:`PartitionPlan.halo_km` of its band and whose start lies within
:attr:`PartitionPlan.halo_s` of its window: its core plus the halo. :func:`halo_for` sizes
the halo from every step of the engine whose reach is not the incident's own
observations:

* association chains gated pairs (at most ``Gates.max_gate_km`` apart, windows within
  ``Gates.time_tolerance_s``); an observation's anchor lies within its wedge's reach of
  where it is located;
* negative evidence (:mod:`trucewatch.fusion.coverage`) needs the arrays within hearing
  of an incident and whether each reported anything within
  :data:`~trucewatch.fusion.coverage.ALIVE_WINDOW_S` (6 h) of its start;
* the ``activity`` feature (:mod:`trucewatch.fusion.context`) counts corroborated
  incidents within :data:`~trucewatch.fusion.context.ACTIVITY_KM` and
  :data:`~trucewatch.fusion.context.ACTIVITY_S`;
* launch-impact pairing (:mod:`trucewatch.fusion.pairing`) is mutual-nearest: the partner
  lies within :data:`~trucewatch.fusion.pairing.PAIR_RANGE_KM` and the partner's other
  candidates within twice that;
* echoes (:mod:`trucewatch.fusion.echoes`) are the same array within
  :data:`~trucewatch.fusion.echoes.ECHO_WINDOW_S`: same anchor, seconds apart.

The one global step, the ``array_alone`` feature (the share of *all* of an array's
incidents of a UTC day that it heard alone), is recomputed at the merge from every
cell's counts (:func:`merge_cells`), and with it the confidence and status of the
incidents one array heard alone.

**Ownership.** An incident belongs to the cell holding the anchor and start of its first
anchored observation (in :func:`trucewatch.fusion.engine.observation_order`): the
cell that owns its core. Each cell keeps only the incidents it owns (a cell that saw an
incident whole in its halo drops its copy; one cut off at the halo's edge is never
owned, being far from that cell's core), and the unresolved observations it owns.
:func:`merge_cells` checks that no observation ended in two kept incidents (a seam
conflict: a halo too narrow for the workload) and reports the count.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from trucewatch.associate import Gates
from trucewatch.fusion.calibration import FEATURES, Calibration, shipped
from trucewatch.fusion.context import ACTIVITY_KM, ACTIVITY_S
from trucewatch.fusion.coverage import ALIVE_WINDOW_S
from trucewatch.fusion.engine import FusionResult, incident_status, observation_order, utc_day
from trucewatch.fusion.pairing import PAIR_RANGE_KM, PAIR_WINDOW_S
from trucewatch.geo.projection import to_local_km
from trucewatch.kinds import SOURCE_KINDS
from trucewatch.localize.measurements import extract
from trucewatch.types import BearingRangeLocation, Incident, Observation, PointLocation

__all__ = [
    "Cell", "CellResult", "MergedResult", "PartitionPlan", "anchors", "cell_result",
    "front_axis", "halo_for", "merge_cells", "split", "windows_of",
]  # fmt: skip

DAY_S = 86400.0
WEDGE_REACH_KM = 30.0
"""Farthest (km) an observation is located from its anchor: a bearing's wedge reaches a
listener's range of the loudest fire (``DEFAULT_DISTANCE_KM`` of artillery)."""
CHAIN_MARGIN_S = 3600.0
"""Time (s) an incident's observations may chain past its first one (windows within the
association's time tolerance, one after another, in a long exchange of fire)."""


def halo_for(gates: Gates | None = None) -> tuple[float, float]:
    """The halo (km, s) that makes a cell's owned incidents those of one whole fusion:
    the widest reach of the engine's non-local steps from an incident's first observation
    (module docstring), with the association's chaining on top.

    Space: pairing's twice :data:`PAIR_RANGE_KM` (the partner's competing candidates) plus
    the anchor-to-location reach of both ends (:data:`WEDGE_REACH_KM`) and one gated pair
    (``max_gate_km``) of chaining. Time: the arrays' 6 h of being alive
    (:data:`ALIVE_WINDOW_S`) plus the chaining margin (:data:`CHAIN_MARGIN_S`) and two
    association tolerances."""
    g = gates or Gates()
    km = max(2 * PAIR_RANGE_KM[1], ACTIVITY_KM, g.max_gate_km) + 2 * WEDGE_REACH_KM + g.max_gate_km
    s = max(ALIVE_WINDOW_S, ACTIVITY_S, 2 * PAIR_WINDOW_S) + CHAIN_MARGIN_S + 2 * g.time_tolerance_s
    return float(km), float(s)


def front_axis(line_lonlat: NDArray[np.float64] | None) -> tuple[float, float]:
    """Unit vector (local plane, km) of the front's main axis: the first principal axis of
    the contact line's vertices (``(n, 2)`` WGS84 lon, lat degrees), pointing east (or
    north when exactly north-south); (1, 0) when no line is given."""
    if line_lonlat is None or len(line_lonlat) < 2:
        return (1.0, 0.0)
    x, y = to_local_km(line_lonlat[:, 0], line_lonlat[:, 1])
    xy = np.column_stack([x, y])
    _, _, vt = np.linalg.svd(xy - xy.mean(axis=0), full_matrices=False)
    ax = vt[0] / np.linalg.norm(vt[0])
    if ax[0] < 0 or (ax[0] == 0 and ax[1] < 0):
        ax = -ax
    return (round(float(ax[0]), 9), round(float(ax[1]), 9))


@dataclass(frozen=True)
class Cell:
    """One partition: time window ``window`` (index from the UTC epoch) and band ``band``
    (index along the front's axis, may be negative)."""

    window: int
    band: int


@dataclass(frozen=True)
class PartitionPlan:
    """How a workload is cut (module docstring). Times UTC epoch seconds, distances km on
    the local plane (:data:`trucewatch.geo.projection.LOCAL_CRS`)."""

    window_s: float = DAY_S
    band_km: float = 400.0
    halo_km: float = field(default_factory=lambda: halo_for()[0])
    halo_s: float = field(default_factory=lambda: halo_for()[1])
    axis: tuple[float, float] = (1.0, 0.0)

    def __post_init__(self) -> None:
        if not (self.window_s > 0 and self.band_km > 0 and self.halo_km >= 0
                and self.halo_s >= 0):  # fmt: skip
            raise ValueError("partition plan: window_s and band_km must be > 0, halos >= 0")

    def window_of(self, t_s: float) -> int:
        return math.floor(t_s / self.window_s)

    def window_bounds(self, window: int) -> tuple[float, float]:
        """[start, end) of a window's core (UTC epoch s)."""
        return window * self.window_s, (window + 1) * self.window_s

    def along(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Position (km) along the front's axis of local-plane points ``(n, 2)``."""
        return np.asarray(xy @ np.asarray(self.axis), dtype=float)

    def core_band(self, u: NDArray[np.float64]) -> NDArray[np.int64]:
        return np.floor(u / self.band_km).astype(np.int64)

    def bands_reached(self, u: float) -> range:
        """The bands whose core or halo holds position ``u`` (km along the axis)."""
        return range(math.floor((u - self.halo_km) / self.band_km),
                     math.floor((u + self.halo_km) / self.band_km) + 1)  # fmt: skip

    def windows_reached(self, t_s: float) -> range:
        return range(math.floor((t_s - self.halo_s) / self.window_s),
                     math.floor((t_s + self.halo_s) / self.window_s) + 1)  # fmt: skip

    def read_bounds(self, window: int) -> tuple[float, float]:
        """[start, end) of the observations a window's cells need (core and halo)."""
        t0, t1 = self.window_bounds(window)
        return t0 - self.halo_s, t1 + self.halo_s


def anchors(observations: Sequence[Observation]) -> NDArray[np.float64]:
    """``(n, 2)`` anchor of each observation (local plane, km; NaN when it has none): its
    point, its observer's point, or where localization places it (module docstring)."""
    lon = np.full(len(observations), np.nan)
    lat = np.full(len(observations), np.nan)
    rest = []
    for i, o in enumerate(observations):
        loc = o.location
        if isinstance(loc, BearingRangeLocation) and isinstance(loc.observer, PointLocation):
            loc = loc.observer
        if isinstance(loc, PointLocation):
            lon[i], lat[i] = loc.lon, loc.lat
        else:
            rest.append(i)
    x, y = to_local_km(lon, lat)
    xy = np.column_stack([x, y])
    if rest:
        m = extract([observations[i] for i in rest])
        xy[rest] = np.where(m.ok[:, None], m.mean_xy, np.nan)
    return xy


def split(observations: Sequence[Observation], plan: PartitionPlan, window: int
          ) -> tuple[dict[Cell, list[Observation]], dict[str, Cell]]:  # fmt: skip
    """The observations of each cell of ``window`` (core and halo; ``observations``: all
    those starting within :meth:`PartitionPlan.read_bounds`), and the owning cell of each
    observation of the window's core (unplaceable ones: the window's lowest band)."""
    xy = anchors(observations)
    u = plan.along(np.nan_to_num(xy, nan=0.0))
    placed: list[bool] = (np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1])).tolist()
    t = np.fromiter((o.time_start.timestamp() for o in observations), dtype=float,
                    count=len(observations))  # fmt: skip
    in_core = np.floor(t / plan.window_s).astype(np.int64) == window
    cells: dict[Cell, list[Observation]] = {}
    core_band = plan.core_band(u)
    for i in np.flatnonzero(placed).tolist():
        for b in plan.bands_reached(float(u[i])):
            cells.setdefault(Cell(window, b), []).append(observations[i])
    lowest = min((c.band for c in cells), default=0)
    owner: dict[str, Cell] = {}
    for i in np.flatnonzero(in_core).tolist():
        o = observations[i]
        if placed[i]:
            owner[o.uid] = Cell(window, int(core_band[i]))
        else:
            owner[o.uid] = Cell(window, lowest)
            cells.setdefault(owner[o.uid], []).append(o)
    return cells, owner


@dataclass(frozen=True)
class CellResult:
    """What one cell hands back: the incidents it owns (with their feature rows), its owned
    unresolved observations ``(uid, reason, start epoch s)``, and per owned incident the
    facts the merge needs for ``array_alone``: its independent sources and the array
    sources among them."""

    cell: Cell
    incidents: list[Incident]
    features: NDArray[np.float64]
    unresolved: list[tuple[str, str, float]]
    sources: list[int]
    arrays: list[tuple[str, ...]]
    observations: int = 0
    """Observations fused in the cell (core and halo)."""


def _source_key(o: Observation) -> str:
    return f"{o.source_kind}:{o.source_id}"


def cell_result(cell: Cell, observations: Sequence[Observation], result: FusionResult,
                plan: PartitionPlan) -> CellResult:  # fmt: skip
    """Keep from one cell's fusion what the cell owns (module docstring)."""
    by_uid = {o.uid: o for o in observations}
    xy = anchors(observations)
    placed: list[bool] = (np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1])).tolist()
    band = plan.core_band(plan.along(np.nan_to_num(xy, nan=0.0)))
    home = {o.uid: (plan.window_of(o.time_start.timestamp()), int(band[i]))
            for i, o in enumerate(observations) if placed[i]}  # fmt: skip
    mine = (cell.window, cell.band)
    kept, rows, sources, arrays = [], [], [], []
    for k, inc in enumerate(result.incidents):
        members = sorted((by_uid[u] for u in inc.observation_uids), key=observation_order)
        first = next((home[o.uid] for o in members if o.uid in home), None)
        if first != mine:
            continue
        keys = {_source_key(o): SOURCE_KINDS[o.source_kind].negative_evidence for o in members}
        kept.append(inc)
        rows.append(k)
        sources.append(len(keys))
        arrays.append(tuple(sorted(key for key, is_array in keys.items() if is_array)))
    features = (result.features[rows] if result.features is not None
                else np.zeros((len(rows), len(FEATURES))))  # fmt: skip
    unresolved = []
    for uid, why in result.unresolved:
        o = by_uid[uid]
        t = o.time_start.timestamp()
        owner = home.get(uid, mine)  # an unplaceable one was sent to its owner only
        if owner == mine and plan.window_of(t) == cell.window:
            unresolved.append((uid, why, t))
    return CellResult(cell, kept, features, unresolved, sources, arrays, len(observations))


@dataclass(frozen=True)
class MergedResult:
    """The merged fusion and what the seams did."""

    result: FusionResult
    duplicates_dropped: int
    """Incidents kept by more than one cell, identical, kept once (should be 0)."""
    seam_conflicts: int
    """Observations in two different kept incidents (0 unless a halo is too narrow)."""


def _array_day(key: str, inc: Incident) -> tuple[str, int]:
    """An array's source key and the UTC day of an incident's start (days since 1970)."""
    return key, int(utc_day(inc.time_start.timestamp()))


def _array_alone(results: Sequence[CellResult]) -> dict[tuple[str, int], float]:
    """Per array source key and UTC day: the log-odds ``array_alone`` of the engine
    (:func:`trucewatch.fusion.engine._array_alone_log_odds`) over every cell's incidents."""
    total: Counter[tuple[str, int]] = Counter()
    lone: Counter[tuple[str, int]] = Counter()
    for r in results:
        for inc, n, keys in zip(r.incidents, r.sources, r.arrays, strict=True):
            for key in keys:
                total[_array_day(key, inc)] += 1
                lone[_array_day(key, inc)] += n == 1
    return {key: float(np.log((lone[key] + 1.0) / (total[key] - lone[key] + 1.0)))
            for key in total}  # fmt: skip


def merge_cells(results: Sequence[CellResult], calibration: Calibration | None = None
                ) -> MergedResult:  # fmt: skip
    """One fusion result from the cells' results: incidents in (time_start, uid) order
    with the global ``array_alone`` feature and the confidence and status it gives (the
    incidents one array heard alone), unresolved observations in observation order.
    Deterministic: the same cells in any order give the same result."""
    cal = calibration or shipped()
    ordered = sorted(results, key=lambda r: (r.cell.window, r.cell.band))
    alone = _array_alone(ordered)
    col_alone, col_neg = FEATURES.index("array_alone"), FEATURES.index("negative")
    seen: dict[str, Incident] = {}
    rows: list[NDArray[np.float64]] = []
    claimed: dict[str, str] = {}
    duplicates = conflicts = 0
    for r in ordered:
        for inc, x, n, keys in zip(r.incidents, r.features, r.sources, r.arrays, strict=True):
            if inc.uid in seen:
                duplicates += 1
                continue
            for uid in inc.observation_uids:
                if claimed.setdefault(uid, inc.uid) != inc.uid:
                    conflicts += 1
            x = x.copy()
            if n == 1 and len(keys) == 1:
                x[col_alone] = alone[_array_day(keys[0], inc)]
                c = round(float(cal.predict(x[None, :])[0]), 4)
                inc = replace(inc, confidence=c,
                              status=incident_status(c, float(x[col_neg]), n))  # fmt: skip
            seen[inc.uid] = inc
            rows.append(x)
    incidents = list(seen.values())
    order = sorted(range(len(rows)), key=lambda k: (incidents[k].time_start, incidents[k].uid))
    unresolved = sorted((u for r in ordered for u in r.unresolved), key=lambda u: (u[2], u[0]))
    features = np.array([rows[k] for k in order]) if rows else np.zeros((0, len(FEATURES)))
    return MergedResult(
        FusionResult(incidents=[incidents[k] for k in order],
                     unresolved=[(uid, why) for uid, why, _ in unresolved], features=features),
        duplicates, conflicts,
    )  # fmt: skip


def windows_of(t0_s: float, t1_s: float, plan: PartitionPlan) -> Iterator[int]:
    """The windows whose cores meet [t0_s, t1_s) (UTC epoch s)."""
    yield from range(plan.window_of(t0_s), plan.window_of(np.nextafter(t1_s, -np.inf)) + 1)

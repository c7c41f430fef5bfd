"""Incremental fusion: incidents that update as observations arrive.

Association only ever merges observations joined by a gated pair
(:mod:`trucewatch.associate`), so the incidents of one *component* of the gated-pair graph
depend on that component's observations alone. :class:`IncrementalFusion` keeps every
observation's measurements and a union-find of the components. For each micro-batch of new
observations it:

1. extracts their measurements (:mod:`trucewatch.localize.measurements`);
2. finds their gated pairs against the observations whose activity windows come within the
   time tolerance of theirs (a vectorized mask, then the same KD-tree candidate search and
   gates as a batch);
3. unites the components they touch, and re-fuses only those components with the batch
   code (:func:`trucewatch.fusion.fuse_measured`), replacing their incidents.

The clusters, locations, times, kinds and counts are thus exactly those of a batch fusion
of the same observations, whatever order they arrive in. Four inputs are not local: the
negative evidence of silent arrays (:mod:`trucewatch.fusion.coverage`) uses the arrays'
reports within six hours either side, the ``activity`` feature of the confidence
(:mod:`trucewatch.fusion.context`) counts corroborated incidents around a lone one, the
``array_alone`` feature counts an array's incidents of the same UTC day, and
attribution weighs the other end of a firing (:mod:`trucewatch.fusion.pairing`), so an
incident's confidence and attribution can still change when later reports of *other*
events arrive; :meth:`IncrementalFusion.refresh` recomputes every component (after it, the
incidents equal the batch result exactly).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

from trucewatch.associate import Context, Gates, gated_pairs
from trucewatch.fusion.calibration import Calibration, shipped
from trucewatch.fusion.coverage import Network
from trucewatch.fusion.engine import (
    array_mask,
    fuse_measured,
    observation_context,
    observation_order,
)
from trucewatch.gc import gc_paused
from trucewatch.geo.history import ContextLookup
from trucewatch.localize.measurements import Measurements, extract
from trucewatch.types import Incident, Observation

_ARRAY_FIELDS = tuple(f.name for f in fields(Measurements) if f.name != "reasons")


class _Columns:
    """Growable column store of :class:`Measurements` and :class:`Context` rows."""

    def __init__(self) -> None:
        self.n = 0
        self._m: dict[str, NDArray] = {}
        self._c: dict[str, NDArray] = {}
        self.reasons: dict[int, str] = {}

    def _grow(self, store: dict[str, NDArray], name: str, values: NDArray) -> None:
        cur = store.get(name)
        need = self.n + len(values)
        if cur is None or cur.shape[0] < need:
            cap = max(1024, 2 * need)
            new = np.empty((cap, *values.shape[1:]), dtype=values.dtype)
            if cur is not None:
                new[: self.n] = cur[: self.n]
            store[name] = cur = new
        cur[self.n : need] = values

    def append(self, m: Measurements, ctx: Context) -> None:
        for name in _ARRAY_FIELDS:
            self._grow(self._m, name, getattr(m, name))
        for name in ("source", "exclusive", "flow_sign"):
            self._grow(self._c, name, getattr(ctx, name))
        self.reasons.update({self.n + i: r for i, r in m.reasons.items()})
        self.n += len(m)

    def measurements(self, idx: NDArray[np.int64]) -> Measurements:
        pos = {int(g): k for k, g in enumerate(idx)}
        return Measurements(
            reasons={pos[g]: r for g, r in self.reasons.items() if g in pos},
            **{name: self._m[name][idx] for name in _ARRAY_FIELDS},
        )

    def context(self, idx: NDArray[np.int64]) -> Context:
        return Context(**{name: self._c[name][idx] for name in ("source", "exclusive",
                                                                "flow_sign")})  # fmt: skip

    def column(self, name: str) -> NDArray:
        """A measurement column over every row so far."""
        return self._m[name][: self.n]

    def context_column(self, name: str) -> NDArray:
        """A context column (``source``, ``exclusive``, ``flow_sign``) over every row."""
        return self._c[name][: self.n]


@dataclass
class StreamUpdate:
    """What one :meth:`IncrementalFusion.add` changed: incidents created or replaced (their
    new versions) and the uids of incidents that no longer exist."""

    incidents: list[Incident] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    observations: int = 0


class IncrementalFusion:
    """Fusion that updates incidents as observations arrive (see the module docstring)."""

    def __init__(self, lookup: ContextLookup | None = None, gates: Gates | None = None,
                 calibration: Calibration | None = None) -> None:  # fmt: skip
        self.lookup = lookup
        self.gates = gates or Gates()
        self.calibration = calibration or shipped()
        self._obs: list[Observation] = []
        self._index: dict[str, int] = {}
        self._cols = _Columns()
        self._codes: dict[str, int] = {}
        self._parent: list[int] = []
        self._members: dict[int, list[int]] = {}
        self._incidents: dict[int, list[Incident]] = {}
        self._array_xy: dict[int, NDArray[np.float64]] = {}
        self._network = Network(xy=np.empty((0, 2)), code=np.empty(0, dtype=np.int64),
                                report_key=np.empty(0))  # fmt: skip

    # ---------------------------------------------------------------- union-find

    def _find(self, a: int) -> int:
        parent = self._parent
        root = a
        while parent[root] != root:
            root = parent[root]
        while parent[a] != root:
            parent[a], a = root, parent[a]
        return root

    def _union(self, a: int, b: int, retired: list[str]) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra].extend(self._members.pop(rb))
        retired.extend(i.uid for i in self._incidents.pop(rb, []))

    # ---------------------------------------------------------------- arrays

    def _update_network(self, start: int, new: Sequence[Observation]) -> None:
        is_array = array_mask(new)
        if not is_array.any():
            return
        idx = start + np.flatnonzero(is_array)
        arrival = self._cols.column("arrival_s")[idx]
        observer = self._cols.column("observer_xy")[idx]
        source = self._cols.context_column("source")[idx]
        good = np.isfinite(arrival) & np.isfinite(observer[:, 0])
        for code, xy in zip(source[good].tolist(), observer[good], strict=True):
            self._array_xy.setdefault(int(code), xy)
        net = self._network
        if len(self._array_xy) != net.code.size:  # new arrays: rebuild positions
            codes = np.array(sorted(self._array_xy), dtype=np.int64)
            xy = np.array([self._array_xy[c] for c in codes.tolist()])
            net = Network(xy=xy, code=codes, report_key=net.report_key)
        self._network = net.with_reports(source[good], arrival[good])

    def network(self) -> Network:
        """The arrays seen so far and when they reported (for negative evidence)."""
        return self._network

    # ---------------------------------------------------------------- public

    def add(self, observations: Iterable[Observation]) -> StreamUpdate:
        """Take a micro-batch of observations (already seen uids are ignored) and re-fuse
        the components they join."""
        with gc_paused():
            return self._add(observations)

    def _add(self, observations: Iterable[Observation]) -> StreamUpdate:
        new = sorted({o.uid: o for o in observations if o.uid not in self._index}.values(),
                     key=observation_order)
        update = StreamUpdate(observations=len(new))
        if not new:
            return update
        start = self._cols.n
        m_new = extract(new)
        self._cols.append(m_new, observation_context(new, self._codes))
        for o in new:
            self._index[o.uid] = len(self._obs)
            self._obs.append(o)
        for g in range(start, self._cols.n):
            self._parent.append(g)
            self._members[g] = [g]
        self._update_network(start, new)
        self._link(start, update.retired)
        roots = sorted({self._find(g) for g in range(start, self._cols.n)})
        for root in roots:
            update.retired.extend(i.uid for i in self._incidents.pop(root, []))
        update.incidents.extend(self._fuse_components(roots))
        fresh = {i.uid for i in update.incidents}
        update.retired = sorted(set(update.retired) - fresh)
        return update

    def _link(self, start: int, retired: list[str]) -> None:
        """Gated pairs of the new rows (from ``start``) with everything near them in time."""
        ok = self._cols.column("ok")
        lo, hi = self._cols.column("window_lo"), self._cols.column("window_hi")
        tol = self.gates.time_tolerance_s
        new_lo, new_hi = float(lo[start:].min()), float(hi[start:].max())
        near = np.flatnonzero(ok[:start] & (lo[:start] <= new_hi + tol)
                              & (hi[:start] >= new_lo - tol))  # fmt: skip
        new_rows = start + np.flatnonzero(ok[start:])
        local = np.concatenate([near, new_rows]).astype(np.int64)
        if local.size < 2 or new_rows.size == 0:
            return
        m = self._cols.measurements(local)
        ctx = self._cols.context(local)
        rows = np.arange(local.size)
        kept, _ = gated_pairs(
            m, rows, ctx, self.gates,
            select=lambda p: (local[p[:, 0]] >= start) | (local[p[:, 1]] >= start),
        )
        for a, b in local[kept].tolist():
            self._union(a, b, retired)

    def _fuse_components(self, roots: Sequence[int]) -> list[Incident]:
        """Re-fuse the given components in one call (clusters never cross components, so
        this equals fusing each alone) and file the incidents under their roots."""
        members = sorted((g for root in roots for g in self._members[root]),
                         key=lambda g: observation_order(self._obs[g]))  # fmt: skip
        if not members:
            return []
        idx = np.asarray(members, dtype=np.int64)
        result = fuse_measured(
            [self._obs[g] for g in members], self._cols.measurements(idx),
            self._cols.context(idx), self.lookup, self.gates, self.calibration,
            self.network(),
        )
        for root in roots:
            self._incidents[root] = []
        for inc in result.incidents:
            self._incidents[self._find(self._index[inc.observation_uids[0]])].append(inc)
        return result.incidents

    def refresh(self) -> StreamUpdate:
        """Re-fuse every component (the negative evidence then reflects every array report
        received); afterwards :meth:`incidents` equals a batch fusion."""
        with gc_paused():
            old = {i.uid: i for group in self._incidents.values() for i in group}
            fused = self._fuse_components(sorted(self._members))
            update = StreamUpdate(incidents=[i for i in fused if old.get(i.uid) != i])
            update.retired = sorted(set(old) - {i.uid for i in fused})
            return update

    def incidents(self) -> list[Incident]:
        """The current incidents, ordered by start time then uid."""
        out = [i for group in self._incidents.values() for i in group]
        out.sort(key=lambda i: (i.time_start, i.uid))
        return out

    def observations(self) -> list[Observation]:
        """Every observation taken so far, in arrival order."""
        return list(self._obs)

    def __len__(self) -> int:
        return len(self._obs)

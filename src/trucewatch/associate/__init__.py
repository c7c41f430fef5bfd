"""Association: which observations describe the same event (one source of sound, flash or
fire) or the same episode of fire.

1. **Candidate pairs** from a KD-tree on the local plane (km) and the *onset* time (when
   the event began, :mod:`trucewatch.localize.measurements`), with the Chebyshev metric:
   sharp-onset reports (cameras, acoustic arrays, patrols) pair within a few minutes;
   reports that give only a window (satellite passes, complaints, places) pair with
   everything whose window overlaps theirs.
2. **Gates** on each pair: onset intervals and activity windows overlap; a launch and an
   impact are not the same event (sensor signature); two observers standing within
   :data:`SAME_POST_KM` of each other who disagree on incoming vs outgoing heard different
   fire; two acoustic arrays' arrival times differ by no more than the sound's travel time
   between them (time difference of arrival); the squared Mahalanobis distance of the two
   Gaussian summaries is below the 99.9% chi-square quantile (2 degrees of freedom).
3. **Constrained agglomeration**: pairs are taken best first (smallest Mahalanobis
   distance) and two clusters merge only if (a) no directional sensor (array, camera,
   patrol team) would appear twice: a sensor reports an event once, so two of its reports
   are two events; (b) their onset intervals still intersect; (c) the signatures agree;
   (d) the merged cluster is consistent: the chi-square of all members about their fused
   mean stays below the 99.9% quantile for ``2 (n - 1)`` degrees of freedom. Connected
   components of the gated pairs (the first fusion) chain neighbouring events of a burst
   into one; these constraints stop the chain.

Each resulting cluster is one incident. Clustering depends only on the observations of
one connected component of the gated pairs, so re-fusing the component an observation
joins gives the same result as re-fusing everything (streaming, see
:mod:`trucewatch.fusion`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from scipy.stats import chi2

from trucewatch.localize.measurements import Measurements

CHI2_2DOF_999 = 13.8155
"""99.9% quantile of the chi-square distribution with 2 degrees of freedom."""
GATE_CHUNK = 1_000_000
"""Candidate pairs gated at a time (bounds memory: ~200 bytes per pair)."""
SAME_POST_KM = 3.0
"""Observers closer than this stand on the same side of the line (for the flow gate)."""
SHARP_ONSET_S = 900.0
"""Observations whose onset interval is at most this wide (s) pair through the fast index."""


@dataclass(frozen=True, kw_only=True)
class Gates:
    """Association gates. ``time_tolerance_s``: seconds by which two activity windows may
    miss each other; ``onset_tolerance_s``: the same for onset intervals; ``max_gate_km``:
    no pair further apart than this (km); ``mahalanobis2``: the pair gate (squared
    Mahalanobis distance)."""

    time_tolerance_s: float = 900.0
    onset_tolerance_s: float = 2.0
    max_gate_km: float = 25.0
    mahalanobis2: float = CHI2_2DOF_999


@dataclass(frozen=True, eq=False)
class Context:
    """Per-observation facts association needs besides the measurements: the source key
    (kind:id), whether that source reports an event at most once (directional sensors),
    and the flow sign (+1 incoming, -1 outgoing, 0 unknown)."""

    source: NDArray[np.int64]
    exclusive: NDArray[np.bool_]
    flow_sign: NDArray[np.int8]


ONSET_CLASSES_S = (10.0, 150.0, SHARP_ONSET_S)
"""Upper bounds (s) of the onset-interval widths that split observations into classes
(frame-timed cameras, arrival-timed arrays, reports with a start minute); wider ones pair
by their activity windows."""


def _spatial_radius(cov: NDArray[np.float64], gates: Gates) -> float:
    largest = float(np.nanmax(np.linalg.eigvalsh(cov)[:, 1])) if len(cov) else 0.0
    return max(1e-6, min(gates.max_gate_km, float(np.sqrt(gates.mahalanobis2 * 2.0 * largest))))


def _class_pairs(xy: NDArray[np.float64], cov: NDArray[np.float64], lo: NDArray[np.float64],
                 hi: NDArray[np.float64], a: NDArray[np.int64], b: NDArray[np.int64],
                 tolerance_s: float, gates: Gates) -> NDArray[np.int64]:  # fmt: skip
    """Pairs between index sets ``a`` and ``b`` (the same set: pairs within it) whose
    positions lie within the spatial gate radius and whose intervals ``[lo, hi]`` come
    within ``tolerance_s``: a KD-tree on (x, y, scaled mid-time), Chebyshev metric."""
    same = a is b
    radius = _spatial_radius(cov[a] if same else np.concatenate([cov[a], cov[b]]), gates)
    half = (hi - lo) / 2.0
    t_radius = float(half[a].max() + half[b].max()) + tolerance_s + 1.0
    scale = radius / t_radius

    def points(idx: NDArray[np.int64]) -> NDArray[np.float64]:
        return np.column_stack([xy[idx], (lo[idx] + half[idx]) * scale])

    tree_a = cKDTree(points(a))
    if same:
        p = tree_a.query_pairs(radius, p=np.inf, output_type="ndarray")
        return np.column_stack([a[p[:, 0]], a[p[:, 1]]])
    hits = tree_a.sparse_distance_matrix(cKDTree(points(b)), radius, p=np.inf,
                                         output_type="ndarray")  # fmt: skip
    return np.column_stack([a[hits["i"]], b[hits["j"]]])


def iter_candidate_pairs(m: Measurements, rows: NDArray[np.int64], gates: Gates
                         ) -> Iterator[NDArray[np.int64]]:  # fmt: skip
    """Pairs (positions in ``rows``, i < j) close enough in space and time to be gated,
    one array per pair of classes.

    Observations are split into classes by the width of their onset interval
    (:data:`ONSET_CLASSES_S`); each pair of classes gets its own KD-tree query, with the
    time radius of the two widest intervals and the spatial radius of the largest
    uncertainty in the two classes (the sharp classes are not slowed by the loose ones).
    Pairs involving the loosest class compare activity windows instead of onsets.
    """
    if rows.size < 2:
        return
    xy, cov = m.mean_xy[rows], m.cov[rows]
    width = m.onset_hi[rows] - m.onset_lo[rows]
    cls = np.searchsorted(np.asarray(ONSET_CLASSES_S), width, side="left")
    groups = [np.flatnonzero(cls == c) for c in range(len(ONSET_CLASSES_S) + 1)]
    loose = len(ONSET_CLASSES_S)
    for ca, a in enumerate(groups):
        for cb in range(ca, len(groups)):
            b = groups[cb] if cb != ca else a
            if a.size == 0 or b.size == 0 or (a is b and a.size < 2):
                continue
            if loose in (ca, cb):
                lo, hi, tol = m.window_lo[rows], m.window_hi[rows], gates.time_tolerance_s
            else:
                lo, hi, tol = m.onset_lo[rows], m.onset_hi[rows], gates.onset_tolerance_s
            pairs = _class_pairs(xy, cov, lo, hi, a, b, tol, gates).astype(np.int64)
            pairs.sort(axis=1)
            yield pairs


def candidate_pairs(m: Measurements, rows: NDArray[np.int64], gates: Gates) -> NDArray[np.int64]:
    """All candidate pairs at once (see :func:`iter_candidate_pairs`)."""
    out = list(iter_candidate_pairs(m, rows, gates))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def gated_pairs(m: Measurements, rows: NDArray[np.int64], ctx: Context, gates: Gates,
                select: Callable[[NDArray[np.int64]], NDArray[np.bool_]] | None = None
                ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """The gated pairs and their squared Mahalanobis distances, gating each class pair's
    candidates :data:`GATE_CHUNK` at a time as they are found (memory: the gated pairs,
    not every candidate). ``select``: keep only candidates it marks (before gating)."""
    kept: list[NDArray[np.int64]] = []
    scores: list[NDArray[np.float64]] = []
    for pairs in iter_candidate_pairs(m, rows, gates):
        if select is not None:
            pairs = pairs[select(pairs)]
        for k in range(0, len(pairs), GATE_CHUNK):
            p, s = gate_pairs(pairs[k : k + GATE_CHUNK], m, rows, ctx, gates)
            kept.append(p)
            scores.append(s)
    if not kept:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    return np.concatenate(kept), np.concatenate(scores)


def gate_pairs(pairs: NDArray[np.int64], m: Measurements, rows: NDArray[np.int64],
               ctx: Context, gates: Gates
               ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """The pairs (positions in ``rows``) that pass every pair gate, and their squared
    Mahalanobis distances."""
    if len(pairs) == 0:
        return pairs, np.empty(0)
    i, j = rows[pairs[:, 0]], rows[pairs[:, 1]]
    tol, otol = gates.time_tolerance_s, gates.onset_tolerance_s
    ok = (m.window_lo[i] <= m.window_hi[j] + tol) & (m.window_lo[j] <= m.window_hi[i] + tol)
    ok &= (m.onset_lo[i] <= m.onset_hi[j] + otol) & (m.onset_lo[j] <= m.onset_hi[i] + otol)
    ok &= m.signature[i].astype(int) * m.signature[j] >= 0
    si, sj = ctx.source[i], ctx.source[j]
    ok &= ~((si == sj) & ctx.exclusive[i])
    post = np.hypot(*(m.observer_xy[i] - m.observer_xy[j]).T)
    opposed = ctx.flow_sign[i].astype(int) * ctx.flow_sign[j] < 0
    ok &= ~(opposed & (post < SAME_POST_KM))
    both_timed = np.isfinite(m.arrival_s[i]) & np.isfinite(m.arrival_s[j])
    tdoa_limit = (np.nan_to_num(post) / np.minimum(m.speed_km_s[i], m.speed_km_s[j])
                  + 3.0 * np.hypot(np.nan_to_num(m.arrival_sigma_s[i]),
                                   np.nan_to_num(m.arrival_sigma_s[j])) + 0.1)  # fmt: skip
    ok &= ~both_timed | (np.abs(m.arrival_s[i] - m.arrival_s[j]) <= tdoa_limit)
    d = m.mean_xy[i] - m.mean_xy[j]
    s = m.cov[i] + m.cov[j]
    det = s[:, 0, 0] * s[:, 1, 1] - s[:, 0, 1] * s[:, 1, 0]
    m2 = (s[:, 1, 1] * d[:, 0] ** 2 - 2 * s[:, 0, 1] * d[:, 0] * d[:, 1]
          + s[:, 0, 0] * d[:, 1] ** 2) / det  # fmt: skip
    ok &= (np.hypot(d[:, 0], d[:, 1]) <= gates.max_gate_km) & (m2 <= gates.mahalanobis2)
    return pairs[ok], m2[ok]


def thresholds(n: int) -> NDArray[np.float64]:
    """99.9% chi-square quantiles for clusters of 0..n members (``2 (size - 1)`` degrees
    of freedom; sizes 0 and 1 never need one). Sizes above :data:`MAX_TABULATED` use the
    last value's degrees of freedom (such clusters cannot arise from directional sensors)."""
    sizes = np.arange(min(n, MAX_TABULATED) + 1)
    return chi2.ppf(0.999, np.maximum(2 * (sizes - 1), 1)).astype(np.float64)


MAX_TABULATED = 10_000


@njit(cache=True)
def _find(parent: NDArray[np.int64], a: int) -> int:
    root = a
    while parent[root] != root:
        root = parent[root]
    while parent[a] != root:
        nxt = parent[a]
        parent[a] = root
        a = nxt
    return root


@njit(cache=True)
def _agglomerate_kernel(pa: NDArray[np.int64], pb: NDArray[np.int64], i00: NDArray[np.float64],
                        i01: NDArray[np.float64], i11: NDArray[np.float64],
                        b0: NDArray[np.float64], b1: NDArray[np.float64],
                        ss: NDArray[np.float64], lo: NDArray[np.float64],
                        hi: NDArray[np.float64], sig: NDArray[np.int64],
                        src: NDArray[np.int64], excl: NDArray[np.bool_],
                        thr: NDArray[np.float64], otol: float) -> NDArray[np.int64]:  # fmt: skip
    """Union-find over the pairs in order; per-root sums of information (``i``), of
    information-weighted positions (``b``) and of ``x' I x`` (``ss``) give each merged
    cluster's chi-square in O(1); members are kept as linked lists to check sensors.

    A numba kernel, kept whole on purpose (71 lines): the loop over millions of pairs runs
    compiled only while its state stays in local arrays, and splitting it into calls would
    pass that state around on every pair."""
    n = i00.size
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    head = np.arange(n)
    tail = np.arange(n)
    nxt = np.full(n, -1, dtype=np.int64)
    stamp = np.zeros(int(src.max()) + 1 if n else 1, dtype=np.int64)
    epoch = 0
    for e in range(pa.size):
        ra = _find(parent, pa[e])
        rb = _find(parent, pb[e])
        if ra == rb or sig[ra] * sig[rb] < 0:
            continue
        nlo = max(lo[ra], lo[rb])
        nhi = min(hi[ra], hi[rb])
        if nlo > nhi + otol:
            continue
        f00 = i00[ra] + i00[rb]
        f01 = i01[ra] + i01[rb]
        f11 = i11[ra] + i11[rb]
        g0 = b0[ra] + b0[rb]
        g1 = b1[ra] + b1[rb]
        det = f00 * f11 - f01 * f01
        if det <= 0.0:
            continue
        quad = (f11 * g0 * g0 - 2.0 * f01 * g0 * g1 + f00 * g1 * g1) / det
        total = size[ra] + size[rb]
        if ss[ra] + ss[rb] - quad > thr[min(total, thr.size - 1)]:
            continue
        # a directional sensor may not appear twice
        epoch += 1
        i = head[ra]
        while i >= 0:
            if excl[i]:
                stamp[src[i]] = epoch
            i = nxt[i]
        clash = False
        j = head[rb]
        while j >= 0:
            if excl[j] and stamp[src[j]] == epoch:
                clash = True
                break
            j = nxt[j]
        if clash:
            continue
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        nxt[tail[ra]] = head[rb]
        tail[ra] = tail[rb]
        size[ra] = total
        i00[ra], i01[ra], i11[ra], b0[ra], b1[ra] = f00, f01, f11, g0, g1
        ss[ra] += ss[rb]
        lo[ra] = nlo
        hi[ra] = max(nhi, nlo)
        if sig[ra] == 0:
            sig[ra] = sig[rb]
    roots = np.empty(n, dtype=np.int64)
    for k in range(n):
        roots[k] = _find(parent, k)
    return roots


def agglomerate(n: int, pairs: NDArray[np.int64], score: NDArray[np.float64],
                m: Measurements, rows: NDArray[np.int64], ctx: Context,
                gates: Gates) -> NDArray[np.int64]:  # fmt: skip
    """Cluster label (0..k-1, in order of first member) per row; see the module docstring.
    The merge loop is compiled with Numba (it visits every gated pair once)."""
    xy, cov = m.mean_xy[rows], m.cov[rows]
    info = np.linalg.inv(cov)
    b = np.einsum("nij,nj->ni", info, xy)
    s2 = np.einsum("ni,ni->n", xy, b)
    order = np.lexsort((pairs[:, 1], pairs[:, 0], score)) if len(pairs) else np.empty(0, int)
    ordered = pairs[order].astype(np.int64)
    def f64(v: NDArray[Any]) -> NDArray[np.float64]:
        return np.ascontiguousarray(v, dtype=np.float64)

    roots = _agglomerate_kernel(
        np.ascontiguousarray(ordered[:, 0]), np.ascontiguousarray(ordered[:, 1]),
        f64(info[:, 0, 0]), f64(info[:, 0, 1]), f64(info[:, 1, 1]), f64(b[:, 0]), f64(b[:, 1]),
        f64(s2),
        m.onset_lo[rows].astype(np.float64), m.onset_hi[rows].astype(np.float64),
        m.signature[rows].astype(np.int64), ctx.source[rows].astype(np.int64),
        ctx.exclusive[rows].astype(np.bool_), thresholds(n), float(gates.onset_tolerance_s),
    )
    _, first, labels = np.unique(roots, return_index=True, return_inverse=True)
    # relabel in order of each cluster's first member (deterministic, input-ordered)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[labels]


def cluster(m: Measurements, rows: NDArray[np.int64], ctx: Context,
            gates: Gates | None = None) -> NDArray[np.int64]:  # fmt: skip
    """Cluster label per row of ``rows`` (located observations), see the module docstring."""
    gates = gates or Gates()
    pair, score = gated_pairs(m, rows, ctx, gates)
    return agglomerate(rows.size, pair, score, m, rows, ctx, gates)

"""Association: which localized observations describe the same event or episode.

Method (first fusion): candidate pairs from a KD-tree on the local plane (km) and time, then gates
on time (windows overlap within a tolerance), flow (an incoming and an outgoing report are
not the same fire) and uncertainty (squared Mahalanobis distance of the two estimates
under their summed covariance below the 99% chi-square quantile with 2 degrees of
freedom), and finally connected components of the accepted pairs. Each component is one
incident.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

CHI2_2DOF_99 = 9.2103
"""99% quantile of the chi-square distribution with 2 degrees of freedom."""

GATE_CHUNK = 1_000_000
"""Candidate pairs gated at a time (bounds memory: ~100 bytes per pair)."""


@dataclass(frozen=True, kw_only=True)
class Gates:
    """Association gates. ``time_tolerance_s``: seconds by which two time windows may miss
    each other and still match; ``max_gate_km``: no pair further apart than this (km)."""

    time_tolerance_s: float = 900.0
    max_gate_km: float = 25.0
    mahalanobis2: float = CHI2_2DOF_99


def candidate_pairs(
    xy_km: np.ndarray,
    cov_km2: np.ndarray,
    t_start_s: np.ndarray,
    t_end_s: np.ndarray,
    gates: Gates,
) -> np.ndarray:
    """Index pairs (i < j) close enough in space and time that they might match.

    A KD-tree over (x, y, scaled mid-time) with the Chebyshev metric returns the pairs
    within a box: the spatial radius is 3.03 (sqrt of the 99% chi-square quantile) times
    the largest combined standard deviation in the batch, capped at ``max_gate_km``; the
    time radius is the longest possible distance between the mid-times of two windows
    that overlap within the tolerance. Without the time axis a month of data in one area
    would pair everything with everything.
    """
    if len(xy_km) < 2:
        return np.empty((0, 2), dtype=np.intp)
    largest_var = float(np.nanmax(np.linalg.eigvalsh(cov_km2)[:, 1]))
    radius = max(1e-6, min(gates.max_gate_km, np.sqrt(CHI2_2DOF_99 * 2.0 * largest_var)))
    half = (t_end_s - t_start_s) / 2.0
    time_radius = 2.0 * float(half.max()) + gates.time_tolerance_s + 1.0
    tau = (t_start_s + half) * (radius / time_radius)
    points = np.column_stack([xy_km, tau])
    return cKDTree(points).query_pairs(radius, p=np.inf, output_type="ndarray")


def gate_pairs(
    pairs: np.ndarray,
    xy_km: np.ndarray,
    cov_km2: np.ndarray,
    t_start_s: np.ndarray,
    t_end_s: np.ndarray,
    flow_sign: np.ndarray,
    gates: Gates,
) -> np.ndarray:
    """Keep the candidate pairs that pass the time, flow and Mahalanobis gates.

    ``t_start_s``/``t_end_s`` are UTC epoch seconds; ``flow_sign`` is +1 incoming,
    -1 outgoing, 0 undetermined or unknown.
    """
    if len(pairs) == 0:
        return pairs
    i, j = pairs[:, 0], pairs[:, 1]
    tol = gates.time_tolerance_s
    in_time = (t_start_s[i] <= t_end_s[j] + tol) & (t_start_s[j] <= t_end_s[i] + tol)
    same_flow = flow_sign[i] * flow_sign[j] >= 0
    d = xy_km[i] - xy_km[j]
    s = cov_km2[i] + cov_km2[j]
    det = s[:, 0, 0] * s[:, 1, 1] - s[:, 0, 1] * s[:, 1, 0]
    m2 = (s[:, 1, 1] * d[:, 0] ** 2 - 2 * s[:, 0, 1] * d[:, 0] * d[:, 1]
          + s[:, 0, 0] * d[:, 1] ** 2) / det  # fmt: skip
    close = np.linalg.norm(d, axis=1) <= gates.max_gate_km
    return pairs[in_time & same_flow & close & (m2 <= gates.mahalanobis2)]


def cluster(
    n: int,
    xy_km: np.ndarray,
    cov_km2: np.ndarray,
    t_start_s: np.ndarray,
    t_end_s: np.ndarray,
    flow_sign: np.ndarray,
    gates: Gates | None = None,
) -> np.ndarray:
    """Cluster label (0..k-1) per observation; observations alone get their own label."""
    gates = gates or Gates()
    pairs = candidate_pairs(xy_km, cov_km2, t_start_s, t_end_s, gates)
    kept = np.concatenate(
        [gate_pairs(pairs[k : k + GATE_CHUNK], xy_km, cov_km2, t_start_s, t_end_s, flow_sign,
                    gates)
         for k in range(0, len(pairs), GATE_CHUNK)]
        or [np.empty((0, 2), dtype=np.intp)]
    )  # fmt: skip
    graph = coo_matrix(
        (np.ones(len(kept), dtype=np.int8), (kept[:, 0], kept[:, 1])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels


def fuse_gaussians(xy_km: np.ndarray, cov_km2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Information-weighted mean and covariance of independent Gaussian estimates (km)."""
    info = np.linalg.inv(cov_km2)
    total = info.sum(axis=0)
    cov = np.linalg.inv(total)
    mean = cov @ np.einsum("nij,nj->i", info, xy_km)
    return mean, cov

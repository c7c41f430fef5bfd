"""The Economist's published war-fire thresholds, re-implemented as the peer method.

The Economist's Ukraine war-fire model (github.com/TheEconomist/the-economist-war-fire-model,
README, "Note on thresholds used to classify events") calls a fire war-related when

1. excess fire activity in its 0.1 x 0.1 degree cell on that day is so large as to have
   less than 5% probability of occurring in a normal year, and
2. such excess in this cell is registered on at least two occasions, at least 7 days
   apart; or
3. the fire takes place in a cell less than 10 days after the cell has met 1 and 2.

Read here, precisely (:func:`economist_classify`):

* **anomalous cell-day**: ``n >= 1`` detections in the cell that day and
  ``P(N >= n) < alpha`` (0.05) under the normal-year distribution of that cell and day of
  year. The normal-year distribution is the baseline of :mod:`trucewatch.thermal.baseline`
  (variant ``"all"``: no industrial mask, as in the description), negative binomial with
  the baseline's dispersion, or Poisson with ``distribution="poisson"``. (The Economist
  predicts the normal-year count with a machine-learning ensemble from covariates; sharing
  the baseline isolates the decision rule, which is what is compared.)
* **qualified cell**: the cell has two anomalous days at least ``min_separation_days``
  (7) apart within the analysed period (optionally at most ``max_separation_days``
  apart; the description sets no upper limit). Every anomalous cell-day of a qualified
  cell is war-related (rules 1 and 2; the first occasion too, in retrospect).
* **follow-on fires**: the cell "has met" the requirements on each anomalous day that
  has an earlier anomalous day at least 7 days before it, and on every anomalous day
  after the first such day; a detection in the cell 1 to ``follow_days - 1`` (9) days
  after such a day is war-related (rule 3: "less than 10 days after").

Every detection of a war-related cell-day is war-related (the description does not split
a cell-day's detections into excess and normal ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from trucewatch.thermal.stats import nb_sf, poisson_sf

__all__ = ["EconomistParams", "EconomistResult", "economist_classify"]


@dataclass(frozen=True, kw_only=True)
class EconomistParams:
    """Thresholds of the published description (defaults) and the normal-year model."""

    alpha: float = 0.05
    min_separation_days: int = 7
    max_separation_days: int | None = None
    follow_days: int = 10
    distribution: Literal["nb", "poisson"] = "nb"


@dataclass(frozen=True)
class EconomistResult:
    """Per-detection flags (arrays of the input's length) and cell-day counts.

    ``p_value`` is the normal-year probability of at least the observed count in the
    detection's cell that day; NaN outside the grid.
    """

    count: NDArray[np.int64]
    expected: NDArray[np.float64]
    p_value: NDArray[np.float64]
    anomalous: NDArray[np.bool_]
    qualified: NDArray[np.bool_]
    follow: NDArray[np.bool_]
    war: NDArray[np.bool_]
    anomalous_cell_days: int
    qualified_cells: int


def economist_classify(
    cell: NDArray[np.int64],
    day: NDArray[np.int64],
    expected_of: Callable[[NDArray[np.int64], NDArray[np.int64]], NDArray[np.float64]],
    k_of: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    params: EconomistParams | None = None,
) -> EconomistResult:
    """Apply the published thresholds to detections.

    Parameters
    ----------
    cell : ndarray of int64
        Flat 0.1-degree cell of each detection (-1: outside the grid, never war-related).
    day : ndarray of int64
        UTC day number of each detection (days since 1970-01-01).
    expected_of : callable (cells, days) -> ndarray
        Normal-year expected detections for cell-days (days as day numbers).
    k_of : callable (expected) -> ndarray
        Negative binomial size for expected rates (ignored for Poisson).
    params : EconomistParams, optional

    Returns
    -------
    EconomistResult
    """
    p = params or EconomistParams()
    n = cell.size
    ok = cell >= 0
    out_count = np.zeros(n, dtype=np.int64)
    out_exp = np.full(n, np.nan)
    out_p = np.full(n, np.nan)
    if not ok.any():
        false = np.zeros(n, dtype=bool)
        return EconomistResult(out_count, out_exp, out_p, false, false, false, false, 0, 0)
    d0 = int(day[ok].min())
    span = int(day[ok].max()) - d0 + 1
    key = cell[ok] * span + (day[ok] - d0)
    ukey, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
    ucell, uday = ukey // span, ukey % span + d0
    lam = np.asarray(expected_of(ucell, uday), dtype=np.float64)
    pval = poisson_sf(cnt, lam) if p.distribution == "poisson" else nb_sf(cnt, lam, k_of(lam))
    anom = pval < p.alpha
    a_cell, a_day = ucell[anom], uday[anom]  # sorted by cell, then day
    big = np.int64(span + p.min_separation_days + 10)
    has_earlier, cell_qualified, qualified_cells = _qualify(a_cell, a_day, d0, big, p)
    m_key = _met_keys(a_cell, a_day, has_earlier, d0, big)
    det_key = cell[ok] * big + (day[ok] - d0)
    qual_cd = np.zeros(ukey.size, dtype=bool)
    qual_cd[np.flatnonzero(anom)[cell_qualified]] = True

    out_count[ok] = cnt[inv]
    out_exp[ok] = lam[inv]
    out_p[ok] = pval[inv]
    anomalous = np.zeros(n, dtype=bool)
    anomalous[ok] = anom[inv]
    qualified = np.zeros(n, dtype=bool)
    qualified[ok] = qual_cd[inv]
    follow = np.zeros(n, dtype=bool)
    follow[ok] = _follows(det_key, cell[ok], m_key, big, p.follow_days)
    war = qualified | follow
    return EconomistResult(
        out_count, out_exp, out_p, anomalous, qualified, follow, war,
        anomalous_cell_days=int(anom.sum()), qualified_cells=int(qualified_cells.size),
    )  # fmt: skip


def _qualify(
    a_cell: NDArray[np.int64],
    a_day: NDArray[np.int64],
    d0: int,
    big: np.int64,
    p: EconomistParams,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.int64]]:
    """Qualification: pairs of anomalous days of a cell at least ``min_separation_days``
    apart. Of the anomalous cell-days (``a_cell``, ``a_day``, sorted by cell, then day):
    which have an earlier partner and which are qualified; and the qualified cells."""
    a_key = a_cell * big + (a_day - d0)
    # earliest anomalous day of the cell at or after day + min_sep
    j = np.searchsorted(a_key, a_key + p.min_separation_days)
    has_later = j < a_key.size
    jj = np.minimum(j, a_key.size - 1)
    has_later &= a_cell[jj] == a_cell
    if p.max_separation_days is not None:
        has_later &= (a_day[jj] - a_day) <= p.max_separation_days
    # latest anomalous day of the cell at or before day - min_sep
    i = np.searchsorted(a_key, a_key - p.min_separation_days, side="right") - 1
    ii = np.maximum(i, 0)
    has_earlier = (i >= 0) & (a_cell[ii] == a_cell)
    if p.max_separation_days is not None:
        has_earlier &= (a_day - a_day[ii]) <= p.max_separation_days
    in_pair = has_later | has_earlier
    qualified_cells = np.unique(a_cell[in_pair])
    # without an upper limit qualification is a property of the cell; with one, of the
    # anomalous days that have a partner within the limits
    cell_qualified = np.isin(a_cell, qualified_cells) if p.max_separation_days is None else in_pair
    return has_earlier, cell_qualified, qualified_cells


def _met_keys(
    a_cell: NDArray[np.int64],
    a_day: NDArray[np.int64],
    has_earlier: NDArray[np.bool_],
    d0: int,
    big: np.int64,
) -> NDArray[np.int64]:
    """Keys (``cell * big + day - d0``, sorted) of the days on which each qualified cell
    "has met" the requirements: from the first anomalous day with an earlier partner on,
    every anomalous day."""
    first_met = np.full(a_cell.size, np.iinfo(np.int64).max)
    met_idx = np.flatnonzero(has_earlier)
    if met_idx.size:
        cells_met, first_pos = np.unique(a_cell[met_idx], return_index=True)
        first_day = a_day[met_idx][first_pos]
        pos = np.searchsorted(cells_met, a_cell)
        posc = np.minimum(pos, cells_met.size - 1)
        found = cells_met[posc] == a_cell
        first_met = np.where(found, first_day[posc], first_met)
    met = a_day >= first_met
    return (a_cell * big + (a_day - d0))[met]


def _follows(
    det_key: NDArray[np.int64],
    det_cell: NDArray[np.int64],
    m_key: NDArray[np.int64],
    big: np.int64,
    follow_days: int,
) -> NDArray[np.bool_]:
    """Follow-on fires: detections (keys ``det_key`` in cells ``det_cell``) 1 to
    ``follow_days - 1`` days after a day on which their cell had met the requirements."""
    k_prev = np.searchsorted(m_key, det_key - 1, side="right") - 1  # latest met day < t
    kp = np.maximum(k_prev, 0)
    follow_ok = (k_prev >= 0) & (m_key.size > 0)
    if m_key.size:
        prev_key = m_key[kp]
        same_cell = prev_key // big == det_cell
        gap = det_key - prev_key
        follow_ok &= same_cell & (gap >= 1) & (gap < follow_days)
    return follow_ok

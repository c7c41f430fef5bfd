"""Normal-year fire climatology: expected detections per 0.1-degree cell and day of year.

Built from the pre-war FIRMS years (``../shared/data/firms/history/``: 2012, 2013, 2016,
2018-2021) by :func:`build_baseline`; saved and loaded as a compact ``.npz`` file
(:meth:`Baseline.save`, :meth:`Baseline.load`).

Method (all counts are fire detections per cell per UTC day):

1. **Industrial sources** are found by recurrence on a fine grid (0.01 degree, about
   1.1 x 0.75 km): a fine cell with detections on at least 30 distinct days, in at least
   4 distinct years and in at least 6 distinct calendar months of the pre-war years burns
   all year round, year after year: a steelworks, coke plant, refinery, power station or
   gas flare (Mariupol, Zaporizhzhia, Kryvyi Rih, Kamianske, Avdiivka, Alchevsk, Ladyzhyn
   ... are found). The mask is that set grown by one fine cell each way. Detections in it
   are left out of the trucewatch counts (the ``masked`` variant) and never called war
   fires by trucewatch.
2. **The Donbas war of 2014-2021**: in those years, cells whose centre lies within
   ``donbas_buffer_km`` (20 km) of the approximate 2015-2022 line of contact
   (:mod:`trucewatch.thermal.donbas`) get weight 0: there only 2012 and 2013 count.
3. **Counts** per cell and day of year (0..364, 29 February on 28 February) are summed
   over years with those weights; the **exposure** is the weighted number of years.
4. **Smoothing** over a circular window of ``±window_days`` (15) days of the year; then a
   Poisson-Gamma (empirical Bayes) shrinkage towards the neighbourhood rate (5 x 5 cells,
   about 55 x 37 km) with the weight of ``prior_cell_days`` (60) cell-days::

       rate = (C_w + m * rate_nbr) / (E_w + m)

   where ``C_w`` and ``E_w`` are the windowed counts and exposure of the cell and
   ``rate_nbr`` the windowed rate of its neighbourhood: a cell that never burned in seven
   years among neighbours that do still has a small expected rate. Rates are floored at
   ``floor`` (1e-4 detections per cell-day).
5. **Overdispersion**: detections cluster (one burning field gives many pixels; dry and
   wet years differ), so a day's count is modelled as negative binomial with mean
   ``rate`` and size ``k`` (variance ``rate + rate**2 / k``), ``k`` estimated by the
   method of moments on the pre-war cell-days, per class of rate (:attr:`Baseline.k`).

Two variants are kept: ``"masked"`` (industrial detections removed; trucewatch) and
``"all"`` (every detection; The Economist's description has no industrial mask).

The file stores the sufficient statistics (sparse weighted counts, the weights per cell
and year, the mask, ``k``); rates are recomputed on load in a fraction of a second. The
baseline itself, its rates and its file are in :mod:`trucewatch.thermal.climatology`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from trucewatch.errors import InputError, RecordError
from trucewatch.thermal.climatology import (
    K_RATE_EDGES,
    Baseline,
    BaselineParams,
)
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.donbas import donbas_distance_km
from trucewatch.thermal.grid import DAYS_PER_YEAR, UKRAINE_GRID, Grid, day_of_year

# the baseline itself is in climatology; its names stay importable from here
__all__ = [
    "activity_factor",
    "build_baseline",
]

_K_MIN_CELL_DAYS = 1000


def industrial_cells(fires: FireTable, fine: Grid, params: BaselineParams) -> NDArray[np.int64]:
    """Fine cells burning on many days, in many years and months: see the module docstring."""
    cell = fine.cell(fires.lon, fires.lat)
    ok = cell >= 0
    cell, day = cell[ok], fires.day[ok]
    if cell.size == 0:
        return np.empty(0, dtype=np.int64)
    dayn = day.astype(np.int64)
    year = day.astype("datetime64[Y]").astype(np.int64)
    month = day.astype("datetime64[M]").astype(np.int64) % 12

    def distinct(
        values: NDArray[np.int64], span: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        key = np.unique(cell * span + values)
        return np.unique(key // span, return_counts=True)

    c_days, n_days = distinct(dayn - dayn.min(), int(dayn.max() - dayn.min()) + 1)
    c_years, n_years = distinct(year - year.min(), int(year.max() - year.min()) + 1)
    c_months, n_months = distinct(month, 12)
    hot = c_days[n_days >= params.industrial_min_days]
    hot = np.intersect1d(hot, c_years[n_years >= params.industrial_min_years])
    hot = np.intersect1d(hot, c_months[n_months >= params.industrial_min_months])
    g = params.industrial_grow
    if g > 0 and hot.size:
        row, col = hot // fine.ncol, hot % fine.ncol
        dr, dc = np.meshgrid(np.arange(-g, g + 1), np.arange(-g, g + 1), indexing="ij")
        rr = (row[:, None] + dr.ravel()[None, :]).ravel()
        cc = (col[:, None] + dc.ravel()[None, :]).ravel()
        ok2 = (rr >= 0) & (rr < fine.nrow) & (cc >= 0) & (cc < fine.ncol)
        hot = np.unique(rr[ok2] * fine.ncol + cc[ok2])
    return hot.astype(np.int64)


def _history_paths(history: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(history, str | Path):
        p = Path(history)
        if p.is_dir():
            return sorted(p.glob("*.csv"))
        return [p]
    return [Path(x) for x in history]


def build_baseline(
    history: str | Path | Iterable[str | Path] | FireTable,
    *,
    params: BaselineParams | None = None,
    grid: Grid = UKRAINE_GRID,
    exclude_years: Sequence[int] = (),
) -> Baseline:
    """Build the normal-year baseline from FIRMS history files.

    Parameters
    ----------
    history : directory, path(s) or FireTable
        FIRMS CSV files (e.g. ``../shared/data/firms/history/``). Only detections in years
        up to ``params.last_year`` (2021) are used.
    params : BaselineParams, optional
        Method parameters (module docstring).
    grid : Grid
        Cell grid (default 0.1 degree over Ukraine).
    exclude_years : sequence of int
        Years to leave out (e.g. for a leave-one-year-out test of false alarms).

    Returns
    -------
    Baseline
    """
    p = params or BaselineParams()
    t0 = datetime.now(UTC)
    fires, files, year_of, years = _read_history(history, p, exclude_years)
    fine = grid.refine(p.industrial_factor)
    industrial = industrial_cells(fires, fine, p)
    weights, near = _donbas_weights(grid, years, p)

    cell = grid.cell(fires.lon, fires.lat)
    ok = cell >= 0
    year_idx = np.searchsorted(np.array(years), year_of)
    w = weights[np.clip(cell, 0, None), year_idx]
    doy = day_of_year(fires.day)
    is_ind = _in_mask(industrial, fine.cell(fires.lon, fires.lat))
    flat = doy * grid.size + cell
    selections: dict[str, NDArray[np.bool_]] = {"masked": ok & ~is_ind, "all": ok}
    counts = {
        v: _sparse_counts(flat[sel], year_idx[sel], w[sel], grid.size * DAYS_PER_YEAR)
        for v, sel in selections.items()
    }
    info = {
        "files": files,
        "detections_read": len(fires),
        "detections_used": int((ok & (w > 0)).sum()),
        "industrial_detections": int((ok & is_ind).sum()),
        "industrial_fine_cells": int(industrial.size),
        "donbas_cells_left_out": int(near.sum()),
        "excluded_years": [int(y) for y in exclude_years],
        "built_at": t0.isoformat(timespec="seconds"),
    }
    base = Baseline(grid=grid, params=p, years=years, weights=weights, counts=counts,
                    industrial=industrial, info=info)  # fmt: skip
    _add_dispersion(base, flat, year_idx, w, selections, doy)
    return base


def _read_history(
    history: str | Path | Iterable[str | Path] | FireTable,
    p: BaselineParams,
    exclude_years: Sequence[int],
) -> tuple[FireTable, list[str], NDArray[np.int64], tuple[int, ...]]:
    """The detections of the years used, the files read, the year of each detection and
    the years (an error when there are none)."""
    if isinstance(history, FireTable):
        fires, files = history, list(history.files)
    else:
        paths = _history_paths(history)
        fires, files = read_firms_columns(paths), [str(x) for x in paths]
    year_all = fires.day.astype("datetime64[Y]").astype(np.int64) + 1970
    use = (year_all <= p.last_year) & ~np.isin(year_all, list(exclude_years))
    fires = fires.take(use)
    year_of = year_all[use]
    years = tuple(int(y) for y in np.unique(year_of))
    if not years:
        raise InputError(
            RecordError(", ".join(files) or "history", None, "acq_date",
                        f"no detections in years up to {p.last_year}")
        )  # fmt: skip
    return fires, files, year_of, years


def _donbas_weights(
    grid: Grid, years: tuple[int, ...], p: BaselineParams
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Weights per cell and year: 0 near the 2015-2022 Donbas line in war years; and the
    cells near it."""
    lon_c, lat_c = grid.centres()
    near = donbas_distance_km(lon_c, lat_c) <= p.donbas_buffer_km
    weights = np.ones((grid.size, len(years)), dtype=np.float32)
    for j, y in enumerate(years):
        if y in p.donbas_years:
            weights[near, j] = 0.0
    return weights, near


def _in_mask(industrial: NDArray[np.int64], fine_cell: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which fine cells are in the (sorted) industrial mask."""
    is_ind = np.zeros(fine_cell.size, dtype=bool)
    if industrial.size:
        pos = np.clip(np.searchsorted(industrial, fine_cell), 0, industrial.size - 1)
        is_ind = industrial[pos] == fine_cell
    return is_ind


def _add_dispersion(
    base: Baseline,
    flat: NDArray[np.int64],
    year_idx: NDArray[np.int64],
    w: NDArray[np.float32],
    selections: dict[str, NDArray[np.bool_]],
    doy: NDArray[np.int64],
) -> None:
    """Set ``base.k`` for each variant and ``"masked_factor"`` (around the rates times
    the pre-war years' activity factors), and the range of those factors in ``info``."""
    base.k = {v: _estimate_k(base, v, flat, year_idx, w, sel) for v, sel in selections.items()}
    sel = selections["masked"]
    factors = _year_factors(base, doy[sel], year_idx[sel], w[sel])
    base.k["masked_factor"] = _estimate_k(base, "masked", flat, year_idx, w, sel, factors)
    base.info["activity_factor_range"] = [
        round(float(np.percentile(factors, 5)), 3),
        round(float(np.percentile(factors, 95)), 3),
    ]


def _sparse_counts(
    flat: NDArray[np.int64], year_idx: NDArray[np.int64], w: NDArray[np.float32], size: int
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Weighted counts per flat (doy, cell) index, summed over years (sparse)."""
    key, first, n = np.unique(year_idx * size + flat, return_index=True, return_counts=True)
    wkey = w[first].astype(np.float64)  # all detections of a (year, cell) share a weight
    uniq, inv = np.unique(key % size, return_inverse=True)
    val = np.bincount(inv, weights=wkey * n, minlength=uniq.size)
    keep = val > 0
    return uniq[keep].astype(np.int64), val[keep].astype(np.float32)


def activity_factor(
    observed: NDArray[np.float64],
    expected: NDArray[np.float64],
    half_window: int,
    pseudo: float,
) -> NDArray[np.float64]:
    """Activity factor of consecutive days: observed over expected detections summed over
    ``±half_window`` days (truncated at the ends), with ``pseudo`` detections added to
    both (it stays near 1 when few are expected).

    The normal-year rates know the season but not the year: a dry March, a wet July or a
    different satellite change the number of fires everywhere. Rates times this factor,
    estimated where there is no war, follow the year actually observed.
    """
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    co = np.concatenate([[0.0], np.cumsum(o)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    t = np.arange(o.size)
    lo = np.clip(t - half_window, 0, o.size)
    hi = np.clip(t + half_window + 1, 0, o.size)
    return (co[hi] - co[lo] + pseudo) / (ce[hi] - ce[lo] + pseudo)


def _year_factors(
    base: Baseline, doy: NDArray[np.int64], year_idx: NDArray[np.int64], w: NDArray[np.float32]
) -> NDArray[np.float64]:
    """Activity factor per (year, day of year) of the pre-war years, over all weighted
    cells (no war there): shape (nyears, 365)."""
    rates = base.rates("masked").astype(np.float64)
    ny = len(base.years)
    obs = np.bincount(
        year_idx * DAYS_PER_YEAR + doy, weights=w.astype(np.float64),
        minlength=ny * DAYS_PER_YEAR,
    ).reshape(ny, DAYS_PER_YEAR)  # fmt: skip
    exp = (rates @ base.weights.astype(np.float64)).T * base._year_days()
    p = base.params
    return np.array([
        activity_factor(obs[j], exp[j], p.factor_window_days, p.factor_pseudo)
        for j in range(ny)
    ])  # fmt: skip


def _estimate_k(
    base: Baseline,
    variant: str,
    flat: NDArray[np.int64],
    year_idx: NDArray[np.int64],
    w: NDArray[np.float32],
    sel: NDArray[np.bool_],
    factors: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Negative binomial size per rate class, by the method of moments:
    ``1/k = sum[(n - m)**2 - n] / sum[m**2]`` over all weighted cell-days of the class
    (zeros included), ``m`` the rate (times the year's activity factor if given); the
    class is that of the rate alone."""
    size = base.grid.size * DAYS_PER_YEAR
    rate = base.rates(variant).astype(np.float64).ravel()  # type: ignore[arg-type]
    edges = np.array(K_RATE_EDGES)
    ncls = edges.size + 1
    cls_all = np.searchsorted(edges, rate)
    # zeros and non-zeros alike contribute m**2 (weighted by exposure)
    sum_r2: NDArray[np.float64]
    if factors is None:
        weights = base.exposure().ravel() * rate**2
        sum_r2 = np.bincount(cls_all, weights=weights, minlength=ncls).astype(np.float64)
    else:
        r2 = (rate**2).reshape(DAYS_PER_YEAR, -1)
        days = base._year_days()
        sum_r2 = np.zeros(ncls)
        for j in range(len(base.years)):
            wt = (days[j] * factors[j] ** 2)[:, None] * base.weights[:, j][None, :]
            sum_r2 += np.bincount(cls_all, weights=(r2 * wt).ravel(), minlength=ncls)
    # observed cell-days: (n - r)^2 - n - r^2 = n^2 - 2 n r - n
    key, first, n = np.unique(
        year_idx[sel] * size + flat[sel], return_index=True, return_counts=True
    )
    wk = w[sel][first].astype(np.float64)
    idx = key % size
    r = rate[idx]
    if factors is not None:
        r = r * factors[key // size, idx // base.grid.size]
    nf = n.astype(np.float64)
    extra = np.bincount(cls_all[idx], weights=wk * (nf**2 - 2 * nf * r - nf), minlength=ncls)
    observed = np.bincount(cls_all[idx], weights=(wk > 0).astype(np.float64), minlength=ncls)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_k = (sum_r2 + extra) / sum_r2
    # a class with few observed cell-days borrows the estimate of the nearest class that
    # has enough (the moments of a class without detections say nothing)
    good = np.isfinite(inv_k) & (observed >= _K_MIN_CELL_DAYS)
    if not good.any():
        return np.full(ncls, 1.0)
    nearest = np.flatnonzero(good)[
        np.abs(np.arange(ncls)[:, None] - np.flatnonzero(good)[None, :]).argmin(axis=1)
    ]
    inv_k = inv_k[nearest]
    # estimates below 0.001 (underdispersion or nearly Poisson) are taken as 0.001
    return 1.0 / np.clip(inv_k, 1e-3, None)

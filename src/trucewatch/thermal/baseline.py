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
and year, the mask, ``k``); rates are recomputed on load in a fraction of a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from trucewatch.errors import InputError, RecordError
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.donbas import DONBAS_BUFFER_KM, DONBAS_WAR_YEARS, donbas_distance_km
from trucewatch.thermal.grid import DAYS_PER_YEAR, UKRAINE_GRID, Grid, day_of_year, is_leap

__all__ = [
    "FORMAT_VERSION",
    "K_RATE_EDGES",
    "Baseline",
    "BaselineParams",
    "Variant",
    "activity_factor",
    "baseline_summary",
    "build_baseline",
]

FORMAT_VERSION = 1
"""Version of the ``.npz`` layout written by :meth:`Baseline.save`."""

Variant = Literal["masked", "all"]

K_RATE_EDGES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""Class edges of the expected rate (detections per cell-day) for the dispersion ``k``."""

_VARIANTS: tuple[Variant, ...] = ("masked", "all")
_K_MIN_CELL_DAYS = 1000


@dataclass(frozen=True, kw_only=True)
class BaselineParams:
    """Parameters of :func:`build_baseline` (see the module docstring for each step)."""

    window_days: int = 15
    neighbourhood: int = 5
    prior_cell_days: float = 60.0
    floor: float = 1e-4
    donbas_buffer_km: float = DONBAS_BUFFER_KM
    donbas_years: tuple[int, ...] = DONBAS_WAR_YEARS
    last_year: int = 2021
    industrial_factor: int = 10
    industrial_min_days: int = 30
    industrial_min_years: int = 4
    industrial_min_months: int = 6
    industrial_grow: int = 1
    factor_window_days: int = 7
    factor_pseudo: float = 20.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineParams:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "donbas_years" in known:
            known["donbas_years"] = tuple(known["donbas_years"])
        return cls(**known)


@dataclass
class Baseline:
    """Expected fire activity per cell and day of year in a normal year.

    Attributes
    ----------
    grid : Grid
        The cell grid (default 0.1 degree over Ukraine).
    params : BaselineParams
        How it was built.
    years : tuple of int
        The years used.
    weights : ndarray (ncell, nyears) of float32
        Weight of each cell in each year (0: left out, the Donbas war band).
    counts : dict of variant -> (index, value)
        Weighted detection counts, sparse: flat index ``doy * ncell + cell`` (int64) and
        the weighted sum over years (float32).
    industrial : ndarray of int64
        Sorted fine-cell indices (grid refined by ``params.industrial_factor``) masked as
        persistent industrial sources.
    k : dict of variant -> ndarray of float64
        Negative binomial size per rate class (:data:`K_RATE_EDGES`; ``len + 1`` values).
    info : dict
        Provenance: files, detections read and used, build time.
    """

    grid: Grid
    params: BaselineParams
    years: tuple[int, ...]
    weights: NDArray[np.float32]
    counts: dict[str, tuple[NDArray[np.int64], NDArray[np.float32]]]
    industrial: NDArray[np.int64]
    k: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ rates

    def _year_days(self) -> NDArray[np.float64]:
        """Observed days per (year, day of year): 1, or 2 for 28 February in leap years."""
        per_year = np.ones((len(self.years), DAYS_PER_YEAR))
        per_year[is_leap(np.array(self.years)), 58] = 2.0  # 28 and 29 February
        return per_year

    def exposure(self) -> NDArray[np.float64]:
        """Weighted number of observed days per (day of year, cell): shape (365, ncell)."""
        return self._year_days().T @ self.weights.T.astype(np.float64)

    def _dense(self, variant: str) -> NDArray[np.float32]:
        idx, val = self.counts[variant]
        out = np.bincount(idx, weights=val, minlength=DAYS_PER_YEAR * self.grid.size)
        return out.astype(np.float32).reshape(DAYS_PER_YEAR, self.grid.size)

    def _smooth(self, counts: NDArray[np.float32]) -> NDArray[np.float32]:
        p = self.params
        w = 2 * p.window_days + 1
        nbr = (1, p.neighbourhood, p.neighbourhood)
        shape = (DAYS_PER_YEAR, *self.grid.shape)
        # exposure: (days of the window per year) @ (weights per year), alone and over
        # the neighbourhood (small matrix products, not 365 x ncell filters)
        win = ndimage.uniform_filter1d(self._year_days(), w, axis=1, mode="wrap") * w
        wts = self.weights.T.astype(np.float64)  # (nyears, ncell)
        wts_n = ndimage.uniform_filter(
            wts.reshape(len(self.years), *self.grid.shape), size=nbr, mode="constant"
        ).reshape(wts.shape)
        ew = (win.T @ wts).astype(np.float32)
        en = (win.T @ wts_n).astype(np.float32)
        cw = ndimage.uniform_filter1d(counts, w, axis=0, mode="wrap") * np.float32(w)
        cn = ndimage.uniform_filter(cw.reshape(shape), size=nbr, mode="constant").reshape(cw.shape)
        m = np.float32(p.prior_cell_days)
        safe = np.maximum(en, np.float32(1e-6))
        rate = (cw + m * (cn / safe) * (en > 1e-6)) / (ew + m)
        return np.maximum(rate, np.float32(p.floor))

    @cached_property
    def _rates(self) -> dict[str, NDArray[np.float32]]:
        return {v: self._smooth(self._dense(v)) for v in self.counts}

    def rates(self, variant: Variant = "masked") -> NDArray[np.float32]:
        """Expected detections per cell-day: array (365, ncell), index ``[doy, cell]``."""
        return self._rates[variant]

    def expected(
        self, cell: ArrayLike, days: ArrayLike, variant: Variant = "masked"
    ) -> NDArray[np.float64]:
        """Expected detections in cells on UTC days (NaN for cells outside the grid)."""
        c = np.asarray(cell, dtype=np.int64)
        doy = day_of_year(days)
        r = self.rates(variant)
        out = r[doy, np.clip(c, 0, None)].astype(np.float64)
        return np.where(c >= 0, out, np.nan)

    def size_k(self, rate: ArrayLike, key: str = "masked") -> NDArray[np.float64]:
        """Negative binomial size ``k`` for baseline rates (per rate class of the rate
        before any activity factor). ``key``: ``"masked"``, ``"all"`` or
        ``"masked_factor"`` (dispersion around rates times the activity factor)."""
        cls = np.searchsorted(np.array(K_RATE_EDGES), np.asarray(rate, dtype=np.float64))
        return self.k[key][cls]

    # ------------------------------------------------------------------ masks

    @property
    def fine_grid(self) -> Grid:
        """The grid of the industrial mask."""
        return self.grid.refine(self.params.industrial_factor)

    def is_industrial(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        """True for points in a masked industrial fine cell."""
        fine = self.fine_grid.cell(lon, lat)
        if self.industrial.size == 0:
            return np.zeros(fine.shape, dtype=bool)
        pos = np.clip(np.searchsorted(self.industrial, fine), 0, self.industrial.size - 1)
        return (self.industrial[pos] == fine) & (fine >= 0)

    @cached_property
    def support(self) -> NDArray[np.bool_]:
        """Cells (flat) with any pre-war detection within the neighbourhood: the area where
        fires are seen at all (land, mostly)."""
        idx, _ = self.counts["all"]
        any_cell = np.zeros(self.grid.size)
        any_cell[np.unique(idx % self.grid.size)] = 1.0
        n = self.params.neighbourhood
        grown = ndimage.maximum_filter(any_cell.reshape(self.grid.shape), size=n, mode="constant")
        return grown.ravel() > 0

    # ------------------------------------------------------------------ files

    def save(self, path: str | Path) -> Path:
        """Write the baseline as a compressed ``.npz`` (a few MB)."""
        p = Path(path)
        meta = {
            "format": "trucewatch-thermal-baseline",
            "format_version": FORMAT_VERSION,
            "grid": self.grid.as_dict(),
            "params": asdict(self.params),
            "years": list(self.years),
            "k": {v: self.k[v].tolist() for v in self.k},
            "k_rate_edges": list(K_RATE_EDGES),
            "info": self.info,
        }
        arrays: dict[str, NDArray[Any]] = {
            "meta": np.array(json.dumps(meta)),
            "weights": self.weights.astype(np.float32),
            "industrial": self.industrial.astype(np.int64),
        }
        for v, (idx, val) in self.counts.items():
            arrays[f"idx_{v}"] = idx.astype(np.int32)
            arrays[f"val_{v}"] = val.astype(np.float32)
        with open(p, "wb") as f:
            np.savez_compressed(f, **arrays)  # type: ignore[arg-type]
        return p

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        """Read a baseline written by :meth:`save`."""
        p = Path(path)
        try:
            with np.load(p, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != "trucewatch-thermal-baseline":
                    raise KeyError("format")
                counts: dict[str, tuple[NDArray[np.int64], NDArray[np.float32]]] = {
                    v: (z[f"idx_{v}"].astype(np.int64), z[f"val_{v}"].astype(np.float32))
                    for v in _VARIANTS
                }
                weights = z["weights"].astype(np.float32)
                industrial = z["industrial"].astype(np.int64)
        except FileNotFoundError:
            raise InputError(RecordError(str(p), None, None, "file not found")) from None
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(
                RecordError(str(p), None, None, f"not a trucewatch thermal baseline: {exc}")
            ) from None
        g = meta["grid"]
        return cls(
            grid=Grid(lon0=g["lon0"], lat0=g["lat0"], res=g["res"], ncol=g["ncol"], nrow=g["nrow"]),
            params=BaselineParams.from_dict(meta["params"]),
            years=tuple(meta["years"]),
            weights=weights,
            counts=counts,
            industrial=industrial,
            k={v: np.asarray(meta["k"][v], dtype=np.float64) for v in meta["k"]},
            info=meta.get("info", {}),
        )

    def summary(self) -> dict[str, Any]:
        """JSON-able description (see :func:`baseline_summary`)."""
        return baseline_summary(self)


# --------------------------------------------------------------------------- building


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
    fine = grid.refine(p.industrial_factor)
    industrial = industrial_cells(fires, fine, p)

    # weights per cell and year: 0 near the 2015-2022 Donbas line in war years
    lon_c, lat_c = grid.centres()
    near = donbas_distance_km(lon_c, lat_c) <= p.donbas_buffer_km
    weights = np.ones((grid.size, len(years)), dtype=np.float32)
    for j, y in enumerate(years):
        if y in p.donbas_years:
            weights[near, j] = 0.0

    cell = grid.cell(fires.lon, fires.lat)
    ok = cell >= 0
    year_idx = np.searchsorted(np.array(years), year_of)
    w = weights[np.clip(cell, 0, None), year_idx]
    doy = day_of_year(fires.day)
    fine_cell = fine.cell(fires.lon, fires.lat)
    is_ind = np.zeros(len(fires), dtype=bool)
    if industrial.size:
        pos = np.clip(np.searchsorted(industrial, fine_cell), 0, industrial.size - 1)
        is_ind = industrial[pos] == fine_cell
    flat = doy * grid.size + cell
    selections: dict[str, NDArray[np.bool_]] = {"masked": ok & ~is_ind, "all": ok}
    counts = {
        v: _sparse_counts(flat[sel], year_idx[sel], w[sel], grid.size * DAYS_PER_YEAR)
        for v, sel in selections.items()
    }

    base = Baseline(
        grid=grid,
        params=p,
        years=years,
        weights=weights,
        counts=counts,
        industrial=industrial,
        info={
            "files": files,
            "detections_read": len(fires),
            "detections_used": int((ok & (w > 0)).sum()),
            "industrial_detections": int((ok & is_ind).sum()),
            "industrial_fine_cells": int(industrial.size),
            "donbas_cells_left_out": int(near.sum()),
            "excluded_years": [int(y) for y in exclude_years],
            "built_at": t0.isoformat(timespec="seconds"),
        },
    )
    base.k = {v: _estimate_k(base, v, flat, year_idx, w, sel) for v, sel in selections.items()}
    sel = selections["masked"]
    factors = _year_factors(base, doy[sel], year_idx[sel], w[sel])
    base.k["masked_factor"] = _estimate_k(base, "masked", flat, year_idx, w, sel, factors)
    base.info["activity_factor_range"] = [
        round(float(np.percentile(factors, 5)), 3),
        round(float(np.percentile(factors, 95)), 3),
    ]
    return base


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


def baseline_summary(base: Baseline) -> dict[str, Any]:
    """What ``trucewatch thermal baseline`` prints: provenance, parameters, sizes and the
    expected national totals per month."""
    rates = base.rates("masked")
    per_doy = rates[:, base.support].sum(axis=1)
    month_of_doy = (
        np.arange(DAYS_PER_YEAR).astype("timedelta64[D]") + np.datetime64("2021-01-01")
    ).astype("datetime64[M]").astype(np.int64) % 12
    monthly = np.bincount(month_of_doy, weights=per_doy, minlength=12) / np.bincount(
        month_of_doy, minlength=12
    )
    return {
        "years": list(base.years),
        "grid": base.grid.as_dict(),
        "params": asdict(base.params),
        "cells": base.grid.size,
        "cells_with_support": int(base.support.sum()),
        "industrial_fine_cells": int(base.industrial.size),
        "industrial_detections": base.info.get("industrial_detections"),
        "donbas_cells_left_out": base.info.get("donbas_cells_left_out"),
        "detections_read": base.info.get("detections_read"),
        "detections_used": base.info.get("detections_used"),
        "nb_size_k": {v: [round(float(x), 4) for x in base.k[v]] for v in base.k},
        "k_rate_edges": list(K_RATE_EDGES),
        "expected_per_day_by_month": [round(float(x), 1) for x in monthly],
    }

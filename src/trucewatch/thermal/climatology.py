"""The normal-year baseline (:class:`Baseline`): expected fire detections per 0.1-degree
cell and day of year, their dispersion and the industrial mask; saved and loaded as a
compact ``.npz`` file.

How it is built (:func:`trucewatch.thermal.baseline.build_baseline`) is described in
:mod:`trucewatch.thermal.baseline`. The file stores the sufficient statistics (sparse
weighted counts, the weights per cell and year, the mask, ``k``); rates are recomputed
on load in a fraction of a second.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage

from trucewatch.errors import InputError, RecordError
from trucewatch.thermal.donbas import DONBAS_BUFFER_KM, DONBAS_WAR_YEARS
from trucewatch.thermal.grid import DAYS_PER_YEAR, Grid, day_of_year, is_leap

__all__ = [
    "FORMAT_VERSION",
    "K_RATE_EDGES",
    "Baseline",
    "BaselineParams",
    "Variant",
    "baseline_summary",
]

FORMAT_VERSION = 1
"""Version of the ``.npz`` layout written by :meth:`Baseline.save`."""

Variant = Literal["masked", "all"]

K_RATE_EDGES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""Class edges of the expected rate (detections per cell-day) for the dispersion ``k``."""

_VARIANTS: tuple[Variant, ...] = ("masked", "all")


@dataclass(frozen=True, kw_only=True)
class BaselineParams:
    """Parameters of :func:`~trucewatch.thermal.baseline.build_baseline` (see
    :mod:`trucewatch.thermal.baseline` for each step)."""

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

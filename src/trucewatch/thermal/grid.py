"""The analysis grid of the thermal module: 0.1-degree cells, fine cells and days of year.

A :class:`Grid` is a regular lon/lat grid (WGS84 degrees): cell ``(row, col)`` covers
``[lat0 + row * res, lat0 + (row + 1) * res)`` by ``[lon0 + col * res, ...)`` and has the
flat index ``row * ncol + col``. The default :data:`UKRAINE_GRID` (0.1 degree, the cell of
The Economist's war-fire model) spans 22.0-40.5° E, 44.0-52.5° N: 85 x 185 = 15,725
cells, about 11.1 km north-south by 7.4 km east-west at 48° N (about 82 km²).

Days are UTC calendar days as ``numpy.datetime64[D]``; :func:`day_of_year` maps them to
0..364 with 29 February folded onto 28 February, so every year has the same 365 slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DAYS_PER_YEAR", "UKRAINE_GRID", "Grid", "day_numbers", "day_of_year", "is_leap"]

DAYS_PER_YEAR = 365
"""Slots of the seasonal cycle (29 February shares the slot of 28 February)."""

_FEB29 = 59  # 0-based day of year of 29 February in a leap year


@dataclass(frozen=True, kw_only=True)
class Grid:
    """A regular lon/lat grid (WGS84 degrees).

    Attributes
    ----------
    lon0, lat0 : float
        South-west corner (degrees).
    res : float
        Cell size (degrees, same in lon and lat).
    ncol, nrow : int
        Number of columns (east) and rows (north).
    """

    lon0: float
    lat0: float
    res: float
    ncol: int
    nrow: int

    @property
    def size(self) -> int:
        """Number of cells."""
        return self.ncol * self.nrow

    @property
    def shape(self) -> tuple[int, int]:
        """``(nrow, ncol)``."""
        return self.nrow, self.ncol

    def refine(self, factor: int) -> Grid:
        """The grid with cells ``factor`` times smaller, same corner and extent."""
        return Grid(
            lon0=self.lon0,
            lat0=self.lat0,
            res=self.res / factor,
            ncol=self.ncol * factor,
            nrow=self.nrow * factor,
        )

    def rowcol(self, lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Row and column of points (-1 for both outside the grid or not finite)."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            # rounding first keeps points exactly on a cell edge in the upper cell
            col = np.floor(np.round((x - self.lon0) / self.res, 9))
            row = np.floor(np.round((y - self.lat0) / self.res, 9))
            ok = (col >= 0) & (col < self.ncol) & (row >= 0) & (row < self.nrow)
        col_i = np.where(ok, col, -1).astype(np.int64)
        row_i = np.where(ok, row, -1).astype(np.int64)
        return row_i, col_i

    def cell(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
        """Flat cell index of points (-1 outside the grid)."""
        row, col = self.rowcol(lon, lat)
        return np.where(row >= 0, row * self.ncol + col, -1)

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Longitude and latitude of every cell centre, in flat index order."""
        col = (np.arange(self.size) % self.ncol).astype(np.float64)
        row = (np.arange(self.size) // self.ncol).astype(np.float64)
        lon = self.lon0 + (col + 0.5) * self.res
        lat = self.lat0 + (row + 0.5) * self.res
        return lon.astype(np.float64), lat.astype(np.float64)

    def as_dict(self) -> dict[str, float | int]:
        """JSON-able description."""
        return {
            "lon0": self.lon0,
            "lat0": self.lat0,
            "res": self.res,
            "ncol": self.ncol,
            "nrow": self.nrow,
        }


UKRAINE_GRID = Grid(lon0=22.0, lat0=44.0, res=0.1, ncol=185, nrow=85)
"""0.1-degree grid over Ukraine (22.0-40.5° E, 44.0-52.5° N)."""


def is_leap(years: ArrayLike) -> NDArray[np.bool_]:
    """Gregorian leap years (integer years)."""
    y = np.asarray(years, dtype=np.int64)
    return ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)


def day_of_year(days: ArrayLike) -> NDArray[np.int64]:
    """Day of year 0..364 of UTC days, 29 February folded onto 28 February.

    >>> day_of_year(np.array(["2020-02-28", "2020-02-29", "2020-03-01", "2021-03-01"],
    ...                      dtype="datetime64[D]")).tolist()
    [58, 58, 59, 59]
    """
    d = np.asarray(days).astype("datetime64[D]")
    year = d.astype("datetime64[Y]")
    doy = (d - year.astype("datetime64[D]")).astype(np.int64)
    leap = is_leap(year.astype(np.int64) + 1970)
    return doy - (leap & (doy >= _FEB29)).astype(np.int64)


def day_numbers(days: ArrayLike) -> NDArray[np.int64]:
    """Days since 1970-01-01 (integers) of UTC days."""
    return np.asarray(days).astype("datetime64[D]").astype(np.int64)

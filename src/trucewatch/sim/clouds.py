"""Cloud over the simulated stretch at each satellite overpass.

Two models (``satellite.clouds``):

* ``sectors``: each sector of the line is cloudy with probability ``cloud_cover`` at each
  overpass, independently (drawn by :func:`trucewatch.sim.sensors.detect_satellite` from
  the satellite's stream, as before this module);
* ``field`` (:class:`CloudField`): a latent Gaussian random field on a grid of cells over
  the stretch, white noise smoothed by a Gaussian kernel of sd ``L / 2`` so that its
  correlation at distance r is ``exp(-(r / L)^2)`` (``L = cloud_corr_km``), and persistent
  in time: ``z_k = rho z_(k-1) + sqrt(1 - rho^2) e_k`` between consecutive overpasses
  (``rho = cloud_persistence``). A point is cloudy where ``z`` exceeds the quantile
  ``1 - f`` of the standard normal, ``f`` the cloud fraction of the overpass's month
  (``cloud_fraction_by_month``), so the cloudy share is ``f`` on average.

Positions local km (east, north); times UTC epoch seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, stats

from trucewatch.sim.scenario import Scenario

__all__ = ["CloudField", "month_of"]

MARGIN_KM = 20.0
"""The field covers the points asked for plus this margin (km)."""


def month_of(t: NDArray[np.float64]) -> NDArray[np.int64]:
    """Month (0 = January) of UTC epoch seconds."""
    return np.array([datetime.fromtimestamp(float(x), UTC).month - 1 for x in np.ravel(t)],
                    dtype=np.int64)  # fmt: skip


class CloudField:
    """The cloud field over a box at given overpasses (see the module docstring).

    ``cell_km`` is ``L / 6`` clipped to [1, 10] km: fine enough to resolve the
    correlation, coarse enough to keep the field small (a 600 x 500 km box at L = 40 km is
    about 10,000 cells per overpass).
    """

    def __init__(self, s: Scenario, lo_xy: NDArray[np.float64], hi_xy: NDArray[np.float64],
                 passes: NDArray[np.float64], rng: np.random.Generator) -> None:  # fmt: skip
        sat = s.satellite
        self.cell_km = float(np.clip(sat.cloud_corr_km / 6.0, 1.0, 10.0))
        self.origin = np.asarray(lo_xy, dtype=float) - MARGIN_KM
        extent = np.asarray(hi_xy, dtype=float) + MARGIN_KM - self.origin
        self.shape = tuple(int(np.ceil(v / self.cell_km)) + 1 for v in extent[::-1])
        self.fraction = np.asarray(sat.cloud_fraction_by_month)[month_of(passes)]
        self.latent = self._latent(sat.cloud_corr_km, sat.cloud_persistence, passes.size, rng)

    def _noise(self, corr_km: float, rng: np.random.Generator) -> NDArray[np.float64]:
        """One smoothed white-noise field of unit variance."""
        sd_cells = corr_km / 2.0 / self.cell_km
        white = rng.standard_normal(self.shape)
        smooth = ndimage.gaussian_filter(white, sd_cells, mode="wrap")
        # variance of white noise smoothed by a normalized 2-D Gaussian of sd s (cells)
        return smooth * np.sqrt(4.0 * np.pi * sd_cells**2) if sd_cells > 0.5 else white

    def _latent(self, corr_km: float, rho: float, n: int,
                rng: np.random.Generator) -> NDArray[np.float64]:  # fmt: skip
        out = np.empty((n, *self.shape))
        for k in range(n):
            e = self._noise(corr_km, rng)
            out[k] = e if k == 0 else rho * out[k - 1] + np.sqrt(1.0 - rho**2) * e
        return out

    def cells(self, xy: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Row and column of points (clipped to the field)."""
        rc = np.floor((np.asarray(xy, dtype=float).reshape(-1, 2) - self.origin) / self.cell_km)
        col = np.clip(rc[:, 0].astype(np.int64), 0, self.shape[1] - 1)
        row = np.clip(rc[:, 1].astype(np.int64), 0, self.shape[0] - 1)
        return row, col

    def cloudy(self, k: int | NDArray[np.int64], xy: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether points are under cloud at overpass ``k`` (one or one per point)."""
        row, col = self.cells(xy)
        k_arr = np.broadcast_to(np.asarray(k, dtype=np.int64), row.shape)
        threshold = stats.norm.ppf(1.0 - self.fraction[k_arr])
        return self.latent[k_arr, row, col] > threshold

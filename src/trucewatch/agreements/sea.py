"""Is a point at sea? The land test behind the ``sea`` scope.

The default, :class:`DefaultLand`, joins two sources:

* the territory of Ukraine from the shipped country outline
  (:func:`trucewatch.geo.outline.load_country_outline`, 100 m source simplified, with its
  internal waters - the Dnipro, reservoirs - filled, so a river is not "sea");
* elsewhere in the region 20-45° E, 40-56° N (Russia, Belarus, Moldova, Romania,
  Turkey's Black Sea coast), a 1 km land/sea grid shipped in
  ``agreements/data/sea_mask.npz``: the cut of that region from the GLOBE-derived mask of
  the ``global-land-mask`` package (MIT, © 2019 Todd Karin; NOAA GLOBE DEM, public
  domain), where lakes and reservoirs count as land. :func:`derive_sea_mask` re-makes it.
  Outside the region every point counts as land (the ``sea`` scope is about the Black
  Sea and the Sea of Azov).

A point is at sea when neither calls it land. Any object with an ``is_land(lon, lat)``
method (:class:`LandTest`) can replace it, e.g. :class:`PolygonLand` over a coastline.
"""

from __future__ import annotations

import argparse
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from trucewatch.units import KM_PER_DEG_EQUATOR

__all__ = [
    "COAST",
    "LAND",
    "MASK_REGION",
    "SEA",
    "DefaultLand",
    "GridLand",
    "LandTest",
    "PolygonLand",
    "derive_sea_mask",
    "sea_state",
]

SEA, LAND, COAST = 1, 0, -1
"""Values of :func:`sea_state`: at sea, on land, or too close to the coast to tell."""

MASK_REGION: tuple[float, float, float, float] = (20.0, 40.0, 45.0, 56.0)
"""(lon_min, lat_min, lon_max, lat_max) of the shipped land/sea grid, degrees."""

CELLS_PER_DEGREE = 120
"""Resolution of the grid: 1/120 degree (about 0.9 km north-south)."""

_MASK_RESOURCE = "sea_mask.npz"


class LandTest(Protocol):
    """Anything that says which WGS84 points (degrees) are on land."""

    def is_land(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        """True for points on land (same shape as the input)."""
        ...


class PolygonLand:
    """Land given as polygons (WGS84 lon/lat): points inside (or on the edge) are land."""

    def __init__(self, land: BaseGeometry) -> None:
        self.land = land
        shapely.prepare(self.land)

    def is_land(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        return np.asarray(shapely.intersects_xy(self.land, lon, lat), dtype=bool)


class GridLand:
    """A land/sea grid: ``sea[i, j]`` is True for the cell whose north-west corner is
    ``(lon_min + j / cells_per_degree, lat_max - i / cells_per_degree)``. Points outside
    the grid are land."""

    def __init__(
        self, sea: NDArray[np.bool_], lon_min: float, lat_max: float, cells_per_degree: int
    ) -> None:
        self.sea = np.asarray(sea, dtype=bool)
        self.lon_min = float(lon_min)
        self.lat_max = float(lat_max)
        self.cells_per_degree = int(cells_per_degree)

    @classmethod
    def shipped(cls) -> GridLand:
        """The grid shipped with the package (:data:`MASK_REGION`)."""
        return _shipped_grid()

    def is_land(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            i = np.floor((self.lat_max - lat_a) * self.cells_per_degree)
            j = np.floor((lon_a - self.lon_min) * self.cells_per_degree)
        rows, cols = self.sea.shape
        inside = np.isfinite(i) & np.isfinite(j) & (i >= 0) & (i < rows) & (j >= 0) & (j < cols)
        out = np.ones(lon_a.shape, dtype=bool)
        out[inside] = ~self.sea[i[inside].astype(np.int64), j[inside].astype(np.int64)]
        return out


@lru_cache(maxsize=1)
def _shipped_grid() -> GridLand:
    ref = resources.files("trucewatch.agreements").joinpath("data", _MASK_RESOURCE)
    with resources.as_file(ref) as path, np.load(path) as f:
        rows, cols = (int(v) for v in f["shape"])
        sea = np.unpackbits(f["sea_bits"], count=rows * cols).reshape(rows, cols).astype(bool)
        return GridLand(sea, float(f["lon_min"]), float(f["lat_max"]), int(f["cells_per_degree"]))


@lru_cache(maxsize=1)
def _ukraine_territory() -> BaseGeometry:
    from trucewatch.geo.outline import fill_holes, load_country_outline

    territory = fill_holes(load_country_outline())
    shapely.prepare(territory)
    return territory


class DefaultLand:
    """Ukraine's territory (shipped outline, internal waters filled), else the shipped
    1 km grid (:class:`GridLand`); see the module docstring."""

    def is_land(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        lon_a = np.asarray(lon, dtype=np.float64)
        lat_a = np.asarray(lat, dtype=np.float64)
        out = np.asarray(shapely.intersects_xy(_ukraine_territory(), lon_a, lat_a), dtype=bool)
        rest = ~out
        if rest.any():
            out[rest] = GridLand.shipped().is_land(lon_a[rest], lat_a[rest])
        return out


def derive_sea_mask(
    out: str | Path, region: tuple[float, float, float, float] = MASK_REGION
) -> int:
    """Cut ``region`` from the ``global-land-mask`` package's grid and write it to ``out``
    (bit-packed, compressed npz). Needs that package installed; returns bytes written."""
    from global_land_mask import globe  # only needed to re-derive the shipped grid

    lon_min, lat_min, lon_max, lat_max = region
    cpd = CELLS_PER_DEGREE
    lat_axis, lon_axis = np.asarray(globe._lat), np.asarray(globe._lon)
    if not (np.isclose(lat_axis[0], 90.0) and np.isclose(lon_axis[0], -180.0)):
        raise ValueError("unexpected grid layout of global-land-mask")
    i0, i1 = round((90.0 - lat_max) * cpd), round((90.0 - lat_min) * cpd)
    j0, j1 = round((lon_min + 180.0) * cpd), round((lon_max + 180.0) * cpd)
    sea = np.asarray(globe._mask[i0:i1, j0:j1], dtype=bool)  # the package's True is ocean
    np.savez_compressed(
        out,
        sea_bits=np.packbits(sea.ravel()),
        shape=np.array(sea.shape, dtype=np.int64),
        lon_min=np.float64(lon_min),
        lat_max=np.float64(lat_max),
        cells_per_degree=np.int64(cpd),
    )
    return Path(out).stat().st_size


def sea_state(
    land: LandTest, lon: ArrayLike, lat: ArrayLike, radius_km: ArrayLike = 0.0, *, ring: int = 8
) -> NDArray[np.int64]:
    """Whether each point is at sea, allowing for its location uncertainty.

    The point and ``ring`` points on a circle of ``radius_km`` around it are tested:
    all at sea gives :data:`SEA`, all on land :data:`LAND`, a mix :data:`COAST`
    (the coast lies within the uncertainty). Non-finite points give :data:`COAST`.

    Parameters
    ----------
    land : LandTest
        The land test.
    lon, lat : array_like
        WGS84 degrees, 1-D.
    radius_km : float or array_like
        Radius of the uncertainty circle (km), per point or one for all.
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    r = np.broadcast_to(np.asarray(radius_km, dtype=np.float64), lon_a.shape)
    angles = np.linspace(0.0, 2.0 * math.pi, ring, endpoint=False)
    dlat = np.outer(r, np.cos(angles)) / KM_PER_DEG_EQUATOR
    coslat = np.maximum(np.cos(np.radians(lat_a)), 1e-6)
    dlon = np.outer(r, np.sin(angles)) / (KM_PER_DEG_EQUATOR * coslat[:, None])
    pts_lon = np.column_stack([lon_a, lon_a[:, None] + dlon])
    pts_lat = np.column_stack([lat_a, lat_a[:, None] + dlat])
    ok = np.isfinite(lon_a) & np.isfinite(lat_a)
    state = np.full(lon_a.shape, COAST, dtype=np.int64)
    if ok.any():
        on_land = land.is_land(pts_lon[ok].ravel(), pts_lat[ok].ravel()).reshape(-1, ring + 1)
        state[ok] = np.where(on_land.all(axis=1), LAND, np.where(on_land.any(axis=1), COAST, SEA))
    return state


def main(argv: list[str] | None = None) -> int:
    """Command line: re-derive the shipped land/sea grid into OUT."""
    parser = argparse.ArgumentParser(description="Derive the land/sea grid of the sea scope.")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    print(f"{args.out}: {derive_sea_mask(args.out)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

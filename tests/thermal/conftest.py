"""Synthetic fire histories and lines whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.baseline import build_baseline
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.columns import FireTable
from trucewatch.thermal.grid import Grid

# 50 x 30 cells of 0.1 degree: 28-33 E, 47-50 N. The "line" runs north-south at 31.55 E;
# east of it is the controlled area (RU), west of it 200+ km of UA side (the reference).
GRID = Grid(lon0=28.0, lat0=47.0, res=0.1, ncol=50, nrow=30)
LINE_LON = 31.55
BACKGROUND = 0.02  # detections per cell-day in a normal year, everywhere


def random_fires(
    rng: np.random.Generator, year: int, rate: float = BACKGROUND, grid: Grid = GRID
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson(rate) detections per cell-day of one year, placed uniformly in the cells."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    n = rng.poisson(rate, size=(days.size, grid.size))
    d_idx, c_idx = np.nonzero(n)
    reps = n[d_idx, c_idx]
    d_idx, c_idx = np.repeat(d_idx, reps), np.repeat(c_idx, reps)
    col, row = c_idx % grid.ncol, c_idx // grid.ncol
    lon = grid.lon0 + (col + rng.uniform(0.05, 0.95, col.size)) * grid.res
    lat = grid.lat0 + (row + rng.uniform(0.05, 0.95, row.size)) * grid.res
    return lon, lat, days[d_idx]


def table(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> FireTable:
    lon = np.concatenate([p[0] for p in parts])
    lat = np.concatenate([p[1] for p in parts])
    day = np.concatenate([np.asarray(p[2]).astype("datetime64[D]") for p in parts])
    return FireTable.from_arrays(lon, lat, day)


@pytest.fixture(scope="session")
def synthetic_baseline() -> Baseline:
    """Three normal years of uniform background fire on :data:`GRID`."""
    rng = np.random.default_rng(7)
    hist = table([random_fires(rng, y) for y in (2012, 2013, 2018)])
    return build_baseline(hist, grid=GRID)


@pytest.fixture(scope="session")
def line_context() -> LineContext:
    """A straight line at 31.55 E with the area east of it controlled by RU."""
    line = LineString([(LINE_LON, 46.0), (LINE_LON, 51.0)])
    control = Polygon([(LINE_LON, 46.0), (34.0, 46.0), (34.0, 51.0), (LINE_LON, 51.0)])
    return LineContext(line, control=control)


class Synth:
    """The helpers above, for test modules (which cannot import conftest by name)."""

    GRID = GRID
    LINE_LON = LINE_LON
    BACKGROUND = BACKGROUND
    random_fires = staticmethod(random_fires)
    table = staticmethod(table)


@pytest.fixture(scope="session")
def synth() -> type[Synth]:
    return Synth

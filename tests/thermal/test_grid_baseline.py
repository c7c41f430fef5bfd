"""Grid, day of year, and the normal-year baseline on constructed histories."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trucewatch.thermal.baseline import activity_factor, build_baseline
from trucewatch.thermal.climatology import Baseline, BaselineParams
from trucewatch.thermal.grid import UKRAINE_GRID, day_of_year
from trucewatch.thermal.stats import nb_sf


def test_cells_and_edges() -> None:
    c = UKRAINE_GRID.cell([22.0, 22.09999, 22.1, 40.6, np.nan], [44.0, 44.05, 44.05, 48, 48])
    assert c.tolist() == [0, 0, 1, -1, -1]
    lon, lat = UKRAINE_GRID.centres()
    assert lon[0] == pytest.approx(22.05) and lat[UKRAINE_GRID.ncol] == pytest.approx(44.15)


def test_day_of_year_folds_29_february() -> None:
    d = np.array(["2020-02-29", "2020-12-31", "2021-12-31", "2021-01-01"], dtype="datetime64[D]")
    assert day_of_year(d).tolist() == [58, 364, 364, 0]


def test_uniform_background_is_learned(synthetic_baseline: Baseline, synth) -> None:
    GRID, BACKGROUND = synth.GRID, synth.BACKGROUND
    r = synthetic_baseline.rates()
    inner = r.reshape(365, *GRID.shape)[:, 3:-3, 3:-3]
    assert np.median(inner) == pytest.approx(BACKGROUND, rel=0.1)
    assert synthetic_baseline.years == (2012, 2013, 2018)


def test_a_spike_is_improbable_and_a_normal_day_is_not(synthetic_baseline: Baseline, synth) -> None:
    GRID = synth.GRID
    cell = GRID.cell(30.0, 48.5)
    lam = synthetic_baseline.expected(cell, np.datetime64("2022-07-01"))
    k = synthetic_baseline.size_k(lam)
    assert float(nb_sf(0, lam, k)) == 1.0
    assert float(nb_sf(1, lam, k)) > 0.005  # one fire: not extraordinary at 0.02/day
    assert float(nb_sf(6, lam, k)) < 0.05  # six fires in the cell that day: extraordinary


def test_seasonal_cell_and_smoothing(synth) -> None:
    GRID, random_fires, table = synth.GRID, synth.random_fires, synth.table
    rng = np.random.default_rng(3)
    parts = [random_fires(rng, y, rate=0.001) for y in (2012, 2013)]
    # one cell burns 3 detections every day of July, every year
    for y in (2012, 2013):
        days = np.arange(np.datetime64(f"{y}-07-01"), np.datetime64(f"{y}-08-01"))
        days = np.repeat(days, 3)
        parts.append((np.full(days.size, 30.05), np.full(days.size, 48.05), days))
    base = build_baseline(table(parts), grid=GRID, params=BaselineParams(industrial_min_days=10**6))
    cell = GRID.cell(30.05, 48.05)
    mid_july = base.expected(cell, np.datetime64("2022-07-16"))
    january = base.expected(cell, np.datetime64("2022-01-15"))
    # window of 31 days x 2 years = 62 cell-days holding 186 detections; the 5 x 5
    # neighbourhood has those (plus a little background) over 25 x 62 cell-days; the
    # prior weighs 60 cell-days: rate = (186 + 60 * nbr) / (62 + 60)
    nbr = 186 / (25 * 62) + 0.001
    assert mid_july == pytest.approx((186 + 60 * nbr) / (62 + 60), rel=0.03)
    assert january < 0.01


def test_industrial_source_found_by_recurrence(synth) -> None:
    GRID, random_fires, table = synth.GRID, synth.random_fires, synth.table
    rng = np.random.default_rng(5)
    parts = [random_fires(rng, y, rate=0.005) for y in (2012, 2013, 2016, 2018)]
    for y in (2012, 2013, 2016, 2018):  # a steelworks: every 5th day, all year, every year
        days = np.arange(np.datetime64(f"{y}-01-01"), np.datetime64(f"{y + 1}-01-01"), 5)
        parts.append((np.full(days.size, 29.505), np.full(days.size, 48.505), days))
    base = build_baseline(table(parts), grid=GRID)
    assert base.is_industrial([29.505, 29.515, 29.6], [48.505, 48.515, 48.6]).tolist() == [
        True, True, False,
    ]  # fmt: skip
    assert base.info["industrial_detections"] >= 4 * 73


def test_donbas_band_has_no_weight_in_war_years(synth) -> None:
    table = synth.table
    grid = UKRAINE_GRID
    fires = table([(np.array([37.75, 30.0]), np.array([48.1, 50.0]),
                    np.array(["2019-05-01", "2019-05-01"], dtype="datetime64[D]")),
                   (np.array([30.0]), np.array([50.0]),
                    np.array(["2013-05-01"], dtype="datetime64[D]"))])  # fmt: skip
    base = build_baseline(fires, grid=grid)
    years = list(base.years)
    avdiivka = grid.cell(37.75, 48.1)
    assert base.weights[avdiivka, years.index(2019)] == 0.0
    assert base.weights[avdiivka, years.index(2013)] == 1.0
    assert base.weights[grid.cell(30.0, 50.0), years.index(2019)] == 1.0


def test_save_load_round_trip(synthetic_baseline: Baseline, tmp_path: Path) -> None:
    p = synthetic_baseline.save(tmp_path / "b.npz")
    back = Baseline.load(p)
    assert back.years == synthetic_baseline.years
    np.testing.assert_array_equal(back.rates(), synthetic_baseline.rates())
    np.testing.assert_array_equal(back.k["masked"], synthetic_baseline.k["masked"])
    assert p.stat().st_size < 2_000_000


def test_activity_factor() -> None:
    obs = np.array([0, 0, 10, 10, 10, 10, 0, 0], dtype=float)
    exp = np.full(8, 5.0)
    f = activity_factor(obs, exp, half_window=1, pseudo=0.0)
    assert f[3] == pytest.approx(2.0)
    assert f[0] == pytest.approx(0.0)
    assert activity_factor(np.zeros(3), np.zeros(3), 1, 20.0).tolist() == [1.0, 1.0, 1.0]

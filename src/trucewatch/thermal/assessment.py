"""War-fire probability of each detection: :func:`assess` runs trucewatch's model and the
Economist peer on a set of detections (the model is described in
:mod:`trucewatch.thermal.classify`).

Steps, each timed: locate the detections against the lines; count them per cell-day
(:func:`trucewatch.thermal.cell_days.count_cell_days`); test the cell-days against the
normal year (:func:`trucewatch.thermal.cell_days.find_anomalies`); fit the mixture
(:func:`trucewatch.thermal.mixture.fit_em`); the posterior of each cell-day and the
probability of each detection; the peer method
(:func:`trucewatch.thermal.economist.economist_classify`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.cell_days import (
    Anomalies,
    CellDays,
    DayLevels,
    count_cell_days,
    dispersion_key,
    find_anomalies,
)
from trucewatch.thermal.climatology import K_RATE_EDGES, Baseline
from trucewatch.thermal.columns import FireTable
from trucewatch.thermal.economist import EconomistResult, economist_classify
from trucewatch.thermal.grid import day_of_year
from trucewatch.thermal.mixture import Fit, FitData, fit_em, posterior, single_thread_blas
from trucewatch.thermal.model import ClassifyParams, ThermalAssessment, band_names
from trucewatch.thermal.stats import nb_sf

__all__ = ["assess"]

Placement = tuple[NDArray[np.float64], NDArray[np.object_], NDArray[np.object_], NDArray[np.int64]]
"""Signed distance to the line, holder, sector and line index of each detection."""


def assess(
    fires: FireTable,
    baseline: Baseline,
    lines: LineHistory | LineContext | None = None,
    params: ClassifyParams | None = None,
) -> ThermalAssessment:
    """Classify detections with both methods.

    Parameters
    ----------
    fires : FireTable
        Detections (:func:`trucewatch.thermal.columns.read_firms_columns`).
    baseline : Baseline
        Normal-year baseline.
    lines : LineHistory or LineContext, optional
        Lines of contact (e.g. :func:`trucewatch.thermal.lines.lines_for_days`); without
        them every cell is in band ``"none"`` (the model still uses recurrence).
    params : ClassifyParams, optional

    Returns
    -------
    ThermalAssessment
    """
    p = params or ClassifyParams()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    names = band_names(p.band_edges_km)
    cell = baseline.grid.cell(fires.lon, fires.lat)
    industrial = baseline.is_industrial(fires.lon, fires.lat)
    day = fires.day.astype(np.int64)
    place = _locate(fires, lines)
    timings["locate_s"] = time.perf_counter() - t0
    if len(fires) == 0 or not (cell >= 0).any():
        return _empty(fires, cell, place, industrial, names)

    t1 = time.perf_counter()
    use = (cell >= 0) & ~industrial
    cd = count_cell_days(day, cell, use, baseline, lines, p.band_edges_km)
    levels = DayLevels.of(cd, baseline, p)
    timings["counts_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    an = find_anomalies(cd, levels, baseline, p, len(names))
    timings["anomaly_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    fit, zero_cell_days = _fit(cd, levels, an, baseline, p)
    timings["fit_s"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    war_share = an.classes.war_share(fit.pi, fit.class_cell_days, p.min_reference_cell_days)
    at = _where(cell, day, cd.d0, use)
    detections = _per_detection(at, cd, levels, an, fit, war_share, baseline, p)
    timings["posterior_s"] = time.perf_counter() - t4
    t5 = time.perf_counter()
    econ = _economist(cell, day, baseline, p)
    timings["economist_s"] = time.perf_counter() - t5
    timings["total_s"] = time.perf_counter() - t0

    distance, held_by, sector, line_index = place
    return ThermalAssessment(
        fires=fires, cell=cell, distance_km=distance, held_by=held_by, sector=sector,
        line_index=line_index, industrial=industrial, **detections, economist=econ,
        fit=_fit_info(fit, names, an, war_share, cd, levels, zero_cell_days),
        band_names=names, low_information_days=cd.days[~levels.informative], timings=timings,
    )  # fmt: skip


def _locate(fires: FireTable, lines: LineHistory | LineContext | None) -> Placement:
    n = len(fires)
    if lines is None or (isinstance(lines, LineHistory) and len(lines) == 0) or n == 0:
        none = np.full(n, None, dtype=object)
        return np.full(n, np.nan), none, none.copy(), np.full(n, -1, dtype=np.int64)
    if isinstance(lines, LineContext):
        r = lines.locate(fires.lon, fires.lat)
        return r.distance_km, r.held_by, r.sector_name, np.zeros(n, dtype=np.int64)
    r = lines.locate(fires.lon, fires.lat, fires.day)
    assert r.line_index is not None
    return r.distance_km, r.held_by, r.sector_name, r.line_index


def _empty(
    fires: FireTable,
    cell: NDArray[np.int64],
    place: Placement,
    industrial: NDArray[np.bool_],
    names: tuple[str, ...],
) -> ThermalAssessment:
    n = len(fires)
    false = np.zeros(n, dtype=bool)
    zeros_i = np.zeros(n, dtype=np.int64)
    nan = np.full(n, np.nan)
    econ = EconomistResult(zeros_i, nan, nan, false, false, false, false, 0, 0)
    return ThermalAssessment(
        fires, cell, *place, industrial, zeros_i, nan, nan,
        false, zeros_i, zeros_i, np.zeros(n), np.zeros(n), false, econ, {}, names,
        np.empty(0, dtype="datetime64[D]"), {},
    )  # fmt: skip


@dataclass(frozen=True)
class _Where:
    """Where each detection falls in the period's (day, cell) arrays: the ``day`` and
    ``cell`` indices (0 outside the grid), ``inside`` the grid, ``use``: counted (inside
    the grid and not industrial)."""

    day: NDArray[np.int64]
    cell: NDArray[np.int64]
    inside: NDArray[np.bool_]
    use: NDArray[np.bool_]


def _where(
    cell: NDArray[np.int64], day: NDArray[np.int64], d0: int, use: NDArray[np.bool_]
) -> _Where:
    """``day``: days since 1970-01-01; the period begins on day ``d0``."""
    inside = cell >= 0
    return _Where(np.where(inside, day - d0, 0), np.where(inside, cell, 0), inside, use)


def _k_class(rate: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rate class of the baseline's dispersion table."""
    return np.searchsorted(np.array(K_RATE_EDGES), rate).astype(np.int64)


def _fit(
    cd: CellDays, levels: DayLevels, an: Anomalies, baseline: Baseline, p: ClassifyParams
) -> tuple[Fit, int]:
    """The mixture fitted on the informative days over the support (cell-days with
    detections and without), and the number of cell-days without detections in the fit."""
    seen, informative = an.seen, levels.informative
    nz_info = informative[seen.at[0]]
    zero_mask = (cd.counts == 0) & informative[:, None] & cd.support[None, :]
    zero_base = np.broadcast_to(cd.rates, cd.counts.shape)[zero_mask].astype(np.float64)
    zero_rate = zero_base * np.broadcast_to(levels.level[:, None], cd.counts.shape)[zero_mask]
    k_table = baseline.k[dispersion_key(p)]
    fit_data = FitData.build(
        n=np.concatenate([seen.n[nz_info], np.zeros(zero_rate.size)]),
        rate=np.concatenate([seen.rate[nz_info], zero_rate]),
        kcls=np.concatenate([_k_class(seen.base[nz_info]), _k_class(zero_base)]),
        k_table=k_table,
        klass=np.concatenate([an.klass[seen.at][nz_info], an.klass[zero_mask]]),
        nclass=an.classes.size,
    )
    with single_thread_blas():
        fit = fit_em(fit_data, an.classes, p)
    return fit, int(zero_mask.sum())


def _per_detection(
    at: _Where,
    cd: CellDays,
    levels: DayLevels,
    an: Anomalies,
    fit: Fit,
    war_share_of_class: NDArray[np.float64],
    baseline: Baseline,
    p: ClassifyParams,
) -> dict[str, NDArray[Any]]:
    """The :class:`ThermalAssessment` arrays of each detection's cell-day (``count``,
    ``expected``, ``p_value``, ``anomalous``, ``recurrence``, ``band``, ``posterior``)
    and of the detection itself (``probability``, ``war``)."""
    use, d_idx, c_idx, seen = at.use, at.day, at.cell, an.seen
    nz_klass = an.klass[seen.at]
    post = np.zeros(cd.counts.shape)
    post[seen.at] = posterior(seen.n, seen.rate, seen.k, nz_klass, fit)
    war_share = np.zeros(cd.counts.shape)
    war_share[seen.at] = war_share_of_class[nz_klass]
    count_det = np.where(use, cd.counts[d_idx, c_idx], 0)
    base_det = cd.rates[d_idx, c_idx].astype(np.float64)
    rate_det = np.where(at.inside, base_det * levels.level[d_idx], np.nan)
    k_det = baseline.size_k(base_det, dispersion_key(p))
    p_det = np.where(use, nb_sf(count_det, np.nan_to_num(rate_det), k_det), np.nan)
    post_det = np.where(use, post[d_idx, c_idx], 0.0)
    share = np.where(count_det > 0, np.clip(1.0 - rate_det / np.maximum(count_det, 1), 0, 1), 0)
    war_part = np.where(use, war_share[d_idx, c_idx], 0.0)
    probability = post_det * war_part * share
    return {
        "count": count_det.astype(np.int64),
        "expected": rate_det,
        "p_value": p_det,
        "anomalous": np.where(use, an.anomalous[d_idx, c_idx], False),
        "recurrence": np.where(use, an.recurrence[d_idx, c_idx], 0),
        "band": np.where(at.inside, cd.bands.at(d_idx, c_idx), 0),
        "posterior": post_det,
        "probability": probability,
        "war": probability >= p.threshold,
    }


def _economist(
    cell: NDArray[np.int64], day: NDArray[np.int64], baseline: Baseline, p: ClassifyParams
) -> EconomistResult:
    """The peer method on the baseline without the industrial mask (variant ``"all"``)."""
    scale = float(p.scale)
    rates_all = baseline.rates("all")

    def expected_all(c: NDArray[np.int64], d: NDArray[np.int64]) -> NDArray[np.float64]:
        return rates_all[day_of_year(d.astype("datetime64[D]")), c].astype(np.float64) * scale

    def k_all(r: NDArray[np.float64]) -> NDArray[np.float64]:
        return baseline.size_k(r / scale, "all")

    return economist_classify(cell, day, expected_all, k_all, p.economist)


def _fit_info(
    fit: Fit,
    names: tuple[str, ...],
    an: Anomalies,
    war_share: NDArray[np.float64],
    cd: CellDays,
    levels: DayLevels,
    zero_cell_days: int,
) -> dict[str, Any]:
    """``ThermalAssessment.fit``: the fitted parameters and diagnostics (JSON-able)."""
    fit_info = fit.as_dict(names, an.classes, war_share, str(cd.day0.astype("datetime64[M]")))
    fit_info.update(
        scale=levels.scale,
        activity_factor={
            "min": round(float(levels.factor.min()), 3),
            "median": round(float(np.median(levels.factor)), 3),
            "max": round(float(levels.factor.max()), 3),
        },
        informative_days=int(levels.informative.sum()),
        days=int(cd.ndays),
        zero_cell_days=zero_cell_days,
        cell_days_with_detections=int(an.seen.n.size),
    )
    return fit_info

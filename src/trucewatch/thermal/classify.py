"""War-fire likelihood of each FIRMS detection: trucewatch's model and the Economist peer.

**trucewatch** (:func:`assess`) works on cell-days (0.1-degree cell, UTC day) and asks
for each one: is this normal fire activity, or normal activity plus war fire? It is a
two-component mixture fitted to the data being classified (empirical Bayes, EM):

* normal: ``N ~ NB(rate, k)``, the pre-war baseline of that cell and day of year
  (:mod:`trucewatch.thermal.baseline`, industrial sources masked), fixed;
* war: ``N ~ NB(rate + mu, k1)``: the normal activity plus war fire with mean ``mu``
  detections per war cell-day and its own dispersion ``k1`` (both fitted);
* prior probability that a cell-day is a war cell-day, ``pi[band, r]`` (fitted), by
  **where** the cell is - its centre's side of the contact line valid that day and
  distance band (0-10, 10-30, 30-100, > 100 km on the Russian-held side and on the
  Ukrainian-held side, or no line) - and by **recurrence** ``r``: on how many other days
  within ±14 days the cell or one of its 8 neighbours had an anomalous count (0, 1, 2,
  3+; anomalous: ``P(N >= n) < 0.05`` in a normal year). Each ``pi`` is shrunk towards
  the pooled value of its recurrence class with the weight of 200 cell-days.

All cell-days of the period count, with or without detections, except on
low-information days (fewer than a quarter of the normal national total detected:
cloud cover or missing passes), which do not inform the fit. The posterior probability
``P(war | n, band, r)`` of the cell-day, times the share of its detections in excess of
the normal rate (``max(0, 1 - rate / n)``), is the **probability** of each detection;
``war_related`` is ``probability >= 0.5``. Industrial detections (the baseline's
mask) have probability 0.

**economist**: the published thresholds (:mod:`trucewatch.thermal.economist`) on the
same baseline without the industrial mask.

:func:`classify` runs both and returns the JSON-able summary of ``trucewatch thermal
classify``. Distances are km (signed: positive on the Russian-held side), days UTC.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, optimize, special

from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.baseline import K_RATE_EDGES, Baseline, activity_factor
from trucewatch.thermal.columns import FireTable, read_firms_columns
from trucewatch.thermal.economist import EconomistParams, EconomistResult, economist_classify
from trucewatch.thermal.grid import day_of_year
from trucewatch.thermal.stats import nb_logpmf, nb_sf

__all__ = [
    "DISTANCES_KM",
    "ClassifyParams",
    "ThermalAssessment",
    "assess",
    "band_names",
    "classify",
    "classify_files",
    "summarize",
]

DISTANCES_KM = (10.0, 30.0, 100.0)
"""Distances (km) of the ``within_*km`` concentration shares."""


@dataclass(frozen=True, kw_only=True)
class ClassifyParams:
    """Parameters of :func:`assess` (see the module docstring).

    Attributes
    ----------
    alpha : float
        Normal-year tail probability below which a cell-day is anomalous (recurrence).
    recurrence_days : int
        Half width (days) of the recurrence window.
    recurrence_cap : int
        Recurrence classes 0 .. cap (cap means "cap or more").
    neighbourhood : int
        Cells (n x n) around a cell searched for recurrence.
    band_edges_km : tuple of float
        Distance band edges (km), the same on both sides of the line.
    threshold : float
        ``war_related`` when the probability is at least this.
    prior_strength : float
        Shrinkage of each month's ``pi`` towards its class over the whole period (same
        band and recurrence), in cell-days.
    min_reference_cell_days : float
        Cell-days the reference band needs in a month to serve as that month's
        reference (else the whole period's).
    max_iterations, tolerance : int, float
        Stopping rule of the L-BFGS fit (iterations per stage; relative change of the
        objective).
    info_fraction : float
        A day is low-information when fewer detections than this share of the expected
        national total (normal rates times the activity factor) were seen: cloud cover or
        missing passes (0 disables the test).
    activity_factor : bool
        Multiply the normal rates by the day's activity factor, observed over expected
        detections within ±7 days in cells more than 100 km from the line on the
        Ukrainian-held side (:func:`trucewatch.thermal.baseline.activity_factor`): the
        year's weather, farming calendar and satellite coverage, estimated where there is
        no war.
    scale : float
        Fixed multiplier of the baseline rates (both methods; e.g. another instrument).
    causal : bool
        Recurrence from past days only (for live use); default both ways.
    economist : EconomistParams
        Thresholds of the peer method.
    """

    alpha: float = 0.05
    recurrence_days: int = 14
    recurrence_cap: int = 3
    neighbourhood: int = 3
    band_edges_km: tuple[float, ...] = (10.0, 30.0, 100.0)
    threshold: float = 0.5
    prior_strength: float = 200.0
    min_reference_cell_days: float = 2000.0
    max_iterations: int = 300
    tolerance: float = 1e-8
    info_fraction: float = 0.25
    activity_factor: bool = True
    scale: float = 1.0
    causal: bool = False
    economist: EconomistParams = field(default_factory=EconomistParams)


def band_names(edges: Sequence[float]) -> tuple[str, ...]:
    """Names of the distance bands: ``"none"``, then the Russian-held side, then the
    Ukrainian-held side, nearest first (``"RU 0-10 km"`` ... ``"UA >100 km"``)."""
    bounds = [0.0, *edges]
    parts = [f"{bounds[i]:g}-{bounds[i + 1]:g} km" for i in range(len(edges))]
    parts.append(f">{bounds[-1]:g} km")
    return ("none", *(f"RU {p}" for p in parts), *(f"UA {p}" for p in parts))


def _band_of(distance_km: NDArray[np.float64], edges: Sequence[float]) -> NDArray[np.int64]:
    """Band index of signed distances (0 for NaN)."""
    nb = len(edges) + 1
    d = np.asarray(distance_km, dtype=np.float64)
    ok = np.isfinite(d)
    dist = np.searchsorted(np.asarray(edges), np.abs(np.where(ok, d, 0.0)), side="right")
    band = np.where(d >= 0, 1 + dist, 1 + nb + dist)
    return np.where(ok, band, 0).astype(np.int64)


@dataclass(frozen=True)
class ThermalAssessment:
    """Per-detection results of :func:`assess` (arrays of ``len(fires)``).

    Attributes
    ----------
    fires : FireTable
        The detections.
    cell : ndarray of int64
        0.1-degree cell (-1: outside the grid).
    distance_km : ndarray of float64
        Signed distance to the line valid that day (positive: Russian-held side); NaN
        without a line.
    held_by, sector : ndarray of object
        Party holding the point and sector of the nearest point of the line (or None).
    line_index : ndarray of int64
        Line of the history used (-1: none).
    industrial : ndarray of bool
        In the baseline's industrial mask.
    count, expected, p_value : ndarrays
        trucewatch counts of the cell-day (industrial detections left out), the normal
        rate and ``P(N >= count)`` in a normal year.
    anomalous : ndarray of bool
        ``p_value < alpha``.
    recurrence : ndarray of int64
        Other days with anomalous counts within the window and neighbourhood (capped).
    band : ndarray of int64
        Distance band of the cell centre (index into ``band_names``).
    posterior : ndarray of float64
        Probability that the cell-day is a war cell-day.
    probability : ndarray of float64
        Probability that the detection is a war fire.
    war : ndarray of bool
        trucewatch's ``war_related`` flag.
    economist : EconomistResult
        The peer method's flags.
    fit : dict
        Fitted parameters and diagnostics (JSON-able).
    """

    fires: FireTable
    cell: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    held_by: NDArray[np.object_]
    sector: NDArray[np.object_]
    line_index: NDArray[np.int64]
    industrial: NDArray[np.bool_]
    count: NDArray[np.int64]
    expected: NDArray[np.float64]
    p_value: NDArray[np.float64]
    anomalous: NDArray[np.bool_]
    recurrence: NDArray[np.int64]
    band: NDArray[np.int64]
    posterior: NDArray[np.float64]
    probability: NDArray[np.float64]
    war: NDArray[np.bool_]
    economist: EconomistResult
    fit: dict[str, Any]
    band_names: tuple[str, ...]
    low_information_days: NDArray[np.datetime64]
    timings: dict[str, float]

    def __len__(self) -> int:
        return int(self.cell.size)


# --------------------------------------------------------------------------- assessment


def _locate(
    fires: FireTable, lines: LineHistory | LineContext | None
) -> tuple[NDArray[np.float64], NDArray[np.object_], NDArray[np.object_], NDArray[np.int64]]:
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


def _centre_bands(
    base: Baseline,
    lines: LineHistory | LineContext | None,
    day0: np.datetime64,
    ndays: int,
    edges: Sequence[float],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Band of every cell centre for each line, and the line used on each day."""
    lon, lat = base.grid.centres()
    if lines is None or (isinstance(lines, LineHistory) and len(lines) == 0):
        return np.zeros((1, base.grid.size), dtype=np.int64), np.zeros(ndays, dtype=np.int64)
    contexts = [lines] if isinstance(lines, LineContext) else lines.contexts
    bands = []
    for ctx in contexts:
        r = ctx.locate(lon, lat)
        unheld = np.array([h is None for h in r.held_by], dtype=bool)
        d = np.where(unheld, np.nan, r.distance_km).astype(np.float64)
        bands.append(_band_of(d, edges))
    bands.append(np.zeros(base.grid.size, dtype=np.int64))  # "no line" row
    days = day0 + np.arange(ndays).astype("timedelta64[D]")
    if isinstance(lines, LineContext):
        which = np.zeros(ndays, dtype=np.int64)
    else:
        which = lines.index_at(days)
        which = np.where(which >= 0, which, len(contexts))
    return np.array(bands), which


def _recurrence(
    anomalous: NDArray[np.bool_], shape: tuple[int, int], p: ClassifyParams
) -> NDArray[np.int64]:
    """Other days in the window on which the cell's neighbourhood had an anomaly."""
    ndays = anomalous.shape[0]
    a = anomalous.reshape(ndays, *shape).astype(np.uint8)
    nb = p.neighbourhood
    m = ndimage.maximum_filter(a, size=(1, nb, nb), mode="constant").reshape(ndays, -1)
    cs = np.concatenate([np.zeros((1, m.shape[1]), np.int32), np.cumsum(m, axis=0, dtype=np.int32)])
    w = p.recurrence_days
    t = np.arange(ndays)
    lo = np.clip(t - w, 0, ndays)
    hi = np.clip(t if p.causal else t + w + 1, 0, ndays)
    total = cs[hi] - cs[lo]
    if not p.causal:
        total = total - m  # the day itself is not recurrence
    return np.minimum(total, p.recurrence_cap).astype(np.int64)


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
    n = len(fires)
    grid = baseline.grid
    ncell = grid.size
    edges = p.band_edges_km
    names = band_names(edges)
    cell = grid.cell(fires.lon, fires.lat)
    industrial = baseline.is_industrial(fires.lon, fires.lat)
    dayn = fires.day.astype(np.int64)
    distance, held_by, sector, line_index = _locate(fires, lines)
    timings["locate_s"] = time.perf_counter() - t0

    if n == 0 or not (cell >= 0).any():
        return _empty(fires, cell, distance, held_by, sector, line_index, industrial, names, p)

    t1 = time.perf_counter()
    inside = cell >= 0
    d0 = int(dayn[inside].min())
    ndays = int(dayn[inside].max()) - d0 + 1
    day0 = np.datetime64(d0, "D")
    days = day0 + np.arange(ndays).astype("timedelta64[D]")
    doy = day_of_year(days)
    use = inside & ~industrial
    flat = (dayn - d0) * ncell + cell
    counts = np.bincount(flat[use], minlength=ndays * ncell).reshape(ndays, ncell)
    rates = baseline.rates("masked")
    support = baseline.support.copy()
    support[np.unique(cell[use])] = True

    # activity factor (from cells far from the line) and informative days
    bands, which = _centre_bands(baseline, lines, day0, ndays, edges)
    rates_days = rates[doy]  # (ndays, ncell), float32
    scale = float(p.scale)
    if p.activity_factor:
        factor = _activity_factor(counts, rates_days, bands[which], support, len(edges), baseline)
    else:
        factor = np.ones(ndays)
    level = scale * factor  # multiplier of the normal rates, per day
    expected_total = rates_days[:, support].sum(axis=1, dtype=np.float64) * level
    observed_total = counts.sum(axis=1)
    informative = observed_total >= p.info_fraction * expected_total
    timings["counts_s"] = time.perf_counter() - t1

    # cell-days with detections: normal-year tail probability, anomaly, recurrence
    t2 = time.perf_counter()
    k_key = "masked_factor" if p.activity_factor else "masked"
    nz_day, nz_cell = np.nonzero(counts)
    nz_n = counts[nz_day, nz_cell].astype(np.float64)
    nz_base = rates_days[nz_day, nz_cell].astype(np.float64)
    nz_rate = nz_base * level[nz_day]
    nz_k = baseline.size_k(nz_base, k_key)
    nz_p = nb_sf(nz_n, nz_rate, nz_k)
    anomalous = np.zeros((ndays, ncell), dtype=bool)
    anomalous[nz_day, nz_cell] = nz_p < p.alpha
    rec = _recurrence(anomalous, grid.shape, p)
    month = days.astype("datetime64[M]").astype(np.int64)
    classes = _Classes(
        nmonths=int(month.max() - month.min()) + 1, nbands=len(names),
        ncap=p.recurrence_cap + 1, reference=2 * (len(edges) + 1),
    )  # fmt: skip
    klass = classes.index(month - month.min(), bands[which], rec)  # (ndays, ncell)
    timings["anomaly_s"] = time.perf_counter() - t2

    # EM on informative days over the support
    t3 = time.perf_counter()
    nz_info = informative[nz_day]
    zero_mask = (counts == 0) & informative[:, None] & support[None, :]
    zero_base = np.broadcast_to(rates_days, counts.shape)[zero_mask].astype(np.float64)
    zero_rate = zero_base * np.broadcast_to(level[:, None], counts.shape)[zero_mask]
    k_table = baseline.k[k_key]
    fit_data = _FitData.build(
        n=np.concatenate([nz_n[nz_info], np.zeros(zero_rate.size)]),
        rate=np.concatenate([nz_rate[nz_info], zero_rate]),
        kcls=np.concatenate([_k_class(nz_base[nz_info]), _k_class(zero_base)]),
        k_table=k_table,
        klass=np.concatenate([klass[nz_day, nz_cell][nz_info], klass[zero_mask]]),
        nclass=classes.size,
    )
    with _single_thread_blas():
        fit = _fit_em(fit_data, classes, p)
    timings["fit_s"] = time.perf_counter() - t3

    # posterior of every cell-day with detections, then per detection
    t4 = time.perf_counter()
    nz_klass = klass[nz_day, nz_cell]
    post = np.zeros((ndays, ncell))
    post[nz_day, nz_cell] = _posterior(nz_n, nz_rate, nz_k, nz_klass, fit)
    war_share_of_class = classes.war_share(fit.pi, fit.class_cell_days, p.min_reference_cell_days)
    war_share = np.zeros((ndays, ncell))
    war_share[nz_day, nz_cell] = war_share_of_class[nz_klass]
    d_idx = np.where(inside, dayn - d0, 0)
    c_idx = np.where(inside, cell, 0)
    count_det = np.where(use, counts[d_idx, c_idx], 0)
    base_det = rates_days[d_idx, c_idx].astype(np.float64)
    rate_det = np.where(inside, base_det * level[d_idx], np.nan)
    k_det = baseline.size_k(base_det, k_key)
    p_det = np.where(use, nb_sf(count_det, np.nan_to_num(rate_det), k_det), np.nan)
    posterior = np.where(use, post[d_idx, c_idx], 0.0)
    share = np.where(count_det > 0, np.clip(1.0 - rate_det / np.maximum(count_det, 1), 0, 1), 0)
    war_part = np.where(use, war_share[d_idx, c_idx], 0.0)
    probability = posterior * war_part * share
    war = probability >= p.threshold
    timings["posterior_s"] = time.perf_counter() - t4

    t5 = time.perf_counter()
    rates_all = baseline.rates("all")

    def expected_all(c: NDArray[np.int64], d: NDArray[np.int64]) -> NDArray[np.float64]:
        return rates_all[day_of_year(d.astype("datetime64[D]")), c].astype(np.float64) * scale

    def k_all(r: NDArray[np.float64]) -> NDArray[np.float64]:
        return baseline.size_k(r / scale, "all")

    econ = economist_classify(cell, dayn, expected_all, k_all, p.economist)
    timings["economist_s"] = time.perf_counter() - t5
    timings["total_s"] = time.perf_counter() - t0

    fit_info = fit.as_dict(names, classes, war_share_of_class, str(day0.astype("datetime64[M]")))
    fit_info.update(
        scale=scale,
        activity_factor={
            "min": round(float(factor.min()), 3),
            "median": round(float(np.median(factor)), 3),
            "max": round(float(factor.max()), 3),
        },
        informative_days=int(informative.sum()),
        days=int(ndays),
        zero_cell_days=int(zero_mask.sum()),
        cell_days_with_detections=int(nz_n.size),
    )
    return ThermalAssessment(
        fires=fires,
        cell=cell,
        distance_km=distance,
        held_by=held_by,
        sector=sector,
        line_index=line_index,
        industrial=industrial,
        count=count_det.astype(np.int64),
        expected=rate_det,
        p_value=p_det,
        anomalous=np.where(use, anomalous[d_idx, c_idx], False),
        recurrence=np.where(use, rec[d_idx, c_idx], 0),
        band=np.where(inside, bands[which[d_idx], c_idx], 0),
        posterior=posterior,
        probability=probability,
        war=war,
        economist=econ,
        fit=fit_info,
        band_names=names,
        low_information_days=days[~informative],
        timings=timings,
    )


def _k_class(rate: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rate class of the baseline's dispersion table."""
    return np.searchsorted(np.array(K_RATE_EDGES), rate).astype(np.int64)


def _activity_factor(
    counts: NDArray[np.int64],
    rates_days: NDArray[np.float32],
    band_by_day: NDArray[np.int64],
    support: NDArray[np.bool_],
    nedges: int,
    baseline: Baseline,
) -> NDArray[np.float64]:
    """Activity factor per day (:func:`trucewatch.thermal.baseline.activity_factor`) from
    the cells more than the last band edge from the line on the Ukrainian-held side
    (every supported cell on days without a line)."""
    far_band = 2 * (nedges + 1)  # "UA >last km"
    far = (band_by_day == far_band) & support[None, :]
    no_far = ~far.any(axis=1)
    far[no_far] = support[None, :]
    observed = np.where(far, counts, 0).sum(axis=1).astype(np.float64)
    expected = np.where(far, rates_days, 0.0).sum(axis=1, dtype=np.float64)
    bp = baseline.params
    return activity_factor(observed, expected, bp.factor_window_days, bp.factor_pseudo)


def _empty(
    fires: FireTable,
    cell: NDArray[np.int64],
    distance: NDArray[np.float64],
    held_by: NDArray[np.object_],
    sector: NDArray[np.object_],
    line_index: NDArray[np.int64],
    industrial: NDArray[np.bool_],
    names: tuple[str, ...],
    p: ClassifyParams,
) -> ThermalAssessment:
    n = len(fires)
    false = np.zeros(n, dtype=bool)
    zeros_i = np.zeros(n, dtype=np.int64)
    nan = np.full(n, np.nan)
    econ = EconomistResult(zeros_i, nan, nan, false, false, false, false, 0, 0)
    return ThermalAssessment(
        fires, cell, distance, held_by, sector, line_index, industrial, zeros_i, nan, nan,
        false, zeros_i, zeros_i, np.zeros(n), np.zeros(n), false, econ, {}, names,
        np.empty(0, dtype="datetime64[D]"), {},
    )  # fmt: skip


# --------------------------------------------------------------------------- the EM fit


_RATE_BINS_PER_E = 20.0  # log-rate bins per factor e (5 %) when grouping cell-days
_ZERO_RATE_BINS_PER_E = 8.0  # coarser (13 %) for cell-days without detections


@dataclass
class _FitData:
    """Cell-days for the fit, grouped by (class, count, rate bin, normal k): ``count``
    cell-days of each group share ``n`` and ``klass`` and have the mean ``rate``."""

    n: NDArray[np.float64]
    rate: NDArray[np.float64]
    klass: NDArray[np.int64]
    count: NDArray[np.float64]
    logf0: NDArray[np.float64]
    n_values: NDArray[np.float64]
    n_inverse: NDArray[np.int64]
    nclass: int

    @classmethod
    def build(
        cls,
        *,
        n: NDArray[np.float64],
        rate: NDArray[np.float64],
        kcls: NDArray[np.int64],
        k_table: NDArray[np.float64],
        klass: NDArray[np.int64],
        nclass: int,
    ) -> _FitData:
        """Group cell-days: ``kcls`` indexes ``k_table`` (the normal dispersion)."""
        logr = np.log(np.maximum(rate, 1e-12))
        nidx = n.astype(np.int64)  # counts are whole numbers
        per_e = np.where(nidx == 0, _ZERO_RATE_BINS_PER_E, _RATE_BINS_PER_E)
        rbin = np.floor(logr * per_e).astype(np.int64)
        rbin -= int(rbin.min(initial=0))
        n_values = np.arange(int(nidx.max(initial=0)) + 1, dtype=np.float64)
        sizes = (nclass, n_values.size, int(rbin.max(initial=0)) + 1, k_table.size)
        key = ((klass * sizes[1] + nidx) * sizes[2] + rbin) * sizes[3] + kcls
        # zero cell-days (most of them) by a dense count over their small key space,
        # the others by sorting
        zero = nidx == 0
        zkey = (klass[zero] * sizes[2] + rbin[zero]) * sizes[3] + kcls[zero]
        zspace = sizes[0] * sizes[2] * sizes[3]
        zc_all = np.bincount(zkey, minlength=zspace)
        zu = np.flatnonzero(zc_all)
        zr = np.bincount(zkey, weights=rate[zero], minlength=zspace)[zu] / zc_all[zu]
        zu_full = ((zu // sizes[3] // sizes[2] * sizes[1]) * sizes[2]
                   + zu // sizes[3] % sizes[2]) * sizes[3] + zu % sizes[3]  # fmt: skip
        nu, inv, ncnt = np.unique(key[~zero], return_inverse=True, return_counts=True)
        nr = np.bincount(inv, weights=rate[~zero], minlength=nu.size) / np.maximum(ncnt, 1)
        ukey = np.concatenate([zu_full, nu])
        cnt = np.concatenate([zc_all[zu], ncnt])
        mean_rate = np.concatenate([zr, nr])
        g_k = k_table[ukey % sizes[3]]
        rest = ukey // sizes[3] // sizes[2]
        g_nidx = rest % sizes[1]
        g_n = n_values[g_nidx]
        g_klass = rest // sizes[1]
        gn_values, gn_inverse = np.unique(g_n, return_inverse=True)
        return cls(
            n=g_n,
            rate=mean_rate,
            klass=g_klass,
            count=cnt.astype(np.float64),
            logf0=nb_logpmf(g_n, mean_rate, g_k),
            n_values=gn_values,
            n_inverse=gn_inverse,
            nclass=nclass,
        )


@dataclass
class _Fit:
    pi: NDArray[np.float64]
    mu: float
    k1: float
    loglik: float
    iterations: int
    converged: bool
    class_cell_days: NDArray[np.float64]

    def as_dict(
        self,
        names: tuple[str, ...],
        classes: _Classes,
        war_share: NDArray[np.float64],
        first_month: str,
    ) -> dict[str, Any]:
        table = []
        m0 = np.datetime64(first_month, "M")
        for c in np.flatnonzero(self.class_cell_days > 0):
            month, band, r = classes.parts(int(c))
            table.append({
                "month": str(m0 + month),
                "band": names[band],
                "recurrence": r if r < classes.ncap - 1 else f"{r}+",
                "cell_days": int(self.class_cell_days[c]),
                "pi": round(float(self.pi[c]), 6),
                "war_share": round(float(war_share[c]), 4),
            })  # fmt: skip
        return {
            "mu": round(self.mu, 4),
            "k1": round(self.k1, 4),
            "loglik": round(self.loglik, 3),
            "iterations": self.iterations,
            "converged": self.converged,
            "reference_band": names[classes.reference],
            "prior_by_class": table,
        }


@dataclass(frozen=True)
class _Classes:
    """Prior classes: (month of the period, distance band, recurrence); the pooled classes
    (band, recurrence over the whole period) centre the prior; the reference band gives
    the rate of anomalous cell-days that are not war."""

    nmonths: int
    nbands: int
    ncap: int
    reference: int

    @property
    def size(self) -> int:
        return self.nmonths * self.nbands * self.ncap

    @property
    def pooled_size(self) -> int:
        return self.nbands * self.ncap

    def index(
        self, month: NDArray[np.int64], band: NDArray[np.int64], rec: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """Class of cell-days (``month`` per day, ``band`` and ``rec`` per cell-day)."""
        m = np.asarray(month)[:, None] if np.ndim(band) == 2 else np.asarray(month)
        return ((m * self.nbands + band) * self.ncap + rec).astype(np.int64)

    def parts(self, c: int) -> tuple[int, int, int]:
        """(month, band, recurrence) of a class."""
        return c // (self.nbands * self.ncap), c // self.ncap % self.nbands, c % self.ncap

    def pooled(self, klass: NDArray[np.int64]) -> NDArray[np.int64]:
        """Pooled class (band, recurrence: all months together) of classes."""
        return klass % (self.nbands * self.ncap)

    def war_share(
        self, pi: NDArray[np.float64], cell_days: NDArray[np.float64], min_reference: float
    ) -> NDArray[np.float64]:
        """Share of a class's anomalous cell-days that are war: ``1 - pi_ref / pi`` with
        ``pi_ref`` the same month and recurrence in the reference band (clipped to 0-1);
        0 in the reference band itself. Where the reference has fewer than
        ``min_reference`` cell-days that month, the month's pooled reference over the
        whole period is used; without any reference (no line), 1."""
        c = np.arange(self.size)
        month, r = c // (self.nbands * self.ncap), c % self.ncap
        ref = (month * self.nbands + self.reference) * self.ncap + r
        ref_pi = pi[ref]
        ok = cell_days[ref] >= min_reference
        # whole-period reference per recurrence class, weighted by cell-days
        ref_all = (np.arange(self.nmonths)[:, None] * self.nbands + self.reference) * self.ncap
        ref_all = ref_all + np.arange(self.ncap)[None, :]  # (nmonths, ncap)
        w = cell_days[ref_all]
        total_w = w.sum(axis=0)
        if not (total_w >= min_reference).any():
            return np.ones(self.size)
        pooled_ref = (pi[ref_all] * w).sum(axis=0) / np.maximum(total_w, 1e-12)
        ref_pi = np.where(ok, ref_pi, pooled_ref[r])
        share = np.clip(1.0 - ref_pi / pi, 0.0, 1.0)
        in_ref = c // self.ncap % self.nbands == self.reference
        return np.where(in_ref, 0.0, share)


def _fit_em(d: _FitData, classes: _Classes, p: ClassifyParams) -> _Fit:
    """Maximum penalized likelihood of the mixture, in two stages: first ``pi`` by pooled
    class (band, recurrence over the whole period; no penalty), then every class (one per
    month) with the pseudo-count prior ``prior_strength`` centred on its pooled class's
    value. L-BFGS on the marginal likelihood with its exact gradient (the gradient is the
    EM complete-data gradient at the current posteriors)."""
    nclass = d.nclass
    npool = classes.pooled_size
    den = np.bincount(d.klass, weights=d.count, minlength=nclass)
    x1 = np.concatenate([np.full(npool, special.logit(0.01)), np.log([2.0, 0.5])])
    res1 = optimize.minimize(
        _neg_loglik, x1, args=(d, classes.pooled(d.klass), npool, None, 0.0), jac=True,
        method="L-BFGS-B", bounds=_bounds(npool), options={"maxiter": p.max_iterations},
    )  # fmt: skip
    pooled = special.expit(res1.x[:npool])
    centre = pooled[classes.pooled(np.arange(nclass))]
    x2 = np.concatenate([special.logit(centre), res1.x[npool:]])
    res2 = optimize.minimize(
        _neg_loglik, x2, args=(d, d.klass, nclass, centre, p.prior_strength),
        jac=True, method="L-BFGS-B", bounds=_bounds(nclass),
        options={"maxiter": p.max_iterations, "ftol": p.tolerance},
    )  # fmt: skip
    pi = special.expit(res2.x[:nclass])
    mu, k1 = float(np.exp(res2.x[nclass])), float(np.exp(res2.x[nclass + 1]))
    return _Fit(
        pi, mu, k1, -float(res2.fun), int(res1.nit + res2.nit), bool(res2.success),
        den.astype(np.float64),
    )  # fmt: skip


def _bounds(nclass: int) -> list[tuple[float, float]]:
    logit_lim = (-16.0, 16.0)
    return [logit_lim] * nclass + [(np.log(0.05), np.log(1e4)), (np.log(1e-3), np.log(1e3))]


@contextmanager
def _single_thread_blas() -> Iterator[None]:
    """One BLAS thread for the small dense work of the fit (threads only add overhead
    there, and stall on a busy machine); a no-op without ``threadpoolctl``."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Sum of products without BLAS (whose threads stall on a busy machine)."""
    return float(np.sum(a * b))


def _neg_loglik(
    x: NDArray[np.float64],
    d: _FitData,
    klass: NDArray[np.int64],
    nclass: int,
    centre: NDArray[np.float64] | None,
    strength: float,
) -> tuple[float, NDArray[np.float64]]:
    """Minus the penalized marginal log-likelihood and its gradient in
    (logit pi, log mu, log k1)."""
    theta = x[:nclass]
    mu, k = float(np.exp(x[nclass])), float(np.exp(x[nclass + 1]))
    log_pi = -np.logaddexp(0.0, -theta)
    log_1pi = -np.logaddexp(0.0, theta)
    pi = np.exp(log_pi)
    m = d.rate + mu
    km = k + m
    log_km = np.log(km)
    lg = special.gammaln(d.n_values + k) - special.gammaln(k) - special.gammaln(d.n_values + 1)
    lf1 = lg[d.n_inverse] + k * (np.log(k) - log_km) + d.n * (np.log(m) - log_km)
    a = log_pi[klass] + lf1
    ll = np.logaddexp(a, log_1pi[klass] + d.logf0)
    w = np.exp(a - ll)  # posterior of the war component, per group
    c = d.count.astype(np.float64)
    wc = w * c
    total = _dot(c, ll)
    g_theta = np.bincount(klass, weights=wc, minlength=nclass) - pi * np.bincount(
        klass, weights=c, minlength=nclass
    )
    if centre is not None and strength > 0:
        total += strength * (_dot(centre, log_pi) + _dot(1 - centre, log_1pi))
        g_theta = g_theta + strength * (centre - pi)
    dm = _dot(wc, d.n / m - (d.n + k) / km)
    wn = np.bincount(d.n_inverse, weights=wc, minlength=d.n_values.size).astype(np.float64)
    dg = special.digamma(d.n_values + k) - special.digamma(k)
    dk = _dot(wn, dg) + _dot(wc, np.log(k) + 1.0 - log_km - (d.n + k) / km)
    grad = np.concatenate([g_theta, [mu * dm, k * dk]])
    return -total, -grad


def _posterior(
    n: NDArray[np.float64],
    rate: NDArray[np.float64],
    k0: NDArray[np.float64],
    klass: NDArray[np.int64],
    fit: _Fit,
) -> NDArray[np.float64]:
    lf0 = nb_logpmf(n, rate, k0)
    lf1 = nb_logpmf(n, rate + fit.mu, fit.k1)
    logit = np.log(fit.pi[klass]) - np.log1p(-fit.pi[klass]) + lf1 - lf0
    return np.asarray(special.expit(logit), dtype=np.float64)


# --------------------------------------------------------------------------- summaries


def _shares(
    flag: NDArray[np.bool_], distance: NDArray[np.float64], held_by: NDArray[np.object_]
) -> dict[str, Any]:
    n = int(flag.sum())
    out: dict[str, Any] = {"war_related": n}
    d = np.abs(distance[flag])
    for km in DISTANCES_KM:
        with np.errstate(invalid="ignore"):
            within = int(np.sum(d <= km))
        out[f"within_{km:g}km"] = round(within / n, 4) if n else None
    ru = int(np.sum(held_by[flag] == "RU"))
    out["on_russian_held_side"] = round(ru / n, 4) if n else None
    return out


def _agreement(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> dict[str, Any]:
    n = a.size
    both = int(np.sum(a & b))
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    neither = n - both - only_a - only_b
    po = (both + neither) / n if n else float("nan")
    pa, pb = (a.mean(), b.mean()) if n else (0.0, 0.0)
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (po - pe) / (1 - pe) if n and pe < 1 else None
    union = both + only_a + only_b
    return {
        "both": both,
        "trucewatch_only": only_a,
        "economist_only": only_b,
        "neither": neither,
        "cohen_kappa": None if kappa is None else round(float(kappa), 4),
        "jaccard": round(both / union, 4) if union else None,
    }


def summarize(a: ThermalAssessment, *, by_month: bool = True) -> dict[str, Any]:
    """The JSON-able summary printed by ``trucewatch thermal classify --json``."""
    n = len(a)
    tw = _shares(a.war, a.distance_km, a.held_by)
    tw["mean_probability"] = round(float(a.probability.mean()), 4) if n else None
    ec = _shares(a.economist.war, a.distance_km, a.held_by)
    ec["anomalous_cell_days"] = a.economist.anomalous_cell_days
    ec["qualified_cells"] = a.economist.qualified_cells
    every = _shares(np.ones(n, dtype=bool), a.distance_km, a.held_by)
    every.pop("war_related")
    day = a.fires.day
    out: dict[str, Any] = {
        "detections": n,
        "first_day": str(day.min()) if n else None,
        "last_day": str(day.max()) if n else None,
        "outside_grid": int(np.sum(a.cell < 0)),
        "industrial_masked": int(a.industrial.sum()),
        "located": int(np.isfinite(a.distance_km).sum()),
        "methods": {"trucewatch": tw, "economist": ec},
        "agreement": _agreement(a.war, a.economist.war),
        "all_detections": every,
        "low_information_days": [str(x) for x in a.low_information_days],
        "fit": a.fit,
    }
    if by_month and n:
        out["by_month"] = _by_month(a)
    return out


def _by_month(a: ThermalAssessment) -> list[dict[str, Any]]:
    month = a.fires.day.astype("datetime64[M]")
    rows = []
    for m in np.unique(month):
        sel = month == m
        tw = _shares(a.war[sel], a.distance_km[sel], a.held_by[sel])
        ec = _shares(a.economist.war[sel], a.distance_km[sel], a.held_by[sel])
        agr = _agreement(a.war[sel], a.economist.war[sel])
        rows.append({
            "month": str(m),
            "detections": int(sel.sum()),
            "trucewatch": tw,
            "economist": ec,
            "cohen_kappa": agr["cohen_kappa"],
            "jaccard": agr["jaccard"],
        })  # fmt: skip
    return rows


def classify(
    fires: FireTable,
    baseline: Baseline,
    lines: LineHistory | LineContext | None = None,
    params: ClassifyParams | None = None,
    *,
    by_month: bool = True,
) -> dict[str, Any]:
    """Both methods on detections; the JSON-able summary (:func:`summarize`), with
    ``params`` and ``timing_s``."""
    t0 = time.perf_counter()
    a = assess(fires, baseline, lines, params)
    out = summarize(a, by_month=by_month)
    p = params or ClassifyParams()
    out["params"] = _jsonable(asdict(p))
    out["timing_s"] = {k: round(v, 3) for k, v in a.timings.items()}
    out["timing_s"]["classify_total_s"] = round(time.perf_counter() - t0, 3)
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    return x


def classify_files(
    paths: Sequence[str | Path],
    *,
    baseline: Baseline | str | Path,
    control_dir: str | Path | None = None,
    params: ClassifyParams | None = None,
) -> dict[str, Any]:
    """``trucewatch thermal classify FILE... --json``: read FIRMS files, pick the lines of
    contact for their dates from ``control_dir`` (:func:`trucewatch.thermal.lines.
    lines_for_days`; none if ``control_dir`` is None) and classify.

    The result is :func:`classify`'s dict plus ``files``, ``skipped_rows``, ``errors``
    (the first unreadable rows) and ``lines`` (the lines used: ``valid_from``, ``length_km``).
    """
    from trucewatch.thermal.lines import lines_for_days

    t0 = time.perf_counter()
    base = baseline if isinstance(baseline, Baseline) else Baseline.load(baseline)
    fires = read_firms_columns(paths)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    lines = lines_for_days(np.unique(fires.day), control_dir) if control_dir else None
    t_lines = time.perf_counter() - t1
    out = classify(fires, base, lines, params)
    out["files"] = list(fires.files)
    out["skipped_rows"] = fires.skipped
    out["errors"] = [e.as_dict() for e in fires.errors]
    out["lines"] = []
    if lines is not None:
        for d, c in zip(lines.dates, lines.contexts, strict=True):
            out["lines"].append({"valid_from": str(d), "length_km": round(_line_km(c), 1)})
    out["timing_s"]["read_s"] = round(t_read, 3)
    out["timing_s"]["lines_s"] = round(t_lines, 3)
    out["timing_s"]["end_to_end_s"] = round(time.perf_counter() - t0, 3)
    return out


def _line_km(ctx: LineContext) -> float:
    from trucewatch.geo.projection import geodesic_length_km

    return float(geodesic_length_km(ctx.line))

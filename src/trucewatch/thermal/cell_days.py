"""The features of each cell-day (0.1-degree cell, UTC day) of a period being classified.

:func:`count_cell_days` counts the detections of each cell-day (industrial ones left out)
next to the baseline's rates of those days and the distance band of every cell
(:class:`CentreBands`: that of its centre, :func:`band_of`); :class:`DayLevels` gives the
level of normal activity of each day (:func:`day_activity_factor`) and marks the
low-information days; :func:`find_anomalies` tests the cell-days with detections
(:class:`Seen`) against the normal year and gives every cell-day its recurrence
(:func:`recurrence`) and prior class. The model is described in
:mod:`trucewatch.thermal.classify`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.baseline import activity_factor
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.grid import day_of_year
from trucewatch.thermal.mixture import Classes
from trucewatch.thermal.model import ClassifyParams
from trucewatch.thermal.stats import nb_sf

__all__ = [
    "Anomalies",
    "CellDays",
    "CentreBands",
    "DayLevels",
    "Seen",
    "band_of",
    "count_cell_days",
    "day_activity_factor",
    "dispersion_key",
    "find_anomalies",
    "recurrence",
]


@dataclass(frozen=True)
class CellDays:
    """Detections per cell-day of the period and the baseline's rates of those days.

    Attributes
    ----------
    d0 : int
        First day of the period (days since 1970-01-01): the first day with a detection
        in the grid; the last day is the last such day.
    counts : ndarray (ndays, ncell) of int64
        Detections per cell-day, industrial ones left out.
    rates : ndarray (ndays, ncell) of float32
        The baseline's rates (variant ``"masked"``) of each day's day of year.
    support : ndarray (ncell,) of bool
        Cells of the fit: the baseline's support and every cell with a counted detection.
    bands : CentreBands
        Distance band of every cell on every day.
    """

    d0: int
    counts: NDArray[np.int64]
    rates: NDArray[np.float32]
    support: NDArray[np.bool_]
    bands: CentreBands

    @property
    def ndays(self) -> int:
        return int(self.counts.shape[0])

    @property
    def day0(self) -> np.datetime64:
        return np.datetime64(self.d0, "D")

    @property
    def days(self) -> NDArray[np.datetime64]:
        """The days of the period."""
        return self.day0 + np.arange(self.ndays).astype("timedelta64[D]")


def count_cell_days(
    day: NDArray[np.int64],
    cell: NDArray[np.int64],
    use: NDArray[np.bool_],
    baseline: Baseline,
    lines: LineHistory | LineContext | None,
    edges: Sequence[float],
) -> CellDays:
    """Count the detections selected by ``use`` (in the grid, not industrial) per cell-day;
    ``day`` is days since 1970-01-01, ``edges`` those of the distance bands (km)."""
    ncell = baseline.grid.size
    inside = cell >= 0
    d0 = int(day[inside].min())
    ndays = int(day[inside].max()) - d0 + 1
    day0 = np.datetime64(d0, "D")
    doy = day_of_year(day0 + np.arange(ndays).astype("timedelta64[D]"))
    flat = (day - d0) * ncell + cell
    counts = np.bincount(flat[use], minlength=ndays * ncell).reshape(ndays, ncell)
    rates = baseline.rates("masked")
    support = baseline.support.copy()
    support[np.unique(cell[use])] = True
    bands = CentreBands.of(baseline, lines, day0, ndays, edges)
    return CellDays(d0, counts, rates[doy], support, bands)


@dataclass(frozen=True)
class DayLevels:
    """The level of normal fire activity on each day of the period: the fixed ``scale``
    times the activity ``factor`` (ones without ``params.activity_factor``); and the
    ``informative`` days (not low-information)."""

    scale: float
    factor: NDArray[np.float64]
    informative: NDArray[np.bool_]

    @property
    def level(self) -> NDArray[np.float64]:
        """Multiplier of the normal rates, per day."""
        return self.scale * self.factor

    @classmethod
    def of(cls, cd: CellDays, baseline: Baseline, p: ClassifyParams) -> DayLevels:
        """The activity factor from the cells far from the line, and the informative days."""
        scale = float(p.scale)
        if p.activity_factor:
            factor = day_activity_factor(cd, len(p.band_edges_km), baseline)
        else:
            factor = np.ones(cd.ndays)
        level = scale * factor  # multiplier of the normal rates, per day
        expected_total = cd.rates[:, cd.support].sum(axis=1, dtype=np.float64) * level
        observed_total = cd.counts.sum(axis=1)
        informative = observed_total >= p.info_fraction * expected_total
        return cls(scale, factor, informative)


def dispersion_key(p: ClassifyParams) -> str:
    """The baseline's dispersion table of the normal-year test: ``"masked_factor"`` with
    the activity factor, else ``"masked"``."""
    return "masked_factor" if p.activity_factor else "masked"


@dataclass(frozen=True)
class Seen:
    """The cell-days with detections: ``at`` (day and cell indices, ``np.nonzero`` of the
    counts), their detections ``n``, baseline rate ``base``, normal rate ``rate`` (times
    the day's level) and normal negative binomial size ``k``."""

    at: tuple[NDArray[np.int64], NDArray[np.int64]]
    n: NDArray[np.float64]
    base: NDArray[np.float64]
    rate: NDArray[np.float64]
    k: NDArray[np.float64]

    @classmethod
    def of(cls, cd: CellDays, levels: DayLevels, baseline: Baseline, k_key: str) -> Seen:
        nz_day, nz_cell = np.nonzero(cd.counts)
        nz_n = cd.counts[nz_day, nz_cell].astype(np.float64)
        nz_base = cd.rates[nz_day, nz_cell].astype(np.float64)
        nz_rate = nz_base * levels.level[nz_day]
        return cls((nz_day, nz_cell), nz_n, nz_base, nz_rate, baseline.size_k(nz_base, k_key))


@dataclass(frozen=True)
class Anomalies:
    """The cell-days with detections tested against the normal year (``seen``), the
    ``anomalous`` ones (``P(N >= n) < alpha``) and, for every cell-day (arrays (ndays,
    ncell)), the ``recurrence`` (other days with an anomaly within the window and
    neighbourhood, capped) and the prior class ``klass`` (of ``classes``)."""

    seen: Seen
    anomalous: NDArray[np.bool_]
    recurrence: NDArray[np.int64]
    classes: Classes
    klass: NDArray[np.int64]


def find_anomalies(
    cd: CellDays, levels: DayLevels, baseline: Baseline, p: ClassifyParams, nbands: int
) -> Anomalies:
    """The normal-year tail probability of the cell-days with detections, the anomalous
    ones, the recurrence and the prior class (``nbands`` distance bands) of every
    cell-day."""
    seen = Seen.of(cd, levels, baseline, dispersion_key(p))
    nz_p = nb_sf(seen.n, seen.rate, seen.k)
    anomalous = np.zeros(cd.counts.shape, dtype=bool)
    anomalous[seen.at] = nz_p < p.alpha
    rec = recurrence(anomalous, baseline.grid.shape, p)
    month = cd.days.astype("datetime64[M]").astype(np.int64)
    classes = Classes(
        nmonths=int(month.max() - month.min()) + 1, nbands=nbands,
        ncap=p.recurrence_cap + 1, reference=2 * (len(p.band_edges_km) + 1),
    )  # fmt: skip
    klass = classes.index(month - month.min(), cd.bands.by_day(), rec)  # (ndays, ncell)
    return Anomalies(seen, anomalous, rec, classes, klass)


def band_of(distance_km: NDArray[np.float64], edges: Sequence[float]) -> NDArray[np.int64]:
    """Band index of signed distances (0 for NaN)."""
    nb = len(edges) + 1
    d = np.asarray(distance_km, dtype=np.float64)
    ok = np.isfinite(d)
    dist = np.searchsorted(np.asarray(edges), np.abs(np.where(ok, d, 0.0)), side="right")
    band = np.where(d >= 0, 1 + dist, 1 + nb + dist)
    return np.where(ok, band, 0).astype(np.int64)


@dataclass(frozen=True)
class CentreBands:
    """Distance band of every cell centre for each line, and a last "no line" row
    (``bands``: (nlines + 1, ncell)); the row valid on each day (``which``)."""

    bands: NDArray[np.int64]
    which: NDArray[np.int64]

    def by_day(self) -> NDArray[np.int64]:
        """Band of every cell-day: (ndays, ncell)."""
        return self.bands[self.which]

    def at(self, day: NDArray[np.int64], cell: NDArray[np.int64]) -> NDArray[np.int64]:
        """Band of cell-days (day indices from the first day, cells)."""
        return self.bands[self.which[day], cell]

    @classmethod
    def of(
        cls,
        base: Baseline,
        lines: LineHistory | LineContext | None,
        day0: np.datetime64,
        ndays: int,
        edges: Sequence[float],
    ) -> CentreBands:
        """Bands for the ``ndays`` days from ``day0``."""
        lon, lat = base.grid.centres()
        if lines is None or (isinstance(lines, LineHistory) and len(lines) == 0):
            none = np.zeros((1, base.grid.size), dtype=np.int64)
            return cls(none, np.zeros(ndays, dtype=np.int64))
        contexts = [lines] if isinstance(lines, LineContext) else lines.contexts
        bands = []
        for ctx in contexts:
            r = ctx.locate(lon, lat)
            unheld = np.array([h is None for h in r.held_by], dtype=bool)
            d = np.where(unheld, np.nan, r.distance_km).astype(np.float64)
            bands.append(band_of(d, edges))
        bands.append(np.zeros(base.grid.size, dtype=np.int64))  # "no line" row
        days = day0 + np.arange(ndays).astype("timedelta64[D]")
        if isinstance(lines, LineContext):
            which = np.zeros(ndays, dtype=np.int64)
        else:
            which = lines.index_at(days)
            which = np.where(which >= 0, which, len(contexts))
        return cls(np.array(bands), which)


def recurrence(
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


def day_activity_factor(cd: CellDays, nedges: int, baseline: Baseline) -> NDArray[np.float64]:
    """Activity factor per day (:func:`trucewatch.thermal.baseline.activity_factor`) from
    the cells more than the last band edge (of ``nedges``) from the line on the
    Ukrainian-held side (every supported cell on days without a line)."""
    far_band = 2 * (nedges + 1)  # "UA >last km"
    far = (cd.bands.by_day() == far_band) & cd.support[None, :]
    no_far = ~far.any(axis=1)
    far[no_far] = cd.support[None, :]
    observed = np.where(far, cd.counts, 0).sum(axis=1).astype(np.float64)
    expected = np.where(far, cd.rates, 0.0).sum(axis=1, dtype=np.float64)
    bp = baseline.params
    return activity_factor(observed, expected, bp.factor_window_days, bp.factor_pseudo)

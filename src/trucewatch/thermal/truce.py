"""Did fire stop? War-fire counts before, during and after a truce, and their rate ratio.

:func:`truce_effect` takes a truce (an :class:`~trucewatch.types.Agreement` or a loaded
agreement: its ``start``/``end`` instants), the classified detections
(:class:`~trucewatch.thermal.classify.ThermalAssessment`, located against lines with
sectors) and a number of days before and after, and returns per sector and overall:

* **daily counts** of war fires (detections flagged war-related by the chosen method;
  for trucewatch also the expected number, the sum of probabilities) and of all
  detections, per UTC day;
* **periods** by UTC day: a day is *during* when at least ``min_fraction`` (half) of it
  lies inside ``[start, end)``, *before*/*after* when none of it does, *transition*
  otherwise (left out of the comparison). FIRMS history files give only the day of a
  detection, never its time, so a truce is resolved to days; a detection's exact
  acquisition time, when known, is not used for the periods either, so both kinds of
  files give the same analysis;
* **low-information days**: fewer detections of any kind anywhere than
  ``low_info_fraction`` (a quarter) of the median day of the window; on such days
  clouds most likely hid the ground (satellites see no fire through cloud). They are
  left out of the rate ratio by default;
* **rate ratio** during/before (and after/before) of war fires per day, with a 95%
  confidence interval from one of two models, chosen on the before-period days:

  - *Poisson* (exact, conditional): given the total, the during count is binomial with
    ``p = D RR / (D RR + B)`` (``D``, ``B`` the numbers of days); the Clopper-Pearson
    interval on ``p`` is mapped to ``RR``. Used when the before-period daily counts are
    not overdispersed (Pearson dispersion test, p >= 0.05).
  - *negative binomial* (Wald on log RR): daily counts NB with a common size ``k``
    estimated by the method of moments on the before days; ``var(log RR) = (1/mu_d +
    1/k)/D + (1/mu_b + 1/k)/B``; 0.5 is added to a zero total (and the lower bound of a
    zero count is 0). Used when they are
    overdispersed - the usual case: fighting, weather and cloud vary day to day far
    more than Poisson allows.

  Both are always reported; ``model`` says which was chosen. A **placebo** check
  compares the observed ratio with the ratios of every window of the same number of
  days inside the before period against the rest of it (an empirical p-value).

:func:`plot_truce` draws the chart; :func:`truce_effect_for_files` runs everything from
files (``trucewatch truce-effect``). The rate ratios and the placebo are in
:mod:`trucewatch.thermal.rate_ratio`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trucewatch.agreements.load import load_agreement
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.thermal.assessment import assess
from trucewatch.thermal.model import ClassifyParams, ThermalAssessment
from trucewatch.thermal.rate_ratio import (
    placebo,
    rate_ratio,
)
from trucewatch.types import Agreement

__all__ = [
    "day_periods",
    "low_information_days",
    "plot_truce",
    "truce_effect",
    "truce_effect_for_files",
]

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- days


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)


def day_periods(
    start: datetime, end: datetime, before_days: int, after_days: int, min_fraction: float = 0.5
) -> tuple[list[date], list[str], list[float]]:
    """UTC days of the window and their period (before, transition, during, after) and
    the fraction of each day inside ``[start, end)``."""
    s, e = _utc(start), _utc(end)
    first_touch = s.date()
    last_touch = (e - timedelta(microseconds=1)).date()
    n = before_days + (last_touch - first_touch).days + 1 + after_days
    first = first_touch - timedelta(days=before_days)
    days = [first + timedelta(days=i) for i in range(n)]
    periods, fractions = [], []
    for d in days:
        d0 = datetime(d.year, d.month, d.day, tzinfo=UTC)
        overlap = (min(d0 + _ONE_DAY, e) - max(d0, s)).total_seconds()
        f = max(0.0, overlap) / 86400.0
        fractions.append(round(f, 4))
        if f >= min_fraction:
            periods.append("during")
        elif f > 0:
            periods.append("transition")
        else:
            periods.append("before" if d0 + _ONE_DAY <= s else "after")
    return days, periods, fractions


def low_information_days(totals: NDArray[np.float64], fraction: float = 0.25) -> NDArray[np.bool_]:
    """Days with fewer detections than ``fraction`` of the window's median day."""
    t = np.asarray(totals, dtype=np.float64)
    if t.size == 0:
        return np.zeros(0, dtype=bool)
    return t < fraction * float(np.median(t))


# --------------------------------------------------------------------------- the effect


def _agreement_of(ag: Agreement | LoadedAgreement) -> Agreement:
    return ag.agreement if isinstance(ag, LoadedAgreement) else ag


def truce_effect(
    agreement: Agreement | LoadedAgreement,
    assessment: ThermalAssessment,
    *,
    before_days: int,
    after_days: int,
    method: str = "trucewatch",
    min_fraction: float = 0.5,
    low_info_fraction: float = 0.25,
    exclude_low_information: bool = True,
    max_distance_km: float | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """War fires per day before, during and after a truce, per sector and overall.

    Parameters
    ----------
    agreement : Agreement or LoadedAgreement
        The truce: ``start`` (inclusive) and ``end`` (exclusive) instants.
    assessment : ThermalAssessment
        Classified detections covering the window (located against lines with sectors
        for the per-sector tables).
    before_days, after_days : int
        Whole UTC days before the first and after the last day the truce touches.
    method : {"trucewatch", "economist"}
        Which war-related flag to count.
    min_fraction : float
        Share of a UTC day inside the truce for the day to count as during.
    low_info_fraction : float
        Low-information day: fewer detections than this share of the window's median.
    exclude_low_information : bool
        Leave low-information days out of the rate ratios (they are always listed).
    max_distance_km : float, optional
        Count only war fires within this distance of the line (e.g. 30 km).
    model : {"poisson", "negative_binomial"}, optional
        Force the model of the confidence interval (default: chosen by the dispersion
        of the before days).

    Returns
    -------
    dict
        JSON-able; keys ``agreement``, ``window``, ``method``, ``days`` (per day:
        ``date``, ``period``, ``fraction_in_force``, ``detections``, ``war_fires``,
        ``expected_war_fires``, ``low_information``), ``overall`` (per period totals and
        means; ``rate_ratio_during_before`` and ``rate_ratio_after_before`` as from
        :func:`rate_ratio`, plus ``placebo``), ``sectors`` (the same per sector, most war
        fires first), ``notes``.
    """
    ag = _agreement_of(agreement)
    days, periods, fractions = day_periods(ag.start, ag.end, before_days, after_days,
                                           min_fraction)  # fmt: skip
    w = _Window.of(assessment, days, method, max_distance_km)
    in_window = w.in_window
    totals, war, expected = w.per_day(in_window), w.per_day(w.war), w.per_day(w.near, w.prob)
    low = low_information_days(totals, low_info_fraction)
    per = np.array(periods)
    use = ~low if exclude_low_information else np.ones(w.ndays, dtype=bool)
    has_time = bool(np.any(assessment.fires.time_s[in_window] >= 0))
    return {
        **_header(ag, days, before_days, after_days, max_distance_km),
        "method": method,
        "days": _day_rows(days, periods, fractions, totals, war, expected, low),
        "overall": _period_summary(war, expected, per, use, model),
        "sectors": _sectors(assessment, w, per, use, model),
        "notes": _notes(min_fraction, has_time, exclude_low_information),
    }


@dataclass(frozen=True)
class _Window:
    """The detections of an assessment in the window of ``ndays`` days: each one's day
    ``idx`` (-1 outside the window); ``war``: the war fires counted (flagged by the
    method, in the window, within the distance); ``near``: in the window and within the
    distance; ``prob``: each one's share of the expected war fires."""

    ndays: int
    idx: NDArray[np.int64]
    war: NDArray[np.bool_]
    near: NDArray[np.bool_]
    prob: NDArray[np.float64]

    def per_day(
        self, sel: NDArray[np.bool_], weights: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """The selected detections (in the window) or the sum of their ``weights``, per day."""
        wts = None if weights is None else weights[sel]
        return np.bincount(self.idx[sel], weights=wts, minlength=self.ndays).astype(np.float64)

    @property
    def in_window(self) -> NDArray[np.bool_]:
        return self.idx >= 0

    @classmethod
    def of(
        cls, a: ThermalAssessment, days: list[date], method: str, max_distance_km: float | None
    ) -> _Window:
        day_arr = np.array(days, dtype="datetime64[D]")
        fday = a.fires.day.astype("datetime64[D]")
        pos = np.searchsorted(day_arr, fday)
        in_window = (pos < day_arr.size) & (day_arr[np.minimum(pos, day_arr.size - 1)] == fday)
        flag = a.war if method == "trucewatch" else a.economist.war
        prob = a.probability if method == "trucewatch" else flag.astype(np.float64)
        near = np.ones(len(a), dtype=bool)
        if max_distance_km is not None:
            with np.errstate(invalid="ignore"):
                near = np.abs(a.distance_km) <= max_distance_km
        idx = np.where(in_window, pos, -1)
        return cls(day_arr.size, idx, in_window & flag & near, in_window & near, prob)


def _sectors(
    a: ThermalAssessment, w: _Window, per: NDArray[np.str_], use: NDArray[np.bool_],
    model: str | None,
) -> list[dict[str, Any]]:  # fmt: skip
    """War fires per day and the periods of each sector, most war fires first."""
    out = []
    sector = np.array([s if s is not None else "(no sector)" for s in a.sector],
                      dtype=object)  # fmt: skip
    for name in _sector_order(sector[w.war]):
        in_sector = sector == name
        w_s = w.per_day(w.war & in_sector)
        e_s = w.per_day(w.near & in_sector, w.prob)
        out.append({"sector": name, "war_fires_per_day": w_s.astype(int).tolist(),
                    **_period_summary(w_s, e_s, per, use, model)})  # fmt: skip
    return out


def _day_rows(
    days: list[date],
    periods: list[str],
    fractions: list[float],
    totals: NDArray[np.float64],
    war: NDArray[np.float64],
    expected: NDArray[np.float64],
    low: NDArray[np.bool_],
) -> list[dict[str, Any]]:
    return [
        {
            "date": str(d),
            "period": periods[i],
            "fraction_in_force": fractions[i],
            "detections": int(totals[i]),
            "war_fires": int(war[i]),
            "expected_war_fires": round(float(expected[i]), 2),
            "low_information": bool(low[i]),
        }
        for i, d in enumerate(days)
    ]


def _notes(min_fraction: float, has_time: bool, exclude_low_information: bool) -> list[str]:
    return [
        "Periods are whole UTC days: a day is 'during' when at least "
        f"{min_fraction:.0%} of it lies inside the truce; days partly inside are "
        "'transition' and left out.",
        (
            "The detections carry acquisition times, but the analysis is by day all the same."
            if has_time
            else "The detections have no acquisition time (only dates): the truce is resolved "
            "to days, and a fire on a day that straddles the start or end cannot be placed "
            "before or after it."
        ),
        "Low-information days (few detections anywhere: cloud) are "
        + ("left out of the rate ratios." if exclude_low_information else "kept."),
    ]


def _header(
    ag: Agreement, days: list[date], before_days: int, after_days: int,
    max_distance_km: float | None,
) -> dict[str, Any]:  # fmt: skip
    """The ``agreement`` and ``window`` of the result."""
    t_start, t_end = _utc(ag.start), _utc(ag.end)
    return {
        "agreement": {
            "name": ag.name,
            "slug": ag.slug,
            "start_utc": t_start.isoformat(),
            "end_utc": t_end.isoformat(),
            "hours": round((t_end - t_start).total_seconds() / 3600.0, 2),
        },
        "window": {
            "first_day": str(days[0]),
            "last_day": str(days[-1]),
            "before_days": before_days,
            "after_days": after_days,
            "max_distance_km": max_distance_km,
        },
    }


def _sector_order(names: NDArray[np.object_]) -> list[str]:
    if names.size == 0:
        return []
    uniq, cnt = np.unique(names.astype(str), return_counts=True)
    order = np.lexsort((uniq, -cnt))
    return [str(x) for x in uniq[order]]


def _period_summary(
    war: NDArray[np.float64],
    expected: NDArray[np.float64],
    per: NDArray[np.str_],
    use: NDArray[np.bool_],
    model: str | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("before", "during", "after"):
        sel = (per == name) & use
        out[name] = {
            "days": int(sel.sum()),
            "war_fires": int(war[sel].sum()),
            "mean_per_day": round(float(war[sel].mean()), 3) if sel.any() else None,
            "expected_war_fires": round(float(expected[sel].sum()), 2),
        }
    b = war[(per == "before") & use]
    d = war[(per == "during") & use]
    a = war[(per == "after") & use]
    rr = rate_ratio(d, b, model=model)
    rr["placebo"] = placebo(int(d.size), b, rr["estimate"])
    out["rate_ratio_during_before"] = rr
    out["rate_ratio_after_before"] = rate_ratio(a, b, model=model)
    return out


# --------------------------------------------------------------------------- from files


def truce_effect_for_files(
    agreement: str | Path | Agreement | LoadedAgreement,
    firms_paths: Sequence[str | Path],
    *,
    baseline: Any,
    control_dir: str | Path | None,
    before_days: int,
    after_days: int,
    context_days: int = 60,
    method: str = "trucewatch",
    params: ClassifyParams | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """``trucewatch truce-effect``: read FIRMS files, classify the detections from
    ``context_days`` before the window to ``context_days`` after it (the fit and the
    recurrence need context), with lines and sectors from ``control_dir``, then
    :func:`truce_effect`. ``baseline`` is a :class:`~trucewatch.thermal.climatology.Baseline`
    or a path to one. Extra keyword arguments go to :func:`truce_effect`."""
    from trucewatch.thermal.climatology import Baseline
    from trucewatch.thermal.columns import read_firms_columns
    from trucewatch.thermal.lines import lines_for_days

    ag = (
        agreement
        if isinstance(agreement, Agreement | LoadedAgreement)
        else load_agreement(agreement)
    )
    base = baseline if isinstance(baseline, Baseline) else Baseline.load(baseline)
    a0 = _agreement_of(ag)
    days, _, _ = day_periods(a0.start, a0.end, before_days, after_days)
    lo = np.datetime64(days[0]) - np.timedelta64(context_days, "D")
    hi = np.datetime64(days[-1]) + np.timedelta64(context_days, "D")
    fires = read_firms_columns(firms_paths)
    fires = fires.take((fires.day >= lo) & (fires.day <= hi))
    lines = lines_for_days(np.unique(fires.day), control_dir, sectors=True) if control_dir else None
    a = assess(fires, base, lines, params)
    out = truce_effect(ag, a, before_days=before_days, after_days=after_days, method=method,
                       **kwargs)  # fmt: skip
    out["classified"] = {"first_day": str(lo), "last_day": str(hi), "detections": len(fires)}
    return out


# --------------------------------------------------------------------------- chart


def plot_truce(result: dict[str, Any], path: str | Path, *, top_sectors: int = 6) -> Path:
    """Chart of a :func:`truce_effect` result: war fires per day (bars by period, the
    truce shaded, low-information days hatched) with all detections, and the top sectors
    stacked below. Written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["days"]
    x = np.arange(len(rows))
    labels = [r["date"][5:] for r in rows]
    war = np.array([r["war_fires"] for r in rows])
    total = np.array([r["detections"] for r in rows])
    colour = {"before": "#4c72b0", "transition": "#bbbbbb", "during": "#c44e52",
              "after": "#55a868"}  # fmt: skip
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})  # fmt: skip
    ax1.bar(x, war, color=[colour[r["period"]] for r in rows])
    for i, r in enumerate(rows):
        if r["low_information"]:
            ax1.axvspan(i - 0.5, i + 0.5, facecolor="none", edgecolor="#999999", hatch="///",
                        lw=0)  # fmt: skip
    during = [i for i, r in enumerate(rows) if r["period"] in ("during", "transition")]
    if during:
        ax1.axvspan(min(during) - 0.5, max(during) + 0.5, color="#c44e52", alpha=0.08)
    ax1.set_ylabel("war fires per day")
    ax1b = ax1.twinx()
    ax1b.plot(x, total, color="#333333", lw=1, marker=".", label="all detections")
    ax1b.set_ylabel("all detections per day")
    ax1b.legend(loc="upper right")
    rr = result["overall"]["rate_ratio_during_before"]
    ci = rr["ci95"]
    ax1.set_title(
        f"{result['agreement']['name']}: war fires ({result['method']}) per UTC day\n"
        f"rate ratio during/before {rr['estimate']} (95% CI {ci[0]}-{ci[1]}, {rr['model']}); "
        "hatched: low-information day (left out)",
        fontsize=10,
    )
    bottom = np.zeros(len(rows))
    for s in result["sectors"][:top_sectors]:
        v = np.array(s["war_fires_per_day"], dtype=float)
        ax2.bar(x, v, bottom=bottom, label=s["sector"])
        bottom += v
    ax2.set_ylabel("war fires, top sectors")
    ax2.legend(fontsize=7, ncol=3, loc="upper left")
    ax2.set_xticks(x, labels, rotation=90, fontsize=7)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out

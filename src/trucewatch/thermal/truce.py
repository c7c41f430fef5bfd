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
files (``trucewatch truce-effect``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from trucewatch.agreements.load import load_agreement
from trucewatch.agreements.model import LoadedAgreement
from trucewatch.thermal.classify import ClassifyParams, ThermalAssessment, assess
from trucewatch.types import Agreement

__all__ = [
    "RateRatio",
    "day_periods",
    "dispersion_test",
    "low_information_days",
    "plot_truce",
    "rate_ratio",
    "rate_ratio_negbin",
    "rate_ratio_poisson",
    "truce_effect",
    "truce_effect_for_files",
]

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class RateRatio:
    """A rate ratio with its 95% (or other) confidence interval."""

    estimate: float | None
    low: float | None
    high: float | None
    model: str

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:  # JSON has no infinity: None
            return None if x is None or not math.isfinite(x) else round(x, 4)

        return {"estimate": r(self.estimate), "ci95": [r(self.low), r(self.high)],
                "model": self.model}  # fmt: skip


def rate_ratio_poisson(
    count_a: float, days_a: float, count_b: float, days_b: float, confidence: float = 0.95
) -> RateRatio:
    """Ratio of Poisson rates ``(count_a/days_a) / (count_b/days_b)`` with the exact
    conditional (Clopper-Pearson) interval.

    >>> r = rate_ratio_poisson(10, 2, 100, 10)
    >>> round(r.estimate, 2), round(r.low, 2), round(r.high, 2)
    (0.5, 0.23, 0.96)
    """
    if days_a <= 0 or days_b <= 0:
        return RateRatio(None, None, None, "poisson_exact")
    a, b = round(count_a), round(count_b)
    n = a + b
    if n == 0:
        return RateRatio(None, 0.0, math.inf, "poisson_exact")
    alpha = 1.0 - confidence
    lo_p = 0.0 if a == 0 else float(stats.beta.ppf(alpha / 2, a, n - a + 1))
    hi_p = 1.0 if a == n else float(stats.beta.ppf(1 - alpha / 2, a + 1, n - a))
    scale = days_b / days_a

    def to_rr(p: float) -> float:
        return math.inf if p >= 1.0 else p / (1.0 - p) * scale

    est = (a / days_a) / (b / days_b) if b > 0 else math.inf
    return RateRatio(est, to_rr(lo_p), to_rr(hi_p), "poisson_exact")


def dispersion_test(counts: Sequence[float] | NDArray[Any]) -> tuple[float | None, float | None]:
    """Pearson dispersion ``phi = sum((x - mean)**2 / mean) / (n - 1)`` of daily counts
    and the p-value of ``phi > 1`` (chi-squared with ``n - 1`` degrees of freedom)."""
    x = np.asarray(counts, dtype=np.float64)
    if x.size < 2 or x.mean() <= 0:
        return None, None
    chi2 = float(np.sum((x - x.mean()) ** 2) / x.mean())
    df = x.size - 1
    return chi2 / df, float(stats.chi2.sf(chi2, df))


def _nb_size(x: NDArray[np.float64]) -> float:
    """Method-of-moments NB size of daily counts (inf when not overdispersed)."""
    if x.size < 2:
        return math.inf
    m, v = float(x.mean()), float(x.var(ddof=1))
    return m * m / (v - m) if v > m and m > 0 else math.inf


def rate_ratio_negbin(
    counts_a: Sequence[float] | NDArray[Any],
    counts_b: Sequence[float] | NDArray[Any],
    confidence: float = 0.95,
    size: float | None = None,
) -> tuple[RateRatio, float]:
    """Ratio of mean daily counts ``mean(a) / mean(b)`` under a negative binomial with a
    common size ``k`` (method of moments on ``counts_b`` unless given), Wald interval on
    the log ratio; 0.5 is added to a zero total for the upper bound (the lower bound of a
    zero count is 0). Returns the ratio and ``k``."""
    a = np.asarray(counts_a, dtype=np.float64)
    b = np.asarray(counts_b, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        return RateRatio(None, None, None, "negative_binomial_wald"), math.nan
    k = _nb_size(b) if size is None else size
    sa, sb = float(a.sum()), float(b.sum())
    if sb == 0 and sa == 0:
        return RateRatio(None, 0.0, math.inf, "negative_binomial_wald"), k
    ca, cb = (sa if sa > 0 else 0.5), (sb if sb > 0 else 0.5)
    mu_a, mu_b = ca / a.size, cb / b.size
    inv_k = 0.0 if not math.isfinite(k) else 1.0 / k
    var = (1.0 / mu_a + inv_k) / a.size + (1.0 / mu_b + inv_k) / b.size
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    est = (sa / a.size) / (sb / b.size) if sb > 0 else math.inf
    log_rr = math.log(mu_a / mu_b)
    se = math.sqrt(var)
    low = 0.0 if sa == 0 else math.exp(log_rr - z * se)  # a zero count: the bound is 0
    high = math.inf if sb == 0 else math.exp(log_rr + z * se)
    return RateRatio(est, low, high, "negative_binomial_wald"), k


def rate_ratio(
    counts_a: Sequence[float] | NDArray[Any],
    counts_b: Sequence[float] | NDArray[Any],
    *,
    model: str | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Rate ratio of daily counts ``a`` over ``b``, both models and the chosen one.

    ``model`` forces ``"poisson"`` or ``"negative_binomial"``; by default the negative
    binomial is chosen when ``b`` is overdispersed (dispersion test p < 0.05).
    """
    a = np.asarray(counts_a, dtype=np.float64)
    b = np.asarray(counts_b, dtype=np.float64)
    phi, p_disp = dispersion_test(b)
    pois = rate_ratio_poisson(a.sum(), a.size, b.sum(), b.size, confidence)
    nb, k = rate_ratio_negbin(a, b, confidence)
    if model is None:
        model = "negative_binomial" if (p_disp is not None and p_disp < 0.05) else "poisson"
    chosen = nb if model == "negative_binomial" else pois
    return {
        **chosen.as_dict(),
        "days": [int(a.size), int(b.size)],
        "counts": [float(a.sum()), float(b.sum())],
        "dispersion": {
            "phi": None if phi is None else round(phi, 3),
            "p_value": None if p_disp is None else round(p_disp, 6),
            "nb_size_k": None if not math.isfinite(k) else round(k, 4),
        },
        "poisson_exact": pois.as_dict(),
        "negative_binomial_wald": nb.as_dict(),
    }


def _placebo(
    during_len: int, before: NDArray[np.float64], observed: float | None
) -> dict[str, Any]:
    """Ratios of every window of ``during_len`` consecutive before-days against the rest
    of the before period; the share at or below the observed ratio."""
    n = before.size
    if during_len <= 0 or n < during_len + 3 or observed is None:
        return {"windows": 0, "share_at_or_below": None}
    ratios = []
    for i in range(n - during_len + 1):
        win = before[i : i + during_len]
        rest = np.concatenate([before[:i], before[i + during_len :]])
        if rest.sum() > 0:
            ratios.append(win.mean() / rest.mean())
    if not ratios:
        return {"windows": 0, "share_at_or_below": None}
    r = np.array(ratios)
    return {
        "windows": int(r.size),
        "share_at_or_below": round(float(np.mean(r <= observed)), 4),
        "median_ratio": round(float(np.median(r)), 4),
        "range": [round(float(r.min()), 4), round(float(r.max()), 4)],
    }


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
    day_arr = np.array(days, dtype="datetime64[D]")
    fday = assessment.fires.day.astype("datetime64[D]")
    pos = np.searchsorted(day_arr, fday)
    in_window = (pos < day_arr.size) & (day_arr[np.minimum(pos, day_arr.size - 1)] == fday)
    flag = assessment.war if method == "trucewatch" else assessment.economist.war
    prob = assessment.probability if method == "trucewatch" else flag.astype(np.float64)
    near = np.ones(len(assessment), dtype=bool)
    if max_distance_km is not None:
        with np.errstate(invalid="ignore"):
            near = np.abs(assessment.distance_km) <= max_distance_km
    nd = day_arr.size
    idx = np.where(in_window, pos, 0)
    totals = np.bincount(idx[in_window], minlength=nd).astype(np.float64)
    war_sel = in_window & flag & near
    war = np.bincount(idx[war_sel], minlength=nd).astype(np.float64)
    expected = np.bincount(
        idx[in_window & near], weights=prob[in_window & near], minlength=nd
    ).astype(np.float64)
    low = low_information_days(totals, low_info_fraction)
    per = np.array(periods)
    use = ~low if exclude_low_information else np.ones(nd, dtype=bool)

    overall = _period_summary(war, expected, per, use, model)
    sectors_out = []
    sector = np.array([s if s is not None else "(no sector)" for s in assessment.sector],
                      dtype=object)  # fmt: skip
    for name in _sector_order(sector[war_sel]):
        sel = war_sel & (sector == name)
        w_s = np.bincount(idx[sel], minlength=nd).astype(np.float64)
        sel_e = in_window & near & (sector == name)
        e_s = np.bincount(idx[sel_e], weights=prob[sel_e], minlength=nd).astype(np.float64)
        sectors_out.append({"sector": name, "war_fires_per_day": w_s.astype(int).tolist(),
                            **_period_summary(w_s, e_s, per, use, model)})  # fmt: skip
    day_rows = [
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
    has_time = bool(np.any(assessment.fires.time_s[in_window] >= 0))
    notes = [
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
        "method": method,
        "days": day_rows,
        "overall": overall,
        "sectors": sectors_out,
        "notes": notes,
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
    rr["placebo"] = _placebo(int(d.size), b, rr["estimate"])
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
    :func:`truce_effect`. ``baseline`` is a :class:`~trucewatch.thermal.baseline.Baseline`
    or a path to one. Extra keyword arguments go to :func:`truce_effect`."""
    from trucewatch.thermal.baseline import Baseline
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

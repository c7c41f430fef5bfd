"""Fusion hook: which satellite thermal anomalies are war fires.

A FIRMS detection alone is not evidence of a violation (a field, forest or factory burns);
:class:`trucewatch.agreements.verdicts.AssessContext` counts a thermal-anomaly incident as
fire only when its uid is in ``war_fires``. :func:`war_fire_uids` gives that set from
uids with positions and days; :func:`war_fire_uids_from_records` takes the records
themselves (observations or incidents: anything with ``uid``, ``location.lon``/``.lat``
and ``time_start``).

The classification works on cell-day counts, so pass **all** FIRMS detections of the
period (not only the ones near a report): the counts, the recurrence and the fit need
them. Points outside the grid are never war fires.

Example::

    war = war_fire_uids_from_records(firms_incidents, baseline=Baseline.load(path),
                                     lines=history)
    ctx = AssessContext(lines=lookup, war_fires=war)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from trucewatch.geo.history import LineHistory
from trucewatch.geo.lookup import LineContext
from trucewatch.thermal.assessment import assess
from trucewatch.thermal.climatology import Baseline
from trucewatch.thermal.columns import FireTable
from trucewatch.thermal.model import ClassifyParams

__all__ = ["war_fire_uids", "war_fire_uids_from_records"]


def war_fire_uids(
    uids: Sequence[str],
    lon: ArrayLike,
    lat: ArrayLike,
    days: ArrayLike | Iterable[date | datetime | str],
    *,
    baseline: Baseline,
    lines: LineHistory | LineContext | None = None,
    method: str = "trucewatch",
    params: ClassifyParams | None = None,
) -> frozenset[str]:
    """Uids of the detections judged war-related.

    Parameters
    ----------
    uids : sequence of str
        One uid per detection (observation or incident uid).
    lon, lat : array_like
        WGS84 degrees.
    days : array_like
        UTC day (or aware datetime, converted to its UTC day) of each detection.
    baseline : Baseline
        Normal-year baseline (:meth:`Baseline.load`).
    lines : LineHistory or LineContext, optional
        Lines of contact; without them trucewatch cannot tell war fire from other
        anomalous fire and calls every anomalous fire war-related (see
        :mod:`trucewatch.thermal.classify`).
    method : {"trucewatch", "economist"}
        Which method's flag to use.
    params : ClassifyParams, optional

    Returns
    -------
    frozenset of str
    """
    if len(uids) == 0:
        return frozenset()
    day_arr = np.array([_utc_day(d) for d in np.asarray(days, dtype=object).ravel()],
                       dtype="datetime64[D]")  # fmt: skip
    fires = FireTable.from_arrays(np.asarray(lon), np.asarray(lat), day_arr)
    if len(fires) != len(uids):
        raise ValueError(f"{len(uids)} uids but {len(fires)} positions")
    a = assess(fires, baseline, lines, params)
    flag = a.war if method == "trucewatch" else a.economist.war
    return frozenset(u for u, f in zip(uids, flag.tolist(), strict=True) if f)


def _utc_day(d: Any) -> np.datetime64:
    if isinstance(d, datetime):
        d = d.astimezone(UTC).date() if d.tzinfo else d.date()
    return np.datetime64(d, "D")


def war_fire_uids_from_records(
    records: Iterable[Any],
    *,
    baseline: Baseline,
    lines: LineHistory | LineContext | None = None,
    method: str = "trucewatch",
    params: ClassifyParams | None = None,
) -> frozenset[str]:
    """:func:`war_fire_uids` for observations or incidents with a point location.

    Records whose location has no ``lon``/``lat`` (a wedge, a place name) are skipped.
    The day is the UTC day of ``time_start``.
    """
    uids: list[str] = []
    lon: list[float] = []
    lat: list[float] = []
    days: list[date] = []
    for r in records:
        loc = getattr(r, "location", None)
        if loc is None or not hasattr(loc, "lon") or not hasattr(loc, "lat"):
            continue
        uids.append(r.uid)
        lon.append(float(loc.lon))
        lat.append(float(loc.lat))
        days.append(r.time_start.astimezone(UTC).date())
    return war_fire_uids(uids, lon, lat, days, baseline=baseline, lines=lines, method=method,
                         params=params)  # fmt: skip

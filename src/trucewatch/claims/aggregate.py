"""An aggregate claim ("N violations by X in sector S over the period") against the
incidents and the estimated totals of its sector-days (docs/claims.md).

The estimate for the claim's scope is the sum of the estimated totals of its sector-days
(:mod:`trucewatch.claims.estimate`), its 90% interval the normal one of the sum (each
sector-day's interval taken as ±1.645 sd); the accused's share of it is the share of the
scope's attributed incidents put on the accused. The claim is ``consistent`` when its
count lies in the accused's interval, ``overstated`` above it, ``understated`` below, and
``no_estimate`` when fewer than :data:`MIN_ESTIMATED_SHARE` of its sector-days have an
estimate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from trucewatch.claims.estimate import Z90, Estimate
from trucewatch.claims.model import AggregateClaim, AggregateVerdict

__all__ = ["MIN_ESTIMATED_SHARE", "ScopeIncident", "by_day", "judge_aggregate", "sector_days"]

MIN_ESTIMATED_SHARE = 0.8
"""Share of a claim's sector-days that must have an estimate for it to be judged."""


@dataclass(frozen=True)
class ScopeIncident:
    """What an aggregate needs of an incident: sector, UTC day, position, attributed party."""

    sector: str | None
    day: date
    lon: float
    lat: float
    party: str


def sector_days(claim: AggregateClaim, sectors: Sequence[str]) -> list[tuple[str, date]]:
    """The (sector, UTC day) strata of a claim's scope: its sector (or every sector) on
    every day its period touches."""
    names = [claim.sector] if claim.sector else list(sectors)
    first, last = claim.period_start.date(), (claim.period_end - timedelta(seconds=1)).date()
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return [(s, d) for s in names for d in days]


def _in_scope(i: ScopeIncident, c: AggregateClaim, days: set[date]) -> bool:
    if i.day not in days:
        return False
    if c.bbox is not None:
        return c.bbox[0] <= i.lon <= c.bbox[2] and c.bbox[1] <= i.lat <= c.bbox[3]
    return c.sector is None or i.sector == c.sector


def by_day(incidents: Sequence[ScopeIncident]) -> dict[date, list[ScopeIncident]]:
    """Incidents grouped by UTC day (what :func:`judge_aggregate` takes)."""
    out: dict[date, list[ScopeIncident]] = {}
    for i in incidents:
        out.setdefault(i.day, []).append(i)
    return out


def judge_aggregate(claim: AggregateClaim, incidents: Mapping[date, Sequence[ScopeIncident]],
                    estimates: Mapping[tuple[str, date], Estimate],
                    sectors: Sequence[str]) -> AggregateVerdict:  # fmt: skip
    """The verdict on one aggregate claim (``incidents`` by UTC day, :func:`by_day`;
    ``estimates`` by (sector, UTC day))."""
    strata = sector_days(claim, sectors)
    days = {d for _, d in strata}
    mine = [i for d in sorted(days) for i in incidents.get(d, ()) if _in_scope(i, claim, days)]
    by_accused = sum(i.party == claim.accused for i in mine)
    attributed = sum(i.party not in ("", "undetermined") for i in mine)
    base: dict[str, Any] = {"claim_id": claim.claim_id, "incidents": len(mine),
                            "incidents_by_accused": by_accused}
    ok = [estimates[s] for s in strata if s in estimates and estimates[s].status == "ok"]
    if claim.bbox is not None or not strata or len(ok) < MIN_ESTIMATED_SHARE * len(strata):
        why = ("a box has no sector-day estimates" if claim.bbox is not None else
               f"{len(ok)} of {len(strata)} sector-days have an estimate")  # fmt: skip
        return AggregateVerdict(verdict="no_estimate", reason=f"{why}; {len(mine)} incidents "
                                f"seen, {by_accused} put on {claim.accused}", **base)  # fmt: skip
    total = sum(e.total or 0.0 for e in ok) * len(strata) / len(ok)
    sd = math.sqrt(sum(((e.high or 0.0) - (e.low or 0.0)) ** 2 for e in ok)) / (2 * Z90)
    share = by_accused / attributed if claim.accused and attributed else 1.0
    low, high = max(0.0, (total - Z90 * sd) * share), (total + Z90 * sd) * share
    verdict = ("overstated" if claim.count > high else
               "understated" if claim.count < low else "consistent")  # fmt: skip
    return AggregateVerdict(
        verdict=verdict, estimate=round(total, 1), interval=(round(low, 1), round(high, 1)),
        reason=f"claimed {claim.count}; estimated {total:.0f} violations in scope, "
               f"{share:.0%} put on {claim.accused or 'either party'}: 90% interval "
               f"{low:.0f}-{high:.0f} for the accused", **base)  # fmt: skip

"""Aggregate claims against the estimated totals of their sector-days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from trucewatch.claims.aggregate import ScopeIncident, by_day, judge_aggregate, sector_days
from trucewatch.claims.estimate import Estimate
from trucewatch.claims.model import AggregateClaim

DAY = date(2025, 4, 20)


def _claim(count: int, sector: str | None = "S1") -> AggregateClaim:
    return AggregateClaim(claim_id="A", claimant="UA", accused="RU", stated_at=None,
                          period_start=datetime(2025, 4, 20, tzinfo=UTC),
                          period_end=datetime(2025, 4, 21, tzinfo=UTC), count=count,
                          sector=sector)  # fmt: skip


def test_verdicts_against_the_accused_share_of_the_estimate() -> None:
    incidents = [ScopeIncident("S1", DAY, 37.0, 48.0, "RU")] * 30 + [
        ScopeIncident("S1", DAY, 37.0, 48.0, "UA")] * 10 + [
        ScopeIncident("S2", DAY, 37.0, 48.0, "RU")] * 5  # fmt: skip
    incidents = by_day(incidents)
    est = {("S1", DAY): Estimate(status="ok", observed=40, lists=("a", "b"), total=100.0,
                                 low=90.0, high=110.0)}  # fmt: skip
    v = judge_aggregate(_claim(75), incidents, est, ["S1", "S2"])
    assert v.verdict == "consistent" and v.incidents == 40 and v.incidents_by_accused == 30
    assert v.interval is not None and v.interval[0] < 75 < v.interval[1]
    assert judge_aggregate(_claim(300), incidents, est, ["S1"]).verdict == "overstated"
    assert judge_aggregate(_claim(10), incidents, est, ["S1"]).verdict == "understated"
    # the whole front: S2 has no estimate, so half the sector-days are missing
    assert judge_aggregate(_claim(75, None), incidents, est, ["S1", "S2"]).verdict == "no_estimate"


def test_sector_days_of_a_period() -> None:
    c = AggregateClaim(claim_id="A", claimant="UA", accused="RU", stated_at=None,
                       period_start=datetime(2025, 4, 19, 15, tzinfo=UTC),
                       period_end=datetime(2025, 4, 21, 0, tzinfo=UTC), count=1)  # fmt: skip
    assert sector_days(c, ["S1"]) == [("S1", date(2025, 4, 19)), ("S1", DAY)]

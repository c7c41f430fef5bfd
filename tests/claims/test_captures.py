"""The capture histories of the totals from incidents: linked sites merged, weights the
probability of being real, long incidents read both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from trucewatch.claims.captures import sector_day_captures, sector_day_estimates
from trucewatch.types import (
    Attribution,
    EventKind,
    Incident,
    IncidentStatus,
    PointLocation,
    SourceKind,
)

LISTS = ("acoustic", "camera", "patrol")
T0 = datetime(2025, 4, 20, 1, tzinfo=UTC)


def _incident(k: int, kinds: tuple[str, ...], *, t: datetime, lon: float = 37.0,
              side: str = "RU", confidence: float = 0.9, minutes: float = 5.0,
              status: IncidentStatus = IncidentStatus.PROBABLE) -> Incident:  # fmt: skip
    return Incident(uid=f"i{k}", time_start=t, time_end=t + timedelta(minutes=minutes),
                    location=PointLocation.isotropic(lon, 48.0, 0.5), kind=EventKind.ARTILLERY,
                    count=1, confidence=confidence, status=status, attribution=Attribution(),
                    observation_uids=(f"o{k}",),
                    source_kinds=tuple(SourceKind(s) for s in kinds), sector="S1",
                    held_by=side)  # fmt: skip


def test_the_two_sites_of_one_violation_are_one_capture() -> None:
    firing = _incident(0, ("acoustic",), t=T0, side="RU", confidence=0.5)
    impact = _incident(1, ("camera",), t=T0 + timedelta(seconds=40), lon=37.1, side="UA",
                       confidence=0.6)  # fmt: skip
    alone = _incident(2, ("patrol",), t=T0 + timedelta(hours=3), confidence=0.7)
    cap = sector_day_captures([firing, impact, alone], LISTS)
    h, w = cap[("S1", date(2025, 4, 20))]
    assert h.tolist() == [[True, True, False], [False, False, True]]
    assert np.allclose(w, [1 - 0.5 * 0.4, 0.7])


def _day(rng: np.random.Generator, n: int) -> list[Incident]:
    """``n`` violations, 10 minutes apart, each one incident seen by the lists that
    recorded it (each with probability 0.5)."""
    out = []
    for k in range(n):
        seen = rng.random(3) < 0.5
        if seen.any():
            kinds = tuple(s for s, ok in zip(LISTS, seen, strict=True) if ok)
            out.append(_incident(k, kinds, t=T0 + timedelta(minutes=10 * k)))
    return out


def test_a_long_incident_is_read_both_ways() -> None:
    rng = np.random.default_rng(1)
    day = _day(rng, 80)
    key = ("S1", date(2025, 4, 20))
    plain = sector_day_estimates(day, LISTS)[key]
    assert plain.status == "ok" and "hour" not in plain.reason
    # a patrol's report of what it heard over three hours: one incident, several violations
    long = _incident(999, ("patrol",), t=T0 + timedelta(minutes=3), minutes=180.0)
    both = sector_day_estimates([*day, long], LISTS)[key]
    assert both.status == "ok" and "longer than an hour" in both.reason
    counted = sector_day_estimates([*day, _incident(999, ("patrol",), t=long.time_start)],
                                   LISTS)[key]  # fmt: skip
    # the mean of the two readings, within the union of their intervals
    assert both.total is not None and counted.total is not None and plain.total is not None
    assert both.total == (counted.total + plain.total) / 2
    assert both.low == min(counted.low, plain.low)  # type: ignore[type-var]
    assert both.high == max(counted.high, plain.high)  # type: ignore[type-var]


def test_unverified_and_refuted_incidents_are_not_counted() -> None:
    rng = np.random.default_rng(2)
    day = _day(rng, 40)
    key = ("S1", date(2025, 4, 20))
    base = sector_day_estimates(day, LISTS)[key]
    statuses = [IncidentStatus.UNVERIFIED, IncidentStatus.REFUTED] * 5
    noise = [
        _incident(500 + k, ("acoustic",), t=T0 + timedelta(minutes=10 * k + 5), status=s)
        for k, s in enumerate(statuses)
    ]
    assert sector_day_estimates([*day, *noise], LISTS)[key] == base

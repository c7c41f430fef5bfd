"""The parties' claims as records (docs/claims.md): an item (one strike or fire at a place
and time) or an aggregate (N violations in a sector or area over a period), and the
verdicts adjudication gives them.

Times are aware UTC datetimes; positions WGS84 degrees; distances km.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["AggregateClaim", "AggregateVerdict", "Claim", "ItemClaim", "ItemVerdict", "Label"]


class Label(StrEnum):
    """What the evidence says of a claim item (docs/claims.md, "The labels")."""

    CORROBORATED = "corroborated"
    """An incident seen by a monitoring source matches it in place, time and culprit."""
    PARTLY = "partly_corroborated"
    """Something happened there and then, but not as claimed (the culprit, or a count
    more than :data:`trucewatch.claims.adjudicate.INFLATION_LIMIT` times what was seen)."""
    NOT_VERIFIABLE = "not_verifiable"
    """No incident matches and monitoring could not have seen it (coverage too low)."""
    CONTRADICTED = "contradicted"
    """No incident matches although monitoring should have seen it."""


@dataclass(frozen=True, kw_only=True)
class ItemClaim:
    """One claimed strike or fire."""

    claim_id: str
    claimant: str
    """Party code of who claims (``UA``, ``RU``)."""
    accused: str | None
    """Party code of the claimed culprit (``None``: not named)."""
    stated_at: datetime | None
    """When the claim was made (UTC); ``None`` if not known."""
    time_start: datetime
    time_end: datetime
    lon: float
    lat: float
    sigma_km: float
    """Location uncertainty (sd per axis, km)."""
    weapon: str | None = None
    target: str | None = None
    count: int | None = None
    """Rounds or strikes claimed."""
    place: str | None = None
    source: str = ""
    """Where the claim comes from (file, statement, URL)."""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class AggregateClaim:
    """N violations by ``accused`` in a sector (or bounding box, or the whole front) over
    a period."""

    claim_id: str
    claimant: str
    accused: str | None
    stated_at: datetime | None
    period_start: datetime
    period_end: datetime
    count: int
    sector: str | None = None
    """A sector name (``None``: the whole front unless ``bbox``)."""
    bbox: tuple[float, float, float, float] | None = None
    """``(lon_min, lat_min, lon_max, lat_max)``."""
    kind: str = "violations"
    source: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


Claim = ItemClaim | AggregateClaim


@dataclass(frozen=True, kw_only=True)
class ItemVerdict:
    """The label of one claim item, why, and on what evidence."""

    claim_id: str
    label: Label
    reason: str
    coverage: float
    """Probability that the monitoring sources working there and then would have detected
    an event as claimed (0-1)."""
    incidents: tuple[str, ...] = ()
    """Uids of the matching incidents, best first."""
    distance_km: float | None = None
    """From the claimed point to the best matching incident."""
    likelihood_ratio: float | None = None
    """The best match's density at the claimed point over the chance density of incidents
    there (above 1: likelier a match than a coincidence)."""


@dataclass(frozen=True, kw_only=True)
class AggregateVerdict:
    """An aggregate claim against the incidents and the estimated total."""

    claim_id: str
    verdict: str
    """``consistent``, ``overstated``, ``understated`` or ``no_estimate``."""
    reason: str
    incidents: int
    """Incidents in the claim's area and period."""
    incidents_by_accused: int
    """Of them, attributed to the accused party."""
    estimate: float | None = None
    """Estimated violations (all parties) in the area and period, seen or not."""
    interval: tuple[float, float] | None = None
    """90% interval of the violations by the accused (the estimate times the accused's
    share of the attributed incidents)."""

"""Use case: fuse the stored observations of a period into incidents, assess them
against the agreements in force and replace the period's incidents."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.agreements.verdicts import AssessContext, attach_assessments
from trucewatch.app.agreements import stored_agreements
from trucewatch.app.lines import line_history
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.app.thermal import war_fire_incidents
from trucewatch.fusion.engine import FusionResult, fuse_observations
from trucewatch.store import Store
from trucewatch.store.retractions import observations_for_fusion
from trucewatch.types import Observation

log = logging.getLogger(__name__)


def utc_bounds(since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    """Both bounds as aware UTC datetimes (a naive time is taken as UTC)."""

    def norm(t: datetime | None) -> datetime | None:
        if t is None:
            return None
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)

    return norm(since), norm(until)


def trusted_observations(store: Store, since: datetime | None, until: datetime | None
                         ) -> tuple[list[Observation], list[tuple[str, str]]]:  # fmt: skip
    """The stored observations of [since, until) that fusion may use, and ``(uid, reason)``
    of those it must not: fusion never trusts the store. Retracted observations are left
    out; a row that cannot be read, or a value outside :mod:`trucewatch.limits` (stored by
    an older version), is quarantined with a warning and never reaches fusion."""
    observations, quarantined = observations_for_fusion(store.engine, since, until)
    trusted = []
    for o in observations:
        problem = limits.observation_problem(o)
        if problem is None:
            trusted.append(o)
        else:
            quarantined.append((o.uid, f"field {problem[0]!r}: {problem[1]}"))
    for uid, why in quarantined:
        log.warning("observation %s quarantined, left out of fusion: %s", uid, why)
    return trusted, quarantined


def fuse(
    store: Store, since: datetime | None = None, until: datetime | None = None, *,
    principal: Principal = OPERATOR,
) -> dict[str, Any]:
    """Re-fuse the observations starting in [since, until) and replace their incidents,
    assessed against the agreements with the satellite fires judged war-related
    (:func:`trucewatch.app.thermal.war_fire_incidents`)."""
    require(principal, Permission.MANAGE_MISSION)
    since, until = utc_bounds(since, until)
    observations, quarantined = trusted_observations(store, since, until)
    lines = line_history(store)
    result: FusionResult = fuse_observations(observations, lines if lines else None)
    agreements = stored_agreements(store)
    war_fires = war_fire_incidents(result.incidents, observations, lines if lines else None)
    incidents = attach_assessments(
        result.incidents, agreements,
        AssessContext(lines=lines if lines else None, war_fires=war_fires),
    )
    store.replace_incidents(incidents, since, until)
    by_status: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for inc in incidents:
        by_status[inc.status.value] = by_status.get(inc.status.value, 0) + 1
        verdict = inc.assessment.get("agreement_verdict")
        if verdict:
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return {
        "observations": len(observations),
        "incidents": len(incidents),
        "by_status": by_status,
        "agreements": len(agreements),
        "by_verdict": verdicts,
        "unresolved": [{"observation": uid, "reason": why} for uid, why in result.unresolved],
        "quarantined": [{"observation": uid, "reason": why} for uid, why in quarantined],
        "lines": len(store.lines()),
    }


def export_incidents(store: Store, out_file: Path, fmt: str, since: datetime | None = None,
                     until: datetime | None = None, *,
                     principal: Principal = OPERATOR) -> dict[str, Any]:  # fmt: skip
    """Write the incidents starting in [since, until) to ``out_file`` in format ``fmt``
    (:data:`trucewatch.export.FORMATS`)."""
    from trucewatch.export import write_incidents

    require(principal, Permission.READ_ALL_INCIDENTS)
    since_utc, until_utc = utc_bounds(since, until)
    n = write_incidents(store.incidents(since_utc, until_utc), out_file, fmt)
    return {"incidents": n, "format": fmt, "out": str(out_file)}

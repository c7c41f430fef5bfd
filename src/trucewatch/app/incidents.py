"""Use case: fuse the stored observations of a period into incidents, assess them
against the agreements in force and replace the period's incidents."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trucewatch import limits
from trucewatch.agreements.verdicts import AssessContext, attach_assessments
from trucewatch.app.agreements import stored_agreements
from trucewatch.app.engine import engine_run
from trucewatch.app.lines import line_history
from trucewatch.app.progress import Progress, no_progress
from trucewatch.app.review import remap_reviews
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.app.thermal import war_fire_incidents
from trucewatch.fusion.engine import STEPS, FusionResult, fuse_observations
from trucewatch.store import Store
from trucewatch.store.retractions import observations_for_fusion
from trucewatch.types import ContactLine, Observation

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
    principal: Principal = OPERATOR, progress: Progress = no_progress,
) -> dict[str, Any]:
    """Re-fuse the observations starting in [since, until) and replace their incidents,
    assessed against the agreements with the satellite fires judged war-related
    (:func:`trucewatch.app.thermal.war_fire_incidents`). ``progress`` is told each of
    the nine steps (four of its own and those of fusion); ``warnings`` in the answer say
    when no contact line covers the observations (no line stored, or observations older
    than the first line)."""
    require(principal, Permission.MANAGE_MISSION)
    since, until = utc_bounds(since, until)
    progress("reading observations", 0, STEPS + 4)
    observations, quarantined = trusted_observations(store, since, until)
    lines = line_history(store)
    n = STEPS + 4  # reading, the steps of fusion, war fires, assessing, storing

    def step(what: str, done: int, _total: int) -> None:
        progress(f"fusing: {what}", 1 + done, n)

    result: FusionResult = fuse_observations(observations, lines if lines else None,
                                             progress=step)  # fmt: skip
    agreements = stored_agreements(store)
    progress(f"judging the satellite fires of {len(result.incidents):,} incidents", n - 3, n)
    war_fires = war_fire_incidents(result.incidents, observations, lines if lines else None)
    progress(f"assessing {len(result.incidents):,} incidents", n - 2, n)
    incidents = attach_assessments(
        result.incidents, agreements,
        AssessContext(lines=lines if lines else None, war_fires=war_fires),
    )
    progress(f"storing {len(incidents):,} incidents", n - 1, n)
    store.replace_incidents(incidents, since, until, engine_run(since, until))
    reviews = remap_reviews(store, since, until)
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
        "warnings": line_coverage_warnings(observations, store.lines()),
        "reviews": reviews,
    }


def line_coverage_warnings(observations: Sequence[Observation],
                           lines: Sequence[ContactLine]) -> list[str]:  # fmt: skip
    """Why some observations have no contact line to be placed against: none is stored,
    or they are older than the first line's ``valid_from`` (UTC day)."""
    if not observations:
        return []
    if not lines:
        return [f"no contact line is stored: the {len(observations):,} observations get no "
                "side of the line, distance or sector (`trucewatch line import`)"]  # fmt: skip
    first = min(ln.valid_from for ln in lines)
    before = sum(o.time_start.astimezone(UTC).date() < first for o in observations)
    if not before:
        return []
    return [f"{before:,} of {len(observations):,} observations are older than the first "
            f"contact line (valid from {first.isoformat()}): they get no side of the line, "
            "distance or sector"]  # fmt: skip


def export_incidents(store: Store, out_file: Path, fmt: str, since: datetime | None = None,
                     until: datetime | None = None, *, principal: Principal = OPERATOR,
                     progress: Progress = no_progress) -> dict[str, Any]:  # fmt: skip
    """Write the incidents starting in [since, until) to ``out_file`` in format ``fmt``
    (:data:`trucewatch.export.FORMATS`); ``progress`` counts the incidents encoded."""
    from trucewatch.export import write_incidents

    require(principal, Permission.READ_ALL_INCIDENTS)
    since_utc, until_utc = utc_bounds(since, until)
    progress("reading incidents", 0, 0)
    chosen = store.incidents(since_utc, until_utc)
    n = write_incidents(chosen, out_file, fmt, progress=progress)
    return {"incidents": n, "format": fmt, "out": str(out_file)}


def incident_records(store: Store, since: datetime | None = None,
                     until: datetime | None = None, *,
                     principal: Principal = OPERATOR) -> list[dict[str, Any]]:  # fmt: skip
    """The incidents starting in [since, until) as canonical records
    (:func:`trucewatch.codec.incident_record`), oldest first: what the exports and the
    notebook API (:mod:`trucewatch.notebook`) are made of."""
    from trucewatch.codec import incident_record

    require(principal, Permission.READ_ALL_INCIDENTS)
    since_utc, until_utc = utc_bounds(since, until)
    return [incident_record(i) for i in store.incidents(since_utc, until_utc)]

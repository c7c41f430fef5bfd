"""Use case: fuse the stored observations of a period into incidents, assess them
against the agreements in force and replace the period's incidents."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trucewatch import limits
from trucewatch.agreements.verdicts import AssessContext, attach_assessments
from trucewatch.app.agreements import stored_agreements
from trucewatch.app.engine import engine_run
from trucewatch.app.lines import line_history
from trucewatch.app.progress import Progress, Stages, no_progress
from trucewatch.app.review import remap_reviews
from trucewatch.app.roles import OPERATOR, Permission, Principal, require
from trucewatch.app.thermal import war_fire_incidents
from trucewatch.fusion.engine import STEPS, FusionResult, fuse_observations
from trucewatch.fusion.partition import PartitionPlan, front_axis
from trucewatch.geo.history import LineHistory
from trucewatch.store import Store
from trucewatch.store.retractions import observations_for_fusion
from trucewatch.types import ContactLine, Incident, Observation, SourceKind

if TYPE_CHECKING:
    from trucewatch.app.partitioned import ClusterOptions

log = logging.getLogger(__name__)


def utc_bounds(since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    """Both bounds as aware UTC datetimes (a naive time is taken as UTC)."""

    def norm(t: datetime | None) -> datetime | None:
        if t is None:
            return None
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)

    return norm(since), norm(until)


CHECK_EVERY = 1_000
"""Observations checked between two reports of :func:`fuse`'s progress."""


ASSESS_CHUNK = 5_000
"""Incidents assessed at once (the geometry of an assessment is computed per call, an
incident's verdict depends on it alone) between two reports of :func:`fuse`'s
progress."""


def trusted_observations(store: Store, since: datetime | None, until: datetime | None,
                         progress: Progress | None = None,
                         ) -> tuple[list[Observation], list[tuple[str, str]]]:  # fmt: skip
    """The stored observations of [since, until) that fusion may use, and ``(uid, reason)``
    of those it must not: fusion never trusts the store. Retracted observations are left
    out; a row that cannot be read, or a value outside :mod:`trucewatch.limits` (stored by
    an older version), is quarantined with a warning and never reaches fusion.
    ``progress`` is told the observations read, then those checked."""
    observations, quarantined = observations_for_fusion(store.engine, since, until, progress)
    trusted = []
    n, what = len(observations), f"checking {len(observations):,} observations"
    tell = progress or no_progress
    tell(what, 0, n)
    for k, o in enumerate(observations):
        if k and not k % CHECK_EVERY:
            tell(what, k, n)
        problem = limits.observation_problem(o)
        if problem is None:
            trusted.append(o)
        else:
            quarantined.append((o.uid, f"field {problem[0]!r}: {problem[1]}"))
    tell(what, n, n)
    for uid, why in quarantined:
        log.warning("observation %s quarantined, left out of fusion: %s", uid, why)
    return trusted, quarantined


def fuse(
    store: Store, since: datetime | None = None, until: datetime | None = None, *,
    principal: Principal = OPERATOR, progress: Progress = no_progress,
    cluster: ClusterOptions | None = None, plan: PartitionPlan | None = None,
) -> dict[str, Any]:
    """Re-fuse the observations starting in [since, until) and replace their incidents,
    assessed against the agreements with the satellite fires judged war-related
    (:func:`trucewatch.app.thermal.war_fire_incidents`). ``progress`` is told each
    stage, numbered, with its counts (:class:`~trucewatch.app.progress.Stages`: the
    observations read and checked, the steps of fusion, the incidents judged, assessed,
    stored and logged); ``warnings`` in the answer say
    when no contact line covers the observations (no line stored, or observations older
    than the first line). ``cluster``: fuse partitioned on Dask
    (:mod:`trucewatch.app.partitioned`, cut as ``plan`` says, by default one-day windows
    and bands across the front with the halos of
    :func:`trucewatch.fusion.partition.halo_for`); the answer then says how the
    partitions went (``partitions``)."""
    require(principal, Permission.MANAGE_MISSION)
    since, until = utc_bounds(since, until)
    # reading, checking, fusion's steps (or the cells), judging, assessing, storing, logging
    stage = Stages(progress, STEPS + 6 if cluster is None else 5)
    lines = line_history(store)
    extra: dict[str, Any] = {}
    if cluster is None:
        observations, quarantined = trusted_observations(store, since, until, stage)
        result: FusionResult = fuse_observations(observations, lines if lines else None,
                                                 progress=stage)  # fmt: skip
        tally = _Tally.of(observations, lines)
    else:
        result, quarantined, tally, extra = _fuse_on_cluster(store, since, until, lines,
                                                             cluster, plan, stage)  # fmt: skip
        observations = tally.satellite
    agreements = stored_agreements(store)
    k = len(result.incidents)
    what = f"judging the satellite fires of {k:,} incidents"
    stage(what, 0, k)
    war_fires = war_fire_incidents(result.incidents, observations, lines if lines else None)
    stage(what, k, k)
    context = AssessContext(lines=lines if lines else None, war_fires=war_fires)
    incidents: list[Incident] = []
    what = f"assessing {k:,} incidents"
    stage(what, 0, k)
    for start in range(0, k, ASSESS_CHUNK):  # each incident alone: the same in chunks
        incidents += attach_assessments(result.incidents[start:start + ASSESS_CHUNK],
                                        agreements, context)  # fmt: skip
        stage(what, len(incidents), k)
    store.replace_incidents(incidents, since, until, engine_run(since, until), progress=stage)
    reviews = remap_reviews(store, since, until)
    by_status: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    for inc in incidents:
        by_status[inc.status.value] = by_status.get(inc.status.value, 0) + 1
        verdict = inc.assessment.get("agreement_verdict")
        if verdict:
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return {
        "observations": tally.count,
        "incidents": len(incidents),
        "by_status": by_status,
        "agreements": len(agreements),
        "by_verdict": verdicts,
        "unresolved": [{"observation": uid, "reason": why} for uid, why in result.unresolved],
        "quarantined": [{"observation": uid, "reason": why} for uid, why in quarantined],
        "lines": len(store.lines()),
        "warnings": coverage_warnings(tally.count, tally.before_first_line, store.lines()),
        "reviews": reviews,
    } | extra


@dataclass
class _Tally:
    """What the answer says of the observations fused: how many, how many are older than
    the first line, and the satellite detections (for the war-fire judgement)."""

    first_line: date | None
    count: int = 0
    before_first_line: int = 0
    satellite: list[Observation] = field(default_factory=list)

    @classmethod
    def of(cls, observations: Sequence[Observation], lines: LineHistory) -> _Tally:
        tally = cls(min(lines.dates) if lines else None)
        for o in observations:
            tally(o)
        return tally

    def __call__(self, o: Observation) -> bool:
        self.count += 1
        if self.first_line is not None and o.time_start.astimezone(UTC).date() < self.first_line:
            self.before_first_line += 1
        if o.source_kind is SourceKind.SATELLITE_THERMAL:
            self.satellite.append(o)
        return False


_OPEN_END = datetime(9999, 1, 1, tzinfo=UTC)


def _line_vertices(lines: LineHistory) -> np.ndarray | None:
    """Vertices (lon, lat degrees) of the latest contact line, or None."""
    if not lines:
        return None
    geom = lines.contexts[-1].line
    parts = getattr(geom, "geoms", [geom])
    return np.concatenate([np.asarray(p.coords)[:, :2] for p in parts])


def _fuse_on_cluster(store: Store, since: datetime | None, until: datetime | None,
                     lines: LineHistory, cluster: ClusterOptions, plan: PartitionPlan | None,
                     step: Progress) -> tuple[FusionResult, list[tuple[str, str]], _Tally,
                                              dict[str, Any]]:  # fmt: skip
    """:func:`fuse` partitioned on Dask (:mod:`trucewatch.app.partitioned`)."""
    from trucewatch.app.partitioned import fuse_partitioned, open_client

    plan = plan or PartitionPlan(axis=front_axis(_line_vertices(lines)))
    tally = _Tally(min(lines.dates) if lines else None)
    quarantined: dict[str, str] = {}
    start = since or store.first_observation_time()
    if start is None:
        return FusionResult(incidents=[]), [], tally, {"partitions": {"cells": 0}}

    def read(a: datetime, b: datetime) -> list[Observation]:
        observations, bad = trusted_observations(store, a, b)
        quarantined.update(bad)
        return observations

    def read_first(t: datetime) -> datetime | None:
        return store.first_observation_time(t)

    with open_client(cluster) as client:
        run = fuse_partitioned(read, read_first, start, until or _OPEN_END,
                               lines if lines else None, plan, client, keep=tally,
                               progress=step)  # fmt: skip
    return (run.merged.result, sorted(quarantined.items()), tally,
            {"partitions": run.summary()})  # fmt: skip


def line_coverage_warnings(observations: Sequence[Observation],
                           lines: Sequence[ContactLine]) -> list[str]:  # fmt: skip
    """Why some observations have no contact line to be placed against: none is stored,
    or they are older than the first line's ``valid_from`` (UTC day)."""
    first = min((ln.valid_from for ln in lines), default=None)
    before = 0 if first is None else sum(o.time_start.astimezone(UTC).date() < first
                                         for o in observations)  # fmt: skip
    return coverage_warnings(len(observations), before, lines)


def coverage_warnings(count: int, before: int, lines: Sequence[ContactLine]) -> list[str]:
    """:func:`line_coverage_warnings` from the counts: ``count`` observations, ``before``
    of them older than the first line."""
    if not count:
        return []
    if not lines:
        return [f"no contact line is stored: the {count:,} observations get no "
                "side of the line, distance or sector (`trucewatch line import`)"]  # fmt: skip
    first = min(ln.valid_from for ln in lines)
    if not before:
        return []
    return [f"{before:,} of {count:,} observations are older than the first "
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

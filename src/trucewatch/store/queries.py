"""Read queries for the API and the dashboard: filtered, paginated incident and observation
lists, counts per sector and day, the evidence chain of an incident, and the import batches
(those of API submissions by submitter). SQLAlchemy Core; the same SQL shape on SQLite and
PostgreSQL.

Conventions: WGS84 degrees (a bounding box is ``west, south, east, north``; boxes crossing
the antimeridian are not supported); times are aware UTC datetimes, filters on
``time_start`` in ``[since, until)``. Pages are ordered by ``(time_start, uid)`` (incidents
also newest or most confident first) and continued with an opaque cursor (keyset
pagination, :mod:`trucewatch.store.paging`: a page costs the same at any depth).

Filters on the assessment against agreements (``agreement``, ``clause``, ``verdict``) look
into the ``assessment`` JSON column with each backend's JSON functions
(:mod:`trucewatch.store.conditions`); an incident matches when *one* of its per-agreement
assessments matches all three. A condition on the worst verdict narrows them through the
indexes of :class:`~trucewatch.store.schema.WorstVerdict` (migration 0013).

Every function takes an open :class:`~sqlalchemy.Connection` and only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    cast,
    func,
    literal_column,
    select,
    true,
)

from trucewatch.store import schema as t
from trucewatch.store.batches import BatchChannel, BatchOrigin
from trucewatch.store.conditions import BBox, assessment_clause, place_time_conditions
from trucewatch.store.incident_rows import incident_from_row, observation_links
from trucewatch.store.observations import observation_from_row
from trucewatch.store.paging import MAX_PAGE as MAX_PAGE  # the callers' query types
from trucewatch.store.paging import SORTS as SORTS
from trucewatch.store.paging import Cursor as Cursor
from trucewatch.store.paging import Sort as Sort
from trucewatch.store.paging import keyset_page
from trucewatch.store.util import chunks, fields_of
from trucewatch.types import Incident, Observation
from trucewatch.units import as_utc

T = TypeVar("T")


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True, kw_only=True)
class IncidentFilter:
    """Which incidents to return. Empty tuples and ``None`` mean "no condition".

    ``parties`` match the attribution (the party whose territory the fire came from, or
    ``"undetermined"``); ``sectors`` the sector name; ``agreement`` an agreement slug,
    ``clause`` a clause id (the deciding clause or one of the other clauses it breaks) and
    ``verdict`` one of violation|undetermined|permitted, all within one agreement's
    assessment.
    """

    bbox: BBox | None = None
    since: datetime | None = None
    until: datetime | None = None
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    min_confidence: float | None = None
    agreement: str | None = None
    clause: str | None = None
    verdict: str | None = None
    uids: tuple[str, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class ObservationFilter:
    """Which observations to return: time window on ``time_start``, anchor point (the
    point or the observer position) in ``bbox``, source kinds, and the import batches
    they arrived in (``batch_ids``, e.g. a monitor's own API submissions)."""

    bbox: BBox | None = None
    since: datetime | None = None
    until: datetime | None = None
    source_kinds: tuple[str, ...] = ()
    batch_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results; ``next_cursor`` is None on the last page; ``total`` counts
    every match (None when not asked for)."""

    items: list[T]
    next_cursor: str | None
    total: int | None = None


# --------------------------------------------------------------------------- incidents


def incident_conditions(
    conn: Connection, f: IncidentFilter, *, spatial_index: bool = True
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of an :class:`IncidentFilter` on ``incidents`` (a box through
    the PostGIS ``geom`` column where the store has one, unless ``spatial_index`` is
    false: :func:`~trucewatch.store.conditions.place_time_conditions`)."""
    c = t.incidents.c
    conds = place_time_conditions(conn, c, f.bbox, f.since, f.until,
                                  spatial_index=spatial_index)  # fmt: skip
    if f.sectors:
        conds.append(c.sector.in_(f.sectors))
    if f.statuses:
        conds.append(c.status.in_(f.statuses))
    if f.parties:
        conds.append(c.attribution_party.in_(f.parties))
    if f.kinds:
        conds.append(c.kind.in_(f.kinds))
    if f.min_confidence is not None:
        conds.append(c.confidence >= f.min_confidence)
    if f.uids is not None:
        conds.append(c.uid.in_(f.uids))
    assessed = assessment_clause(conn.dialect.name, agreement=f.agreement, verdict=f.verdict,
                                 clause=f.clause)  # fmt: skip
    if assessed is not None:
        conds.append(assessed)
    return conds


def find_incident_rows(
    conn: Connection,
    f: IncidentFilter,
    *,
    limit: int = 100,
    cursor: Cursor | None = None,
    with_total: bool = False,
    sort: str = "time",
    columns: Sequence[str] | None = None,
) -> Page[Any]:
    """One page of ``incidents`` rows matching ``f`` in the order ``sort`` (:data:`SORTS`;
    the fast path for callers that turn rows straight into JSON; see
    :func:`incident_from_row`), with only ``columns`` (e.g. :data:`MARKER_COLUMNS`) when
    given."""
    rows, nxt = keyset_page(conn, t.incidents, incident_conditions(conn, f), limit, cursor, sort,
                            columns)  # fmt: skip
    total = count_incidents(conn, f) if with_total else None
    return Page(rows, nxt, total)


MARKER_COLUMNS: tuple[str, ...] = (
    "uid", "time_start", "lon", "lat", "kind", "status", "confidence", "sector",
)  # fmt: skip
"""What a map marker of an incident needs (no JSON column to decode)."""


def count_incidents(conn: Connection, f: IncidentFilter) -> int:
    """Number of incidents matching ``f``. A box is counted on the ``(lon, lat)`` index,
    never through PostGIS's ``geom``: PostgreSQL counts a box from that index alone
    (an index-only scan), while ``geom`` lives in the table, so every row would be read
    (1,000,000 incidents, a 0.7 x 0.5 degree box of 75,000: 42 ms against 440 ms;
    docs/benchmarks.md)."""
    conds = incident_conditions(conn, f, spatial_index=False)
    query = select(func.count()).select_from(t.incidents).where(*conds)
    return int(conn.execute(query).scalar_one())


def observation_counts(conn: Connection, incident_uids: Sequence[str]) -> dict[str, int]:
    """Number of observations behind each incident."""
    c = t.incident_observations.c
    out: dict[str, int] = {}
    for chunk in chunks(incident_uids, 5_000):
        query = (
            select(c.incident_uid, func.count())
            .where(c.incident_uid.in_(chunk))
            .group_by(c.incident_uid)
        )
        out.update({uid: int(n) for uid, n in conn.execute(query)})
    return out


def _day_expr(conn: Connection) -> ColumnElement[Any]:
    """The UTC day of ``incidents.time_start`` as ISO text ``YYYY-MM-DD``."""
    if conn.dialect.name == "postgresql":
        return literal_column(
            "to_char(incidents.time_start AT TIME ZONE 'UTC', 'YYYY-MM-DD')", String()
        )
    return func.substr(cast(t.incidents.c.time_start, String()), 1, 10)


@dataclass(frozen=True)
class DayCount:
    """Incidents of one sector (None: outside sectors) on one UTC day, by status."""

    sector: str | None
    day: date
    status: str
    count: int


def incident_counts_by_sector_day(conn: Connection, f: IncidentFilter) -> list[DayCount]:
    """Counts of the incidents matching ``f`` per sector, UTC day and status."""
    c = t.incidents.c
    day = _day_expr(conn).label("day")
    query = (
        select(c.sector, day, c.status, func.count())
        .where(*incident_conditions(conn, f))
        .group_by(c.sector, day, c.status)
        .order_by(day, c.sector, c.status)
    )
    return [
        DayCount(sector, date.fromisoformat(str(d)[:10]), str(status), int(n))
        for sector, d, status, n in conn.execute(query)
    ]


def distinct_values(conn: Connection, column: str, before: datetime | None = None) -> list[str]:
    """Distinct non-null values of an incidents column (sector, status, kind,
    attribution_party), sorted: the choices of the dashboard's filters; only of incidents
    starting before ``before`` when given (what a caller may see). Without ``before`` each
    value is found by one index probe from the previous one (a recursive query), so the
    cost grows with the number of values, not of incidents."""
    if column not in {"sector", "status", "kind", "attribution_party"}:
        raise ValueError(f"no filter choices for column {column!r}")
    col = t.incidents.c[column]
    if before is not None:
        query = (select(col).where(col.is_not(None), t.incidents.c.time_start < before)
                 .distinct().order_by(col))  # fmt: skip
        return [str(v) for v in conn.execute(query).scalars()]
    found = select(func.min(col).label("v")).cte("found", recursive=True)
    after = select(func.min(col)).where(col > found.c.v).scalar_subquery()
    found = found.union_all(select(after).where(found.c.v.is_not(None)))
    query = select(found.c.v).where(found.c.v.is_not(None))
    return [str(v) for v in conn.execute(query).scalars()]


def time_range(conn: Connection, before: datetime | None = None
               ) -> tuple[datetime, datetime] | None:  # fmt: skip
    """Earliest and latest incident start (of those starting before ``before`` when
    given), or None without incidents."""
    c = t.incidents.c
    # two queries: each is one index probe; min and max together would scan the table
    window = [] if before is None else [c.time_start < before]
    lo = conn.execute(select(func.min(c.time_start)).where(*window)).scalar_one()
    hi = conn.execute(select(func.max(c.time_start)).where(*window)).scalar_one()
    return None if lo is None else (as_utc(lo), as_utc(hi))


PUBLIC_ENTRY_TYPES = frozenset({"report", "key_added", "key_revoked"})
"""Log entries about things published to everyone who may read the log."""


def ref_visible(conn: Connection, ref: str, published_before: datetime, submitter: str) -> bool:
    """Whether a caller who sees published findings and its own submissions may see the
    log entries about ``ref``: a published incident (starting before
    ``published_before``), an observation it submitted or that is evidence of a published
    incident, or a published report or key. Anything else (unknown, or not published) is
    not visible, and the caller cannot tell which."""
    inc, link = t.incidents.c, t.incident_observations.c
    start = conn.execute(select(inc.time_start).where(inc.uid == ref)).scalar()
    if start is not None:
        return as_utc(start) < published_before
    obs = conn.execute(select(t.observations.c.batch_id).where(t.observations.c.uid == ref)).first()
    if obs is not None:
        mine = conn.execute(select(t.import_batches.c.submitter).where(
            t.import_batches.c.id == obs.batch_id)).scalar() == submitter  # fmt: skip
        published = conn.execute(select(inc.uid).join(
            t.incident_observations, link.incident_uid == inc.uid).where(
            link.observation_uid == ref, inc.time_start < published_before).limit(1)).first()
        return mine or published is not None
    types = set(conn.execute(select(t.ledger_entries.c.entry_type).where(
        t.ledger_entries.c.ref == ref)).scalars())  # fmt: skip
    return bool(types) and types <= PUBLIC_ENTRY_TYPES


def line_versions(conn: Connection) -> tuple[tuple[int, str], ...]:
    """``(id, valid_from)`` of every stored contact line: a cheap key for caches of layers."""
    c = t.contact_lines.c
    rows = conn.execute(select(c.id, c.valid_from).order_by(c.id)).all()
    return tuple((int(i), str(v)) for i, v in rows)


def get_incident(conn: Connection, uid: str) -> Incident | None:
    """One incident with its observation uids, or None."""
    row = conn.execute(select(t.incidents).where(t.incidents.c.uid == uid)).first()
    if row is None:
        return None
    return incident_from_row(row, observation_links(conn, [uid]).get(uid, ()))


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True, kw_only=True)
class BatchInfo(BatchOrigin):
    """A stored import batch: when (UTC), which files, how many records, how and from
    whom it arrived (:class:`BatchOrigin`) and the key that signed it (if one did)."""

    id: int
    started_at: datetime
    """When the batch started (UTC)."""
    files: tuple[str, ...]
    """Names of the imported files."""
    read: int
    """Records read."""
    stored: int
    """Observations newly stored."""
    duplicates: int
    """Observations already stored (a re-import stores nothing twice)."""
    rejected: int
    """Records refused as invalid."""
    key_id: str | None = None
    """Id of the registered key that signed the batch's records (64 hex), or None."""


@dataclass(frozen=True)
class StoredObservation:
    """An observation with the import batch it arrived in."""

    observation: Observation
    batch_id: int | None


@dataclass(frozen=True)
class EvidenceChain:
    """An incident, the observations fused into it (oldest first) and their batches."""

    incident: Incident
    observations: list[StoredObservation]
    batches: dict[int, BatchInfo] = field(default_factory=dict)


def evidence_chain(conn: Connection, uid: str) -> EvidenceChain | None:
    """The incident ``uid`` with every observation behind it and the batches they came
    in, or None when there is no such incident."""
    inc = get_incident(conn, uid)
    if inc is None:
        return None
    observations = get_observations(conn, inc.observation_uids)
    batch_ids = sorted({o.batch_id for o in observations if o.batch_id is not None})
    return EvidenceChain(inc, observations, {b.id: b for b in get_batches(conn, batch_ids)})


def get_observations(conn: Connection, uids: Iterable[str]) -> list[StoredObservation]:
    """Observations by uid (those stored), oldest first."""
    c = t.observations.c
    out: list[StoredObservation] = []
    for chunk in chunks(list(uids), 5_000):
        rows = conn.execute(t.observation_rows().where(c.uid.in_(chunk))).all()
        out.extend(StoredObservation(observation_from_row(r), r.batch_id) for r in rows)
    out.sort(key=lambda s: (s.observation.time_start, s.observation.uid))
    return out


def find_observations(
    conn: Connection, f: ObservationFilter, *, limit: int = 100, cursor: Cursor | None = None
) -> Page[StoredObservation]:
    """One page of observations matching ``f``, oldest first."""
    c = t.observations.c
    conds = place_time_conditions(conn, c, f.bbox, f.since, f.until)
    if f.source_kinds:
        conds.append(c.source_kind.in_(f.source_kinds))
    if f.batch_ids is not None:
        conds.append(c.batch_id.in_(f.batch_ids) if f.batch_ids else ~true())
    rows, nxt = keyset_page(conn, t.observations, conds, limit, cursor,
                            base=t.observation_rows())
    return Page([StoredObservation(observation_from_row(r), r.batch_id) for r in rows], nxt)


def incidents_of_observations(conn: Connection, uids: Sequence[str]) -> dict[str, list[str]]:
    """Observation uid -> uids of the incidents it was fused into."""
    c = t.incident_observations.c
    out: dict[str, list[str]] = {}
    for chunk in chunks(uids, 5_000):
        query = select(c.observation_uid, c.incident_uid).where(c.observation_uid.in_(chunk))
        for obs, inc in conn.execute(query):
            out.setdefault(obs, []).append(inc)
    return out


# --------------------------------------------------------------------------- batches


_BATCH_COLUMNS = {name: name for name in (
    "id", "read", "stored", "duplicates", "rejected",
    "submitter", "key_id", "idempotency_key", "request_sha256",
)}  # fmt: skip
"""The :class:`BatchInfo` fields read from ``import_batches`` as they are."""


def _batch(r: Any) -> BatchInfo:
    return BatchInfo(
        **fields_of(r, _BATCH_COLUMNS),
        started_at=as_utc(r.started_at),
        files=tuple(str(f) for f in r.files or ()),
        channel=BatchChannel(r.channel),
    )


def get_batches(conn: Connection, ids: Sequence[int]) -> list[BatchInfo]:
    """Import batches by id."""
    c = t.import_batches.c
    out: list[BatchInfo] = []
    for chunk in chunks(list(ids), 5_000):
        out.extend(_batch(r) for r in conn.execute(select(t.import_batches).where(c.id.in_(chunk))))
    return sorted(out, key=lambda b: b.id)


def api_batches(
    conn: Connection, *, since: datetime | None = None, submitter: str | None = None
) -> list[BatchInfo]:
    """Batches submitted through the API (started at or after ``since``; by
    ``submitter``), oldest first."""
    c = t.import_batches.c
    conds: list[ColumnElement[bool]] = [c.channel == BatchChannel.API.value]
    if since is not None:
        conds.append(c.started_at >= as_utc(since))
    if submitter is not None:
        conds.append(c.submitter == submitter)
    query = select(t.import_batches).where(*conds).order_by(c.id)
    return [_batch(r) for r in conn.execute(query)]

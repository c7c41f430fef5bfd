"""Read views of the incidents: filtered pages, filter choices, counts per sector and UTC
day, and one incident with its evidence chain and ledger proofs.

Analysts see every incident; a party's liaison only published findings: those whose
``time_start`` is before the publication instant the caller passes (``published_before``,
an aware UTC datetime). Times are UTC; places WGS84 lon/lat degrees.

The read API's parameter types (:class:`IncidentFilter`, :class:`BBox`, :class:`Cursor`,
:data:`MAX_PAGE`) and answer types (:class:`DayCount`) are the store's query types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.ledger import LedgerView
from trucewatch.store import queries as q
from trucewatch.store.conditions import BBox
from trucewatch.store.queries import (
    MAX_PAGE,
    SORTS,
    Cursor,
    DayCount,
    EvidenceChain,
    IncidentFilter,
    Sort,
)

__all__ = [
    "FILTER_COLUMNS", "MAX_PAGE", "SORTS", "BBox", "Cursor", "DayCount", "FilterChoices",
    "IncidentEvidence", "IncidentFilter", "IncidentRows", "Sort", "filter_choices",
    "incident_evidence", "incident_rows", "incident_trend", "visible_until",
]  # fmt: skip


def visible_until(principal: Principal, published_before: datetime) -> datetime | None:
    """None for analysts (every incident); ``published_before`` for those who see
    published findings only."""
    require(principal, Permission.READ_ALL_INCIDENTS, Permission.READ_PUBLISHED_FINDINGS)
    if principal.can(Permission.READ_ALL_INCIDENTS):
        return None
    return published_before


def _up_to(flt: IncidentFilter, limit: datetime | None) -> IncidentFilter:
    """``flt`` restricted to incidents starting before ``limit`` (None: unchanged)."""
    if limit is None:
        return flt
    until = limit if flt.until is None else min(flt.until, limit)
    return dataclasses.replace(flt, until=until)


@dataclass(frozen=True)
class IncidentRows:
    """A page of ``incidents`` rows (in the order asked for) with the number of observations of each
    (by incident uid), the cursor of the next page, the count of all matches when asked
    for, and the publication limit applied (None for analysts)."""

    rows: list[Any]
    observation_counts: dict[str, int]
    next_cursor: str | None
    total: int | None
    published_before: datetime | None


def incident_rows(
    store: Store,
    flt: IncidentFilter,
    *,
    limit: int,
    cursor: Cursor | None,
    with_total: bool,
    published_before: datetime,
    principal: Principal,
    sort: Sort = "time",
    markers: bool = False,
) -> IncidentRows:
    """One page of the incidents matching ``flt`` that the caller may see, in the order
    ``sort`` (oldest, newest or most confident first: :data:`SORTS`); with ``markers``
    only the columns of :data:`~trucewatch.store.queries.MARKER_COLUMNS` (and no
    observation counts)."""
    limit_to = visible_until(principal, published_before)
    columns = q.MARKER_COLUMNS if markers else None
    with store.engine.connect() as conn:
        page = q.find_incident_rows(conn, _up_to(flt, limit_to), limit=limit, cursor=cursor,
                                    with_total=with_total, sort=sort, columns=columns)  # fmt: skip
        counts = {} if markers else q.observation_counts(conn, [r.uid for r in page.items])
    return IncidentRows(page.items, counts, page.next_cursor, page.total, limit_to)


FILTER_COLUMNS = {"sectors": "sector", "statuses": "status", "parties": "attribution_party",
                  "kinds": "kind"}  # fmt: skip
"""The filters with a fixed set of choices, and the column of ``incidents`` they match."""


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter of :data:`FILTER_COLUMNS` can take (by filter name), the
    time range of the incidents (UTC, cut at the publication limit) and that limit (None
    for analysts)."""

    values: dict[str, list[str]]
    time_min: datetime | None
    time_max: datetime | None
    published_before: datetime | None


def filter_choices(
    store: Store, published_before: datetime, *, principal: Principal
) -> FilterChoices:
    limit_to = visible_until(principal, published_before)
    with store.engine.connect() as conn:
        span = q.time_range(conn, limit_to)
        values = {name: q.distinct_values(conn, column, limit_to)
                  for name, column in FILTER_COLUMNS.items()}  # fmt: skip
    return FilterChoices(values, None if span is None else span[0],
                         None if span is None else span[1], limit_to)  # fmt: skip


def incident_trend(
    store: Store, flt: IncidentFilter, published_before: datetime, *, principal: Principal
) -> list[DayCount]:
    """Incidents matching ``flt`` per sector, UTC day and status."""
    limit_to = visible_until(principal, published_before)
    with store.engine.connect() as conn:
        return q.incident_counts_by_sector_day(conn, _up_to(flt, limit_to))


@dataclass(frozen=True)
class IncidentEvidence:
    """An incident's evidence chain with the ledger's word on it: the log entries of each
    observation (by uid), inclusion proofs against the latest signed tree head and that
    head (for callers who may read the ledger), and the state of the log (``available``,
    ``no_tree_head`` or ``unavailable``)."""

    chain: EvidenceChain
    ledger_entries: dict[str, list[int]]
    proofs: list[dict[str, Any]] | None
    tree_head: dict[str, Any] | None
    ledger_state: str


def incident_evidence(
    store: Store,
    ledger: LedgerView | None,
    uid: str,
    published_before: datetime,
    *,
    principal: Principal,
) -> IncidentEvidence:
    """The incident ``uid`` with every observation behind it; :class:`NotVisible` when
    there is none the caller may see."""
    limit_to = visible_until(principal, published_before)
    may_prove = principal.can(Permission.READ_LEDGER)
    with store.engine.connect() as conn:
        chain = q.evidence_chain(conn, uid)
        if chain is None or (limit_to is not None and chain.incident.time_start >= limit_to):
            raise NotVisible(f"no incident {uid}")
        if ledger is None:
            return IncidentEvidence(chain, {}, None, None, "unavailable")
        obs_uids = [s.observation.uid for s in chain.observations]
        entries = {u: ledger.find(conn, u, "observation") for u in obs_uids}
        head = ledger.latest_head(conn)
        covered = ledger.covered_size(conn)
        proofs = None
        if covered is not None and may_prove:
            proofs = [ledger.inclusion_proof(conn, i, covered)
                      for u in obs_uids for i in entries[u] if i < covered]  # fmt: skip
    state = "available" if covered is not None else "no_tree_head"
    return IncidentEvidence(chain, entries, proofs, head if may_prove else None, state)

"""Read views of the observations: pages and one observation, with the import batch each
arrived in, the incidents it was fused into and (for one) its ledger entries.

Analysts read every observation; monitors and a party's liaison only what they submitted
through the API (the batches tagged with their name). Times are UTC; places WGS84 lon/lat
degrees. The read API's parameter and answer types (:class:`ObservationFilter`,
:class:`StoredObservation`, :class:`BatchInfo`) are the store's query types.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import Connection

from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.ledger import LedgerView
from trucewatch.store import queries as q
from trucewatch.store.queries import BatchInfo, Cursor, ObservationFilter, StoredObservation

__all__ = [
    "BatchInfo", "ObservationDetail", "ObservationFilter", "ObservationRows",
    "StoredObservation", "observation_detail", "observation_rows",
]  # fmt: skip


def _may_read(principal: Principal) -> None:
    require(principal, Permission.READ_ALL_OBSERVATIONS, Permission.READ_OWN_SUBMISSIONS)


def _own_batches(conn: Connection, principal: Principal) -> tuple[int, ...]:
    return tuple(b.id for b in q.api_batches(conn, submitter=principal.name))


@dataclass(frozen=True)
class ObservationRows:
    """A page of observations (oldest first) with their batches (by id), the incidents
    each was fused into (by observation uid) and the cursor of the next page."""

    items: list[StoredObservation]
    batches: dict[int, BatchInfo]
    incidents: dict[str, list[str]]
    next_cursor: str | None


def observation_rows(
    store: Store,
    flt: ObservationFilter,
    *,
    mine: bool,
    limit: int,
    cursor: Cursor | None,
    principal: Principal,
) -> ObservationRows:
    """One page of the observations matching ``flt`` that the caller may read (with
    ``mine``, only the caller's own submissions)."""
    _may_read(principal)
    with store.engine.connect() as conn:
        if mine or not principal.can(Permission.READ_ALL_OBSERVATIONS):
            flt = dataclasses.replace(flt, batch_ids=_own_batches(conn, principal))
        page = q.find_observations(conn, flt, limit=limit, cursor=cursor)
        batch_ids = sorted({s.batch_id for s in page.items if s.batch_id is not None})
        batches = {b.id: b for b in q.get_batches(conn, batch_ids)}
        incidents = q.incidents_of_observations(conn, [s.observation.uid for s in page.items])
    return ObservationRows(page.items, batches, incidents, page.next_cursor)


@dataclass(frozen=True)
class ObservationDetail:
    """One observation, its batch, the incidents it was fused into and its ledger entries
    (None without a ledger)."""

    stored: StoredObservation
    batch: BatchInfo | None
    incidents: list[str]
    ledger_entries: list[int] | None


def _not_visible(uid: str, principal: Principal) -> str:
    """One answer for an observation that is not there and one the caller may not see
    (so the answer confirms nothing)."""
    if principal.can(Permission.READ_ALL_OBSERVATIONS):
        return f"no observation {uid}"
    return f"no observation {uid} among your submissions"


def observation_detail(
    store: Store, ledger: LedgerView | None, uid: str, *, principal: Principal
) -> ObservationDetail:
    """The observation ``uid``; :class:`NotVisible` when there is none, or it is not one the
    caller submitted (for callers who read only their own submissions)."""
    _may_read(principal)
    with store.engine.connect() as conn:
        found = q.get_observations(conn, [uid])
        if not found:
            raise NotVisible(_not_visible(uid, principal))
        stored = found[0]
        batches = q.get_batches(conn, [stored.batch_id] if stored.batch_id is not None else [])
        batch = batches[0] if batches else None
        if not principal.can(Permission.READ_ALL_OBSERVATIONS) and (
            batch is None or batch.submitter != principal.name
        ):
            raise NotVisible(_not_visible(uid, principal))
        incidents = q.incidents_of_observations(conn, [uid]).get(uid, [])
        entries = None if ledger is None else ledger.find(conn, uid, "observation")
    return ObservationDetail(stored, batch, incidents, entries)

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
from typing import Any

from sqlalchemy import Connection

from trucewatch.app.roles import Permission, Principal, require
from trucewatch.app.session import Store
from trucewatch.app.views.errors import NotVisible
from trucewatch.app.views.ledger import LedgerView
from trucewatch.store import queries as q
from trucewatch.store.media import MediaRow, media_of
from trucewatch.store.queries import BatchInfo, Cursor, ObservationFilter, StoredObservation

__all__ = [
    "BatchInfo", "ObservationDetail", "ObservationFilter", "ObservationRows",
    "StoredObservation", "may_see_observation", "media_record", "observation_detail",
    "observation_rows",
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
    """One observation, its batch, the incidents it was fused into, its ledger entries
    (None without a ledger) and the media attached to it (:func:`media_record` each)."""

    stored: StoredObservation
    batch: BatchInfo | None
    incidents: list[str]
    ledger_entries: list[int] | None
    media: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _sees(principal: Principal, batch: BatchInfo | None) -> bool:
    """Whether the caller may see an observation of ``batch`` in full: analysts, and the
    token holder who submitted it."""
    if principal.can(Permission.READ_ALL_OBSERVATIONS):
        return True
    return batch is not None and batch.submitter == principal.name


def may_see_observation(conn: Connection, uid: str, principal: Principal) -> bool:
    """True when observation ``uid`` is stored and the caller may see it in full (the rule
    of :func:`observation_detail`; roles that read no observations see none)."""
    if not principal.can(Permission.READ_ALL_OBSERVATIONS) and not principal.can(
            Permission.READ_OWN_SUBMISSIONS):
        return False
    found = q.get_observations(conn, [uid])
    if not found:
        return False
    batch_id = found[0].batch_id
    batches = q.get_batches(conn, [batch_id] if batch_id is not None else [])
    return _sees(principal, batches[0] if batches else None)


def media_record(row: MediaRow) -> dict[str, Any]:
    """A media row as the faces show it: SHA-256, type, size (bytes), sender, times (UTC),
    ``exif`` (time UTC, lat/lon degrees WGS84) and ``c2pa`` (status, reason, signer)."""
    return {
        "sha256": row.sha256, "observation": row.observation_uid,
        "media_type": row.media_type, "size_bytes": row.size_bytes,
        "submitted_by": row.submitted_by, "received_at": row.received_at,
        "analysed_at": row.analysed_at,
        "exif": {"time": row.exif_time, "lat": row.exif_lat, "lon": row.exif_lon},
        "c2pa": {"status": row.c2pa_status, "reason": row.c2pa_reason,
                 "signer": row.c2pa_signer},
    }  # fmt: skip


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
        if not _sees(principal, batch):
            raise NotVisible(_not_visible(uid, principal))
        incidents = q.incidents_of_observations(conn, [uid]).get(uid, [])
        entries = None if ledger is None else ledger.find(conn, uid, "observation")
        media = [media_record(m) for m in media_of(conn, uid)]
    return ObservationDetail(stored, batch, incidents, entries, media)

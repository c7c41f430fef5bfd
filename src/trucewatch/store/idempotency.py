"""Idempotency keys of API submissions, in the database (``idempotency_keys``), so that
any number of API processes on one store answer a key the same way.

A key is **reserved** before its request is processed: one short transaction inserts the
row ``(submitter, key)`` with the request's digest, a random ``holder`` naming this
reservation and a lease (``lease_until``, UTC). The primary key decides between two
processes reserving the same key at once: the second one's ``INSERT ... ON CONFLICT DO
NOTHING`` inserts nothing (on PostgreSQL it first waits for the first one's transaction) and
it reads the row instead. The reservation is **completed** in the transaction that stores
the batch (:func:`complete`: batch id, JSON answer, ``completed_at``), so a process killed
before its commit leaves a pending reservation and stores nothing; one killed after it
leaves a completed key. Completion is fenced by the holder: a reservation that expired and
was reclaimed by another process can no longer be completed by the first.

A **reclaimable** row is one whose lease ran out before completion (its process died or
hung) or whose completion is older than the keys' time to live: the next request with that
key takes it over (a conditional ``UPDATE`` on the old holder, so two takers cannot both win).

Keys of API batches stored before this table existed (``import_batches.idempotency_key``)
are honoured: the first request that reserves such a key finds the batch and completes the
reservation with it at once (``response`` stays NULL: the caller re-derives its answer).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from trucewatch.store import schema as t
from trucewatch.store.batches import BatchChannel
from trucewatch.units import as_utc


class KeyOutcome(StrEnum):
    """What a reservation attempt found."""

    RESERVED = "reserved"  # go ahead: this caller holds the key now
    DONE = "done"  # the key was completed: replay its answer
    IN_PROGRESS = "in_progress"  # another request holds a live lease: retry later (409)
    MISMATCH = "mismatch"  # the key was used for another request body (422)


@dataclass(frozen=True)
class Reservation:
    """The outcome of :func:`reserve`: the holder (``RESERVED``), or the completed key's
    batch id and JSON answer (``DONE``; ``response`` None for a key completed before the
    table existed)."""

    outcome: KeyOutcome
    holder: str | None = None
    batch_id: int | None = None
    response: str | None = None


def reserve(
    engine: Engine,
    submitter: str,
    key: str,
    digest: str,
    now: datetime,
    *,
    lease_s: float,
    ttl_s: float,
) -> Reservation:
    """Reserve ``key`` of ``submitter`` for a request of SHA-256 ``digest`` at ``now``
    (aware UTC), for ``lease_s`` seconds; keys completed more than ``ttl_s`` seconds ago are
    forgotten (taken over like an expired lease)."""
    holder = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=lease_s)
    values = {"submitter": submitter, "key": key, "request_sha256": digest, "holder": holder,
              "reserved_at": now, "lease_until": lease_until}  # fmt: skip
    with engine.begin() as conn:
        if _insert_new(conn, values):
            legacy = _legacy_batch(conn, submitter, key, now - timedelta(seconds=ttl_s))
            if legacy is None:
                return Reservation(KeyOutcome.RESERVED, holder=holder)
            _complete_with(conn, submitter, key, holder, legacy[0], None, now)
            if legacy[1] != digest:
                return Reservation(KeyOutcome.MISMATCH)
            return Reservation(KeyOutcome.DONE, batch_id=legacy[0])
        row = _row(conn, submitter, key)
        if row is None:  # deleted between our insert and read (a released key): retry
            return reserve(engine, submitter, key, digest, now, lease_s=lease_s, ttl_s=ttl_s)
        completed = row.completed_at is not None
        expired = (as_utc(row.completed_at) < now - timedelta(seconds=ttl_s) if completed
                   else as_utc(row.lease_until) <= now)  # fmt: skip
        if expired:
            taken = conn.execute(
                update(t.idempotency_keys)
                .where(*_key_is(submitter, key), t.idempotency_keys.c.holder == row.holder)
                .values(**values, completed_at=None, batch_id=None, response=None)
                .returning(t.idempotency_keys.c.holder)
            ).first()
            if taken is not None:
                return Reservation(KeyOutcome.RESERVED, holder=holder)
            return Reservation(KeyOutcome.IN_PROGRESS)
        if row.request_sha256 != digest:
            return Reservation(KeyOutcome.MISMATCH)
        if not completed:
            return Reservation(KeyOutcome.IN_PROGRESS)
        return Reservation(KeyOutcome.DONE, batch_id=row.batch_id, response=row.response)


def complete(
    conn: Connection,
    submitter: str,
    key: str,
    holder: str,
    batch_id: int,
    response: str,
    now: datetime,
) -> bool:
    """Complete the reservation ``holder`` of ``key`` in the caller's transaction (the one
    storing the batch); False when the reservation is no longer this holder's (its lease
    ran out and another request took the key over): the caller must then roll back."""
    return _complete_with(conn, submitter, key, holder, batch_id, response, now)


def release(engine: Engine, submitter: str, key: str, holder: str) -> None:
    """Free a reservation whose request failed before anything was stored (the client may
    retry the key at once)."""
    with engine.begin() as conn:
        conn.execute(
            t.idempotency_keys.delete().where(
                *_key_is(submitter, key), t.idempotency_keys.c.holder == holder,
                t.idempotency_keys.c.completed_at.is_(None),
            )
        )  # fmt: skip


# --------------------------------------------------------------------------- helpers


def _key_is(submitter: str, key: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    c = t.idempotency_keys.c
    return c.submitter == submitter, c.key == key


def _insert_new(conn: Connection, values: dict[str, object]) -> bool:
    """Insert the reservation unless the key has a row; True when inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(t.idempotency_keys).values(**values).on_conflict_do_nothing()
            .returning(t.idempotency_keys.c.holder))  # fmt: skip
    return conn.execute(stmt).first() is not None


def _row(conn: Connection, submitter: str, key: str) -> Row[Any] | None:
    return conn.execute(select(t.idempotency_keys).where(*_key_is(submitter, key))).first()


def _complete_with(conn: Connection, submitter: str, key: str, holder: str, batch_id: int,
                   response: str | None, now: datetime) -> bool:  # fmt: skip
    c = t.idempotency_keys.c
    done = conn.execute(
        update(t.idempotency_keys)
        .where(*_key_is(submitter, key), c.holder == holder, c.completed_at.is_(None))
        .values(completed_at=now, batch_id=batch_id, response=response)
        .returning(c.holder)
    ).first()
    return done is not None


def _legacy_batch(conn: Connection, submitter: str, key: str,
                  since: datetime) -> tuple[int, str] | None:  # fmt: skip
    """(batch id, request digest) of the newest API batch stored with ``key`` since
    ``since`` before this table existed, or None."""
    c = t.import_batches.c
    query = (
        select(c.id, c.request_sha256)
        .where(and_(c.channel == BatchChannel.API.value, c.submitter == submitter,
                    c.idempotency_key == key, c.started_at >= since))
        .order_by(c.id.desc())
        .limit(1)
    )  # fmt: skip
    found = conn.execute(query).first()
    return None if found is None else (int(found.id), str(found.request_sha256 or ""))

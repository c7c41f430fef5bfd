"""The store operations behind the API's submissions (its write path): idempotency keys
reserved and completed in the store (shared by every API process), writing a group of validated
submissions in the caller's transaction (the writer thread's group commit), and the SQLite
checkpoint thread that goes with that writer; and the daily quotas of API tokens, charged
in the transaction that stores a submission (:mod:`trucewatch.store.quotas`).

The write API's types are the store's: :class:`PendingImport` (one submission to write),
:class:`StoredCounts` (what it stored), :class:`BatchInfo` (a stored batch) and
:class:`BatchOrigin` (the channel, submitter, idempotency key and request digest of a
batch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from trucewatch.app.session import Store
from trucewatch.store import idempotency, quotas
from trucewatch.store.batches import BatchChannel, BatchOrigin
from trucewatch.store.engine import WalCheckpointer
from trucewatch.store.idempotency import KeyOutcome, Reservation
from trucewatch.store.observations import PendingImport, StoredCounts
from trucewatch.store.queries import BatchInfo, get_batches
from trucewatch.store.quotas import DailyQuota

__all__ = [
    "BatchChannel", "BatchInfo", "BatchOrigin", "DailyQuota", "KeyOutcome", "PendingImport",
    "Reservation", "StoredCounts", "batch_info", "charge_quota", "complete_key",
    "quota_used", "release_key", "reserve_key", "start_wal_checkpoints", "write_submissions",
]  # fmt: skip


def write_submissions(
    store: Store, conn: Connection, imports: Sequence[PendingImport]
) -> list[tuple[int, StoredCounts]]:
    """Store validated submissions in the caller's transaction ``conn`` (each with its own
    batch row and ledger entries); returns each one's batch id and counts, in order."""
    return store.import_group(conn, imports)


def start_wal_checkpoints(store: Store) -> Callable[[], None]:
    """Start checkpointing the SQLite write-ahead log from a thread of its own (nothing
    on PostgreSQL); returns the function that stops it."""
    return WalCheckpointer(store.engine).close


# --------------------------------------------------------------------------- idempotency keys


def reserve_key(store: Store, submitter: str, key: str, digest: str, *, lease_s: float,
                ttl_s: float) -> Reservation:  # fmt: skip
    """Reserve an idempotency key in the store, shared by every API process
    (:func:`trucewatch.store.idempotency.reserve`)."""
    return idempotency.reserve(store.engine, submitter, key, digest, datetime.now(UTC),
                               lease_s=lease_s, ttl_s=ttl_s)  # fmt: skip


def complete_key(conn: Connection, submitter: str, key: str, holder: str, batch_id: int,
                 response: str) -> bool:  # fmt: skip
    """Complete a reservation in the transaction storing its batch (False: it was taken
    over after its lease ran out, and the caller must roll back)."""
    return idempotency.complete(conn, submitter, key, holder, batch_id, response,
                                datetime.now(UTC))  # fmt: skip


def release_key(store: Store, submitter: str, key: str, holder: str) -> None:
    """Free a reservation whose request failed before anything was stored."""
    idempotency.release(store.engine, submitter, key, holder)


def batch_info(store: Store, batch_id: int) -> BatchInfo | None:
    """The stored import batch ``batch_id``, or None."""
    with store.engine.connect() as conn:
        found = get_batches(conn, [batch_id])
    return found[0] if found else None


# --------------------------------------------------------------------------- daily quotas


def charge_quota(conn: Connection, quota: DailyQuota, records: int) -> int:
    """Count ``records`` against an API token's daily quota in the transaction ``conn``
    that stores them; returns the day's count. Raises
    :class:`~trucewatch.errors.QuotaExceeded` (nothing counted; the caller rolls back)
    when they would pass it."""
    return quotas.charge(conn, quota, records)


def quota_used(store: Store, token_sha256: str, day: date) -> int:
    """Records counted against the token on the UTC ``day``."""
    with store.engine.connect() as conn:
        return quotas.used(conn, token_sha256, day)
